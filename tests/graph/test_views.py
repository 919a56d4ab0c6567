"""Reading records back from the store: filters by id."""

from __future__ import annotations

import pytest

from graph import iris, views
from graph.errors import InvalidKey


@pytest.mark.parametrize(("fn", "what"), [(views.centres, "centre"), (views.companies, "company")])
def test_empty_id_is_refused_not_read_as_no_filter(default_store, fn, what):
    # '' used to mean "no filter", so show '' printed an arbitrary centre.
    with pytest.raises(InvalidKey, match=f"invalid {what} id ''"):
        fn(default_store, "")


def test_empty_id_for_one_record(default_store):
    with pytest.raises(InvalidKey, match="''"):
        views.centre(default_store, "")
    with pytest.raises(InvalidKey, match="''"):
        views.company(default_store, "")


def test_id_filter_returns_that_record(default_store):
    first = views.centres(default_store)[0]
    assert [c.id for c in views.centres(default_store, first.id)] == [first.id]
    company = views.companies(default_store)[1]
    assert views.company(default_store, company.id).id == company.id


def test_concepts_carry_their_definition_in_both_languages(default_store):
    by_key = {c.key: c for c in views.concepts(default_store, "technology")}
    lba = by_key["location-based-applications"]
    assert "vehicles" in lba.definition and "Firmenfahrzeuge" in lba.definition_de
    services = views.concepts(default_store, "service")
    assert len(services) == 15 and all(c.definition and c.definition_de for c in services)


def test_concepts_carry_their_example_needs_by_language(default_store):
    lba = next(c for c in views.concepts(default_store, "technology") if c.key == "location-based-applications")
    assert len(lba.examples_en) >= 12 and len(lba.examples_de) >= 12
    assert any("map" in e for e in lba.examples_en) and any("Karte" in e for e in lba.examples_de)
    assert not set(lba.examples_en) & set(lba.examples_de)  # split by language tag, not merged
    assert list(lba.examples_en) == sorted(lba.examples_en)
    sector = views.concepts(default_store, "sector")[0]
    assert sector.examples_en == () and sector.examples_de == ()


# --------------------------------------------------------------------------- mapping


def test_region_fields_are_mapped(default_store):
    r = views.region(default_store, "15083270")
    assert (r.name, r.kind, r.district_ags, r.state_ags) == ("Haldensleben, Stadt", "municipality", "15083", "15")
    assert r.population == 19267
    assert r.official_type == "Stadt" and r.postal_code == "39340"
    assert 52.0 < r.lat < 52.6 and 11.0 < r.lon < 11.8  # Haldensleben lies at 52.29 N, 11.41 E
    district = views.region(default_store, "15083")
    assert (district.kind, district.district_ags, district.state_ags) == ("district", "15083", "15")
    state = views.region(default_store, "15")
    assert (state.kind, state.district_ags) == ("state", None)


def test_regions_by_kind_hold_only_that_kind(default_store):
    states = views.regions(default_store, "state")
    assert len(states) == 16 and {r.kind for r in states} == {"state"}
    assert [r.ags for r in states] == sorted(r.ags for r in states)


def test_adjacency_is_symmetric_pairs_of_one_kind(default_store):
    pairs = views.adjacency(default_store, "district")
    assert ("15083", "15085") in pairs  # Börde borders Harz
    assert ("15085", "15083") not in pairs  # each pair once, smaller AGS first
    assert all(a < b and len(a) == len(b) == 5 for a, b in pairs)


def test_region_links_of_a_district(default_store):
    links = views.region_links(default_store, "15083")
    assert [(x.key, x.name) for x in links.part_of] == [("15", "Sachsen-Anhalt")]
    assert links.parts is not None and links.parts > 10
    assert ("15085", "Harz") in [(x.key, x.name) for x in links.neighbours]
    assert "st-rdz-haldensleben" in [x.key for x in links.centres_located]
    assert views.region_links(default_store, "15083270").parts is None


def test_concept_labels_alt_labels_and_broader(default_store):
    tech = {c.key: c for c in views.concepts(default_store, "technology")}
    am = tech["additive-manufacturing"]
    assert (am.scheme, am.label_en, am.label_de) == ("technology", "Additive manufacturing", "Additive Fertigung")
    assert "3D printing" in am.alt_en and "3D-Druck" in am.alt_de
    assert "3D-Druck" not in am.alt_en  # German alternatives stay German
    assert am.broader == ("https://w3id.org/regiomatch/concept/technology/advanced-manufacturing",)
    assert all(c.scheme == "technology" for c in tech.values())


def test_centre_engagements_keep_kind_and_level(default_store):
    c = views.centre(default_store, "st-rdz-haldensleben")
    assert (c.centre_type, c.municipality_ags, c.district_ags, c.state_ags) == ("regional", "15083270", "15083", "15")
    levels = {(e.concept.rsplit("/", 1)[-1], e.kind): e.level for e in c.topics + c.services + c.sectors}
    assert levels == {
        ("internet-services-applications", "technology"): 2,
        ("public-sector-innovation", "service"): 3,
        ("regional-development", "service"): 2,
        ("sme-support", "service"): 2,
        ("public-administration", "sector"): 3,
    }
    assert c.served_ags == ("15083",)
    assert [e.level for e in c.services] == sorted((e.level for e in c.services), reverse=True)


def test_synthetic_companies_are_flagged(default_store):
    cos = views.companies(default_store)
    assert len(cos) == 300 and all(c.synthetic for c in cos)
    first = cos[0]
    assert first.id == "sme-000001" and first.municipality_ags and first.needs
    assert first.language in ("de", "en")


def test_outcomes_are_mapped(tmp_path):
    from rdflib import Graph

    from graph.store import open_store

    data = """
@prefix rm: <https://w3id.org/regiomatch/ontology#> .
<https://w3id.org/regiomatch/id/outcome/o1> a rm:Outcome ;
    rm:company <https://w3id.org/regiomatch/id/company/sme-000001> ;
    rm:centre <https://w3id.org/regiomatch/id/centre/edihcat-005> ; rm:rating 0.75 .
"""
    with open_store(tmp_path / "s") as st:
        assert views.outcomes(st) == []
        st.put_graph(iris.named_graph("imports/outcomes"), Graph().parse(data=data, format="turtle"), replace=False)
        (o,) = views.outcomes(st)
    assert o.company.endswith("company/sme-000001") and o.centre.endswith("centre/edihcat-005")
    assert o.rating == 0.75


def test_stats_count_classes_and_graphs(default_store):
    s = views.stats(default_store)
    assert s["classes"]["rm:State"] == 16 and s["classes"]["rm:Company"] == 300
    assert set(s["graphs"]) >= {"ontology", "schemes", "regions", "companies/synthetic", "provenance"}
