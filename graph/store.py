"""The store: the one source of truth, embedded on disk or a remote SPARQL endpoint.

``open_store(location)`` returns a :class:`Store`:

- a directory path → ``graph._oxigraph_store.OxigraphStore``, an on-disk Oxigraph
  database (created on first write, survives restarts, no server needed);
- an ``http(s)://`` URL → ``graph._sparql_store.SparqlStore``, any SPARQL 1.1 endpoint
  speaking the protocol (query at the URL, updates at ``REGIOMATCH_UPDATE_URL`` or the
  same URL).

Both speak rdflib terms: SELECT rows are ``dict[str, rdflib.term.Node]``, CONSTRUCT
returns an ``rdflib.Graph``. Queries see the union of all named graphs as their
default graph (configure remote endpoints the same way, e.g. Fuseki's
``unionDefaultGraph``). Writes of a named graph (with its provenance record) are one
SPARQL update, so either all of it lands or nothing changes.

Safety: every term written is checked first (:func:`check_terms`), so an IRI cannot
smuggle SPARQL into an update; queries with ``SERVICE`` are refused, so a query
cannot make the store call out to the network.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput, UnknownFormat

if TYPE_CHECKING:
    from rdflib.graph import _TripleType

__all__ = [
    "Store",
    "open_store",
    "is_remote",
    "check_terms",
    "check_query",
    "EXPORT_FORMATS",
]

EXPORT_FORMATS = ("ttl", "jsonld", "nt", "nq", "trig")
_DATASET_FORMATS = ("nq", "trig")
# RFC 3987 excludes these from IRIs; any of them could end an IRI inside a SPARQL update
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def is_remote(location: str | os.PathLike[str]) -> bool:
    """True when ``location`` names a SPARQL endpoint rather than a directory."""
    return str(location).startswith(("http://", "https://"))


class Store(ABC):
    """What every backend offers; see the module docstring."""

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
    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 update in one transaction."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs holding at least one triple, sorted."""

    @abstractmethod
    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        """Serialise the store (or one named graph) in ``fmt`` (see ``EXPORT_FORMATS``)."""

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
        ops = [f"DROP SILENT GRAPH {_iri(name)}"] if replace else []
        ops.append(f"INSERT DATA {{ GRAPH {_iri(name)} {{\n{_ntriples(graph)}\n}} }}")
        if provenance is not None and provenance_graph is not None:
            check_terms(provenance)
            ops.append(f"DELETE WHERE {{ GRAPH {_iri(provenance_graph)} {{ {_iri(name)} ?p ?o }} }}")
            ops.append(f"INSERT DATA {{ GRAPH {_iri(provenance_graph)} {{\n{_ntriples(provenance)}\n}} }}")
        self.update(" ;\n".join(ops))

    def drop_graph(self, name: URIRef) -> None:
        """Remove a named graph and all its triples."""
        self.update(f"DROP SILENT GRAPH {_iri(name)}")

    def raw_query(self, query: str) -> tuple[str, Any]:
        """Run any query; returns (kind, result) with kind 'select' | 'ask' | 'graph'."""
        kind = query_kind(query)
        if kind == "select":
            return kind, self.select(query)
        if kind == "ask":
            return kind, self.ask(query)
        return "graph", self.construct(query)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store (flushes and unlocks an embedded database)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(location: str | os.PathLike[str], *, read_only: bool = False) -> Store:
    """Open the store at ``location`` (directory or SPARQL endpoint URL)."""
    if is_remote(location):
        from graph._sparql_store import SparqlStore

        return SparqlStore(str(location))
    from graph._oxigraph_store import OxigraphStore

    return OxigraphStore(Path(location).expanduser(), read_only=read_only)


# --------------------------------------------------------------------------- safety


def check_terms(graph: Graph) -> None:
    """Raise ``InvalidInput`` naming the first IRI or language tag that is not well formed.

    rdflib accepts IRIs with spaces or ``>`` (e.g. from Turtle ``\\u003E`` escapes) and
    writes them raw; written into a SPARQL update they would end the IRI early.
    """
    for triple in graph:
        for term in triple:
            _check_term(term, triple)


