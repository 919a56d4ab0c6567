"""The embedded backend: an on-disk Oxigraph database opened in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Graph, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput, StoreError
from graph.store.base import Store
from graph.store.export import check_export_format, reserialise_nquads
from graph.store.safety import check_query
from graph.store.terms import to_rdflib

__all__ = ["OxigraphStore"]

T = TypeVar("T")


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
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a store directory; choose another --store")
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
    def _run(self, query: str, expected: type, what: str, collect: Callable[[Any], T]) -> T:
        """Run ``query`` and ``collect`` its results, turning engine errors into ours.

        Results are evaluated lazily while iterating, so ``collect`` runs inside the
        same error handling as the query itself.
        """
        check_query(query)
        try:
            res = self._store.query(query, use_default_graph_as_union=True)
            if not isinstance(res, expected):
                raise InvalidInput(f"expected {what}")
            return collect(res)
        except SyntaxError as exc:
            raise InvalidInput(f"invalid SPARQL query: {exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise StoreError(f"query failed: {exc}") from exc

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

