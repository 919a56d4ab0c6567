"""The regiomatch vocabulary as an rdflib namespace.

Standard vocabularies (ORG, SKOS, SDO, DCTERMS, PROV, GEO, ...) come from
``rdflib.namespace``; this module holds only our own terms. It is kept in sync
with ``ontologies/regiomatch.ttl`` by ``tests/ontologies/test_vocab_sync.py``:
every term here is declared there and the other way round.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["RM", "RM_BASE", "SDMX_DIMENSION"]

RM_BASE = "https://w3id.org/regiomatch/ontology#"
# SDMX-RDF dimensions used with the W3C Data Cube vocabulary (rdflib has QB, not these)
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")


class RM(DefinedNamespace):
    """Terms of the regiomatch ontology (``rm:``)."""

    _fail = True
    _NS = Namespace(RM_BASE)

    # classes
    Region: URIRef
    State: URIRef
    District: URIRef
    Municipality: URIRef
    Centre: URIRef
    CentreType: URIRef
    Company: URIRef
    SizeClass: URIRef
    Engagement: URIRef
    Programme: URIRef
    Outcome: URIRef

    # centre types (individuals of rm:CentreType)
    RegionalDigitalisationCentre: URIRef
    EuropeanDigitalInnovationHub: URIRef
    MittelstandDigitalCentre: URIRef
    OtherCentre: URIRef

    # size classes (individuals of rm:SizeClass, EU SME definition)
    Micro: URIRef
    Small: URIRef
    Medium: URIRef

    # region properties
    ags: URIRef
    nuts: URIRef
    population: URIRef
    areaKm2: URIRef
    degurba: URIRef
    officialType: URIRef

    # centre properties
    centreType: URIRef
    hasTopic: URIRef
    hasService: URIRef
    hasSector: URIRef
    concept: URIRef
    level: URIRef
    programme: URIRef
    scope: URIRef
    servesOnly: URIRef

    # company properties
    naceSector: URIRef
    sizeClass: URIRef
    needs: URIRef
    needDescription: URIRef
    synthetic: URIRef

    # recorded outcomes of a referral (for learning ranker weights)
    company: URIRef
    centre: URIRef
    rating: URIRef

    # indicators (RDF Data Cube): concept properties, then one measure property per indicator
    unit: URIRef
    measuredFor: URIRef
    broadband50Pct: URIRef
    broadband1000Pct: URIRef
    populationChangePctPerYear: URIRef
    taxRevenueCapacityEurPerInhabitant: URIRef
    mobile4gAreaPct: URIRef
    mobile5gAreaPct: URIRef
    regiostar7: URIRef
    regiostar17: URIRef
    bbsrMunicipalityType: URIRef
    bbsrGrowthType: URIRef
    centralPlace: URIRef
    establishmentsTotal: URIRef
    establishments0To9: URIRef
    establishments10To49: URIRef
    establishments50To249: URIRef
    establishments250Plus: URIRef
    svEmployeesTotal: URIRef
    svEmployeesIt: URIRef
    itEmployeeSharePct: URIRef
    svBlankCells: URIRef
    share65PlusPct: URIRef
    gdpPerInhabitantKeur: URIRef
    householdIncomePerInhabitantKeur: URIRef
    bbsrDistrictType: URIRef
