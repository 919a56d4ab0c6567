"""Web benchmark: server time of the SME result page (warm) and transfer sizes of every page.

Run: ``python bench/bench_web.py [--store DIR] [--encoder onnx-int8] [--requests 30]``

Starts the app (the HTTP API with the pages mounted, else the pages alone) as a
real uvicorn process on loopback against the store
(default: ``REGIOMATCH_STORE``, else a temporary store built with 300 synthetic
companies), warms it, then

- times ``GET /?need=…&municipality=…`` (three different needs, round robin):
  the server's own time from the ``Server-Timing`` header (p50, p95, max) and the
  client's wall time; target ≤ 300 ms warm;
- fetches every page (start, result, centre, municipality, district, search,
  gaps, 404) and sums the HTML and the CSS/JS it links; target ≤ 500 kB per page.

Prints a table; never fails on the figures (exit 0 even when a target is missed).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "de"}
NEEDS = [
    ("Wir wurden Opfer eines Verschlüsselungstrojaners und wollen unsere IT-Sicherheit verbessern", "15083270"),
    ("Wir möchten unsere Fräsmaschinen vernetzen und Maschinendaten auswerten", "15002000"),
    ("We need help getting started with AI for quality inspection", "15003000"),
]
PAGES = {
    "start /": "/",
    "SME result": "/?" + urlencode({"need": NEEDS[0][0], "municipality": NEEDS[0][1]}),
    "centre": "/centres/st-rdz-haldensleben",
    "municipality": "/regions/15083270",
    "district": "/regions/15083",
    "state": "/regions/15",
    "search": "/search?q=Halle",
    "gaps (Germany)": "/gaps",
    "gaps (Saxony-Anhalt)": "/gaps?region=15",
    "404": "/regions/99999999",
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _store(arg: str | None) -> str:
    from service.settings import get_settings

    location = arg or get_settings().store
    if (Path(location) / "CURRENT").exists():
        return location
    from graph.build import build_store

    tmp = Path(tempfile.mkdtemp(prefix="bench-web-")) / "store"
    print(f"no store at {location}: building a temporary one at {tmp} …", flush=True)
    build_store(str(tmp), companies=300, seed=7)
    return str(tmp)


def _server_ms(response) -> float | None:
    m = re.search(r"dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(m.group(1)) if m else None


def main() -> None:
    import httpx

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store")
    ap.add_argument("--encoder", default=os.environ.get("REGIOMATCH_ENCODER", "onnx-int8"))
    ap.add_argument("--requests", type=int, default=30)
    args = ap.parse_args()
    store = _store(args.store)
    port = _port()
    env = dict(os.environ, REGIOMATCH_STORE=store, REGIOMATCH_ENCODER=args.encoder, PYTHONPATH=str(ROOT))
    try:  # the pages as served: mounted on the HTTP API when it exists
        import service.api.main  # noqa: F401

        factory = "service.api.main:app_from_env"
    except ImportError:
        factory = "service.web:create_web_app"
    cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning"]
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        while True:
            try:
                if httpx.get(url + "/web/suggest?q=a", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.perf_counter() - t0 > 300:
                print("the web server did not start; no figures")
                return
            time.sleep(0.3)
        print(f"{factory} ready in {time.perf_counter() - t0:.1f} s (store {store}, encoder {args.encoder})")
        with httpx.Client(base_url=url, headers=HTML, timeout=600) as client:
            t1 = time.perf_counter()
            for path in ("/gaps", "/regions/15083270"):  # analytics fit on first use
                client.get(path)
            print(f"analytics warm in {time.perf_counter() - t1:.1f} s")
            _time_results(client, args.requests)
            _sizes(client)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _time_results(client, n: int) -> None:
    paths = ["/?" + urlencode({"need": need, "municipality": ags}) for need, ags in NEEDS]
    for p in paths:  # warm-up
        client.get(p)
    server, wall = [], []
    for i in range(n):
        t = time.perf_counter()
        r = client.get(paths[i % len(paths)])
        wall.append((time.perf_counter() - t) * 1000)
        ms = _server_ms(r)
        if ms is not None:
            server.append(ms)
    q = statistics.quantiles(server, n=20) if len(server) >= 2 else [float("nan")] * 19
    print(f"\nSME result page, warm, {n} requests (target ≤ 300 ms server time):")
    print(f"  server time  p50 {statistics.median(server):7.1f} ms   p95 {q[18]:7.1f} ms   max {max(server):7.1f} ms")
    print(f"  wall time    p50 {statistics.median(wall):7.1f} ms   max {max(wall):7.1f} ms")


def _sizes(client) -> None:
    assets: dict[str, int] = {}
    print("\npage transfer sizes (HTML + linked CSS/JS, uncompressed; target ≤ 500 kB):")
    print(f"  {'page':<22} {'status':>6} {'HTML kB':>8} {'total kB':>9} {'server ms':>10}")
    for name, path in PAGES.items():
        r = client.get(path)
        total = len(r.content)
        for ref in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', r.text):
            if ref not in assets:
                assets[ref] = len(client.get(ref).content)
            total += assets[ref]
        ms = _server_ms(r)
        flag = "" if total <= 500_000 else "  over target"
        print(f"  {name:<22} {r.status_code:>6} {len(r.content) / 1000:>8.1f} {total / 1000:>9.1f} "
              f"{ms if ms is not None else float('nan'):>10.1f}{flag}")


if __name__ == "__main__":
    main()
