"""The hybrid CentreMatcher: factors, reasons, geography, bad input, learned weights."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput, NotFitted, UnknownEntity
from graph.records import Company
from matching import (
    FACTORS,
    Catalogue,
    CentreMatcher,
    HashingEncoder,
    MatchQuery,
)
from matching._base import check_text
from tests.matching.ranker_catalogue import CENTRES, CONCEPTS, B

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
# ------------------------------------------------------------------ the real model on the default store


@pytest.fixture(scope="session")
def real_matcher(default_store) -> CentreMatcher:
    from matching.encoder import make_encoder

    return CentreMatcher(encoder=make_encoder("use-multilingual")).fit(Catalogue.from_store(default_store))


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


@pytest.mark.model
def test_guessed_topics_are_marked_weak_and_named_ones_are_not(real_matcher) -> None:
    def topic_parts(text: str) -> list[dict]:
        out = real_matcher.match(MatchQuery(text, municipality="15083270"), k=5)
        return [r.parts for m in out for r in m.reasons if r.factor in ("topic", "service") and r.contribution > 0]

    nonsense = topic_parts("qwertzuiop asdfghjkl")
    assert nonsense and all(p.get("weak") for p in nonsense)  # ranked by guessed concepts, and says so
    named = topic_parts("Wir brauchen Hilfe bei der IT-Sicherheit nach einem Angriff")
    assert named and not any(p.get("weak") for p in named)


@pytest.mark.model
def test_learned_ranking_puts_the_national_cyber_office_first_among_specialists(real_matcher) -> None:
    out = real_matcher.match(MatchQuery("Ein Verschlüsselungstrojaner hat unsere Rechner lahmgelegt", municipality="15003000"))
    ids = [m.centre.id for m in out]
    # Transferstelle Cybersicherheit im Mittelstand (nationwide, level 5) before every other centre but
    # the asker's own state centre in Magdeburg (general, level 1), which the older set also grades 2
    assert ids.index("edihcat-244") <= 1, ids
    assert set(ids[: ids.index("edihcat-244")]) <= {"edihcat-260"}, ids
    for m in out:
        assert m.score == pytest.approx(sum(r.contribution for r in m.reasons), abs=2e-3)
