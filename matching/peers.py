"""Peer regions: "which municipalities (or districts) are like us?".

:class:`PeerFinder` ranks municipalities (8-digit AGS) or districts (5-digit) by a
weighted distance over robust-scaled features (see ``matching._region_features``
for the features and default weights). For two regions ``i``, ``j`` with weights
``w`` and the set ``F`` of features both have::

    d(i, j) = sqrt( sum_{f in F} w_f (z_if - z_jf)^2 / sum_{f in F} w_f )
    similarity = 1 / (1 + d)

so a missing value drops that feature from the pair (never imputed) and the result
names what was skipped. The scaled matrix is computed once in ``fit``; one query
is a handful of vectorised numpy operations over all rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph.errors import InvalidInput, UnknownEntity
from matching._base import Estimator, check_k
from matching._region_features import (
    FeatureMatrix,
    build_matrix,
    check_features,
    default_weights,
    format_value,
)
from matching.analytics_data import AnalyticsData

__all__ = ["PeerFinder", "Peer", "PeerResult", "FeatureComparison", "SCOPES"]

SCOPES = ("country", "state")
_TYPE_COLUMN = {"municipality": "bbsr_municipality_type", "district": "bbsr_district_type"}


@dataclass(frozen=True)
class FeatureComparison:
    """One feature of the query region beside the peer's: ``"broadband ≥ 1 Gbit/s 62 % vs 37 %"``."""

    feature: str
    label: str
    value: str
    peer_value: str
    gap: float  # |difference| in robust-scaled units

    def __str__(self) -> str:
        return f"{self.label} {self.value} vs {self.peer_value}"


@dataclass(frozen=True)
class Peer:
    ags: str
    name: str
    state_ags: str
    population: int | None
    similarity: float  # 1 / (1 + distance), in (0, 1]
    distance: float  # weighted RMS difference in robust-scaled units
    alike: tuple[FeatureComparison, ...]  # the features that make the two alike
    differences: tuple[FeatureComparison, ...]  # the most telling differences
    skipped: tuple[str, ...] = ()  # features left out of this pair (missing on either side)


@dataclass(frozen=True)
class PeerResult:
    ags: str
    name: str
    level: str  # "municipality" | "district"
    scope: str
    peers: tuple[Peer, ...]
    features: tuple[str, ...]  # features used
    weights: tuple[tuple[str, float], ...]
    missing: tuple[str, ...] = ()  # features the query region has no value for
    candidates: int = 0  # regions compared


