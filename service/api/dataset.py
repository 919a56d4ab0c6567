"""What the store holds, per named graph: size, title, licences, reference date, privacy.

Read from the store's ``provenance`` graph (written by ``init`` and ``load``);
``/health`` and the DCAT description (``/dcat``) are built from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph import iris
from graph.namespaces import sparql_prefixes
from graph.store import Store
from service.api.state import AppState, is_private_graph

__all__ = ["SourceGraph", "source_graphs", "public_graph_iris", "all_graph_iris", "graphs_for"]


@dataclass
class SourceGraph:
    name: str
    iri: str
    triples: int
    private: bool
    title: str | None = None
    generated: str | None = None
    licences: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def source_graphs(store: Store) -> list[SourceGraph]:
    """Every non-empty named graph with what the provenance graph says about it."""
    counts = {
        str(r["g"]): int(r["n"])
        for r in store.select_values("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    out = {
        g: SourceGraph(iris.graph_name(g), g, n, is_private_graph(iris.graph_name(g)))
        for g, n in sorted(counts.items())
    }
    prov = iris.named_graph("provenance").n3()
    rows = store.select_values(sparql_prefixes() + f"""
SELECT ?g ?p ?o WHERE {{ GRAPH {prov} {{
  VALUES ?p {{ dcterms:title prov:generatedAtTime dcterms:license dcterms:source }}
  ?g ?p ?o }} }}""")
    for r in rows:
        rec = out.get(r["g"])
        if rec is None:
            continue
        p = r["p"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if p == "title":
            rec.title = rec.title or r["o"]
        elif p == "generatedAtTime":
            rec.generated = max(rec.generated or "", r["o"])
        elif p == "license":
            rec.licences.append(r["o"])
        else:
            rec.sources.append(r["o"])
    return list(out.values())


def all_graph_iris(state: AppState) -> list[str]:
    """IRIs of every named graph (cached until the next write)."""
    return state.cached("named_graphs", state.store.named_graphs)


def public_graph_iris(state: AppState) -> list[str]:
    """IRIs of the named graphs anyone may read (not companies, outcomes or write records)."""
    return [g for g in all_graph_iris(state) if not is_private_graph(iris.graph_name(g))]


def graphs_for(state: AppState, may_read_private: bool) -> list[str]:
    """The named graphs a caller's queries run over: all of them for analysts and admins,
    the public ones for everyone else."""
    return all_graph_iris(state) if may_read_private else public_graph_iris(state)
