"""The graph commands through Typer's CliRunner, on real stores."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_stats_counts_classes_and_graphs(default_store_dir):
    res = run("stats", "--store", default_store_dir, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["classes"]["rm:State"] == 16
    assert data["classes"]["rm:District"] == 400
    assert data["classes"]["rm:Municipality"] > 10_000
    assert data["classes"]["rm:Company"] == 300
    assert {"regions", "schemes", "ontology", "provenance"} <= set(data["graphs"])


def test_show_region_with_links(default_store_dir):
    res = run("show", "15083270", "--store", default_store_dir, "--json")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["entity"] == "region" and rec["kind"] == "municipality" and rec["name"].startswith("Haldensleben")
    assert any("Börde" in p for p in rec["part_of"])
    assert rec["neighbours"]
    assert any("Haldensleben" in c for c in rec["centres_located"])


def test_show_lists_indicators_with_periods_and_code_labels(default_store_dir):
    res = run("show", "15002000", "--store", default_store_dir)
    assert res.exit_code == 0, res.output
    assert "households with broadband ≥ 1,000 Mbit/s: 37.38 %  [2022-06," in res.stdout
    assert "RegioStaR 7 regional type: 72 urban region – regiopolis and large city" in res.stdout
    rec = json.loads(run("show", "15083", "--store", default_store_dir, "--json").stdout)
    est = {i["key"]: i for i in rec["indicators"]}
    assert est["establishments_total"]["value"] == 5671 and est["establishments_total"]["ref_period"] == "2021"
    assert "indicators" not in json.loads(run("show", "15", "--store", default_store_dir, "--json").stdout)


def test_show_centre_and_company(default_store_dir):
    res = run("show", "edihcat-005", "--store", default_store_dir, "--json")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["entity"] == "centre" and "Berlin" in rec["name"] and rec["topics"]
    res = run("show", "sme-000001", "--store", default_store_dir, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["synthetic"] is True


def test_show_unknown_key_names_value(default_store_dir):
    res = run("show", "no-such-thing", "--store", default_store_dir)
    assert res.exit_code == 1
    assert "'no-such-thing'" in res.stderr and "AGS" in res.stderr
    res = run("show", "1508", "--store", default_store_dir)
    assert res.exit_code == 2 and "'1508'" in res.stderr


def test_show_empty_key_is_refused(default_store_dir):
    # '' used to disable the id filter and print an arbitrary centre.
    for key in ("", "  "):
        res = run("show", key, "--store", default_store_dir)
        assert res.exit_code == 2, res.output
        assert res.stderr.startswith("error: ") and "id ''" in res.stderr and "centre:" not in res.stdout


def test_sparql_table_json_csv(default_store_dir):
    q = "SELECT ?name WHERE { ?s a rm:State ; schema:name ?name } ORDER BY ?name LIMIT 3"
    res = run("sparql", q, "--store", default_store_dir, "--format", "json")
    assert res.exit_code == 0, res.output
    assert [r["name"] for r in json.loads(res.stdout)] == ["Baden-Württemberg", "Bayern", "Berlin"]
    res = run("sparql", q, "--store", default_store_dir, "--format", "csv")
    assert res.stdout.splitlines()[:2] == ["name", "Baden-Württemberg"]
    res = run("sparql", "SELECT nonsense {", "--store", default_store_dir)
    assert res.exit_code == 2 and "SPARQL" in res.stderr


def test_sparql_from_file(default_store_dir, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?s a rm:Centre }")
    res = run("sparql", f"@{f}", "--store", default_store_dir)
    assert res.exit_code == 0 and res.stdout.strip() == "true"


def test_export_one_graph_as_turtle(default_store_dir, tmp_path):
    out = tmp_path / "centres.ttl"
    res = run("export", "--store", default_store_dir, "--graph", "centres/st", "--format", "ttl", "-o", str(out))
    assert res.exit_code == 0, res.output
    from rdflib import Graph

    g = Graph().parse(out)
    assert len(g) > 20
    res = run("export", "--store", default_store_dir, "--graph", "nope")
    assert res.exit_code == 1 and "'nope'" in res.stderr


def test_load_validate_and_exit_codes(default_store_dir, tmp_path):
    work = tmp_path / "store"
    shutil.copytree(default_store_dir, work)
    good = tmp_path / "hub.ttl"
    good.write_text(
        "@prefix rm: <https://w3id.org/regiomatch/ontology#> . @prefix schema: <https://schema.org/> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/regiomatch/id/centre/new-hub> a rm:Centre ; dcterms:identifier \"new-hub\" ;\n"
        "  schema:name \"Neues Zentrum\" ; rm:centreType rm:OtherCentre ;\n"
        "  schema:location <https://w3id.org/regiomatch/id/region/15003000> .\n"
    )
    bad = tmp_path / "bad.ttl"
    bad.write_text(good.read_text().replace(' schema:name "Neues Zentrum" ;', ""))
    assert run("validate", str(good), "--store", str(work)).exit_code == 0
    res = run("validate", str(bad), "--store", str(work), "--json")
    assert res.exit_code == 1 and json.loads(res.stdout)["conforms"] is False
    assert run("validate", str(tmp_path / "missing.ttl")).exit_code == 2
    res = run("load", str(bad), "--store", str(work))
    assert res.exit_code == 1 and "new-hub" in res.stdout + res.stderr
    res = run("load", str(good), "--store", str(work), "--graph", "centres/mine")
    assert res.exit_code == 0, res.output
    res = run("show", "new-hub", "--store", str(work), "--json")
    assert json.loads(res.stdout)["municipality_name"].startswith("Magdeburg")


def test_load_edih_csv_for_any_country(fresh_store_dir, tmp_path):
    csv = tmp_path / "hubs.csv"
    csv.write_text(
        "hub_id,name,title,hub_type,country,address,postcode_parsed,city_parsed,website,description,"
        "technologies,services,sectors\n"
        'x-1,DIH Test,Test hub,EDIH,France,"1 rue X, 75001 Paris, France",75001,Paris,https://x.eu,'
        '"Helps SMEs with AI.","Artificial Intelligence & Decision support - 5, Cybersecurity - 3",'
        '"SME support - 4","Manufacturing and processing - 4"\n',
        encoding="utf-8",
    )
    res = run("load", str(csv), "--store", fresh_store_dir, "--format", "edih-csv", "--json")
    assert res.exit_code == 0, res.output
    res = run("show", "x-1", "--store", fresh_store_dir, "--json")
    rec = json.loads(res.stdout)
    assert rec["country"] == "France" and rec["topics"][0]["level"] == 5


def test_stats_is_fast_and_loads_no_model(default_store_dir):
    code = (
        f"import sys; from service.cli import main; sys.argv=['regiomatch','stats','--store',{default_store_dir!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules, 'model imported'"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "Municipality" in res.stdout


def test_init_bare_then_stats(tmp_path):
    store = tmp_path / "bare"
    res = run("init", "--bare", "--store", str(store), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data["graphs"]) == {"ontology", "schemes", "provenance"}
    res = run("init", "--companies", "-5", "--store", str(store))
    assert res.exit_code == 2 and "-5" in res.stderr
    assert Path(store, "CURRENT").exists()
    # a rebuild keeps the content-keyed vector cache that lives in the store directory
    (store / "vectors").mkdir()
    (store / "vectors" / "v.npz").write_bytes(b"x")
    assert run("init", "--bare", "--store", str(store)).exit_code == 0
    assert (store / "vectors" / "v.npz").read_bytes() == b"x"


def test_file_problems_are_one_line_errors(default_store_dir, tmp_path):
    res = run("export", "--store", default_store_dir, "--graph", "centres/st", "-o", "/nonexistent/dir/x.ttl")
    assert res.exit_code == 2 and "cannot write /nonexistent/dir/x.ttl" in res.stderr
    q = tmp_path / "q.rq"
    q.write_bytes("SELECT * WHERE { ?s ?p 'Gr\xfc\xdfe' }".encode("latin-1"))
    res = run("sparql", f"@{q}", "--store", default_store_dir)
    assert res.exit_code == 2 and "not UTF-8" in res.stderr
    afile = tmp_path / "afile"
    afile.write_text("x")
    res = run("init", "--bare", "--store", str(afile))
    assert res.exit_code == 1 and "is a file" in res.stderr
    res = run("load", str(tmp_path), "--store", default_store_dir)
    assert res.exit_code == 2 and "not a regular file" in res.stderr
    res = run("sparql", "DELETE WHERE { ?s ?p ?o }", "--store", default_store_dir)
    assert res.exit_code == 2 and "DELETE WHERE" in res.stderr and "PREFIX" not in res.stderr
