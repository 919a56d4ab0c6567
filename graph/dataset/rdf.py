"""The default dataset as RDF, following ``ontologies/README.md``.

``default_dataset()`` returns one ``rdflib.Graph`` per named graph:

=====================  =================================================================
``regions``            16 states, 400 districts, the political municipalities;
                       ``schema:containedInPlace`` upwards, ``geo:sfTouches`` both ways
``centres/edih-de``    the German hubs of the EU catalogue (via :mod:`graph.edih`)
``centres/st``         Saxony-Anhalt's support organisations, their grants and programmes
``companies/synthetic`` generated SMEs (:mod:`graph.dataset.companies`)
``indicators``         official statistics per municipality and district as RDF Data
                       Cube (:mod:`graph.dataset._indicator_rdf`)
``provenance``         one ``prov:Entity`` per other graph
=====================  =================================================================

``dataset_quads()`` yields the same statements as ``(s, p, o, graph IRI)`` tuples
without building graphs, and ``dataset_nquads()`` as escaped N-Quads bytes, for fast
export or bulk loading.

Saxony-Anhalt organisations that the catalogue also lists use the hub's id (see
:mod:`graph.dataset._curated`); an organisation without a location (the DIH
consortium) serves the state of Saxony-Anhalt. ``prov:generatedAtTime`` is the day
the source facts were taken, so the output is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, GEO, PROV, RDF, SDO, XSD
from rdflib.term import Node

from graph import iris
from graph.dataset import compact
from graph.dataset._indicator_rdf import indicator_triples
from graph.dataset._provenance import LICENCES
from graph.dataset.companies import SyntheticCompany, generate_companies
from graph.dataset.locate import MunicipalityLocator
from graph.edih import EdihHub, TermLevel, edih_hubs_to_graph
from graph.vocab import RM

__all__ = ["GRAPH_NAMES", "default_dataset", "dataset_quads", "dataset_nquads", "nquads_chunks", "geometry",
           "region_triples", "company_triples", "centre_graphs", "hub_from_record", "default_locator"]

GRAPH_NAMES = ("regions", "centres/edih-de", "centres/st", "companies/synthetic", "indicators", "provenance")
Triple = tuple[Node, Node, Node]
ST_AGS = "15"
_SIZE = {"micro": RM.Micro, "small": RM.Small, "medium": RM.Medium}
# schema:funding is newer than rdflib's schema.org snapshot, which would warn on SDO.funding
_SCHEMA_FUNDING = URIRef(str(SDO) + "funding")


def geometry(kind: str) -> dict[str, Any]:
    """GeoJSON FeatureCollection (WGS84) of ``"districts"`` or ``"st-municipalities"``."""
    return compact.geometry(kind)


def _dec(x: float) -> Literal:
    return Literal(repr(x) if isinstance(x, float) else str(x), datatype=XSD.decimal)


def _int(x: int) -> Literal:
    return Literal(x, datatype=XSD.integer)


def region_triples() -> Iterator[Triple]:
    """States, districts, municipalities and their neighbourhood (about 250,000 triples)."""
    for s in compact.states():
        r = iris.region(s["ags"])
        yield from (
            (r, RDF.type, RM.State), (r, RM.ags, Literal(s["ags"])), (r, SDO.name, Literal(s["name"])),
            (r, RM.officialType, Literal("Land")), (r, RM.nuts, Literal(s["nuts1"])),
            (r, RM.population, _int(s["population"])), (r, RM.areaKm2, _dec(s["area_km2"])),
        )
    for d in compact.districts():
        r = iris.region(d["ags"])
        yield from (
            (r, RDF.type, RM.District), (r, RM.ags, Literal(d["ags"])), (r, SDO.name, Literal(d["name"])),
            (r, RM.officialType, Literal(d["type"])), (r, RM.nuts, Literal(d["nuts3"])),
            (r, RM.population, _int(d["population"])), (r, RM.areaKm2, _dec(d["area_km2"])),
            (r, SDO.latitude, _dec(d["lat"])), (r, SDO.longitude, _dec(d["lon"])),
            (r, SDO.containedInPlace, iris.region(d["state"])),
        )
    for m in compact.municipalities():
        r = iris.region(m["ags"])
        yield from (
            (r, RDF.type, RM.Municipality), (r, RM.ags, Literal(m["ags"])),
            (r, SDO.name, Literal(m["name"])), (r, RM.officialType, Literal(m["type"])),
            (r, RM.population, _int(m["population"])), (r, RM.areaKm2, _dec(m["area_km2"])),
            (r, SDO.latitude, _dec(m["lat"])), (r, SDO.longitude, _dec(m["lon"])),
            (r, RM.degurba, _int(m["degurba"])), (r, SDO.postalCode, Literal(m["plz"])),
            (r, SDO.containedInPlace, iris.region(m["district"])),
        )
    for level in ("districts", "municipalities"):
        for a, b in compact.adjacency(level):
            ra, rb = iris.region(a), iris.region(b)
            yield (ra, GEO.sfTouches, rb)
            yield (rb, GEO.sfTouches, ra)


def default_locator() -> MunicipalityLocator:
    """The locator over the compact municipalities (used for every German centre)."""
    return MunicipalityLocator((m["ags"], m["name"], m["plz"]) for m in compact.municipalities())


def _tags(pairs: Iterable[list[Any]]) -> tuple[TermLevel, ...]:
    return tuple(TermLevel(slug, int(level)) for slug, level in pairs)


def hub_from_record(rec: dict[str, Any]) -> EdihHub:
    """An :class:`EdihHub` from a hub record of the compact centres file."""
    return EdihHub(
        hub_id=rec["hub_id"], name=rec["name"], country=rec["country"], title=rec["title"],
        hub_type=rec["hub_type"], address=rec["address"], postcode=rec["postcode"],
        city=rec["city"], website=rec["website"], description=rec["description"],
        technologies=_tags(rec["technologies"]), services=_tags(rec["services"]),
        sectors=_tags(rec["sectors"]), scope=rec["scope"], serves_only=rec.get("serves_only"),
    )


def _st_hub(org: dict[str, Any], hubs: dict[str, dict[str, Any]]) -> EdihHub:
    if org["same_as_hub"]:
        return hub_from_record(hubs[org["same_as_hub"]])
    return EdihHub(
        hub_id=org["id"], name=org["name"], country="Germany", city=org["town"],
        description=org["facts"], technologies=_tags(org["technologies"]),
        services=_tags(org["services"]), sectors=_tags(org["sectors"]), scope=org["scope"],
    )


def centre_graphs(locator: MunicipalityLocator | None = None) -> dict[str, Graph]:
    """``centres/edih-de`` and ``centres/st`` as graphs."""
    data = compact.centres()
    locator = locator or default_locator()
    hubs = {h["hub_id"]: h for h in data["hubs"]}
    edih = edih_hubs_to_graph((hub_from_record(h) for h in data["hubs"]), locator.locate,
                              iris.named_graph("centres/edih-de"))
    orgs = data["st_organisations"]
    st = edih_hubs_to_graph((_st_hub(o, hubs) for o in orgs), locator.locate,
                            iris.named_graph("centres/st"))
    for org in orgs:
        c = iris.centre(org["id"])
        if org["ags"] is None:
            st.add((c, SDO.areaServed, iris.region(ST_AGS)))
        for n, grant in enumerate(org["grants"], start=1):
            for t in _grant_triples(c, iris.grant(org["id"], n), grant):
                st.add(t)
    for slug, name in data["programmes"].items():
        st.add((iris.programme(slug), RDF.type, RM.Programme))
        st.add((iris.programme(slug), SDO.name, Literal(name, lang="de")))
    return {"centres/edih-de": edih, "centres/st": st}


def _grant_triples(centre: URIRef, g: URIRef, grant: dict[str, Any]) -> Iterator[Triple]:
    yield (centre, _SCHEMA_FUNDING, g)
    yield (g, RDF.type, SDO.MonetaryGrant)
    yield (g, SDO.amount, _dec(grant["amount"]))
    yield (g, SDO.currency, Literal("EUR"))
    yield (g, RM.programme, iris.programme(grant["programme"]))
    yield (g, SDO.funder, Literal(grant["funder"]))
    for key, prop in (("start", SDO.startDate), ("end", SDO.endDate)):
        if grant.get(key):
            yield (g, prop, Literal(grant[key], datatype=XSD.date))


def company_triples(companies: Iterable[SyntheticCompany]) -> Iterator[Triple]:
    """RDF of generated companies (about 12 triples each)."""
    true = Literal(True)
    for c in companies:
        r = iris.company(c.id)
        yield from (
            (r, RDF.type, RM.Company), (r, DCTERMS.identifier, Literal(c.id)),
            (r, SDO.name, Literal(c.name)), (r, SDO.location, iris.region(c.municipality_ags)),
            (r, RM.naceSector, iris.nace(c.nace)), (r, RM.sizeClass, _SIZE[c.size_class]),
            (r, SDO.numberOfEmployees, _int(c.employees)),
            (r, RM.needDescription, Literal(c.need_description, lang=c.language)),
            (r, RM.synthetic, true if c.synthetic else Literal(False)),
        )
        for term in c.needs:
            yield (r, RM.needs, iris.concept("technology", iris.slugify(term)))


def _provenance_triples(companies: int, seed: int) -> Iterator[Triple]:
    info = compact.meta()
    when = Literal(f"{info['source_date']}T00:00:00Z", datatype=XSD.dateTime)
    for name, p in sorted(info["provenance"].items()):
        g = iris.named_graph(name)
        yield (g, RDF.type, PROV.Entity)
        title = p["title"] + (f", n={companies}, seed={seed}" if name == "companies/synthetic" else "")
        yield (g, DCTERMS.title, Literal(title))
        for src in p["sources"]:
            yield (g, DCTERMS.source, Literal(src))
        for lic in p["licences"]:
            yield (g, DCTERMS.license, URIRef(LICENCES[lic]))
        yield (g, PROV.generatedAtTime, when)


def _graph_triples(companies: int, seed: int) -> Iterator[tuple[str, Iterable[Triple]]]:
    yield "regions", region_triples()
    yield from centre_graphs().items()
    yield "companies/synthetic", company_triples(generate_companies(companies, seed))
    yield "indicators", indicator_triples()
    yield "provenance", _provenance_triples(companies, seed)


Quad = tuple[Node, Node, Node, URIRef]


def dataset_quads(companies: int = 3000, seed: int = 42) -> Iterator[Quad]:
    """Every statement of the default dataset as ``(s, p, o, named graph IRI)``."""
    for name, triples in _graph_triples(companies, seed):
        g = iris.named_graph(name)
        for s, p, o in triples:
            yield s, p, o, g


def nquads_chunks(quads: Iterable[Quad]) -> Iterator[bytes]:
    """``quads`` as UTF-8 N-Quads, in chunks of about 10,000 lines (for bulk loading)."""
    from graph.store.terms import to_oxigraph

    lines: list[str] = []
    for s, p, o, g in quads:
        # pyoxigraph writes a literal in N-Triples syntax (rdflib's n3() may use """…""")
        obj = str(to_oxigraph(o)) if isinstance(o, Literal) else o.n3()
        lines.append(f"{s.n3()} {p.n3()} {obj} {g.n3()} .\n")
        if len(lines) >= 10_000:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")


def dataset_nquads(companies: int = 3000, seed: int = 42) -> Iterator[bytes]:
    """The default dataset as UTF-8 N-Quads, in chunks of about 10,000 lines (for bulk loading)."""
    return nquads_chunks(dataset_quads(companies, seed))


def default_dataset(companies: int = 3000, seed: int = 42) -> dict[str, Graph]:
    """The default dataset: named-graph name (see ``GRAPH_NAMES``) → ``rdflib.Graph``."""
    out: dict[str, Graph] = {}
    for name, triples in _graph_triples(companies, seed):
        if isinstance(triples, Graph):
            out[name] = triples
            continue
        g = Graph(identifier=iris.named_graph(name))
        g.addN((s, p, o, g) for s, p, o in triples)
        out[name] = g
    return out
