"""graph/vocab.py and ontologies/regiomatch.ttl declare the same rm: terms."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graph.vocab import RM, RM_BASE

_DECLARING_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}


def _python_terms() -> set[str]:
    return {name for name in RM.__annotations__ if not name.startswith("_")}


def _declared_terms(ontology: Graph) -> set[str]:
    declared = set()
    for s, _, t in ontology.triples((None, RDF.type, None)):
        if isinstance(s, URIRef) and str(s).startswith(RM_BASE) and t in _DECLARING_TYPES:
            declared.add(str(s)[len(RM_BASE) :])
    return declared


def test_every_python_term_is_declared_in_the_ontology(ontology: Graph) -> None:
    missing = _python_terms() - _declared_terms(ontology)
    assert not missing, f"in graph/vocab.py but not declared in regiomatch.ttl: {sorted(missing)}"


def test_every_ontology_term_is_in_python(ontology: Graph) -> None:
    extra = _declared_terms(ontology) - _python_terms()
    assert not extra, f"declared in regiomatch.ttl but missing from graph/vocab.py: {sorted(extra)}"


def test_no_rm_term_is_used_without_being_declared(ontology: Graph) -> None:
    used = {
        str(n)[len(RM_BASE) :]
        for triple in ontology
        for n in triple
        if isinstance(n, URIRef) and str(n).startswith(RM_BASE)
    }
    assert used <= _declared_terms(ontology)


def test_every_term_has_english_and_german_label_and_a_comment(ontology: Graph) -> None:
    for name in _python_terms():
        term = RM[name]
        langs = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"en", "de"} <= langs, f"rm:{name} needs rdfs:label @en and @de, has {langs}"
        assert (term, RDFS.comment, None) in ontology, f"rm:{name} has no rdfs:comment"


def test_properties_have_domain_and_range(ontology: Graph) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            assert ontology.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
            assert ontology.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


def test_individuals_belong_to_their_class(ontology: Graph) -> None:
    centre_types = {RM.RegionalDigitalisationCentre, RM.EuropeanDigitalInnovationHub,
                    RM.MittelstandDigitalCentre, RM.OtherCentre}
    assert set(ontology.subjects(RDF.type, RM.CentreType)) == centre_types
    assert set(ontology.subjects(RDF.type, RM.SizeClass)) == {RM.Micro, RM.Small, RM.Medium}


def test_regions_and_organisations_reuse_standard_classes(ontology: Graph) -> None:
    from rdflib.namespace import ORG, SDO

    def ancestors(cls: URIRef) -> set:
        return set(ontology.transitive_objects(cls, RDFS.subClassOf))

    for cls in (RM.State, RM.District, RM.Municipality):
        assert {RM.Region, SDO.AdministrativeArea} <= ancestors(cls)
    for cls in (RM.Centre, RM.Company):
        assert ORG.Organization in ancestors(cls)
