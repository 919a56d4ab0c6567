"""Train the topic model on the EU hub catalogue, cross-validate it by hub, and write it.

    python -m matching.build_topic_model [--catalogue CSV] [--technologies CSV] [--out FILE]

Reads the hubs' descriptions (``edih_catalogue.csv``) and technology levels
(``edih_hub_technologies.csv``) from ``../shared/data/centres``, embeds the
descriptions with the default encoder, and:

1. cross-validates by hub (K folds over hubs, so no hub is scored by a model that
   saw it) and prints nDCG@5 and Recall@5 against the hubs' own levels for the
   most-frequent-topics baseline (fitted on the training folds), the suggester's
   text signals alone (labels, embeddings, definitions), the model alone, and the
   two combined at several model weights;
2. fits the concept linker's confidence curve on single-topic needs of the
   synthetic companies (``graph.dataset.companies``);
3. trains the model on every hub and writes it with the figures and the
   calibration to ``matching/data/topic_model.json.gz`` (deterministic bytes).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from graph import iris
from graph.errors import RegiomatchError
from matching import metrics
from matching.topic_model import DEFAULT_TOPIC_MODEL, train_topic_model

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "centres"
MODEL_WEIGHTS = (0.0, 0.2, 0.3, 0.5, 1.0)


def read_hubs(catalogue: Path, technologies: Path, keys: set[str]) -> tuple[list[str], list[str], list[dict[str, int]]]:
    """Hub ids, descriptions and ``{technology key: level}`` of hubs that have both."""
    with catalogue.open(encoding="utf-8", newline="") as f:
        desc = {r["hub_id"]: r["description"].strip() for r in csv.DictReader(f)}
    levels: dict[str, dict[str, int]] = defaultdict(dict)
    with technologies.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            key = iris.slugify(r["technology"])
            if key not in keys:
                raise RegiomatchError(f"{technologies}: technology {r['technology']!r} is not in the scheme")
            levels[r["hub_id"]][key] = max(levels[r["hub_id"]].get(key, 0), int(r["level"]))
    ids = sorted(h for h in levels if desc.get(h))
    return ids, [desc[h] for h in ids], [levels[h] for h in ids]


def _ndcg_recall(scores: np.ndarray, keys: list[str], rel: dict[str, int], k: int = 5) -> tuple[float, float]:
    ranked = [keys[j] for j in np.argsort(-scores, kind="stable")[:k]]
    return metrics.ndcg_at_k(ranked, rel, k), metrics.recall_at_k(ranked, rel, k)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalogue", type=Path, default=_SHARED / "edih_catalogue.csv")
    ap.add_argument("--technologies", type=Path, default=_SHARED / "edih_hub_technologies.csv")
    ap.add_argument("--out", type=Path, default=DEFAULT_TOPIC_MODEL)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c", type=float, default=0.5, help="inverse L2 strength of the logistic regressions")
    ap.add_argument("--vector-cache", default=None, help="directory of a vector cache (speeds up reruns)")
    args = ap.parse_args(argv)
    try:
        return _run(args)
    except RegiomatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from sklearn.model_selection import KFold

    from graph import views
    from graph.build import build_store
    from graph.dataset.companies import generate_companies
    from graph.store import open_store
    from matching._base import encode_cached
    from matching.catalogue import Catalogue
    from matching.concept_linking import fit_calibration
    from matching.encoder import make_encoder
    from matching.topics import TopicSuggester

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:  # the schemes as records, through the usual views
        build_store(str(Path(tmp) / "store"), bare=True, companies=0)
        store = open_store(str(Path(tmp) / "store"), read_only=True)
        try:
            catalogue = Catalogue(centres=(), concepts=tuple(views.concepts(store)))
        finally:
            store.close()
    encoder = make_encoder("onnx-int8")
    suggester = TopicSuggester(encoder=encoder, vector_cache=args.vector_cache, topic_model=None, prior_weight=0.0)
    suggester.fit(catalogue)
    leaves = [c for c, ok in zip(suggester.concepts_, suggester.candidates_, strict=True) if ok]
    keys = [c.key for c in leaves]
    cols = np.flatnonzero(suggester.candidates_)
    ids, texts, levels = read_hubs(args.catalogue, args.technologies, set(keys))
    countries = _countries(args.catalogue, ids)
    print(f"{len(ids)} hubs with a description and technology levels, {len(countries)} countries, {len(keys)} areas")
    vectors = encode_cached(texts, encoder, args.vector_cache)
    offered = np.array([[k in lv for k in keys] for lv in levels], dtype=bool)
    text_scores = np.stack([suggester.scores(suggester.analyse(t), v)[cols] for t, v in zip(texts, vectors, strict=True)])

    results: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for train, test in KFold(args.folds, shuffle=True, random_state=0).split(vectors):
        prior = offered[train].mean(axis=0)
        model = train_topic_model(vectors[train], offered[train], keys, encoder.model_id, c=args.c)
        proba = model.predict_proba(vectors[test])
        for row, i in enumerate(test):
            rel = levels[i]
            results["most frequent (baseline)"].append(_ndcg_recall(prior, keys, rel))
            for w in MODEL_WEIGHTS:
                name = {0.0: "text signals only", 1.0: "topic model only"}.get(w, f"text + model (weight {w})")
                results[name].append(_ndcg_recall((1 - w) * text_scores[i] + w * proba[row], keys, rel))
    figures = {
        "hubs": len(ids), "countries": len(countries), "folds": args.folds, "k": 5, "C": args.c,
        "cv": {name: {"ndcg@5": round(float(np.mean([r[0] for r in v])), 4),
                      "recall@5": round(float(np.mean([r[1] for r in v])), 4)} for name, v in results.items()},
    }
    print(f"cross-validated by hub ({args.folds} folds), nDCG@5 / Recall@5 against the hubs' levels:")
    for name, f in figures["cv"].items():
        print(f"  {name:28s} {f['ndcg@5']:.3f}   {f['recall@5']:.3f}")

    companies = [c for c in generate_companies(2000, seed=11) if len(c.needs) == 1]
    need_vectors = encoder.encode([c.need_description for c in companies])
    linker = suggester.linker_
    sim = linker.similarity(need_vectors)[:, cols]
    gold = [iris.slugify(c.needs[0]) for c in companies]
    correct = np.array([keys[j] == g for j, g in zip(np.argmax(sim, axis=1), gold, strict=True)])
    calibration = fit_calibration(sim, correct)
    linker.calibration = calibration
    conf = linker.confidence(sim)
    sure = conf >= linker.min_confidence
    figures["calibration"] = {
        "needs": len(companies), "top1_accuracy": round(float(correct.mean()), 4),
        "confident_share": round(float(sure.mean()), 4),
        "confident_precision": round(float(correct[sure].mean()), 4) if sure.any() else None,
    }
    print(f"concept linker calibration on {len(companies)} single-topic synthetic needs: "
          f"top-1 {correct.mean():.3f}; confident (p >= {linker.min_confidence}) for {sure.mean():.3f} "
          f"of them, right in {figures['calibration']['confident_precision']} -> {calibration}")

    final = train_topic_model(vectors, offered, keys, encoder.model_id, c=args.c)
    final = type(final)(final.keys, final.coef, final.intercept, final.model_id, calibration, figures)
    data = final.to_bytes()
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data):,} bytes) in {time.perf_counter() - t0:.0f} s")
    return 0


def _countries(catalogue: Path, ids: list[str]) -> set[str]:
    wanted = set(ids)
    with catalogue.open(encoding="utf-8", newline="") as f:
        return {r["country"] for r in csv.DictReader(f) if r["hub_id"] in wanted}


if __name__ == "__main__":
    raise SystemExit(main())