def _check_term(term: Node, triple: _TripleType) -> None:
    if isinstance(term, URIRef):
        if not _IRI.match(str(term)):
            raise InvalidInput(
                f"invalid IRI {str(term)!r} in triple {_short_triple(triple)}: an IRI needs a scheme "
                "(e.g. https:) and may not contain spaces or any of <>\"{}|^`\\"
            )
    elif isinstance(term, Literal):
        if term.datatype is not None and not _IRI.match(str(term.datatype)):
            raise InvalidInput(f"invalid datatype IRI {str(term.datatype)!r} in triple {_short_triple(triple)}")
        if term.language is not None and not _LANG.match(term.language):
            raise InvalidInput(
                f"invalid language tag {term.language!r} in triple {_short_triple(triple)}: "
                "expected a BCP 47 tag such as 'de' or 'en-GB'"
            )


def _short_triple(triple: _TripleType) -> str:
    return " ".join(str(t)[:80] for t in triple)


def check_query(query: str) -> None:
    """Refuse queries the store must not run: ``SERVICE`` calls out to other endpoints."""
    body = _strip_iris_strings_comments(query)
    if re.search(r"(?i)(?<![:\w])SERVICE\s+(SILENT\s+)?(<>|[?$]|[A-Za-z_][\w-]*:)", body):
        raise InvalidInput(
            "queries with SERVICE are refused: regiomatch does not call other SPARQL endpoints; "
            "load their data with 'regiomatch load' instead"
        )


def _strip_iris_strings_comments(query: str) -> str:
    body = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'', '""', query)
    body = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', body)
    body = re.sub(r"<[^<>\s]*>", "<>", body)
    return re.sub(r"#[^\n]*", "", body)


def query_kind(query: str) -> str:
    """'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE); ``InvalidInput`` for anything else."""
    body = _strip_iris_strings_comments(query)
    body = re.sub(r"(?i)\b(prefix\s+[\w-]*:\s*<>|base\s+<>)", "", body)
    m = re.search(r"(?i)\b(select|ask|construct|describe)\b", body)
    if not m:
        raise InvalidInput(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE "
            f"(got {query.strip()[:60]!r})"
        )
    return {"select": "select", "ask": "ask"}.get(m.group(1).lower(), "graph")


def _iri(iri: URIRef) -> str:
    if not _IRI.match(str(iri)):
        raise InvalidInput(f"invalid IRI {str(iri)!r}")
    return f"<{iri}>"


def _ntriples(graph: Graph) -> str:
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")


# --------------------------------------------------------------------------- export helpers


def check_export_format(fmt: str) -> str:
    """The canonical export format name; ``UnknownFormat`` naming the choices."""
    f = {"turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt", "nquads": "nq"}.get(fmt, fmt)
    if f not in EXPORT_FORMATS:
        raise UnknownFormat(f"unknown export format {fmt!r}: expected one of {', '.join(EXPORT_FORMATS)}")
    return f


def serialise_graph(g: Graph, fmt: str) -> bytes:
    """Serialise one graph with our prefixes bound."""
    from graph.namespaces import bind_prefixes

    bind_prefixes(g)
    rdflib_fmt = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "nq": "nquads", "trig": "trig"}[fmt]
    return g.serialize(format=rdflib_fmt, encoding="utf-8")


def reserialise_nquads(nquads: bytes, fmt: str, graph: URIRef | None) -> bytes:
    """N-Quads → ``fmt``: dataset formats keep graphs, triple formats take the union."""
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    if fmt in _DATASET_FORMATS or (fmt == "jsonld" and graph is None):
        from graph.namespaces import bind_prefixes

        bind_prefixes(ds)
        rdflib_fmt = {"nq": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt]
        return ds.serialize(format=rdflib_fmt, encoding="utf-8")
    union = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    return serialise_graph(union, fmt)
