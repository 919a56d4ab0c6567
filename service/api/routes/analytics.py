"""Network analytics over HTTP: ``/regions/{ags}/peers``, ``/centres/{id}/partners``,
``/gaps`` and ``/gaps/report`` (HTML).

The store is read into ``AnalyticsData`` once per data version (seconds for Germany)
and each estimator is fitted once on it, on first use; the documents are the ones
``regiomatch peers|partners|gaps --json`` print, and the page ``gaps --html`` writes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from service.api._http import cached_json, etag_response
from service.api.deps import StateDep
from service.api.state import AppState
from service.schemas import GapsReport, PartnersResult, PeersResult

__all__ = ["router"]

router = APIRouter(tags=["analytics"])


def _data(state: AppState) -> Any:
    from matching.analytics_data import AnalyticsData

    return state.cached("analytics_data", lambda: AnalyticsData.from_store(state.store))


def _fitted(state: AppState, name: str, build: Any) -> Any:
    return state.cached(f"analytics:{name}", lambda: build().fit(_data(state)))


@router.get("/regions/{ags}/peers", response_model=PeersResult)
def peers(
    request: Request,
    state: StateDep,
    ags: Annotated[str, Path(examples=["15083270"], max_length=8)],
    k: Annotated[int, Query(ge=1, le=1000)] = 10,
    scope: Annotated[Literal["state", "country"], Query()] = "country",
    same_type: Annotated[bool, Query()] = False,
) -> Response:
    """Regions most like this municipality or district, with what makes them alike and differ."""
    from matching.peers import PeerFinder

    finder = _fitted(state, "peers", PeerFinder)
    return cached_json(request, PeersResult.of(finder.peers(ags, k, scope=scope, same_type=same_type)))


@router.get("/centres/{centre_id}/partners", response_model=PartnersResult)
def partners(
    request: Request,
    state: StateDep,
    centre_id: Annotated[str, Path(examples=["st-rdz-haldensleben"], max_length=128)],
    k: Annotated[int, Query(ge=1, le=1000)] = 10,
    mode: Annotated[Literal["similar", "complementary", "regions"], Query()] = "similar",
) -> Response:
    """Centres to team up with (similar, complementary) or districts to reach (regions)."""
    from matching.partners import PartnerFinder

    finder = _fitted(state, "partners", PartnerFinder)
    return cached_json(request, PartnersResult.of(centre_id, mode, finder.partners(centre_id, k, mode)))


def _gaps(state: AppState, region: str | None, topic: str | None) -> tuple[Any, Any, Any, Any]:
    """The fitted analyser, its report for ``region``/``topic``, the fitted network and its summary."""
    from matching.gaps import GapAnalyser, unmet_by_state
    from matching.network import CentreNetwork

    analyser = _fitted(state, "gaps", GapAnalyser)
    if topic is not None:
        analyser.topic_index(topic)
    report = analyser.report(region, topic)
    net = _fitted(state, "network", CentreNetwork)
    return analyser, report, net, net.summary(suggestions=10, unmet=unmet_by_state(analyser))


_RegionQ = Annotated[str | None, Query(max_length=8, description="state, district or municipality AGS",
                                       examples=["15"])]
_TopicQ = Annotated[str | None, Query(max_length=100, description="one technology topic key")]


@router.get("/gaps", response_model=GapsReport)
def gaps(request: Request, state: StateDep, region: _RegionQ = None, topic: _TopicQ = None) -> Response:
    """Coverage, supply against demand per topic (2SFCA) and the centre network: where is it thin?"""
    _, report, _, summary = _gaps(state, region, topic)
    return cached_json(request, GapsReport.of(report, summary))


@router.get("/gaps/report", response_class=Response,
            responses={200: {"content": {"text/html": {}}, "description": "the gap report as one HTML page"}})
def gaps_report(request: Request, state: StateDep, region: _RegionQ = None, topic: _TopicQ = None) -> Response:
    """The gap report as one self-contained HTML page (inline SVG maps, no scripts, no external
    resources): the page ``regiomatch gaps --html FILE`` writes."""
    from service.reports import gaps_report_html

    analyser, report, net, summary = _gaps(state, region, topic)
    page = gaps_report_html(analyser, report, net, summary, topic)
    return etag_response(request, page.encode("utf-8"), "text/html; charset=utf-8")
