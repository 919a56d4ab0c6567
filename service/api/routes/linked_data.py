"""Linked data: every public IRI under ``/id/``, ``/concept/``, ``/ontology`` dereferences
here; ``/graph`` exports the public graph and ``/dcat`` describes the dataset.

Only public named graphs are read (companies, outcomes and write records never
appear); a company IRI therefore answers 404 — company records are served by
``/companies/{id}`` to keys allowed to see them.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from service.api._rdf import choose_format, rdf_response
from service.api.deps import StateDep
from service.api.state import AppState

__all__ = ["router"]

router = APIRouter(tags=["linked data"])
_RDF_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/turtle": {},
            "application/ld+json": {},
            "application/n-triples": {},
            "application/rdf+xml": {},
            "text/html": {},
        },
        "description": "the resource's triples in the negotiated format",
    }
}


def _construct(state: AppState, query: str, fmt: str, max_rows: int = 1_000_000) -> bytes:
    from service.api.dataset import public_graph_iris
    from service.api.sparql_exec import run

    graphs = public_graph_iris(state)
    return run(
        state.store, query, result_format="json", graph_format=fmt, default_graphs=graphs,
        named_graphs=graphs, timeout_s=state.settings.sparql_timeout_s, max_rows=max_rows,
    ).data


def _describe(state: AppState, request: Request, iri: str) -> Response:
    """The resource's own statements and those of its parts (``<iri>/…``: engagements, grants)."""
    from rdflib import URIRef

    from graph.errors import UnknownEntity
    from service.api.sparql_exec import reformat

    s = URIRef(iri).n3()
    q = f"""CONSTRUCT {{ {s} ?p ?o . ?x ?p2 ?o2 }} WHERE {{
  {{ {s} ?p ?o }} UNION {{ {s} ?p0 ?x . ?x ?p2 ?o2 FILTER(STRSTARTS(STR(?x), "{iri}/")) }} }}"""
    fmt = choose_format(request)
    nt = _construct(state, q, "nt")
    if not nt.strip():
        raise UnknownEntity(f"nothing public is known about {iri}")
    return rdf_response(request, fmt, lambda f: _html(iri, nt) if f == "html" else reformat(nt, f))


def _html(iri: str, nt: bytes) -> bytes:
    """A minimal page listing the resource's statements (the web app styles it later)."""
    from rdflib import Graph, Literal, URIRef

    from graph.iris import BASE
    from graph.namespaces import curie

    g = Graph()
    g.parse(data=nt, format="nt")

    def show(term: object) -> str:
        if isinstance(term, URIRef):
            text = escape(curie(str(term)))
            href = "/" + str(term)[len(BASE):] if str(term).startswith(BASE) else str(term)
            return f'<a href="{escape(href)}">{text}</a>'
        if isinstance(term, Literal) and term.language:
            return f"{escape(str(term))} <small>@{escape(term.language)}</small>"
        return escape(str(term))

    subject = URIRef(iri)
    names = [str(o) for p in ("https://schema.org/name", "http://www.w3.org/2004/02/skos/core#prefLabel",
                              "http://www.w3.org/2000/01/rdf-schema#label") for o in g.objects(subject, URIRef(p))]
    title = escape(names[0] if names else iri)
    rows = "\n".join(
        f"<tr><td>{show(p)}</td><td>{show(o)}</td></tr>"
        for p, o in sorted(g.predicate_objects(subject), key=lambda po: (str(po[0]), str(po[1])))
    )
    alts = " · ".join(f'<a href="?format={f}">{f}</a>' for f in ("ttl", "jsonld", "nt", "rdfxml"))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p><code>{escape(iri)}</code></p>
