"""Read resources: health, regions, centres (facets), topics, errors, caching, OpenAPI."""

from __future__ import annotations


def test_health_reports_store_models_and_reference_dates(client):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["store"]["ok"] and body["store"]["kind"] == "embedded"
    graphs = {g["name"]: g for g in body["data"]["graphs"]}
    assert graphs["regions"]["reference_date"].startswith("2026-11-24")
    assert graphs["companies/synthetic"]["private"] is True and graphs["regions"]["private"] is False
    assert body["models"]["encoder"] == "hashing"


def test_regions_paged_and_filtered(client):
    r = client.get("/regions", params={"level": "district", "within": "15", "limit": 5, "offset": 5})
    page = r.json()
    assert r.status_code == 200 and page["count"] == 14 and len(page["data"]) == 5
    assert all(x["kind"] == "district" and x["ags"].startswith("15") for x in page["data"])
    assert [x["ags"] for x in page["data"]] == sorted(x["ags"] for x in page["data"])
    first = client.get("/regions", params={"level": "district", "within": "15", "limit": 5}).json()
    assert not {x["ags"] for x in first["data"]} & {x["ags"] for x in page["data"]}


def test_region_search_folds_case_and_umlauts(client):
    for q in ("roßlau", "ROSSLAU", "rosslau"):
        names = [x["name"] for x in client.get("/regions", params={"q": q}).json()["data"]]
        assert "Dessau-Roßlau, Stadt" in names, (q, names)
    for q in ("muenchen", "Munchen", "MÜNCHEN"):
        names = [x["name"] for x in client.get("/regions", params={"q": q, "level": "municipality"}).json()["data"]]
        assert names[0].startswith("München"), (q, names)


def test_region_detail_with_indicators_and_links(client):
    r = client.get("/regions/15083270")
    body = r.json()
    assert body["name"] == "Haldensleben, Stadt" and body["population"] > 0
    assert "Börde (15083)" in body["part_of"]
    assert any("st-rdz-haldensleben" in c for c in body["centres_located"])


def test_region_errors_have_the_one_shape(client, assert_error):
    err = assert_error(client.get("/regions/999"), 422, "invalid_input")
    assert "'999'" in err["message"] and "8" in err["message"]
    assert "99999999" in assert_error(client.get("/regions/99999999"), 404, "not_found")["message"]
    assert_error(client.get("/regions", params={"limit": 0}), 422, "invalid_request")
    assert_error(client.get("/no/such/thing"), 404, "not_found")
    assert_error(client.delete("/regions"), 405, "method_not_allowed")


def test_read_resources_carry_etag_and_answer_304(client):
    r = client.get("/regions/15083270")
    assert r.headers["cache-control"].startswith("public") and r.headers["etag"]
    again = client.get("/regions/15083270", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content


def test_centre_facets_count_the_matching_centres(client):
    page = client.get("/centres", params={"topic": "cybersecurity", "limit": 500}).json()
    assert page["count"] == len(page["data"]) > 0
    assert all(any(t["key"] == "cybersecurity" for t in c["topics"]) for c in page["data"])
    assert page["facets"]["topic"]["cybersecurity"] == page["count"]
    assert sum(page["facets"]["type"].values()) == page["count"]
    everything = client.get("/centres", params={"limit": 500}).json()
    assert everything["count"] > page["count"]


def test_centres_near_a_region_sorted_by_distance(client):
    page = client.get("/centres", params={"near": "15083270", "radius_km": 60, "limit": 50}).json()
    km = [c["distance_km"] for c in page["data"]]
    assert page["data"][0]["id"] == "st-rdz-haldensleben" and km == sorted(km) and max(km) <= 60


def test_centres_filter_by_region_type_and_words(client):
    page = client.get("/centres", params={"region": "15", "type": "regional", "limit": 100}).json()
    assert page["count"] > 0 and all(c["centre_type"] == "regional" for c in page["data"])
    hits = client.get("/centres", params={"q": "haldensleben"}).json()["data"]
    assert "st-rdz-haldensleben" in [c["id"] for c in hits]


def test_centre_detail_and_unknown(client, assert_error):
    c = client.get("/centres/st-rdz-haldensleben").json()
    assert c["municipality_ags"] == "15083270" and c["topics"]
    assert_error(client.get("/centres/no-such-centre"), 404, "not_found")
    assert_error(client.get("/centres", params={"radius_km": 10}), 422, "invalid_input")


def test_topics_have_german_and_english_labels(client):
    schemes = client.get("/topics").json()["schemes"]
    assert {"technology", "service", "sector", "nace"} <= set(schemes)
    cyber = next(c for c in schemes["technology"] if c["key"] == "cybersecurity")
    assert cyber["label_en"] == "Cybersecurity" and cyber["label_de"] == "Cybersicherheit"


def test_topic_suggestion(client):
    r = client.post("/topics/suggest", json={"text": "Wir wollen unsere IT-Sicherheit verbessern", "k": 3})
    topics = r.json()["topics"]
    assert r.status_code == 200 and len(topics) == 3
    assert topics[0]["key"] == "cybersecurity" and topics[0]["evidence"]


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/match", "/sparql", "/centres/{centre_id}", "/companies/{company_id}"} <= set(spec["paths"])
    assert spec["components"]["schemas"]["MatchBody"]["examples"]
    assert client.get("/docs").status_code == 200


def test_region_detail_is_the_document_regiomatch_show_prints(client, api_store):
    import json

    from typer.testing import CliRunner

    from service.cli import app

    for ags in ("15", "15083", "15083270", "11000000"):
        shown = CliRunner().invoke(app, ["show", ags, "--store", api_store, "--json"])
        assert shown.exit_code == 0, shown.output
        assert client.get(f"/regions/{ags}").json() == json.loads(shown.stdout), ags


def test_region_detail_has_indicators(client):
    ind = {i["key"]: i for i in client.get("/regions/15083270").json()["indicators"]}
    assert ind and all(i["ref_period"] and i["label_de"] for i in ind.values())
