"""Learn the ranker's factor weights from recorded referral outcomes.

An outcome (``rm:Outcome``) says how a company rated a centre it was referred to:
1 accepted / helpful, 0 declined. For each outcome the fitted matcher computes the
centre's five factor values for the company's query (``CentreMatcher.factor_matrix``);
a ridge regression with non-negative coefficients (scikit-learn's
``Ridge(positive=True)``) then predicts the rating from them. The coefficients,
scaled to sum to 1, are the new weights: factors that go with good referrals count
more, factors that do not drop towards 0.

Weights are kept as a small JSON file (``{"weights": {...}, "outcomes": n, ...}``),
by default in the store directory (``weights_path``); ``CentreMatcher(weights=path)``
uses them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput

if TYPE_CHECKING:
    from graph.records import Company, Outcome
    from matching.ranker import CentreMatcher

__all__ = ["fit_weights", "save_weights", "load_weights", "weights_path", "MIN_OUTCOMES", "WEIGHTS_FILE"]

MIN_OUTCOMES = 10
WEIGHTS_FILE = "matching-weights.json"


def training_data(
    matcher: CentreMatcher, outcomes: Sequence[Outcome], companies: Sequence[Company]
) -> tuple[np.ndarray, np.ndarray]:
    """``(X (n, n_factors), y (n,))``: factor values and rating of each usable outcome.

    Outcomes whose company or centre is unknown, or whose company has neither need
    text nor needs, are skipped.
    """
    from graph.errors import RegiomatchError
    from matching.query import MatchQuery

    by_iri = {c.iri: c for c in companies}
    wanted: dict[str, list[tuple[int, float]]] = {}
    for o in outcomes:
        row = matcher.centre_row_.get(o.centre)
        if row is not None and o.company in by_iri:
            wanted.setdefault(o.company, []).append((row, float(o.rating)))
    xs, ys = [], []
    for company_iri, pairs in wanted.items():
        try:
            factors = matcher.factor_matrix(MatchQuery.for_company(by_iri[company_iri]))
        except RegiomatchError:
            continue
        for row, rating in pairs:
            xs.append(factors[row])
            ys.append(rating)
    width = len(matcher.FACTORS)
    return np.array(xs, dtype=np.float64).reshape(-1, width), np.array(ys, dtype=np.float64)


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
    ratings are equal, or when no factor predicts the ratings.
    """
    from sklearn.linear_model import Ridge

    matcher._check_fitted("centre_vectors_")
    x, y = training_data(matcher, outcomes, companies)
    if len(y) < MIN_OUTCOMES:
        raise InvalidInput(
            f"{len(y)} usable outcome(s) of {len(outcomes)} recorded; learning weights needs at "
            f"least {MIN_OUTCOMES} (outcomes naming a known company and centre)"
        )
    if np.ptp(y) == 0:
        raise InvalidInput(f"all {len(y)} outcomes have rating {y[0]:g}; learning needs both good and bad referrals")
    model = Ridge(alpha=alpha, positive=True, fit_intercept=True).fit(x, y)
    coef = np.clip(model.coef_, 0.0, None)
    if coef.sum() <= 0:
        raise InvalidInput(
            f"no factor predicts the {len(y)} outcomes' ratings; keeping the current weights is better"
        )
    coef = coef / coef.sum()
    return {f: round(float(c), 4) for f, c in zip(matcher.FACTORS, coef)}


def weights_path(store_location: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the learned weights of a store live: inside an embedded store's directory,
    or (for a SPARQL endpoint URL) in ``cache_dir`` under a name derived from the URL."""
    loc = os.fspath(store_location)
    if loc.startswith(("http://", "https://")):
        import hashlib

        if cache_dir is None:
            raise InvalidInput(f"a remote store ({loc}) needs a cache directory for its weights")
        return Path(cache_dir) / f"weights-{hashlib.sha256(loc.encode()).hexdigest()[:12]}.json"
    return Path(loc).expanduser() / WEIGHTS_FILE


def save_weights(weights: dict[str, float], path: str | os.PathLike[str], **meta: Any) -> Path:
    """Write ``weights`` (and ``meta``, e.g. the number of outcomes) as JSON; atomic replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"weights": weights, "created": datetime.now(UTC).isoformat(timespec="seconds"), **meta}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_weights(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read a weights file written by :func:`save_weights` (checked like ``weights=`` dicts)."""
    from matching.ranker import FACTORS, _resolve_weights

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnreadableInput(f"no weights file at {os.fspath(path)!r}: run 'regiomatch train' first") from None
    except (OSError, ValueError) as exc:
        raise UnreadableInput(f"cannot read the weights file {os.fspath(path)!r}: {exc}") from exc
    weights = doc.get("weights") if isinstance(doc, dict) else None
    if not isinstance(weights, dict):
        raise UnreadableInput(
            f"{os.fspath(path)!r} is not a weights file: expected {{\"weights\": {{{', '.join(FACTORS)}}}}}"
        )
    return _resolve_weights(weights)
