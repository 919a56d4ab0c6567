"""``regiomatch serve`` as a real process on loopback, used by real HTTP and SPARQL clients."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

RM = "https://w3id.org/regiomatch/ontology#"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("regiomatch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]


@pytest.fixture(scope="module")
def server(default_store_dir: str, tmp_path_factory: pytest.TempPathFactory):
    import shutil

    tmp = tmp_path_factory.mktemp("served")
    store = tmp / "store"
    shutil.copytree(default_store_dir, store, ignore=shutil.ignore_patterns("LOCK"))
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "REGIOMATCH_ENCODER": "hashing",
        "REGIOMATCH_CACHE_DIR": str(tmp / "cache"),
        "REGIOMATCH_RATE_LIMIT": "0",
    }
    proc = subprocess.Popen(
        [*_command(), "serve", "--store", str(store), "--port", str(port), "--no-warm"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"regiomatch serve did not start: {out}\n{err}")
        time.sleep(0.3)
    yield url, proc
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_serve_answers_over_http(server):
    url, proc = server
    with httpx.Client(base_url=url, timeout=30) as c:
        assert c.get("/health").json()["store"]["ok"] is True
        assert c.get("/regions/15083270").json()["name"] == "Haldensleben, Stadt"
        m = c.post("/match", json={"text": "IT-Sicherheit", "municipality": "15083270", "k": 2})
        assert m.status_code == 200 and len(m.json()["matches"]) == 2 and m.json()["matches"][0]["reasons"]
        assert c.get("/id/region/15083270", headers={"Accept": "text/turtle"}).headers["vary"] == "Accept"


def test_sparqlwrapper_queries_the_endpoint(server):
    from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

    url, _ = server
    sw = SPARQLWrapper(f"{url}/sparql")
    sw.setQuery(f"SELECT ?s WHERE {{ ?s a <{RM}State> }} ORDER BY ?s")
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert len(rows) == 16 and rows[0]["s"]["value"].endswith("/region/01")
    sw.setMethod(POST)
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert len(doc.getElementsByTagName("result")) == 16
    sw.setQuery(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{RM}Company> }}")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["results"]["bindings"][0]["n"]["value"] == "0"


def test_rdflib_sparqlstore_reads_the_endpoint(server):
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    url, _ = server
    g = Graph(store=SPARQLStore(f"{url}/sparql", returnFormat="json"))
    rows = list(g.query("SELECT ?name WHERE { <https://w3id.org/regiomatch/id/region/15> <https://schema.org/name> ?name }"))
    assert [str(r[0]) for r in rows] == ["Sachsen-Anhalt"]
    assert (URIRef("https://w3id.org/regiomatch/id/region/15"), None, None) in g
    xml = Graph(store=SPARQLStore(f"{url}/sparql"))  # rdflib's default: SPARQL XML results, RDF/XML graphs
    assert len(xml.query(f"CONSTRUCT {{ ?s a <{RM}State> }} WHERE {{ ?s a <{RM}State> }}").graph) == 16
    assert len(list(xml.query(f"SELECT ?s WHERE {{ ?s a <{RM}State> }}"))) == 16


def test_serve_refuses_what_it_cannot_do(tmp_path, api_store):
    from typer.testing import CliRunner

    from service.cli import app

    r = CliRunner().invoke(app, ["serve", "--store", str(tmp_path / "nothing-here")])
    assert r.exit_code == 1 and "regiomatch init" in r.output and not (tmp_path / "nothing-here").exists()
    r = CliRunner().invoke(app, ["serve", "--store", api_store, "--workers", "2"])
    assert r.exit_code == 2 and "remote store" in r.output
