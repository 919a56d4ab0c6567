"""The FastAPI application: ``create_app(settings)`` builds it; nothing runs at import.

The ``lifespan`` opens the store once per process (``AppState.open``) and closes it
at shutdown; the matcher and topic suggester are fitted on first use, or at
start-up when ``warm`` is set (``regiomatch serve`` does). One router per resource
lives in ``service.api.routes``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

if TYPE_CHECKING:
    from service.settings import Settings

__all__ = ["create_app", "app_from_env"]

DESCRIPTION = """
Knowledge graph and matchmaking of SMEs, digitalisation centres and regions.

Reads of regions, centres, topics and the SPARQL endpoint are public; company
records and every write need an API key (`X-API-Key` or `Authorization: Bearer`).
Every error has the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: Settings | None = None, *, warm: bool = False) -> FastAPI:
    """A new app serving the store named by ``settings`` (default: ``REGIOMATCH_*``)."""
    from service.api._http import BodyLimit
    from service.api.errors import install_error_handlers
    from service.api.models import ErrorResponse
    from service.api.routes import ROUTERS
    from service.api.state import AppState
    from service.settings import get_settings

    chosen = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = AppState.open(chosen)
        app.state.rm = state
        if warm:  # fit the models in the background; requests that need them wait for it
            threading.Thread(target=_warm, args=(state,), name="regiomatch-warm", daemon=True).start()
        try:
            yield
        finally:
            app.state.rm = None
            state.close()

    app = FastAPI(
        title="regiomatch",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses={
            "4XX": {"model": ErrorResponse, "description": "an error (see `error.code`)"},
            "5XX": {"model": ErrorResponse, "description": "a server or store problem"},
        },
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=chosen.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    from service.web import mount_web

    mount_web(app)  # the pages for people (issue 10), reading the lifespan's state
    return app


def _warm(state: object) -> None:
    import logging

    from graph.errors import RegiomatchError

    try:
        state.matcher()  # type: ignore[attr-defined]
        state.suggester()  # type: ignore[attr-defined]
    except RegiomatchError as exc:  # reported by /health and by the routes that need the model
        logging.getLogger("regiomatch.api").warning("could not prepare the matcher: %s", exc)


def app_from_env() -> FastAPI:
    """The app uvicorn's workers build (``regiomatch serve``): settings from ``REGIOMATCH_*``."""
    import os

    from service.settings import settings_from_env

    # fresh settings, not the cached ones: ``serve`` sets REGIOMATCH_STORE after reading them
    return create_app(settings_from_env(), warm=os.environ.get("REGIOMATCH_WARM", "0") == "1")
