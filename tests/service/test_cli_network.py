"""peers, partners and gaps through Typer's CliRunner, on the default store."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.schemas import GapsReport, PartnersResult, PeersResult

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# a regional centre in Wernigerode (district Harz, 15085), strong in cybersecurity
HARZ_CENTRE = """
@prefix rm:      <https://w3id.org/regiomatch/ontology#> .
@prefix schema:  <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix region:  <https://w3id.org/regiomatch/id/region/> .
@prefix centre:  <https://w3id.org/regiomatch/id/centre/> .
@prefix tech:    <https://w3id.org/regiomatch/concept/technology/> .

centre:test-harz a rm:Centre ;
    dcterms:identifier "test-harz" ;
    schema:name "Digitalisierungszentrum Harz (test)" ;
    schema:addressCountry "Germany" ;
    rm:centreType rm:RegionalDigitalisationCentre ;
    rm:scope "regional" ;
    schema:location region:15085370 ;
    schema:areaServed region:15085 ;
    rm:hasTopic <https://w3id.org/regiomatch/id/centre/test-harz/technology/cybersecurity> .
<https://w3id.org/regiomatch/id/centre/test-harz/technology/cybersecurity> a rm:Engagement ;
    rm:concept tech:cybersecurity ; rm:level 5 .
