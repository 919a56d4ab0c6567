"""Learn the ranker's factor weights from recorded referral outcomes.

An outcome (``rm:Outcome``) says how a company rated a centre it was referred to:
1 accepted / helpful, 0 declined. For each outcome the fitted matcher computes the
centre's five factor values for the company's query (``CentreMatcher.factor_matrix``);
a ridge regression with non-negative coefficients (scikit-learn's
``Ridge(positive=True)``) then predicts the rating from them. The coefficients,
scaled to sum to 1, are the new weights: factors that go with good referrals count
more, factors that do not drop towards 0.

Learned weights replace the current ones only when they earn it
(``compare_weights``): both are scored on held-out outcomes (k-fold, folds split
by company, so a company's referrals never sit on both sides) by the Spearman rank
correlation between a referral's score and its rating, and the learned weights must
score at least ``MIN_GAIN`` higher (smaller gains are within the noise of a few
dozen outcomes). Degenerate weights (fewer than ``MIN_FACTORS`` factors with at least
``MIN_WEIGHT``) are refused whatever their score: a ranker that rests on one factor
scores every centre 0 for a query that lacks it (a need with no sector, say).

Weights are kept in a small JSON file (``matching.weights``); ``CentreMatcher(weights=path)``
uses them. ``train_weights`` is the whole workflow of ``regiomatch train``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput
from matching.weights import DEFAULT_WEIGHTS, load_weights, save_weights

if TYPE_CHECKING:
    from graph.records import Company, Outcome
    from matching.ranker import CentreMatcher

__all__ = [
    "fit_weights",
    "compare_weights",
    "WeightsComparison",
    "TrainingResult",
    "train_weights",
    "check_outcomes",
    "MIN_OUTCOMES",
    "MIN_FACTORS",
    "MIN_WEIGHT",
    "MIN_GAIN",
]

MIN_OUTCOMES = 10
MIN_FACTORS = 2
MIN_WEIGHT = 0.01
MIN_GAIN = 0.02


def training_data(
    matcher: CentreMatcher, outcomes: Sequence[Outcome], companies: Sequence[Company]
) -> tuple[np.ndarray, np.ndarray]:
    """``(X (n, n_factors), y (n,))``: factor values and rating of each usable outcome.

    Outcomes whose company or centre is unknown, or whose company has neither need
    text nor needs, are skipped.
    """
    x, y, _ = _training_rows(matcher, outcomes, companies)
    return x, y


def _training_rows(
    matcher: CentreMatcher, outcomes: Sequence[Outcome], companies: Sequence[Company]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``training_data`` plus ``groups (n,)``: the index of each row's company."""
    from graph.errors import RegiomatchError
    from matching.query import MatchQuery

    by_iri = {c.iri: c for c in companies}
    wanted: dict[str, list[tuple[int, float]]] = {}
    for o in outcomes:
        row = matcher.centre_row_.get(o.centre)
        if row is not None and o.company in by_iri:
            wanted.setdefault(o.company, []).append((row, float(o.rating)))
    xs, ys, groups = [], [], []
    for group, (company_iri, pairs) in enumerate(wanted.items()):
        try:
            factors = matcher.factor_matrix(MatchQuery.for_company(by_iri[company_iri]))
        except RegiomatchError:
            continue
        for row, rating in pairs:
            xs.append(factors[row])
            ys.append(rating)
            groups.append(group)
    width = len(matcher.FACTORS)
    return (
        np.array(xs, dtype=np.float64).reshape(-1, width),
        np.array(ys, dtype=np.float64),
        np.array(groups, dtype=np.int64),
    )


