"""Encoder benchmark: start-up, latency, throughput and drift of each backend.

    python bench/bench_encoder.py [--cache-dir DIR] [--queries 200]

Prints figures; never fails on them. Time to first embedding is measured in a
fresh subprocess (imports + model load + one encode), with the ONNX export
already cached; the one-off export is timed separately into a fresh directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from matching._probe_sentences import PROBE_SENTENCES  # noqa: E402
from matching.encoder import OnnxEncoder, SentenceTransformerEncoder, default_cache_dir  # noqa: E402

_FIRST_EMBEDDING = """
import time; started = time.perf_counter()
from matching.encoder import make_encoder
make_encoder({kind!r}, cache_dir={cache!r}).encode(["Wir suchen Hilfe bei KI."])
print(time.perf_counter() - started)
"""


def first_embedding_seconds(kind: str, cache: str, repeats: int = 3) -> float:
    """Median wall time from a bare interpreter to the first vector, in seconds."""
    times = []
    for _ in range(repeats):
        code = _FIRST_EMBEDDING.format(kind=kind, cache=cache)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


_EXPORT = """
import tempfile, time
from matching.encoder import OnnxEncoder
with tempfile.TemporaryDirectory() as fresh:
    started = time.perf_counter()
    OnnxEncoder(cache_dir=fresh, quantize={quantize!r}).encode(["x"])
    print(time.perf_counter() - started)
"""


def export_seconds() -> tuple[float, float]:
    """Cold export (fp32) and export + quantise (int8), each in a fresh process and directory."""
    results = []
    for quantize in (False, True):
        out = subprocess.run(
            [sys.executable, "-c", _EXPORT.format(quantize=quantize)], capture_output=True,
            text=True, check=True, cwd=Path(__file__).resolve().parents[1],
        )
        results.append(float(out.stdout.strip().splitlines()[-1]))
    return results[0], results[1]


def latency_ms(encoder, texts: list[str]) -> tuple[float, float, float]:
    """p50 and p99 of one-text encode calls in ms, and texts/s at batch 1."""
    encoder.encode(texts[:3])  # warm up
    times = []
    for text in texts:
        started = time.perf_counter()
        encoder.encode([text])
        times.append(time.perf_counter() - started)
    ms = np.array(times) * 1e3
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), len(texts) / sum(times)


def batch_throughput(encoder, texts: list[str], batch: int = 32) -> float:
    """texts/s encoding ``texts`` in calls of ``batch``."""
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        encoder.encode(texts[start : start + batch])
    return len(texts) / (time.perf_counter() - started)


def drift(vectors: np.ndarray, reference: np.ndarray) -> tuple[float, float, float]:
    """Mean and max of 1 - cos per text, and how often the nearest other probe is unchanged."""
    gaps = 1.0 - np.sum(vectors * reference, axis=1)
    ours, theirs = vectors @ vectors.T, reference @ reference.T
    np.fill_diagonal(ours, -2)
    np.fill_diagonal(theirs, -2)
    agree = float(np.mean(ours.argmax(1) == theirs.argmax(1)))
    return float(gaps.mean()), float(gaps.max()), agree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", default=str(default_cache_dir()))
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    texts = list(PROBE_SENTENCES)
    queries = (texts * (args.queries // len(texts) + 1))[: args.queries]

    print(f"cpu count: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, probe texts: {len(texts)}, single queries: {len(queries)}")
    fp32_export, int8_export = export_seconds()
    print(f"one-off export: fp32 {fp32_export:.1f} s, fp32 + int8 {int8_export:.1f} s\n")

    reference = SentenceTransformerEncoder()
    reference_vectors = reference.encode(texts)
    backends = [
        ("sentence-transformers", "sentence-transformers", reference),
        ("onnx (1 thread)", "onnx", OnnxEncoder(cache_dir=args.cache_dir, quantize=False)),
        ("onnx (all cores)", None, OnnxEncoder(cache_dir=args.cache_dir, quantize=False, threads=0)),
        ("onnx-int8 (1 thread)", "onnx-int8", OnnxEncoder(cache_dir=args.cache_dir)),
        ("onnx-int8 (all cores)", None, OnnxEncoder(cache_dir=args.cache_dir, threads=0)),
    ]
    header = (
        f"{'backend':<28} {'first emb s':>11} {'p50 ms':>7} {'p99 ms':>7} {'b1 txt/s':>9} "
        f"{'b32 txt/s':>9} {'mean 1-cos':>10} {'max 1-cos':>10} {'top1 agree':>10}"
    )
    print(header)
    print("-" * len(header))
    for label, kind, encoder in backends:
        encoder.encode(["warm"])  # export if needed, outside the timings
        first = f"{first_embedding_seconds(kind, args.cache_dir):.2f}" if kind else "-"
        p50, p99, b1 = latency_ms(encoder, queries)
        b32 = batch_throughput(encoder, texts)
        mean_gap, max_gap, agree = drift(encoder.encode(texts), reference_vectors)
        print(
            f"{label:<28} {first:>11} {p50:>7.2f} {p99:>7.2f} {b1:>9.0f} {b32:>9.0f} "
            f"{mean_gap:>10.5f} {max_gap:>10.5f} {agree:>10.1%}"
        )
    print(
        "\nfirst emb: fresh process, export cached; b1/b32: texts per second at batch 1/32; "
        "top1 agree: share of probes whose nearest other probe is the reference's."
    )


if __name__ == "__main__":
    main()
