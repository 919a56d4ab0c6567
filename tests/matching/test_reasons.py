"""Reasons and the per-need shortcuts of the ranker: what is worked out once per need (the k
returned centres read together, columns kept per place or state) says exactly what working it out
centre by centre, or afresh, says."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matching import CentreMatcher, MatchQuery
from matching.rank_features import RankFeatures
from matching.reasons import FactorRow

RANSOM = "Wir hatten einen Angriff mit Verschlüsselungstrojanern und brauchen IT-Sicherheit"
QUERIES = [
    MatchQuery(RANSOM, municipality="15083270", sector="C25"),
    MatchQuery("Sensoren vernetzen und Weiterbildung zu KI", municipality="15083999"),
    MatchQuery("KI", sector="47"),
    MatchQuery(topics=("internet-of-things", "Training"), municipality="09162000"),
    MatchQuery(RANSOM),
]


def _context(matcher: CentreMatcher, query: MatchQuery):
    p = matcher.resolver_.prepare(query)
    f, km, ctx, contrib, _ = matcher._factors(p, matcher._encode([p])[0])
    plain = contrib.sum(axis=1)
    total = ctx.expertise.cap(plain)
    top = np.argsort(-total, kind="stable")
    return f, km, ctx, contrib, plain - total, top


@pytest.mark.parametrize("query", QUERIES)
def test_reasons_of_the_k_centres_together_are_those_of_each_alone(matcher: CentreMatcher, query) -> None:
    f, km, ctx, contrib, cut, top = _context(matcher, query)
    rows = FactorRow.many(f[top], km[top], cut[top], contrib[top])
    alone_rows = [FactorRow.of(f[i], km[i], cut=float(cut[i]), contributions=contrib[i]) for i in top]
    assert [repr(r) for r in rows] == [repr(r) for r in alone_rows]  # repr: NaN km compares unequal
    together = matcher.reasons_.explain_many(ctx, top, rows)
    alone = [matcher.reasons_.explain(ctx, int(i), row) for i, row in zip(top, rows, strict=True)]
    assert [[(r.factor, r.contribution, r.text, dict(r.parts)) for r in rs] for rs in together] == [
        [(r.factor, r.contribution, r.text, dict(r.parts)) for r in rs] for rs in alone
    ]
    assert any(together), "the query should give some reasons"


@pytest.mark.parametrize("query", QUERIES)
def test_concept_and_sector_credits_of_several_centres_follow_their_definition(matcher: CentreMatcher, query) -> None:
    _, _, ctx, _, _, top = _context(matcher, query)
    for fit, need in ((matcher.topic_fit_, ctx.topic_need), (matcher.service_fit_, ctx.service_need)):
        if need.rows.size:
            # per centre: (need concept, the offered concept giving the credit, its share of the fit), largest first
            expected = [
                sorted(
                    [(int(j), int(fit.best[i, j]), float(w * fit.credit[i, j] / need.total))
                     for j, w in zip(need.rows, need.weights, strict=True) if fit.credit[i, j] > 0],
                    key=lambda t: -t[2],
                )
                for i in top
            ]
            assert fit.explain_many(top, need.rows, need.weights, need.total) == expected
    m = ctx.sector_weights
    if m is not None:
        expected_sector = []
        for i in top:
            values = matcher.sector_fit_.levels[i] * m
            s = int(np.argmax(values))
            expected_sector.append((s, float(values[s])) if values[s] > 0 else None)
        assert matcher.sector_fit_.explain_many(top, m) == expected_sector
        assert any(expected_sector), "the sector query should credit some centre"


def test_ranking_is_the_same_when_places_and_states_are_met_again(matcher: CentreMatcher, catalogue) -> None:
    """Columns kept per place (near_far, who can serve it) and per state give what a freshly fitted
    matcher, meeting the place for the first time, gives; places of one state differ in distance."""
    places = ["15003000", "15083999", "15083", "15083270", "09162000"]
    for ags in places:
        matcher.match(MatchQuery("KI", municipality=ags), k=3)  # every place and state is now kept
    for ags in reversed(places):
        q = MatchQuery(RANSOM, municipality=ags, sector="C25")
        fresh = CentreMatcher(encoder=matcher.encoder_).fit(catalogue)
        seen, first = matcher.match(q, k=5), fresh.match(q, k=5)
        assert [(m.centre.id, m.score, m.reasons) for m in seen] == [(m.centre.id, m.score, m.reasons) for m in first]
        (x_seen, a_seen), (x_first, a_first) = matcher.feature_matrix(q), fresh.feature_matrix(q)
        assert np.array_equal(x_seen, x_first)
        assert np.array_equal(a_seen.specialist, a_first.specialist) and np.array_equal(a_seen.without, a_first.without)


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("an SME in Portugal", {"Portugal"}),
        ("ein portugiesisches und ein griechisches Start-up", {"Portugal", "Greece"}),
        ("Unternehmen aus Österreich", {"Austria"}),
        ("Sensoren für die Fertigung", set()),
        ("PORTUGUESE and Dutch partners", {"Portugal", "Netherlands"}),
    ],
)
def test_countries_named_in_a_need(text: str, countries: set[str]) -> None:
    centres = [_Centre(country=c) for c in ("Portugal", "Greece", "Austria", "Netherlands", "Germany", "")]
    features = RankFeatures(centres, np.zeros((len(centres), 1)))
    named = features.countries_named(text)
    assert {c.country for c, hit in zip(centres, named, strict=True) if hit} == countries


@dataclasses.dataclass(frozen=True)
class _Centre:
    country: str
    scope: str = "regional"
    state_ags: str = "15"
    centre_type: str = "edih"
    topics: tuple = ()
