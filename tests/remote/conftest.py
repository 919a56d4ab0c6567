"""A real SPARQL server for the remote-store tests: Oxigraph server from the ``oxigraph`` wheel.

``oxigraph serve --union-default-graph`` runs on a free loopback port with its
database in a temporary directory; the fixtures wait until it answers and stop it
afterwards (also when a test fails, and — through the parent-death signal — when the
test process itself is killed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

_START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Endpoint:
    """A running Oxigraph server: its SPARQL query and update URLs."""

    query_url: str
    update_url: str
    init_report: dict[str, Any] | None = None  # what ``regiomatch init --json`` printed


def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the server gets SIGTERM if pytest dies without running teardown."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def oxigraph_server(location: Path) -> Iterator[Endpoint]:
    """Run ``oxigraph serve`` on ``location`` until the block ends; yields its URLs."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is missing (pip install oxigraph; it is in the 'test' extra)")
    last_error = ""
    for _attempt in range(3):  # another process may take the free port before the server binds it
        port = _free_port()
        log = location.parent / f"{location.name}-{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if os.name == "posix" else None,  # noqa: PLW1509
            )
        try:
            base = f"http://127.0.0.1:{port}"
            if _wait_until_up(proc, f"{base}/query"):
                yield Endpoint(f"{base}/query", f"{base}/update")
                return
            last_error = log.read_text(errors="replace")[-2000:]
        finally:
            _stop(proc)
    pytest.fail(f"oxigraph server did not start: {last_error}")


def _wait_until_up(proc: subprocess.Popen[bytes], query_url: str) -> bool:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            r = httpx.get(query_url, params={"query": "ASK {}"}, timeout=2.0)
            if r.status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def settings_env(ep: Endpoint) -> Iterator[None]:
    """``REGIOMATCH_UPDATE_URL`` set to ``ep``'s update URL (settings re-read before and after)."""
    from service.settings import get_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGIOMATCH_UPDATE_URL", ep.update_url)
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def remote_default(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """A server holding the default dataset built by ``regiomatch init --companies 300 --seed 7``.

    The same build as the session's embedded ``default_store_dir``, for comparisons.
    Read it, don't write.
    """
    import json

    from typer.testing import CliRunner

    from service.cli import app

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-default") / "db") as ep:
        with settings_env(ep):
            args = ["init", "--store", ep.query_url, "--companies", "300", "--seed", "7", "--json"]
            res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        yield Endpoint(ep.query_url, ep.update_url, json.loads(res.stdout))


@pytest.fixture()
def remote_bare(tmp_path: Path) -> Iterator[Endpoint]:
    """A fresh server per test with only the ontology and schemes (``init --bare``), writable."""
    from graph.build import build_store

    with oxigraph_server(tmp_path / "db") as ep:
        build_store(ep.query_url, bare=True, update_url=ep.update_url)
        yield ep


@pytest.fixture()
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``cli(store, *args)``: run regiomatch with ``--store``; a remote store gets its update URL."""
    monkeypatch.setenv("REGIOMATCH_CACHE_DIR", str(tmp_path / "cache"))  # remote stores keep vectors here

    from typer.testing import CliRunner

    from service.cli import app
    from service.settings import get_settings

    def run(store: str | Endpoint, *args: str) -> Any:
        if isinstance(store, Endpoint):
            with settings_env(store):
                return CliRunner().invoke(app, [*args, "--store", store.query_url])
        get_settings.cache_clear()
        return CliRunner().invoke(app, [*args, "--store", store])

    return run
