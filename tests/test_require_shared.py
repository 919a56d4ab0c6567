"""The shared-data guard: skip locally, fail in CI when the source data is missing."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_missing_shared_data_skips_by_default(require_shared, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REGIOMATCH_REQUIRE_SHARED", raising=False)
    with pytest.raises(pytest.skip.Exception, match="REGIOMATCH_REQUIRE_SHARED=1"):
        require_shared(tmp_path / "missing")
    assert require_shared(tmp_path / "missing", optional=True) is None


def test_missing_shared_data_fails_when_required(require_shared, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REGIOMATCH_REQUIRE_SHARED", "1")
    for optional in (False, True):
        with pytest.raises(pytest.fail.Exception, match="missing"):
            require_shared(tmp_path / "missing", optional=optional)


def test_present_shared_data_is_returned(require_shared, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REGIOMATCH_REQUIRE_SHARED", "1")
    assert require_shared(tmp_path) == tmp_path
