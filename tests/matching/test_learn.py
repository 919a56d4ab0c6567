"""Weights learned from outcomes (``matching.learn``) and the weights file (``matching.weights``)."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, UnreadableInput
from graph.records import Company, Outcome
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
from tests.matching.ranker_catalogue import B


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
    import matching.weights as weights

    for factor, w in DEFAULT_WEIGHTS.items():
        assert f"{factor:<11} {w:.2f}" in weights.__doc__


