"""The hybrid CentreMatcher: factors, reasons, geography, bad input, learned weights."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput, NotFitted, UnknownEntity, UnreadableInput
from graph.records import Centre, Company, Concept, Engagement, Outcome, Region
from matching import (
    DEFAULT_WEIGHTS,
    FACTORS,
    Catalogue,
    CentreMatcher,
    HashingEncoder,
    MatchQuery,
    compare_weights,
    fit_weights,
    load_weights,
    save_weights,
)
from matching._base import check_text

B = "https://w3id.org/regiomatch/"


def _c(scheme: str, key: str, en: str, de: str, alt_de=(), broader=(), related=(), close=()) -> Concept:
    return Concept(
        iri=f"{B}concept/{scheme}/{key}", scheme=scheme, key=key, label_en=en, label_de=de,
        alt_de=tuple(alt_de), broader=tuple(f"{B}concept/{scheme}/{b}" for b in broader),
        related=tuple(f"{B}concept/{scheme}/{r}" for r in related),
        close_match=tuple(f"{B}concept/nace/{m}" for m in close),
    )


CONCEPTS = (
    _c("technology", "connectivity-iot", "Connectivity & IoT", "Vernetzung & IoT"),
    _c("technology", "cybersecurity", "Cybersecurity", "Cybersicherheit",
       alt_de=["IT-Sicherheit", "Verschlüsselungstrojaner"]),
    _c("technology", "internet-of-things", "Internet of Things", "Internet der Dinge",
       alt_de=["Maschinenvernetzung"], broader=["connectivity-iot"], related=["sensors"]),
    _c("technology", "sensors", "Sensors", "Sensorik", alt_de=["Sensoren"], broader=["connectivity-iot"],
       related=["internet-of-things"]),
    _c("technology", "artificial-intelligence", "Artificial Intelligence", "Künstliche Intelligenz",
       alt_de=["KI", "maschinelles Lernen"]),
    _c("service", "training", "Training", "Schulung", alt_de=["Weiterbildung"]),
    _c("sector", "manufacturing", "Manufacturing", "Produktion", close=["C"]),
    _c("sector", "retail", "Retail", "Handel", close=["47"]),
    _c("nace", "C", "Manufacturing", "Verarbeitendes Gewerbe"),
    _c("nace", "25", "Manufacture of fabricated metal products", "Herstellung von Metallerzeugnissen",
       broader=["C"]),
    _c("nace", "G", "Trade", "Handel"),
    _c("nace", "47", "Retail trade", "Einzelhandel", broader=["G"]),
)


def _e(kind: str, key: str, level: int) -> Engagement:
    c = next(c for c in CONCEPTS if c.key == key)
    return Engagement(c.iri, kind, level, c.label_en, c.label_de)


def _region(ags: str, name: str, kind: str, lat=None, lon=None) -> Region:
    return Region(f"{B}id/region/{ags}", ags, name, kind, ags[:2], ags[:5] if len(ags) > 2 else None, lat=lat, lon=lon)


REGIONS = [
    _region("15", "Sachsen-Anhalt", "state"),
    _region("15083", "Börde", "district", 52.2, 11.3),
    _region("15003", "Magdeburg", "district", 52.13, 11.62),
    _region("15083270", "Haldensleben", "municipality", 52.29, 11.41),
    _region("15083999", "Elsewhere-in-Börde", "municipality", 52.05, 11.2),
    _region("15003000", "Magdeburg", "municipality", 52.13, 11.62),
    _region("09", "Bayern", "state"),
    _region("09162", "München", "district", 48.14, 11.58),
    _region("09162000", "München", "municipality", 48.14, 11.58),
    _region("11", "Berlin", "state"),
    _region("11000", "Berlin", "district", 52.52, 13.40),
    _region("11000000", "Berlin", "municipality", 52.52, 13.40),
]


def _centre(cid: str, ags: str | None, *, scope="regional", served=(), topics=(), services=(), sectors=(),
            description="", country="Germany") -> Centre:
    region = {r.ags: r for r in REGIONS}.get(ags or "")
    district = {r.ags: r for r in REGIONS}.get((ags or "")[:5])
    return Centre(
        iri=f"{B}id/centre/{cid}", id=cid, name=cid.replace("-", " ").title(), centre_type="regional",
        description=description, country=country, scope=scope,
        municipality_ags=ags, municipality_name=region.name if region else None,
        district_ags=ags[:5] if ags else None, district_name=district.name if district else None,
        state_ags=ags[:2] if ags else None, lat=region.lat if region else None, lon=region.lon if region else None,
        served_ags=tuple(served), topics=tuple(_e("technology", k, v) for k, v in topics),
        services=tuple(_e("service", k, v) for k, v in services),
        sectors=tuple(_e("sector", k, v) for k, v in sectors),
    )


CENTRES = (
    _centre("haldensleben", "15083270", served=["15083"], topics=[("cybersecurity", 5)],
            description="Digitalisierungszentrum für Unternehmen in der Börde"),
    _centre("cyber-national", "11000000", scope="national", served=["09", "11", "15"],
            topics=[("cybersecurity", 5)], description="Cybersecurity for SMEs across Germany"),
    _centre("munich-ai", "09162000", topics=[("artificial-intelligence", 5), ("cybersecurity", 2)],
            sectors=[("manufacturing", 5)], services=[("training", 4)],
            description="AI for manufacturing companies"),
    _centre("magdeburg-iot", "15003000", topics=[("internet-of-things", 5), ("sensors", 4)],
            sectors=[("retail", 3)], description="Vernetzung in der Produktion"),
    _centre("paris-hub", None, scope="international", topics=[("cybersecurity", 5), ("sensors", 5)],
            country="France", description="European hub for cybersecurity"),
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(
        centres=CENTRES, concepts=CONCEPTS, regions={r.ags: r for r in REGIONS},
        district_adjacency=(("15003", "15083"),),
    )


@pytest.fixture(scope="module")
def matcher(catalogue: Catalogue) -> CentreMatcher:
    return CentreMatcher(encoder=HashingEncoder()).fit(catalogue)


RANSOM = "Wir hatten einen Angriff mit Verschlüsselungstrojanern und brauchen IT-Sicherheit"


def _ids(matches) -> list[str]:
    return [m.centre.id for m in matches]


def _reason(match, factor: str) -> str:
    return " | ".join(r.text for r in match.reasons if r.factor == factor)


# ------------------------------------------------------------------ ranking and reasons


def test_local_centre_offering_the_topic_wins_with_readable_reasons(matcher: CentreMatcher) -> None:
    top = matcher.match(MatchQuery(RANSOM, municipality="15083270"), k=3)
    assert top[0].centre.id == "haldensleben"
    assert "offers Cybersecurity at level 5" in _reason(top[0], "topic")
    assert "Verschlüsselungstrojanern" in _reason(top[0], "topic")
    assert "in your municipality Haldensleben" in _reason(top[0], "geography")
    assert top[0].distance_km == 0.0


def test_score_is_the_sum_of_reason_contributions(matcher: CentreMatcher) -> None:
    for m in matcher.match(MatchQuery(RANSOM, municipality="15083270", sector="C25"), k=5):
        assert m.score == pytest.approx(sum(r.contribution for r in m.reasons), abs=2e-3)
        assert [r.contribution for r in m.reasons] == sorted((r.contribution for r in m.reasons), reverse=True)


def test_results_are_sorted_and_capped_by_k(matcher: CentreMatcher) -> None:
    out = matcher.match(MatchQuery(RANSOM), k=3)
    assert len(out) == 3 and [m.score for m in out] == sorted((m.score for m in out), reverse=True)
    assert len(matcher.match(MatchQuery(RANSOM), k=1000)) == len(CENTRES)


def test_without_location_geography_is_silent(matcher: CentreMatcher) -> None:
    out = matcher.match(MatchQuery(RANSOM), k=5)
    assert all(m.distance_km is None for m in out)
    assert all(r.factor != "geography" for m in out for r in m.reasons)
    assert set(_ids(out[:3])) == {"haldensleben", "cyber-national", "paris-hub"}


def test_national_centre_gets_flat_credit_far_regional_little(matcher: CentreMatcher) -> None:
    f = matcher.factor_matrix(MatchQuery(RANSOM, municipality="09162000"))
    geo = dict(zip((c.id for c in matcher.centres_), f[:, FACTORS.index("geography")]))
    assert geo["munich-ai"] == pytest.approx(1.0)
    assert geo["cyber-national"] == pytest.approx(0.4)
    assert geo["haldensleben"] < 0.1 and geo["paris-hub"] == 0.0


def test_neighbouring_district_and_served_region(matcher: CentreMatcher) -> None:
    out = {m.centre.id: m for m in matcher.match(MatchQuery("Sensoren vernetzen", municipality="15083999"), k=5)}
    assert "in the neighbouring district Magdeburg" in _reason(out["magdeburg-iot"], "geography")
    assert "serves your district Börde" in _reason(out["haldensleben"], "geography")
    assert "km away" in _reason(out["haldensleben"], "geography")


def test_district_level_location(matcher: CentreMatcher) -> None:
    top = matcher.match(MatchQuery(RANSOM, municipality="15083"), k=1)[0]
    assert top.centre.id == "haldensleben" and "Börde" in _reason(top, "geography")


def test_related_topic_earns_partial_credit(matcher: CentreMatcher) -> None:
    f = matcher.factor_matrix(MatchQuery(topics=("sensors",)))
    topic = dict(zip((c.id for c in matcher.centres_), f[:, FACTORS.index("topic")]))
    assert topic["paris-hub"] == pytest.approx(1.0)  # sensors at level 5
    assert topic["magdeburg-iot"] == pytest.approx(0.8)  # sensors at level 4 beats IoT 5 x 0.5
    out = {m.centre.id: m for m in matcher.match(MatchQuery(topics=("internet-of-things",)), k=5)}
    assert "offers Sensors at level 5 (close to Internet of Things)" in _reason(out["paris-hub"], "topic")


def test_explicit_topics_without_text(matcher: CentreMatcher) -> None:
    top = matcher.match(MatchQuery(topics=("Cybersicherheit",), municipality="11000000"), k=1)[0]
    assert top.centre.id == "cyber-national"
    assert "you named Cybersecurity" in _reason(top, "topic")
    assert all(r.factor != "text" for r in top.reasons)


def test_sector_fit_through_close_match(matcher: CentreMatcher) -> None:
    out = {m.centre.id: m for m in matcher.match(MatchQuery("KI", sector="C25"), k=5)}
    assert "works with NACE C25 firms (Manufacturing, level 5)" in _reason(out["munich-ai"], "sector")
    assert _reason(out["magdeburg-iot"], "sector") == ""  # retail is section G
    retail = {m.centre.id: m for m in matcher.match(MatchQuery("KI", sector="47"), k=5)}
    assert "NACE G47" in _reason(retail["magdeburg-iot"], "sector")


def test_service_named_in_the_need(matcher: CentreMatcher) -> None:
    out = {m.centre.id: m for m in matcher.match(MatchQuery("Weiterbildung zu KI"), k=5)}
    assert "offers the service Training at level 4 — your need mentions Weiterbildung" in _reason(
        out["munich-ai"], "service"
    )


def test_company_query_uses_need_place_sector_and_needs(matcher: CentreMatcher) -> None:
    company = Company(
        iri=f"{B}id/company/sme-1", id="sme-1", name="Metallbau", municipality_ags="15083270", nace="25",
        needs=(f"{B}concept/technology/cybersecurity",), need_description="",
    )
    q = MatchQuery.for_company(company)
    assert (q.municipality, q.sector, q.id) == ("15083270", "25", "sme-1")
    assert matcher.match(q, k=1)[0].centre.id == "haldensleben"


def test_match_many_keeps_order_and_reports_errors(matcher: CentreMatcher) -> None:
    queries = [MatchQuery(RANSOM, municipality="15083270"), MatchQuery("KI", municipality="99999999")]
    out = matcher.match_many(queries, k=2, return_errors=True)
    assert out[0][0].centre.id == "haldensleben"
    assert isinstance(out[1], UnknownEntity) and "99999999" in str(out[1])
    with pytest.raises(UnknownEntity):
        matcher.match_many(queries, k=2)


def test_scores_follow_weights(catalogue: Catalogue) -> None:
    text_only = CentreMatcher(encoder=HashingEncoder(), weights={"text": 1.0}).fit(catalogue)
    q = MatchQuery(RANSOM, municipality="15083270")
    f = text_only.factor_matrix(q)
    assert np.allclose(text_only.scores(q), f[:, 0])
    assert all(r.factor == "text" for m in text_only.match(q, k=5) for r in m.reasons)


def test_catalogue_without_german_locations(catalogue: Catalogue) -> None:
    eu = Catalogue(centres=(CENTRES[-1],), concepts=CONCEPTS)
    m = CentreMatcher(encoder=HashingEncoder()).fit(eu)
    assert m.match(MatchQuery(RANSOM), k=10)[0].centre.id == "paris-hub"
    with pytest.raises(UnknownEntity, match="leave the location out"):
        m.match(MatchQuery(RANSOM, municipality="15083270"))


def test_vectors_come_from_the_cache_on_refit(catalogue: Catalogue, tmp_path) -> None:
    class Counting(HashingEncoder):
        seen = 0

        def encode(self, texts):
            Counting.seen += len(texts)
            return super().encode(texts)

    CentreMatcher(encoder=Counting(), vector_cache=tmp_path).fit(catalogue)
    first, Counting.seen = Counting.seen, 0
    CentreMatcher(encoder=Counting(), vector_cache=tmp_path).fit(catalogue)
    assert first >= len(CENTRES) and Counting.seen == 0


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (dict(text="KI", municipality="15"), "invalid municipality '15': expected an 8-digit"),
        (dict(text="KI", municipality="Magdeburg"), "invalid municipality 'Magdeburg'"),
        (dict(text="KI", sector="Z9"), "invalid NACE code 'Z9'"),
        (dict(text="KI", sector="99"), "unknown NACE code '99'"),
        (dict(text="KI", sector="G25"), "division 25 belongs to section C, not G"),
        (dict(text="KI", topics=("cybersecurty",)), "unknown topic 'cybersecurty'.*cybersecurity"),
    ],
)
def test_bad_values_are_named(matcher: CentreMatcher, query: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        matcher.match(MatchQuery(**query))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (dict(text="KI", municipality="99999999"), "unknown AGS '99999999'"),
        (dict(text="KI", municipality="15083111"), "district 15083 Börde has no municipality 15083111"),
    ],
)
def test_well_formed_but_absent_regions_are_unknown_entities(matcher: CentreMatcher, query: dict, message: str) -> None:
    # the README's exit codes: unknown entity 1 (UnknownEntity), bad input 2 (InvalidInput)
    with pytest.raises(UnknownEntity, match=message):
        matcher.match(MatchQuery(**query))


@pytest.mark.parametrize(("text", "message"), [("", "empty"), ("  ", "empty"), ("x" * 100_000, "limit is 10,000")])
def test_bad_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        MatchQuery(text)


@pytest.mark.parametrize(("text", "position"), [("IT \ud800", 3), ("\udced\udca0\udc80 KI", 0)])
def test_lone_surrogate_is_refused_naming_its_position(text: str, position: int) -> None:
    # A lone surrogate (JSON "\ud800", or argv bytes that are not UTF-8) used to
    # reach the tokenizer and crash with a TypeError.
    with pytest.raises(InvalidInput, match=f"not valid UTF-8 at position {position}: U\\+D"):
        MatchQuery(text)
    with pytest.raises(InvalidInput, match="lone surrogate"):
        check_text(text, what="need")


@pytest.mark.parametrize("k", [0, -3, 1001])
def test_bad_k(matcher: CentreMatcher, k: int) -> None:
    with pytest.raises(InvalidInput, match=f"got {k}"):
        matcher.match(MatchQuery("KI"), k=k)


def test_unfitted_matcher() -> None:
    with pytest.raises(NotFitted):
        CentreMatcher(encoder=HashingEncoder()).match(MatchQuery("KI"))


@pytest.mark.parametrize(
    ("weights", "message"),
    [({"colour": 1.0}, "unknown factor"), ({"text": -1.0}, "non-negative"), ({"text": 0.0}, "all zero")],
)
def test_bad_weights(catalogue: Catalogue, weights: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        CentreMatcher(encoder=HashingEncoder(), weights=weights).fit(catalogue)


def test_estimator_contract(catalogue: Catalogue) -> None:
    from sklearn.base import clone

    m = CentreMatcher(encoder="hashing", weights={"text": 1.0}, distance_scale_km=30.0)
    assert m.get_params()["distance_scale_km"] == 30.0
    assert clone(m).get_params() == m.get_params()
    assert m.fit(catalogue) is m and m.weights_["text"] == 1.0
    assert "distance_scale_km=30.0" in repr(m)


# ------------------------------------------------------------------ learned weights


def test_weights_learned_from_outcomes_favour_the_predictive_factor(catalogue: Catalogue, tmp_path) -> None:
    matcher = CentreMatcher(encoder=HashingEncoder()).fit(catalogue)
    places = ["15083270", "15003000", "09162000", "11000000", "15083999"]
    companies, outcomes = [], []
    for n in range(30):
        ags = places[n % len(places)]
        c = Company(f"{B}id/company/c{n}", f"c{n}", f"C{n}", ags, need_description=["KI", "IT-Sicherheit", "Sensoren"][n % 3])
        companies.append(c)
        km = matcher.factor_matrix(MatchQuery.for_company(c))[:, FACTORS.index("geography")]
        for i, centre in enumerate(matcher.centres_):  # referrals are rated by closeness alone
            outcomes.append(Outcome(f"{B}id/outcome/{n}-{i}", c.iri, centre.iri, float(km[i] > 0.6)))
    weights = fit_weights(matcher, outcomes, companies)
    assert set(weights) == set(FACTORS) and sum(weights.values()) == pytest.approx(1.0, abs=1e-3)
    assert max(weights, key=weights.get) == "geography"

    path = save_weights(weights, tmp_path / "w.json", outcomes=len(outcomes))
    assert load_weights(path) == weights
    assert CentreMatcher(encoder=HashingEncoder(), weights=str(path)).fit(catalogue).weights_ == weights


def _rated(matcher: CentreMatcher, rate, *, n_companies: int = 30, sectors=(None,),
           places=("15083270", "15003000", "09162000", "11000000", "15083999")) -> tuple[list, list]:
    """Companies spread over ``places`` and their outcomes with every centre, rated by ``rate(factors)``."""
    needs = ["KI", "IT-Sicherheit", "Sensoren", "Schulung"]
    companies, outcomes = [], []
    for n in range(n_companies):
        c = Company(f"{B}id/company/r{n}", f"r{n}", f"R{n}", places[n % len(places)], nace=sectors[n % len(sectors)],
                    need_description=needs[n % 4])
        companies.append(c)
        factors = matcher.factor_matrix(MatchQuery.for_company(c))
        for i, centre in enumerate(matcher.centres_):
            outcomes.append(Outcome(f"{B}id/outcome/r{n}-{i}", c.iri, centre.iri, float(rate(factors[i]))))
    return companies, outcomes


def test_informative_outcomes_beat_the_defaults_and_are_accepted(matcher: CentreMatcher) -> None:
    geo, topic = FACTORS.index("geography"), FACTORS.index("topic")
    companies, outcomes = _rated(matcher, lambda f: round(0.8 * f[geo] + 0.2 * f[topic], 2))
    report = compare_weights(matcher, outcomes, companies, DEFAULT_WEIGHTS)
    assert report.accepted, report.describe()
    assert max(report.learned, key=report.learned.get) == "geography"
    assert report.learned_score > report.current_score and report.folds == 5
    assert "learned" in report.describe() and "current" in report.describe()


def test_uninformative_alternating_ratings_are_refused(matcher: CentreMatcher) -> None:
    # 24 referrals rated 0, 1, 0, 1, ... whatever the centre: nothing to learn.
    places = ["15083270", "15003000", "09162000", "11000000", "15083999"]
    companies = [Company(f"{B}id/company/a{n}", f"a{n}", f"A{n}", places[n % 5], nace=["25", "47", None][n % 3],
                         need_description=["KI", "IT-Sicherheit", "Sensoren", "Schulung"][n % 4]) for n in range(24)]
    outcomes = [Outcome(f"{B}id/outcome/a{n}", c.iri, matcher.centres_[n % 5].iri, float(n % 2))
                for n, c in enumerate(companies)]
    report = compare_weights(matcher, outcomes, companies, DEFAULT_WEIGHTS)
    assert not report.accepted
    assert "no better than the current ones" in report.problem


def test_single_factor_weights_are_refused_as_degenerate(matcher: CentreMatcher) -> None:
    # Only the sector decides (the companies give no location): the learned ranker
    # would score every centre 0 for a need without a sector.
    sector = FACTORS.index("sector")
    companies, outcomes = _rated(matcher, lambda f: f[sector] > 0.5, sectors=("25", "47", None), places=("",))
    report = compare_weights(matcher, outcomes, companies, DEFAULT_WEIGHTS)
    assert sum(w >= 0.01 for w in report.learned.values()) < 2, report.learned
    assert not report.accepted and "degenerate" in report.problem and "sector" in report.problem


def test_too_few_outcomes(matcher: CentreMatcher) -> None:
    with pytest.raises(InvalidInput, match="at least 10"):
        fit_weights(matcher, [], [])


def test_missing_weights_file(tmp_path) -> None:
    with pytest.raises(UnreadableInput, match="regiomatch train"):
        load_weights(tmp_path / "nope.json")


def test_default_weights_are_documented() -> None:
    import matching.ranker as ranker

    for factor, w in DEFAULT_WEIGHTS.items():
        assert f"{factor:<11} {w:.2f}" in ranker.__doc__


# ------------------------------------------------------------------ the real model on the default store


@pytest.fixture(scope="session")
def real_matcher(default_store) -> CentreMatcher:
    from matching.encoder import make_encoder

    return CentreMatcher(encoder=make_encoder("onnx-int8")).fit(Catalogue.from_store(default_store))


@pytest.mark.model
def test_german_ransomware_need_in_boerde_finds_cybersecurity(real_matcher: CentreMatcher) -> None:
    top = real_matcher.match(MatchQuery(RANSOM, municipality="15083270", sector="C25"), k=5)
    cyber = [m for m in top if any(e.label_en == "Cybersecurity" for e in m.centre.topics)]
    assert cyber, _ids(top)
    assert any("Verschlüsselungstrojanern" in r.text for r in cyber[0].reasons)


@pytest.mark.model
def test_english_need_without_location(real_matcher: CentreMatcher) -> None:
    top = real_matcher.match(MatchQuery("We want to use machine learning to forecast demand"), k=5)
    assert all(
        any(e.label_en.startswith("Artificial Intelligence") for e in m.centre.topics) for m in top[:3]
    )
