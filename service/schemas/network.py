"""The documents of the network analytics (peers, partners, gaps): one pydantic model each.

``regiomatch peers|partners|gaps --json`` prints ``Model.model_dump(mode="json")`` of
these, built from the domain's frozen results with ``of``; an HTTP route returns
the same models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from service.schemas._base import Model as _Model

if TYPE_CHECKING:
    from matching.gap_results import GapReport
    from matching.network import NetworkSummary
    from matching.peers import PeerResult
    from matching.typology import RegionTypology

__all__ = [
    "FeatureComparisonPublic", "PeerPublic", "RegionTypePublic", "TypologyPublic", "PeersResult",
    "PartnerPublic", "RegionSuggestionPublic", "PartnersResult",
    "CoverageBandPublic", "DistrictWithoutCentrePublic", "HotspotPublic", "TopicAccessPublic", "TopicGapPublic",
    "SensitivityPublic", "CentreRef", "CommunityPublic", "LinkSuggestionPublic", "BridgePublic",
    "NetworkPublic", "GapsReport",
]


def _fields(obj: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in model.model_fields if hasattr(obj, k)}


# --------------------------------------------------------------------------- peers


class FeatureComparisonPublic(_Model):
    """One feature of the region beside the peer's, e.g. broadband ≥ 1 Gbit/s 62 % vs 37 %."""

    feature: str
    label: str
    value: str
    peer_value: str
    gap: float = Field(description="absolute difference in robust-scaled units (weighted)")


class PeerPublic(_Model):
    ags: str
    name: str
    state_ags: str
    population: int | None
    similarity: float = Field(description="1 / (1 + distance), in (0, 1]")
    distance: float = Field(description="weighted RMS difference over the features both regions have")
    alike: list[FeatureComparisonPublic]
    differences: list[FeatureComparisonPublic]
    skipped: list[str] = Field(description="features left out of this pair because a value is missing")

    @classmethod
    def of(cls, p: Any) -> PeerPublic:
        d = _fields(p, cls)
        d["alike"] = [FeatureComparisonPublic(**_fields(c, FeatureComparisonPublic)) for c in p.alike]
        d["differences"] = [FeatureComparisonPublic(**_fields(c, FeatureComparisonPublic)) for c in p.differences]
        d["skipped"] = list(p.skipped)
        return cls(**d)


class RegionTypePublic(_Model):
    id: int
    name_en: str
    name_de: str
    description_en: str
    description_de: str
    size: int = Field(description="municipalities of this type")
    population: int
    profile: dict[str, str] = Field(description="median value of each feature, as printed")


class TypologyPublic(_Model):
    stability_ari: float | None = Field(description="mean adjusted Rand index over bootstrap refits")
    bootstrap_ari: list[float]
    type_of_region: int | None
    types: list[RegionTypePublic]

    @classmethod
    def of(cls, t: RegionTypology, ags: str) -> TypologyPublic:
        return cls(
            stability_ari=t.stability_,
            bootstrap_ari=list(t.stability_runs_),
            type_of_region=t.labels_.get(ags),
            types=[RegionTypePublic(**{**_fields(x, RegionTypePublic), "profile": dict(x.profile)}) for x in t.types_],
        )


class PeersResult(_Model):
    """The regions most like one municipality or district."""

    ags: str
    name: str
    level: str
    scope: str
    candidates: int
    features: list[str]
    weights: dict[str, float]
    missing: list[str] = Field(description="features the region itself has no value for")
    peers: list[PeerPublic]
    typology: TypologyPublic | None = None

    @classmethod
    def of(cls, r: PeerResult, typology: RegionTypology | None = None) -> PeersResult:
        return cls(ags=r.ags, name=r.name, level=r.level, scope=r.scope, candidates=r.candidates,
                   features=list(r.features), weights=dict(r.weights), missing=list(r.missing),
                   peers=[PeerPublic.of(p) for p in r.peers],
                   typology=TypologyPublic.of(typology, r.ags) if typology is not None else None)


# --------------------------------------------------------------------------- partners


class PartnerPublic(_Model):
    id: str
    name: str
    centre_type: str
    score: float
    distance_km: float | None = Field(description="straight-line km between the centres' municipalities")
    reasons: list[str]


class RegionSuggestionPublic(_Model):
    ags: str
    name: str
    score: float
    distance_km: float | None
    population: int
    smes: float
    reasons: list[str]


