"""Store benchmark: build the default store, and load + query 1M triples, Oxigraph vs rdflib.

Run: ``python bench/bench_store.py [--triples 1000000] [--companies 3000]``

Each measurement runs in a fresh subprocess so peak memory (ru_maxrss) is its own.
Prints a table; never fails on the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

QUERIES = {
    # a selective lookup, an aggregate over everything, a two-hop join
    "lookup": "SELECT ?o WHERE { <http://example.org/e/4242> <http://example.org/p/name> ?o }",
    "count by type": (
        "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?t } "
        "GROUP BY ?t"
    ),
    "2-hop join": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/p/knows> ?b . "
        "?b <http://example.org/p/group> <http://example.org/g/7> }"
    ),
}


def synthetic_ntriples(n: int, path: Path) -> None:
    """Write ``n`` triples: entities with type, name, value, group and a 'knows' link."""
    per = 5
    ents = n // per
    with path.open("w", encoding="utf-8") as f:
        for i in range(ents):
            s = f"<http://example.org/e/{i}>"
            f.write(f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/T{i % 10}> .\n")
            f.write(f'{s} <http://example.org/p/name> "entity {i}" .\n')
            f.write(f'{s} <http://example.org/p/value> "{i % 997}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
            f.write(f"{s} <http://example.org/p/group> <http://example.org/g/{i % 50}> .\n")
            f.write(f"{s} <http://example.org/p/knows> <http://example.org/e/{(i * 7919) % ents}> .\n")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, arg: str, workdir: str) -> dict:
    """One measurement in this (fresh) process; returns figures as a dict."""
    out: dict = {}
    if kind == "build-default":
        from graph.build import build_store

        t0 = time.perf_counter()
        rep = build_store(str(Path(workdir) / "default-store"), companies=int(arg))
        out["load_s"] = time.perf_counter() - t0
        out["triples"] = sum(rep.graphs.values())
    elif kind == "oxigraph":
        import pyoxigraph as ox

        t0 = time.perf_counter()
        store = ox.Store(str(Path(workdir) / "ox"))
        store.bulk_load(path=arg, format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        out["load_s"] = time.perf_counter() - t0
        _time_queries(lambda q: list(store.query(q)), out)
    elif kind == "rdflib":
        from rdflib import Graph

        t0 = time.perf_counter()
        g = Graph()
        g.parse(arg, format="nt")
        out["load_s"] = time.perf_counter() - t0
        _time_queries(lambda q: list(g.query(q)), out)
    out["peak_mib"] = _peak_mib()
    return out


def _time_queries(run: Callable[[str], list], out: dict) -> None:
    """Time each of ``QUERIES`` once with ``run`` (ms) and record its row count."""
    for name, q in QUERIES.items():
        t0 = time.perf_counter()
        rows = run(q)
        out[f"q:{name}"] = (time.perf_counter() - t0) * 1000
        out[f"rows:{name}"] = len(rows)


def run_child(kind: str, arg: str, workdir: str) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", kind, arg, workdir],
        capture_output=True, text=True, check=False,
    )
    if res.returncode != 0:
        return {"error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "failed"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--companies", type=int, default=3000)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(*a.child)))
        return
    with tempfile.TemporaryDirectory() as wd:
        print(f"building the default store ({a.companies} companies) ...", flush=True)
        b = run_child("build-default", str(a.companies), wd)
        nt = Path(wd) / "synthetic.nt"
        synthetic_ntriples(a.triples, nt)
        print(f"synthetic graph: {a.triples:,} triples, {nt.stat().st_size / 2**20:.0f} MiB N-Triples", flush=True)
        ox = run_child("oxigraph", str(nt), wd)
        rl = run_child("rdflib", str(nt), wd)
    print()
    print("| measurement | on-disk Oxigraph (ours) | in-memory rdflib (baseline) |")
    print("|---|---|---|")
    if "error" in b:
        print(f"| build default store | failed: {b['error']} | |")
    else:
        print(f"| build default store: {b['triples']:,} triples | {b['load_s']:.1f} s, peak {b['peak_mib']:.0f} MiB | — |")
    for label, key, fmt in [(f"load {a.triples:,} triples", "load_s", "{:.1f} s"), ("peak memory", "peak_mib", "{:.0f} MiB")]:
        print(f"| {label} | {_fmt(ox, key, fmt)} | {_fmt(rl, key, fmt)} |")
    for name in QUERIES:
        print(f"| query: {name} | {_fmt(ox, 'q:' + name, '{:.1f} ms')} | {_fmt(rl, 'q:' + name, '{:.1f} ms')} |")


def _fmt(d: dict, key: str, fmt: str) -> str:
    if "error" in d:
        return f"failed: {d['error']}"
    return fmt.format(d[key]) if key in d else "—"


if __name__ == "__main__":
    main()
