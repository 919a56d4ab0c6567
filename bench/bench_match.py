"""Matching benchmark: latency and throughput of ``CentreMatcher.match`` in process.

Run: ``python bench/bench_match.py [--store DIR] [--sizes 1000,10000] [--queries 200]``

In one run, for 1k and 10k synthetic centres (perturbed copies of the default
dataset's real ones: shuffled description sentences, ±1 on tag levels, a nearby
real municipality):

- cold start: a fresh process's time to its first embedding (imports + model load)
  for the hybrid's encoder (``--encoder``, default use-multilingual) and for sentence-transformers;
- time to encode all centre profiles (measured on up to ``--encode-sample``
  profiles and extrapolated beyond), cold vector cache vs warm cache;
- the matcher's warm-up after ``fit`` (``CentreMatcher.warm_up``, which the service runs once:
  the encoder's per-token work for the words of the concepts and centre profiles);
- single-query latency p50/p99 (wall, and the process's CPU time per match, which
  other work on the cores stretches much less) and sequential throughput of ``match`` (warm
  encoder; the first query after ``fit`` is reported as "cold") over distinct
  needs (the default labelled set and the fair set's dev half, up to ``--queries``),
  so no query is ever seen twice; then the same needs once more ("repeat": the
  matcher's cache of recent query vectors answers), and the throughput of
  ``match_many`` in batches of 64;
- every timed figure in ``--rounds`` rounds (default 3), each on fresh encoders so that every
  need is new to them, and their median, with each round's p50;
- all of that again ("+words") with a fresh encoder first prepared for the ``--words`` most
  common German and English words, as the service prepares its encoder (``Settings.warm_words``):
  its distinct needs then rarely bring a token the encoder has not met;
- BLAS on the service's thread count (``--blas-threads``, default the service's:
  ``REGIOMATCH_BLAS_THREADS``, else ``Settings.blas_threads``' default 1),
  set once for the process as the service does;
- the same for a plain baseline: sentence-transformers encode of the query +
  brute-force cosine over all centres + full sort, nothing cached.

So that a 10k run takes minutes, not an hour, the synthetic centres' vectors are
their source centre's vector plus small noise (re-normalised); queries are always
really encoded. Prints a table; never fails on the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLD_SNIPPET = "from matching.encoder import make_encoder; make_encoder({kind!r}).encode(['hello'])"


def cold_start(kind: str) -> float:
    """Seconds from a fresh interpreter to its first embedding."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", COLD_SNIPPET.format(kind=kind)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def load_catalogue(store: str | None):
    from graph.build import build_store
    from graph.store import open_store
    from matching.catalogue import Catalogue

    if store is None:
        store = str(Path(tempfile.mkdtemp(prefix="bench-match-")) / "store")
        print(f"building the default store in {store} (no companies) ...", file=sys.stderr)
        build_store(store, companies=0)
    with open_store(store, read_only=True) as st:
        return Catalogue.from_store(st)


def synthetic(catalogue, n: int, seed: int = 0):
    """``n`` centres perturbed from the real ones, and each one's source index."""
    rng = random.Random(seed)
    real = list(catalogue.centres)
    munis = [r for r in catalogue.regions.values() if r.kind == "municipality" and r.lat is not None]
    out, source = [], []
    for j in range(n):
        i = j % len(real)
        c = real[i]
        sentences = [s for s in c.description.split(". ") if s]
        rng.shuffle(sentences)
        topics = tuple(dataclasses.replace(e, level=min(5, max(1, e.level + rng.choice((-1, 0, 1)))))
                       for e in c.topics if rng.random() < 0.85)
        place = {}
        if c.lat is not None and munis:
            m = min(rng.sample(munis, 40), key=lambda r: (r.lat - c.lat) ** 2 + (r.lon - c.lon) ** 2)
            place = dict(municipality_ags=m.ags, municipality_name=m.name, district_ags=m.district_ags,
                         state_ags=m.state_ags, lat=m.lat, lon=m.lon)
        out.append(dataclasses.replace(
            c, iri=f"{c.iri}-syn{j}", id=f"{c.id}-syn{j}", name=f"{c.name} (site {j})",
            description=". ".join(sentences), topics=topics, **place))
        source.append(i)
    return dataclasses.replace(catalogue, centres=tuple(out)), source


