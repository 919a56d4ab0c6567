"""Corruption and data loss (issue 6): writers exclude each other, load never writes
where it must not, export never writes into the store. Concurrency with real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph import iris
from graph.errors import StoreBusy
from graph.store import open_store
from graph.store.lock import writer_lock
from service.cli import app

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from service.cli import main; main()"]  # the console script, from this tree
runner = CliRunner()
TTL = """
@prefix rm: <https://w3id.org/regiomatch/ontology#> .
@prefix schema: <https://schema.org/> .
<https://w3id.org/regiomatch/id/centre/x-1> a rm:Centre ; schema:name "X" .
"""


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    env.update(extra)
    return env


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=_env(**env), timeout=240
    )


def _hold_writer(store: str, seconds: float) -> subprocess.Popen[str]:
    """A process that opens ``store`` for writing (as `load` does), says 'ready', then writes and exits."""
    code = textwrap.dedent(f"""
        import time
        from rdflib import Graph, Literal, URIRef
        from graph.store import open_store
        with open_store({store!r}, create=False) as st:
            print("ready", flush=True)
            time.sleep({seconds})
            g = Graph(); g.add((URIRef("http://ex/a"), URIRef("http://ex/p"), Literal("held")))
            st.put_graph(URIRef("https://w3id.org/regiomatch/graph/imports/held"), g, replace=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=_env())
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_init_while_a_load_writes_says_busy_and_corrupts_nothing(fresh_store_dir):
    holder = _hold_writer(fresh_store_dir, 3)
    try:
        res = _cli("init", "--bare", "--store", fresh_store_dir, REGIOMATCH_LOCK_WAIT="0.5")
    finally:
        assert holder.wait(60) == 0
    assert res.returncode == 1
    assert f"busy (pid {holder.pid}" in res.stderr
    assert "Traceback" not in res.stderr and "IO error" not in res.stderr
    with open_store(fresh_store_dir, read_only=True) as st:  # the load landed, the store reads
        assert str(iris.named_graph("imports/held")) in st.named_graphs()
        assert str(iris.named_graph("ontology")) in st.named_graphs()


