"""Region feature matrices for peers and the typology: raw values, robust-scaled values.

Municipalities (8-digit AGS) and districts (5-digit) each get one row per region
and one column per feature; a missing value is NaN and stays NaN (the distance
uses only the features both regions have). Features and their default weights:

=====================  ===========================================  ===========  ========
key                    what                                         municipality district
=====================  ===========================================  ===========  ========
population             inhabitants (log)                            2.0          2.0
density                inhabitants per km² (log)                    1.5          1.5
population_change      % per year 2017–2022                         1.0          1.0*
tax_capacity           tax revenue capacity, EUR per inhabitant     1.0          1.0*
broadband_50           households with ≥ 50 Mbit/s, %               1.0          1.0*
broadband_1000         households with ≥ 1 Gbit/s, %                1.0          1.0*
mobile_4g              area with 4G, %                              0.5          0.5*
mobile_5g              area with 5G, %                              0.5          0.5*
regiostar              RegioStaR 7 (71 metropolis … 77 village)     1.5          —
district_type          BBSR district type (1 city … 4 rural)        —            1.5
central_place          0 none, 1 basic, 2 middle, 3 upper centre    1.0          —
smes_per_1000          SMEs per 1,000 inhabitants (district)        0.5          1.0
it_share               IT share of employees, % (district)          0.5          1.0
share_65plus           inhabitants aged 65+, % (district)           0.5          1.0
gdp_per_inhabitant     GDP per inhabitant, 1,000 EUR (district)     0.5          1.0
=====================  ===========================================  ===========  ========

``*`` for districts: the population-weighted mean over the district's municipalities.
District context counts less for a municipality because all municipalities of a
district share it. Weights can be set by the user.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from graph.errors import InvalidInput
from matching.analytics_data import AnalyticsData

__all__ = ["Feature", "FEATURES", "LEVELS", "FeatureMatrix", "build_matrix", "default_weights", "check_features",
           "level_features", "format_value"]


@dataclass(frozen=True)
class Feature:
    key: str
    label_en: str
    label_de: str
    unit: str  # how a raw value is printed: "count", "per_km2", "pct", "pct_year", "eur", "keur", "per_1000", "code"
    log: bool = False
    municipality_weight: float | None = 1.0  # None: not a feature at this level
    district_weight: float | None = 1.0


FEATURES: tuple[Feature, ...] = (
    Feature("population", "population", "Einwohner", "count", True, 2.0, 2.0),
    Feature("density", "density", "Dichte", "per_km2", True, 1.5, 1.5),
    Feature("population_change", "population change", "Bevölkerungsentwicklung", "pct_year"),
    Feature("tax_capacity", "tax capacity", "Steuerkraft", "eur"),
    Feature("broadband_50", "broadband ≥ 50 Mbit/s", "Breitband ≥ 50 Mbit/s", "pct"),
    Feature("broadband_1000", "broadband ≥ 1 Gbit/s", "Breitband ≥ 1 Gbit/s", "pct"),
    Feature("mobile_4g", "4G area coverage", "4G-Flächenabdeckung", "pct", False, 0.5, 0.5),
    Feature("mobile_5g", "5G area coverage", "5G-Flächenabdeckung", "pct", False, 0.5, 0.5),
    Feature("regiostar", "RegioStaR 7 type", "RegioStaR-7-Typ", "code", False, 1.5, None),
    Feature("district_type", "BBSR district type", "siedlungsstruktureller Kreistyp", "code", False, None, 1.5),
    Feature("central_place", "central-place level", "zentralörtliche Stufe", "code", False, 1.0, None),
    Feature("smes_per_1000", "SMEs per 1,000 inhabitants", "KMU je 1.000 Einwohner", "per_1000", False, 0.5),
    Feature("it_share", "IT share of employees", "IT-Anteil der Beschäftigten", "pct", False, 0.5),
    Feature("share_65plus", "share aged 65+", "Anteil 65+", "pct", False, 0.5),
    Feature("gdp_per_inhabitant", "GDP per inhabitant", "BIP je Einwohner", "keur", False, 0.5),
)
_MUNI_COLUMNS = {
    "population_change": "population_change_pct_per_year",
    "tax_capacity": "tax_revenue_capacity_eur_per_inhabitant",
    "broadband_50": "broadband_50_pct",
    "broadband_1000": "broadband_1000_pct",
    "mobile_4g": "mobile_4g_area_pct",
    "mobile_5g": "mobile_5g_area_pct",
}
_DISTRICT_COLUMNS = {
    "it_share": "it_employee_share_pct",
    "share_65plus": "share_65plus_pct",
    "gdp_per_inhabitant": "gdp_per_inhabitant_keur",
    "district_type": "bbsr_district_type",
}
# BBSR central_place codes: 1 upper centre or higher, 2 middle, 3 basic or lower, 0 none
_CENTRALITY = {1: 3.0, 2: 2.0, 3: 1.0, 0: 0.0}
LEVELS = ("municipality", "district")
# scaled values are clipped to +-4 interquartile ranges, so one extreme value (a village
# with 159,000 EUR tax capacity per inhabitant) cannot outweigh all other features
_CLIP = 4.0


def level_features(level: str) -> tuple[Feature, ...]:
    attr = f"{level}_weight"
    return tuple(f for f in FEATURES if getattr(f, attr) is not None)


def default_weights(level: str) -> dict[str, float]:
    """The documented default weight of every feature of a level."""
    return {f.key: float(getattr(f, f"{level}_weight")) for f in level_features(level)}


def check_features(level: str, features: object) -> tuple[str, ...]:
    """Validate a subset of feature keys for ``level``; ``None`` means all."""
    valid = [f.key for f in level_features(level)]
    if features is None:
        return tuple(valid)
    keys = [str(k).strip() for k in features]  # type: ignore[attr-defined]
    bad = [k for k in keys if k not in valid]
    if bad or not keys:
        plural = "municipalities" if level == "municipality" else "districts"
        head = f"unknown feature {bad[0]!r} for {plural}" if bad else "no features given"
        raise InvalidInput(f"{head}; valid: {', '.join(valid)}")
    return tuple(dict.fromkeys(keys))


@dataclass(frozen=True, eq=False)
class FeatureMatrix:
    """``raw (n, f)`` values as printed, ``scaled (n, f)`` robust-scaled (NaN = missing)."""

    level: str
    ags: tuple[str, ...]
    features: tuple[Feature, ...]
    raw: np.ndarray
    scaled: np.ndarray
    centre: np.ndarray  # (f,) median of the transformed values
    scale: np.ndarray  # (f,) interquartile range (std, then 1 where that is 0)


def _muni_rows(data: AnalyticsData) -> tuple[list[str], dict[str, list[float]]]:
    smes = data.district_smes()
    dpop = {d.ags: d.population for d in data.districts}
    dind = data.district_indicators
    cols: dict[str, list[float]] = defaultdict(list)
    keys = []
    for m in data.municipalities:
        row = data.municipality_indicators.get(m.ags, {})
        d = m.district_ags or m.ags[:5]
        drow = dind.get(d, {})
        keys.append(m.ags)
        cols["population"].append(_num(m.population))
        cols["density"].append(_ratio(m.population, m.area_km2))
        for k, c in _MUNI_COLUMNS.items():
            cols[k].append(_num(row.get(c)))
        cols["regiostar"].append(_num(row.get("regiostar7")))  # codes 71..77 are ordered: 71 metropolis .. 77 village
        cp = row.get("central_place")
        cols["central_place"].append(_CENTRALITY.get(int(cp), math.nan) if cp is not None else math.nan)
        cols["smes_per_1000"].append(_ratio(smes.get(d), dpop.get(d), 1000.0))
        for k in ("it_share", "share_65plus", "gdp_per_inhabitant"):
            cols[k].append(_num(drow.get(_DISTRICT_COLUMNS[k])))
    return keys, cols


def _district_rows(data: AnalyticsData) -> tuple[list[str], dict[str, list[float]]]:
    smes = data.district_smes()
    by_district: dict[str, list] = defaultdict(list)
    for m in data.municipalities:
        by_district[m.district_ags or m.ags[:5]].append(m)
    cols: dict[str, list[float]] = defaultdict(list)
    keys = []
    for d in data.districts:
        drow = data.district_indicators.get(d.ags, {})
        keys.append(d.ags)
        cols["population"].append(_num(d.population))
        cols["density"].append(_ratio(d.population, d.area_km2))
        for k, c in _MUNI_COLUMNS.items():
            cols[k].append(_weighted_mean(by_district.get(d.ags, []), data, c))
        for k, c in _DISTRICT_COLUMNS.items():
            cols[k].append(_num(drow.get(c)))
        cols["smes_per_1000"].append(_ratio(smes.get(d.ags), d.population, 1000.0))
    return keys, cols


def _weighted_mean(munis: list, data: AnalyticsData, column: str) -> float:
    num = den = 0.0
    for m in munis:
        v = data.municipality_indicators.get(m.ags, {}).get(column)
        if v is not None and m.population:
            num += v * m.population
            den += m.population
    return num / den if den else math.nan


def build_matrix(data: AnalyticsData, level: str) -> FeatureMatrix:
    """The feature matrix of all municipalities or all districts of ``data``."""
    if level not in LEVELS:
        raise InvalidInput(f"unknown level {level!r}: expected one of {', '.join(LEVELS)}")
    feats = level_features(level)
    keys, cols = _muni_rows(data) if level == "municipality" else _district_rows(data)
    raw = np.array([cols[f.key] for f in feats], dtype=np.float64).T.reshape(len(keys), len(feats))
    trans = raw.copy()
    for j, f in enumerate(feats):
        if f.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                trans[:, j] = np.where(raw[:, j] > 0, np.log(raw[:, j]), np.nan)
    centre = np.zeros(len(feats))
    scale = np.ones(len(feats))
    for j in range(len(feats)):
        col = trans[:, j][~np.isnan(trans[:, j])]
        if col.size:
            q1, med, q3 = np.percentile(col, [25, 50, 75])
            centre[j] = med
            spread = q3 - q1 if q3 > q1 else float(np.std(col))
            scale[j] = spread if spread > 0 else 1.0
    scaled = np.clip((trans - centre) / scale, -_CLIP, _CLIP)
    return FeatureMatrix(level, tuple(keys), feats, raw, scaled, centre, scale)


def _num(v: float | int | None) -> float:
    return math.nan if v is None else float(v)


def _ratio(a: float | int | None, b: float | int | None, factor: float = 1.0) -> float:
    return math.nan if a is None or not b else factor * float(a) / float(b)



def format_value(feature: Feature, value: float, lang: str = "en") -> str:
    """A raw feature value as a person reads it ("62 %", "238,061", "1,395 EUR")."""
    if math.isnan(value):
        return "n/a" if lang == "en" else "k. A."
    u = feature.unit
    if u == "count":
        text = f"{value:,.0f}"
    elif u == "per_km2":
        text = f"{value:,.0f}/km²"
    elif u == "pct":
        text = f"{value:.0f} %" if abs(value) >= 10 else f"{value:.1f} %"
    elif u == "pct_year":
        text = f"{value:+.2f} %/yr"
    elif u == "eur":
        text = f"{value:,.0f} EUR"
    elif u == "keur":
        text = f"{value:,.1f}k EUR"
    elif u == "per_1000":
        text = f"{value:.1f}"
    else:
        text = f"{value:g}"
    return text if lang == "en" else text.replace(",", "\u202f").replace("/yr", "/Jahr")
