"""Queries that can be stopped: a time limit and a row limit for every user query.

pyoxigraph's ``Store.query`` cannot be interrupted, so :func:`run_query` runs the
query of an embedded store in a worker process that is killed when the time
limit passes. The worker streams SELECT rows (as SPARQL TSV) and CONSTRUCT
triples (as N-Triples) through a writer that counts lines and stops one past the
row limit; exceeding either limit is a :class:`~graph.errors.LimitExceeded` that
names the limit — results are never silently cut. A remote endpoint is asked
with the time limit as its HTTP timeout and its rows are counted on arrival.

``regiomatch sparql`` uses the defaults (30 s, 100,000 rows, ``--timeout`` /
``--limit``); the HTTP SPARQL endpoint passes lower ones.
"""

from __future__ import annotations

import io
import multiprocessing
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph import errors
from graph.errors import InvalidInput, LimitExceeded, RegiomatchError, StoreError
from graph.store.base import MEDIA_TYPES, Serialised, check_result_formats, is_remote
from graph.store.safety import check_query

__all__ = ["QueryLimits", "run_query", "DEFAULT_TIMEOUT", "DEFAULT_ROWS"]

DEFAULT_TIMEOUT = 30.0
DEFAULT_ROWS = 100_000


@dataclass(frozen=True)
class QueryLimits:
    """How long a query may run (seconds) and how many rows or triples it may return."""

    timeout: float = DEFAULT_TIMEOUT
    rows: int = DEFAULT_ROWS
    timeout_hint: str = "--timeout SECONDS"  # how the caller raises the limit, for the message
    rows_hint: str = "--limit ROWS"

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise InvalidInput(f"time limit {self.timeout!r}: expected a number of seconds above 0")
        if self.rows < 1:
            raise InvalidInput(f"row limit {self.rows!r}: expected a whole number of rows, at least 1")

    def too_slow(self) -> LimitExceeded:
        return LimitExceeded(
            f"the query ran longer than the time limit of {self.timeout:g} s and was stopped; "
            f"narrow it (fewer patterns, a VALUES filter) or raise the limit with {self.timeout_hint}"
        )

    def too_many(self) -> LimitExceeded:
        return LimitExceeded(
            f"the query returns more than the row limit of {self.rows:,} rows; add a LIMIT or a "
            f"narrower pattern, or raise the limit with {self.rows_hint}"
        )


def run_query(
    location: str,
    query: str,
    *,
    limits: QueryLimits | None = None,
    prefixes: Mapping[str, str] | None = None,
    fmt: str | None = None,
    graph_fmt: str = "ttl",
    client: Any = None,
) -> tuple[str, Any] | Serialised:
    """Run a user's query against the store at ``location`` within ``limits``.

    Returns what ``Store.query`` returns: ``(kind, result)``, or with ``fmt`` the
    result serialised (see :meth:`graph.store.Store.query`). ``prefixes`` are
    predeclared without changing the query text.
    """
    limits = limits or QueryLimits()
    kind = check_query(query, prefixes)
    if fmt is not None:
        check_result_formats(fmt, graph_fmt)
    if is_remote(location):
        return _run_remote(location, query, kind, limits, prefixes, fmt, graph_fmt, client)
    kind, value, data = _run_in_worker(location, query, limits, prefixes)
    return _shape(kind, value, data, fmt, graph_fmt)


# --------------------------------------------------------------------------- embedded: a worker process


class _TooMany(Exception):
    pass


