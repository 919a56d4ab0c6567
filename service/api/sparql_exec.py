"""Run a SPARQL protocol query over a chosen dataset, within time and row limits.

``run(store, query, ...)`` evaluates the query with its dataset fixed by the caller
(``default_graphs``, ``named_graphs``): on the embedded store through pyoxigraph's
``default_graph``/``named_graphs`` arguments, on a remote endpoint through the
protocol's ``default-graph-uri``/``named-graph-uri`` parameters. Both override any
``FROM``/``FROM NAMED`` in the query, so a public query cannot name a private graph
into its dataset, and ``GRAPH ?g`` ranges over the allowed graphs only.

Limits: results are read row by row; more than ``max_rows`` rows, or a clock past
``timeout_s``, stops the query with :class:`QueryLimit` (never a silently cut
result). In process the clock can only be checked between rows, so ``/sparql`` runs
the embedded store's queries through ``service.api.sparql_worker`` (``run_on`` in a
process that is killed at the time limit); the API's own bounded queries (linked
data, exports) run here directly.
"""

from __future__ import annotations

import csv
import io
import json
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from graph.errors import RegiomatchError, StoreError
from graph.store import Store, check_query, is_remote, query_kind
from graph.store.embedded import OxigraphStore

__all__ = ["QueryLimit", "Result", "run", "run_on", "reformat", "RESULT_TYPES", "GRAPH_TYPES"]

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryLimit(RegiomatchError):
    """A query went past its time or row limit."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Result:
    kind: str  # select | ask | graph
    data: bytes


@dataclass
class _Budget:
    timeout_s: float
    max_rows: int
    anonymous: bool
    start: float

    def check(self, rows: int) -> None:
        if rows > self.max_rows:
            more = " (a key raises the limit)" if self.anonymous else ""
            raise QueryLimit(
                f"the query returns more than {self.max_rows:,} results, the limit{more}; "
                "add a LIMIT or narrow the pattern",
                "result_limit",
            )
        if rows % 256 == 0 and time.monotonic() - self.start > self.timeout_s:
            raise QueryLimit(
                f"the query ran longer than {self.timeout_s:g} s, the limit; narrow it or add a LIMIT",
                "query_timeout",
            )


def run(
    store: Store,
    query: str,
    *,
    result_format: str,
    graph_format: str,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    timeout_s: float,
    max_rows: int,
    anonymous: bool = True,
) -> Result:
    """Evaluate ``query`` over the given dataset and serialise its result (see module docstring)."""
    check_query(query)
    kind = query_kind(query)
    budget = _Budget(timeout_s, max_rows, anonymous, time.monotonic())
    if is_remote(store.location):
        return _evaluate(lambda: _remote(store.location, query, kind, default_graphs, named_graphs, timeout_s),
                         result_format, graph_format, budget)
    embedded = _embedded(store)
    return _evaluate(lambda: embedded.query_dataset(query, default_graphs=default_graphs, named_graphs=named_graphs),
                     result_format, graph_format, budget)


def _embedded(store: Store) -> OxigraphStore:
    if not isinstance(store, OxigraphStore):
        raise StoreError(f"the store at {store.location} is neither an embedded store nor a SPARQL endpoint")
    return store


def run_on(store: OxigraphStore, query: str, *, result_format: str, graph_format: str, default_graphs: Sequence[str],
           named_graphs: Sequence[str], max_rows: int, anonymous: bool) -> Result:
    """``run`` on an opened embedded store, with the row limit only (a worker process: the
    time limit is its parent's, which kills it)."""
    budget = _Budget(float("inf"), max_rows, anonymous, time.monotonic())
    return _evaluate(lambda: store.query_dataset(query, default_graphs=default_graphs, named_graphs=named_graphs),
                     result_format, graph_format, budget)


def _evaluate(make: Callable[[], Any], result_format: str, graph_format: str, budget: _Budget) -> Result:
    """Make the (lazy) results with ``make`` and serialise them, on this thread.

    pyoxigraph results may be freed only on the thread that made them, so no caller
    holds them and no frame an error carries keeps them alive.
    """
    res = make()
    try:
        return _collect(res, result_format, graph_format, budget)
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)
        if isinstance(exc, (OSError, RuntimeError)):
            raise StoreError(f"query failed: {exc}") from exc
        raise
    finally:
        del res


