"""The interface every store backend offers (see the package docstring)."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, overload

from rdflib import Graph, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput
from graph.store.safety import check_iri, check_query, check_terms, check_update

__all__ = [
    "Store",
    "Serialised",
    "is_remote",
    "is_inside_store",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "MEDIA_TYPES",
    "check_result_formats",
]

# serialisations a query result can be returned in: SELECT/ASK results, CONSTRUCT/DESCRIBE graphs
RESULT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}


def is_remote(location: str | os.PathLike[str]) -> bool:
    """True when ``location`` names a SPARQL endpoint rather than a directory."""
    return str(location).startswith(("http://", "https://"))


def is_inside_store(location: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """True when ``path`` lies in the embedded store ``location`` (or is its lock file):
    writing there would overwrite the database's own files."""
    if is_remote(location):
        return False
    from pathlib import Path

    store = Path(location).expanduser().resolve()
    target = Path(path).expanduser().resolve()
    return target == store or store in target.parents or target == store.with_name(store.name + ".lock")


@dataclass(frozen=True)
class Serialised:
    """A query result as bytes, ready for a SPARQL protocol response."""

    kind: str  # 'select' | 'ask' | 'graph'
    media_type: str
    data: bytes


def check_result_formats(fmt: str, graph_fmt: str) -> None:
    """``InvalidInput`` naming the choices if either format is unknown."""
    if fmt not in RESULT_FORMATS:
        raise InvalidInput(f"unknown result format {fmt[:40]!r}: expected one of {', '.join(RESULT_FORMATS)}")
    if graph_fmt not in GRAPH_FORMATS:
        raise InvalidInput(f"unknown graph format {graph_fmt[:40]!r}: expected one of {', '.join(GRAPH_FORMATS)}")


class Store(ABC):
    """What every backend offers; see the package docstring."""

    location: str

    @abstractmethod
    def select(self, query: str) -> list[dict[str, Node]]:
        """Run a SELECT query; one dict per row (unbound variables are absent)."""

    def select_values(self, query: str) -> list[dict[str, str]]:
        """Like ``select`` but each value is its lexical form (IRI or literal text).

        Much cheaper for large results (no rdflib term per value); views use it
        where language tags and datatypes are not needed.
        """
        return [{k: str(v) for k, v in row.items()} for row in self.select(query)]

    @abstractmethod
    def ask(self, query: str) -> bool:
        """Run an ASK query."""

    @abstractmethod
    def construct(self, query: str) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query."""

    @abstractmethod
    def _serialised(self, query: str, kind: str, fmt: str) -> bytes:
        """Run ``query`` (already checked, of ``kind``) and serialise its result in ``fmt``."""

    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 update in one transaction (refused if it holds ``SERVICE``)."""
        check_update(update)
        self._update(update)

    @abstractmethod
    def _update(self, update: str) -> None:
        """Run an update already checked (or built from checked terms) in one transaction."""

    @abstractmethod
    def bulk_load(self, nquads: bytes) -> None:
        """Load N-Quads fast, without one transaction around them (building a fresh store)."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs holding at least one triple, sorted."""

    @abstractmethod
    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        """Serialise the store (or one named graph) in ``fmt`` (see ``EXPORT_FORMATS``)."""

    @overload
    def query(self, query: str, *, fmt: None = None, graph_fmt: str = "ttl") -> tuple[str, Any]: ...

    @overload
    def query(self, query: str, *, fmt: str, graph_fmt: str = "ttl") -> Serialised: ...

    def query(self, query: str, *, fmt: str | None = None, graph_fmt: str = "ttl") -> tuple[str, Any] | Serialised:
        """Run any query.

        Without ``fmt``: ``(kind, result)`` with kind 'select' (rows), 'ask' (bool) or
        'graph' (an rdflib ``Graph``). With ``fmt`` (one of ``RESULT_FORMATS``): the
        result serialised, SELECT/ASK in ``fmt`` and CONSTRUCT/DESCRIBE in
        ``graph_fmt`` (one of ``GRAPH_FORMATS``), for a SPARQL protocol endpoint.
        """
        kind = check_query(query)
        if fmt is not None:
            check_result_formats(fmt, graph_fmt)
            out = graph_fmt if kind == "graph" else fmt
            return Serialised(kind, MEDIA_TYPES[out], self._serialised(query, kind, out))
        if kind == "select":
            return kind, self.select(query)
        if kind == "ask":
            return kind, self.ask(query)
        return "graph", self.construct(query)

    def raw_query(self, query: str) -> tuple[str, Any]:
        """``query(query)``: (kind, result) with kind 'select' | 'ask' | 'graph'."""
        return self.query(query)

    def put_graph(
        self,
        name: URIRef,
        graph: Graph,
        *,
        replace: bool,
        provenance: Graph | None = None,
        provenance_graph: URIRef | None = None,
    ) -> None:
        """Add ``graph``'s triples to the named graph ``name`` in one transaction.

        With ``replace`` the named graph's old triples are dropped in the same
        transaction, so readers see either the old or the new graph, never a mix.
        ``provenance`` (triples about ``name``) replaces ``name``'s record in
        ``provenance_graph`` in that same transaction.
        """
        check_terms(graph)
        self.put_ntriples(
            name, _ntriples(graph), replace=replace, provenance=provenance, provenance_graph=provenance_graph
        )

    def put_ntriples(
        self,
        name: URIRef,
        ntriples: str,
        *,
        replace: bool,
        provenance: Graph | None = None,
        provenance_graph: URIRef | None = None,
    ) -> None:
        """``put_graph`` for triples already written as N-Triples by a trusted writer
        (rdflib after :func:`check_terms`, or pyoxigraph, which only writes valid terms)."""
        g = check_iri(name)
        ops = [f"DROP SILENT GRAPH {g}"] if replace else []
        ops.append(f"INSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")
        if provenance is not None and provenance_graph is not None:
            check_terms(provenance)
            pg = check_iri(provenance_graph)
            ops.append(f"DELETE WHERE {{ GRAPH {pg} {{ {g} ?p ?o }} }}")
            ops.append(f"INSERT DATA {{ GRAPH {pg} {{\n{_ntriples(provenance)}\n}} }}")
        # built from checked terms only: INSERT DATA cannot hold a SERVICE pattern
        self._update(" ;\n".join(ops))

    def add_trusted(
        self,
        name: URIRef,
        triples: Iterable[Any],
        *,
        provenance: Graph | None = None,
        provenance_graph: URIRef | None = None,
    ) -> int:
        """Add pyoxigraph ``triples`` (valid terms by construction) to ``name`` in one
        transaction with ``name``'s provenance record; returns how many were written.

        This default writes them as N-Triples into one update; the embedded store
        overrides it with a streamed transaction.
        """
        import pyoxigraph as ox

        counter = _Counter(triples)
        text = (ox.serialize(counter, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        self.put_ntriples(name, text, replace=False, provenance=provenance, provenance_graph=provenance_graph)
        return counter.n

    def drop_graph(self, name: URIRef) -> None:
        """Remove a named graph and all its triples."""
        self._update(f"DROP SILENT GRAPH {check_iri(name)}")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store (flushes and unlocks an embedded database)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Counter:
    """Passes items through and counts them."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = iter(items)
        self.n = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self) -> Any:
        item = next(self._items)
        self.n += 1
        return item


def _ntriples(graph: Graph) -> str:
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")