def fit_weights(
    matcher: CentreMatcher,
    outcomes: Sequence[Outcome],
    companies: Sequence[Company],
    *,
    alpha: float = 1.0,
) -> dict[str, float]:
    """Factor weights learned from ``outcomes`` (see the module docstring); they sum to 1.

    ``matcher`` must be fitted on the catalogue the outcomes refer to. Raises
    ``InvalidInput`` with fewer than ``MIN_OUTCOMES`` usable outcomes, when all
    ratings are equal, or when no factor predicts the ratings. The weights are not
    checked against the current ones: ``compare_weights`` does that.
    """
    matcher._check_fitted("centre_vectors_")
    x, y = training_data(matcher, outcomes, companies)
    _check_training_data(y, len(outcomes))
    coef = _ridge(x, y, alpha)
    if coef.sum() <= 0:
        raise InvalidInput(
            f"no factor predicts the {len(y)} outcomes' ratings; keeping the current weights is better"
        )
    return _as_weights(matcher.FACTORS, coef)


@dataclass(frozen=True)
class WeightsComparison:
    """Learned against current weights, scored on held-out outcomes.

    ``*_score`` is the Spearman rank correlation (-1 to 1, 0 = no better than
    chance) between the weighted score of each held-out referral and its rating;
    ``outcomes`` is the number of usable outcomes, ``folds`` the number of
    company-wise folds. ``problem`` says why the learned weights must not be saved,
    or is ``None`` when they may replace the current ones.
    """

    learned: dict[str, float]
    current: dict[str, float]
    learned_score: float
    current_score: float
    outcomes: int
    folds: int
    problem: str | None

    @property
    def accepted(self) -> bool:
        """Whether the learned weights may replace the current ones."""
        return self.problem is None

    def held_out(self) -> dict[str, Any]:
        """The held-out scores as JSON-ready data."""
        return {
            "metric": "spearman",
            "folds": self.folds,
            "learned": round(self.learned_score, 4),
            "current": round(self.current_score, 4),
        }

    def describe(self) -> str:
        """What was compared, in a few lines (for the command line)."""
        how = f"held-out rank correlation with the ratings ({self.folds}-fold by company, {self.outcomes} outcomes)"
        return "\n".join(
            [
                how + ":",
                f"  learned {self.learned_score:+.3f}  {_fmt(self.learned)}",
                f"  current {self.current_score:+.3f}  {_fmt(self.current)}",
            ]
        )


def compare_weights(
    matcher: CentreMatcher,
    outcomes: Sequence[Outcome],
    companies: Sequence[Company],
    current: Mapping[str, float],
    *,
    folds: int = 5,
    alpha: float = 1.0,
) -> WeightsComparison:
    """Learn weights from ``outcomes`` and judge them against ``current`` on held-out outcomes.

    Each fold's weights are learned without that fold's companies and score their
    referrals; ``current`` scores the same referrals. The learned weights (from all
    outcomes) are refused when they are degenerate (see the module docstring) or do
    not score at least ``MIN_GAIN`` higher than ``current``. Raises ``InvalidInput`` as ``fit_weights``
    does, and when the outcomes name fewer than two companies.
    """
    matcher._check_fitted("centre_vectors_")
    factors = matcher.FACTORS
    x, y, groups = _training_rows(matcher, outcomes, companies)
    _check_training_data(y, len(outcomes))
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        raise InvalidInput(
            f"the {len(y)} usable outcomes name one company; judging learned weights on held-out "
            "outcomes needs outcomes of at least 2 companies"
        )
    from sklearn.model_selection import GroupKFold

    k = min(folds, n_groups)
    held_out = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=k).split(x, y, groups):
        coef = _ridge(x[train], y[train], alpha) if np.ptp(y[train]) > 0 else np.zeros(len(factors))
        if coef.sum() > 0:
            held_out[test] = x[test] @ (coef / coef.sum())
    now = {f: float(current.get(f, 0.0)) for f in factors}
    current_score = _spearman(x @ np.array([now[f] for f in factors]), y)
    learned_score = _spearman(held_out, y)
    coef = _ridge(x, y, alpha)
    learned = _as_weights(factors, coef) if coef.sum() > 0 else {f: 0.0 for f in factors}
    carrying = [f for f, w in learned.items() if w >= MIN_WEIGHT]
    problem = None
    if len(carrying) < MIN_FACTORS:
        problem = (
            f"the learned weights are degenerate: {len(carrying)} factor(s) "
            f"({', '.join(carrying) or 'none'}) carry weight, at least {MIN_FACTORS} must "
            f"(each {MIN_WEIGHT:g} or more); every centre would score 0 for a need that lacks "
            f"{'that factor' if carrying else 'them'}"
        )
    elif learned_score < current_score + MIN_GAIN:
        problem = (
            f"the learned weights rank held-out outcomes no better than the current ones "
            f"({learned_score:+.3f} vs {current_score:+.3f}; they must gain at least {MIN_GAIN:g})"
        )
    return WeightsComparison(learned, now, learned_score, current_score, len(y), k, problem)


