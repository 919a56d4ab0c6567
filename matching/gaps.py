"""Where is the network thin? Coverage and supply vs demand per topic.

:class:`GapAnalyser` answers for the country, a state, a district or one
municipality (``report(region=...)``; the computation always runs over all of
Germany, since catchments cross borders):

* **coverage** — every municipality's straight-line distance to the nearest
  centre and to the nearest regional centre (``is_regional_centre``), population
  and SMEs beyond each radius, districts with no centre located in them, and
  municipalities with a high SME density (top quarter, SMEs per km²) and low
  broadband (bottom quarter of households with ≥ 50 Mbit/s);
* **supply vs demand per topic** — 2SFCA (``matching.fca``): supply = the levels
  (3–5) of the centres engaged at level ≥ 3 in the topic; demand = SMEs (the
  register's district counts spread to municipalities by population) times the
  topic's share in recorded company needs (the state's shares where it records at
  least 100 needs, else the country's). A municipality's score is its
  accessibility divided by the country's supply-to-demand ratio for that topic
  (1 = as well supplied as the country on average); below ``underserved`` (0.5)
  it counts as a gap. The top gaps are district × topic pairs ranked by the SMEs
  with that need in underserved municipalities.

Distances are great-circle (straight-line) kilometres, not road travel times.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graph.errors import InvalidInput, UnknownEntity
from matching._base import Estimator
from matching._geo import haversine_km
from matching.analytics_data import AnalyticsData, is_regional_centre
from matching.analytics_data import radians as _rad
from matching.fca import check_radii, decay_weights, two_step_fca
from matching.gap_results import (
    DISTANCE_NOTE,
    BroadbandHotspot,
    CoverageBand,
    DistrictWithoutCentre,
    GapReport,
    MunicipalityCoverage,
    RadiusSensitivity,
    TopicAccess,
    TopicGap,
)

__all__ = [
    "GapAnalyser",
    "GapReport",
    "MunicipalityCoverage",
    "CoverageBand",
    "DistrictWithoutCentre",
    "BroadbandHotspot",
    "TopicAccess",
    "TopicGap",
    "RadiusSensitivity",
    "DISTANCE_NOTE",
    "unmet_by_state",
    "check_radii",
]

class GapAnalyser(Estimator):
    """Coverage and per-topic 2SFCA over all municipalities.

    Parameters
    ----------
    catchment_km : radii (km) for coverage bands and the 2SFCA sensitivity; the
        middle one is the main 2SFCA radius.
    decay : ``"gaussian"`` (enhanced 2SFCA) or ``"none"`` (classic).
    min_level : the engagement level from which a centre supplies a topic.
    underserved : relative accessibility below which a municipality has a gap.
    top : how many district × topic gaps to list.
    """

    def __init__(
        self,
        *,
        catchment_km: Sequence[float] = (25.0, 50.0, 75.0),
        decay: str = "gaussian",
        min_level: int = 3,
        underserved: float = 0.5,
        top: int = 20,
    ) -> None:
        self.catchment_km = catchment_km
        self.decay = decay
        self.min_level = min_level
        self.underserved = underserved
        self.top = top

    def fit(self, data: AnalyticsData) -> GapAnalyser:
        radii = check_radii(self.catchment_km)
        decay_weights(np.zeros(1), 1.0, self.decay)  # validates the decay name
        self.radii_ = radii
        self.main_radius_ = radii[len(radii) // 2]
        munis = data.municipalities
        self.ags_ = np.array([m.ags for m in munis])
        self.ags_list_ = [m.ags for m in munis]
        self.names_ = {r.ags: r.name for r in (*data.states, *data.districts, *munis)}
        self.pop_ = np.array([m.population or 0 for m in munis], dtype=np.float64)
        sme_map = data.municipality_smes()
        self.smes_ = np.array([sme_map.get(m.ags, 0.0) for m in munis])
        lat = np.array([np.nan if m.lat is None else m.lat for m in munis])
        lon = np.array([np.nan if m.lon is None else m.lon for m in munis])
        self.district_ = np.array([m.district_ags or m.ags[:5] for m in munis])
        self.districts_, self.district_idx_ = np.unique(self.district_, return_inverse=True)
        located = [c for c in data.centres if c.lat is not None and c.lon is not None]
        self.centres_ = tuple(located)
        clat = np.array([c.lat for c in located], dtype=np.float64)
        clon = np.array([c.lon for c in located], dtype=np.float64)
        self.dist_ = haversine_km(*_rad(lat[:, None], lon[:, None], clat[None, :], clon[None, :])).reshape(len(munis), len(located))
        self.regional_ = np.array([is_regional_centre(c) for c in located], dtype=bool)
        self._fit_topics(data)
        self._fit_access()
        self._fit_hotspots(data)
        return self

    def _fit_topics(self, data: AnalyticsData) -> None:
        labels = data.topic_labels()
        country, states = data.need_shares()
        supply: dict[str, np.ndarray] = {}
        for j, c in enumerate(self.centres_):
            for e in c.topics:
                if e.level >= self.min_level:
                    supply.setdefault(e.concept, np.zeros(len(self.centres_)))[j] = float(e.level)
        topics = sorted(set(country) | set(supply))
        self.topics_ = tuple(topics)
        self.topic_keys_ = tuple(t.rsplit("/", 1)[-1] for t in topics)
        self.topic_labels_ = tuple(labels.get(t, (k, k))[0] for t, k in zip(topics, self.topic_keys_, strict=True))
        self.supply_ = np.column_stack([supply.get(t, np.zeros(len(self.centres_))) for t in topics]) \
            if topics else np.zeros((len(self.centres_), 0))
        state_of = np.array([a[:2] for a in self.ags_])
        share = np.zeros((len(self.ags_), len(topics)))
        for s in np.unique(state_of):
            shares = states.get(str(s), country)
            share[state_of == s] = [shares.get(t, 0.0) for t in topics]
        self.demand_ = self.smes_[:, None] * share

    def _fit_access(self) -> None:
        total_s = self.supply_.sum(axis=0)
        total_d = self.demand_.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.reference_ = np.where(total_d > 0, total_s / np.where(total_d > 0, total_d, 1), 0.0)
        self.access_: dict[float, np.ndarray] = {}
        self.score_: dict[float, np.ndarray] = {}
        for r in self.radii_:
            acc, _ = two_step_fca(self.supply_, self.demand_, self.dist_, r, self.decay)
            self.access_[r] = acc
            with np.errstate(divide="ignore", invalid="ignore"):
                self.score_[r] = np.where(self.reference_ > 0, acc / np.where(self.reference_ > 0, self.reference_, 1), 0.0)

    def _fit_hotspots(self, data: AnalyticsData) -> None:
        area = np.array([m.area_km2 or np.nan for m in data.municipalities])
        with np.errstate(divide="ignore", invalid="ignore"):
            self.sme_density_ = self.smes_ / area
        self.broadband_ = np.array(
            [data.municipality_indicators.get(a, {}).get("broadband_50_pct", np.nan) for a in self.ags_]
        )
        self.density_cut_ = float(np.nanpercentile(self.sme_density_, 75)) if np.isfinite(self.sme_density_).any() else np.inf
        self.broadband_cut_ = float(np.nanpercentile(self.broadband_, 25)) if np.isfinite(self.broadband_).any() else -np.inf

    # ------------------------------------------------------------------ queries

    def topic_index(self, topic: str) -> int:
        """Column of a topic given by key, IRI or English label; ``InvalidInput`` if unknown."""
        self._check_fitted("topics_")
        t = str(topic).strip().lower()
        for i, (iri, key, label) in enumerate(zip(self.topics_, self.topic_keys_, self.topic_labels_, strict=True)):
            if t in (iri.lower(), key.lower(), label.lower()):
                return i
        raise InvalidInput(
            f"unknown topic {topic!r}: expected a technology key such as "
            f"{', '.join(self.topic_keys_[:5])}, … ({len(self.topic_keys_)} topics with supply or demand)"
        )

    def region_mask(self, region: str | None) -> np.ndarray:
        """Municipalities inside a state (2-digit), district (5) or municipality (8 digits)."""
        self._check_fitted("ags_")
        if region is None:
            return np.ones(len(self.ags_), dtype=bool)
        key = str(region).strip()
        if not key.isdigit() or len(key) not in (2, 5, 8):
            raise InvalidInput(
                f"invalid region {region!r}: expected a 2-digit state, 5-digit district or "
                "8-digit municipality AGS (e.g. '15', '15083', '15002000')"
            )
        mask = np.char.startswith(self.ags_.astype(str), key)
        if not mask.any():
            raise UnknownEntity(f"unknown region {region!r}: no municipality has an AGS starting with {key}")
        return mask

    def report(self, region: str | None = None, topic: str | None = None) -> GapReport:
        """The gap report for ``region`` (None: Germany), optionally for one topic only."""
        mask = self.region_mask(region)
        cols = [self.topic_index(topic)] if topic is not None else list(range(len(self.topics_)))
        r0 = self.main_radius_
        return GapReport(
            region=region,
            region_name=self.names_.get(str(region), "Deutschland") if region else "Deutschland",
            catchment_km=r0,
            decay=self.decay,
            municipalities=int(mask.sum()),
            population=int(self.pop_[mask].sum()),
            smes=round(float(self.smes_[mask].sum()), 1),
            coverage=self._bands(mask),
            districts_without_centre=self._districts_without(mask),
            hotspots=self._hotspots(mask),
            topics=tuple(self._topic_access(mask, c) for c in cols),
            top_gaps=self._top_gaps(mask, cols),
            sensitivity=self._sensitivity(mask, cols),
            per_municipality=self._per_municipality(mask),
        )

    def scores(self, level: str = "district", topic: str | None = None) -> dict[str, float]:
        """Relative accessibility (1 = national average) at the main radius per district or
        municipality AGS: for one topic, or demand-weighted over all topics."""
        self._check_fitted("score_")
        cols = [self.topic_index(topic)] if topic is not None else list(range(len(self.topics_)))
        sc = self.score_[self.main_radius_][:, cols]
        dem = self.demand_[:, cols]
        if level == "municipality":
            den = dem.sum(axis=1)
            num = (dem * sc).sum(axis=1)
            return {a: float(n / d) for a, n, d in zip(self.ags_list_, num, den, strict=True) if d > 0}
        if level != "district":
            raise InvalidInput(f"unknown level {level!r}: expected 'district' or 'municipality'")
        nd = len(self.districts_)
        num = np.bincount(self.district_idx_, weights=(dem * sc).sum(axis=1), minlength=nd)
        den = np.bincount(self.district_idx_, weights=dem.sum(axis=1), minlength=nd)
        return {str(d): float(n / m) for d, n, m in zip(self.districts_, num, den, strict=True) if m > 0}

    def nearest(self, regional: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(index of nearest centre (n,), km (n,))`` for every municipality (-1 / NaN: none)."""
        d = self.dist_ if not regional else np.where(self.regional_[None, :], self.dist_, np.nan)
        if d.shape[1] == 0 or np.isnan(d).all():
            return np.full(d.shape[0], -1), np.full(d.shape[0], np.nan)
        filled = np.nan_to_num(d, nan=np.inf)
        idx = filled.argmin(axis=1)
        km = filled[np.arange(d.shape[0]), idx]
        return np.where(np.isfinite(km), idx, -1), np.where(np.isfinite(km), km, np.nan)

    def _bands(self, mask: np.ndarray) -> tuple[CoverageBand, ...]:
        _, km = self.nearest()
        _, rkm = self.nearest(regional=True)
        out = []
        for r in self.radii_:
            far = mask & ~(km <= r)
            rfar = mask & ~(rkm <= r)
            out.append(CoverageBand(r, int(far.sum()), int(self.pop_[far].sum()), round(float(self.smes_[far].sum()), 1),
                                    int(self.pop_[rfar].sum()), round(float(self.smes_[rfar].sum()), 1)))
        return tuple(out)

    def _districts_without(self, mask: np.ndarray) -> tuple[DistrictWithoutCentre, ...]:
        with_centre = {c.district_ags or (c.municipality_ags or "")[:5] for c in self.centres_}
        idx, km = self.nearest()
        out = []
        for d in sorted(set(self.district_[mask]) - with_centre):
            rows = np.flatnonzero(self.district_ == d)
            big = rows[np.argmax(self.pop_[rows])]
            j = int(idx[big])
            d = str(d)
            out.append(DistrictWithoutCentre(
                d, self.names_.get(d, d), int(self.pop_[rows].sum()), round(float(self.smes_[rows].sum()), 1),
                self.centres_[j].id if j >= 0 else None, round(float(km[big]), 1) if j >= 0 else None))
        return tuple(sorted(out, key=lambda x: (-x.smes, x.ags)))

    def _hotspots(self, mask: np.ndarray) -> tuple[BroadbandHotspot, ...]:
        hit = mask & (self.sme_density_ >= self.density_cut_) & (self.broadband_ <= self.broadband_cut_)
        rows = np.flatnonzero(hit)
        rows = rows[np.lexsort((rows, -self.smes_[rows]))]
        return tuple(BroadbandHotspot(self.ags_list_[i], self.names_.get(self.ags_list_[i], ""),
                                      round(float(self.sme_density_[i]), 2), float(self.broadband_[i]),
                                      round(float(self.smes_[i]), 1)) for i in rows)

    def _topic_access(self, mask: np.ndarray, c: int) -> TopicAccess:
        score = self.score_[self.main_radius_][:, c]
        dem = self.demand_[mask, c]
        total = float(dem.sum())
        under = mask & (score < self.underserved)
        return TopicAccess(
            topic=self.topic_keys_[c],
            label=self.topic_labels_[c],
            supply=float(self.supply_[:, c].sum()),
            centres=int((self.supply_[:, c] > 0).sum()),
            demand=round(total, 1),
            score=round(float((dem * score[mask]).sum() / total), 3) if total > 0 else 0.0,
            demand_underserved=round(float(self.demand_[under, c].sum()), 1),
        )

    def _district_scores(self, mask: np.ndarray, cols: list[int], radius: float) -> tuple[np.ndarray, np.ndarray]:
        """``(district indices (D,), demand-weighted relative accessibility (D, len(cols)))``
        of the districts with demand inside ``mask``."""
        rows = np.flatnonzero(mask)
        di = self.district_idx_[rows]
        nd = len(self.districts_)
        dem = self.demand_[rows][:, cols]
        sc = self.score_[radius][rows][:, cols]
        num = np.stack([np.bincount(di, weights=dem[:, c] * sc[:, c], minlength=nd) for c in range(len(cols))], axis=1)
        den = np.stack([np.bincount(di, weights=dem[:, c], minlength=nd) for c in range(len(cols))], axis=1)
        keep = np.flatnonzero(den.sum(axis=1) > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(den[keep] > 0, num[keep] / np.where(den[keep] > 0, den[keep], 1), np.nan)
        return keep, out

    def _top_gaps(self, mask: np.ndarray, cols: list[int]) -> tuple[TopicGap, ...]:
        rows = np.flatnonzero(mask)
        di = self.district_idx_[rows]
        nd = len(self.districts_)
        keep, dscore = self._district_scores(mask, cols, self.main_radius_)
        where = {int(d): k for k, d in enumerate(keep)}
        under = self.score_[self.main_radius_][rows][:, cols] < self.underserved
        cand = []
        for ci, c in enumerate(cols):
            u = under[:, ci]
            need = np.bincount(di[u], weights=self.demand_[rows[u], c], minlength=nd)
            for hit in np.flatnonzero(need > 0):
                cand.append((-float(need[hit]), str(self.districts_[hit]), self.topic_keys_[c], int(hit), ci, c))
        cand.sort()
        gaps = []
        for neg, dags, _, d, ci, c in cand[: self.top]:
            u = under[:, ci] & (di == d)
            score = float(dscore[where[d]][ci]) if d in where else 0.0
            gaps.append(TopicGap(
                str(dags), self.names_.get(str(dags), str(dags)), self.topic_keys_[c], self.topic_labels_[c], round(score, 3),
                round(-neg, 1), round(float(self.smes_[rows[u]].sum()), 1), int(self.pop_[rows[u]].sum()),
                self._gap_reason(dags, c, -neg, score),
            ))
        return tuple(gaps)

    def _gap_reason(self, district: str, c: int, need: float, score: float) -> str:
        centres = int((self.supply_[:, c] > 0).sum())
        rows = np.flatnonzero(self.district_ == district)
        cand = np.flatnonzero(self.supply_[:, c] > 0)
        if cand.size:
            big = rows[np.argmax(self.pop_[rows])]
            j = cand[np.argmin(self.dist_[big, cand])]
            near = f"nearest centre strong in it: {self.centres_[j].name} at {self.dist_[big, j]:.0f} km"
        else:
            near = "no centre in Germany is engaged at level ≥ 3"
        return (f"~{need:,.0f} SMEs need {self.topic_labels_[c]} where access is below half the national average "
                f"(district score {score:.2f}; {centres} centres at level ≥ {self.min_level}); {near}")

    def _sensitivity(self, mask: np.ndarray, cols: list[int]) -> tuple[RadiusSensitivity, ...]:
        from scipy.stats import spearmanr

        _, base = self._district_scores(mask, cols, self.main_radius_)
        a = base.ravel()
        out = []
        dem = self.demand_[mask][:, cols]
        total = float(dem.sum())
        for r in self.radii_:
            acc = self.access_[r][mask][:, cols]
            sc = self.score_[r][mask][:, cols]
            b = self._district_scores(mask, cols, r)[1].ravel()
            ok = ~np.isnan(a) & ~np.isnan(b)
            rho = (float(spearmanr(a[ok], b[ok]).statistic)
                   if ok.sum() > 2 and np.std(a[ok]) > 0 and np.std(b[ok]) > 0 else 1.0)
            out.append(RadiusSensitivity(
                r,
                round(float(dem[acc <= 0].sum()) / total, 4) if total > 0 else 0.0,
                round(float((dem * sc).sum()) / total, 3) if total > 0 else 0.0,
                round(rho, 3),
            ))
        return tuple(out)

    def _per_municipality(self, mask: np.ndarray) -> tuple[MunicipalityCoverage, ...]:
        idx, km = self.nearest()
        ridx, rkm = self.nearest(regional=True)
        out = []
        for i in np.flatnonzero(mask):
            j, rj = int(idx[i]), int(ridx[i])
            a = self.ags_list_[i]
            out.append(MunicipalityCoverage(
                a, self.names_.get(a, a), int(self.pop_[i]), round(float(self.smes_[i]), 1),
                self.centres_[j].id if j >= 0 else None, round(float(km[i]), 2) if j >= 0 else None,
                self.centres_[rj].id if rj >= 0 else None, round(float(rkm[i]), 2) if rj >= 0 else None,
            ))
        return tuple(out)


def unmet_by_state(analyser: GapAnalyser) -> dict[str, dict[str, float]]:
    """State AGS -> topic IRI -> SMEs with that need in underserved municipalities (main radius);
    the weights ``CentreNetwork.suggest_links`` uses to favour links that close gaps."""
    analyser._check_fitted("score_")
    under = analyser.score_[analyser.main_radius_] < analyser.underserved
    states = np.array([a[:2] for a in analyser.ags_list_])
    out: dict[str, dict[str, float]] = {}
    for s in np.unique(states):
        rows = states == s
        need = (analyser.demand_[rows] * under[rows]).sum(axis=0)
        out[str(s)] = {t: float(v) for t, v in zip(analyser.topics_, need, strict=True) if v > 0}
    return out
