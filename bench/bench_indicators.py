"""Indicator benchmark: read all municipalities' indicators, the view vs a naive per-region query.

Run: ``python bench/bench_indicators.py [--store DIR] [--sample 300]``

Without ``--store`` a default store is built in a temporary directory first (and
its init time printed). "cold" = a fresh process that opens the store and reads the
table; "warm" = the same process again. The naive baseline asks for one region's
observations at a time (``region_indicators`` per AGS) over ``--sample`` regions
and is extrapolated to all of them; a third row shows the first form tried (a row
per value joined to ``refArea``), which this view replaced. Prints a table; never
fails on the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_COLD = """
import json, sys, time
t0 = time.perf_counter()
from graph.store import open_store
from graph.indicators import indicator_table
st = open_store(sys.argv[1], read_only=True)
t1 = time.perf_counter()
table = indicator_table(st, "municipality")
t2 = time.perf_counter()
table = indicator_table(st, "municipality")
t3 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "cold": t2 - t1, "warm": t3 - t2, "regions": len(table),
                  "values": sum(len(v) for v in table.values())}))
"""


def _per_value_join(store: object) -> float:
    from graph import iris
    from graph.indicators import indicator_definitions
    from graph.namespaces import sparql_prefixes

    defs = indicator_definitions(store, "municipality")  # type: ignore[arg-type]
    values = " ".join(f"<{d.iri}>" for d in defs)
    t0 = time.perf_counter()
    store.select_values(sparql_prefixes() + f"""SELECT ?a ?p ?v WHERE {{ VALUES ?p {{ {values} }}
  ?o qb:dataSet {iris.indicator_dataset("municipality").n3()} ; sdmx-dimension:refArea ?a ; ?p ?v . }}""")  # type: ignore[attr-defined]
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--store", help="an existing default store (otherwise one is built)")
    parser.add_argument("--sample", type=int, default=300, help="regions for the naive baseline")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = args.store
        if store_dir is None:
            from graph.build import build_store

            store_dir = str(Path(tmp) / "store")
            rep = build_store(store_dir)
            print(f"init (default dataset): {rep.seconds:.1f} s, indicators graph "
                  f"{rep.graphs.get('indicators', 0):,} triples")
        out = subprocess.run([sys.executable, "-c", _COLD, store_dir], capture_output=True, text=True,
                             check=True, cwd=root, env={"PYTHONPATH": str(root), "PATH": ""})
        cold = json.loads(out.stdout)

        from graph.indicators import region_indicators
        from graph.store import open_store
        from graph.views import municipality_keys

        with open_store(store_dir, read_only=True) as st:
            keys = [k[0] for k in municipality_keys(st)]
            sample = keys[:: max(1, len(keys) // args.sample)][: args.sample]
            t0 = time.perf_counter()
            for ags in sample:
                region_indicators(st, ags)
            per_region = (time.perf_counter() - t0) / len(sample)
            joined = _per_value_join(st)
            from graph.views import regions

            t0 = time.perf_counter()
            regions(st, "municipality")  # an existing view, for scale on a busy machine
            scale = time.perf_counter() - t0
    n = cold["regions"]
    print(f"all municipalities' indicators: {n:,} regions, {cold['values']:,} values")
    print(f"  {'method':<52} {'seconds':>9}")
    print(f"  {'view, cold (fresh process; open ' + format(cold['open'], '.2f') + ' s extra)':<52} "
          f"{cold['cold']:>9.3f}")
    print(f"  {'view, warm':<52} {cold['warm']:>9.3f}")
    print(f"  {'row per value joined to refArea (replaced)':<52} {joined:>9.3f}")
    print(f"  {'for scale: views.regions(municipality), warm':<52} {scale:>9.3f}")
    print(f"  {f'naive: one query per region (x{n:,}, from {len(sample)})':<52} {per_region * n:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
