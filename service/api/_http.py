"""HTTP helpers shared by the routes: cached JSON, content negotiation, body limit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import ApiError, error_body

__all__ = ["cached_json", "negotiate", "BodyLimit", "etag_response"]

READ_CACHE = "public, max-age=60"


def etag_response(request: Request, body: bytes, media_type: str, cache: str = READ_CACHE,
                  headers: dict[str, str] | None = None) -> Response:
    """``body`` with a strong ETag (its hash) and Cache-Control; 304 when the client has it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    hdrs = {"ETag": etag, "Cache-Control": cache, **(headers or {})}
    inm = request.headers.get("if-none-match", "")
    if etag in [t.strip().removeprefix("W/") for t in inm.split(",")] or inm.strip() == "*":
        return Response(status_code=304, headers=hdrs)
    return Response(body, media_type=media_type, headers=hdrs)


def cached_json(request: Request, model: BaseModel | Any, cache: str = READ_CACHE, *, exclude_unset: bool = False) -> Response:
    """A read-only JSON resource with ETag/Cache-Control (and 304 on If-None-Match)."""
    data = model.model_dump(mode="json", exclude_unset=exclude_unset) if isinstance(model, BaseModel) else model
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return etag_response(request, body, "application/json", cache)


def _accept(header: str) -> list[tuple[str, float, int]]:
    out = []
    for i, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q, i))
    return out


def negotiate(request: Request, offered: Sequence[str], default: str | None = None) -> str:
    """The offered media type the request's Accept header prefers; 406 naming the choices.

    No Accept header (or ``*/*`` alone) gives ``default`` (the first offer if None).
    Exact types beat ``type/*`` which beats ``*/*``; ties go to the order of ``offered``.
    """
    header = request.headers.get("accept", "").strip()
    if not header:
        return default or offered[0]
    best: tuple[float, int, int, str] | None = None
    for rank, media in enumerate(offered):
        for pattern, q, _ in _accept(header):
            if q <= 0:
                continue
            if pattern == media:
                spec = 2
            elif pattern.endswith("/*") and media.startswith(pattern[:-1]):
                spec = 1
            elif pattern == "*/*":
                spec = 0
            else:
                continue
            if spec == 0 and default is not None:
                cand = (q, spec, -offered.index(default), default)
            else:
                cand = (q, spec, -rank, media)
            if best is None or cand[:3] > best[:3]:
                best = cand
    if best is None:
        raise ApiError(
            406,
            "not_acceptable",
            f"cannot answer with {header[:100]!r}: this resource is available as {', '.join(offered)}",
            details={"available": list(offered)},
        )
    return best[3]


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            error_body("body_too_large", f"the request body is larger than the limit of {self.limit:,} bytes")
        ).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(StarletteHTTPException):
    """Raised while reading a body over the limit; an HTTPException so FastAPI passes it on."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit:,} bytes")
