"""Topic linking: recall@3 of a need's technology topics, per encoder, on a fair query set.

    python bench/bench_topics.py [--set matching/data/queries_fair_test.jsonl]
                                 [--encoders onnx-int8,use-multilingual,minilm|use] [--store DIR]

For every line of the set with judged technology topics (``relevant_topics``), the
need is read as ``topics suggest`` reads it (its own words only: labels, embeddings,
definitions; no catalogue prior) and recall@3 is the share of its technology topics
(at most three) among the three suggestions. Figures for the paraphrase lines
(``"paraphrase": true``: no label word or synonym) and for all lines, by language, and
for the issue's four example needs; with labels only, with definition linking, and with the need
classifier (``matching.concept_classifier``) — the matcher's setting — to
show what it adds. Prints figures; never fails on them. Builds a bare store (schemes
only) unless ``--store`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [  # issue 11: needs without a label word (seen while the definitions were written)
    ("Wir wollen wissen, wo unsere Lieferwagen gerade sind", ["location-based-applications"], "de"),
    ("a delivery app that tells drivers where the nearest free loading bay is", ["location-based-applications"], "en"),
    ("customers give up halfway through our online booking form", ["human-computer-interaction"], "en"),
    ("move our invoicing to a hosted service and keep it safe from hackers", ["cloud-services"], "en"),
]


def _items(path: Path, keys: set[str], paraphrase_only: bool) -> list[tuple[str, list[str], str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        if paraphrase_only and not d.get("paraphrase"):
            continue
        gold = [k for k, _ in sorted(d.get("relevant_topics", {}).items(), key=lambda kv: -kv[1]) if k in keys]
        if gold:
            out.append((d["text"], gold, d.get("lang", "?")))
    return out


def _recall(suggester, items, k: int = 3) -> dict[str, float]:
    hits: dict[str, list[float]] = {"de": [], "en": []}
    found = suggester.suggest_many([t for t, _, _ in items], k)
    for (_, gold, lang), sugg in zip(items, found, strict=True):
        top = {s.key for s in sugg}
        hits.setdefault(lang, []).append(sum(g in top for g in gold) / min(k, len(gold)))
    every = [h for v in hits.values() for h in v]
    return {"all": float(np.mean(every)), "de": float(np.mean(hits["de"])), "en": float(np.mean(hits["en"])),
            "n": len(every)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=ROOT / "matching/data/queries_fair_test.jsonl")
    ap.add_argument("--encoders", default="onnx-int8,use-multilingual,minilm|use")
    ap.add_argument("--store", default=None)
    args = ap.parse_args()

    from graph import views
    from graph.build import build_store
    from graph.store import open_store
    from matching.catalogue import Catalogue
    from matching.encoder import make_encoder
    from matching.topics import TopicSuggester

    with tempfile.TemporaryDirectory() as tmp:
        location = args.store or str(Path(tmp) / "store")
        if args.store is None:
            build_store(location, bare=True, companies=0)
        st = open_store(location, read_only=True)
        try:
            catalogue = Catalogue(centres=(), concepts=tuple(views.concepts(st)))
        finally:
            st.close()
    keys = {c.key for c in catalogue.concepts_of("technology")}
    sets = {"paraphrase": _items(args.set, keys, True), "all lines": _items(args.set, keys, False), "issue examples": EXAMPLES}
    print(f"{args.set.name}: {len(sets['paraphrase'])} paraphrase and {len(sets['all lines'])} lines with technology topics")
    from matching.topics import NEED_CLASSIFIER_WEIGHT

    print(f"{'encoder':<18} {'signals':<11} {'set':<15} recall@3   de     en     n")
    for kind in args.encoders.split(","):
        encoder = make_encoder(kind)
        variants = (("labels", 0.0, 0.0), ("+defs", 0.5, 0.0), ("+classifier", 0.0, NEED_CLASSIFIER_WEIGHT))
        for signals, definition_weight, classifier_weight in variants:
            t0 = time.perf_counter()
            suggester = TopicSuggester(
                encoder=encoder, prior_weight=0.0, model_weight=0.0, definition_weight=definition_weight,
                classifier_weight=classifier_weight,
            ).fit(catalogue)
            for name, items in sets.items():
                r = _recall(suggester, items)
                print(f"{kind:<18} {signals:<11} {name:<15} "
                      f"{r['all']:.3f}    {r['de']:.3f}  {r['en']:.3f}  {r['n']}")
            print(f"{'':<18} ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
