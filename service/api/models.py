"""Request bodies and API-only responses of the HTTP API.

Documents the CLI also prints come from ``service.schemas`` (``MatchResult``,
``TopicSuggestions``, ``RegionPublic``, ``CompanyPublic``), so ``POST /match`` answers
exactly what ``regiomatch match --json`` prints. Here: the listings (paged, with
facets), the centre detail with its engagements' keys and labels, write bodies, errors.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas import MatchRequest

__all__ = [
    "ErrorResponse",
    "Health",
    "RegionSummary",
    "RegionsPage",
    "EngagementDetail",
    "CentreDetail",
    "CentresFacetPage",
    "ConceptPublic",
    "TopicsPublic",
    "SuggestRequest",
    "MatchBody",
    "CentreIn",
    "CompanyIn",
    "OutcomeIn",
    "WriteResult",
]

MAX_TEXT = 10_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    store: dict[str, Any]
    models: dict[str, Any]
    data: dict[str, Any] = Field(description="named graphs with triple counts and reference dates")


# --------------------------------------------------------------------------- regions


class RegionSummary(BaseModel):
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


class RegionsPage(BaseModel):
    data: list[RegionSummary]
    count: int = Field(description="regions matching the filters (all pages)")
    limit: int
    offset: int


# --------------------------------------------------------------------------- centres


class EngagementDetail(BaseModel):
    concept: str
    key: str
    label_en: str
    label_de: str
    level: int


class CentreDetail(BaseModel):
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
    served_ags: list[str] = []
    topics: list[EngagementDetail] = []
    services: list[EngagementDetail] = []
    sectors: list[EngagementDetail] = []
    serves_only: str | None = Field(
        default=None, description="the trade concept (concept/trade/...) the centre serves exclusively, if any"
    )
    distance_km: float | None = Field(default=None, description="distance from ?near, when given")


class CentresFacetPage(BaseModel):
    data: list[CentreDetail]
    count: int
    limit: int
    offset: int
    facets: dict[str, dict[str, int]] = Field(
        description="for each facet (type, topic, service, sector, state), the number of matching centres per value"
    )


# --------------------------------------------------------------------------- topics


class ConceptPublic(BaseModel):
    iri: str
    scheme: str
    key: str
    label_en: str
    label_de: str
    alt_en: list[str] = []
    alt_de: list[str] = []
    definition: str = ""
    broader: list[str] = []
    notation: str | None = None


class TopicsPublic(BaseModel):
    schemes: dict[str, list[ConceptPublic]]


class SuggestRequest(_Model):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    k: int = Field(default=5, ge=1, le=50)
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Wir wollen Maschinendaten mit Sensoren auswerten", "k": 3}]},
    )


# --------------------------------------------------------------------------- match


class MatchBody(MatchRequest):
    """``POST /match``: the need (``service.schemas.MatchRequest``, as ``match --batch`` lines) and ``k``."""

    text: str = Field(default="", max_length=MAX_TEXT, description="the need, German or English")
    municipality: str | None = Field(default=None, max_length=8, description="AGS, 8 or 5 digits")
    sector: str | None = Field(default=None, max_length=4, description="NACE section or division, e.g. C25")
    topics: list[str] = Field(default_factory=list, max_length=20, description="topic keys, labels or IRIs")
    id: str | None = Field(default=None, max_length=128, description="echoed back")
    k: int = Field(default=10, ge=1, le=100, description="number of centres")
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Wir wollen unsere IT-Sicherheit verbessern",
                    "municipality": "15083270",
                    "sector": "C25",
                    "k": 3,
                }
            ]
        },
    )


# --------------------------------------------------------------------------- writes


class EngagementIn(_Model):
    concept: str = Field(min_length=1, max_length=200, description="concept key (slug) in the facet's scheme")
    level: int = Field(ge=1, le=5)


class CentreIn(_Model):
    """A centre record; the id comes from the path."""

    name: str = Field(min_length=1, max_length=300)
    centre_type: Literal["regional", "edih", "mittelstand-digital", "other"]
    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    description_language: Literal["de", "en"] = "en"
    website: str | None = Field(default=None, max_length=500)
    address: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, max_length=100)
    scope: str | None = Field(default=None, max_length=40)
    municipality: str | None = Field(default=None, max_length=8, description="AGS of its municipality")
    served: list[str] = Field(default=[], max_length=500, description="AGS of the regions it serves")
    topics: list[EngagementIn] = Field(default=[], max_length=200)
    services: list[EngagementIn] = Field(default=[], max_length=200)
    sectors: list[EngagementIn] = Field(default=[], max_length=200)
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Digitalisierungszentrum Musterstadt",
                    "centre_type": "regional",
                    "scope": "regional",
                    "municipality": "15083270",
                    "served": ["15083"],
                    "topics": [{"concept": "cybersecurity", "level": 4}],
                }
            ]
        },
    )


class CompanyIn(_Model):
    """A company record (private); the id comes from the path."""

    name: str | None = Field(default=None, max_length=300)
    municipality: str = Field(min_length=8, max_length=8, description="AGS of its municipality")
    nace: str | None = Field(default=None, max_length=4)
    size_class: Literal["micro", "small", "medium"]
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    needs: list[str] = Field(default=[], max_length=50, description="technology concept keys")
    need_description: str | None = Field(default=None, max_length=MAX_TEXT)
    language: Literal["de", "en"] = "de"
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Metallbau Muster GmbH",
                    "municipality": "15083270",
                    "nace": "25",
                    "size_class": "small",
                    "employees": 12,
                    "needs": ["cybersecurity"],
                    "need_description": "Wir wollen unsere IT absichern.",
                }
            ]
        },
    )


class OutcomeIn(_Model):
    company: str = Field(min_length=1, max_length=128, description="company id")
    centre: str = Field(min_length=1, max_length=128, description="centre id")
    rating: float = Field(ge=0, le=1, description="0 declined … 1 accepted and helpful")
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"company": "sme-000001", "centre": "edihcat-260", "rating": 1}]}
    )


class WriteResult(BaseModel):
    iri: str
    action: Literal["created", "replaced", "deleted", "recorded"]
    graph: str
    triples: int
