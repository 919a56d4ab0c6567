"""``/match``: rank centres for a need; ``/match/batch`` streams JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from service.api.deps import RateLimited, StateDep
from service.api.models import MatchBody
from service.schemas import MatchResult

if TYPE_CHECKING:
    from matching.query import MatchQuery
    from matching.ranker import CentreMatcher

__all__ = ["router", "match_document"]

router = APIRouter(prefix="/match", tags=["match"])
_CHUNK = 64


def match_document(m: CentreMatcher, query: MatchQuery, k: int) -> MatchResult:
    """What ``regiomatch match --json`` prints: the query, the weights, the ranked matches."""
    from service.schemas import MatchPublic, MatchRequest

    results = m.match(query, k=k)
    return MatchResult(query=MatchRequest.of(query), weights=m.weights_, matches=[MatchPublic.of(r) for r in results])


@router.post("", response_model=MatchResult)
def match(state: StateDep, _: RateLimited, body: MatchBody) -> MatchResult:
    """The ``k`` best centres for a need, each with its score and the reasons for it."""
    from matching.query import MatchQuery

    query = MatchQuery(
        text=body.text, municipality=body.municipality, sector=body.sector, topics=tuple(body.topics), id=body.id
    )
    return match_document(state.matcher(), query, body.k)


@router.post(
    "/batch",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "one JSON line per input line"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {
                    "schema": {"type": "string"},
                    "example": '{"id": "a", "text": "IT-Sicherheit", "municipality": "15083270"}\n{"text": ""}\n',
                }
            },
        }
    },
)
async def match_batch(
    request: Request,
    state: StateDep,
    _: RateLimited,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> StreamingResponse:
    """JSON lines in (``text``, ``municipality``, ``sector``, ``topics``, ``id``), JSON lines out.

    Each non-blank input line gives one output line: ``{"line", "id", "matches"}`` or
    ``{"line", "id", "error"}`` — a bad line never stops the batch.
    """
    raw = await request.body()
    lines = [(n, line) for n, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1) if line.strip()]
    return StreamingResponse(_batch(state, lines, k), media_type="application/x-ndjson")


def _batch(state: Any, lines: list[tuple[int, str]], k: int) -> Iterator[bytes]:
    from graph.errors import InvalidInput, RegiomatchError
    from matching.query import MatchQuery
    from service.schemas import BatchMatchLine, MatchPublic

    m = state.matcher() if lines else None
    for start in range(0, len(lines), _CHUNK):
        parsed: list[tuple[int, Any]] = []
        for n, line in lines[start : start + _CHUNK]:
            try:
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    raise InvalidInput(f"not valid JSON: {exc}") from None
                parsed.append((n, MatchQuery.from_dict(data)))
            except RegiomatchError as exc:
                parsed.append((n, exc))
        queries = [q for _, q in parsed if isinstance(q, MatchQuery)]
        results = iter(m.match_many(queries, k, return_errors=True) if queries and m else [])
        for n, q in parsed:
            res = next(results) if isinstance(q, MatchQuery) else q
            ident = q.id if isinstance(q, MatchQuery) else None
            if isinstance(res, Exception):
                out: dict[str, Any] = {"line": n, "id": ident, "error": str(res)}
            else:
                out = BatchMatchLine(line=n, id=ident, matches=[MatchPublic.of(r) for r in res]).model_dump(mode="json")
            yield (json.dumps(out, ensure_ascii=False) + "\n").encode("utf-8")
