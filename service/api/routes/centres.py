"""``/centres``: facet search with counts, one centre, and centre writes (with a key)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from service.api._http import cached_json
from service.api.deps import KeyDep, StateDep
from service.api.errors import ApiError
from service.api.models import CentreDetail, CentreIn, CentresFacetPage, EngagementDetail, WriteResult

if TYPE_CHECKING:
    from graph.records import Centre, Engagement

__all__ = ["router", "centre_detail"]

router = APIRouter(prefix="/centres", tags=["centres"])

IdPath = Annotated[str, Path(description="centre id", examples=["st-rdz-haldensleben"], max_length=128)]
CentreType = Literal["regional", "edih", "mittelstand-digital", "other"]


def _eng(items: Sequence[Engagement]) -> list[EngagementDetail]:
    from graph import iris

    return [
        EngagementDetail(concept=e.concept, key=iris.key_of(e.concept), label_en=e.label_en, label_de=e.label_de, level=e.level)
        for e in items
    ]


def centre_detail(c: Centre, distance_km: float | None = None) -> CentreDetail:
    data = {k: getattr(c, k) for k in CentreDetail.model_fields if hasattr(c, k)}
    data.update(
        served_ags=list(c.served_ags),
        topics=_eng(c.topics),
        services=_eng(c.services),
        sectors=_eng(c.sectors),
        distance_km=None if distance_km is None else round(distance_km, 1),
    )
    return CentreDetail(**data)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _has(engagements: Sequence[Engagement], wanted: str) -> bool:
    from graph import iris

    w = wanted.strip()
    return any(e.concept == w or iris.key_of(e.concept) == w for e in engagements)


def _serves(c: Centre, ags: str) -> bool:
    located = c.municipality_ags or ""
    return located.startswith(ags) or any(ags.startswith(s) or s.startswith(ags) for s in c.served_ags)


@router.get("", response_model=CentresFacetPage)
def list_centres(
    request: Request,
    state: StateDep,
    topic: Annotated[list[str] | None, Query(description="technology key or IRI (repeat: all of them)")] = None,
    service: Annotated[list[str] | None, Query(description="service key or IRI")] = None,
    sector: Annotated[list[str] | None, Query(description="sector key or IRI")] = None,
    region: Annotated[str | None, Query(description="AGS the centre is located in or serves", max_length=8)] = None,
    type: Annotated[CentreType | None, Query(description="centre type")] = None,  # noqa: A002
    q: Annotated[str | None, Query(description="words in name, title or description", max_length=200)] = None,
    near: Annotated[str | None, Query(description="AGS to measure distances from", max_length=8)] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=2000, description="with near: at most this far")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Centres matching every filter; ``facets`` counts the matches per facet value.

    With ``near`` the centres are sorted by distance (those without a location last).
    """
    from graph import iris
    from graph.errors import InvalidInput, UnknownEntity
    from service.api._text import fold

    found = state.centres()
    for values, attr in ((topic, "topics"), (service, "services"), (sector, "sectors")):
        for v in values or ():
            found = [c for c in found if _has(getattr(c, attr), v)]
    if region:
        key = iris.normalise_ags(region)
        found = [c for c in found if _serves(c, key)]
    if type:
        found = [c for c in found if c.centre_type == type]
    if q and q.strip():
        words = fold(q).split()
        found = [c for c in found if all(w in fold(f"{c.name} {c.title} {c.description}") for w in words)]
    distance: dict[str, float] = {}
    if radius_km is not None and not near:
        raise InvalidInput("radius_km needs near=<AGS>: the region to measure from")
    if near:
        key = iris.normalise_ags(near)
        origin = state.regions_by_ags().get(key)
        if origin is None:
            raise UnknownEntity(f"unknown AGS {key!r} in near: no such region in the store")
        if origin.lat is None or origin.lon is None:
            raise InvalidInput(f"region {key} ({origin.name}) has no coordinates to measure from")
        distance = {c.id: _km(origin.lat, origin.lon, c.lat, c.lon) for c in found if c.lat is not None and c.lon is not None}
        if radius_km is not None:
            found = [c for c in found if distance.get(c.id, math.inf) <= radius_km]
        found = sorted(found, key=lambda c: (distance.get(c.id, math.inf), c.id))
    facets = {
        "type": Counter(c.centre_type for c in found),
        "topic": Counter(iris.key_of(e.concept) for c in found for e in c.topics),
        "service": Counter(iris.key_of(e.concept) for c in found for e in c.services),
        "sector": Counter(iris.key_of(e.concept) for c in found for e in c.sectors),
        "state": Counter(c.state_ags for c in found if c.state_ags),
    }
    body = CentresFacetPage(
        data=[centre_detail(c, distance.get(c.id)) for c in found[offset : offset + limit]],
        count=len(found),
        limit=limit,
        offset=offset,
        facets={k: dict(v.most_common()) for k, v in facets.items()},
    )
    return cached_json(request, body)


@router.get("/{centre_id}", response_model=CentreDetail)
def get_centre(request: Request, state: StateDep, centre_id: IdPath) -> Response:
    """One centre with its location, served regions, topics, services and sectors."""
    from graph import iris
    from graph.errors import UnknownEntity

    iris.centre(centre_id)  # a malformed id is a 422 naming the valid form
    for c in state.centres():
        if c.id == centre_id:
            return cached_json(request, centre_detail(c))
    raise UnknownEntity(f"no centre with id {centre_id!r} in the store")


def _may_edit(caller: KeyDep, centre_id: str) -> None:
    if not caller.may_edit_centre(centre_id):
        raise ApiError(
            403,
            "forbidden",
            f"key {caller.key_id} (scope {caller.scope}) may not edit centre {centre_id!r}: "
            f"that needs scope admin or centre:{centre_id}",
        )


@router.post("/{centre_id}", response_model=WriteResult, status_code=201)
def create_centre(state: StateDep, caller: KeyDep, centre_id: IdPath, body: CentreIn) -> WriteResult:
    """Create a centre (409 if the id exists); validated against the SHACL shapes."""
    from service.api import writes

    _may_edit(caller, centre_id)
    return writes.put_centre(state, caller, centre_id, body, create_only=True)


@router.put("/{centre_id}", response_model=WriteResult)
def replace_centre(state: StateDep, caller: KeyDep, centre_id: IdPath, body: CentreIn) -> WriteResult:
    """Create or replace a centre record (all its triples, in whichever graph they were)."""
    from service.api import writes

    _may_edit(caller, centre_id)
    return writes.put_centre(state, caller, centre_id, body, create_only=False)


@router.delete("/{centre_id}", response_model=WriteResult)
def delete_centre(state: StateDep, caller: KeyDep, centre_id: IdPath) -> WriteResult:
    """Delete a centre and its engagements and grants."""
    from service.api import writes

    _may_edit(caller, centre_id)
    return writes.delete_centre(state, caller, centre_id)
