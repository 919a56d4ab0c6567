"""The embedded backend: an on-disk Oxigraph database opened in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Graph, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput, StoreBusy, StoreError
from graph.store.base import Store
from graph.store.export import check_export_format, reserialise_nquads
from graph.store.lock import writer_lock
from graph.store.safety import check_iri, check_query, check_terms, syntax_error_message
from graph.store.terms import to_rdflib

__all__ = ["OxigraphStore", "require_store"]

T = TypeVar("T")


class OxigraphStore(Store):
    """An on-disk Oxigraph database opened in this process.

    Only one process may open a directory for writing; readers may use
    ``read_only=True`` beside a running writer.
    """

    _store: Any  # a pyoxigraph.Store while open, None once closed

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        create: bool = True,
        lock: bool = True,
        lock_wait: float | None = None,
    ) -> None:
        """Open (or with ``create`` make) the store at ``path``.

        A writable store holds the writer lock (:mod:`graph.store.lock`) until
        ``close()``; ``lock=False`` is for a directory the caller already guards.
        """
        import pyoxigraph as ox

        self._ox = ox
        self._store = None
        self._lock = ExitStack()
        self.location = str(path)
        self.read_only = read_only
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a store directory; choose another --store")
        if read_only or not create:
            require_store(path)
        try:
            if not read_only and lock:
                self._lock.enter_context(writer_lock(path, wait=lock_wait))
            if read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = _open_writable(ox, path)
        except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
            self._lock.close()
            raise _open_error(path, exc) from exc
        except BaseException:
            self._lock.close()
            raise

    # -- reads
    def _run(
        self,
        query: str,
        expected: type | tuple[type, ...],
        what: str,
        collect: Callable[[Any], T],
        prefixes: Mapping[str, str] | None = None,
    ) -> T:
        """Run ``query`` and ``collect`` its results, turning engine errors into ours.

        Results are evaluated lazily while iterating, so ``collect`` runs inside the
        same error handling as the query itself. ``prefixes`` are predeclared
        without touching the query text, so syntax errors point into it.
        """
        check_query(query, prefixes)
        res = None
        try:
            res = self._store.query(query, prefixes=dict(prefixes or {}), use_default_graph_as_union=True)
            if not isinstance(res, expected):
                raise InvalidInput(f"expected {what}")
            return collect(res)
        except SyntaxError as exc:
            raise InvalidInput(syntax_error_message(str(exc), query, prefixes)) from exc
        except (OSError, ValueError, RuntimeError) as exc:
            _drop_frames(exc)
            if "corrupt" in str(exc).lower():
                raise _damaged(Path(self.location), exc) from exc
            raise StoreError(f"query failed: {str(exc)[:500]}") from exc
        except BaseException as exc:
            _drop_frames(exc)
            raise
        finally:
            del res  # see _drop_frames

    def stream_into(self, query: str, output: Any, prefixes: Mapping[str, str] | None = None) -> tuple[str, Any]:
        """Run any query, writing SELECT rows as SPARQL TSV and graphs as N-Triples to ``output``.

        Returns ``(kind, value)``: the boolean for ASK, else None. One row or triple
        is one line, so ``output`` can count (and stop) them as they come.
        """
        ox = self._ox

        def write(res: Any) -> tuple[str, Any]:
            if isinstance(res, ox.QueryBoolean):
                return "ask", bool(res)
            if isinstance(res, ox.QuerySolutions):
                res.serialize(output, ox.QueryResultsFormat.TSV)
                return "select", None
            res.serialize(output, ox.RdfFormat.N_TRIPLES)
            return "graph", None

        kinds = (ox.QueryBoolean, ox.QuerySolutions, ox.QueryTriples)
        return self._run(query, kinds, "a query", write, prefixes)

    def select(self, query: str) -> list[dict[str, Node]]:
        def collect(res: Any) -> list[dict[str, Node]]:
            names = [v.value for v in res.variables]
            return [
                {n: to_rdflib(t) for n in names if (t := sol[n]) is not None} for sol in res
            ]

        return self._run(query, self._ox.QuerySolutions, "a SELECT query", collect)

    def select_values(self, query: str) -> list[dict[str, str]]:
        def collect(res: Any) -> list[dict[str, str]]:
            names = [v.value for v in res.variables]
            return [{n: t.value for n in names if (t := sol[n]) is not None} for sol in res]

        return self._run(query, self._ox.QuerySolutions, "a SELECT query", collect)

    def ask(self, query: str) -> bool:
        return self._run(query, self._ox.QueryBoolean, "an ASK query", bool)

    def construct(self, query: str) -> Graph:
        def collect(res: Iterable[Any]) -> Graph:
            g = Graph()
            for t in res:
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            return g

        return self._run(query, self._ox.QueryTriples, "a CONSTRUCT or DESCRIBE query", collect)

    def query_dataset(self, query: str, *, default_graphs: Iterable[str], named_graphs: Iterable[str]) -> Any:
        """Evaluate ``query`` over a dataset the caller fixes: the default graph is the
        union of ``default_graphs``, ``GRAPH`` ranges over ``named_graphs`` only, and both
        override any ``FROM``/``FROM NAMED`` in the query (so a query cannot reach a graph
        not listed). ``SERVICE`` is refused.

        Returns pyoxigraph's lazy result (``QueryBoolean``, ``QuerySolutions`` or
        ``QueryTriples``), evaluated while it is iterated (errors may surface then, as
        ``OSError``/``RuntimeError``); iterate and drop it on the calling thread.
        """
        ox = self._ox
        check_query(query)
        if self._store is None:
            raise StoreError(f"the store at {self.location} is closed")
        try:
            return self._store.query(query, default_graph=_nodes(ox, default_graphs), named_graphs=_nodes(ox, named_graphs))
        except SyntaxError as exc:
            raise InvalidInput(f"invalid SPARQL query: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"query failed: {str(exc)[:500]}") from exc

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if hasattr(g, "value"))

    def _serialised(self, query: str, kind: str, fmt: str) -> bytes:
        ox = self._ox
        if kind == "graph":
            rdf = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
            return self._run(query, ox.QueryTriples, "a CONSTRUCT or DESCRIBE query", lambda r: r.serialize(format=rdf))
        res_fmt = getattr(ox.QueryResultsFormat, fmt.upper())
        expected = ox.QueryBoolean if kind == "ask" else ox.QuerySolutions
        return self._run(query, expected, f"an {kind.upper()} query", lambda r: r.serialize(format=res_fmt))

    # -- writes
    def _update(self, update: str) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only")
        try:
            self._store.update(update)
        except SyntaxError as exc:
            raise InvalidInput(f"invalid SPARQL update: {exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise StoreError(f"update failed, nothing was written: {exc}") from exc
        self._store.flush()

    def add_trusted(
        self,
        name: URIRef,
        triples: Iterable[Any],
        *,
        provenance: Graph | None = None,
        provenance_graph: URIRef | None = None,
    ) -> int:
        """The triples stream into one pyoxigraph transaction (``Store.extend``, far less
        memory than the same triples as a SPARQL update; nothing is written if reading
        fails), then the provenance record is replaced in one small update."""
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only")
        ox = self._ox
        g = ox.NamedNode(str(name))
        count = 0

        def quads() -> Iterator[Any]:
            nonlocal count
            for t in triples:
                count += 1
                yield ox.Quad(t.subject, t.predicate, t.object, g)

        try:
            self._store.extend(quads())
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"load failed, nothing was written: {str(exc)[:300]}") from exc
        if provenance is not None and provenance_graph is not None:
            # the graph's record is replaced once its data has landed (one small update)
            check_terms(provenance)
            pg, gi = check_iri(provenance_graph), check_iri(name)
            ntriples = provenance.serialize(format="nt", encoding="utf-8").decode("utf-8")
            self._update(
                f"DELETE WHERE {{ GRAPH {pg} {{ {gi} ?p ?o }} }} ;\nINSERT DATA {{ GRAPH {pg} {{\n{ntriples}\n}} }}"
            )
        self._store.flush()
        return count

    def bulk_load(self, nquads: bytes) -> None:
        """Fast, non-transactional load for building a fresh store (``init``)."""
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only")
        try:
            self._store.bulk_load(nquads, format=self._ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise InvalidInput(f"invalid N-Quads: {exc}") from exc
        self._store.flush()

    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        fmt = check_export_format(fmt)
        if fmt == "jsonld":
            # rdflib writes compact, readable JSON-LD with our prefixes
            return reserialise_nquads(self.export("nq", graph), fmt, graph)
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
        elif fmt in ("nq", "trig"):
            out = self._store.dump(format=ox_fmt, prefixes=prefixes)
        else:
            # a triple format of the whole dataset: the union of all graphs
            return reserialise_nquads(self.export("nq"), fmt, None)
        return out or b""

    def close(self) -> None:
        if self._store is not None and not self.read_only:
            try:
                self._store.flush()
            except OSError:
                pass
        self._store = None  # releases the RocksDB lock once collected
        self._lock.close()


def _drop_frames(exc: BaseException) -> None:
    """Clear the locals of the finished frames in ``exc``'s traceback.

    pyoxigraph's query results may only be freed on the thread that made them. An
    exception carried to another thread (the API's event loop, say) would otherwise
    keep them alive in its frames, and freeing them there raises inside whatever code
    the garbage collector interrupts.
    """
    import traceback

    traceback.clear_frames(exc.__traceback__)


def _open_writable(ox: Any, path: Path) -> Any:
    """``pyoxigraph.Store(path)``; retried once after a garbage collection on a lock error.

    pyoxigraph has no ``close``: RocksDB's lock goes when the last reference to the
    Python object is collected. A store this process closed moments ago can still be
    held by a reference cycle (a traceback, say); we hold the writer lock, so such a
    lock can only be our own leftover, and one collection frees it.
    """
    try:
        return ox.Store(str(path))
    except (OSError, RuntimeError) as exc:
        if "lock" not in str(exc).lower():
            raise
        import gc

        gc.collect()
        return ox.Store(str(path))


def _nodes(ox: Any, iris: Iterable[str]) -> list[Any]:
    """pyoxigraph named nodes for ``iris``; ``InvalidInput`` naming the first malformed one."""
    return [ox.NamedNode(check_iri(iri)[1:-1]) for iri in iris]


def require_store(path: Path) -> None:
    """``StoreError`` unless ``path`` holds a database (says to run init, or that it is something else)."""
    if (path / "CURRENT").is_file():
        return
    if path.is_dir() and any(path.iterdir()):
        raise StoreError(
            f"{path} is not a regiomatch store (it holds other files); "
            "choose another --store, or run 'regiomatch init --store DIR' on an empty directory"
        )
    raise StoreError(
        f"no store at {path}: run 'regiomatch init' first "
        "(or set REGIOMATCH_STORE / --store to an existing store)"
    )


def _open_error(path: Path, exc: Exception) -> StoreError:
    """One line for what RocksDB says when it cannot open ``path``."""
    msg = str(exc)
    if "lock" in msg.lower():
        return StoreBusy(
            f"the store {path} is busy (another process has it open for writing); "
            "try again when it has finished"
        )
    low = msg.lower()
    if any(w in low for w in ("corrupt", "version", "invalid argument", "manifest", ".sst")):
        return _damaged(path, exc)
    return StoreError(f"cannot open the store at {path}: {msg.splitlines()[0][:300] if msg else exc}")



def _damaged(path: Path, exc: Exception) -> StoreError:
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    return StoreError(
        f"the store {path} is damaged or was written by an incompatible version ({first[:160]}); "
        "rebuild it with 'regiomatch init' (and 'regiomatch load' your imports again)"
    )
