"""FastAPI dependencies: the app state, the caller (API key), scopes and the rate limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.api.auth import ANONYMOUS, Caller
from service.api.errors import ApiError
from service.api.state import AppState

__all__ = ["StateDep", "CallerDep", "KeyDep", "get_state", "get_caller", "require_key", "rate_limit", "RateLimited"]


def get_state(request: Request) -> AppState:
    state: AppState | None = getattr(request.app.state, "rm", None)
    if state is None:  # only outside the lifespan, e.g. a misconfigured test client
        raise ApiError(503, "not_ready", "the service is starting or stopping; try again")
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def _token(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return None


def get_caller(request: Request, state: StateDep) -> Caller:
    """The caller of a request: anonymous without a key; 401 for a key that is not valid."""
    token = _token(request)
    if token is None:
        return ANONYMOUS
    caller = state.keys.verify(token)
    if caller is None:
        raise ApiError(
            401,
            "invalid_key",
            "the API key is not valid (unknown, malformed or revoked); ask an admin for a key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_key(caller: CallerDep) -> Caller:
    """The caller, who must have presented a valid key (401 otherwise)."""
    if caller.anonymous:
        raise ApiError(
            401,
            "missing_key",
            "this operation needs an API key in the X-API-Key header (or Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


KeyDep = Annotated[Caller, Depends(require_key)]


def rate_limit(request: Request, state: StateDep, caller: CallerDep) -> Caller:
    """Count the request against the caller's budget; 429 with Retry-After when it is spent."""
    client = f"key:{caller.key_id}" if caller.key_id else f"ip:{request.client.host if request.client else '?'}"
    wait = state.limiter.take(client)
    if wait > 0:
        retry = state.limiter.retry_after(wait)
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: the limit is {state.limiter.per_minute} a minute; retry in {retry} s",
            headers={"Retry-After": retry},
        )
    return caller


RateLimited = Annotated[Caller, Depends(rate_limit)]
