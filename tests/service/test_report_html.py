"""The HTML gap report and the analytics' JSON documents, from hand-made results (no store)."""

from __future__ import annotations

import re
import xml.dom.minidom
from html import escape
from pathlib import Path

from matching.gaps import GapAnalyser  # noqa: E402
from matching.network import CentreNetwork  # noqa: E402
from matching.partners import PartnerFinder  # noqa: E402
from matching.peers import PeerFinder  # noqa: E402
from service.report_html import ATTRIBUTION, SCORE_CLASSES, render_gap_report  # noqa: E402
from service.schemas import GapsReport, PartnersResult, PeersResult  # noqa: E402
from tests.matching.analytics_toy import toy_data_world  # noqa: E402


def _square(ags: str, name: str, lon: float, lat: float) -> dict:
    ring = [[lon, lat], [lon + 0.4, lat], [lon + 0.4, lat + 0.3], [lon, lat + 0.3], [lon, lat]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"ags": ags, "name": name, "bez": "Kreis"}}


def _page() -> tuple[str, dict[str, float]]:
    data = toy_data_world()
    g = GapAnalyser().fit(data)
    net = CentreNetwork().fit(data)
    layer = {"type": "FeatureCollection", "features": [
        _square("01001", "District A", 10.0, 54.0), _square("01002", "District B", 10.4, 54.0),
        _square("01003", "District C", 12.0, 53.0), _square("02000", "District D", 10.0, 53.5)]}
    scores = g.scores("district")
    page = render_gap_report(
        g.report(), net.summary(), district_layer=layer, municipality_layer=layer, district_scores=scores,
        municipality_scores={}, centres=[(c.name, c.lat, c.lon) for c in data.centres],
        network_nodes={c.id: (c.name, 0.5, 0.5, 0) for c in data.centres}, network_edges=[],
    )
    return page, scores


def test_page_is_self_contained_with_maps_legend_and_sources():
    page, scores = _page()
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 4  # two maps, the bar chart, the network
    for s in svgs:
        xml.dom.minidom.parseString(s)  # well-formed
    assert "<script" not in page and "<link" not in page and "src=" not in page
    assert all(escape(a) in page for a in ATTRIBUTION)
    assert "not road travel times" in page
    # District C has no centre within 50 km: it is drawn in the lowest class's colour
    assert scores["01003"] < SCORE_CLASSES[0][0]
    red = SCORE_CLASSES[0][1]
    assert re.search(f'fill="{red}"[^>]*><title>District C \\(01003\\)', page)


def test_json_documents_validate_against_their_models():
    data = toy_data_world()
    peers = PeersResult.of(PeerFinder().fit(data).peers("01001000", 2))
    assert PeersResult.model_validate(peers.model_dump(mode="json")) == peers
    found = PartnerFinder().fit(data).partners("c-a", 2, "regions")
    doc = PartnersResult.of("c-a", "regions", found).model_dump(mode="json")
    assert PartnersResult.model_validate(doc).suggestions[0].ags == "01001"
    g = GapAnalyser().fit(data)
    gaps = GapsReport.of(g.report(), CentreNetwork().fit(data).summary())
    assert GapsReport.model_validate(gaps.model_dump(mode="json")).districts_without_centre[0].ags == "01003"


def test_attribution_lines_are_the_readmes():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Attribution", 1)[1]
    for line in ATTRIBUTION[:-1]:
        assert f"- {line}" in section


def test_no_empty_table_under_a_the_largest_heading():
    page, _ = _page()
    # the toy world has no high-density low-broadband municipality: the sentence stands alone
    assert "0 municipalities combine a high SME density with low broadband" in page
    for m in re.finditer(r"the largest:</p>(<table>.*?</table>)", page, re.S):
        assert "<tbody><tr>" in m.group(1), m.group(0)[:200]
    assert "<tbody></tbody>" not in page.split("<h2>Supply and demand")[0]
