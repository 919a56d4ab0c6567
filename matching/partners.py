"""Partners for a centre: whom to team up with, and which regions to reach.

:class:`PartnerFinder` has three modes:

``similar``
    centres with a like profile, to exchange experience: cosine similarity of
    engagement vectors over technologies, services and sectors, each entry
    ``level / 5 * idf`` with ``idf = log((1 + N) / (1 + df)) + 1`` so near-universal
    tags (AI) count for less; with an encoder, ``(1 - text_weight) * engagement +
    text_weight * text`` (cosine of the encoded profiles).
``complementary``
    centres strong (level ≥ 3) in topics this centre lacks (below level 3) but
    that the SMEs of its region need: the region is what it serves (a state
    expands to its districts); a topic's need is the region's SMEs (real register
    counts) times the topic's share in recorded company needs. Score = the share
    of the region's needs the partner covers where this centre cannot (times
    level / 5), times its reach: 1 for national centres and centres serving the
    region, else ``0.5 + 0.5 * exp(-km / (3 * scale_km))``.
``regions``
    districts this centre is best placed to reach: ``proximity * (1 - covered by
    others) * fit``, with proximity ``exp(-km / scale_km)`` from the centre, cover by
    the best-placed other regional centre in the same form, and fit the district's
    SMEs whose needs the centre covers at level ≥ 3 (relative to the best district;
    a centre with no topic at level ≥ 3 is judged by all its topics).

Distances are straight-line kilometres between the centres' municipalities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput, UnknownEntity
from matching._base import Estimator, check_k, encode_cached, resolve_encoder
from matching._geo import haversine_km
from matching.analytics_data import AnalyticsData, is_regional_centre
from matching.analytics_data import radians as _rad

if TYPE_CHECKING:
    from matching.encoder import Encoder

__all__ = ["PartnerFinder", "PartnerSuggestion", "RegionSuggestion", "MODES"]

MODES = ("similar", "complementary", "regions")


@dataclass(frozen=True)
class PartnerSuggestion:
    id: str
    name: str
    centre_type: str
    score: float
    distance_km: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RegionSuggestion:
    ags: str
    name: str
    score: float
    distance_km: float | None
    population: int
    smes: float
    reasons: tuple[str, ...]


class PartnerFinder(Estimator):
    """Partner centres and regions for a centre, with reasons.

    Parameters
    ----------
    encoder : optional encoder (kind name or object) for the text part of ``similar``.
    text_weight : weight of text similarity when an encoder is given.
    scale_km : distance scale of proximity in ``regions`` mode.
    min_level : engagement level from which a topic is a strength.
    vector_cache : directory of the vector cache for encoded profiles.
    """

    def __init__(
        self,
        *,
        encoder: str | Encoder | None = None,
        text_weight: float = 0.3,
        scale_km: float = 50.0,
        min_level: int = 3,
        vector_cache: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.text_weight = text_weight
        self.scale_km = scale_km
        self.min_level = min_level
        self.vector_cache = vector_cache

    def fit(self, data: AnalyticsData) -> PartnerFinder:
        centres = data.centres
        self.centres_ = centres
        self.index_ = {c.id: i for i, c in enumerate(centres)}
        vocab: dict[str, int] = {}
        self.labels_: dict[str, str] = {}
        for c in centres:
            for e in (*c.topics, *c.services, *c.sectors):
                vocab.setdefault(e.concept, len(vocab))
                self.labels_.setdefault(e.concept, e.label_en or e.concept.rsplit("/", 1)[-1])
        self.labels_.update({k: v[0] for k, v in data.topic_labels().items() if k not in self.labels_})
        levels = np.zeros((len(centres), len(vocab)))
        for i, c in enumerate(centres):
            for e in (*c.topics, *c.services, *c.sectors):
                levels[i, vocab[e.concept]] = e.level
        df = (levels > 0).sum(axis=0)
        self.idf_ = np.log((1 + len(centres)) / (1 + df)) + 1.0
        vec = levels / 5.0 * self.idf_
        norm = np.linalg.norm(vec, axis=1, keepdims=True)
        self.vectors_ = np.divide(vec, norm, out=np.zeros_like(vec), where=norm > 0)
        self.vocab_ = tuple(vocab)
        self.levels_ = levels
        self.text_ = None
        if self.encoder is not None:
            enc = resolve_encoder(self.encoder, None, None)
            texts = [f"{c.name}. {c.title}. {c.description}".strip() for c in centres]
            t = encode_cached(texts, enc, self.vector_cache).astype(np.float64)
            tn = np.linalg.norm(t, axis=1, keepdims=True)
            self.text_ = np.divide(t, tn, out=np.zeros_like(t), where=tn > 0)
        lat = np.array([np.nan if c.lat is None else c.lat for c in centres], dtype=np.float64)
        lon = np.array([np.nan if c.lon is None else c.lon for c in centres], dtype=np.float64)
        self.centre_km_ = haversine_km(*_rad(lat[:, None], lon[:, None], lat[None, :], lon[None, :]))
        self._fit_regions(data, lat, lon)
        return self

    def _fit_regions(self, data: AnalyticsData, lat: np.ndarray, lon: np.ndarray) -> None:
        """District centroids (population-weighted), SMEs and topic needs."""
        acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for m in data.municipalities:
            if m.lat is not None and m.lon is not None and m.population:
                a = acc[m.district_ags or m.ags[:5]]
                a[0] += m.lat * m.population
                a[1] += m.lon * m.population
                a[2] += m.population
        districts = [d for d in data.districts if acc.get(d.ags, [0, 0, 0])[2] > 0]
        self.districts_ = tuple(districts)
        self.district_index_ = {d.ags: i for i, d in enumerate(districts)}
        dlat = np.array([acc[d.ags][0] / acc[d.ags][2] for d in districts])
        dlon = np.array([acc[d.ags][1] / acc[d.ags][2] for d in districts])
        self.district_km_ = haversine_km(*_rad(dlat[:, None], dlon[:, None], lat[None, :], lon[None, :])).reshape(
            len(districts), len(self.centres_))
        smes = data.district_smes()
        self.district_smes_ = np.array([smes.get(d.ags, 0.0) for d in districts])
        country, states = data.need_shares()
        col = {t: self.vocab_.index(t) for t in self.vocab_}
        self.need_ = np.zeros((len(districts), len(self.vocab_)))  # SMEs with each need, per district
        for i, d in enumerate(districts):
            shares = states.get(d.ags[:2], country)
            for t, s in shares.items():
                if t in col:
                    self.need_[i, col[t]] = s * self.district_smes_[i]
        self.regional_ = np.array([is_regional_centre(c) for c in self.centres_], dtype=bool)

    # ------------------------------------------------------------------ queries

    def partners(self, centre_id: str, k: int = 10, mode: str = "similar") -> tuple[Any, ...]:
        """Suggestions for ``centre_id``: ``PartnerSuggestion`` (similar, complementary)
        or ``RegionSuggestion`` (regions), best first."""
        self._check_fitted("vectors_")
        k = check_k(k)
        if mode not in MODES:
            raise InvalidInput(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
        if centre_id not in self.index_:
            known = ", ".join(sorted(self.index_)[:5])
            raise UnknownEntity(f"unknown centre id {centre_id!r}: the store has {len(self.index_)} centres, e.g. {known}, …")
        i = self.index_[centre_id]
        return {"similar": self._similar, "complementary": self._complementary, "regions": self._regions}[mode](i, k)

    def _km(self, i: int, j: int) -> float | None:
        v = self.centre_km_[i, j]
        return None if np.isnan(v) else round(float(v), 1)

    def _topic_level(self, i: int, t: int) -> int:
        return int(self.levels_[i, t])

    def _similar(self, i: int, k: int) -> tuple[PartnerSuggestion, ...]:
        eng = self.vectors_ @ self.vectors_[i]
        score = eng
        if self.text_ is not None:
            score = (1 - self.text_weight) * eng + self.text_weight * (self.text_ @ self.text_[i])
        order = [j for j in np.lexsort((np.arange(len(score)), -score)) if j != i and score[j] > 0][:k]
        out = []
        for j in order:
            shared = np.flatnonzero((self.levels_[i] > 0) & (self.levels_[j] > 0))
            shared = shared[np.argsort(-(self.idf_[shared] * np.minimum(self.levels_[i, shared], self.levels_[j, shared])))]
            reasons = []
            if shared.size:
                reasons.append("shared: " + ", ".join(
                    f"{self.labels_[self.vocab_[t]]} {self._topic_level(i, t)}/{self._topic_level(j, t)}" for t in shared[:4]))
            reasons.append(f"engagement similarity {eng[j]:.2f}" + (
                f", profile text similarity {float(self.text_[j] @ self.text_[i]):.2f}" if self.text_ is not None else ""))
            reasons.extend(self._place_reasons(i, j))
            out.append(self._suggestion(j, float(score[j]), reasons, i))
        return tuple(out)

    def _region_rows(self, i: int) -> np.ndarray:
        """Districts of the region a centre serves (its own district if it records none)."""
        c = self.centres_[i]
        served = set(c.served_ags) or ({c.district_ags} if c.district_ags else set())
        rows = [r for r, d in enumerate(self.districts_) if d.ags in served or d.ags[:2] in served
                or any(a[:5] == d.ags for a in served if len(a) == 8)]
        return np.array(rows, dtype=np.intp)

    def _complementary(self, i: int, k: int) -> tuple[PartnerSuggestion, ...]:
        rows = self._region_rows(i)
        need = self.need_[rows].sum(axis=0) if rows.size else np.zeros(len(self.vocab_))
        total = need.sum()
        lacks = self.levels_[i] < self.min_level
        strong = self.levels_ >= self.min_level
        gain = (strong & lacks) * need * (self.levels_ / 5.0)
        score = gain.sum(axis=1) / total if total > 0 else np.zeros(len(self.centres_))
        score = score * self._reach(i, rows)
        order = [j for j in np.lexsort((np.arange(len(score)), -score)) if j != i and score[j] > 0][:k]
        out = []
        for j in order:
            hits = np.flatnonzero(gain[j] > 0)
            ts = [int(t) for t in hits[np.argsort(-gain[j, hits])][:3]]
            reasons = [
                f"strong in {self.labels_[self.vocab_[t]]} ({self._topic_level(j, t)}), which this centre "
                + (f"has only at level {self._topic_level(i, t)}" if self.levels_[i, t] else "lacks")
                + f" — {need[t] / total:.0%} of its region's SME needs (~{need[t]:,.0f} SMEs)"
                for t in ts
            ]
            reasons.extend(self._place_reasons(i, j))
            out.append(self._suggestion(j, float(score[j]), reasons, i))
        return tuple(out)

    def _reach(self, i: int, rows: np.ndarray) -> np.ndarray:
        """How well each centre can take referrals from centre ``i``'s region, in [0.5, 1]:
        1 for national centres and those serving the region, else decaying with distance."""
        km = np.nan_to_num(self.centre_km_[i], nan=np.inf)
        reach = 0.5 + 0.5 * np.exp(-km / (3 * self.scale_km))
        region = {self.districts_[r].ags for r in rows} | {self.districts_[r].ags[:2] for r in rows}
        for j, c in enumerate(self.centres_):
            if (c.scope or "") == "national" or region & set(c.served_ags):
                reach[j] = 1.0
        return reach

    def _regions(self, i: int, k: int) -> tuple[RegionSuggestion, ...]:
        km = self.district_km_[:, i]
        if np.isnan(km).all():
            raise InvalidInput(f"centre {self.centres_[i].id!r} has no location: regions mode needs one")
        prox = np.exp(-np.nan_to_num(km, nan=np.inf) / self.scale_km)
        others = self.regional_.copy()
        others[i] = False
        other_km = np.where(others[None, :], self.district_km_, np.nan)
        nearest_other = np.nanmin(np.nan_to_num(other_km, nan=np.inf), axis=1) if others.any() else np.full(len(km), np.inf)
        covered = np.exp(-nearest_other / self.scale_km)
        strength = np.where(self.levels_[i] >= self.min_level, self.levels_[i] / 5.0, 0.0)
        if not (self.need_ @ strength).any():  # no needed topic at level >= min_level: use all it offers
            strength = self.levels_[i] / 5.0
        served = self.need_ @ strength
        fit = served / served.max() if served.max() > 0 else served
        score = prox * (1 - covered) * fit
        order = [r for r in np.lexsort((np.arange(len(score)), -score)) if score[r] > 0][:k]
        strong = np.flatnonzero(strength > 0)
        out = []
        for r in order:
            d = self.districts_[r]
            top = strong[np.argsort(-(self.need_[r, strong] * strength[strong]))]
            top = top[self.need_[r, top] > 0][:3]
            j = int(np.argmin(np.nan_to_num(other_km[r], nan=np.inf))) if others.any() else -1
            reasons = [f"{km[r]:.0f} km away (straight line)"]
            if j >= 0 and np.isfinite(nearest_other[r]):
                reasons.append(f"nearest other regional centre: {self.centres_[j].name} at {nearest_other[r]:.0f} km")
            if top.size:
                reasons.append(f"~{self.need_[r, strong].sum():,.0f} SMEs need what it offers: " + ", ".join(
                    f"{self.labels_[self.vocab_[t]]} {self._topic_level(i, t)} (~{self.need_[r, t]:,.0f} SMEs)" for t in top))
            out.append(RegionSuggestion(d.ags, d.name, round(float(score[r]), 4), round(float(km[r]), 1),
                                        int(d.population or 0), round(float(self.district_smes_[r]), 1), tuple(reasons)))
        return tuple(out)

    def _place_reasons(self, i: int, j: int) -> list[str]:
        out = []
        km = self._km(i, j)
        if km is not None:
            out.append(f"{km:.0f} km apart (straight line)")
        shared = sorted(set(self.centres_[i].served_ags) & set(self.centres_[j].served_ags))
        if shared:
            out.append(f"both serve {len(shared)} region(s): {', '.join(shared[:5])}")
        return out

    def _suggestion(self, j: int, score: float, reasons: list[str], i: int) -> PartnerSuggestion:
        c = self.centres_[j]
        return PartnerSuggestion(c.id, c.name, c.centre_type, round(score, 4), self._km(i, j), tuple(reasons))