class PrecomputedEncoder:
    """Profiles of synthetic centres → their source's vector plus noise; anything else encoded."""

    def __init__(self, inner, table: dict[str, np.ndarray]) -> None:
        self.inner, self.table = inner, table
        self.model_id, self.dim = inner.model_id, inner.dim

    def encode(self, texts):
        known = [t in self.table for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        rest = [t for t, k in zip(texts, known) if not k]
        if rest:
            out[[i for i, k in enumerate(known) if not k]] = self.inner.encode(rest)
        for i, (t, k) in enumerate(zip(texts, known)):
            if k:
                out[i] = self.table[t]
        return out


def perturbed_vectors(real_vectors: np.ndarray, source: list[int], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = real_vectors[source] + rng.normal(0, 0.02, (len(source), real_vectors.shape[1])).astype(np.float32)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def time_queries(fn, queries, cpu: list[float] | None = None) -> list[float]:
    """Wall ms per query; with ``cpu``, also the process's CPU ms per query (all its threads)."""
    ms = []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        fn(q)
        ms.append(1000 * (time.perf_counter() - t0))
        if cpu is not None:
            cpu.append(1000 * (time.process_time() - c0))
    return ms


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def encode_rate(encoder, texts: list[str]) -> float:
    """Texts per second encoding ``texts`` in batches of 64."""
    t0 = time.perf_counter()
    for i in range(0, len(texts), 64):
        encoder.encode(texts[i:i + 64])
    return len(texts) / (time.perf_counter() - t0)


def timed(match, queries) -> dict[str, float]:
    """``match``'s first query, then its warm latency (wall and CPU) over the other, distinct needs."""
    t0 = time.perf_counter()
    match(queries[0])
    first_ms = 1000 * (time.perf_counter() - t0)
    cpu: list[float] = []
    ms = time_queries(match, queries[1:], cpu)
    p50, p99 = percentiles(ms)
    return {"first_ms": first_ms, "p50_ms": p50, "p99_ms": p99, "qps": 1000 * len(ms) / sum(ms),
            "cpu_p50_ms": float(np.percentile(cpu, 50))}


def timed_matches(matcher, queries) -> dict[str, float]:
    """The matcher's warm-up (as the service does after fit: the encoder's token rows for the words
    of the concepts and centres), then :func:`timed` of its ``match``, the same needs repeated and
    batches."""
    t0 = time.perf_counter()
    tokens = matcher.warm_up()
    warm_up_s = time.perf_counter() - t0
    out = timed(lambda q: matcher.match(q, k=10), queries)
    repeat_p50, _ = percentiles(time_queries(lambda q: matcher.match(q, k=10), queries[1:]))
    t0 = time.perf_counter()
    for i in range(0, len(queries), 64):
        matcher.match_many(queries[i:i + 64], k=10)
    batch_qps = len(queries) / (time.perf_counter() - t0)
    return {"warm_up_s": warm_up_s, "warm_up_tokens": tokens, **out, "batch_qps": batch_qps,
            "repeat_p50_ms": repeat_p50}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a built default store (default: build one in a temp dir)")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--queries", type=int, default=200, help="timed queries per configuration")
    ap.add_argument("--encode-sample", type=int, default=300, help="profiles encoded to time encoding")
    ap.add_argument("--encoder", default="use-multilingual", help="the hybrid's encoder kind (default: the matcher's)")
    ap.add_argument("--words", type=int, default=10_000,
                    help="common German and English words (each) a second run prepares first, as the service does "
                         "(Settings.warm_words; 0: skip that run)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="timed rounds, each on fresh encoders (the table shows each figure's median over them)")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="BLAS threads of this process (default: the service's, REGIOMATCH_BLAS_THREADS or 1; "
                         "0: BLAS's own count)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error(f"--rounds must be at least 1, got {args.rounds}")
    if args.blas_threads is not None and args.blas_threads < 0:
        ap.error(f"--blas-threads must be 0 or more, got {args.blas_threads}")

    from graph.errors import InvalidInput
    from service.runtime import apply_blas_threads
    from service.settings import settings_from_env

    if args.blas_threads is None:  # the service's count: REGIOMATCH_BLAS_THREADS, else the setting's default
        try:
            blas = settings_from_env().blas_threads
        except InvalidInput as exc:
            ap.error(str(exc))
    else:
        blas = args.blas_threads
    apply_blas_threads(blas)  # as the service does at start; the plain baseline's torch keeps its own threads

    from matching.encoder import make_encoder
    from matching.evaluate import DATA_DIR, load_queries
    from matching.multilingual import common_words, warm_encoder
    from matching.query import MatchQuery
    from matching.ranker import CentreMatcher, centre_profile

    rows: dict[str, dict[str, float | str]] = {}
    load_before = load_average()
    print("cold starts ...", file=sys.stderr)
    cold = {kind: cold_start(kind) for kind in dict.fromkeys((args.encoder, "sentence-transformers"))}

    catalogue = load_catalogue(args.store)
    labelled = load_queries(DATA_DIR / "queries_default.jsonl") + load_queries(DATA_DIR / "queries_fair_dev.jsonl")
    distinct = {q.text: MatchQuery(q.text, municipality=q.municipality, sector=q.sector) for q in labelled}
    queries = list(distinct.values())[: args.queries]
    words = common_words(args.words)  # read once: every "+words" round prepares a fresh encoder for them

    hyb = make_encoder(args.encoder)
    plain = make_encoder("sentence-transformers")
    real_profiles = [centre_profile(c) for c in catalogue.centres]
    real_vectors = hyb.encode(real_profiles)
    plain_real_vectors = plain.encode(real_profiles)

    for n in (int(s) for s in args.sizes.split(",")):
        print(f"{n} centres ...", file=sys.stderr)
        syn, source = synthetic(catalogue, n)
        profiles = [centre_profile(c) for c in syn.centres]
        sample = profiles[: args.encode_sample]
        rate_hyb, rate_plain = encode_rate(hyb, sample), encode_rate(plain, sample)
        table = dict(zip(profiles, perturbed_vectors(real_vectors, source)))
        enc = PrecomputedEncoder(hyb, table)
        cache_dir = tempfile.mkdtemp(prefix="bench-match-cache-")
        t0 = time.perf_counter()
        CentreMatcher(encoder=enc, vector_cache=cache_dir).fit(syn)
        fit_cold_cache = time.perf_counter() - t0
        t0 = time.perf_counter()
        matcher = CentreMatcher(encoder=hyb, vector_cache=cache_dir).fit(syn)  # every profile cached
        fit_warm_cache = time.perf_counter() - t0
        # plain baseline: torch sentence-transformers, brute-force cosine, full sort, no cache
        pv = perturbed_vectors(plain_real_vectors, source)

        def plain_match(q: MatchQuery, pv: np.ndarray = pv) -> list[int]:
            v = plain.encode([q.text])[0]
            return list(np.argsort(-(pv @ v))[:10])

        runs: dict[str, list[dict[str, float]]] = {f"hybrid {n}": [], f"+words {n}": [], f"plain {n}": []}
        for r in range(args.rounds):  # each round on fresh encoders: every need is new to them
            if r:
                matcher = CentreMatcher(encoder=make_encoder(args.encoder), vector_cache=cache_dir).fit(syn)
            runs[f"hybrid {n}"].append(timed_matches(matcher, queries))
            if words:
                # as the service: a fresh encoder prepared for the common words first (Settings.warm_words)
                fresh = make_encoder(args.encoder)
                t0 = time.perf_counter()
                words_tokens = warm_encoder(fresh, words)
                words_s = time.perf_counter() - t0
                prepared = CentreMatcher(encoder=fresh, vector_cache=cache_dir).fit(syn)
                runs[f"+words {n}"].append({"words_s": words_s, "words_tokens": words_tokens,
                                            **timed_matches(prepared, queries)})
            runs[f"plain {n}"].append(timed(plain_match, queries))
        for name, got in runs.items():
            if got:
                rows[name] = {key: float(np.median([g[key] for g in got])) for key in got[0]}
                rows[name]["p50_rounds"] = [round(g["p50_ms"], 2) for g in got]  # type: ignore[assignment]
        rows[f"hybrid {n}"].update(fit_cold_cache_s=fit_cold_cache, fit_warm_cache_s=fit_warm_cache, encode_all_s=n / rate_hyb)
        rows[f"plain {n}"]["encode_all_s"] = n / rate_plain

    load = f"load average {load_before} before, {load_average()} after (1, 5, 15 min)"
    if args.json:
        print(json.dumps({"cold_start_s": cold, "rows": rows, "encoder": args.encoder, "load": load,
                          "blas_threads": blas}, indent=2))
        return
    print(f"\n{load}: wall times stretch with other work on the cores, CPU times much less")
    print(f"BLAS threads: {blas or 'its own count'} (as the service: REGIOMATCH_BLAS_THREADS or Settings.blas_threads)")
    print("\ncold start (fresh process to first embedding):  "
          + ",  ".join(f"{k} {v:.2f} s" for k, v in cold.items()))
    cols = [("encode_all_s", "encode all s"), ("fit_cold_cache_s", "fit-enc s"),
            ("fit_warm_cache_s", "fit cached s"), ("warm_up_s", "warm-up s"), ("first_ms", "1st ms"), ("p50_ms", "p50 ms"),
            ("p99_ms", "p99 ms"), ("cpu_p50_ms", "CPU p50 ms"), ("qps", "q/s"), ("batch_qps", "batch q/s"),
            ("repeat_p50_ms", "repeat p50")]
    print(f"{'':<14}" + "".join(f"{h:>13}" for _, h in cols))
    for name, r in rows.items():
        print(f"{name:<14}" + "".join(f"{r[c]:>13.2f}" if c in r else f"{'-':>13}" for c, _ in cols))
    print(f"(the medians of {args.rounds} timed rounds, each on fresh encoders)")
    for n in (int(s) for s in args.sizes.split(",")):
        p = rows[f"plain {n}"]
        for name in (f"hybrid {n}", f"+words {n}"):
            if name not in rows:
                continue
            h = rows[name]
            how = "prepared for the data's words" if name.startswith("hybrid") else "prepared for common words too, as the service"
            ratios = [pp / hh for pp, hh in zip(p["p50_rounds"], h["p50_rounds"], strict=True)]  # type: ignore[call-overload]
            print(f"{n} centres, hybrid with {args.encoder} {how}: warm p50 {h['p50_ms']:.1f} ms over {len(queries) - 1} "
                  f"distinct needs (target <= 3 ms; rounds {', '.join(f'{x:.2f}' for x in h['p50_rounds'])}), "  # type: ignore[union-attr]
                  f"{h['repeat_p50_ms']:.1f} ms when repeated; plain/hybrid p50 = {float(np.median(ratios)):.1f}x "
                  f"(target >= 4x; rounds {', '.join(f'{x:.1f}' for x in ratios)}); "
                  f"CPU per match {h['cpu_p50_ms']:.1f} ms vs {p['cpu_p50_ms']:.1f} ms plain")
        if f"+words {n}" in rows:
            w = rows[f"+words {n}"]
            print(f"  common words: {args.words:,} per language (de, en) prepared {w['words_tokens']:,.0f} tokens "
                  f"in {w['words_s']:.2f} s before the data's warm-up")
    print(f"('encode all' extrapolated from {args.encode_sample} profiles; 'fit-enc' = fit into an "
          "empty cache with precomputed synthetic vectors, i.e. fit without encoding; 'fit cached' = "
          "fit with every vector in the cache; 'warm-up' = CentreMatcher.warm_up after fit, as the service "
          "does: the encoder's token rows for the words of the concepts and centres; '+words' = a fresh "
          "encoder first prepared for the most common German and English words, as the service does "
          "(Settings.warm_words), then fitted and warmed the same way)")


if __name__ == "__main__":
    main()
