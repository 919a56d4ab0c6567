"""HTTP API benchmark: requests per second and p50/p99 latency over loopback.

Run: ``python bench/bench_api.py [--store DIR] [--encoder onnx-int8] [--requests 400]
[--concurrency 8] [--seconds 20]``

Starts ``regiomatch serve`` (one uvicorn worker, model warmed at start-up) on a free
loopback port and drives it with a bounded load — at most ``--requests`` requests
and ``--seconds`` seconds per endpoint, ``--concurrency`` keep-alive connections
from threads of this process — for:

- ``POST /match`` (varied needs, with a municipality),
- ``GET /regions/{ags}`` (varied municipalities),
- ``GET /centres?topic=…`` (varied topics),
- a SPARQL SELECT (districts of a state, JSON results).

Beside it, the in-process figures of the same work without HTTP:
``CentreMatcher.match`` and ``views.region`` called directly. The load generator
shares the machine's cores with the server, so the HTTP figures are a lower bound.
Prints a table; never fails on the figures. Rate limiting is switched off for the run.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NEEDS = [
    "Wir wollen unsere IT-Sicherheit verbessern",
    "Cloud-Lösung für unsere Buchhaltung",
    "Maschinendaten mit Sensoren erfassen und auswerten",
    "We want to use AI to forecast demand",
    "Online-Shop und digitales Marketing aufbauen",
    "Roboter in der Fertigung einsetzen",
    "Digitale Zwillinge unserer Anlagen",
    "Help with cybersecurity after a ransomware attack",
]
TOPICS = ["cybersecurity", "artificial-intelligence-decision-support", "cloud-services", "internet-of-things",
          "robotics", "big-data"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _store(path: str | None) -> str:
    if path:
        return path
    from graph.build import build_store

    tmp = Path(tempfile.mkdtemp(prefix="bench-api-")) / "store"
    build_store(str(tmp), companies=300, seed=7)
    return str(tmp)


def _municipalities(store: str, n: int = 200) -> list[str]:
    from graph import views
    from graph.store import open_store

    with open_store(store, read_only=True) as st:
        ags = [r.ags for r in views.regions(st, "municipality")]
    return random.Random(1).sample(ags, n)


def _serve(store: str, encoder: str, port: int) -> subprocess.Popen:
    import httpx

    script = Path(sys.executable).with_name("regiomatch")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REGIOMATCH_ENCODER": encoder, "REGIOMATCH_RATE_LIMIT": "0"}
    proc = subprocess.Popen([*cmd, "serve", "--store", store, "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            h = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
            if h["models"].get("matcher"):  # warmed: the matcher is fitted
                return proc
        except (httpx.TransportError, ValueError, KeyError):
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"regiomatch serve failed: {err}") from None
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("regiomatch serve did not warm up within 180 s")


def _load(url: str, make: Callable[[int], tuple[str, str, dict]], requests: int, concurrency: int,
          seconds: float) -> dict[str, float]:
    """Drive ``make(i) -> (method, path, httpx kwargs)`` with a bounded load; latency figures in ms."""
    import httpx

    lat: list[float] = []
    errors = 0
    counter = iter(range(requests))
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=30) as c:
            while time.monotonic() < stop:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                method, path, kw = make(i)
                t0 = time.perf_counter()
                r = c.request(method, path, **kw)
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt)
                    errors += r.status_code >= 400

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    a = np.array(lat) * 1000
    return {"n": len(lat), "rps": len(lat) / wall, "p50": float(np.percentile(a, 50)),
            "p99": float(np.percentile(a, 99)), "errors": errors}


def _in_process(store: str, encoder: str, munis: list[str], n: int = 200) -> dict[str, dict[str, float]]:
    from graph import views
    from graph.store import open_store
    from matching.catalogue import Catalogue
    from matching.query import MatchQuery
    from matching.ranker import CentreMatcher

    out = {}
    with open_store(store, read_only=True) as st:
        m = CentreMatcher(encoder=encoder, vector_cache=str(Path(store) / "vectors")).fit(Catalogue.from_store(st))
        m.match(MatchQuery(text=NEEDS[0], municipality=munis[0]), k=10)
        for name, fn in (
            ("match", lambda i: m.match(MatchQuery(text=NEEDS[i % len(NEEDS)], municipality=munis[i % len(munis)]), k=10)),
            ("region", lambda i: views.region(st, munis[i % len(munis)])),
        ):
            lat = []
            for i in range(n):
                t0 = time.perf_counter()
                fn(i)
                lat.append(time.perf_counter() - t0)
            a = np.array(lat) * 1000
            out[name] = {"n": n, "rps": n / (a.sum() / 1000), "p50": float(np.percentile(a, 50)),
                         "p99": float(np.percentile(a, 99)), "errors": 0}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--store")
    ap.add_argument("--encoder", default="onnx-int8")
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()

    store = _store(args.store)
    munis = _municipalities(store)
    sparql = ("SELECT ?d ?name WHERE { ?d a <https://w3id.org/regiomatch/ontology#District> ; "
              "<https://schema.org/name> ?name ; <https://schema.org/containedInPlace> ?s . "
              "?s <https://w3id.org/regiomatch/ontology#ags> \"%s\" }")
    states = [f"{i:02d}" for i in range(1, 17)]
    cases: list[tuple[str, Callable[[int], tuple[str, str, dict]]]] = [
        ("POST /match", lambda i: ("POST", "/match", {"json": {"text": NEEDS[i % len(NEEDS)], "municipality": munis[i % len(munis)], "k": 10}})),
        ("GET /regions/{ags}", lambda i: ("GET", f"/regions/{munis[i % len(munis)]}", {})),
        ("GET /centres?topic=", lambda i: ("GET", "/centres", {"params": {"topic": TOPICS[i % len(TOPICS)]}})),
        ("GET /sparql (SELECT)", lambda i: ("GET", "/sparql", {"params": {"query": sparql % states[i % 16]}})),
    ]
    port = _port()
    proc = _serve(store, args.encoder, port)
    rows = []
    try:
        url = f"http://127.0.0.1:{port}"
        for name, make in cases:
            _load(url, make, 20, 2, 10)  # warm caches and connections
            rows.append((name, _load(url, make, args.requests, args.concurrency, args.seconds)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    inproc = _in_process(store, args.encoder, munis)
    rows.append(("in-process CentreMatcher.match", inproc["match"]))
    rows.append(("in-process views.region", inproc["region"]))

    print(f"HTTP API over loopback: 1 uvicorn worker, encoder {args.encoder}, {args.concurrency} client threads, "
          f"<= {args.requests} requests / {args.seconds:g} s per endpoint; {os.cpu_count()} cores shared with the client")
    print(f"{'endpoint':<32} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in rows:
        print(f"{name:<32} {r['n']:>8} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['errors']:>7}")


if __name__ == "__main__":
    main()
