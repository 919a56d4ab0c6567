"""The learned ranking function: expertise within reach first, fitted on judged needs.

``CentreMatcher`` scores a centre for a need from *features*, each a credit in
[0, 1] that belongs to one of the five factors, so the reasons can still be given per
factor (their contributions add up to the score):

=================  =========  ==========================================================
feature            factor     what it is
=================  =========  ==========================================================
text               text       cosine of the need with the centre's profile
text_untagged      text       the same, for centres without technology tags (what they
                              do is known only from their description)
text_relative      text       the cosine rescaled over this need's centres: 1 for the
                              closest, 0 for the farthest
topic              topic      the topic factor of ``matching._concepts`` (related,
                              broader and sibling concepts earn partial credit)
specialist_reach   topic      share of the need's main concepts (the 3 best, weighted
                              by their scores) offered at level 4-5, by a centre that can
                              serve the asker (national/international scope or in the
                              asker's state; every centre when no place is given)
level3_reach       topic      the same at level 3
level12_reach      topic      the same at level 1-2
specialist_far     topic      level 4-5 by a centre out of reach
level3_far         topic      level 3 by a centre out of reach
service            service    the service factor
sector             sector     the sector factor (NACE of the asker)
sector_reach       sector     the same, for centres within reach
geography          geography  the geography factor of ``matching._geo``
local              geography  the centre sits in the asker's municipality or district or
                              serves it (geography factor >= 0.85)
neighbour          geography  the centre sits in a neighbouring district (0.7 to 0.85)
home_general       geography  a general centre (regional Mittelstand-Digital, all topics) of
                              the asker's state
near_far           geography  ``exp(-km / 150)`` for centres out of reach
general_reach      geography  a general regional centre within reach of a located asker
country_named      geography  the need names the centre's country ("SME in Portugal",
                              "a Greek start-up"; ``rank_features.COUNTRY_WORDS``)
=================  =========  ==========================================================

The features of one need are computed by ``matching.rank_features``. The weights are
non-negative (every feature is a reason to rank a centre higher) and
fitted by :func:`fit_rank_model`: a pairwise logistic loss over the pairs of centres a
judged need grades differently (a linear RankNet), L2-regularised, solved with
SciPy's bounded L-BFGS. ``python -m matching.build_rank_model`` fits them on the two dev
sets (the fair set's dev half and the second dev set) and the two older labelled sets and
writes ``matching/data/rank_model.json``; the fair set's test half and the held-out sets
are never read there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput
from matching._files import read_json
from matching.weights import FACTORS

__all__ = ["FEATURES", "FEATURE_NAMES", "DEFAULT_RANK_MODEL", "RankModel", "fit_rank_model", "load_rank_model"]

FEATURES: tuple[tuple[str, str], ...] = (
    ("text", "text"),
    ("text_untagged", "text"),
    ("text_relative", "text"),
    ("topic", "topic"),
    ("specialist_reach", "topic"),
    ("level3_reach", "topic"),
    ("level12_reach", "topic"),
    ("specialist_far", "topic"),
    ("level3_far", "topic"),
    ("service", "service"),
    ("sector", "sector"),
    ("sector_reach", "sector"),
    ("geography", "geography"),
    ("local", "geography"),
    ("neighbour", "geography"),
    ("home_general", "geography"),
    ("near_far", "geography"),
    ("general_reach", "geography"),
    ("country_named", "geography"),
)
# how a need names a centre's country (English and German names and adjectives)
FEATURE_NAMES = tuple(name for name, _ in FEATURES)
DEFAULT_RANK_MODEL = Path(__file__).resolve().parent / "data" / "rank_model.json"
_FORMAT = "regiomatch-rank-model/1"


@dataclass(frozen=True, eq=False)
class RankModel:
    """Non-negative feature weights, scaled so a centre with every credit at 1 scores 1."""

    weights: np.ndarray  # (len(FEATURES),)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=np.float32)
        if w.shape != (len(FEATURES),) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise InvalidInput(
                f"a rank model needs {len(FEATURES)} finite non-negative weights, not all zero; got {self.weights!r}"
            )
        object.__setattr__(self, "weights", w / w.sum())
        group = np.zeros((len(FEATURES), len(FACTORS)), dtype=np.float32)
        for j, (_, factor) in enumerate(FEATURES):
            group[j, FACTORS.index(factor)] = 1.0
        object.__setattr__(self, "_group", group)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """``(n, len(FACTORS))`` each factor's share of the score for feature rows ``x`` ``(n, len(FEATURES))``."""
        return (x * self.weights) @ self._group  # type: ignore[attr-defined]

    def score(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights

    def to_json(self) -> str:
        doc = {"format": _FORMAT, "features": dict(zip(FEATURE_NAMES, (round(float(v), 6) for v in self.weights),
                                                        strict=True)), **self.meta}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load_rank_model(path: str | os.PathLike[str] = DEFAULT_RANK_MODEL) -> RankModel:
    """Read a rank model written by ``python -m matching.build_rank_model``."""
    doc = read_json(path, "rank model",
                    f"no rank model at {os.fspath(path)!r}: run 'python -m matching.build_rank_model'")
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT or not isinstance(doc.get("features"), dict):
        raise UnreadableInput(f"{os.fspath(path)!r} is not a rank model (format {_FORMAT!r} expected)")
    given = doc["features"]
    missing = [n for n in FEATURE_NAMES if n not in given]
    unknown = sorted(set(given) - set(FEATURE_NAMES))
    if missing or unknown:
        raise UnreadableInput(
            f"rank model {os.fspath(path)!r} does not fit this version: missing {missing or 'none'}, "
            f"unknown {unknown or 'none'}; rebuild it with 'python -m matching.build_rank_model'"
        )
    meta = {k: v for k, v in doc.items() if k not in ("format", "features")}
    try:
        return RankModel(np.array([given[n] for n in FEATURE_NAMES], dtype=np.float64), meta)
    except (InvalidInput, TypeError, ValueError) as exc:
        raise UnreadableInput(f"rank model {os.fspath(path)!r}: {exc}") from None


def fit_rank_model(
    groups: Sequence[tuple[np.ndarray, np.ndarray, float]], *, l2: float = 1e-3, meta: dict[str, Any] | None = None
) -> RankModel:
    """Fit non-negative weights on judged needs.

    Each group is one need: its feature rows ``(n_centres, len(FEATURES))``, the grades
    ``(n_centres,)`` (0-3) and a weight. Every pair (a, b) with grade_a > grade_b adds
    ``log(1 + exp(-(x_a - x_b) . w))``, weighted by the need's weight over its number of
    graded centres (so needs with many relevant centres do not dominate).
    """
    from scipy.optimize import minimize

    diffs, weights = [], []
    for x, grades, weight in groups:
        grades = np.asarray(grades)
        hi, lo = np.nonzero(grades[:, None] > grades[None, :])
        if hi.size:
            diffs.append(x[hi] - x[lo])
            weights.append(np.full(hi.size, weight / max(1, int((grades > 0).sum())), dtype=np.float64))
    if not diffs:
        raise InvalidInput("no judged pairs to fit a rank model on: every need grades its centres alike")
    d = np.vstack(diffs).astype(np.float64)
    sw = np.concatenate(weights)
    sw /= sw.mean()

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = d @ w
        g = -sw / (1.0 + np.exp(z))
        return float((sw * np.logaddexp(0.0, -z)).mean() + l2 * w @ w), d.T @ g / len(d) + 2 * l2 * w

    res = minimize(loss, np.ones(d.shape[1]), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * d.shape[1])
    return RankModel(res.x, dict(meta or {}))