class PartnersResult(_Model):
    centre: str
    mode: str
    suggestions: list[PartnerPublic] | list[RegionSuggestionPublic]

    @classmethod
    def of(cls, centre_id: str, mode: str, found: tuple[Any, ...]) -> PartnersResult:
        model: type[BaseModel] = RegionSuggestionPublic if mode == "regions" else PartnerPublic
        items = [model(**{**_fields(s, model), "reasons": list(s.reasons)}) for s in found]
        return cls(centre=centre_id, mode=mode, suggestions=items)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- gaps


class CoverageBandPublic(_Model):
    radius_km: float
    municipalities_beyond: int
    population_beyond: int
    smes_beyond: float
    regional_population_beyond: int
    regional_smes_beyond: float


class DistrictWithoutCentrePublic(_Model):
    ags: str
    name: str
    population: int
    smes: float
    nearest_centre: str | None
    nearest_km: float | None


class HotspotPublic(_Model):
    ags: str
    name: str
    smes_per_km2: float
    broadband_50_pct: float
    smes: float


class TopicAccessPublic(_Model):
    topic: str
    label: str
    supply: float
    centres: int
    demand: float
    score: float
    demand_underserved: float


class TopicGapPublic(_Model):
    district_ags: str
    district_name: str
    topic: str
    label: str
    score: float
    smes_with_need: float
    smes_affected: float
    population_affected: int
    reason: str


class SensitivityPublic(_Model):
    catchment_km: float
    demand_without_access: float
    mean_score: float
    rank_correlation: float


class CentreRef(_Model):
    id: str
    name: str


class CommunityPublic(_Model):
    id: int
    centres: list[CentreRef]
    topics: list[str]


class BridgePublic(_Model):
    a: CentreRef
    b: CentreRef


class LinkSuggestionPublic(_Model):
    a: CentreRef
    b: CentreRef
    score: float
    adamic_adar: float
    complementarity: float
    distance_km: float | None
    reason: str


class NetworkPublic(_Model):
    centres: int
    links: int
    components: list[list[CentreRef]]
    bridges: list[BridgePublic]
    articulation_points: list[CentreRef]
    betweenness: dict[str, float] = Field(description="centre id -> normalised betweenness (top 10, > 0)")
    communities: list[CommunityPublic]
    isolated: list[CentreRef]
    suggestions: list[LinkSuggestionPublic]

    @classmethod
    def of(cls, n: NetworkSummary) -> NetworkPublic:
        def ref(c: Any) -> CentreRef:
            return CentreRef(id=c.id, name=c.name)

        return cls(
            centres=n.centres, links=n.links,
            components=[[ref(c) for c in comp] for comp in n.components],
            bridges=[BridgePublic(a=ref(a), b=ref(b)) for a, b in n.bridges],
            articulation_points=[ref(c) for c in n.articulation_points],
            betweenness={c.id: v for c, v in n.betweenness},
            communities=[CommunityPublic(id=c.id, centres=[ref(x) for x in c.centres], topics=list(c.topics))
                         for c in n.communities],
            isolated=[ref(c) for c in n.isolated],
            suggestions=[LinkSuggestionPublic(**{**_fields(s, LinkSuggestionPublic), "a": ref(s.a), "b": ref(s.b)})
                         for s in n.suggestions],
        )


class GapsReport(_Model):
    """Coverage, supply vs demand per topic, and the centre network, for one area."""

    region: str | None
    region_name: str
    catchment_km: float
    decay: str
    municipalities: int
    population: int
    smes: float
    note: str
    coverage: list[CoverageBandPublic]
    districts_without_centre: list[DistrictWithoutCentrePublic]
    hotspots: list[HotspotPublic]
    topics: list[TopicAccessPublic]
    top_gaps: list[TopicGapPublic]
    sensitivity: list[SensitivityPublic]
    network: NetworkPublic

    @classmethod
    def of(cls, r: GapReport, network: NetworkSummary) -> GapsReport:
        def many(model: type[BaseModel], items: Any) -> list[Any]:
            return [model(**_fields(x, model)) for x in items]

        return cls(
            region=r.region, region_name=r.region_name, catchment_km=r.catchment_km, decay=r.decay,
            municipalities=r.municipalities, population=r.population, smes=r.smes, note=r.note,
            coverage=many(CoverageBandPublic, r.coverage),
            districts_without_centre=many(DistrictWithoutCentrePublic, r.districts_without_centre),
            hotspots=many(HotspotPublic, r.hotspots),
            topics=many(TopicAccessPublic, r.topics),
            top_gaps=many(TopicGapPublic, r.top_gaps),
            sensitivity=many(SensitivityPublic, r.sensitivity),
            network=NetworkPublic.of(network),
        )
