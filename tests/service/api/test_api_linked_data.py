"""Linked data: /id/… with content negotiation, /graph export, /dcat."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

BASE = "https://w3id.org/regiomatch/"
HALDENSLEBEN = URIRef(f"{BASE}id/region/15083270")


@pytest.mark.parametrize(
    ("accept", "fmt", "parse_as"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/html;q=0.5, application/rdf+xml", "application/rdf+xml", "xml"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_entity_dereferences_with_content_negotiation(client, accept, fmt, parse_as):
    r = client.get("/id/region/15083270", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(fmt)
    assert r.headers["vary"] == "Accept" and 'rel="alternate"' in r.headers["link"]
    g = Graph().parse(data=r.content, format=parse_as)
    assert (HALDENSLEBEN, ns.SDO.name, Literal("Haldensleben, Stadt")) in g


def test_browser_gets_html_and_format_links_work(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/id/centre/st-rdz-haldensleben", headers={"Accept": accept})
    assert r.headers["content-type"].startswith("text/html")
    assert "Regionales Digitalisierungszentrum Haldensleben" in r.text and 'href="/id/region/15083270"' in r.text
    assert client.get("/id/centre/st-rdz-haldensleben?format=nt").headers["content-type"].startswith("application/n-triples")


def test_centre_description_includes_its_engagements(client):
    g = Graph().parse(data=client.get("/id/centre/st-rdz-haldensleben?format=ttl").text, format="turtle")
    parts = [o for o in g.objects(URIRef(f"{BASE}id/centre/st-rdz-haldensleben"), None) if str(o).startswith(f"{BASE}id/centre/st-rdz-haldensleben/")]
    assert parts and all(any(g.predicate_objects(p)) for p in parts)


def test_concepts_and_ontology_dereference(client):
    g = Graph().parse(data=client.get("/concept/technology/cybersecurity", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert len(g) > 3
    assert "Centre" in client.get("/ontology?format=ttl").text


def test_unsupported_type_is_406_and_companies_are_not_public(client, assert_error):
    err = assert_error(client.get("/id/region/15083270", headers={"Accept": "image/png"}), 406, "not_acceptable")
    assert "text/turtle" in err["message"]
    assert_error(client.get("/id/region/15083270?format=pdf"), 406)
    assert_error(client.get("/id/company/sme-000001"), 404, "not_found")
    assert_error(client.get("/id/region/99999999"), 404)


def test_graph_export_is_public_only(client):
    r = client.get("/graph", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["etag"]
    text = r.text
    assert str(HALDENSLEBEN) in text and f"{BASE}id/company/" not in text
    assert client.get("/graph/regions?format=ttl").status_code == 200
    assert client.get("/graph/companies/synthetic").status_code == 404


def test_dcat_names_each_source_graph_with_licence_and_date(client):
    g = Graph().parse(data=client.get("/dcat", headers={"Accept": "text/turtle"}).text, format="turtle")
    regions = URIRef(f"{BASE}graph/regions")
    assert (regions, ns.DCTERMS.license, URIRef("https://www.govdata.de/dl-de/by-2-0")) in g
    assert str(g.value(regions, ns.DCTERMS.modified)).startswith("2026-11-24")
    assert (None, ns.DCAT.endpointURL, URIRef("http://testserver/sparql")) in g
    edih = URIRef(f"{BASE}graph/centres/edih-de")
    assert g.value(edih, ns.DCTERMS.license) is not None and g.value(edih, ns.DCAT.landingPage) is not None
    companies = URIRef(f"{BASE}graph/companies/synthetic")
    assert g.value(companies, ns.DCAT.landingPage) is None and "non-public" in str(g.value(companies, ns.DCTERMS.accessRights))
