"""The store: the one source of truth, embedded on disk or a remote SPARQL endpoint.

``open_store(location)`` returns a :class:`Store`:

- a directory path → :class:`OxigraphStore`, an on-disk Oxigraph database (created
  on first write, survives restarts, no server needed);
- an ``http(s)://`` URL → :class:`SparqlStore`, any SPARQL 1.1 endpoint speaking the
  protocol (query at the URL, updates at ``update_url`` or the same URL).

Both speak rdflib terms: SELECT rows are ``dict[str, rdflib.term.Node]``, CONSTRUCT
returns an ``rdflib.Graph``. Queries see the union of all named graphs as their
default graph (configure remote endpoints the same way, e.g. Fuseki's
``unionDefaultGraph``). Writes of a named graph are transactional: either the whole
graph lands (or is replaced) or nothing changes.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput, StoreError, UnknownFormat

__all__ = ["Store", "OxigraphStore", "SparqlStore", "open_store", "EXPORT_FORMATS"]

EXPORT_FORMATS = ("ttl", "jsonld", "nt", "nq", "trig")
_DATASET_FORMATS = ("nq", "trig")


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
    def put_graph(self, name: URIRef, graph: Graph, *, replace: bool) -> None:
        """Add ``graph``'s triples to the named graph ``name`` in one transaction.

        With ``replace`` the named graph's old triples are dropped in the same
        transaction, so readers see either the old or the new graph, never a mix.
        """

    @abstractmethod
    def drop_graph(self, name: URIRef) -> None:
        """Remove a named graph and all its triples."""

    @abstractmethod
    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        """Serialise the store (or one named graph) in ``fmt`` (see ``EXPORT_FORMATS``)."""

    def raw_query(self, query: str) -> tuple[str, Any]:
        """Run any query; returns (kind, result) with kind 'select' | 'ask' | 'graph'."""
        kind = _query_kind(query)
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
    loc = str(location)
    if loc.startswith(("http://", "https://")):
        return SparqlStore(loc)
    return OxigraphStore(Path(loc).expanduser(), read_only=read_only)


# --------------------------------------------------------------------------- embedded


class OxigraphStore(Store):
    """An on-disk Oxigraph database opened in this process.

    Only one process may open a directory for writing; readers may use
    ``read_only=True`` beside a running writer.
    """

    _store: Any  # a pyoxigraph.Store while open, None once closed

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.location = str(path)
        self.read_only = read_only
        try:
            if read_only:
                if not (path / "CURRENT").exists():
                    raise StoreError(
                        f"no store at {path}: run 'regiomatch init' first "
                        "(or set REGIOMATCH_STORE / --store to an existing store)"
                    )
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    # -- reads
    def _query(self, query: str) -> Any:
        try:
            return self._store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise InvalidInput(f"invalid SPARQL query: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def select(self, query: str) -> list[dict[str, Node]]:
        res = self._query(query)
        if not isinstance(res, self._ox.QuerySolutions):
            raise InvalidInput("expected a SELECT query")
        names = [v.value for v in res.variables]
        rows: list[dict[str, Node]] = []
        for sol in res:
            row = {}
            for name in names:
                term = sol[name]
                if term is not None:
                    row[name] = _to_rdflib(term)
            rows.append(row)
        return rows

    def select_values(self, query: str) -> list[dict[str, str]]:
        res = self._query(query)
        if not isinstance(res, self._ox.QuerySolutions):
            raise InvalidInput("expected a SELECT query")
        names = [v.value for v in res.variables]
        rows: list[dict[str, str]] = []
        for sol in res:
            rows.append({n: t.value for n in names if (t := sol[n]) is not None})
        return rows

    def ask(self, query: str) -> bool:
        res = self._query(query)
        if not isinstance(res, self._ox.QueryBoolean):
            raise InvalidInput("expected an ASK query")
        return bool(res)

    def construct(self, query: str) -> Graph:
        res = self._query(query)
        if not isinstance(res, self._ox.QueryTriples):
            raise InvalidInput("expected a CONSTRUCT or DESCRIBE query")
        g = Graph()
        for t in res:
            g.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))
        return g

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if hasattr(g, "value"))

    # -- writes
    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only")

    def update(self, update: str) -> None:
        self._writable()
        try:
            self._store.update(update)
        except SyntaxError as exc:
            raise InvalidInput(f"invalid SPARQL update: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"update failed, nothing was written: {exc}") from exc
        self._store.flush()

    def put_graph(self, name: URIRef, graph: Graph, *, replace: bool) -> None:
        self._writable()
        data = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        ops = []
        if replace:
            ops.append(f"DROP SILENT GRAPH <{name}>")
        ops.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{data}\n}} }}")
        self.update(" ;\n".join(ops))

    def bulk_load_nquads(self, data: bytes) -> None:
        """Fast, non-transactional load for building a fresh store (``init``)."""
        self._writable()
        self._store.bulk_load(data, format=self._ox.RdfFormat.N_QUADS)
        self._store.flush()

    def drop_graph(self, name: URIRef) -> None:
        self.update(f"DROP SILENT GRAPH <{name}>")

    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        fmt = _check_export_format(fmt, graph)
        if fmt == "jsonld":
            # rdflib writes compact, readable JSON-LD with our prefixes
            return _to_rdflib_serialisation(self.export("nq", graph), fmt, graph)
        ox_fmt = {
            "ttl": self._ox.RdfFormat.TURTLE,
            "nt": self._ox.RdfFormat.N_TRIPLES,
            "nq": self._ox.RdfFormat.N_QUADS,
            "trig": self._ox.RdfFormat.TRIG,
        }[fmt]
        from graph.namespaces import PREFIXES

        # vocabulary prefixes only: Oxigraph would write our data IRIs as rmid:centre\/x
        vocab = {p: iri for p, iri in PREFIXES.items() if p not in ("rmid", "rmc", "rmg")}
        prefixes = vocab if fmt in ("ttl", "trig") else None
        if graph is not None:
            out = self._store.dump(
                format=ox_fmt, from_graph=self._ox.NamedNode(str(graph)), prefixes=prefixes
            )
        elif fmt in _DATASET_FORMATS:
            out = self._store.dump(format=ox_fmt, prefixes=prefixes)
        else:
            # a triple format of the whole dataset: the union of all graphs
            return _to_rdflib_serialisation(self.export("nq"), fmt, None)
        return out or b""

    def close(self) -> None:
        if not self.read_only:
            try:
                self._store.flush()
            except OSError:
                pass
        self._store = None  # releases the RocksDB lock once collected


# --------------------------------------------------------------------------- remote


class SparqlStore(Store):
    """A remote SPARQL 1.1 endpoint (query + update protocol, JSON results)."""

    def __init__(self, url: str, update_url: str | None = None, timeout: float = 60.0) -> None:
        import httpx

        self.location = url
        self._update_url = update_url or os.environ.get("REGIOMATCH_UPDATE_URL") or url
        self._client = httpx.Client(timeout=timeout)
        self._httpx = httpx

    def _post(self, url: str, data: dict[str, str], accept: str) -> Any:
        try:
            resp = self._client.post(url, data=data, headers={"Accept": accept})
        except self._httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}") from exc
        if resp.status_code == 400:
            raise InvalidInput(f"the endpoint {url} rejected the request: {resp.text[:500]}")
        if resp.status_code >= 300:
            raise StoreError(f"the endpoint {url} answered {resp.status_code}: {resp.text[:500]}")
        return resp

    def _json(self, query: str) -> dict[str, Any]:
        resp = self._post(self.location, {"query": query}, "application/sparql-results+json")
        return json.loads(resp.content)

    def select(self, query: str) -> list[dict[str, Node]]:
        doc = self._json(query)
        return [
            {k: _json_term(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])
        ]

    def ask(self, query: str) -> bool:
        return bool(self._json(query).get("boolean"))

    def construct(self, query: str) -> Graph:
        resp = self._post(self.location, {"query": query}, "application/n-triples")
        return Graph().parse(data=resp.text, format="nt")

    def update(self, update: str) -> None:
        self._post(self._update_url, {"update": update}, "*/*")

    def named_graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(r["g"]) for r in rows if "g" in r)

    def put_graph(self, name: URIRef, graph: Graph, *, replace: bool) -> None:
        data = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        ops = [f"DROP SILENT GRAPH <{name}>"] if replace else []
        ops.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{data}\n}} }}")
        self.update(" ;\n".join(ops))

    def drop_graph(self, name: URIRef) -> None:
        self.update(f"DROP SILENT GRAPH <{name}>")

    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        fmt = _check_export_format(fmt, graph)
        if graph is not None:
            g = self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return _serialise_graph(g, fmt)
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        from rdflib import Dataset

        ds = Dataset()
        for r in rows:
            # rdflib turns a graph IRI into its context; its annotation only admits a Graph
            ds.add((r["s"], r["p"], r["o"], r["g"]))  # type: ignore[arg-type]
        return _to_rdflib_serialisation(ds.serialize(format="nquads", encoding="utf-8"), fmt, None)

    def close(self) -> None:
        self._client.close()


# --------------------------------------------------------------------------- helpers


def _query_kind(query: str) -> str:
    import re

    body = re.sub(r"(?im)^\s*(#.*|prefix\s+\S*\s*<[^>]*>|base\s+<[^>]*>)\s*$", "", query)
    body = re.sub(r"(?i)(prefix\s+\S*\s*<[^>]*>|base\s+<[^>]*>)", "", body)
    m = re.search(r"(?i)\b(select|ask|construct|describe)\b", body)
    if not m:
        raise InvalidInput(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE "
            f"(got {query.strip()[:60]!r})"
        )
    word = m.group(1).lower()
    return {"select": "select", "ask": "ask"}.get(word, "graph")


def _check_export_format(fmt: str, graph: URIRef | None) -> str:
    f = {"turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt", "nquads": "nq"}.get(fmt, fmt)
    if f not in EXPORT_FORMATS:
        raise UnknownFormat(f"unknown export format {fmt!r}: expected one of {', '.join(EXPORT_FORMATS)}")
    return f


def _serialise_graph(g: Graph, fmt: str) -> bytes:
    from graph.namespaces import bind_prefixes

    bind_prefixes(g)
    rdflib_fmt = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "nq": "nquads", "trig": "trig"}[fmt]
    return g.serialize(format=rdflib_fmt, encoding="utf-8")


def _to_rdflib_serialisation(nquads: bytes, fmt: str, graph: URIRef | None) -> bytes:
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
    return _serialise_graph(union, fmt)


def _to_rdflib(term: Any) -> Node:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise StoreError(f"unsupported term from the store: {term!r}")


def _json_term(v: dict[str, str]) -> Node:
    t = v.get("type")
    if t == "uri":
        return URIRef(v["value"])
    if t == "bnode":
        return BNode(v["value"])
    if "xml:lang" in v:
        return Literal(v["value"], lang=v["xml:lang"])
    if "datatype" in v and v["datatype"] != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(v["value"], datatype=URIRef(v["datatype"]))
    return Literal(v["value"])
