"""Mounting the web pages on a FastAPI app, and the standalone web app.

``mount_web(app)`` adds the pages, ``/web/suggest``, the static files under
``/static/web`` and a small ASGI layer that lets pages and JSON share URLs:
a GET of ``/``, ``/search``, ``/gaps``, ``/centres/{id}`` or ``/regions/{ags}``
from a client that prefers ``text/html`` (a browser) is served by the page
(internally ``/_web/…``); any other client gets the API's JSON at the same URL.
A form POST to ``/`` (the SME journey) goes to the page as well.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["mount_web", "create_web_app", "wants_html"]

_STATIC = Path(__file__).resolve().parent / "static"
_PAGES = re.compile(r"^/(|search|gaps|centres/[^/]+|regions/[^/]+)$")


def wants_html(accept: str) -> bool:
    """Whether an ``Accept`` header prefers HTML over JSON (browsers do; curl's ``*/*`` does not)."""
    q: dict[str, float] = {}
    for item in accept.split(","):
        kind, _, params = item.strip().partition(";")
        weight = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        q[kind.strip().lower()] = max(weight, q.get(kind.strip().lower(), 0.0))
    html = max(q.get("text/html", 0.0), q.get("application/xhtml+xml", 0.0))
    return html > 0 and html >= q.get("application/json", 0.0)


class _PageRoutes:
    """Route page URLs to ``/_web/…`` for browsers; add ``Vary: Accept`` and ``Server-Timing`` to those answers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _PAGES.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if scope["method"] == "POST":  # the SME form posts to / (a page of pasted text does not fit in a URL)
            form = headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded")
            if scope["path"] == "/" and form:
                scope = dict(scope, path="/_web/", raw_path=b"/_web/")
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        accept = headers.get(b"accept", b"").decode("latin-1")
        if wants_html(accept):
            path = "/_web" + scope["path"]
            scope = dict(scope, path=path, raw_path=path.encode())
        start = time.perf_counter()

        async def send_vary(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                hdrs = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
                took = f"app;dur={(time.perf_counter() - start) * 1000:.1f}".encode()  # for bench/bench_web.py
                message = dict(message, headers=[*hdrs, (b"vary", b"Accept, Accept-Language, Cookie"),
                                                 (b"server-timing", took)])
            await send(message)

        await self.app(scope, receive, send_vary)


def mount_web(app: FastAPI) -> FastAPI:
    """Add the web pages to ``app`` (call once, after or before the API routers)."""
    from service.web import pages_centre, pages_gaps, pages_region, pages_search, pages_sme

    for module in (pages_sme, pages_search, pages_centre, pages_region, pages_gaps):
        app.include_router(module.router)
    app.mount("/static/web", StaticFiles(directory=str(_STATIC)), name="web-static")
    app.add_middleware(_PageRoutes)
    return app


def create_web_app() -> FastAPI:
    """The web pages alone (for development and tests until the API mounts them)."""
    from service.web.data import close_web_data, web_data_for

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        web_data_for(app)  # open the store and fit the matcher before the first request
        yield
        close_web_data(app)

    app = FastAPI(title="regiomatch web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    return mount_web(app)
