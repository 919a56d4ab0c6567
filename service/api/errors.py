"""One error shape for the whole API; domain errors get their status from ``service.errors``.

Every error response is ``{"error": {"code", "message", "details"}}``. The statuses of
domain errors come from the one table in ``service.errors`` (shared with the CLI's
exit codes); this module adds the codes and the HTTP-level errors:

=========================  ======  ========================================
raised                     status  code
=========================  ======  ========================================
``ValidationFailed``       422     ``shacl_violation`` (details: node, property, message, value)
``InvalidInput`` & kids    422     ``invalid_input``
``UnreadableInput``        400     ``unreadable_input``
``UnknownEntity``          404     ``not_found``
``StoreError``             503     ``store_unavailable``
``NotFitted``              503     ``not_ready``
``ApiError``               any     its own (401, 403, 406, 413, 429 ...)
FastAPI request validation 422     ``invalid_request`` (details: location, message)
Starlette HTTP errors      4xx     ``not_found``, ``method_not_allowed`` ...
anything else              500     ``internal`` (logged; no traceback in the body)
=========================  ======  ========================================
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["ApiError", "install_error_handlers", "error_body", "domain_status"]

log = logging.getLogger("regiomatch.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
}


class ApiError(Exception):
    """An HTTP-level refusal (auth, content negotiation, limits) raised by the service layer."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or {}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"error": {"code": code, "message": message, "details": details}}


def domain_status(exc: Exception) -> tuple[int, str, Any]:
    """(status, code, details) for a domain error; the status from ``service.errors``' table."""
    from graph.errors import RegiomatchError, ValidationFailed
    from service.errors import http_status

    if not isinstance(exc, RegiomatchError):
        return 500, "internal", None
    status = http_status(exc)
    if isinstance(exc, ValidationFailed):
        details = [
            {"node": v.focus, "property": v.path, "message": v.message, "value": v.value}
            for v in exc.violations
        ]
        return status, "shacl_violation", details
    return status, getattr(exc, "code", None) or _DOMAIN_CODES.get(status, "internal"), None


_DOMAIN_CODES = {400: "unreadable_input", 404: "not_found", 422: "invalid_input", 503: "store_unavailable"}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    from graph.errors import RegiomatchError

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, error_body(exc.code, exc.message, exc.details), exc.headers)

    @app.exception_handler(RegiomatchError)
    async def _domain(_: Request, exc: RegiomatchError) -> JSONResponse:
        status, code, details = domain_status(exc)
        message = str(exc).split("\n", 1)[0] if details else str(exc)
        return _json(status, error_body(code, message, details))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
            for e in exc.errors()
        ]
        first = details[0] if details else {"location": "", "message": "invalid request"}
        message = f"invalid request: {first['location']}: {first['message']}"
        return _json(422, error_body("invalid_request", message, details))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        message = str(exc.detail) if exc.detail else code.replace("_", " ")
        return _json(exc.status_code, error_body(code, message), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _json(500, error_body("internal", f"internal error ({type(exc).__name__}); see the server log"))