"""


def run(*args: str):
    return runner.invoke(app, list(args))


def test_peers_json(default_store_dir):
    res = run("peers", "15002000", "--scope", "state", "-k", "3", "--store", default_store_dir, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    PeersResult.model_validate(out)
    assert out["name"].startswith("Halle") and out["level"] == "municipality"
    assert out["peers"][0]["ags"] == "15003000"
    assert all(p["ags"].startswith("15") for p in out["peers"])
    assert out["peers"][0]["alike"] and "similarity" in out["peers"][0]


def test_peers_text_names_reasons(default_store_dir):
    res = run("peers", "15083270", "-k", "2", "--exclude-neighbours", "--store", default_store_dir)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("peers of Haldensleben, Stadt (15083270, municipality)")
    assert "alike:" in res.stdout


def test_partners_modes(default_store_dir):
    for mode in ("similar", "complementary", "regions"):
        res = run("partners", "edihcat-255", "--mode", mode, "-k", "3", "--store", default_store_dir, "--json")
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        PartnersResult.model_validate(out)
        assert out["mode"] == mode and 1 <= len(out["suggestions"]) <= 3
        assert all(s["reasons"] for s in out["suggestions"])


def test_gap_closes_when_a_centre_is_loaded_there(default_store_dir, tmp_path):
    res = run("gaps", "--region", "15", "--store", default_store_dir, "--json")
    assert res.exit_code == 0, res.output
    before = json.loads(res.stdout)
    GapsReport.model_validate(before)
    assert "15085" in [d["ags"] for d in before["districts_without_centre"]]
    assert before["note"].startswith("Distances are straight-line")
    copy = tmp_path / "store"
    shutil.copytree(default_store_dir, copy)
    ttl = tmp_path / "harz.ttl"
    ttl.write_text(HARZ_CENTRE, encoding="utf-8")
    res = run("load", str(ttl), "--store", str(copy))
    assert res.exit_code == 0, res.output
    res = run("gaps", "--region", "15", "--store", str(copy), "--json")
    after = json.loads(res.stdout)
    assert "15085" not in [d["ags"] for d in after["districts_without_centre"]]
    assert len(after["districts_without_centre"]) == len(before["districts_without_centre"]) - 1
    cyber = {t["topic"]: t for t in after["topics"]}["cybersecurity"]
    assert cyber["demand_underserved"] < {t["topic"]: t for t in before["topics"]}["cybersecurity"]["demand_underserved"]


def test_gaps_csv_and_html(default_store_dir, tmp_path):
    out = tmp_path / "gaps.csv"
    res = run("gaps", "--region", "15083", "--topic", "cybersecurity", "--csv", str(out), "--store", default_store_dir)
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 34 and all(r["ags"].startswith("15083") for r in rows)  # Börde's 34 municipalities
    assert "access_cybersecurity" in rows[0] and rows[0]["nearest_km"]
    page = tmp_path / "gaps.html"
    res = run("gaps", "--html", str(page), "--store", default_store_dir)
    assert res.exit_code == 0, res.output
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 4 and "© GeoBasis-DE / BKG 2021" in html
    assert "straight-line" in html and "<script" not in html and "cdn" not in html.lower()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("peers", "99999999"), 1, "unknown AGS '99999999'"),
        (("peers", "15002000", "-k", "0"), 2, "k must be an integer from 1 to 1000, got 0"),
        (("partners", "edihcat-255", "-k", "1001"), 2, "k must be an integer from 1 to 1000, got 1001"),
        (("peers", "15002000", "--features", "beauty"), 2, "unknown feature 'beauty'"),
        (("partners", "no-such-centre"), 1, "unknown centre id 'no-such-centre'"),
        (("partners", "edihcat-255", "--mode", "friends"), 2, "unknown mode 'friends'"),
        (("partners", "edihcat-255", "--mode", "regions", "--encoder", "bogus"), 2, "--mode similar only"),
        (("gaps", "--topic", "quantum-foam"), 2, "unknown topic 'quantum-foam'"),
        (("gaps", "--catchment-km", "25,-5"), 2, "invalid --catchment-km '25,-5'"),
        (("gaps", "--region", "99"), 1, "unknown region '99'"),
    ],
)
def test_bad_input_names_the_value(default_store_dir, args, code, message):
    res = run(*args, "--store", default_store_dir)
    assert res.exit_code == code, res.output
    assert message in res.stderr and "Traceback" not in res.output


def test_unwritable_output_writes_nothing(default_store_dir, tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "r.html"
    res = run("gaps", "--html", str(missing), "--store", default_store_dir)
    assert res.exit_code == 2 and "does not exist" in res.stderr
    res = run("gaps", "--csv", str(tmp_path), "--store", default_store_dir)
    assert res.exit_code == 2 and "is a directory" in res.stderr
    assert list(Path(tmp_path).iterdir()) == []


@pytest.mark.parametrize("name", ["CURRENT", "report.html", ""])
def test_gaps_output_inside_the_store_is_refused(default_store_dir, name):
    store = Path(default_store_dir)
    target = store / name if name else store.with_name(store.name + ".lock")
    before = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}
    res = run("gaps", "--csv", str(target), "--store", default_store_dir)
    assert res.exit_code == 2, res.output
    assert "inside the store" in res.stderr and str(target) in res.stderr
    assert {p.name: p.stat().st_mtime_ns for p in store.iterdir()} == before
    res = run("stats", "--store", default_store_dir)
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("peers", "1" * 100_000), "AGS"),
        (("peers", "15002000", "--features", "x" * 100_000), "--features"),
        (("partners", "x" * 100_000), "centre id"),
        (("partners", "edihcat-255", "--mode", "x" * 100_000), "--mode"),
        (("gaps", "--topic", "x" * 100_000), "--topic"),
        (("gaps", "--region", "1" * 100_000), "--region"),
        (("gaps", "--catchment-km", "5" * 100_000), "--catchment-km"),
    ],
)
def test_huge_argument_is_not_echoed_in_full(default_store_dir, args, option):
    res = run(*args, "--store", default_store_dir)
    assert res.exit_code == 2, res.output[:300]
    assert res.stderr.startswith(f"error: {option} ") and "100,000 characters" in res.stderr
    assert len(res.stderr) < 300


def test_output_through_a_symlink_or_fifo_keeps_the_link(default_store_dir, tmp_path):
    import os
    import threading

    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    res = run("gaps", "--region", "15083", "--csv", str(link), "--store", default_store_dir)
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("ags,name,")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    res = run("gaps", "--region", "15083", "--csv", str(fifo), "--store", default_store_dir)
    reader.join(timeout=60)
    assert res.exit_code == 0, res.output
    assert fifo.is_fifo() and got and got[0].startswith("ags,name,")  # renaming over it would replace the pipe
    assert "wrote 34 municipalities" in res.stderr and res.stdout == ""  # `--csv /dev/stdout` stays pure CSV
