"""Peers and the typology, on hand-made data and on the default store's real statistics."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFitted, UnknownEntity
from matching.peers import PeerFinder
from matching.typology import RegionTypology


def test_cities_are_peers_of_cities_and_villages_of_villages(toy_data):
    finder = PeerFinder().fit(toy_data)
    assert finder.peers("01001000", 1).peers[0].ags == "02000000"
    village = finder.peers("01002001", 2)
    assert [p.ags for p in village.peers] == ["01002002", "01003001"]
    assert village.peers[0].similarity > village.peers[1].similarity
    towns = finder.peers("01002001", 6).peers
    assert towns[-1].ags in ("01001000", "02000000")  # the cities come last


def test_missing_values_are_skipped_and_named(toy_data):
    # Village B2 has no gigabit value: the pair is compared on the other features and says so
    result = PeerFinder().fit(toy_data).peers("01002001", 3)
    b2 = next(p for p in result.peers if p.ags == "01002002")
    assert b2.skipped == ("broadband_1000",)
    assert all("broadband_1000" not in p.skipped for p in result.peers if p.ags != "01002002")
    assert PeerFinder().fit(toy_data).peers("01002002", 1).missing == ("broadband_1000",)


def test_reasons_quote_both_values(toy_data):
    peer = PeerFinder().fit(toy_data).peers("01001000", 1, features=["population", "broadband_50"]).peers[0]
    pop = next(c for c in peer.alike if c.feature == "population")
    assert str(pop) == "population 200,000 vs 180,000"
    town = PeerFinder().fit(toy_data).peers("01002003", 6).peers
    village = next(p for p in town if p.ags == "01002001")
    assert "broadband ≥ 50 Mbit/s 90 % vs 60 %" in [str(d) for d in village.differences]
    city = next(p for p in town if p.ags == "01001000")
    assert "RegioStaR 7 type 76 vs 72" in [str(d) for d in city.differences]


def test_scope_type_neighbours_and_features(toy_data):
    finder = PeerFinder().fit(toy_data)
    assert [p.ags for p in finder.peers("01001000", 10, scope="state").peers if p.ags[:2] != "01"] == []
    same = finder.peers("01002003", 10, same_type=True).peers
    assert [p.ags for p in same] == ["01003002"]  # the only other Größere Kleinstadt (type 30)
    near = {p.ags for p in finder.peers("01002001", 10, exclude_neighbours=True).peers}
    assert "01002002" not in near and "01002003" in near
    only = finder.peers("01001000", 1, features=["population"])
    assert only.features == ("population",) and only.peers[0].ags == "02000000"


def test_district_peers_use_five_digit_keys(toy_data):
    result = PeerFinder().fit(toy_data).peers("01002", 1)
    assert result.level == "district" and result.peers[0].ags == "01003"


def test_user_weights_change_the_ranking(toy_data):
    # weighting only broadband >= 50 Mbit/s: Town B3 (90 %) is closest to Town C2 (88 %), then City A (98 %)
    w = {k: 0.0 for k in ("population", "density", "population_change", "tax_capacity", "broadband_1000",
                          "mobile_4g", "mobile_5g", "regiostar", "central_place", "smes_per_1000", "it_share",
                          "share_65plus", "gdp_per_inhabitant")}
    w["broadband_50"] = 1.0
    ranked = PeerFinder(weights=w).fit(toy_data).peers("01002003", 2).peers
    assert [p.ags for p in ranked] == ["01003002", "01001000"]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda f: f.peers("99999999"), UnknownEntity, "'99999999'"),
        (lambda f: f.peers("1500"), InvalidInput, "8-digit municipality AGS"),
        (lambda f: f.peers("01001000", 0), InvalidInput, "k must be an integer from 1 to 1000, got 0"),
        (lambda f: f.peers("01001000", scope="planet"), InvalidInput, "'planet'.*country, state"),
        (lambda f: f.peers("01001000", features=["beauty"]), InvalidInput, "'beauty'.*population, density"),
    ],
)
def test_bad_input_is_named(toy_data, call, error, match):
    with pytest.raises(error, match=match):
        call(PeerFinder().fit(toy_data))


def test_unfitted_and_bad_weights(toy_data):
    with pytest.raises(NotFitted):
        PeerFinder().peers("01001000")
    with pytest.raises(InvalidInput, match="'beauty'"):
        PeerFinder(weights={"beauty": 1.0}).fit(toy_data)
    with pytest.raises(InvalidInput, match="≥ 0"):
        PeerFinder(weights={"population": -1}).fit(toy_data)


def test_typology_separates_cities_from_villages(toy_data):
    ty = RegionTypology(n_types=2, n_bootstrap=3).fit(toy_data)
    assert ty.labels_["01001000"] == ty.labels_["02000000"] == 1  # type 1 = the largest places
    assert ty.labels_["01002001"] == ty.labels_["01003001"] == 2
    assert 0.0 <= ty.stability_ <= 1.0 and len(ty.stability_runs_) == 3
    assert ty.types_[0].name_en.startswith("cities") and "Großstädte" in ty.types_[0].name_de
    assert ty.type_of("01001000").size == 2


# ---------------------------------------------------------------- the default store's real statistics


@pytest.fixture(scope="module")
def real_finder(default_store):
    from matching.analytics_data import AnalyticsData

    return PeerFinder().fit(AnalyticsData.from_store(default_store))


def test_halle_and_magdeburg_are_each_others_nearest_large_city(real_finder):
    halle = real_finder.peers("15002000", 5, scope="state")
    magdeburg = real_finder.peers("15003000", 5, scope="state")
    assert halle.peers[0].ags == "15003000"
    assert magdeburg.peers[0].ags == "15002000"


def test_a_village_is_matched_only_with_small_rural_municipalities(real_finder, default_store):
    from graph import indicators

    table = indicators.indicator_table(default_store, "municipality")
    village = real_finder.peers("15087075", 10)  # Bornstedt, 790 inhabitants
    for p in village.peers:
        assert p.population < 3000, p
        assert table[p.ags]["bbsr_municipality_type"] == 50, p  # Landgemeinde
        assert table[p.ags]["regiostar7"] in (74, 77), p  # small-town / village space


def test_peers_are_identical_after_a_rebuild(real_finder, tmp_path):
    from graph.build import build_store
    from graph.store import open_store
    from matching.analytics_data import AnalyticsData

    build_store(str(tmp_path / "again"), companies=300, seed=7)
    with open_store(str(tmp_path / "again"), read_only=True) as st:
        again = PeerFinder().fit(AnalyticsData.from_store(st))
    for ags in ("15002000", "15087075", "15083"):
        assert again.peers(ags, 10) == real_finder.peers(ags, 10)
