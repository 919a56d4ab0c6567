"""Remote-store mode against a real SPARQL server: Oxigraph's own server binary (PyPI ``oxigraph``).

The fixture loads the default dataset into an Oxigraph server on loopback; the API
and the CLI then run their main journeys with ``REGIOMATCH_STORE=http://…/query``.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

RM = "https://w3id.org/regiomatch/ontology#"


def _oxigraph() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph') is not installed")
    return found


@pytest.fixture(scope="module")
def oxigraph_url(default_store, tmp_path_factory: pytest.TempPathFactory):
    exe = _oxigraph()
    tmp = tmp_path_factory.mktemp("oxigraph")
    dump = tmp / "dataset.nq"
    dump.write_bytes(default_store.export("nq"))
    subprocess.run([exe, "load", "--location", str(tmp / "db"), "--file", str(dump)], check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(tmp / "db"), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=2)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph serve did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def remote_client(oxigraph_url: str, tmp_path_factory: pytest.TempPathFactory):
    from fastapi.testclient import TestClient

    from service.api import create_app
    from service.api.auth import KeyStore
    from service.settings import Settings

    tmp = tmp_path_factory.mktemp("remote-api")
    settings = Settings(store=f"{oxigraph_url}/query", update_url=f"{oxigraph_url}/update", encoder="hashing",
                        cache_dir=str(tmp / "cache"), keys_file=str(tmp / "keys.json"), rate_limit=0)
    admin = KeyStore(tmp / "keys.json").create("admin")[1]
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        c.headers["X-API-Key"] = admin
        yield c


def test_api_reads_and_matches_over_a_remote_store(remote_client):
    c = remote_client
    health = c.get("/health").json()
    assert health["store"]["kind"] == "remote" and health["store"]["ok"]
    assert c.get("/regions/15083270").json()["name"] == "Haldensleben, Stadt"
    assert c.get("/centres", params={"topic": "cybersecurity"}).json()["count"] > 0
    m = c.post("/match", json={"text": "IT-Sicherheit", "municipality": "15083270", "k": 3}).json()
    assert len(m["matches"]) == 3 and m["matches"][0]["reasons"]
    assert "Haldensleben" in c.get("/id/region/15083270?format=ttl").text


def test_public_sparql_over_a_remote_store_stays_public(remote_client):
    c = remote_client
    companies = "https://w3id.org/regiomatch/graph/companies/synthetic"
    q = f"SELECT (COUNT(*) AS ?n) FROM <{companies}> WHERE {{ ?c a <{RM}Company> }}"
    anon = c.get("/sparql", params={"query": q}, headers={"X-API-Key": ""})
    assert anon.json()["results"]["bindings"][0]["n"]["value"] == "0"
    states = c.get("/sparql", params={"query": f"SELECT ?s WHERE {{ ?s a <{RM}State> }}"}, headers={"X-API-Key": ""})
    assert len(states.json()["results"]["bindings"]) == 16


def test_writes_and_erasure_over_a_remote_store(remote_client):
    c = remote_client
    body = {"municipality": "15083270", "size_class": "micro", "needs": ["cybersecurity"],
            "need_description": "Fernspeicher-Geheimnis"}
    assert c.put("/companies/remote-1", json=body).status_code == 200
    assert c.get("/companies/remote-1").json()["need_description"] == "Fernspeicher-Geheimnis"
    assert c.delete("/companies/remote-1").status_code == 200
    iri = "https://w3id.org/regiomatch/id/company/remote-1"
    left = c.app.state.rm.store.ask(f"""ASK {{ GRAPH ?g {{ ?s ?p ?o
      FILTER(?s = <{iri}> || ?o = <{iri}> || CONTAINS(STR(?o), "Fernspeicher")) }} }}""")
    assert left is False  # searched every graph of the server


def test_cli_journeys_against_the_remote_store(oxigraph_url, tmp_path):
    from typer.testing import CliRunner

    from service.cli import app

    env = {"REGIOMATCH_CACHE_DIR": str(tmp_path)}
    store = f"{oxigraph_url}/query"
    r = CliRunner().invoke(app, ["show", "15083270", "--store", store], env=env)
    assert r.exit_code == 0 and "Haldensleben" in r.stdout, r.output
    r = CliRunner().invoke(app, ["match", "IT-Sicherheit", "--municipality", "15083270", "-k", "1",
                                 "--encoder", "hashing", "--store", store, "--json"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["matches"], r.output
