"""Result models of the graph: records (``show``, and the API's listings) and the graph commands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from service.schemas._base import Model as _Model

if TYPE_CHECKING:
    from graph.records import Centre

__all__ = [
    "EngagementPublic", "CentrePublic", "CentresPage", "CompanyPublic", "RegionPublic", "IndicatorPublic",
    "BuildResult", "LoadResult", "ViolationPublic", "ValidationPassed", "ValidationFailedResult", "StoreStats",
]


# --------------------------------------------------------------------------- records


class EngagementPublic(_Model):
    concept: str = Field(description="the concept's English label (or key)")
    level: int


class CentrePublic(_Model):
    """A centre with its engagements (``regiomatch show <centre id>``)."""

    entity: Literal["centre"] = "centre"
    iri: str
    id: str
    name: str
    centre_type: str
    title: str = ""
    description: str = ""
    website: str | None = None
    address: str | None = None
    country: str | None = None
    scope: str | None = None
    municipality_ags: str | None = None
    municipality_name: str | None = None
    district_ags: str | None = None
    district_name: str | None = None
    state_ags: str | None = None
    lat: float | None = None
    lon: float | None = None
    served_ags: list[str] = Field(default_factory=list)
    topics: list[EngagementPublic] = Field(default_factory=list)
    services: list[EngagementPublic] = Field(default_factory=list)
    sectors: list[EngagementPublic] = Field(default_factory=list)
    serves_only: str | None = Field(default=None, description="the trade concept the centre serves exclusively, if any")

    @classmethod
    def of(cls, c: Centre) -> CentrePublic:
        from dataclasses import asdict

        from graph import iris

        rec = asdict(c)
        for name in ("topics", "services", "sectors"):
            rec[name] = [
                EngagementPublic(concept=e.label_en or iris.key_of(e.concept), level=e.level) for e in getattr(c, name)
            ]
        return cls(**rec)


class CentresPage(_Model):
    """A page of centres and the total count (for the HTTP API's listings)."""

    data: list[CentrePublic]
    count: int


class CompanyPublic(_Model):
    """A company (``regiomatch show <company id>``)."""

    entity: Literal["company"] = "company"
    iri: str
    id: str
    name: str
    municipality_ags: str
    nace: str | None = None
    size_class: str | None = None
    employees: int | None = None
    needs: list[str] = Field(default_factory=list)
    need_description: str = ""
    language: str | None = None
    synthetic: bool = False


class IndicatorPublic(_Model):
    """One official indicator of a region; code labels only for coded indicators (unit "code")."""

    key: str
    label_en: str
    label_de: str
    value: int | float
    unit: str
    ref_period: str
    source: str
    code_label_de: str | None = None
    code_label_en: str | None = None


class RegionPublic(_Model):
    """A region with its links (``regiomatch show <AGS>``); ``parts`` only for states and districts,
    ``indicators`` only for districts and municipalities (dump with ``exclude_unset``)."""

    entity: Literal["region"] = "region"
    iri: str
    ags: str
    name: str
    kind: str
    state_ags: str
    district_ags: str | None = None
    nuts: str | None = None
    population: int | None = None
    area_km2: float | None = None
    lat: float | None = None
    lon: float | None = None
    degurba: int | None = None
    official_type: str | None = None
    postal_code: str | None = None
    part_of: list[str] = Field(default_factory=list)
    parts: int | None = None
    neighbours: list[str] = Field(default_factory=list)
    centres_located: list[str] = Field(default_factory=list)
    centres_serving: list[str] = Field(default_factory=list)
    indicators: list[IndicatorPublic] | None = None


# --------------------------------------------------------------------------- graph commands


class BuildResult(_Model):
    """``regiomatch init --json``."""

    store: str
    graphs: dict[str, int]
    seconds: float


class LoadResult(_Model):
    """``regiomatch load --json``."""

    graph: str
    triples: int
    files: list[str]
    replaced: bool


class ViolationPublic(_Model):
    focus: str
    path: str | None
    message: str
    value: str | None = None
    severity: str = "Violation"


class ValidationPassed(_Model):
    """``regiomatch validate --json`` when the data conforms."""

    conforms: Literal[True] = True
    triples: int


class ValidationFailedResult(_Model):
    """``regiomatch validate --json`` when it does not: every violation."""

    conforms: Literal[False] = False
    violations: list[ViolationPublic]


class StoreStats(_Model):
    """``regiomatch stats --json``: instances per class and triples per named graph."""

    classes: dict[str, int]
    graphs: dict[str, int]

    @classmethod
    def of(cls, stats: Mapping[str, Mapping[str, int]]) -> StoreStats:
        return cls(classes=dict(stats["classes"]), graphs=dict(stats["graphs"]))
