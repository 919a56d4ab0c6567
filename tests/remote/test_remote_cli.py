"""The CLI's journeys with ``--store http://…`` against a real Oxigraph server.

Each journey runs on the remote store and on an embedded store built the same way;
the outputs must agree.
"""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "ontologies" / "examples"
HUBS_CSV = Path(__file__).resolve().parents[2] / "matching" / "data" / "eval_catalogue_hubs.csv"
RANSOM = "Wir hatten einen Angriff mit Verschlüsselungstrojanern und brauchen Hilfe bei der IT-Sicherheit"


def _ok(res) -> str:
    assert res.exit_code == 0, res.output
    return res.stdout


def test_init_default_reports_every_graph(remote_default, default_store_dir, cli):
    report = remote_default.init_report
    assert report["store"] == remote_default.query_url
    embedded = json.loads(_ok(cli(default_store_dir, "stats", "--json")))
    assert report["graphs"] == embedded["graphs"]
    assert json.loads(_ok(cli(remote_default, "stats", "--json"))) == embedded


def test_init_bare_replaces_what_is_there(remote_bare, fresh_store_dir, cli):
    _ok(cli(remote_bare, "load", str(EXAMPLES / "valid" / "centre.ttl"), "--graph", "extra"))
    out = _ok(cli(remote_bare, "init", "--bare"))
    assert out.startswith(f"built {remote_bare.query_url} in ")
    assert "ontology" in out and "schemes" in out
    stats = json.loads(_ok(cli(remote_bare, "stats", "--json")))
    # init replaces the graphs it writes; a graph loaded before stays (it is not the dataset's)
    embedded = json.loads(_ok(cli(fresh_store_dir, "stats", "--json")))
    assert {k: v for k, v in stats["graphs"].items() if k != "extra"} == embedded["graphs"]


def test_show_sparql_export_agree_with_embedded(remote_default, default_store_dir, cli, tmp_path):
    for args in (
        ("show", "15083270"),
        ("show", "st-rdz-haldensleben", "--json"),
        ("sparql", "SELECT ?name WHERE { ?d a rm:District ; schema:name ?name } ORDER BY ?name LIMIT 5"),
        ("sparql", "ASK { ?c a rm:Centre }"),
        ("sparql", "SELECT ?s ?n WHERE { ?s a rm:State ; schema:name ?n } ORDER BY ?s", "--format", "csv"),
    ):
        remote, embedded = cli(remote_default, *args), cli(default_store_dir, *args)
        assert _ok(remote) == _ok(embedded), args
    assert "Haldensleben" in cli(remote_default, "show", "15083270").stdout
    con = "CONSTRUCT { ?c schema:name ?n } WHERE { ?c a rm:Centre ; schema:name ?n }"
    from rdflib import Graph
    from rdflib.compare import isomorphic

    got = [Graph().parse(data=_ok(cli(s, "sparql", con)), format="turtle") for s in (remote_default, default_store_dir)]
    assert len(got[0]) > 50 and isomorphic(*got)
    for fmt in ("ttl", "nq"):
        a, b = tmp_path / f"remote.{fmt}", tmp_path / f"embedded.{fmt}"
        _ok(cli(remote_default, "export", "--graph", "centres/st", "--format", fmt, "-o", str(a)))
        _ok(cli(default_store_dir, "export", "--graph", "centres/st", "--format", fmt, "-o", str(b)))
        assert a.read_bytes() == b.read_bytes() and len(a.read_bytes()) > 10_000, fmt


def test_sparql_service_is_refused(remote_default, cli):
    res = cli(remote_default, "sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    assert res.exit_code == 2 and "SERVICE" in res.stderr and "Traceback" not in res.output


def test_export_unknown_graph_names_the_known_ones(remote_default, cli):
    res = cli(remote_default, "export", "--graph", "nope")
    assert res.exit_code == 1 and "'nope'" in res.stderr and "regions" in res.stderr


def test_match_with_the_hashing_encoder_ranks_as_embedded(remote_default, default_store_dir, cli):
    args = ("match", RANSOM, "--municipality", "15083270", "--sector", "C25", "-k", "8", "--json", "--encoder", "hashing")
    remote = json.loads(_ok(cli(remote_default, *args)))["matches"]
    embedded = json.loads(_ok(cli(default_store_dir, *args)))["matches"]
    assert [(m["id"], m["score"]) for m in remote] == [(m["id"], m["score"]) for m in embedded]
    assert len(remote) == 8
    company = json.loads(_ok(cli(remote_default, "match", "--company", "sme-000001", "-k", "3", "--json",
                                 "--encoder", "hashing")))
    assert len(company["matches"]) == 3


def test_load_validate_replace_agree_with_embedded(remote_bare, fresh_store_dir, cli):
    centre, company = str(EXAMPLES / "valid" / "centre.ttl"), str(EXAMPLES / "valid" / "company.ttl")
    for args in (
        ("load", centre, "--graph", "centres/x", "--json"),
        ("load", str(HUBS_CSV), "--format", "edih-csv", "--graph", "centres/eu", "--json"),
        ("load", company, "--graph", "centres/x", "--replace", "--json"),
    ):
        remote, embedded = json.loads(_ok(cli(remote_bare, *args))), json.loads(_ok(cli(fresh_store_dir, *args)))
        assert remote == embedded, args
    assert remote["replaced"] is True
    graphs = json.loads(_ok(cli(remote_bare, "stats", "--json")))["graphs"]
    assert graphs == json.loads(_ok(cli(fresh_store_dir, "stats", "--json")))["graphs"]
    assert graphs["centres/eu"] > 1000
    # --replace dropped the centre: only the company's triples are left in centres/x
    ask = "ASK { GRAPH <https://w3id.org/regiomatch/graph/centres/x> { ?c a rm:Centre } }"
    assert _ok(cli(remote_bare, "sparql", ask)).strip() == "false"


def test_validate_and_refused_load_write_nothing(remote_bare, fresh_store_dir, cli):
    bad = str(EXAMPLES / "invalid" / "company-250-employees.ttl")
    remote, embedded = cli(remote_bare, "validate", bad), cli(fresh_store_dir, "validate", bad)
    assert remote.exit_code == embedded.exit_code == 1
    assert remote.stdout == embedded.stdout and "250" in remote.stdout
    before = _ok(cli(remote_bare, "stats", "--json"))
    res = cli(remote_bare, "load", bad)
    assert res.exit_code == 1 and "violation" in res.output
    assert _ok(cli(remote_bare, "stats", "--json")) == before