def test_two_inits_run_one_after_the_other(tmp_path):
    store = str(tmp_path / "store")
    procs = [
        subprocess.Popen(
            [*CLI, "init", "--bare", "--store", store, "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(REGIOMATCH_LOCK_WAIT="120"),
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    res = _cli("stats", "--store", store, "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["graphs"]["ontology"] > 100
    assert not (tmp_path / "store.building").exists() and not (tmp_path / "store.old").exists()


def test_a_second_writer_in_process_waits_then_fails(tmp_path):
    target = tmp_path / "s"
    with writer_lock(target, wait=0):
        t0 = time.monotonic()
        with pytest.raises(StoreBusy, match=rf"busy \(pid {os.getpid()}"):
            open_store(target, lock_wait=0.3)
        assert time.monotonic() - t0 >= 0.3
    with open_store(target, lock_wait=0.3) as st:  # free again once released
        assert st.named_graphs() == []


@pytest.mark.parametrize("name", ["regions", "schemes", "ontology", "provenance", "companies/synthetic", "centres/st"])
def test_load_refuses_core_graphs(fresh_store_dir, tmp_path, name):
    f = tmp_path / "x.ttl"
    f.write_text(TTL, encoding="utf-8")
    res = runner.invoke(app, ["load", str(f), "--store", fresh_store_dir, "--graph", name, "--replace"])
    assert res.exit_code == 2
    assert f"'{name}' is built by 'regiomatch init'" in res.stderr and "imports/<name>" in res.stderr
    with open_store(fresh_store_dir, read_only=True) as st:
        assert st.ask("ASK { ?o a <http://www.w3.org/2002/07/owl#Ontology> }")  # ontology intact


def test_load_refuses_an_empty_graph_name(fresh_store_dir, tmp_path):
    f = tmp_path / "x.ttl"
    f.write_text(TTL, encoding="utf-8")
    res = runner.invoke(app, ["load", str(f), "--store", fresh_store_dir, "--graph", ""])
    assert res.exit_code == 2 and "--graph ''" in res.stderr
    with open_store(fresh_store_dir, read_only=True) as st:
        assert not [g for g in st.named_graphs() if "imports" in g]


def test_load_before_init_or_into_a_foreign_directory_writes_nothing(tmp_path):
    f = tmp_path / "x.ttl"
    f.write_text(TTL, encoding="utf-8")
    missing = tmp_path / "nothing"
    res = runner.invoke(app, ["load", str(f), "--store", str(missing)])
    assert res.exit_code == 1 and f"no store at {missing}: run 'regiomatch init' first" in res.stderr
    assert not missing.exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("my own file")
    res = runner.invoke(app, ["load", str(f), "--store", str(foreign)])
    assert res.exit_code == 1 and "is not a regiomatch store" in res.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_load_into_a_database_that_init_did_not_build_is_refused(tmp_path):
    f = tmp_path / "x.ttl"
    f.write_text(TTL, encoding="utf-8")
    with open_store(tmp_path / "bare-db"):
        pass  # an empty Oxigraph database: no ontology graph
    res = runner.invoke(app, ["load", str(f), "--store", str(tmp_path / "bare-db")])
    assert res.exit_code == 1 and "not a regiomatch store" in res.stderr and "regiomatch init" in res.stderr


def test_export_into_the_store_directory_is_refused(fresh_store_dir):
    current = Path(fresh_store_dir) / "CURRENT"
    before = current.read_bytes()
    res = runner.invoke(app, ["export", "--store", fresh_store_dir, "-o", str(current)])
    assert res.exit_code == 2 and "inside the store" in res.stderr
    assert current.read_bytes() == before
    res = runner.invoke(app, ["stats", "--store", fresh_store_dir])
    assert res.exit_code == 0


def test_no_validate_loads_trusted_data_in_one_write(fresh_store_dir, tmp_path):
    f = tmp_path / "bulk.ttl"
    # no schema:name etc.: SHACL would refuse it, --no-validate takes it as given
    f.write_text(TTL + "<https://w3id.org/regiomatch/id/centre/x-1> <http://ex/p> [ <http://ex/q> 1 ] .\n")
    res = runner.invoke(app, ["load", str(f), "--store", fresh_store_dir, "--no-validate", "--graph", "imports/bulk"])
    assert res.exit_code == 0, res.output
    assert "4 triples loaded into https://w3id.org/regiomatch/graph/imports/bulk" in res.stdout
    with open_store(fresh_store_dir, read_only=True) as st:
        g = "https://w3id.org/regiomatch/graph/imports/bulk"
        assert st.ask(f"ASK {{ GRAPH <{g}> {{ ?s <http://ex/p> [ <http://ex/q> 1 ] }} }}")
        assert st.ask(f"ASK {{ GRAPH <https://w3id.org/regiomatch/graph/provenance> {{ <{g}> ?p ?o }} }}")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<http://ex/a b> <http://ex/p> "x" .', "Invalid IRI"),
        ('<http://ex/a> <http://ex/p> "x\\uD800" .', "not a valid unicode character"),
        ("# only a comment\n", "no triples found"),
    ],
)
def test_no_validate_still_refuses_malformed_data(fresh_store_dir, tmp_path, body, message):
    f = tmp_path / "bad.ttl"
    f.write_text(body, encoding="utf-8")
    res = runner.invoke(app, ["load", str(f), "--store", fresh_store_dir, "--no-validate"])
    assert res.exit_code == 2 and message in res.stderr, res.output
    res = runner.invoke(app, ["load", str(f), "--store", fresh_store_dir, "--no-validate", "--graph", "regions"])
    assert res.exit_code == 2 and "built by 'regiomatch init'" in res.stderr


def test_core_graphs_are_exactly_what_init_builds():
    from graph.build import base_graphs
    from graph.dataset.rdf import GRAPH_NAMES

    assert set(iris.CORE_GRAPHS) == set(base_graphs()) | set(GRAPH_NAMES)


def test_no_validate_with_replace_is_refused(fresh_store_dir, tmp_path):
    f = tmp_path / "bulk.ttl"
    f.write_text(TTL)
    res = runner.invoke(app, ["load", str(f), "--store", fresh_store_dir, "--no-validate", "--replace"])
    assert res.exit_code == 2 and "--replace with --no-validate is refused" in res.stderr


def test_no_validate_error_late_in_the_file_writes_nothing(fresh_store_dir, tmp_path):
    f = tmp_path / "late.nt"
    good = "".join(f'<http://ex/s{i}> <http://ex/p> "v{i}" .\n' for i in range(5000))
    f.write_text(good + "<http://ex/broken <http://ex/p> 1 .\n")
    res = runner.invoke(app, ["load", str(f), "--store", fresh_store_dir, "--no-validate", "--graph", "imports/late"])
    assert res.exit_code == 2 and "late.nt: not valid nt" in res.stderr
    with open_store(fresh_store_dir, read_only=True) as st:
        assert not st.ask("ASK { <http://ex/s1> ?p ?o }")
        assert str(iris.named_graph("imports/late")) not in st.named_graphs()


def test_reopening_a_store_whose_last_handle_sits_in_a_reference_cycle(fresh_store_dir):
    """A closed store kept alive by a cycle (e.g. a traceback) must not make the next open 'busy'."""
    import gc

    from graph.store import open_store

    gc.disable()
    try:
        st = open_store(fresh_store_dir)
        cycle: list[object] = [st._store]
        cycle.append(cycle)  # the raw pyoxigraph handle is now only reachable through a cycle
        st.close()
        del cycle, st
        again = open_store(fresh_store_dir)
        assert again.named_graphs()
        again.close()
    finally:
        gc.enable()
