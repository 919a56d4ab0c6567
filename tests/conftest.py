"""Session-wide fixtures: the default store is built once (with few companies)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REQUIRE_SHARED_ENV = "REGIOMATCH_REQUIRE_SHARED"


def require_shared_path(path: Path = SHARED_DATA, *, optional: bool = False) -> Path | None:
    """``path`` (under ``../shared/data``) if it exists; otherwise skip the test.

    With ``REGIOMATCH_REQUIRE_SHARED=1`` (set by ``.ci/run``) a missing path fails
    the test instead, so CI cannot pass by silently skipping the checks against the
    source data. ``optional`` returns ``None`` instead of skipping, for tests that
    run a weaker check without the data.
    """
    if path.exists():
        return path
    if os.environ.get(REQUIRE_SHARED_ENV) == "1":
        pytest.fail(f"{path} is missing and {REQUIRE_SHARED_ENV}=1: the shared source data must be present")
    if optional:
        return None
    pytest.skip(f"{path} is missing (shared source data; set {REQUIRE_SHARED_ENV}=1 to fail instead)")


@pytest.fixture(scope="session")
def require_shared():
    """:func:`require_shared_path` for tests, which cannot import conftest."""
    return require_shared_path


@pytest.fixture(scope="session")
def default_store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store built from the default dataset with 300 synthetic companies (read it, don't write)."""
    from graph.build import build_store

    path = tmp_path_factory.mktemp("default") / "store"
    build_store(str(path), companies=300, seed=7)
    return str(path)


@pytest.fixture(scope="session")
def default_store(default_store_dir: str):
    """The default store opened read-only for the whole session."""
    from graph.store import open_store

    st = open_store(default_store_dir, read_only=True)
    yield st
    st.close()


@pytest.fixture()
def fresh_store_dir(tmp_path: Path) -> str:
    """A store with only the ontology and schemes (``init --bare``), writable, per test."""
    from graph.build import build_store

    path = tmp_path / "store"
    build_store(str(path), bare=True)
    return str(path)
