"""Analytics benchmark: peers, partners and the full-country gaps report, each against a
naive baseline in the same run.

Run: ``python bench/bench_analytics.py [--store DIR] [--queries 200]``

- peers: one query over all 10,773 municipalities, warm (fitted ``PeerFinder``) vs the
  same weighted distance in pairwise Python loops;
- partners: one centre, each mode, warm vs Python loops over dict vectors (similar);
- gaps: coverage + 2SFCA for all topics and three radii + the centre network, warm
  (data in memory) and cold (a fresh process that also reads the store), vs 2SFCA
  in Python loops for one topic, extrapolated to all topics.

Prints a table; never fails on the figures.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLD = """
import time; t = time.perf_counter()
from graph.store import open_store
from matching.analytics_data import AnalyticsData
from matching.gaps import GapAnalyser, unmet_by_state
from matching.network import CentreNetwork
with open_store({store!r}, read_only=True) as st:
    data = AnalyticsData.from_store(st, municipality_adjacency=False)
g = GapAnalyser().fit(data); g.report()
CentreNetwork().fit(data).summary(unmet=unmet_by_state(g))
print(time.perf_counter() - t)
"""


def ms(times: list[tuple[float, float]]) -> str:
    """p50 and p99 of wall-clock times, and p50 of the process's CPU time (the fairer figure
    when other processes share the cores)."""
    xs = sorted(t for t, _ in times)
    p99 = xs[min(len(xs) - 1, int(0.99 * len(xs)))]
    cpu = statistics.median(c for _, c in times)
    return f"p50 {1000 * statistics.median(xs):8.2f} ms   p99 {1000 * p99:8.2f} ms   cpu p50 {1000 * cpu:8.2f} ms"


def timed(fn, *args, **kwargs) -> tuple[float, float]:
    """``(wall seconds, CPU seconds)`` of one call."""
    t, c = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)
    return time.perf_counter() - t, time.process_time() - c


def naive_peers(finder, level: str, ags: str, k: int) -> list[str]:
    """The same weighted RMS distance in plain Python loops over all rows."""
    fm = finder.matrices_[level]
    rows = fm.scaled.tolist()
    w = finder.weights_[level].tolist()
    q = rows[finder.row_[level][ags]]
    out = []
    for i, r in enumerate(rows):
        num = den = 0.0
        for a, b, wf in zip(q, r, w, strict=True):
            if wf > 0 and not (math.isnan(a) or math.isnan(b)):
                num += wf * (a - b) ** 2
                den += wf
        if den > 0 and fm.ags[i] != ags:
            out.append((math.sqrt(num / den), fm.ags[i]))
    return [a for _, a in sorted(out)[:k]]


def naive_similar(data, cid: str, k: int) -> list[str]:
    """Cosine of IDF-weighted engagement dicts, pair by pair."""
    df: dict[str, int] = {}
    for c in data.centres:
        for e in (*c.topics, *c.services, *c.sectors):
            df[e.concept] = df.get(e.concept, 0) + 1
    n = len(data.centres)
    vecs = {c.id: {e.concept: e.level / 5 * (math.log((1 + n) / (1 + df[e.concept])) + 1)
                   for e in (*c.topics, *c.services, *c.sectors)} for c in data.centres}
    q = vecs[cid]
    qn = math.sqrt(sum(v * v for v in q.values())) or 1.0
    scores = []
    for other, v in vecs.items():
        if other == cid:
            continue
        vn = math.sqrt(sum(x * x for x in v.values())) or 1.0
        scores.append((-sum(q[t] * v.get(t, 0.0) for t in q) / (qn * vn), other))
    return [o for _, o in sorted(scores)[:k]]


def naive_2sfca(supply: list[float], demand: list[float], dist: list[list[float]], d0: float) -> list[float]:
    """Classic 2SFCA step by step in Python (binary catchment)."""
    ratio = []
    for j, s in enumerate(supply):
        reach = sum(demand[i] for i in range(len(demand)) if dist[i][j] <= d0)
        ratio.append(s / reach if reach > 0 else 0.0)
    return [sum(ratio[j] for j in range(len(supply)) if dist[i][j] <= d0) for i in range(len(demand))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None, help="store directory (default: the settings' store)")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    from graph.store import open_store
    from matching.analytics_data import AnalyticsData
    from matching.fca import two_step_fca
    from matching.gaps import GapAnalyser, unmet_by_state
    from matching.network import CentreNetwork
    from matching.partners import PartnerFinder
    from matching.peers import PeerFinder
    from service.settings import get_settings

    store = args.store or get_settings().store
    t = time.perf_counter()
    with open_store(store, read_only=True) as st:
        data = AnalyticsData.from_store(st)
    print(f"read AnalyticsData from {store}: {time.perf_counter() - t:.2f} s "
          f"({len(data.municipalities):,} municipalities, {len(data.centres)} centres, {len(data.companies):,} companies)")
    rng = random.Random(0)

    # ---- peers
    t = time.perf_counter()
    finder = PeerFinder().fit(data)
    print(f"\npeers: fit {1000 * (time.perf_counter() - t):.0f} ms")
    keys = [m.ags for m in data.municipalities]
    sample = [rng.choice(keys) for _ in range(args.queries)]
    finder.peers(sample[0], 10)
    times = [timed(finder.peers, a, 10) for a in sample]
    print(f"  PeerFinder.peers (k=10, {len(keys):,} rows, with reasons)  {ms(times)}")
    base = [timed(naive_peers, finder, "municipality", a, 10) for a in sample[:5]]
    for a in sample[:5]:
        assert naive_peers(finder, "municipality", a, 3) == [p.ags for p in finder.peers(a, 3).peers], "baseline disagrees"
    print(f"  pairwise Python loops (same distance, 5 queries)      {ms(base)}   "
          f"-> {statistics.median(b for b, _ in base) / statistics.median(t for t, _ in times):.0f}x slower")

    # ---- partners
    t = time.perf_counter()
    pf = PartnerFinder().fit(data)
    print(f"\npartners: fit {1000 * (time.perf_counter() - t):.0f} ms")
    ids = [c.id for c in data.centres if c.lat is not None]
    for mode in ("similar", "complementary", "regions"):
        times = [timed(pf.partners, rng.choice(ids), 10, mode) for _ in range(args.queries)]
        print(f"  PartnerFinder {mode:<14}                          {ms(times)}")
    base = [timed(naive_similar, data, cid, 10) for cid in ids[:20]]
    print(f"  similar in Python loops over dict vectors             {ms(base)}")

    # ---- gaps
    GapAnalyser().fit(data).report()  # the first report also imports scipy (rank correlation)
    CentreNetwork().fit(data).summary()  # and networkx
    c0 = time.process_time()
    t = time.perf_counter()
    g = GapAnalyser().fit(data)
    t_fit = time.perf_counter() - t
    t = time.perf_counter()
    report = g.report()
    t_rep = time.perf_counter() - t
    t = time.perf_counter()
    CentreNetwork().fit(data).summary(unmet=unmet_by_state(g))
    t_net = time.perf_counter() - t
    cpu = time.process_time() - c0
    print(f"\ngaps, all of Germany ({len(report.topics)} topics x {len(g.radii_)} radii, {len(g.centres_)} centres):")
    print(f"  warm: fit {t_fit:.2f} s + report {t_rep:.2f} s + network {t_net:.2f} s = {t_fit + t_rep + t_net:.2f} s "
          f"(cpu {cpu:.2f} s)")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cold = subprocess.run([sys.executable, "-c", COLD.format(store=store)], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print("  cold (fresh process: imports + read store + all of the above): "
          + (f"{float(cold.stdout.strip().splitlines()[-1]):.2f} s (cpu {child_cpu:.2f} s)"
             if cold.returncode == 0 else cold.stderr[-300:]))
    c = int(np.argmax(g.supply_.sum(axis=0)))
    dist = g.dist_.tolist()
    t = time.perf_counter()
    naive = naive_2sfca(g.supply_[:, c].tolist(), g.demand_[:, c].tolist(), dist, g.main_radius_)
    t_naive = time.perf_counter() - t
    t = time.perf_counter()
    two_step = two_step_fca(g.supply_[:, c], g.demand_[:, c], g.dist_, g.main_radius_, decay="none")
    t_vec = time.perf_counter() - t
    assert np.allclose(naive, two_step[0]), "baseline disagrees"
    print(f"  one topic one radius: numpy {1000 * t_vec:.1f} ms")
    print(f"  baseline: classic 2SFCA in Python loops, one topic one radius {t_naive:.2f} s "
          f"-> x {len(report.topics) * len(g.radii_)} = {t_naive * len(report.topics) * len(g.radii_):.0f} s for the report's 2SFCA")


if __name__ == "__main__":
    main()
