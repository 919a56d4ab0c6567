"""Train the topic model on the EU hub catalogue, cross-validate it by hub, and write it.

    python -m matching.build_topic_model [--catalogue CSV] [--technologies CSV] [--out FILE]

Reads the hubs' descriptions (``edih_catalogue.csv``) and technology levels
(``edih_hub_technologies.csv``) from ``../shared/data/centres``, embeds the
descriptions with ``TOPIC_MODEL_ENCODER`` (all-MiniLM-L6-v2, int8 ONNX), and:

1. cross-validates by hub (K folds over hubs, so no hub is scored by a model that
   saw it) and prints nDCG@5 and Recall@5 against the hubs' own levels for the
   most-frequent-topics baseline (fitted on the training folds), the suggester's
   text signals alone (labels, embeddings, definitions), the first stage alone,
   the text signals mixed with the first stage (weight 0.3, the former setting) and
   the stacked model, alone and mixed with the text signals (weight 0.5 is the
   ``--centre`` setting). Everything the model learns, its hyper-parameter included (C, chosen
   by inner cross-validation), comes from the training folds only (nested CV);
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
from matching.topic_model import DEFAULT_TOPIC_MODEL, TOPIC_MODEL_ENCODER, TopicModel, fit_topic_model

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "centres"
STACK_WEIGHTS = (0.3, 0.5, 0.7, 1.0)  # of the stacked model against the text score; 0.5 is the suggester's default


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
    ap.add_argument("--c", type=float, nargs="+", default=[0.5, 2.0, 8.0],
                    help="inverse L2 strengths the first stage chooses from by inner cross-validation")
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
    encoder = make_encoder(TOPIC_MODEL_ENCODER)
    suggester = TopicSuggester(encoder=encoder, vector_cache=args.vector_cache, topic_model=None, prior_weight=0.0)
    suggester.fit(catalogue)
    leaves = [c for c, ok in zip(suggester.concepts_, suggester.candidates_, strict=True) if ok]
    keys = [c.key for c in leaves]
    cols = np.flatnonzero(suggester.candidates_)
    ids, texts, levels = read_hubs(args.catalogue, args.technologies, set(keys))
    countries = _countries(args.catalogue, ids)
    print(f"{len(ids)} hubs with a description and technology levels, {len(countries)} countries, {len(keys)} areas")
    vectors = encode_cached(texts, encoder, args.vector_cache)
    grades = np.array([[lv.get(k, 0) for k in keys] for lv in levels], dtype=np.int64)
    offered = grades > 0
    analyses = [suggester.analyse(t, mentions=True) for t in texts]
    text_scores = np.stack([suggester.scores(a, v)[cols] for a, v in zip(analyses, vectors, strict=True)])
    signals = np.stack([suggester.signals(a, v)[cols] for a, v in zip(analyses, vectors, strict=True)])

    results: dict[str, list[tuple[float, float]]] = defaultdict(list)
    chosen = []
    for fold, (train, test) in enumerate(KFold(args.folds, shuffle=True, random_state=0).split(vectors)):
        prior = offered[train].mean(axis=0)
        model = fit_topic_model(vectors[train], signals[train], grades[train], keys, encoder.model_id,
                                c_grid=args.c, folds=args.folds)
        chosen.append(model.figures["C"])
        first = model.predict_proba(vectors[test])
        stacked = model.stacked_proba(signals[test], vectors[test])
        for row, i in enumerate(test):
            rel = levels[i]
            results["most frequent (baseline)"].append(_ndcg_recall(prior, keys, rel))
            results["text signals only"].append(_ndcg_recall(text_scores[i], keys, rel))
            results["first stage only"].append(_ndcg_recall(first[row], keys, rel))
            results["text + first stage (w 0.3)"].append(_ndcg_recall(0.7 * text_scores[i] + 0.3 * first[row], keys, rel))
            for w in STACK_WEIGHTS:
                name = {1.0: "stacked model only", 0.5: "text + stacked (w 0.5, default)"}.get(w, f"text + stacked (w {w})")
                results[name].append(_ndcg_recall((1 - w) * text_scores[i] + w * stacked[row], keys, rel))
        print(f"  fold {fold + 1}/{args.folds}: C = {chosen[-1]} chosen on its training hubs", flush=True)
    figures = {
        "hubs": len(ids), "countries": len(countries), "folds": args.folds, "k": 5,
        "C_grid": list(args.c), "C_chosen_per_fold": chosen,
        "cv": {name: {"ndcg@5": round(float(np.mean([r[0] for r in v])), 4),
                      "recall@5": round(float(np.mean([r[1] for r in v])), 4)} for name, v in results.items()},
    }
    print(f"cross-validated by hub ({args.folds} folds, nested), nDCG@5 / Recall@5 against the hubs' levels:")
    for name, f in figures["cv"].items():
        print(f"  {name:32s} {f['ndcg@5']:.3f}   {f['recall@5']:.3f}")

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

    final = fit_topic_model(vectors, signals, grades, keys, encoder.model_id, c_grid=args.c, folds=args.folds)
    figures["C"] = final.figures["C"]
    figures["stack"] = [round(v, 4) for v in final.stack]
    final = TopicModel(final.keys, final.coef, final.intercept, final.model_id, calibration, figures,
                       final.prior, final.stack)
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
