"""The remote backend: any SPARQL 1.1 endpoint (query and update protocol)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput, StoreError
from graph.store.base import MEDIA_TYPES, Store
from graph.store.export import check_export_format, reserialise_nquads, serialise_graph
from graph.store.safety import check_query
from graph.store.terms import to_rdflib

if TYPE_CHECKING:
    import httpx

__all__ = ["SparqlStore"]


class SparqlStore(Store):
    """A remote SPARQL 1.1 endpoint: queries at ``url``, updates at ``update_url`` (default ``url``).

    ``client`` is the ``httpx.Client`` to talk through (tests pass one with a mock
    transport); without it the store makes its own and closes it on ``close()``.
    """

    def __init__(
        self,
        url: str,
        update_url: str | None = None,
        *,
        client: httpx.Client | None = None,
        timeout: float = 60.0,
    ) -> None:
        import httpx

        self.location = url
        self._update_url = update_url or url
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)
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

    def _results(self, query: str) -> Any:
        """pyoxigraph's parse of the endpoint's SPARQL JSON results (solutions or a boolean)."""
        import pyoxigraph as ox

        check_query(query)
        resp = self._post(self.location, {"query": query}, MEDIA_TYPES["json"])
        try:
            return ox.parse_query_results(resp.content, ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"the endpoint {self.location} did not answer with SPARQL JSON results "
                f"(Content-Type {resp.headers.get('content-type', '?')!r}); is it a SPARQL endpoint? ({exc})"
            ) from exc

    def select(self, query: str) -> list[dict[str, Node]]:
        import pyoxigraph as ox

        res = self._results(query)
        if not isinstance(res, ox.QuerySolutions):
            raise InvalidInput("expected a SELECT query")
        names = [v.value for v in res.variables]
        return [{n: to_rdflib(t) for n in names if (t := sol[n]) is not None} for sol in res]

    def ask(self, query: str) -> bool:
        import pyoxigraph as ox

        res = self._results(query)
        if not isinstance(res, ox.QueryBoolean):
            raise InvalidInput("expected an ASK query")
        return bool(res)

    def construct(self, query: str) -> Graph:
        check_query(query)
        resp = self._post(self.location, {"query": query}, MEDIA_TYPES["nt"])
        try:
            return Graph().parse(data=resp.text, format="nt")
        except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many types
            raise StoreError(f"the endpoint {self.location} did not answer with N-Triples: {exc}") from exc

    def _serialised(self, query: str, kind: str, fmt: str) -> bytes:
        check_query(query)
        return self._post(self.location, {"query": query}, MEDIA_TYPES[fmt]).content

    def _update(self, update: str) -> None:
        self._post(self._update_url, {"update": update}, "*/*")

    def bulk_load(self, nquads: bytes) -> None:
        """One update per named graph (an endpoint has no bulk loader in the protocol)."""
        ds = Dataset()
        ds.parse(data=nquads, format="nquads")
        for g in ds.graphs():
            if len(g) and isinstance(g.identifier, URIRef):
                self.put_graph(g.identifier, g, replace=False)

    def named_graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(r["g"]) for r in rows if "g" in r)

    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        fmt = check_export_format(fmt)
        if graph is not None:
            g = self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}")
            return serialise_graph(g, fmt)
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        ds = Dataset()
        for r in rows:
            # rdflib turns a graph IRI into its context; its annotation only admits a Graph
            ds.add((r["s"], r["p"], r["o"], r["g"]))  # type: ignore[arg-type]
        return reserialise_nquads(ds.serialize(format="nquads", encoding="utf-8"), fmt, None)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
