"""Counts of instances per class and triples per named graph."""

from __future__ import annotations

from graph import iris
from graph.namespaces import curie
from graph.store import Store
from graph.views._common import P

__all__ = ["stats"]


def stats(store: Store) -> dict[str, dict[str, int]]:
    """Counts of instances per class and triples per named graph."""
    classes = {
        curie(r["cls"]): int(r["n"])
        for r in store.select_values(
            P + "SELECT ?cls (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?cls } GROUP BY ?cls"
        )
    }
    graphs = {
        iris.graph_name(str(r["g"])): int(str(r["n"]))
        for r in store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    return {
        "classes": dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "graphs": dict(sorted(graphs.items())),
    }