class PeerFinder(Estimator):
    """k nearest regions over standardised structural features.

    Parameters
    ----------
    weights : feature key -> weight, overriding the documented defaults (0 drops a feature).
    n_reasons : how many alike features and differences each peer lists.
    """

    def __init__(self, *, weights: dict[str, float] | None = None, n_reasons: int = 3) -> None:
        self.weights = weights
        self.n_reasons = n_reasons

    def fit(self, data: AnalyticsData) -> PeerFinder:
        """Build the scaled matrices of municipalities and districts."""
        user = self._check_weights()
        self.matrices_: dict[str, FeatureMatrix] = {}
        self.row_: dict[str, dict[str, int]] = {}
        self.weights_: dict[str, np.ndarray] = {}
        self.present_: dict[str, np.ndarray] = {}
        self.filled_: dict[str, np.ndarray] = {}
        for level in ("municipality", "district"):
            fm = build_matrix(data, level)
            self.matrices_[level] = fm
            self.row_[level] = {a: i for i, a in enumerate(fm.ags)}
            w = default_weights(level)
            w.update({k: float(v) for k, v in user.items() if k in w})
            self.weights_[level] = np.array([w[f.key] for f in fm.features])
            self.present_[level] = (~np.isnan(fm.scaled)).astype(np.float64)
            self.filled_[level] = np.nan_to_num(fm.scaled)
        regions = data.region_index()
        self.names_ = {a: regions[a].name for lv in self.matrices_.values() for a in lv.ags if a in regions}
        self.population_ = {a: regions[a].population for a in self.names_}
        mind, dind = data.municipality_indicators, data.district_indicators
        self.type_ = {
            "municipality": np.array([mind.get(a, {}).get(_TYPE_COLUMN["municipality"], np.nan)
                                      for a in self.matrices_["municipality"].ags]),
            "district": np.array([dind.get(a, {}).get(_TYPE_COLUMN["district"], np.nan)
                                  for a in self.matrices_["district"].ags]),
        }
        self.state_ = {lv: np.array([a[:2] for a in fm.ags]) for lv, fm in self.matrices_.items()}
        neighbours: dict[str, set[str]] = defaultdict(set)
        for a, b in (*data.municipality_adjacency, *data.district_adjacency):
            neighbours[a].add(b)
            neighbours[b].add(a)
        self.neighbours_ = {k: frozenset(v) for k, v in neighbours.items()}
        return self

    def _check_weights(self) -> dict[str, float]:
        valid = {**default_weights("municipality"), **default_weights("district")}
        for k, v in (self.weights or {}).items():
            if k not in valid:
                raise InvalidInput(f"unknown feature {k!r} in weights; valid: {', '.join(valid)}")
            if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
                raise InvalidInput(f"weight of {k!r} must be a number ≥ 0, got {v!r}")
        return dict(self.weights or {})

    def level_of(self, ags: str) -> str:
        """``"municipality"`` or ``"district"`` for a known AGS; ``UnknownEntity`` otherwise."""
        self._check_fitted("matrices_")
        key = str(ags).strip()
        for level, rows in self.row_.items():
            if key in rows:
                return level
        if not key.isdigit() or len(key) not in (5, 8):
            raise InvalidInput(
                f"invalid AGS {ags!r}: expected an 8-digit municipality AGS (e.g. '15002000') "
                "or a 5-digit district AGS (e.g. '15083')"
            )
        raise UnknownEntity(
            f"unknown AGS {ags!r}: no such {'municipality' if len(key) == 8 else 'district'} "
            "(peers compare municipalities by 8-digit and districts by 5-digit AGS)"
        )

    def peers(
        self,
        ags: str,
        k: int = 10,
        *,
        scope: str = "country",
        same_type: bool = False,
        exclude_neighbours: bool = False,
        features: Sequence[str] | None = None,
    ) -> PeerResult:
        """The ``k`` regions most like ``ags`` (same level), best first."""
        k = check_k(k)
        if scope not in SCOPES:
            raise InvalidInput(f"unknown scope {scope!r}: expected one of {', '.join(SCOPES)}")
        level = self.level_of(ags)
        fm = self.matrices_[level]
        use = check_features(level, features)
        i = self.row_[level][str(ags).strip()]
        cols = np.array([f.key in use for f in fm.features]) & (self.weights_[level] > 0)
        w = self.weights_[level] * cols
        q = fm.scaled[i]
        missing = tuple(f.key for f, has, c in zip(fm.features, ~np.isnan(q), cols, strict=True) if c and not has)
        dist = self._distances(level, q, w)
        ok = np.isfinite(dist)
        ok[i] = False
        if scope == "state":
            ok &= self.state_[level] == self.state_[level][i]
        if same_type:
            t = self.type_[level]
            ok &= t == t[i]  # NaN never equals: a region without a type has no same-type peers
        if exclude_neighbours:
            rows = self.row_[level]
            near = [rows[a] for a in self.neighbours_.get(fm.ags[i], ()) if a in rows]
            ok[near] = False
        cand = np.flatnonzero(ok)
        if cand.size > k:  # partial selection first; ties broken by AGS order for stable results
            cand_k = cand[np.argpartition(dist[cand], k - 1)[:k]]
            cutoff = dist[cand_k].max()
            cand_k = cand[dist[cand] <= cutoff]
        else:
            cand_k = cand
        top = cand_k[np.lexsort((cand_k, dist[cand_k]))][:k]
        peers = tuple(self._peer(fm, i, j, float(dist[j]), w, use) for j in top)
        return PeerResult(
            ags=fm.ags[i],
            name=self.names_.get(fm.ags[i], fm.ags[i]),
            level=level,
            scope=scope,
            peers=peers,
            features=tuple(f.key for f, c in zip(fm.features, cols, strict=True) if c),
            weights=tuple((f.key, float(x)) for f, x in zip(fm.features, w, strict=True) if x > 0),
            missing=missing,
            candidates=int(cand.size),
        )

    def _distances(self, level: str, q: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Weighted RMS distance of every region of ``level`` to the scaled row ``q (f,)``,
        over the features both have; ``inf`` where they share none."""
        cols = np.flatnonzero(~np.isnan(q) & (w > 0))
        z0, present = self.filled_[level][:, cols], self.present_[level][:, cols]
        diff = z0 - q[cols]
        num = (diff * diff * present) @ w[cols]
        den = present @ w[cols]
        with np.errstate(invalid="ignore", divide="ignore"):
            dist = np.sqrt(num / den)
        dist[den == 0] = np.inf
        return dist

    def _peer(self, fm: FeatureMatrix, i: int, j: int, dist: float, w: np.ndarray, use: tuple[str, ...]) -> Peer:
        gaps = np.abs(fm.scaled[i] - fm.scaled[j]) * np.sqrt(w)
        comps = []
        skipped = []
        telling: dict[str, float] = {}
        for c, f in enumerate(fm.features):
            if w[c] <= 0:
                continue
            if np.isnan(gaps[c]):
                skipped.append(f.key)
                continue
            comps.append(
                FeatureComparison(f.key, f.label_en, format_value(f, fm.raw[i, c]),
                                  format_value(f, fm.raw[j, c]), round(float(gaps[c]), 3))
            )
            # alike is telling when both are far from the typical region in the same direction
            shared = min(abs(fm.scaled[i, c]), abs(fm.scaled[j, c])) * (np.sign(fm.scaled[i, c]) == np.sign(fm.scaled[j, c]))
            telling[f.key] = float(gaps[c]) - 0.5 * float(shared) * float(np.sqrt(w[c]))
        n = max(0, int(self.n_reasons))
        alike = [x for x in sorted(comps, key=lambda x: (telling[x.feature], x.feature)) if x.gap < 0.5][:n]
        differ = [x for x in sorted(comps, key=lambda x: (-x.gap, x.feature)) if x.gap >= 0.5][:n]
        a = fm.ags[j]
        return Peer(
            ags=a,
            name=self.names_.get(a, a),
            state_ags=a[:2],
            population=self.population_.get(a),
            similarity=round(1.0 / (1.0 + dist), 4),
            distance=round(dist, 4),
            alike=tuple(alike),
            differences=tuple(differ),
            skipped=tuple(skipped),
        )
