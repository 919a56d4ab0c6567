"""``/sparql``: the SPARQL 1.1 Protocol for queries (read-only).

- ``GET /sparql?query=…``, ``POST`` with a form (``query=…``) or with an
  ``application/sparql-query`` body; ``default-graph-uri`` / ``named-graph-uri``
  choose the dataset (within what the caller may read).
- SELECT/ASK answer JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE Turtle, JSON-LD,
  N-Triples or RDF/XML — by the Accept header.
- Updates are refused (403); ``SERVICE`` is refused (422).
- Anonymous queries run over the public named graphs only, with lower limits;
  keys with scope ``analyst`` or ``admin`` reach every graph.
- ``GET /sparql`` without a query returns the service description.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from service.api._http import negotiate
from service.api.auth import Caller
from service.api.deps import RateLimited, StateDep
from service.api.errors import ApiError
from service.api.state import AppState

__all__ = ["router"]

router = APIRouter(prefix="/sparql", tags=["sparql"])

_RESULTS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
_GRAPHS = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
}
_MEDIA_OF = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
             "ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json",
             "nt": "application/n-triples; charset=utf-8", "rdfxml": "application/rdf+xml"}
_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {m: {} for m in [*_RESULTS, *_GRAPHS]},
        "description": "query results (or the service description when no query is given)",
    }
}
GraphUris = Annotated[list[str] | None, Query(max_length=50)]


@router.get("", responses=_DOC, response_class=Response)
async def sparql_get(
    request: Request,
    state: StateDep,
    caller: RateLimited,
    query: Annotated[str | None, Query(max_length=100_000, description="a SPARQL 1.1 query")] = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri", max_length=50)] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri", max_length=50)] = None,
) -> Response:
    """Run a query given in the URL; without one, describe the endpoint."""
    if query is None:
        return _service_description(request, state)
    return await _answer(request, state, caller, query, default_graph_uri or [], named_graph_uri or [])


@router.post(
    "",
    responses=_DOC,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}, "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"},
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
                },
            },
        }
    },
)
async def sparql_post(request: Request, state: StateDep, caller: RateLimited) -> Response:
    """Run a query sent as a form (``query=…``) or as an ``application/sparql-query`` body."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    default = url_params.get("default-graph-uri", [])
    named = url_params.get("named-graph-uri", [])
    if ctype == "application/sparql-update" or (ctype == "application/x-www-form-urlencoded" and b"update=" in raw):
        form = parse_qs(raw.decode("utf-8", errors="replace")) if ctype.endswith("urlencoded") else {}
        if ctype == "application/sparql-update" or "update" in form:
            raise ApiError(403, "read_only", "this SPARQL endpoint is read-only: updates are refused; "
                           "write through the REST API (/centres, /companies, /outcomes) with a key")
    if ctype == "application/sparql-query":
        query = _text(raw)
    elif ctype == "application/x-www-form-urlencoded":
        form = parse_qs(_text(raw), keep_blank_values=True)
        if "query" not in form:
            raise ApiError(400, "bad_request", "the form has no 'query' field")
        query = form["query"][0]
        default += form.get("default-graph-uri", [])
        named += form.get("named-graph-uri", [])
    else:
        raise ApiError(
            415, "unsupported_media_type",
            f"cannot read a {ctype or 'body without Content-Type'}: send application/sparql-query "
            "or application/x-www-form-urlencoded (query=…)",
        )
    return await _answer(request, state, caller, query, default, named)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_request", f"the body is not UTF-8 (byte {exc.start})") from None


def _dataset(state: AppState, caller: Caller, default: list[str], named: list[str]) -> tuple[list[str], list[str]]:
    from graph import iris
    from service.api.dataset import graphs_for
    from service.api.state import is_private_graph

    allowed = graphs_for(state, caller.may_read_private())
    for g in [*default, *named]:
        if g not in allowed and is_private_graph(iris.graph_name(g)):
            raise ApiError(403, "forbidden", f"the graph {g} is private: it needs a key with scope analyst or admin")
    if not default and not named:
        return allowed, allowed
    return default or [], named or []


async def _answer(request: Request, state: AppState, caller: Caller, query: str,
                  default: list[str], named: list[str]) -> Response:
    from graph.store import check_query, query_kind
    from service.api.sparql_exec import QueryLimit, run

    if not query.strip():
        raise ApiError(400, "bad_request", "the query is empty")
    check_query(query)
    kind = query_kind(query)
    offered = _GRAPHS if kind == "graph" else _RESULTS
    media = negotiate(request, list(offered), default=next(iter(offered)))
    fmt = offered[media]
    dflt, nmd = _dataset(state, caller, default, named)
    s = state.settings
    anon = not caller.may_read_private()
    args: dict[str, Any] = {
        "result_format": fmt if kind != "graph" else "json", "graph_format": fmt if kind == "graph" else "ttl",
        "default_graphs": dflt, "named_graphs": nmd, "timeout_s": s.sparql_anon_timeout_s if anon else s.sparql_timeout_s,
        "max_rows": s.sparql_anon_max_rows if anon else s.sparql_max_rows, "anonymous": anon,
    }
    pool = state.sparql_pool()
    try:
        if pool is not None:  # a worker process that is killed at the time limit
            result = await run_in_threadpool(pool.run, query, version=state.version, **args)
        else:
            result = await run_in_threadpool(run, state.store, query, **args)
    except QueryLimit as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    return Response(result.data, media_type=_MEDIA_OF[fmt], headers={"Vary": "Accept", "Cache-Control": "no-store"})


def _service_description(request: Request, state: AppState) -> Response:
    from rdflib import BNode, Graph, Namespace, URIRef
    from rdflib.namespace import RDF

    from service.api._rdf import choose_format, rdf_response
    from service.api.dataset import public_graph_iris
    from service.api.sparql_exec import reformat

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    url = URIRef(str(request.url_for("sparql_get")))
    g = Graph()
    g.add((url, RDF.type, sd.Service))
    g.add((url, sd.endpoint, url))
    g.add((url, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((url, sd.feature, sd.UnionDefaultGraph))
    for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
              "Turtle", "JSON-LD", "N-Triples", "RDF_XML"):
        g.add((url, sd.resultFormat, formats[f]))
    ds = BNode()
    g.add((url, sd.defaultDataset, ds))
    g.add((ds, RDF.type, sd.Dataset))
    dg = BNode()
    g.add((ds, sd.defaultGraph, dg))
    g.add((dg, RDF.type, sd.Graph))
    for name in public_graph_iris(state):
        ng = BNode()
        g.add((ds, sd.namedGraph, ng))
        g.add((ng, RDF.type, sd.NamedGraph))
        g.add((ng, sd.name, URIRef(name)))
    nt = g.serialize(format="nt", encoding="utf-8")
    fmt = choose_format(request, html=False)
    return rdf_response(request, fmt, lambda f: reformat(nt, f), html=False)
