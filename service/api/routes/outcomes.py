"""``POST /outcomes``: record how a referral went (what ``regiomatch train`` learns from)."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import KeyDep, StateDep
from service.api.errors import ApiError
from service.api.models import OutcomeIn, WriteResult

__all__ = ["router"]

router = APIRouter(prefix="/outcomes", tags=["outcomes"])


@router.post("", response_model=WriteResult, status_code=201)
def record_outcome(state: StateDep, caller: KeyDep, body: OutcomeIn) -> WriteResult:
    """Record whether a company accepted a referral to a centre, or how it rated it (0–1).

    Allowed for scopes admin and analyst, and for ``centre:<id>`` about its own centre.
    """
    from service.api import writes

    if not (caller.scope in ("admin", "analyst") or caller.scope == f"centre:{body.centre}"):
        raise ApiError(
            403, "forbidden",
            f"key {caller.key_id} (scope {caller.scope}) may not record outcomes for centre {body.centre!r}",
        )
    return writes.record_outcome(state, caller, body)
