"""Every ``--json`` document is valid against the JSON schema of its ``service.schemas`` model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema_rs
import pytest
from pydantic import BaseModel, TypeAdapter
from typer.testing import CliRunner

from service import schemas
from service.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "matching" / "data" / "queries_default.jsonl"
EXAMPLES = ROOT / "ontologies" / "examples"


def _check(schema_of: type[BaseModel] | object, document: object) -> None:
    schema = schema_of.model_json_schema() if isinstance(schema_of, type) else TypeAdapter(schema_of).json_schema()
    errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(document)]
    assert not errors, errors


def _json(*args: str, code: int = 0) -> object:
    res = runner.invoke(app, list(args))
    assert res.exit_code == code, res.output
    return json.loads(res.stdout)


def _lines(*args: str) -> list[object]:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


def test_the_schemas_reject_what_they_do_not_describe() -> None:
    # the check can fail: a match without reasons, or an unknown field, is not a MatchPublic
    with pytest.raises(AssertionError):
        _check(schemas.Reason, {"factor": "text", "contribution": 0.1})
    with pytest.raises(AssertionError):
        _check(schemas.StoreStats, {"classes": {}, "graphs": {}, "extra": 1})


def test_match_and_topics_documents(default_store_dir: str, tmp_path: Path) -> None:
    opts = ["--store", default_store_dir, "--encoder", "hashing"]
    doc = _json("match", "IT-Sicherheit nach einem Angriff", "-m", "15083270", "--sector", "C25", "-k", "3",
                "--json", *opts)
    _check(schemas.MatchResult, doc)
    assert len(doc["matches"]) == 3 and doc["matches"][0]["reasons"]
    _check(schemas.MatchResult, _json("match", "--company", "sme-000001", "-k", "2", "--json", *opts))
    _check(schemas.TopicSuggestions, _json("topics", "suggest", "Sensoren und KI", "--json", *opts))

    batch = tmp_path / "b.jsonl"
    batch.write_text('{"id": "a", "text": "Cloud und KI"}\n{"text": ""}\n', encoding="utf-8")
    match_lines = _lines("match", "--batch", str(batch), "-k", "2", *opts)
    _check(schemas.BatchMatchLine, match_lines[0])
    _check(schemas.BatchError, match_lines[1])
    topic_lines = _lines("topics", "suggest", "--batch", str(batch), "-k", "2", *opts)
    _check(schemas.BatchTopicsLine, topic_lines[0])
    _check(schemas.BatchError, topic_lines[1])


def test_evaluate_document(default_store_dir: str) -> None:
    doc = _json("evaluate", str(LABELLED), "--store", default_store_dir, "--encoder", "hashing", "--topics", "--json")
    _check(schemas.EvaluationReport, doc)
    assert {"hybrid", "random", "tfidf", "embedding", "nearest", "topic-only"} == set(doc["report"]["rankers"])
    assert doc["topics"]["k"] == 5 and doc["setting"] == f"store {default_store_dir}"


def test_graph_documents(default_store_dir: str, tmp_path: Path) -> None:
    opts = ["--store", default_store_dir]
    _check(schemas.StoreStats, _json("stats", "--json", *opts))
    region = _json("show", "15083270", "--json", *opts)
    _check(schemas.RegionPublic, region)
    assert "parts" not in region and region["part_of"]
    district = _json("show", "15083", "--json", *opts)
    _check(schemas.RegionPublic, district)
    assert district["parts"] > 0 and district["indicators"]
    assert "indicators" not in _json("show", "15", "--json", *opts)
    _check(schemas.CentrePublic, _json("show", "st-rdz-haldensleben", "--json", *opts))
    _check(schemas.CompanyPublic, _json("show", "sme-000001", "--json", *opts))

    valid = sorted((EXAMPLES / "valid").glob("*.ttl"))[0]
    _check(schemas.ValidationPassed, _json("validate", str(valid), "--json", *opts))
    invalid = EXAMPLES / "invalid" / "company-250-employees.ttl"
    failed = _json("validate", str(invalid), "--json", *opts, code=1)
    _check(schemas.ValidationFailedResult, failed)
    assert failed["violations"][0]["path"] == "schema:numberOfEmployees"

    fresh = tmp_path / "fresh"
    _check(schemas.BuildResult, _json("init", "--bare", "--json", "--store", str(fresh)))
    _check(schemas.LoadResult, _json("load", str(valid), "--json", "--store", str(fresh)))


def test_train_document(default_store, default_store_dir: str, tmp_path: Path) -> None:
    from graph import views

    work = tmp_path / "store"
    shutil.copytree(default_store_dir, work)
    companies = views.companies(default_store)[:30]
    centres = views.centres(default_store)
    # referrals rated by place alone: 1 for a centre in the company's state, else 0
    rows = [
        (n, c, h, int(h.state_ags == c.municipality_ags[:2]))
        for n, (c, h) in enumerate((c, h) for c in companies for h in centres[::3])
    ]
    ttl = tmp_path / "outcomes.ttl"
    ttl.write_text(
        "@prefix rm: <https://w3id.org/regiomatch/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        + "".join(
            f"<https://w3id.org/regiomatch/id/outcome/s{n}> a rm:Outcome ; rm:company <{c.iri}> ; "
            f'rm:centre <{h.iri}> ; rm:rating "{r}"^^xsd:decimal .\n'
            for n, c, h, r in rows
        ),
        encoding="utf-8",
    )
    _json("load", str(ttl), "--store", str(work), "--graph", "outcomes", "--json")
    doc = _json("train", "--store", str(work), "--encoder", "hashing", "--json")
    _check(schemas.TrainingReport, doc)
    assert doc["path"] == str(work / "matching-weights.json") and doc["outcomes"] == len(rows)
