"""Tracebacks instead of messages, and consistency (issue 6): hostile files and broken
stores get one clear line and the exit code the README states."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def _same_answer(store: str, f: Path) -> tuple[int, str]:
    """validate and load of ``f`` must exit alike with the same message; returns (code, message)."""
    v = run("validate", str(f), "--store", store)
    ld = run("load", str(f), "--store", store)
    assert v.exit_code == ld.exit_code, (v.output, ld.output)
    assert v.stderr == ld.stderr and v.stderr.startswith("error: ") and v.stderr.count("\n") == 1
    assert "Traceback" not in v.output + ld.output
    return v.exit_code, v.stderr


def test_jsonld_nested_deep_is_one_line(fresh_store_dir, tmp_path):
    f = tmp_path / "deep.jsonld"
    f.write_text('{"@id": "http://ex/a", "http://ex/p": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    code, msg = _same_answer(fresh_store_dir, f)
    assert code == 2 and "nested more than 200 levels" in msg


def test_lone_surrogate_literal_gets_the_same_answer_from_validate_and_load(fresh_store_dir, tmp_path):
    f = tmp_path / "s.ttl"
    f.write_text('<http://ex/a> <http://ex/b> "x\\uD800y" .\n', encoding="utf-8")
    code, msg = _same_answer(fresh_store_dir, f)
    assert code == 2 and "lone surrogate (U+D800)" in msg


def test_empty_file_gets_the_same_answer_from_validate_and_load(fresh_store_dir, tmp_path):
    f = tmp_path / "empty.ttl"
    f.write_text("# nothing here\n", encoding="utf-8")
    code, msg = _same_answer(fresh_store_dir, f)
    assert code == 2 and "no triples found" in msg


@pytest.mark.parametrize("damage", ["manifest", "sst", "current"])
def test_a_damaged_store_is_one_line_saying_what_to_do(tmp_path, damage):
    store = tmp_path / "store"
    assert run("init", "--bare", "--store", str(store)).exit_code == 0
    if damage == "manifest":
        targets = list(store.glob("MANIFEST-*"))
    elif damage == "sst":
        targets = list(store.glob("*.sst"))
    else:
        (store / "CURRENT").write_text("MANIFEST-999999\n")
        targets = []
    for t in targets:
        t.write_bytes(b"garbage" * 50)
    res = run("stats", "--store", str(store))
    assert res.exit_code == 1
    assert "is damaged or was written by an incompatible version" in res.stderr and "regiomatch init" in res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.output
    assert run("init", "--bare", "--store", str(store)).exit_code == 0  # init repairs it
    assert run("stats", "--store", str(store)).exit_code == 0


def test_unwritable_vector_cache_falls_back_to_memory_with_one_notice(tmp_path, monkeypatch):
    store = str(tmp_path / "store")
    assert run("init", "--companies", "0", "--store", store).exit_code == 0  # no vectors/ yet

    def refuse(*args, **kwargs):  # root ignores file modes: refuse where the cache writes
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    res = run("match", "Wir brauchen KI für die Produktion", "-k", "2", "--store", store, "--encoder", "hashing")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(" 1. ")
    assert res.stderr.count("note: the vector cache") == 1 and "not writable" in res.stderr
    assert not list((Path(store) / "vectors").glob("*.npz"))


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("REGIOMATCH_WARM_WORDS", "-5", "greater than or equal to 0"),
    ("REGIOMATCH_RATE_LIMIT", "abc", "valid integer"),
    ("REGIOMATCH_LOCK_WAIT", "soon", "valid number"),
    ("REGIOMATCH_BLAS_THREADS", "-1", "greater than or equal to 0"),
])
def test_a_bad_setting_in_the_environment_is_one_line_naming_it(tmp_path, monkeypatch, variable, value, says):
    from service.settings import get_settings

    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()  # settings are read once per process: read them again here
    try:
        res = run("stats", "--store", str(tmp_path / "store"))
    finally:
        monkeypatch.delenv(variable)
        get_settings.cache_clear()
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"error: {variable}='{value}' is not valid: ") and says in res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.output
