"""The SPARQL 1.1 Protocol endpoint: formats, read-only, privacy of company data, limits."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

RM = "https://w3id.org/regiomatch/ontology#"
COMPANIES = "https://w3id.org/regiomatch/graph/companies/synthetic"
Q_DISTRICTS = f"SELECT ?d WHERE {{ ?d a <{RM}District> ; <{RM}ags> ?ags FILTER(STRSTARTS(?ags, '15')) }} ORDER BY ?d"


def _q(client, query, accept=None, **kw):
    headers = {"Accept": accept} if accept else {}
    headers.update(kw.pop("headers", {}))
    return client.get("/sparql", params={"query": query, **kw}, headers=headers)


def test_select_in_json_xml_csv_tsv(client):
    r = _q(client, Q_DISTRICTS)
    assert r.headers["content-type"] == "application/sparql-results+json"
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 14 and rows[0]["d"]["type"] == "uri"
    x = ET.fromstring(_q(client, Q_DISTRICTS, "application/sparql-results+xml").content)
    assert len(x.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 14
    c = list(csv.reader(io.StringIO(_q(client, Q_DISTRICTS, "text/csv").text)))
    assert c[0] == ["d"] and len(c) == 15 and c[1][0].startswith("https://")
    t = _q(client, Q_DISTRICTS, "text/tab-separated-values").text.splitlines()
    assert t[0] == "?d" and t[1].startswith("<https://")


def test_ask_construct_and_post_forms(client):
    assert _q(client, f"ASK {{ ?s a <{RM}State> }}").json()["boolean"] is True
    q = f"CONSTRUCT {{ ?s a <{RM}State> }} WHERE {{ ?s a <{RM}State> }}"
    assert _q(client, q, "application/n-triples").text.count("\n") == 16
    assert "rm:State" in _q(client, q, "text/turtle").text
    assert isinstance(_q(client, q, "application/ld+json").json(), list)
    r = client.post("/sparql", content=Q_DISTRICTS.encode(), headers={"content-type": "application/sparql-query"})
    assert len(r.json()["results"]["bindings"]) == 14
    r = client.post("/sparql", data={"query": Q_DISTRICTS})
    assert len(r.json()["results"]["bindings"]) == 14


def test_updates_and_service_are_refused(client, assert_error):
    upd = "INSERT DATA { <http://x> <http://y> <http://z> }"
    assert_error(client.post("/sparql", data={"update": upd}), 403, "read_only")
    assert_error(client.post("/sparql", content=upd.encode(), headers={"content-type": "application/sparql-update"}), 403)
    assert_error(_q(client, upd), 422, "invalid_input")
    err = assert_error(_q(client, "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }"), 422)
    assert "SERVICE" in err["message"]
    assert_error(_q(client, "SELECT WHERE"), 422, "invalid_input")
    assert_error(_q(client, Q_DISTRICTS, "image/png"), 406, "not_acceptable")


def test_public_queries_cannot_reach_company_data(client, auth, assert_error):
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{RM}Company> }}"
    from_ = f"SELECT (COUNT(*) AS ?n) FROM <{COMPANIES}> WHERE {{ ?c a <{RM}Company> }}"
    from_named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{COMPANIES}> WHERE {{ GRAPH ?g {{ ?c a <{RM}Company> }} }}"
    any_graph = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?c a <{RM}Company> }} }} GROUP BY ?g"
    graph_iri = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{COMPANIES}> {{ ?c ?p ?o }} }}"
    needs = f"SELECT ?t WHERE {{ ?c <{RM}needDescription> ?t }} LIMIT 1"
    for q in (count, from_, from_named, graph_iri):
        assert _q(client, q).json()["results"]["bindings"][0]["n"]["value"] == "0", q
    assert _q(client, any_graph).json()["results"]["bindings"] in ([], [{"n": {"type": "literal", "value": "0", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}])
    assert _q(client, needs).json()["results"]["bindings"] == []
    # FROM is overridden by the public dataset: it counts the public triples, not the companies'
    every = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    from_every = f"SELECT (COUNT(*) AS ?n) FROM <{COMPANIES}> WHERE {{ ?s ?p ?o }}"
    assert _q(client, every).json() == _q(client, from_every).json()
    assert_error(_q(client, count, **{"default-graph-uri": COMPANIES}), 403, "forbidden")
    # an analyst's key reaches them
    r = _q(client, count, headers=auth.analyst)
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == 300
    assert_error(_q(client, count, headers={"X-API-Key": "rmk_00000000_nope-nope-nope-nope-nope"}), 401, "invalid_key")


def test_result_limit_is_an_error_not_a_truncation(client, state, assert_error):
    saved = state.settings
    state.settings = saved.model_copy(update={"sparql_anon_max_rows": 10})
    try:
        err = assert_error(_q(client, Q_DISTRICTS), 422, "result_limit")
        assert "10" in err["message"] and "LIMIT" in err["message"]
        assert _q(client, Q_DISTRICTS + " LIMIT 10").status_code == 200
        assert _q(client, Q_DISTRICTS, headers={"X-API-Key": _key(state)}).status_code == 200
    finally:
        state.settings = saved


def _key(state):
    rec, token = state.keys.create("analyst", "limit test")
    return token


def test_service_description(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "sparql-service-description" in r.text
    from rdflib import Graph, Namespace

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    g = Graph().parse(data=r.text, format="turtle")
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in g
    names = {str(o) for o in g.objects(None, sd.name)}
    assert "https://w3id.org/regiomatch/graph/regions" in names and COMPANIES not in names


def test_a_query_past_its_time_limit_is_stopped_and_the_endpoint_goes_on(client, state, assert_error):
    import time

    saved = state.settings
    state.settings = saved.model_copy(update={"sparql_anon_timeout_s": 2.0})
    try:
        t0 = time.monotonic()
        err = assert_error(_q(client, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"), 422, "query_timeout")
        assert time.monotonic() - t0 < 30 and "2 s" in err["message"]
    finally:
        state.settings = saved
    assert len(_q(client, Q_DISTRICTS).json()["results"]["bindings"]) == 14


def test_sparql_sees_acknowledged_writes(client, auth):
    body = {"name": "Sichtbarkeitszentrum", "centre_type": "other"}
    assert client.put("/centres/t-visible", json=body, headers=auth.admin).status_code == 200
    q = "SELECT ?n WHERE { <https://w3id.org/regiomatch/id/centre/t-visible> <https://schema.org/name> ?n }"
    assert _q(client, q).json()["results"]["bindings"][0]["n"]["value"] == "Sichtbarkeitszentrum"
    client.delete("/centres/t-visible", headers=auth.admin)
    r = _q(client, q)
    assert r.status_code == 200 and r.json()["results"]["bindings"] == [], r.text
