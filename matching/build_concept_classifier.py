"""Train the need classifier (``matching.concept_classifier``) on the schemes and write it.

    python -m matching.build_concept_classifier [--encoder KIND] [--c C] [--out FILE]

Builds a bare store (the schemes only), collects every technology area's and service
type's training texts (labels, definition units, example needs), embeds them with the
encoder, and prints:

1. 5-fold cross-validated top-1 accuracy over the training texts (stratified by concept);
2. recall@3 of the intended topics on the fair set's **dev** half, all needs and the
   paraphrased ones (``"paraphrase": true``) — needs that were never training data;

then trains on every text and writes ``matching/data/concept_classifier.json.gz``
(deterministic bytes). The test half is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from graph.errors import RegiomatchError
from matching.concept_classifier import DEFAULT_CONCEPT_CLASSIFIER, train_concept_classifier, training_texts

DATA = Path(__file__).resolve().parent / "data"


def _concepts():  # noqa: ANN202
    from graph import views
    from graph.build import build_store
    from graph.store import open_store

    with tempfile.TemporaryDirectory(prefix="regiomatch-cc-") as tmp:
        build_store(str(Path(tmp) / "store"), bare=True, companies=0)
        st = open_store(str(Path(tmp) / "store"), read_only=True)
        try:
            concepts = list(views.concepts(st))
        finally:
            st.close()
    tech = [c for c in concepts if c.scheme == "technology"]
    parents = {b for c in tech for b in c.broader}
    return [("technology", c) for c in tech if c.iri not in parents] + [
        ("service", c) for c in concepts if c.scheme == "service"]


def _recall(model, encoder, path: Path) -> dict[str, float]:  # noqa: ANN001
    lines = [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
    keys = model.keys
    hits: dict[str, list[float]] = {"all": [], "paraphrase": []}
    proba = model.predict_proba(encoder.encode([d["text"] for d in lines]))
    for d, p in zip(lines, proba, strict=True):
        gold = [k for k, _ in sorted(d.get("relevant_topics", {}).items(), key=lambda kv: -kv[1])]
        gold = [g for g in gold if f"technology:{g}" in keys]  # technology topics, as bench_topics counts them
        if not gold:
            continue
        top = {keys[j].split(":", 1)[1] for j in np.argsort(-p)[:3]}
        h = sum(g in top for g in gold) / min(3, len(gold))
        hits["all"].append(h)
        if d.get("paraphrase"):
            hits["paraphrase"].append(h)
    return {k: round(float(np.mean(v)), 4) for k, v in hits.items() if v}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", default=None, help="encoder kind (default: the configured one)")
    ap.add_argument("--c", type=float, default=10.0, help="inverse L2 strength of the regression")
    ap.add_argument("--out", type=Path, default=DEFAULT_CONCEPT_CLASSIFIER)
    args = ap.parse_args(argv)
    from sklearn.model_selection import StratifiedKFold

    from service.runtime import runtime

    try:
        t0 = time.perf_counter()
        concepts = _concepts()
        encoder = runtime(encoder=args.encoder).encoder()
        keys = [f"{scheme}:{c.key}" for scheme, c in concepts]
        texts, labels = [], []
        for j, (_, c) in enumerate(concepts):
            for t in training_texts(c):
                texts.append(t)
                labels.append(j)
        vectors = np.asarray(encoder.encode(texts), dtype=np.float32)
    except RegiomatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    y = np.array(labels)
    model_id = getattr(encoder, "model_id", str(args.encoder))
    print(f"{len(texts)} training texts for {len(keys)} concepts, embedded in {time.perf_counter() - t0:.1f} s")
    correct = 0
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(vectors, y):
        m = train_concept_classifier(vectors[train], y[train], keys, model_id, c=args.c) if set(y[train]) == set(
            range(len(keys))) else None
        if m is not None:
            correct += int((m.predict_proba(vectors[test]).argmax(1) == y[test]).sum())
    cv = correct / len(y)
    model = train_concept_classifier(vectors, y, keys, model_id, c=args.c)
    dev = _recall(model, encoder, DATA / "queries_fair_dev.jsonl")
    figures = {"texts": len(texts), "c": args.c, "cv_top1_training_texts": round(cv, 4),
               "fair_dev_recall3": dev.get("all"), "fair_dev_paraphrase_recall3": dev.get("paraphrase")}
    print(f"5-fold CV top-1 over the training texts: {cv:.3f}")
    print(f"fair dev half, technology recall@3: all {dev.get('all')}, paraphrased {dev.get('paraphrase')}")
    model = type(model)(model.keys, model.coef, model.intercept, model.model_id, figures)
    args.out.write_bytes(model.to_bytes())
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
