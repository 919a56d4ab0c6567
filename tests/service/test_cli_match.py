"""The matching commands through Typer's CliRunner, on the default store built once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()
RANSOM = "Wir hatten einen Angriff mit Verschlüsselungstrojanern und brauchen Hilfe bei der IT-Sicherheit"


def run(store: str, *args: str, encoder: str | None = "hashing"):
    extra = ["--store", store] + (["--encoder", encoder] if encoder else [])
    return runner.invoke(app, [*args, *extra])


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# ------------------------------------------------------------------ match


def test_match_prints_a_ranked_list_with_reasons(default_store_dir):
    res = run(default_store_dir, "match", RANSOM, "--municipality", "15083270", "--sector", "C25", "-k", "3")
    assert res.exit_code == 0, res.output
    assert res.stdout.lstrip().startswith("1. ")
    assert " 3. " in res.stdout and " 4. " not in res.stdout
    assert "+ " in res.stdout and "topic" in res.stdout and "km" in res.stdout


def test_match_json_has_centres_scores_and_reasons(default_store_dir):
    res = run(default_store_dir, "match", RANSOM, "-m", "15083", "-k", "5", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["query"]["municipality"] == "15083" and len(data["matches"]) == 5
    first = data["matches"][0]
    assert {"id", "name", "type", "location", "distance_km", "score", "topics", "reasons"} <= set(first)
    assert first["reasons"] and {"factor", "contribution", "text", "weak"} == set(first["reasons"][0])
    assert [m["score"] for m in data["matches"]] == sorted((m["score"] for m in data["matches"]), reverse=True)


def test_match_with_topics_only(default_store_dir):
    res = run(default_store_dir, "match", "--topic", "cybersecurity", "--topic", "Cloud Services", "--json")
    assert res.exit_code == 0, res.output
    assert "you named Cybersecurity" in res.stdout


def test_match_stored_company(default_store, default_store_dir):
    from graph import views

    company = views.companies(default_store)[0]
    res = run(default_store_dir, "match", "--company", company.id, "-k", "3", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["query"]["id"] == company.id
    assert data["query"]["municipality"] == company.municipality_ags
    assert data["query"]["sector"] == company.nace
    assert any(m["distance_km"] is not None for m in data["matches"])


def test_match_batch_one_result_per_line_and_errors_in_place(default_store_dir, tmp_path: Path):
    batch = tmp_path / "needs.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": RANSOM, "municipality": "15083270", "sector": "C25"}),
                json.dumps({"id": "b", "text": "We need a cloud ERP", "municipality": "99999999"}),
                "{not json",
                "",
                json.dumps({"id": "c", "text": "", "topics": ["robotics"]}),
                json.dumps({"id": "d", "text": "   "}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    res = run(default_store_dir, "match", "--batch", str(batch), "-k", "2")
    assert res.exit_code == 0, res.output
    out = _lines(res.stdout)
    assert [o["line"] for o in out] == [1, 2, 3, 5, 6]
    assert [o["id"] for o in out] == ["a", "b", None, "c", "d"]  # ids echoed as given, also on errors
    assert len(out[0]["matches"]) == 2 and len(out[3]["matches"]) == 2
    assert "99999999" in out[1]["error"]
    assert "not valid JSON" in out[2]["error"]
    assert "empty" in out[4]["error"]


def test_match_batch_lone_surrogate_fails_only_its_line(default_store_dir, tmp_path: Path):
    # json.loads turns "\\ud800" into a lone surrogate, which used to crash the
    # encoder and lose the whole 64-line chunk.
    batch = tmp_path / "needs.jsonl"
    lines = [json.dumps({"id": "a", "text": RANSOM}), '{"text": "\\ud800 lone"}', json.dumps({"id": "c", "text": "KI"})]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run(default_store_dir, "match", "--batch", str(batch), "-k", "2")
    assert res.exit_code == 0, res.output
    out = _lines(res.stdout)
    assert [o["line"] for o in out] == [1, 2, 3]
    assert len(out[0]["matches"]) == 2 and len(out[2]["matches"]) == 2
    assert "position 0" in out[1]["error"] and "U+D800" in out[1]["error"]


def test_topics_suggest_batch_lone_surrogate_fails_only_its_line(default_store_dir, tmp_path: Path):
    batch = tmp_path / "texts.jsonl"
    batch.write_text('{"text": "3D-Druck"}\n{"id": 2, "text": "KI \\udc80"}\n', encoding="utf-8")
    res = run(default_store_dir, "topics", "suggest", "--batch", str(batch), "-k", "2")
    assert res.exit_code == 0, res.output
    out = _lines(res.stdout)
    assert out[0]["topics"] and out[1]["id"] == 2 and "position 3" in out[1]["error"]


# ------------------------------------------------------------------ topics


def test_topics_suggest_text_and_json(default_store_dir):
    res = run(default_store_dir, "topics", "suggest", "Wir brauchen IT-Sicherheit", "-k", "3")
    assert res.exit_code == 0, res.output
    assert "Cybersecurity" in res.stdout and "(IT-Sicherheit)" in res.stdout
    res = run(default_store_dir, "topics", "suggest", "Industrieroboter", "--json")
    data = json.loads(res.stdout)
    assert data["topics"][0]["key"] == "robotics" and data["topics"][0]["evidence"] == ["Industrieroboter"]
    assert {"iri", "label_en", "label_de", "score"} <= set(data["topics"][0])


def test_topics_suggest_batch(default_store_dir, tmp_path: Path):
    batch = tmp_path / "texts.jsonl"
    batch.write_text('{"id": 1, "text": "3D-Druck"}\n{"text": ""}\n[1]\n', encoding="utf-8")
    res = run(default_store_dir, "topics", "suggest", "--batch", str(batch), "-k", "2")
    assert res.exit_code == 0, res.output
    out = _lines(res.stdout)
    assert out[0]["id"] == 1 and out[0]["topics"][0]["key"] == "additive-manufacturing"
    assert "empty" in out[1]["error"] and "JSON object" in out[2]["error"]


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("match", "KI", "-m", "Magdeburg"), "'Magdeburg'"),
        (("match", "KI", "--sector", "Z9"), "'Z9'"),
        (("match", "KI", "--sector", "04"), "'04'"),
        (("match", "KI", "-k", "0"), "got 0"),
        (("match", "KI", "-k", "100000"), "got 100000"),
        (("match", "   "), "empty"),
        (("match",), "empty"),
        (("match", "x" * 100_000), "limit is 10,000"),
        (("match", "IT \ud800"), "position 3"),
        (("topics", "suggest", "\ud800 KI"), "position 0"),
        (("match", "KI", "--topic", "blokchain"), "'blokchain'"),
        (("match", "KI", "--company", "sme-1"), "only one of TEXT, --company"),
        (("topics", "suggest", ""), "empty"),
        (("topics", "suggest", "KI", "-k", "-1"), "got -1"),
        (("topics", "suggest", "KI", "--scheme", "colours"), "'colours'"),
        (("match", "KI", "--encoder", "gpt"), "'gpt'"),
        (("match", "--batch", "/nonexistent/needs.jsonl"), "/nonexistent/needs.jsonl"),
        (("match", "--company", ""), "invalid company id ''"),
    ],
)
def test_bad_input_exits_2_naming_the_value(default_store_dir, args, named):
    res = run(default_store_dir, *args, encoder=None if "--encoder" in args else "hashing")
    assert res.exit_code == 2, res.output
    assert named in res.stderr and res.stderr.startswith("error: ")


def test_unknown_company_exits_1(default_store_dir):
    res = run(default_store_dir, "match", "--company", "sme-does-not-exist")
    assert res.exit_code == 1 and "sme-does-not-exist" in res.stderr


def test_unknown_ags_exits_1_like_any_unknown_entity(default_store_dir):
    res = run(default_store_dir, "match", "KI", "-m", "99999999")
    assert res.exit_code == 1 and "unknown AGS '99999999'" in res.stderr


def test_batch_answers_every_line_whatever_it_holds(default_store_dir, tmp_path: Path):
    batch = tmp_path / "hostile.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    batch.write_bytes(
        b"\n".join(
            [
                json.dumps({"id": "ok-1", "text": RANSOM}).encode(),
                deep.encode(),
                b'{"id": "latin1", "text": "Gr\xfc\xdfe"}',
                json.dumps({"id": {"x": 1}, "text": "KI", "municipality": "1"}).encode(),
                json.dumps({"id": "ok-2", "text": "KI"}).encode(),
            ]
        )
        + b"\n"
    )
    for cmd in (("match", "--batch", str(batch), "-k", "1"), ("topics", "suggest", "--batch", str(batch), "-k", "1")):
        res = run(default_store_dir, *cmd)
        assert res.exit_code == 0, res.output
        out = _lines(res.stdout)
        assert [o["line"] for o in out] == [1, 2, 3, 4, 5], cmd
        assert "error" not in out[0] and "error" not in out[4]
        assert "nested more than" in out[1]["error"]
        assert "not UTF-8" in out[2]["error"] and "0xfc" in out[2]["error"]
        assert out[3]["id"] == {"x": 1}  # echoed as given, not as "{'x': 1}"


def test_show_cuts_a_huge_key(default_store_dir):
    res = run(default_store_dir, "show", "k" * 100_000, encoder=None)
    assert res.exit_code == 2 and "100,000 characters" in res.stderr  # too long for an id: bad input
    assert len(res.stderr) < 600


def test_train_without_outcomes_says_what_is_missing(default_store_dir):
    res = run(default_store_dir, "train")
    assert res.exit_code == 2 and "no outcomes recorded" in res.stderr


def test_train_refuses_uninformative_outcomes_and_saves_nothing(default_store, default_store_dir, tmp_path: Path):
    # 24 referrals rated 0, 1, 0, 1, ...: once learned sector-only weights that scored every centre 0.
    import shutil

    from graph import views

    work = tmp_path / "store"
    shutil.copytree(default_store_dir, work)
    companies, centres = views.companies(default_store)[:24], views.centres(default_store)[:24]
    ttl = tmp_path / "outcomes.ttl"
    ttl.write_text(
        "@prefix rm: <https://w3id.org/regiomatch/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        + "".join(
            f"<https://w3id.org/regiomatch/id/outcome/t{n}> a rm:Outcome ; rm:company <{c.iri}> ; "
            f'rm:centre <{h.iri}> ; rm:rating "{n % 2}"^^xsd:decimal .\n'
            for n, (c, h) in enumerate(zip(companies, centres))
        ),
        encoding="utf-8",
    )
    res = runner.invoke(app, ["load", str(ttl), "--store", str(work), "--graph", "outcomes"])
    assert res.exit_code == 0, res.output
    res = run(str(work), "train")
    assert res.exit_code == 2, res.output
    assert "not saving the learned weights" in res.stderr
    assert "learned" in res.stderr and "current" in res.stderr and "geography 0.380" in res.stderr
    assert not (work / "matching-weights.json").exists()


# ------------------------------------------------------------------ the real model


@pytest.mark.model
def test_german_ransomware_need_in_boerde(default_store_dir):
    res = run(default_store_dir, "match", RANSOM, "-m", "15083270", "-k", "5", "--json", encoder="use-multilingual")
    assert res.exit_code == 0, res.output
    matches = json.loads(res.stdout)["matches"]
    cyber = [m for m in matches if any(t["label"] == "Cybersecurity" for t in m["topics"])]
    assert cyber
    assert any("Verschlüsselungstrojanern" in r["text"] for r in cyber[0]["reasons"])


@pytest.mark.model
def test_sensor_networking_suggests_sensors(default_store_dir):
    res = run(
        default_store_dir, "topics", "suggest", "Wir wollen unsere Produktion mit Sensoren vernetzen", "--json",
        encoder="use-multilingual",
    )
    assert res.exit_code == 0, res.output
    keys = [t["key"] for t in json.loads(res.stdout)["topics"]]
    assert "sensors-vision-processing-systems" in keys[:3]


def test_topics_suggest_marks_weak_evidence_instead_of_falling_back(default_store_dir):
    res = run(default_store_dir, "topics", "suggest", "Wir sind eine kleine Bäckerei", "-k", "3")
    assert res.exit_code == 0, res.output
    assert res.stdout.count("(weak)") == 3 and "weak evidence" in res.stdout
    data = json.loads(run(default_store_dir, "topics", "suggest", "Wir brauchen IT-Sicherheit", "--json").stdout)
    first = data["topics"][0]
    assert first["key"] == "cybersecurity" and first["weak"] is False and first["evidence"] == ["IT-Sicherheit"]
    assert all(t["weak"] for t in data["topics"] if not t["evidence"] and not t["resembles"])


def test_topics_suggest_for_a_centre_lets_the_catalogue_break_ties(default_store_dir, default_store):
    from collections import Counter

    from graph import views

    frequent = Counter()
    for c in views.centres(default_store):
        for e in c.topics:
            frequent[e.concept.rsplit("/", 1)[-1]] += min(max(e.level, 0), 5)
    vague = "Wir sind eine kleine Bäckerei"
    need = json.loads(run(default_store_dir, "topics", "suggest", vague, "-k", "1", "--json").stdout)
    centre = json.loads(run(default_store_dir, "topics", "suggest", vague, "-k", "1", "--centre", "--json").stdout)
    assert centre["topics"][0]["key"] == frequent.most_common(1)[0][0]
    assert need["topics"][0]["key"] != centre["topics"][0]["key"]


@pytest.mark.model
def test_json_reasons_say_when_topics_are_only_guessed(default_store_dir):
    def topic_reasons(text: str) -> list[dict]:
        res = run(default_store_dir, "match", text, "-m", "15083270", "-k", "3", "--json", encoder="use-multilingual")
        assert res.exit_code == 0, res.output
        return [r for m in json.loads(res.stdout)["matches"] for r in m["reasons"] if r["factor"] == "topic"]

    guessed = topic_reasons("qwertzuiop asdfghjkl")
    assert guessed and all(r["weak"] for r in guessed)
    named = topic_reasons(RANSOM)
    assert named and not any(r["weak"] for r in named)
