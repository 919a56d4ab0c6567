"""``/regions``: states, districts and municipalities, searchable by name (umlauts folded)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from service.api._http import cached_json
from service.api.deps import StateDep
from service.api.models import RegionsPage, RegionSummary
from service.schemas import RegionPublic

__all__ = ["router"]

router = APIRouter(prefix="/regions", tags=["regions"])

AgsPath = Annotated[str, Path(description="AGS: 2 (state), 5 (district) or 8 digits (municipality)", examples=["15083270"])]


@router.get("", response_model=RegionsPage)
def list_regions(
    request: Request,
    state: StateDep,
    level: Annotated[Literal["state", "district", "municipality"] | None, Query()] = None,
    within: Annotated[str | None, Query(description="AGS of a state or district", max_length=8)] = None,
    q: Annotated[str | None, Query(description="part of the name; case and umlauts folded", max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Regions sorted by AGS; with ``q``, names starting with it come first."""
    from graph import iris
    from service.api._text import folds

    regions = state.regions()
    if level:
        regions = [r for r in regions if r.kind == level]
    if within:
        prefix = iris.normalise_ags(within)
        regions = [r for r in regions if r.ags.startswith(prefix) and r.ags != prefix]
    if q and q.strip():
        # "München" is found as muenchen and as munchen: compare both foldings
        needles = folds(q.strip())
        hits = [(folds(r.name), r) for r in regions]
        starts = [r for names, r in hits if any(n.startswith(x) for n, x in zip(names, needles))]
        inside = [r for names, r in hits if any(x in n for n, x in zip(names, needles))]
        seen = {r.ags for r in starts}
        regions = starts + [r for r in inside if r.ags not in seen]
    page = regions[offset : offset + limit]
    body = RegionsPage(
        data=[RegionSummary(**asdict(r)) for r in page], count=len(regions), limit=limit, offset=offset
    )
    return cached_json(request, body)


@router.get("/{ags}", response_model=RegionPublic, response_model_exclude_unset=True)
def get_region(request: Request, state: StateDep, ags: AgsPath) -> Response:
    """One region with its indicators, the regions it is part of, its neighbours and centres.

    The same record as ``regiomatch show AGS``, built from the app's cached regions and
    centres (one query, for the neighbours).
    """
    from graph import iris
    from graph.errors import UnknownEntity
    from graph.namespaces import sparql_prefixes

    key = iris.normalise_ags(ags)
    by_ags = state.regions_by_ags()
    region = by_ags.get(key)
    if region is None:
        raise UnknownEntity(f"no region with AGS {key!r} in the store")
    ancestors = [a for a in (key[:5], key[:2]) if len(a) < len(key) and a in by_ags]
    rec = asdict(region)
    rec["part_of"] = [f"{by_ags[a].name} ({a})" for a in ancestors]
    if region.kind != "municipality":
        rec["parts"] = _part_counts(state).get(key, 0)
    rows = state.store.select_values(sparql_prefixes() + f"""
SELECT ?ags ?name WHERE {{ {iris.region(key).n3()} geo:sfTouches ?n . ?n rm:ags ?ags ; schema:name ?name }} ORDER BY ?ags""")
    rec["neighbours"] = [f"{r['name']} ({r['ags']})" for r in rows]
    centres = state.centres()
    rec["centres_located"] = [f"{c.name} ({c.id})" for c in centres if (c.municipality_ags or "").startswith(key)]
    lineage = {key, *ancestors}
    rec["centres_serving"] = [f"{c.name} ({c.id})" for c in centres if lineage & set(c.served_ags)]
    if region.kind in ("municipality", "district"):
        from graph.indicators import indicator_records

        rec["indicators"] = indicator_records(state.store, key)
    doc = RegionPublic.model_validate({"entity": "region", **rec})
    return cached_json(request, doc, exclude_unset=True)  # as show --json: parts/indicators only where they apply


def _part_counts(state: StateDep) -> dict[str, int]:
    """Number of direct parts of each state (districts) and district (municipalities)."""

    def count() -> dict[str, int]:
        out: dict[str, int] = {}
        for r in state.regions():
            parent = {"district": r.ags[:2], "municipality": r.ags[:5]}.get(r.kind)
            if parent:
                out[parent] = out.get(parent, 0) + 1
        return out

    return state.cached("region_parts", count)
