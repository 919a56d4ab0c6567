"""The results of the gap analysis (``matching.gaps``): small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "GapReport",
    "MunicipalityCoverage",
    "CoverageBand",
    "DistrictWithoutCentre",
    "BroadbandHotspot",
    "TopicAccess",
    "TopicGap",
    "RadiusSensitivity",
    "DISTANCE_NOTE",
]

DISTANCE_NOTE = "Distances are straight-line (great-circle) kilometres, not road travel times."


@dataclass(frozen=True)
class MunicipalityCoverage:
    ags: str
    name: str
    population: int
    smes: float
    nearest_centre: str | None
    nearest_km: float | None
    nearest_regional_centre: str | None
    nearest_regional_km: float | None


@dataclass(frozen=True)
class CoverageBand:
    radius_km: float
    municipalities_beyond: int
    population_beyond: int
    smes_beyond: float
    regional_population_beyond: int  # beyond the radius from any regional centre
    regional_smes_beyond: float


@dataclass(frozen=True)
class DistrictWithoutCentre:
    ags: str
    name: str
    population: int
    smes: float
    nearest_centre: str | None
    nearest_km: float | None  # from the district's most populous municipality


@dataclass(frozen=True)
class BroadbandHotspot:
    ags: str
    name: str
    smes_per_km2: float
    broadband_50_pct: float
    smes: float


@dataclass(frozen=True)
class TopicAccess:
    topic: str  # concept key
    label: str
    supply: float  # sum of levels of centres at level >= 3
    centres: int
    demand: float  # SMEs with this need (expected), in the report's area
    score: float  # demand-weighted mean accessibility relative to the country (1 = average)
    demand_underserved: float  # of which in municipalities scoring below the threshold


@dataclass(frozen=True)
class TopicGap:
    district_ags: str
    district_name: str
    topic: str
    label: str
    score: float  # the district's demand-weighted relative accessibility
    smes_with_need: float  # SMEs with this need in the district's underserved municipalities
    smes_affected: float  # all SMEs of those municipalities
    population_affected: int
    reason: str


@dataclass(frozen=True)
class RadiusSensitivity:
    catchment_km: float
    demand_without_access: float  # share of all topic demand with no centre in reach
    mean_score: float  # demand-weighted mean relative accessibility, all topics
    rank_correlation: float  # Spearman of district × topic scores with the main radius


@dataclass(frozen=True)
class GapReport:
    region: str | None
    region_name: str
    catchment_km: float  # the main radius (the middle one given)
    decay: str
    municipalities: int
    population: int
    smes: float
    coverage: tuple[CoverageBand, ...]
    districts_without_centre: tuple[DistrictWithoutCentre, ...]
    hotspots: tuple[BroadbandHotspot, ...]
    topics: tuple[TopicAccess, ...]
    top_gaps: tuple[TopicGap, ...]
    sensitivity: tuple[RadiusSensitivity, ...]
    per_municipality: tuple[MunicipalityCoverage, ...]
    note: str = DISTANCE_NOTE
