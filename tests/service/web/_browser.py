"""Browser helpers for the web tests: waiting, request hosts, axe-core, screenshots."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import urlparse

AXE = Path(__file__).resolve().parents[3] / "service" / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"


def wait_for(driver, css: str, timeout: float = 20):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))


def request_hosts(driver) -> set[str]:
    """Hosts of the page itself and of every resource it loaded (scripts, styles, images, fetches)."""
    urls = driver.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name))"
    )
    return {urlparse(u).hostname or "" for u in urls if not u.startswith(("data:", "about:"))}


def axe_violations(driver, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the current page (axe injected from the vendored file)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));"
    )
    found = json.loads(result)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n.get("target") for n in v.get("nodes", [])][:5]}
        for v in found if v.get("impact") in impacts
    ]


def screenshot(driver, path: Path, width: int) -> Path:
    """A full-page PNG at ``width`` CSS pixels (mobile emulation below 600 px)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    height = int(driver.execute_script("return Math.min(document.documentElement.scrollHeight, 6000)"))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
    })
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def overflows_horizontally(driver) -> bool:
    return bool(driver.execute_script(
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    ))
