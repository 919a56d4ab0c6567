"""A real server process on loopback and a headless Chromium driving it.

The server is ``regiomatch serve`` when the HTTP API exists (it mounts the web
pages), else uvicorn on ``service.web:create_web_app``; it reads the session's
default store with the meaning-free ``hashing`` encoder (no page judges quality).
Chromium is Debian's (``apt-get install chromium chromium-driver``); Selenium runs
offline with the system chromedriver, so nothing downloads a browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
OUTPUT = ROOT / "test-output" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_command(port: int) -> list[str]:
    try:
        import service.api.main  # noqa: F401  (the API mounts the pages)
    except ImportError:
        return [sys.executable, "-m", "uvicorn", "--factory", "service.web:create_web_app",
                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return [str(Path(sys.executable).parent / "regiomatch"), "serve", "--host", "127.0.0.1", "--port", str(port)]


@pytest.fixture(scope="session")
def server_url(default_store_dir: str, tmp_path_factory: pytest.TempPathFactory):
    """Base URL of a running server on the session's default store."""
    port = _free_port()
    cache = tmp_path_factory.mktemp("web-cache")
    env = dict(os.environ, REGIOMATCH_STORE=default_store_dir, REGIOMATCH_ENCODER="hashing",
               REGIOMATCH_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1")
    log = (tmp_path_factory.mktemp("web-log") / "server.log").open("w")
    proc = subprocess.Popen(_server_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(url + "/web/suggest?q=a", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within 120 s; see {log.name}")
            time.sleep(0.3)
        for page in ("/gaps", "/regions/15083270"):  # the analytics fit on first use: not inside a page-load timeout
            httpx.get(url + page, headers={"Accept": "text/html"}, timeout=600)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """A headless Chromium (Selenium, offline, system chromedriver), 1280 px wide."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        missing = "Debian's chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)"
        if os.environ.get("REGIOMATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(missing + " and REGIOMATCH_REQUIRE_BROWSER=1")
        pytest.skip(missing)
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})  # a German user
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path_factory.getbasetemp() / "chromium-profile0", ignore_errors=True)
