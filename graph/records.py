"""Typed records that ``graph.views`` returns and ``matching/`` consumes.

``matching/`` never reads raw triples: it gets these frozen dataclasses. IRIs are
plain strings; keys (AGS, ids, NACE codes) are strings with leading zeros kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Region", "Engagement", "Centre", "Company", "Concept", "Outcome", "Link", "RegionLinks",
           "Indicator", "IndicatorValue"]


@dataclass(frozen=True)
class Region:
    iri: str
    ags: str
    name: str
    kind: str  # "state" | "district" | "municipality"
    state_ags: str
    district_ags: str | None = None  # None for states
    nuts: str | None = None
    population: int | None = None
    area_km2: float | None = None
    lat: float | None = None
    lon: float | None = None
    degurba: int | None = None
    official_type: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class Engagement:
    """A centre's engagement with one concept (a technology, service or sector)."""

    concept: str  # concept IRI
    kind: str  # "technology" | "service" | "sector"
    level: int  # 1..5, 5 = highest
    label_en: str = ""
    label_de: str = ""


@dataclass(frozen=True)
class Centre:
    iri: str
    id: str
    name: str
    centre_type: str  # "regional" | "edih" | "mittelstand-digital" | "other"
    title: str = ""
    description: str = ""
    website: str | None = None
    address: str | None = None
    country: str | None = None
    scope: str | None = None  # "national" | "regional" | "international" | None
    municipality_ags: str | None = None
    municipality_name: str | None = None
    district_ags: str | None = None
    district_name: str | None = None
    state_ags: str | None = None
    lat: float | None = None
    lon: float | None = None
    served_ags: tuple[str, ...] = ()
    topics: tuple[Engagement, ...] = ()
    services: tuple[Engagement, ...] = ()
    sectors: tuple[Engagement, ...] = ()
    serves_only: str | None = None  # the trade concept IRI the centre is limited to (rm:servesOnly), if any


@dataclass(frozen=True)
class Company:
    iri: str
    id: str
    name: str
    municipality_ags: str
    nace: str | None = None  # division code, e.g. "25"
    size_class: str | None = None  # "micro" | "small" | "medium"
    employees: int | None = None
    needs: tuple[str, ...] = ()  # technology concept IRIs
    need_description: str = ""
    language: str | None = None
    synthetic: bool = False


@dataclass(frozen=True)
class Concept:
    iri: str
    scheme: str  # "technology" | "service" | "sector" | "nace"
    key: str  # slug, or NACE code
    label_en: str
    label_de: str
    alt_en: tuple[str, ...] = ()
    alt_de: tuple[str, ...] = ()
    definition: str = ""
    broader: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    close_match: tuple[str, ...] = ()  # e.g. sector -> NACE concept IRIs
    notation: str | None = None
    definition_de: str = ""  # ``definition`` is the English one (or the untagged one)
    # skos:example: needs in everyday words, as an SME would write them (sorted)
    examples_en: tuple[str, ...] = ()
    examples_de: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    iri: str
    company: str
    centre: str
    rating: float


@dataclass(frozen=True)
class Link:
    """A linked entity shown by its key (AGS or centre id) and name."""

    key: str
    name: str


@dataclass(frozen=True)
class RegionLinks:
    """What one region is linked to: enclosing regions, parts, neighbours and centres."""

    part_of: tuple[Link, ...]  # innermost first (district before state)
    parts: int | None  # regions directly inside; None for a municipality
    neighbours: tuple[Link, ...]
    centres_located: tuple[Link, ...]  # centres in the region or in a region inside it
    centres_serving: tuple[Link, ...]  # centres whose served area holds the region


@dataclass(frozen=True)
class Indicator:
    """The definition of one official indicator (``graph.indicators``)."""

    key: str  # the source column name, e.g. "broadband_1000_pct", "establishments_0_9", "regiostar7"
    iri: str  # the measure property IRI (rm:broadband1000Pct)
    level: str  # "municipality" | "district"
    unit: str  # "percent" | "percent per year" | "EUR per inhabitant" | "1000 EUR per inhabitant"
    #            | "count" | "persons" | "code"
    label_en: str
    label_de: str
    ref_period: str  # ISO 8601: "2022-06", "2021", "2017/2022", "2025-06-30"
    source: str  # short source name, e.g. "Deutschlandatlas / Breitbandatlas"
    # for unit "code": code -> (label_de, label_en)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class IndicatorValue:
    """One region's value of one indicator (codes and counts as int-valued floats)."""

    indicator: Indicator
    value: float
