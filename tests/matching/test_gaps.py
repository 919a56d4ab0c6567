"""Gaps: 2SFCA against hand computation, coverage against haversine by hand, the network."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from graph.errors import InvalidInput, UnknownEntity
from matching.fca import decay_weights, two_step_fca
from matching.gaps import GapAnalyser, check_radii
from matching.network import CentreNetwork
from tests.matching.analytics_toy import AI, CYBER, centre, eng

# ---------------------------------------------------------------- 2SFCA by hand
# 3 supply sites, 4 demand locations, catchment 10 km.
S = [10.0, 20.0, 30.0]
D = [100.0, 200.0, 300.0, 400.0]


def test_classic_2sfca_matches_the_hand_computation():
    # distances (km), demand i x site j; "<= 10" marks what is in the catchment:
    #        s1   s2   s3
    # d1      5   15   30     -> reaches s1
    # d2      8    6   20     -> reaches s1, s2
    # d3     20    9    4     -> reaches s2, s3
    # d4     30   25    7     -> reaches s3
    dist = np.array([[5, 15, 30], [8, 6, 20], [20, 9, 4], [30, 25, 7]], dtype=float)
    # step 1: R1 = 10 / (100 + 200) = 1/30;  R2 = 20 / (200 + 300) = 1/25;  R3 = 30 / (300 + 400) = 3/70
    # step 2: A1 = R1 = 0.033333;  A2 = R1 + R2 = 0.073333;  A3 = R2 + R3 = 0.082857;  A4 = R3 = 0.042857
    acc, ratio = two_step_fca(S, D, dist, 10.0, decay="none")
    assert ratio == pytest.approx([1 / 30, 1 / 25, 3 / 70])
    assert acc == pytest.approx([1 / 30, 1 / 30 + 1 / 25, 1 / 25 + 3 / 70, 3 / 70])
    # all supply is within reach of some demand, so demand-weighted access adds up to it
    assert float(np.dot(D, acc)) == pytest.approx(sum(S))


def test_gaussian_2sfca_matches_the_hand_computation():
    # G(d) = (exp(-d^2 / (2 * 10^2)) - exp(-0.5)) / (1 - exp(-0.5)): G(0) = 1, G(10) = 0,
    # G(5) = (0.882497 - 0.606531) / 0.393469 = 0.701366 =: g
    dist = np.array([[0, 15, 30], [5, 5, 20], [20, 0, 5], [30, 25, 0]], dtype=float)
    g = 0.701366
    assert decay_weights(np.array([0.0, 5.0, 10.0, 11.0]), 10.0) == pytest.approx([1, g, 0, 0], abs=1e-6)
    # step 1: R1 = 10 / (100 + 200 g) = 10 / 240.2732 = 0.041619
    #         R2 = 20 / (200 g + 300) = 20 / 440.2732 = 0.045426
    #         R3 = 30 / (300 g + 400) = 30 / 610.4098 = 0.049147
    # step 2: A1 = R1 = 0.041619;  A2 = g (R1 + R2) = 0.061050;  A3 = R2 + g R3 = 0.079896;  A4 = R3 = 0.049147
    acc, ratio = two_step_fca(S, D, dist, 10.0)
    assert ratio == pytest.approx([0.041619, 0.045426, 0.049147], rel=1e-4)
    assert acc == pytest.approx([0.041619, 0.061050, 0.079896, 0.049147], rel=1e-4)


def test_supply_out_of_reach_of_all_demand_has_ratio_zero():
    acc, ratio = two_step_fca([5.0], [10.0, 10.0], np.array([[50.0], [60.0]]), 10.0)
    assert ratio.tolist() == [0.0] and acc.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("bad", [0, -5, "x", [], [25, 0]])
def test_radius_must_be_positive(bad):
    with pytest.raises(InvalidInput, match="radius|radii"):
        check_radii(bad)


# ---------------------------------------------------------------- coverage


def _hand_haversine(lat1, lon1, lat2, lon2):
    """Great-circle distance written out from the textbook formula (R = 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def test_coverage_distances_equal_haversine_by_hand(toy_data):
    report = GapAnalyser().fit(toy_data).report()
    rows = {m.ags: m for m in report.per_municipality}
    # Village B1 (54.0, 10.5): nearest centre is c-a in City A (54.0, 10.0):
    # 2 * 6371 * asin(cos(54°) * sin(0.25°)) = 32.68 km
    assert rows["01002001"].nearest_centre == "c-a"
    assert rows["01002001"].nearest_km == pytest.approx(32.68, abs=0.01)
    # Town C2 (53.1, 12.0): c-d and c-x in City D (53.55, 10.0) are nearer than c-a
    assert rows["01003002"].nearest_centre in ("c-d", "c-x")
    assert rows["01003002"].nearest_km == pytest.approx(_hand_haversine(53.1, 12.0, 53.55, 10.0), abs=0.01)
    # the national centre c-x is not a regional one: the nearest regional centre is c-d
    assert rows["01003002"].nearest_regional_centre == "c-d"
    assert rows["01001000"].nearest_km == 0.0


def test_population_beyond_radius_is_counted(toy_data):
    report = GapAnalyser(catchment_km=(25, 50, 150)).fit(toy_data).report()
    beyond_50 = next(b for b in report.coverage if b.radius_km == 50)
    # only District C's municipalities (C1 at 144 km, C2 at 141 km from City D) are beyond 50 km
    assert beyond_50.population_beyond == 700 + 30_000
    assert beyond_50.municipalities_beyond == 2
    assert next(b for b in report.coverage if b.radius_km == 150).population_beyond == 0


def test_district_without_centre_is_reported_and_a_centre_there_closes_it(toy_data):
    report = GapAnalyser().fit(toy_data).report()
    # largest SME count first: District C (1,250 SMEs) before District B (990)
    assert [d.ags for d in report.districts_without_centre] == ["01003", "01002"]
    new = centre("c-c", "01003002", 53.1, 12.0, (eng(CYBER, 4, "Cybersecurity"),), ("01003",))
    closed = GapAnalyser().fit(replace(toy_data, centres=(*toy_data.centres, new))).report()
    assert [d.ags for d in closed.districts_without_centre] == ["01002"]


def test_a_centre_strong_in_the_topic_closes_the_topic_gap(toy_data):
    before = GapAnalyser().fit(toy_data).report(region="01003", topic="cybersecurity")
    assert before.top_gaps and before.top_gaps[0].district_ags == "01003"
    assert before.top_gaps[0].score == 0.0  # no centre strong in it within 50 km
    new = centre("c-c", "01003002", 53.1, 12.0, (eng(CYBER, 4, "Cybersecurity"),), ("01003",))
    after = GapAnalyser().fit(replace(toy_data, centres=(*toy_data.centres, new))).report("01003", "cybersecurity")
    assert after.topics[0].score > 1.0 and not after.top_gaps


def test_demand_uses_real_sme_counts_spread_by_population(toy_data):
    g = GapAnalyser().fit(toy_data)
    smes = dict(zip(g.ags_list_, g.smes_, strict=True))
    # District B has 800 + 150 + 40 = 990 SMEs over 21,700 inhabitants; Village B1 has 800 of them
    assert smes["01002001"] == pytest.approx(990 * 800 / 21_700)
    assert sum(smes.values()) == pytest.approx(10_900 + 990 + 1_250 + 9_750)


def test_bad_region_and_topic_are_named(toy_data):
    g = GapAnalyser().fit(toy_data)
    with pytest.raises(UnknownEntity, match="'09'"):
        g.report(region="09")
    with pytest.raises(InvalidInput, match="'1500'"):
        g.report(region="1500")
    with pytest.raises(InvalidInput, match="unknown topic 'quantum-foam'.*cybersecurity"):
        g.report(topic="quantum-foam")


# ---------------------------------------------------------------- network


def test_a_bridge_in_a_toy_network_is_found(toy_data):
    # two triangles of centres linked only through c3 - c4 (each shares two strong topics)
    t = [eng(f"urn:t:{i}", 4, f"t{i}") for i in range(6)]
    ring = [("c1", (t[0], t[1])), ("c2", (t[0], t[1])), ("c3", (t[0], t[1], t[4], t[5])),
            ("c4", (t[2], t[3], t[4], t[5])), ("c5", (t[2], t[3])), ("c6", (t[2], t[3]))]
    centres = tuple(centre(cid, "01001000", 54.0, 10.0, topics, ()) for cid, topics in ring)
    net = CentreNetwork().fit(replace(toy_data, centres=centres))
    s = net.summary(suggestions=3)
    assert [(a.id, b.id) for a, b in s.bridges] == [("c3", "c4")]
    assert {c.id for c in s.articulation_points} == {"c3", "c4"}
    assert len(s.components) == 1 and not s.isolated
    assert s.betweenness[0][0].id in ("c3", "c4")
    assert sorted(len(c.centres) for c in s.communities) == [3, 3]
    # every suggested link is one that does not exist yet, with a reason
    assert all(not net.graph_.has_edge(x.a.id, x.b.id) and x.reason for x in s.suggestions)


def test_isolated_centre_and_shared_region_links(toy_data):
    s = CentreNetwork().fit(toy_data).summary(suggestions=0)
    # c-a and c-d share AI only (one topic < 2) and no served region: no links at all
    assert s.links == 0 and len(s.isolated) == 3
    both = replace(toy_data, centres=(toy_data.centres[0], replace(toy_data.centres[1], served_ags=("01001",))))
    s2 = CentreNetwork().fit(both).summary()
    assert s2.links == 1 and not s2.isolated


def test_link_suggestion_names_the_complementary_topic(toy_data):
    links = CentreNetwork().fit(toy_data).suggest_links(3)
    pair = next(x for x in links if {x.a.id, x.b.id} == {"c-a", "c-d"})
    assert "Cybersecurity 5" in pair.reason and "Centre c-a lacks" in pair.reason
    assert AI  # the shared topic gives no complementarity


def test_sensitivity_to_the_catchment_radius(toy_data):
    report = GapAnalyser(catchment_km=(10, 60, 200)).fit(toy_data).report()
    by_radius = {s.catchment_km: s for s in report.sensitivity}
    assert report.catchment_km == 60  # the middle radius is the main one
    assert by_radius[60].rank_correlation == 1.0
    # a wider catchment never leaves more demand without any centre in reach
    assert by_radius[10].demand_without_access >= by_radius[60].demand_without_access >= by_radius[200].demand_without_access
    # at 200 km every municipality reaches a centre strong in each topic (all within 150 km of City D)
    assert by_radius[200].demand_without_access == 0.0
