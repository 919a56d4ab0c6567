"""The regiomatch vocabulary as an rdflib namespace.

Standard vocabularies (ORG, SKOS, SDO, DCTERMS, PROV, GEO, ...) come from
``rdflib.namespace``; this module holds only our own terms. It is kept in sync
with ``ontologies/regiomatch.ttl`` by ``tests/ontologies/test_vocab_sync.py``:
every term here is declared there and the other way round.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["RM", "RM_BASE"]

RM_BASE = "https://w3id.org/regiomatch/ontology#"


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
