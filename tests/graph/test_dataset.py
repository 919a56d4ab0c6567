"""The default dataset: compact data, its RDF, synthetic companies and the reproducible build."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib import namespace as ns

from graph import iris
from graph.dataset import compact
from graph.dataset.companies import generate_companies, size_class_of
from graph.errors import InvalidInput
from graph.vocab import RM

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DATA = Path(__file__).resolve().parents[2] / "graph" / "dataset" / "data"


@pytest.fixture(scope="session")
def dataset() -> dict[str, Graph]:
    """The default dataset with 300 companies (built once per session)."""
    from graph.dataset.rdf import default_dataset

    return default_dataset(companies=300, seed=42)


def _technology_terms() -> list[str]:
    from graph.dataset._company_text import NEEDS

    return sorted(NEEDS)


# ---------------------------------------------------------------- regions


def test_region_counts_and_hierarchy() -> None:
    states, districts, munis = compact.states(), compact.districts(), compact.municipalities()
    assert len(states) == 16 and len(districts) == 400
    assert len(munis) == 10_773
    state_ags = {s["ags"] for s in states}
    district_ags = {d["ags"] for d in districts}
    assert all(d["state"] in state_ags and d["ags"][:2] == d["state"] for d in districts)
    assert all(m["district"] in district_ags for m in munis)
    # Germany had 84,358,845 people; the two inhabited unincorporated areas (dropped) hold 5,185
    assert sum(m["population"] for m in munis) == 84_358_845 - 5_185
    assert all(1 <= m["degurba"] <= 3 and m["plz"] for m in munis)


def test_adjacency_ends_exist(dataset: dict[str, Graph]) -> None:
    munis = {m["ags"] for m in compact.municipalities()}
    pairs = compact.adjacency("municipalities")
    assert len(pairs) > 30_000
    assert all(a in munis and b in munis and a < b for a, b in pairs)
    assert len(compact.adjacency("districts")) == 1_040


def test_regions_graph_is_symmetric_and_contained(dataset: dict[str, Graph]) -> None:
    g = dataset["regions"]
    touches = set(g.subject_objects(ns.GEO.sfTouches))
    assert touches and all((b, a) in touches for a, b in touches)
    haldensleben = iris.region("15083270")
    assert g.value(haldensleben, ns.SDO.containedInPlace) == iris.region("15083")
    assert g.value(iris.region("15083"), ns.SDO.containedInPlace) == iris.region("15")
    assert len(set(g.subjects(ns.RDF.type, RM.Municipality))) == 10_773
    assert g.value(haldensleben, RM.population).datatype == ns.XSD.integer
    assert g.value(haldensleben, RM.areaKm2).datatype == ns.XSD.decimal


def test_geometry_is_geojson() -> None:
    from graph.dataset.rdf import geometry

    districts = geometry("districts")
    assert districts["type"] == "FeatureCollection" and len(districts["features"]) == 400
    st = geometry("st-municipalities")
    assert len(st["features"]) == 218
    ring = st["features"][0]["geometry"]["coordinates"]
    first = ring[0][0] if st["features"][0]["geometry"]["type"] == "Polygon" else ring[0][0][0]
    assert 10 < first[0] < 14 and 50 < first[1] < 54  # lon, lat inside Saxony-Anhalt
    with pytest.raises(InvalidInput, match="expected one of districts, st-municipalities"):
        geometry("countries")


# ---------------------------------------------------------------- centres


def test_all_german_hubs_and_st_organisations_are_present_and_located(
    dataset: dict[str, Graph],
) -> None:
    hubs = compact.centres()["hubs"]
    assert len(hubs) == 57 and all(h["ags"] for h in hubs)
    g = dataset["centres/edih-de"]
    centres = set(g.subjects(ns.RDF.type, RM.Centre))
    assert len(centres) == 57
    assert all(g.value(c, ns.SDO.location) is not None for c in centres)
    orgs = compact.centres()["st_organisations"]
    assert len(orgs) == 5
    st = dataset["centres/st"]
    assert len(set(st.subjects(ns.RDF.type, RM.Centre))) == 5
    # the consortium has no town in the sources; it serves the state
    unlocated = [o["org_id"] for o in orgs if o["ags"] is None]
    assert unlocated == ["st-dih-saxony-anhalt"]
    assert (iris.centre("st-dih-saxony-anhalt"), ns.SDO.areaServed, iris.region("15")) in st


def test_st_records_of_catalogue_hubs_share_the_hub_id(dataset: dict[str, Graph]) -> None:
    st = dataset["centres/st"]
    assert (iris.centre("edihcat-260"), ns.SDO.name, Literal("Mittelstand-Digital Zentrum Magdeburg")) in st
    assert not set(st.subjects(ns.DCTERMS.identifier, Literal("st-mdz-magdeburg")))


def test_st_grants_respect_the_programme_cap(dataset: dict[str, Graph]) -> None:
    st = dataset["centres/st"]
    programme = iris.programme("st-digitalisierungszentren")
    grants = set(st.subjects(RM.programme, programme))
    assert len(grants) == 2
    for grant in grants:
        assert 0 < st.value(grant, ns.SDO.amount).toPython() <= 200_000
        assert str(st.value(grant, ns.SDO.currency)) == "EUR"
    rdz = iris.centre("st-rdz-haldensleben")
    assert (rdz, RM.centreType, RM.RegionalDigitalisationCentre) in st
    assert (rdz, ns.SDO.areaServed, iris.region("15083")) in st  # its district


def test_centre_types_and_scopes(dataset: dict[str, Graph]) -> None:
    g = dataset["centres/edih-de"]
    types = Counter(g.objects(None, RM.centreType))
    assert types[RM.EuropeanDigitalInnovationHub] == 16
    assert types[RM.MittelstandDigitalCentre] >= 25
    handel = iris.centre("edihcat-249")
    assert g.value(handel, RM.scope) == Literal("national")
    assert len(set(g.objects(handel, ns.SDO.areaServed))) == 16
    saxony = iris.centre("edihcat-255")
    assert g.value(saxony, RM.scope) == Literal("regional")
    assert set(g.objects(saxony, ns.SDO.areaServed)) == {iris.region("14")}


def test_trade_centres_serve_only_their_trade(dataset: dict[str, Graph]) -> None:
    g = dataset["centres/edih-de"]
    only = {iris.key_of(str(c)): iris.key_of(str(t)) for c, t in g.subject_objects(RM.servesOnly)}
    assert only == {"edihcat-006": "crafts", "edihcat-249": "retail-wholesale",
                    "edihcat-259": "construction-real-estate", "edihcat-329": "tourism-hospitality",
                    "edihcat-374": "health-care"}


def test_a_serves_only_quote_the_description_no_longer_holds_stops_the_build(monkeypatch, require_shared) -> None:
    from graph.dataset import _curated
    from graph.dataset.build import build_centres
    from graph.dataset.rdf import default_locator

    shared = require_shared(SHARED)
    monkeypatch.setitem(_curated.SERVES_ONLY, "edihcat-006", ("crafts", "bakers only, nobody else"))
    with pytest.raises(InvalidInput, match="edihcat-006: the description no longer says 'bakers only"):
        build_centres(shared, default_locator())
    monkeypatch.setitem(_curated.SERVES_ONLY, "edihcat-006", ("carpentry", ""))
    with pytest.raises(InvalidInput, match="'carpentry', not a trade of ontologies/schemes/trade.ttl"):
        build_centres(shared, default_locator())


# ---------------------------------------------------------------- companies


def test_company_generator_is_deterministic() -> None:
    munis = compact.municipalities()
    assert generate_companies(200, 7, munis) == generate_companies(200, 7, munis)
    assert generate_companies(200, 7, munis) != generate_companies(200, 8, munis)


def test_companies_respect_the_sme_constraints() -> None:
    companies = generate_companies(3000, 42)
    munis = {m["ags"] for m in compact.municipalities()}
    valid_terms = set(_technology_terms())
    assert [c.id for c in companies[:2]] == ["sme-000001", "sme-000002"]
    for c in companies:
        assert 0 < c.employees < 250 and c.size_class == size_class_of(c.employees)
        assert 1 <= len(c.needs) <= 3 and len(set(c.needs)) == len(c.needs)
        assert set(c.needs) <= valid_terms
        assert c.synthetic and c.municipality_ags in munis
        assert c.language in ("de", "en") and c.need_description
    sizes = Counter(c.size_class for c in companies)
    assert sizes["micro"] > sizes["small"] > sizes["medium"] > 0
    assert 0.5 < Counter(c.language for c in companies)["de"] / len(companies) < 0.7


def test_companies_follow_population() -> None:
    companies = generate_companies(3000, 42)
    berlin = sum(c.municipality_ags == "11000000" for c in companies)
    assert 80 < berlin < 200  # Berlin has 4.3 % of the population


def test_companies_graph(dataset: dict[str, Graph]) -> None:
    g = dataset["companies/synthetic"]
    c = iris.company("sme-000001")
    assert (c, ns.RDF.type, RM.Company) in g
    assert g.value(c, RM.synthetic) == Literal(True)
    assert g.value(c, RM.needDescription).language in ("de", "en")
    assert str(g.value(c, RM.naceSector)).startswith(str(iris.scheme("nace")))
    assert len(set(g.subjects(ns.RDF.type, RM.Company))) == 300


def test_provenance_describes_each_graph(dataset: dict[str, Graph]) -> None:
    g = dataset["provenance"]
    for name in ("regions", "centres/edih-de", "centres/st", "companies/synthetic"):
        ng = iris.named_graph(name)
        assert (ng, ns.RDF.type, ns.PROV.Entity) in g
        assert g.value(ng, ns.PROV.generatedAtTime) is not None
        assert g.value(ng, ns.DCTERMS.license) is not None


def test_quads_match_the_graphs(dataset: dict[str, Graph]) -> None:
    from graph.dataset.rdf import dataset_quads

    per_graph = Counter(q[3] for q in dataset_quads(companies=300, seed=42))
    assert per_graph == Counter({g.identifier: len(g) for g in dataset.values()})


# ---------------------------------------------------------------- build


def test_rebuild_reproduces_the_committed_files_byte_for_byte(require_shared) -> None:
    from graph.dataset.build import build

    require_shared(SHARED)
    built = build(SHARED)
    assert sorted(built) == sorted(p.name for p in DATA.iterdir())
    for name, data in built.items():
        assert (DATA / name).read_bytes() == data, f"{name} differs from a fresh build"


def test_compact_files_are_not_copies_of_the_sources(require_shared) -> None:
    require_shared(SHARED)
    sizes = {p.stat().st_size for p in SHARED.rglob("*") if p.is_file()}
    assert all(p.stat().st_size not in sizes for p in DATA.iterdir())
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 3_000_000


def test_nquads_export_loads_into_oxigraph(dataset: dict[str, Graph]) -> None:
    import pyoxigraph as ox

    from graph.dataset.rdf import dataset_nquads

    store = ox.Store()
    store.bulk_load(b"".join(dataset_nquads(companies=300, seed=42)), ox.RdfFormat.N_QUADS)
    assert len(store) == sum(len(g) for g in dataset.values())


def test_every_concept_used_is_in_the_schemes(dataset: dict[str, Graph]) -> None:
    from importlib import resources

    schemes = Graph()
    for name in ("technology", "service", "sector", "nace", "trade"):
        res = resources.files("ontologies").joinpath("schemes", f"{name}.ttl")
        schemes.parse(data=res.read_text(encoding="utf-8"), format="turtle")
    known = set(schemes.subjects(ns.RDF.type, ns.SKOS.Concept))
    used = set()
    for g in dataset.values():
        for p in (RM.concept, RM.needs, RM.naceSector, RM.servesOnly):
            used |= set(g.objects(None, p))
    assert used and used <= known, sorted(used - known)[:5]
