"""Load benchmark: `regiomatch load` of a large Turtle file against plain pyoxigraph.

Run: ``python bench/bench_load.py [--mib 50] [--validate] [--workdir DIR]``

Writes a Turtle file of synthetic companies (realistic for the SHACL shapes) of about
``--mib`` MiB, then loads it, each in a fresh subprocess so peak memory (ru_maxrss)
is its own: plain ``pyoxigraph.Store.bulk_load`` into an empty store (the floor),
``load --no-validate`` (streamed through pyoxigraph, one transaction) and, with
``--validate``, the full ``load`` (SHACL; slow: minutes for 50 MiB). Prints a table;
never fails on the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PREFIXES = {
    "rm": "https://w3id.org/regiomatch/ontology#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
}


def make_file(path: Path, mib: float) -> int:
    """Write synthetic companies as Turtle until the file holds about ``mib`` MiB; returns triples."""
    import pyoxigraph as ox

    from graph.dataset.companies import generate_companies
    from graph.dataset.rdf import company_triples
    from graph.store.terms import to_oxigraph

    per_company = 6.1 * 2**20 / 10_000  # bytes of Turtle per company, measured
    n = max(1, int(mib * 2**20 / per_company))
    triples = (ox.Triple(*(to_oxigraph(t) for t in tr)) for tr in company_triples(generate_companies(n, 11)))
    count = 0

    def counted():
        nonlocal count
        for t in triples:
            count += 1
            yield t

    with path.open("wb") as f:
        ox.serialize(counted(), f, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return count


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, ttl: str, store: str) -> dict:
    out: dict = {}
    t0 = time.perf_counter()
    if kind == "oxigraph":
        import pyoxigraph as ox

        st = ox.Store(store)
        st.bulk_load(path=ttl, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g"))
        st.flush()
        out["triples"] = len(st)
    else:
        from graph.loader import load_files
        from graph.store import open_store

        with open_store(store, create=False) as st:
            rep = load_files(st, [ttl], graph="imports/bench", validate=(kind == "validated"))
        out["triples"] = rep.triples
    out["seconds"] = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = usage.ru_utime + usage.ru_stime  # on a shared machine wall time mostly measures the others
    out["peak_mib"] = _peak_mib()
    return out


def run_child(kind: str, ttl: Path, store: Path) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(ttl), str(store)], capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mib", type=float, default=50)
    ap.add_argument("--validate", action="store_true", help="also time the SHACL-validated load (slow)")
    ap.add_argument("--workdir", help="keep the generated file and stores here (default: a temp dir)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(*a.child)))
        return
    wd = Path(a.workdir) if a.workdir else Path(tempfile.mkdtemp(prefix="bench-load-"))
    wd.mkdir(parents=True, exist_ok=True)
    try:
        ttl = wd / f"companies-{a.mib:g}mib.ttl"
        if not ttl.exists():
            print(f"writing {ttl} ...", flush=True)
            make_file(ttl, a.mib)
        print(f"file: {ttl.stat().st_size / 2**20:.1f} MiB Turtle", flush=True)
        base = wd / "base-store"
        if not base.exists():
            from graph.build import build_store

            build_store(str(base), companies=0)
        rows = []
        kinds = ["oxigraph", "no-validate"] + (["validated"] if a.validate else [])
        for kind in kinds:
            store = wd / f"store-{kind}"
            shutil.rmtree(store, ignore_errors=True)
            if kind != "oxigraph":
                shutil.copytree(base, store)
            print(f"loading: {kind} ...", flush=True)
            rows.append((kind, run_child(kind, ttl, store)))
            shutil.rmtree(store, ignore_errors=True)
    finally:
        if not a.workdir:
            shutil.rmtree(wd, ignore_errors=True)
    labels = {
        "oxigraph": "plain pyoxigraph bulk_load",
        "no-validate": "regiomatch load --no-validate",
        "validated": "regiomatch load (SHACL)",
    }
    print()
    print("| load | triples | wall time | CPU time | peak memory |")
    print("|---|---|---|---|---|")
    for kind, r in rows:
        if "error" in r:
            print(f"| {labels[kind]} | failed: {r['error']} | | | |")
        else:
            print(
                f"| {labels[kind]} | {r['triples']:,} | {r['seconds']:.1f} s | {r['cpu_s']:.1f} s "
                f"| {r['peak_mib']:.0f} MiB |"
            )


if __name__ == "__main__":
    main()
