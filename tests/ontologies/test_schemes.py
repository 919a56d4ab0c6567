"""The SKOS schemes hold exactly the EU hub catalogue terms and the NACE sections and divisions."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from graph import iris
from graph.validate import validate

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = ROOT / "ontologies" / "schemes"
SHARED = ROOT.parent / "shared" / "data"
_TERMS_CSV = {"technology": "technologies", "service": "services", "sector": "sectors"}

# The catalogue terms, pinned here so the test also runs without shared/data.
EXPECTED_COUNTS = {"technology": 34, "service": 15, "sector": 42}


def _scheme_graph(name: str) -> Graph:
    return Graph().parse(SCHEMES / f"{name}.ttl", format="turtle")


def _concepts(g: Graph, name: str) -> set[URIRef]:
    in_scheme = g.subjects(SKOS.inScheme, iris.scheme(name))
    return {c for c in in_scheme if (c, RDF.type, SKOS.Concept) in g}


def _leaves(g: Graph, name: str) -> set[URIRef]:
    """Catalogue terms: concepts no other concept is narrower than (groupings are not leaves)."""
    return {c for c in _concepts(g, name) if (None, SKOS.broader, c) not in g}


def _label(g: Graph, c: URIRef, lang: str) -> str | None:
    for label in g.objects(c, SKOS.prefLabel):
        if label.language == lang:
            return str(label)
    return None


@pytest.mark.parametrize("name", list(EXPECTED_COUNTS))
def test_scheme_has_one_leaf_per_catalogue_term(name: str, require_shared) -> None:
    g = _scheme_graph(name)
    labels = sorted(_label(g, c, "en") or "" for c in _leaves(g, name))
    assert len(labels) == EXPECTED_COUNTS[name]
    csv_path = SHARED / "classification" / f"edih_{_TERMS_CSV[name]}_terms.csv"
    if require_shared(csv_path, optional=True):
        with csv_path.open(encoding="utf-8", newline="") as f:
            terms = sorted(row[name] for row in csv.DictReader(f))
        assert labels == terms


@pytest.mark.parametrize("name", list(EXPECTED_COUNTS))
def test_concept_iris_are_slugs_of_their_english_label(name: str) -> None:
    g = _scheme_graph(name)
    for c in _concepts(g, name):
        assert c == iris.concept(name, iris.slugify(_label(g, c, "en") or "")), c


@pytest.mark.parametrize("name", [*EXPECTED_COUNTS, "nace"])
def test_every_concept_has_english_and_german_preflabel(name: str) -> None:
    g = _scheme_graph(name)
    for c in _concepts(g, name):
        assert _label(g, c, "en") and _label(g, c, "de"), f"{c} lacks an @en or @de prefLabel"


@pytest.mark.parametrize("name", list(EXPECTED_COUNTS))
def test_alt_labels_in_both_languages(name: str) -> None:
    g = _scheme_graph(name)
    low = 6 if name == "technology" else 3
    for c in _leaves(g, name):
        alts = list(g.objects(c, SKOS.altLabel))
        langs = {a.language for a in alts}
        assert len(alts) >= low, f"{c} has {len(alts)} altLabels, want at least {low}"
        assert {"de", "en"} <= langs, f"{c} needs altLabels in German and English"


@pytest.mark.parametrize("name", list(EXPECTED_COUNTS))
def test_labels_are_unambiguous_within_a_scheme(name: str) -> None:
    """A label typed by a user must lead to one concept (SKOS S13/S14 and no clashes)."""
    g = _scheme_graph(name)
    owners: dict[tuple[str, str | None], set[URIRef]] = defaultdict(set)
    for c in _concepts(g, name):
        pref = {(str(x).casefold(), x.language) for x in g.objects(c, SKOS.prefLabel)}
        alt = {(str(x).casefold(), x.language) for x in g.objects(c, SKOS.altLabel)}
        assert not pref & alt, f"{c}: the same label is both pref and alt: {pref & alt}"
        for key in pref | alt:
            owners[key].add(c)
    clashes = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not clashes


def test_technology_hierarchy_is_shallow_and_complete() -> None:
    g = _scheme_graph("technology")
    scheme = iris.scheme("technology")
    tops = set(g.subjects(SKOS.topConceptOf, scheme))
    assert tops == set(g.objects(scheme, SKOS.hasTopConcept))
    for leaf in _leaves(g, "technology"):
        parents = set(g.objects(leaf, SKOS.broader))
        assert len(parents) == 1 and parents <= tops, f"{leaf} must sit under one grouping"
        assert g.value(leaf, SKOS.definition) is not None, f"{leaf} has no definition"
    for top in tops:
        assert (None, SKOS.broader, top) in g, f"grouping {top} is empty"


def test_technology_related_is_symmetric_and_stays_in_scheme() -> None:
    g = _scheme_graph("technology")
    concepts = _concepts(g, "technology")
    for a, b in g.subject_objects(SKOS.related):
        assert b in concepts and (b, SKOS.related, a) in g, f"{a} related {b} is not mutual"


def test_nace_has_21_sections_and_88_divisions() -> None:
    g = _scheme_graph("nace")
    concepts = _concepts(g, "nace")
    sections = {c for c in concepts if (c, SKOS.topConceptOf, iris.scheme("nace")) in g}
    divisions = concepts - sections
    assert len(sections) == 21 and len(divisions) == 88
    for d in divisions:
        parent = g.value(d, SKOS.broader)
        assert parent in sections, f"division {d} has no section as skos:broader"
        assert str(g.value(d, SKOS.notation)) == iris.key_of(d)
    assert _label(g, iris.nace("C"), "en") == "Manufacturing"
    assert "; undifferentiated goods-" in _label(g, iris.nace("T"), "en")
    assert _label(g, iris.nace("C"), "de") == "Verarbeitendes Gewerbe"


def test_every_sector_close_match_is_a_nace_concept() -> None:
    sectors, nace = _scheme_graph("sector"), _scheme_graph("nace")
    nace_concepts = _concepts(nace, "nace")
    matches = list(sectors.subject_objects(SKOS.closeMatch))
    assert len({s for s, _ in matches}) >= 35, "most sectors should map to NACE"
    for sector, target in matches:
        assert target in nace_concepts, f"{sector} closeMatch {target} is not a NACE concept"
    manufacturing = iris.concept("sector", "manufacturing-and-processing")
    assert (manufacturing, SKOS.closeMatch, iris.nace("C")) in sectors


def test_nace_file_is_what_the_generator_writes_now(require_shared) -> None:
    require_shared(SHARED / "classification" / "nace_rev2_en_de.csv")
    from graph.dataset.build_nace_scheme import build

    assert build(SHARED) == (SCHEMES / "nace.ttl").read_text(encoding="utf-8"), (
        "ontologies/schemes/nace.ttl is stale: run python -m graph.dataset.build_nace_scheme"
    )


def test_packaged_schemes_conform_to_the_shapes(schemes: Graph) -> None:
    validate(schemes, source="ontologies/schemes")


@pytest.mark.parametrize("name", ["technology", "service"])
def test_every_concept_has_a_plain_definition_in_english_and_german(name: str) -> None:
    """Concept linking embeds these: one per language, one to three full sentences, no label echo only."""
    g = _scheme_graph(name)
    leaves = _leaves(g, name)
    assert len(leaves) == EXPECTED_COUNTS[name]
    for c in leaves:
        by_lang: dict[str | None, list[str]] = defaultdict(list)
        for d in g.objects(c, SKOS.definition):
            by_lang[d.language].append(str(d))
        assert set(by_lang) == {"en", "de"}, f"{c} needs one skos:definition @en and one @de, has {dict(by_lang)}"
        for lang, texts in by_lang.items():
            assert len(texts) == 1, f"{c} has {len(texts)} @{lang} definitions; keep one"
            text = texts[0]
            sentences = text.count(". ") + 1
            assert text.endswith(".") and 1 <= sentences <= 3, f"{c} @{lang}: 1-3 sentences ending in '.'"
            assert len(text.split()) >= 12, f"{c} @{lang} is too short to say what it is and what SMEs use it for"
            assert text.casefold() != (_label(g, c, lang) or "").casefold()
