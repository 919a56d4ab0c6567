"""API fixtures: one app per session over a copy of the default store, and three keys.

The app runs its real lifespan inside Starlette's TestClient (an httpx client);
the hashing encoder stands in for the model where ranking quality is not judged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Keys:
    admin: str
    analyst: str
    centre: str  # scope centre:st-rdz-haldensleben
    other_centre: str  # scope centre:edihcat-260


def copy_store(src: str, dest: Path) -> str:
    """A private copy of a built store (the session's default store is shared read-only)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("LOCK"))
    return str(dest)


def api_settings(store: str, tmp: Path, **extra: object):
    from service.settings import Settings

    return Settings(store=store, encoder="hashing", cache_dir=str(tmp / "cache"), rate_limit=0, **extra)


@pytest.fixture(scope="session")
def api_store(default_store_dir: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_store(default_store_dir, tmp_path_factory.mktemp("api") / "store")


@pytest.fixture(scope="session")
def keys(api_store: str) -> Keys:
    from service.api.auth import KeyStore

    ks = KeyStore(Path(api_store) / "auth" / "keys.json")
    return Keys(
        admin=ks.create("admin", "test admin")[1],
        analyst=ks.create("analyst", "test analyst")[1],
        centre=ks.create("centre:st-rdz-haldensleben", "RDZ Haldensleben")[1],
        other_centre=ks.create("centre:edihcat-260", "MDZ Magdeburg")[1],
    )


@pytest.fixture(scope="session")
def client(api_store: str, keys: Keys, tmp_path_factory: pytest.TempPathFactory):
    from fastapi.testclient import TestClient

    from service.api import create_app

    app = create_app(api_settings(api_store, tmp_path_factory.mktemp("api-cache")))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def state(client):
    """The running app's state (to tune a limit for one test)."""
    return client.app.state.rm


def _assert_error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture(scope="session")
def assert_error():
    """``assert_error(response, status, code)``: an error of the one shape; returns its ``error``."""
    return _assert_error


@pytest.fixture(scope="session")
def auth(keys: Keys):
    """Request headers carrying each test key: ``auth.admin`` …"""
    return Keys(**{name: {"X-API-Key": token} for name, token in vars(keys).items()})  # type: ignore[arg-type]
