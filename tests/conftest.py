"""Session-wide fixtures: the default store is built once (with few companies)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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
