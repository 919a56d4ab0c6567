"""``/companies/{id}``: private company records — read with scope analyst or admin, written by admin."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path

from service.api.auth import Caller
from service.api.deps import KeyDep, StateDep
from service.api.errors import ApiError
from service.api.models import CompanyIn, WriteResult
from service.schemas import CompanyPublic

__all__ = ["router"]

router = APIRouter(prefix="/companies", tags=["companies"])

IdPath = Annotated[str, Path(description="company id", examples=["sme-000001"], max_length=128)]


def _need(caller: Caller, allowed: tuple[str, ...], what: str) -> None:
    if caller.scope not in allowed:
        raise ApiError(
            403, "forbidden",
            f"key {caller.key_id} (scope {caller.scope}) may not {what}: that needs scope {' or '.join(allowed)}",
        )


@router.get("/{company_id}", response_model=CompanyPublic)
def get_company(state: StateDep, caller: KeyDep, company_id: IdPath) -> CompanyPublic:
    """A company record (private: needs scope analyst or admin)."""
    from graph import views

    _need(caller, ("analyst", "admin"), "read company records")
    rec = asdict(views.company(state.store, company_id))
    rec["needs"] = list(rec["needs"])
    return CompanyPublic(**rec)  # what show --json prints for the company


@router.post("/{company_id}", response_model=WriteResult, status_code=201)
def create_company(state: StateDep, caller: KeyDep, company_id: IdPath, body: CompanyIn) -> WriteResult:
    """Create a company record (409 if the id exists); validated against the SHACL shapes."""
    from service.api import writes

    _need(caller, ("admin",), "write company records")
    return writes.put_company(state, caller, company_id, body, create_only=True)


@router.put("/{company_id}", response_model=WriteResult)
def replace_company(state: StateDep, caller: KeyDep, company_id: IdPath, body: CompanyIn) -> WriteResult:
    """Create or replace a company record."""
    from service.api import writes

    _need(caller, ("admin",), "write company records")
    return writes.put_company(state, caller, company_id, body, create_only=False)


@router.delete("/{company_id}", response_model=WriteResult)
def delete_company(state: StateDep, caller: KeyDep, company_id: IdPath) -> WriteResult:
    """Erase a company: every triple about it in every graph (the right to erasure)."""
    from service.api import writes

    _need(caller, ("admin",), "erase company records")
    return writes.delete_company(state, caller, company_id)