class _CountingWriter(io.RawIOBase):
    """Collects what is written; raises ``_TooMany`` once more than ``limit`` lines arrived."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.lines += data.count(b"\n")
        self.chunks.append(data)
        if self.lines > self.limit:
            raise _TooMany
        return len(data)


def _worker(conn: Any, location: str, query: str, prefixes: dict[str, str] | None, rows: int) -> None:
    """Child process: run the query and send ('ok', kind, value, data) or ('error', class, message)."""
    from pathlib import Path

    from graph.store.embedded import OxigraphStore

    try:
        store = OxigraphStore(Path(location).expanduser(), read_only=True)
        out = _CountingWriter(rows + 1)  # SELECT results carry a header line
        try:
            kind, value = store.stream_into(query, out, prefixes)
        except _TooMany:
            conn.send(("too-many",))
            return
        finally:
            store.close()
        data = b"".join(out.chunks)
        if kind == "graph" and out.lines > rows:
            conn.send(("too-many",))
            return
        conn.send(("ok", kind, value, data))
    except RegiomatchError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("error", "StoreError", f"query failed: {type(exc).__name__}: {str(exc)[:300]}"))
    finally:
        conn.close()


def _run_in_worker(
    location: str, query: str, limits: QueryLimits, prefixes: Mapping[str, str] | None
) -> tuple[str, Any, bytes]:
    # fork is fast and safe while this process runs no other threads; otherwise
    # (e.g. inside a web server) the worker starts from a clean forkserver
    method = "fork" if threading.active_count() == 1 else "forkserver"
    ctx = multiprocessing.get_context(method)
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_worker, args=(child, location, query, dict(prefixes or {}), limits.rows), daemon=True
    )
    proc.start()
    child.close()
    try:
        if not parent.poll(limits.timeout):
            raise limits.too_slow()
        try:
            msg = parent.recv()
        except EOFError:
            proc.join(1)
            raise StoreError(
                f"the query worker ended without an answer (exit code {proc.exitcode}); "
                "it may have run out of memory — narrow the query"
            ) from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if msg[0] == "too-many":
        raise limits.too_many()
    if msg[0] == "error":
        cls = getattr(errors, msg[1], StoreError)
        raise (cls if isinstance(cls, type) and issubclass(cls, RegiomatchError) else StoreError)(msg[2])
    return msg[1], msg[2], msg[3]


def _shape(kind: str, value: Any, data: bytes, fmt: str | None, graph_fmt: str) -> tuple[str, Any] | Serialised:
    """The worker's TSV / N-Triples turned into rows, a graph, or the requested serialisation."""
    import pyoxigraph as ox

    from graph.store.terms import to_rdflib

    if kind == "ask":
        if fmt is None:
            return "ask", value
        fmt_ = getattr(ox.QueryResultsFormat, fmt.upper())
        body = ox.parse_query_results(b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}",
                                      ox.QueryResultsFormat.JSON).serialize(format=fmt_)
        return Serialised("ask", MEDIA_TYPES[fmt], body)
    if kind == "select":
        res = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
        if fmt is not None:
            return Serialised("select", MEDIA_TYPES[fmt], res.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper())))
        names = [v.value for v in res.variables]
        return "select", [{n: to_rdflib(t) for n in names if (t := sol[n]) is not None} for sol in res]
    if fmt is not None:
        if graph_fmt == "nt":
            return Serialised("graph", MEDIA_TYPES["nt"], data)
        rdf = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}[graph_fmt]
        triples = ox.parse(data, ox.RdfFormat.N_TRIPLES)
        return Serialised("graph", MEDIA_TYPES[graph_fmt], ox.serialize(triples, format=rdf) or b"")
    from rdflib import Graph

    return "graph", Graph().parse(data=data.decode("utf-8"), format="nt")


# --------------------------------------------------------------------------- remote: HTTP timeout


def _run_remote(
    location: str,
    query: str,
    kind: str,
    limits: QueryLimits,
    prefixes: Mapping[str, str] | None,
    fmt: str | None,
    graph_fmt: str,
    client: Any,
) -> tuple[str, Any] | Serialised:
    import httpx

    from graph.store.remote import SparqlStore

    text = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items()) + query
    store = SparqlStore(location, client=client, timeout=limits.timeout)
    try:
        result = store.query(text, fmt=fmt, graph_fmt=graph_fmt) if fmt else store.query(text)
    except StoreError as exc:
        if isinstance(exc.__cause__, httpx.TimeoutException):
            raise limits.too_slow() from None
        raise
    finally:
        store.close()
    if isinstance(result, Serialised):
        return result
    if kind in ("select", "graph") and len(result[1]) > limits.rows:
        raise limits.too_many()
    return result
