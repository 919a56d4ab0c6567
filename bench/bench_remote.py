"""Remote-store benchmark: ``regiomatch init`` into Oxigraph server against the embedded store.

    python bench/bench_remote.py [--companies 300] [--seed 42]

Starts ``oxigraph serve --union-default-graph`` (from the ``oxigraph`` wheel) on a
free loopback port with a temporary database, builds the default dataset into it
through the SPARQL 1.1 update protocol (one transaction per named graph), then into
a temporary embedded store, and prints both wall times and a lookup's latency on
each. Prints figures; never fails on them. The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from graph.build import build_store  # noqa: E402
from graph.store import open_store  # noqa: E402

_LOOKUP = (
    "PREFIX schema: <https://schema.org/> "
    "SELECT ?n WHERE { <https://w3id.org/regiomatch/id/region/15083270> schema:name ?n }"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = Path(sys.executable).with_name("oxigraph")
    port = _free_port()
    proc = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("oxigraph server did not start")


def _lookup_ms(location: str, repeats: int = 50) -> float:
    with open_store(location, read_only=True) as st:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            st.select(_LOOKUP)
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--companies", type=int, default=300)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp:
        proc, base = _start_server(Path(tmp) / "oxigraph")
        try:
            t = time.perf_counter()
            rep = build_store(f"{base}/query", companies=args.companies, seed=args.seed, update_url=f"{base}/update")
            remote_s = time.perf_counter() - t
            remote_lookup = _lookup_ms(f"{base}/query")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        t = time.perf_counter()
        build_store(str(Path(tmp) / "embedded"), companies=args.companies, seed=args.seed)
        embedded_s = time.perf_counter() - t
        embedded_lookup = _lookup_ms(str(Path(tmp) / "embedded"))
    triples = sum(rep.graphs.values())
    print(f"init --companies {args.companies}: {triples:,} triples in {len(rep.graphs)} named graphs")
    print(f"  remote (Oxigraph server, SPARQL update per graph)  {remote_s:7.1f} s")
    print(f"  embedded (pyoxigraph bulk load)                    {embedded_s:7.1f} s")
    print(f"lookup of one region's name (median of 50): remote {remote_lookup:.1f} ms, embedded {embedded_lookup:.2f} ms")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
