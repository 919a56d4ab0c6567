"""A typology of all municipalities: a few types, each described from its feature profile.

:class:`RegionTypology` clusters every municipality with k-means on the same
robust-scaled, weighted features as the peers (``matching._region_features``).
k-means needs complete rows, so for clustering only a missing value is put at the
median (0 on the robust scale); how many values that touched is reported in
``n_filled_``. Stability: the clustering is refitted on bootstrap resamples, each
refit labels all municipalities, and the adjusted Rand index against the full fit
is reported (1 = identical partitions, 0 = chance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching._base import Estimator
from matching._region_features import build_matrix, default_weights, format_value
from matching.analytics_data import AnalyticsData

__all__ = ["RegionTypology", "RegionType"]

_STRONG = 0.75  # |median scaled value| from which a feature characterises a type


@dataclass(frozen=True)
class RegionType:
    id: int
    name_en: str
    name_de: str
    description_en: str
    description_de: str
    size: int  # municipalities
    population: int
    profile: tuple[tuple[str, str], ...]  # (feature, median value as printed)


class RegionTypology(Estimator):
    """k-means types of municipalities with generated descriptions and a stability score.

    Parameters
    ----------
    n_types : number of types (k of k-means).
    n_bootstrap : bootstrap refits for the stability score (0 skips it).
    random_state : seed of k-means and of the resampling.
    """

    def __init__(self, *, n_types: int = 7, n_bootstrap: int = 10, random_state: int = 0) -> None:
        self.n_types = n_types
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state

    def fit(self, data: AnalyticsData) -> RegionTypology:
        from sklearn.cluster import KMeans
        from sklearn.metrics import adjusted_rand_score

        fm = build_matrix(data, "municipality")
        w = np.sqrt(np.array([default_weights("municipality")[f.key] for f in fm.features]))
        missing = np.isnan(fm.scaled)
        x = np.where(missing, 0.0, fm.scaled) * w
        km = KMeans(n_clusters=self.n_types, n_init=4, random_state=self.random_state).fit(x)
        order = np.argsort(km.cluster_centers_[:, 0])[::-1]  # type 1 = the largest places
        relabel = np.empty_like(order)
        relabel[order] = np.arange(len(order))
        labels = relabel[km.labels_]
        rng = np.random.default_rng(self.random_state)
        scores = []
        for b in range(int(self.n_bootstrap)):
            idx = rng.integers(0, x.shape[0], x.shape[0])
            boot = KMeans(n_clusters=self.n_types, n_init=2, random_state=self.random_state + b + 1).fit(x[idx])
            scores.append(float(adjusted_rand_score(labels, boot.predict(x))))
        self.labels_ = dict(zip(fm.ags, (int(v) + 1 for v in labels), strict=True))
        self.n_filled_ = int(missing.sum())
        self.stability_runs_ = tuple(round(s, 4) for s in scores)
        self.stability_ = round(float(np.mean(scores)), 4) if scores else None
        pops = np.array([p or 0 for p in (r.population for r in data.municipalities)], dtype=float)
        self.types_ = tuple(_describe(data, fm, labels == t, t + 1, int(pops[labels == t].sum()))
                            for t in range(self.n_types))
        return self

    def type_of(self, ags: str) -> RegionType | None:
        """The type of a municipality (None for an AGS that was not clustered)."""
        self._check_fitted("labels_")
        t = self.labels_.get(ags)
        return None if t is None else self.types_[t - 1]

def _describe(data: AnalyticsData, fm, mask: np.ndarray, tid: int, population: int) -> RegionType:
    """Name and describe one type from the median of its members' features."""
    med = np.nanmedian(np.where(mask[:, None], fm.scaled, np.nan), axis=0)
    raw_med = np.nanmedian(np.where(mask[:, None], fm.raw, np.nan), axis=0)
    order = np.argsort(-np.abs(np.nan_to_num(med)))
    traits_en: list[str] = []
    traits_de: list[str] = []
    for c in order[1:5] if fm.features[order[0]].key == "population" else order[:4]:
        if abs(med[c]) < _STRONG and traits_en:
            break
        f = fm.features[c]
        if f.unit == "code":
            en, de = _code_text(data, f, fm.raw[mask, c])
            traits_en.append(en)
            traits_de.append(de)
            continue
        hi = med[c] > 0
        traits_en.append(f"{'high' if hi else 'low'} {f.label_en} ({format_value(f, raw_med[c])})")
        traits_de.append(f"{f.label_de} {'hoch' if hi else 'niedrig'} ({format_value(f, raw_med[c], 'de')})")
    n = int(mask.sum())
    profile = tuple((f.key, format_value(f, raw_med[c])) for c, f in enumerate(fm.features))
    head_en = traits_en[0].split(" (")[0] if traits_en else "typical"
    head_de = traits_de[0].split(" (")[0] if traits_de else "typisch"
    return RegionType(
        id=tid,
        name_en=f"{_size_word(raw_med[0], 'en')}, {head_en}",
        name_de=f"{_size_word(raw_med[0], 'de')}, {head_de}",
        description_en=f"{n:,} municipalities, median {format_value(fm.features[0], raw_med[0])} "
        f"inhabitants: {', '.join(traits_en)}.",
        description_de=f"{n:,} Gemeinden, Median {format_value(fm.features[0], raw_med[0], 'de')} "
        f"Einwohner: {'; '.join(traits_de)}.".replace(",", ".", 1) if n >= 1000 else
        f"{n} Gemeinden, Median {format_value(fm.features[0], raw_med[0], 'de')} Einwohner: {'; '.join(traits_de)}.",
        size=n,
        population=population,
        profile=profile,
    )


_CODE_NAMES = {
    "regiostar": ("regiostar7", 0),
    "central_place": ("central_place", None),
}
_CENTRAL_CODE = {3.0: 1, 2.0: 2, 1.0: 3, 0.0: 0}  # ordinal back to the BBSR code


def _code_text(data: AnalyticsData, feature, values: np.ndarray) -> tuple[str, str]:
    """The most common class of a coded feature among a type's members, in words."""
    key = feature.key
    vals = values[~np.isnan(values)]
    if not vals.size:
        return f"{feature.label_en} unknown", f"{feature.label_de} unbekannt"
    codes, counts = np.unique(vals, return_counts=True)
    top = codes[np.argmax(counts)]
    share = counts.max() / vals.size
    column, offset = _CODE_NAMES.get(key, (key, None))
    code = top + offset if offset is not None else _CENTRAL_CODE.get(float(top), top) if key == "central_place" else top
    en, de = data.code_label(column, code, "en"), data.code_label(column, code, "de")
    if en == str(int(code)):  # no labels in the data: name the feature and the code
        en, de = f"{feature.label_en} {en}", f"{feature.label_de} {de}"
    return f"{share:.0%} {en}", f"{share:.0%} {de}"


def _size_word(population: float, lang: str) -> str:
    bands = ((100_000, "cities", "Großstädte"), (20_000, "medium towns", "Mittelstädte"),
             (5_000, "small towns", "Kleinstädte"), (0, "villages", "Landgemeinden"))
    for limit, en, de in bands:
        if population >= limit:
            return en if lang == "en" else de
    return "villages" if lang == "en" else "Landgemeinden"
