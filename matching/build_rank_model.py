"""Fit the learned ranking (``matching.rank_model``) on judged needs and write it.

    python -m matching.build_rank_model [--store DIR] [--encoder KIND] [--out FILE]

Fits on the fair set's **dev** half (``matching/data/queries_fair_dev.jsonl``) and the
two older labelled sets, so they do not get worse: ``queries_default.jsonl`` on the
default dataset and ``queries_catalogue.jsonl`` on the EU hubs of
``eval_catalogue_hubs.csv`` (imported into a temporary store as ``evaluate
--catalogue`` does), weighted ``--old-weight`` per need against 1 for a dev need. The regularisation is
chosen by 4-fold cross-validation over the dev needs (the default set stays in every
training fold); the script prints nDCG@10 per setting, then fits on everything and
writes ``matching/data/rank_model.json`` with the figures. The fair set's test half is
never read. Needs a store with the default dataset (``regiomatch init``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from graph.errors import RegiomatchError
from matching import metrics
from matching.rank_model import DEFAULT_RANK_MODEL, FEATURE_NAMES, fit_rank_model

DATA = Path(__file__).resolve().parent / "data"
L2_GRID = (1e-3, 1e-2, 3e-2, 1e-1)
FOLDS = 4


def _groups(matcher, queries, weight):  # noqa: ANN001, ANN202
    ids = [c.id for c in matcher.centres_]
    out = []
    for q in queries:
        x = matcher.feature_matrix(q.to_match_query())
        grades = np.array([q.relevant.get(i, 0) for i in ids], dtype=np.int8)
        out.append((x, grades, weight))
    return out


def _catalogue_groups(rt, weight: float):  # noqa: ANN001, ANN202
    """Feature groups of the catalogue set, on its hubs in a temporary store."""
    import tempfile

    from graph.build import build_store
    from graph.loader import load_files
    from matching.labelled import load_queries
    from matching.ranker import CentreMatcher

    with tempfile.TemporaryDirectory(prefix="regiomatch-rank-") as tmp:
        temp = rt.at(Path(tmp) / "store")
        build_store(temp.location, bare=True)
        with temp.open_store(writable=True) as st:
            load_files(st, [DATA / "eval_catalogue_hubs.csv"], fmt="edih-csv")
            catalogue = temp.catalogue(st)
    matcher = CentreMatcher(**rt.model_options(), rank_model=None).fit(catalogue)
    groups = _groups(matcher, load_queries(DATA / "queries_catalogue.jsonl"), weight)
    return groups, [c.id for c in matcher.centres_]


def _ndcg(model, groups, ids, k: int = 10) -> float:  # noqa: ANN001
    values = []
    for x, grades, _ in groups:
        s = model.score(x)
        ranked = [ids[i] for i in np.lexsort((np.arange(len(s)), -s))]
        values.append(metrics.ndcg_at_k(ranked, {ids[i]: int(g) for i, g in enumerate(grades) if g}, k))
    return float(np.mean(values))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=None, help="store with the default dataset (default: the configured one)")
    ap.add_argument("--encoder", default=None, help="encoder kind (default: the configured one)")
    ap.add_argument("--out", type=Path, default=DEFAULT_RANK_MODEL)
    ap.add_argument("--old-weight", type=float, default=5.0, help="weight of an older set's need (dev: 1)")
    args = ap.parse_args(argv)
    from matching.labelled import load_queries
    from service.runtime import runtime

    try:
        rt = runtime(store=args.store, encoder=args.encoder)
        catalogue = rt.catalogue()
        t0 = time.perf_counter()
        from matching.ranker import CentreMatcher

        matcher = CentreMatcher(**rt.model_options(), rank_model=None).fit(catalogue)
        dev = _groups(matcher, load_queries(DATA / "queries_fair_dev.jsonl"), 1.0)
        old = _groups(matcher, load_queries(DATA / "queries_default.jsonl"), args.old_weight)
        hubs, hub_ids = _catalogue_groups(rt, args.old_weight)
    except RegiomatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ids = [c.id for c in matcher.centres_]
    print(f"features of {len(dev)} dev and {len(old)} default needs in {time.perf_counter() - t0:.1f} s")
    folds = [list(range(i, len(dev), FOLDS)) for i in range(FOLDS)]
    best = None
    for l2 in L2_GRID:
        cv = []
        for fold in folds:
            held = set(fold)
            model = fit_rank_model([g for j, g in enumerate(dev) if j not in held] + old + hubs, l2=l2)
            cv.append(_ndcg(model, [dev[j] for j in fold], ids) * len(fold))
        score = sum(cv) / len(dev)
        print(f"l2={l2:g}: dev nDCG@10 by {FOLDS}-fold CV {score:.3f}")
        if best is None or score > best[1]:
            best = (l2, score)
    l2, cv_score = best  # type: ignore[misc]
    model = fit_rank_model(dev + old + hubs, l2=l2)
    figures = {"dev_cv_ndcg10": round(cv_score, 4), "dev_fit_ndcg10": round(_ndcg(model, dev, ids), 4),
               "default_fit_ndcg10": round(_ndcg(model, old, ids), 4),
               "catalogue_fit_ndcg10": round(_ndcg(model, hubs, hub_ids), 4)}
    model = fit_rank_model(dev + old + hubs, l2=l2, meta={
        "fitted_on": ["queries_fair_dev.jsonl", f"queries_default.jsonl (weight {args.old_weight:g})",
                      f"queries_catalogue.jsonl on eval_catalogue_hubs.csv (weight {args.old_weight:g})"],
        "l2": l2, "encoder": getattr(matcher.encoder_, "model_id", str(args.encoder)), "figures": figures,
    })
    print("weights: " + ", ".join(f"{n} {w:.3f}" for n, w in zip(FEATURE_NAMES, model.weights, strict=True)))
    print(f"chosen l2={l2:g}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    args.out.write_text(model.to_json(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