<table><thead><tr><th>property</th><th>value</th></tr></thead><tbody>
{rows}
</tbody></table><p>Also as {alts}.</p></body></html>
"""
    return page.encode("utf-8")


@router.get("/id/{path:path}", responses=_RDF_DOC, response_class=Response)
def entity(request: Request, state: StateDep, path: Annotated[str, Path(examples=["region/15083270"])]) -> Response:
    """A region, centre, engagement, programme … by its IRI (content negotiation)."""
    from graph.iris import BASE

    return _describe(state, request, _iri(f"{BASE}id/{path}"))


@router.get("/concept/{path:path}", responses=_RDF_DOC, response_class=Response)
def concept(request: Request, state: StateDep, path: Annotated[str, Path(examples=["technology/cybersecurity"])]) -> Response:
    """A SKOS concept or concept scheme by its IRI."""
    from graph.iris import BASE

    return _describe(state, request, _iri(f"{BASE}concept/{path}"))


def _iri(iri: str) -> str:
    from graph.errors import InvalidKey

    if any(c in iri for c in '<>"{}|^`\\ ') or any(ord(c) < 0x21 for c in iri):
        raise InvalidKey(f"invalid identifier in {iri[:120]!r}: IRIs may not contain spaces or <>\"{{}}|^`\\")
    return iri


@router.get("/ontology", responses=_RDF_DOC, response_class=Response)
def ontology(request: Request, state: StateDep) -> Response:
    """The regiomatch vocabulary (``rm:`` terms)."""
    from graph import iris

    return _graph_export(request, state, iris.named_graph("ontology"))


@router.get("/graph", responses=_RDF_DOC, response_class=Response)
def public_graph(request: Request, state: StateDep) -> Response:
    """The whole public graph (every public named graph, merged) in the negotiated format."""
    return _graph_export(request, state, None)


@router.get("/graph/{name:path}", responses=_RDF_DOC, response_class=Response)
def named_graph(request: Request, state: StateDep, name: Annotated[str, Path(examples=["centres/st"])]) -> Response:
    """One public named graph (``regions``, ``centres/st`` …; see ``/dcat``)."""
    from graph import iris
    from graph.errors import UnknownEntity
    from service.api.dataset import public_graph_iris

    g = iris.named_graph(name)
    if str(g) not in public_graph_iris(state):
        raise UnknownEntity(f"no public named graph {name!r}: see /dcat for the graphs this server publishes")
    return _graph_export(request, state, g)


def _graph_export(request: Request, state: AppState, graph: object | None) -> Response:
    from service.api.dataset import public_graph_iris
    from service.api.sparql_exec import run

    fmt = choose_format(request, html=False)
    graphs = public_graph_iris(state) if graph is None else [str(graph)]

    def render(f: str) -> bytes:
        return state.cached(
            f"export:{graph}:{f}",
            lambda: run(
                state.store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", result_format="json", graph_format=f,
                default_graphs=graphs, named_graphs=graphs, timeout_s=600.0, max_rows=50_000_000,
            ).data,
        )

    return rdf_response(request, fmt, render, html=False)


@router.get("/dcat", responses=_RDF_DOC, response_class=Response)
def dcat(request: Request, state: StateDep) -> Response:
    """A DCAT description of the dataset: each source graph with its licence and reference date,
    the exports and the SPARQL endpoint."""
    fmt = choose_format(request, html=False)
    base = str(request.base_url).rstrip("/")
    return rdf_response(request, fmt, lambda f: _dcat_graph(state, base, f), html=False)


def _dcat_graph(state: AppState, base: str, fmt: str) -> bytes:
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

    from graph.iris import BASE
    from service.api.dataset import source_graphs
    from service.api.sparql_exec import reformat

    g = Graph()
    ds = URIRef(f"{BASE}dataset")
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("regiomatch knowledge graph", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Regions of Germany, digitalisation centres, innovation topic schemes and (private) SME records.", lang="en")))
    for f, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples")):
        d = BNode()
        g.add((ds, DCAT.distribution, d))
        g.add((d, RDF.type, DCAT.Distribution))
        g.add((d, DCAT.downloadURL, URIRef(f"{base}/graph?format={f}")))
        g.add((d, DCAT.mediaType, Literal(media)))
    svc = URIRef(f"{base}/sparql")
    g.add((svc, RDF.type, DCAT.DataService))
    g.add((svc, DCAT.endpointURL, svc))
    g.add((svc, DCAT.servesDataset, ds))
    g.add((svc, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    for src in source_graphs(state.store):
        part = URIRef(src.iri)
        g.add((ds, DCTERMS.hasPart, part))
        g.add((part, RDF.type, DCAT.Dataset))
        g.add((part, DCTERMS.identifier, Literal(src.name)))
        if src.title:
            g.add((part, DCTERMS.title, Literal(src.title)))
        for lic in src.licences:
            g.add((part, DCTERMS.license, URIRef(lic)))
        for s in src.sources:
            g.add((part, DCTERMS.source, Literal(s)))
        if src.generated:
            g.add((part, DCTERMS.modified, Literal(src.generated, datatype=XSD.dateTime)))
        if src.private:
            g.add((part, DCTERMS.accessRights, Literal("non-public: needs an API key with scope analyst or admin")))
        else:
            g.add((part, DCTERMS.accessRights, Literal("public")))
            g.add((part, DCAT.landingPage, URIRef(f"{base}/graph/{src.name}")))
    return reformat(g.serialize(format="nt", encoding="utf-8"), fmt)