def _collect(res: Any, result_format: str, graph_format: str, budget: _Budget) -> Result:
    import pyoxigraph as ox

    if isinstance(res, ox.QueryBoolean):
        return Result("ask", _boolean(bool(res), result_format))
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        rows: list[list[Any]] = []
        try:
            for sol in res:
                rows.append([sol[n] for n in names])
                budget.check(len(rows))
        finally:
            del res
        return Result("select", _solutions(names, rows, result_format))
    triples = []
    try:
        for t in res:
            triples.append(t)
            budget.check(len(triples))
    finally:
        del res
    return Result("graph", _graph(triples, graph_format))


def _remote(url: str, query: str, kind: str, default: Sequence[str], named: Sequence[str], timeout_s: float) -> Any:
    import httpx
    import pyoxigraph as ox

    accept = "application/n-triples" if kind == "graph" else "application/sparql-results+json"
    form = {"query": query, "default-graph-uri": list(default), "named-graph-uri": list(named)}
    try:
        r = httpx.post(url, data=form, headers={"Accept": accept}, timeout=timeout_s)
    except httpx.TimeoutException as exc:
        raise QueryLimit(f"the query ran longer than {timeout_s:g} s, the limit", "query_timeout") from exc
    except httpx.HTTPError as exc:
        raise StoreError(f"the SPARQL endpoint {url} cannot be reached: {exc}") from exc
    if r.status_code == 400:
        from graph.errors import InvalidInput

        raise InvalidInput(f"invalid SPARQL query: {r.text[:300]}")
    if r.status_code != 200:
        raise StoreError(f"the SPARQL endpoint {url} answered {r.status_code}: {r.text[:200]}")
    if kind == "graph":
        return ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)
    return ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)


# --------------------------------------------------------------------------- writers


def _boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{str(value).lower()}</boolean></sparql>\n"
        ).encode()
    return f"{str(value).lower()}\n".encode()


def _solutions(names: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, row) if t is not None} for row in rows]
        doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(n)}/>" for n in names]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>" for n, t in zip(names, row) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(names)
        for row in rows:
            w.writerow(["" if t is None else (f"_:{t.value}" if _is_bnode(t) else t.value) for t in row])
        return buf.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else _nt(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _is_bnode(t: Any) -> bool:
    import pyoxigraph as ox

    return isinstance(t, ox.BlankNode)


def _json_term(t: Any) -> dict[str, str]:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def _xml_term(t: Any) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value not in (_XSD_STRING, _RDF_LANG):
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def _nt(t: Any) -> str:
    return str(t)  # pyoxigraph terms print in N-Triples syntax


def _graph(triples: Iterable[Any], fmt: str) -> bytes:
    import pyoxigraph as ox

    from graph.namespaces import PREFIXES

    ox_fmt = {
        "ttl": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }[fmt]
    prefixes = {p: iri for p, iri in PREFIXES.items() if p not in ("rmid", "rmc", "rmg")}
    kwargs: dict[str, Any] = {"prefixes": prefixes} if fmt in ("ttl", "rdfxml") else {}
    return ox.serialize(list(triples), format=ox_fmt, **kwargs) or b""


def reformat(ntriples: bytes, fmt: str) -> bytes:
    """N-Triples re-serialised as ``fmt`` (ttl, nt, jsonld, rdfxml), with our prefixes."""
    import pyoxigraph as ox

    if fmt == "nt":
        return ntriples
    return _graph(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), fmt)
