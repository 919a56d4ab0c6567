"""Store benchmark: build the default store, and load + query 1M triples, Oxigraph vs rdflib.

Run: ``python bench/bench_store.py [--triples 1000000] [--companies 3000]``

Each measurement runs in a fresh subprocess so peak memory (ru_maxrss) is its own.
Every load is timed as wall and CPU seconds (the CPU time of all the process's
threads), since a busy machine stretches wall time. Prints the comparison, the
ratio to rdflib, and where the Oxigraph load's time goes: opening the store, the
bulk loader itself, flushing; the same file loaded leniently (no IRI checks) and
into an in-memory pyoxigraph store (no disk); and our own path
(``OxigraphStore.bulk_load``). Never fails on the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _Clock:
    """Wall and CPU seconds of named steps, recorded into ``out`` as ``<step>_s`` / ``<step>_cpu``."""

    def __init__(self, out: dict) -> None:
        self.out = out

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        t0, c0 = time.perf_counter(), _cpu_s()
        res = fn()
        self.out[f"{name}_s"] = time.perf_counter() - t0
        self.out[f"{name}_cpu"] = _cpu_s() - c0
        return res


def child(kind: str, arg: str, workdir: str) -> dict:
    """One measurement in this (fresh) process; returns figures as a dict."""
    out: dict = {}
    clock = _Clock(out)
    if kind == "build-default":
        from graph.build import build_store

        rep = clock.step("load", lambda: build_store(str(Path(workdir) / "default-store"), companies=int(arg)))
        out["triples"] = sum(rep.graphs.values())
    elif kind in ("oxigraph", "ox-lenient", "ox-memory"):
        import pyoxigraph as ox

        where = None if kind == "ox-memory" else str(Path(workdir) / kind)
        store = clock.step("open", lambda: ox.Store(where))
        clock.step("bulk", lambda: store.bulk_load(
            path=arg, format=ox.RdfFormat.N_TRIPLES, lenient=kind == "ox-lenient"))
        clock.step("flush", store.flush)
        _total(out, ("open", "bulk", "flush"))
        if kind == "oxigraph":
            _time_queries(lambda q: list(store.query(q)), out)
    elif kind == "ours":
        # the product path: graph.store.OxigraphStore.bulk_load (N-Quads bytes; N-Triples are N-Quads)
        from graph.store.embedded import OxigraphStore

        store = clock.step("open", lambda: OxigraphStore(Path(workdir) / "ours"))
        data = clock.step("read", Path(arg).read_bytes)
        clock.step("bulk", lambda: store.bulk_load(data))
        clock.step("flush", store.close)
        _total(out, ("open", "read", "bulk", "flush"))
    elif kind == "rdflib":
        from rdflib import Graph

        g = Graph()
        clock.step("load", lambda: g.parse(arg, format="nt"))
        _time_queries(lambda q: list(g.query(q)), out)
    out["peak_mib"] = _peak_mib()
    return out


def _total(out: dict, steps: tuple[str, ...]) -> None:
    out["load_s"] = sum(out[f"{s}_s"] for s in steps)
    out["load_cpu"] = sum(out[f"{s}_cpu"] for s in steps)


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
    load_before = os.getloadavg()
    res: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as wd:
        print(f"building the default store ({a.companies} companies) ...", flush=True)
        res["build"] = run_child("build-default", str(a.companies), wd)
        nt = Path(wd) / "synthetic.nt"
        t0, c0 = time.perf_counter(), _cpu_s()
        synthetic_ntriples(a.triples, nt)
        gen = (time.perf_counter() - t0, _cpu_s() - c0)
        print(f"synthetic graph: {a.triples:,} triples, {nt.stat().st_size / 2**20:.0f} MiB N-Triples", flush=True)
        for kind in ("oxigraph", "ox-lenient", "ox-memory", "ours", "rdflib"):
            print(f"loading with {kind} ...", flush=True)
            res[kind] = run_child(kind, str(nt), wd)
    load_after = os.getloadavg()
    _print_tables(a, res, gen)
    print(f"\nload average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after, "
          f"on {os.cpu_count()} CPUs: wall times include waiting for the CPU, CPU times do not.")


def _print_tables(a: argparse.Namespace, res: dict[str, dict], gen: tuple[float, float]) -> None:
    ox, rl, b = res["oxigraph"], res["rdflib"], res["build"]
    print()
    print("| measurement | on-disk Oxigraph (ours) | in-memory rdflib (baseline) |")
    print("|---|---|---|")
    if "error" in b:
        print(f"| build default store | failed: {b['error']} | |")
    else:
        print(f"| build default store: {b['triples']:,} triples | {_wc(b, 'load')}, peak {b['peak_mib']:.0f} MiB | — |")
    print(f"| load {a.triples:,} triples (wall / CPU) | {_wc(ox, 'load')} | {_wc(rl, 'load')} |")
    print(f"| ratio rdflib / Oxigraph (wall / CPU) | {_ratio(rl, ox)} | |")
    print(f"| peak memory | {_fmt(ox, 'peak_mib', '{:.0f} MiB')} | {_fmt(rl, 'peak_mib', '{:.0f} MiB')} |")
    for name in QUERIES:
        print(f"| query: {name} | {_fmt(ox, 'q:' + name, '{:.1f} ms')} | {_fmt(rl, 'q:' + name, '{:.1f} ms')} |")
    print()
    print(f"where the time goes, loading {a.triples:,} triples (wall / CPU):")
    print("| step | time |")
    print("|---|---|")
    print(f"| write the N-Triples file (Python, not part of the load) | {gen[0]:.2f} s / {gen[1]:.2f} s |")
    print(f"| open the on-disk store | {_wc(ox, 'open', 2)} |")
    print(f"| pyoxigraph bulk_load from the file (parse + sort + write RocksDB tables) | {_wc(ox, 'bulk', 2)} |")
    print(f"| flush | {_wc(ox, 'flush', 2)} |")
    print(f"| same bulk_load, lenient=True (skips IRI validation) | {_wc(res['ox-lenient'], 'bulk', 2)} |")
    print(f"| same bulk_load into an in-memory pyoxigraph store (parse + index, no disk) | "
          f"{_wc(res['ox-memory'], 'bulk', 2)} |")
    ours = res["ours"]
    print(f"| our path, OxigraphStore.bulk_load: read file | {_wc(ours, 'read', 2)} |")
    print(f"| our path: bulk_load of the bytes | {_wc(ours, 'bulk', 2)} |")
    print(f"| our path: total (open, read, load, flush + close) | {_wc(ours, 'load', 2)} |")
    print(f"| ratio rdflib / our path (wall / CPU) | {_ratio(rl, ours)} |")


def _wc(d: dict, step: str, digits: int = 1) -> str:
    """``wall s / CPU s`` of ``step`` in ``d``, or why it is missing."""
    if "error" in d:
        return f"failed: {d['error']}"
    if f"{step}_s" not in d:
        return "—"
    return f"{d[f'{step}_s']:.{digits}f} s / {d[f'{step}_cpu']:.{digits}f} s"


def _ratio(base: dict, ours: dict) -> str:
    if "error" in base or "error" in ours or not ours.get("load_s") or not ours.get("load_cpu"):
        return "—"
    return f"{base['load_s'] / ours['load_s']:.1f}× / {base['load_cpu'] / ours['load_cpu']:.1f}×"


def _fmt(d: dict, key: str, fmt: str) -> str:
    if "error" in d:
        return f"failed: {d['error']}"
    return fmt.format(d[key]) if key in d else "—"


if __name__ == "__main__":
    main()
