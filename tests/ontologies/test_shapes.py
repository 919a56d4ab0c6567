"""Every valid example conforms to the shapes; every invalid one fails with the expected message."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from graph import iris
from graph.errors import ValidationFailed
from graph.validate import validate
from graph.vocab import RM

EXAMPLES = Path(__file__).resolve().parents[2] / "ontologies" / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))


def _expected_fragment(path: Path) -> str:
    """The ``# expect: <fragment>`` line from the file's leading comment."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path.name} has no '# expect: <fragment>' line in its leading comment")


def test_there_are_enough_examples() -> None:
    names = {p.stem for p in VALID}
    assert {"regions", "centre", "company"} <= names
    assert len(INVALID) >= 8


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_conforms(path: Path) -> None:
    validate(Graph().parse(path, format="turtle"), source=path.name)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_fails_with_its_message(path: Path) -> None:
    fragment = _expected_fragment(path)
    with pytest.raises(ValidationFailed) as caught:
        validate(Graph().parse(path, format="turtle"), source=path.name)
    err = caught.value
    assert err.source == path.name
    assert err.violations, "ValidationFailed must list the violations"
    assert any(fragment in v.message for v in err.violations), str(err)
    assert fragment in str(err)


def test_every_constraint_carries_a_message(shapes: Graph) -> None:
    node_shapes = set(shapes.subjects(ns.RDF.type, ns.SH.NodeShape))
    property_shapes = {p for n in node_shapes for p in shapes.objects(n, ns.SH.property)}
    sparql = set(shapes.objects(None, ns.SH.sparql))
    # sh:or / sh:not combine nested shapes into one constraint of the node shape,
    # which then carries the message
    logical = {n for n in node_shapes for op in (ns.SH["or"], ns.SH["not"], ns.SH.xone, ns.SH["and"])
               if (n, op, None) in shapes}
    assert property_shapes
    for shape in property_shapes | sparql | logical:
        assert (shape, ns.SH.message, None) in shapes, f"constraint without sh:message: {shape}"


def test_one_node_shape_per_class(shapes: Graph) -> None:
    node_shapes = shapes.subjects(ns.RDF.type, ns.SH.NodeShape)
    targets = {shapes.value(s, ns.SH.targetClass) for s in node_shapes}
    wanted = {RM.State, RM.District, RM.Municipality, RM.Centre, RM.Engagement,
              ns.SDO.MonetaryGrant, RM.Company, ns.SKOS.Concept, RM.Outcome}
    assert wanted <= targets


def test_violation_names_focus_path_and_value() -> None:
    path = EXAMPLES / "invalid" / "engagement-level-7.ttl"
    with pytest.raises(ValidationFailed) as caught:
        validate(Graph().parse(path, format="turtle"), source="x")
    (v,) = caught.value.violations
    assert v.focus.endswith("/st-rdz-haldensleben/technology/cybersecurity")
    assert v.path == "rm:level"
    assert v.value == '"7"^^xsd:integer'


# ---------------------------------------------------------------- context (as the loader passes it)

def _company(location: URIRef) -> Graph:
    g = Graph()
    c = iris.company("sme-000001")
    g.add((c, ns.RDF.type, RM.Company))
    g.add((c, ns.DCTERMS.identifier, Literal("sme-000001")))
    g.add((c, ns.SDO.location, location))
    g.add((c, RM.sizeClass, RM.Micro))
    g.add((c, RM.needs, iris.concept("technology", "cybersecurity")))
    return g


def _types(*pairs: tuple[URIRef, URIRef]) -> Graph:
    g = Graph()
    for s, t in pairs:
        g.add((s, ns.RDF.type, t))
    return g


def test_context_types_answer_class_checks_without_judging_context_nodes() -> None:
    # The store knows the municipality and concept only by type here: no AGS, no labels.
    context = _types(
        (iris.region("15083270"), RM.Municipality),
        (iris.concept("technology", "cybersecurity"), ns.SKOS.Concept),
    )
    validate(_company(iris.region("15083270")), source="api", context=context)


def test_without_context_referenced_nodes_are_unknown() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate(_company(iris.region("15083270")), source="api")
    paths = {v.path for v in caught.value.violations}
    assert {"schema:location", "rm:needs"} <= paths


def test_context_with_the_wrong_type_still_fails() -> None:
    context = _types(
        (iris.region("15083"), RM.District),
        (iris.concept("technology", "cybersecurity"), ns.SKOS.Concept),
    )
    with pytest.raises(ValidationFailed, match="must be an rm:Municipality"):
        validate(_company(iris.region("15083")), source="api", context=context)


def test_outcome_refers_to_company_and_centre() -> None:
    outcome = iris.outcome("o-1")
    data = Graph()
    data.add((outcome, ns.RDF.type, RM.Outcome))
    data.add((outcome, RM.company, iris.company("sme-000001")))
    data.add((outcome, RM.centre, iris.centre("edihcat-005")))
    data.add((outcome, RM.rating, Literal("1.0", datatype=ns.XSD.decimal)))
    context = _types(
        (iris.company("sme-000001"), RM.Company), (iris.centre("edihcat-005"), RM.Centre)
    )
    validate(data, source="api", context=context)
    data.set((outcome, RM.rating, Literal("1.5", datatype=ns.XSD.decimal)))
    with pytest.raises(ValidationFailed, match="from 0 \\(declined\\) to 1"):
        validate(data, source="api", context=context)