def _check_training_data(y: np.ndarray, recorded: int) -> None:
    if len(y) < MIN_OUTCOMES:
        raise InvalidInput(
            f"{len(y)} usable outcome(s) of {recorded} recorded; learning weights needs at "
            f"least {MIN_OUTCOMES} (outcomes naming a known company and centre)"
        )
    if np.ptp(y) == 0:
        raise InvalidInput(f"all {len(y)} outcomes have rating {y[0]:g}; learning needs both good and bad referrals")


def _ridge(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Non-negative ridge coefficients ``(n_factors,)`` predicting ``y`` from ``x``."""
    from sklearn.linear_model import Ridge

    model = Ridge(alpha=alpha, positive=True, fit_intercept=True).fit(x, y)
    return np.asarray(np.clip(model.coef_, 0.0, None), dtype=np.float64)


def _as_weights(factors: Sequence[str], coef: np.ndarray) -> dict[str, float]:
    coef = coef / coef.sum()
    return {f: round(float(c), 4) for f, c in zip(factors, coef)}


def _spearman(scores: np.ndarray, ratings: np.ndarray) -> float:
    """Rank correlation of ``scores`` and ``ratings`` (both ``(n,)``); 0 when either is constant."""
    if np.ptp(scores) == 0 or np.ptp(ratings) == 0:
        return 0.0
    from scipy.stats import spearmanr

    rho = float(spearmanr(scores, ratings).statistic)
    return 0.0 if np.isnan(rho) else rho


def _fmt(weights: Mapping[str, float]) -> str:
    return ", ".join(f"{f} {w:.3f}" for f, w in weights.items())


def check_outcomes(outcomes: Sequence[Outcome]) -> Sequence[Outcome]:
    """``outcomes`` if there are any; ``InvalidInput`` saying what to load otherwise."""
    if not outcomes:
        raise InvalidInput(
            "no outcomes recorded in the store: load rm:Outcome records (company, centre, rating 0-1) first"
        )
    return outcomes


@dataclass(frozen=True)
class TrainingResult:
    """What ``train_weights`` did: the comparison that accepted the weights, and where they went."""

    comparison: WeightsComparison
    path: Path
    outcomes: int


def train_weights(
    matcher: CentreMatcher,
    outcomes: Sequence[Outcome],
    companies: Sequence[Company],
    path: str | os.PathLike[str],
) -> TrainingResult:
    """Learn weights from ``outcomes`` and save them to ``path`` only if they beat the current ones.

    The current weights are those in ``path`` (or ``DEFAULT_WEIGHTS`` when there is no
    file yet). Raises ``InvalidInput`` when there are no outcomes or when the learned
    weights are refused (``WeightsComparison.problem``); nothing is written then.
    """
    check_outcomes(outcomes)
    path = Path(path)
    current = load_weights(path) if path.exists() else dict(DEFAULT_WEIGHTS)
    report = compare_weights(matcher, outcomes, companies, current)
    if not report.accepted:
        raise InvalidInput(f"not saving the learned weights: {report.problem}\n{report.describe()}")
    save_weights(report.learned, path, outcomes=len(outcomes), previous=report.current, held_out=report.held_out())
    return TrainingResult(report, path, len(outcomes))
