"""Partners: similar, complementary and regions modes on hand-made centres."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.errors import InvalidInput, UnknownEntity
from matching.encoder import HashingEncoder
from matching.partners import PartnerFinder
from tests.matching.analytics_toy import AI, CLOUD, CYBER, centre, eng


def test_similar_prefers_the_centre_with_the_same_strengths(toy_data):
    found = PartnerFinder().fit(toy_data).partners("c-a", 2, "similar")
    assert [s.id for s in found] == ["c-d"]  # c-x shares nothing with c-a
    assert found[0].reasons[0] == "shared: AI 5/5, Cybersecurity 1/5"
    # City A (54.0, 10.0) to City D (53.55, 10.0): 0.45 degrees of latitude x 111.19 km = 50.0 km
    assert "50 km apart (straight line)" in found[0].reasons


def test_idf_makes_a_universal_tag_count_for_less(toy_data):
    # c-e shares the rare Cloud tag with c-x; every centre has AI -> cloud weighs more
    ce = centre("c-e", "01001000", 54.0, 10.0, (eng(AI, 5, "AI"), eng(CLOUD, 5, "Cloud")), ())
    cf = centre("c-f", "01001000", 54.0, 10.0, (eng(AI, 5, "AI"),), ())
    cx = replace(toy_data.centres[2], topics=(eng(AI, 5, "AI"), eng(CLOUD, 5, "Cloud")))
    data = replace(toy_data, centres=(*toy_data.centres[:2], cx, ce, cf))
    finder = PartnerFinder().fit(data)
    assert finder.idf_[finder.vocab_.index(AI)] < finder.idf_[finder.vocab_.index(CLOUD)]
    ranked = [s.id for s in finder.partners("c-e", 4, "similar")]
    assert ranked[0] == "c-x"


def test_text_similarity_takes_part_when_an_encoder_is_given(toy_data):
    finder = PartnerFinder(encoder=HashingEncoder(), text_weight=0.5).fit(toy_data)
    found = finder.partners("c-a", 1, "similar")[0]
    assert "profile text similarity" in found.reasons[1]


def test_complementary_offers_what_the_region_needs_and_the_centre_lacks(toy_data):
    found = PartnerFinder().fit(toy_data).partners("c-a", 3, "complementary")
    # c-a serves District A; the firms record 5 needs (AI 1, Cybersecurity 3, Cloud 1; fewer than 100,
    # so the country's shares apply). c-a is strong in AI but has Cybersecurity only at level 1:
    # c-d (Cybersecurity 5) covers 3/5 of the needs, times its reach 0.5 + 0.5 exp(-50/150) = 0.86 -> 0.52;
    # c-x (Cloud 5, national: reach 1) covers 1/5 -> 0.20
    assert [s.id for s in found] == ["c-d", "c-x"]
    assert found[0].reasons[0].startswith("strong in Cybersecurity (5), which this centre has only at level 1")
    assert "60% of its region's SME needs" in found[0].reasons[0]
    assert [s.score for s in found] == pytest.approx([0.6 * (0.5 + 0.5 * 2.718281828 ** (-50.04 / 150)), 0.2], abs=1e-3)


def test_regions_prefers_near_districts_that_others_do_not_cover(toy_data):
    found = PartnerFinder().fit(toy_data).partners("c-a", 4, "regions")
    keys = [s.ags for s in found]
    assert keys[0] == "01001"  # its own district: 0 km, the other regional centre is 50 km away
    assert "02000" not in keys[:2]  # covered by c-d on the spot
    assert found[0].reasons[0] == "0 km away (straight line)"


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("c-zz",), UnknownEntity, "unknown centre id 'c-zz'.*c-a"),
        (("c-a", 0), InvalidInput, "k must be an integer from 1 to 1000"),
        (("c-a", 5, "friends"), InvalidInput, "'friends'.*similar, complementary, regions"),
    ],
)
def test_bad_input_is_named(toy_data, args, error, match):
    with pytest.raises(error, match=match):
        PartnerFinder().fit(toy_data).partners(*args)



def test_centres_of_other_countries_take_part_without_a_location(toy_data):
    # a hub imported from the EU catalogue: no German municipality, so no coordinates
    vienna = replace(centre("at-001", "", 0.0, 0.0, (eng(AI, 5, "AI"), eng(CYBER, 5, "Cybersecurity")), ()),
                     lat=None, lon=None, municipality_ags=None, district_ags=None, state_ags=None, country="Austria")
    finder = PartnerFinder().fit(replace(toy_data, centres=(*toy_data.centres, vienna)))
    similar = {s.id: s for s in finder.partners("c-a", 5, "similar")}
    assert similar["at-001"].distance_km is None
    assert not any("km apart" in r for r in similar["at-001"].reasons)
    assert "at-001" in {s.id for s in finder.partners("c-a", 5, "complementary")}
    with pytest.raises(InvalidInput, match="'at-001' has no location"):
        finder.partners("at-001", 3, "regions")
