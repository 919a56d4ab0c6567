"""The remote backend: any SPARQL 1.1 endpoint (query and update protocol, JSON results)."""

from __future__ import annotations

import json
import os
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput, StoreError
from graph.store import Store, check_export_format, check_query, reserialise_nquads, serialise_graph

__all__ = ["SparqlStore"]


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
        check_query(query)
        resp = self._post(self.location, {"query": query}, "application/sparql-results+json")
        try:
            doc = json.loads(resp.content)
        except ValueError as exc:
            raise StoreError(
                f"the endpoint {self.location} did not answer with SPARQL JSON results "
                f"(Content-Type {resp.headers.get('content-type', '?')!r}); is it a SPARQL endpoint?"
            ) from exc
        if not isinstance(doc, dict):
            raise StoreError(f"the endpoint {self.location} answered JSON that is not a SPARQL result")
        return doc

    def select(self, query: str) -> list[dict[str, Node]]:
        doc = self._json(query)
        return [
            {k: _term(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])
        ]

    def ask(self, query: str) -> bool:
        return bool(self._json(query).get("boolean"))

    def construct(self, query: str) -> Graph:
        check_query(query)
        resp = self._post(self.location, {"query": query}, "application/n-triples")
        try:
            return Graph().parse(data=resp.text, format="nt")
        except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many types
            raise StoreError(f"the endpoint {self.location} did not answer with N-Triples: {exc}") from exc

    def update(self, update: str) -> None:
        check_query(update)
        self._post(self._update_url, {"update": update}, "*/*")

    def named_graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(r["g"]) for r in rows if "g" in r)

    def export(self, fmt: str, graph: URIRef | None = None) -> bytes:
        fmt = check_export_format(fmt)
        if graph is not None:
            g = self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}")
            return serialise_graph(g, fmt)
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        from rdflib import Dataset

        ds = Dataset()
        for r in rows:
            # rdflib turns a graph IRI into its context; its annotation only admits a Graph
            ds.add((r["s"], r["p"], r["o"], r["g"]))  # type: ignore[arg-type]
        return reserialise_nquads(ds.serialize(format="nquads", encoding="utf-8"), fmt, None)

    def close(self) -> None:
        self._client.close()


def _term(v: dict[str, str]) -> Node:
    """An rdflib term from a SPARQL JSON results binding."""
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
