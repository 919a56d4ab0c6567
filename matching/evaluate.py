"""Evaluation, built in: rankers and the topic suggester against labelled data.

- :func:`load_queries` reads labelled queries (``matching.labelled``).
- :func:`evaluate` runs every ranker (anything with ``match(query, k) -> [Match]``,
  already fitted) on every query with a judgment and reports mean nDCG@k (graded),
  MRR and Recall@k per ranker (see ``matching.metrics`` for the exact definitions),
  and nDCG@k per language and over the queries marked ``"paraphrase": true``.
  A ranker that declares ``needs_location = True`` (the nearest-centre baseline)
  is not scored on a query set with no located query, where it could only fall
  back to random order; the report lists it as "n/a (no locations)".
- :func:`evaluate_topics` checks topic suggestion against a catalogue's own
  technology tags: topics are suggested from each hub's description alone and
  compared with the hub's tagged technologies, graded by engagement level (1–5),
  by nDCG@k — next to a most-frequent-topics baseline that ranks every hub's
  topics by how many *other* hubs carry them (leave-one-out, so a hub's own tags
  never help the baseline).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from graph.errors import InvalidInput
from matching import metrics
from matching.labelled import LabelledQuery, load_queries

if TYPE_CHECKING:
    from graph.records import Centre
    from matching.catalogue import Catalogue
    from matching.query import Match, MatchQuery

__all__ = [
    "Ranker",
    "LabelledQuery",
    "QueryScore",
    "RankerScores",
    "EvalReport",
    "TopicEvalReport",
    "load_queries",
    "evaluate",
    "evaluate_topics",
    "tagged_hubs",
    "DATA_DIR",
]

DATA_DIR = Path(__file__).parent / "data"
METRICS = ("ndcg", "mrr", "recall")


class Ranker(Protocol):
    """What :func:`evaluate` needs: a fitted matcher with ``match(query, k)``."""

    def fit(self, catalogue: Catalogue) -> Ranker: ...

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]: ...


# --------------------------------------------------------------------------- rankers


@dataclass(frozen=True)
class QueryScore:
    """One ranker on one query: the ids it returned and the three metrics."""

    query: str
    ranked: tuple[str, ...]
    ndcg: float
    rr: float
    recall: float


@dataclass(frozen=True)
class RankerScores:
    """Mean metrics of one ranker over the judged queries, and the mean latency in ms."""

    name: str
    ndcg: float
    mrr: float
    recall: float
    n_queries: int
    ms_per_query: float
    per_query: tuple[QueryScore, ...] = ()
    by_lang: Mapping[str, float] = field(default_factory=dict)  # lang -> mean nDCG@k
    paraphrase: float | None = None  # mean nDCG@k over paraphrased queries (None: none marked)


@dataclass(frozen=True)
class EvalReport:
    """Per-ranker scores at cut-off ``k`` over ``n_queries`` judged queries."""

    k: int
    n_queries: int
    n_skipped: int
    rankers: Mapping[str, RankerScores]
    not_applicable: Mapping[str, str] = field(default_factory=dict)  # ranker name -> why it was not scored

    def best(self, metric: str = "ndcg") -> str:
        """Name of the ranker with the highest mean ``metric`` (ndcg, mrr, recall)."""
        if metric not in METRICS:
            raise InvalidInput(f"unknown metric {metric!r}; valid: {', '.join(METRICS)}")
        return max(self.rankers.values(), key=lambda r: getattr(r, metric)).name

    def table(self) -> str:
        """A plain-text table: one row per ranker, one column per metric."""
        langs = sorted({lang for r in self.rankers.values() for lang in r.by_lang})
        head = [f"{'ranker':<14}", f"nDCG@{self.k:<3}", "  MRR ", f"R@{self.k:<4}"]
        head += [f"nDCG {lang:<3}" for lang in langs]
        para = any(r.paraphrase is not None for r in self.rankers.values())
        head += ["paraphr."] if para else []
        head += ["ms/query"]
        lines = ["  ".join(head)]
        for r in self.rankers.values():
            row = [f"{r.name:<14}", f"{r.ndcg:7.3f}", f"{r.mrr:6.3f}", f"{r.recall:6.3f}"]
            row += [f"{r.by_lang.get(lang, float('nan')):8.3f}" for lang in langs]
            if para:
                row.append(f"{float('nan') if r.paraphrase is None else r.paraphrase:8.3f}")
            row.append(f"{r.ms_per_query:8.1f}")
            lines.append("  ".join(row))
        for name, why in self.not_applicable.items():
            lines.append(f"{name:<14}  n/a ({why})")
        lines.append(f"({self.n_queries} judged queries, k={self.k}"
                     + (f", {self.n_skipped} without centre judgments skipped" if self.n_skipped else "") + ")")
        return "\n".join(lines)


def evaluate(rankers: Mapping[str, Ranker], queries: Sequence[LabelledQuery], k: int = 10) -> EvalReport:
    """Run each fitted ranker on each query that has centre judgments; see the module docstring."""
    from matching._base import check_k

    k = check_k(k)
    if not rankers:
        raise InvalidInput("no rankers to evaluate")
    judged = [q for q in queries if q.relevant]
    if not judged:
        raise InvalidInput("no query has centre judgments ('relevant'); nothing to evaluate")
    match_queries = [q.to_match_query() for q in judged]
    located = any(mq.municipality for mq in match_queries)
    results: dict[str, RankerScores] = {}
    not_applicable: dict[str, str] = {}
    for name, ranker in rankers.items():
        if getattr(ranker, "needs_location", False) and not located:
            not_applicable[name] = "no locations"
            continue
        scores: list[QueryScore] = []
        t0 = time.perf_counter()
        for q, mq in zip(judged, match_queries):
            ranked = tuple(m.centre.id for m in ranker.match(mq, k=k))
            scores.append(QueryScore(
                query=q.id or q.text[:40], ranked=ranked,
                ndcg=metrics.ndcg_at_k(ranked, q.relevant, k),
                rr=metrics.reciprocal_rank(ranked, q.relevant, k),
                recall=metrics.recall_at_k(ranked, q.relevant, k),
            ))
        elapsed = time.perf_counter() - t0
        by_lang: dict[str, list[float]] = {}
        for q, s in zip(judged, scores):
            if q.lang:
                by_lang.setdefault(q.lang, []).append(s.ndcg)
        para = [s.ndcg for q, s in zip(judged, scores) if q.paraphrase]
        results[name] = RankerScores(
            name=name,
            ndcg=metrics.mean([s.ndcg for s in scores]),
            mrr=metrics.mean([s.rr for s in scores]),
            recall=metrics.mean([s.recall for s in scores]),
            n_queries=len(scores),
            ms_per_query=1000 * elapsed / len(scores),
            per_query=tuple(scores),
            by_lang={lang: metrics.mean(v) for lang, v in sorted(by_lang.items())},
            paraphrase=metrics.mean(para) if para else None,
        )
    if not results:
        raise InvalidInput(
            f"none of the rankers applies to these queries ({', '.join(f'{n}: {w}' for n, w in not_applicable.items())})"
        )
    return EvalReport(
        k=k, n_queries=len(judged), n_skipped=len(queries) - len(judged), rankers=results,
        not_applicable=not_applicable,
    )


# --------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class TopicEvalReport:
    """Topic suggestion vs the most-frequent-topics baseline: mean nDCG@k over ``n_hubs``."""

    k: int
    n_hubs: int
    suggester_ndcg: float
    baseline_ndcg: float
    suggester_recall: float
    baseline_recall: float
    per_hub: tuple[tuple[str, float, float], ...] = ()  # (hub id, suggester nDCG, baseline nDCG)

    def table(self) -> str:
        return "\n".join([
            f"{'topics':<20}  nDCG@{self.k:<3}  R@{self.k:<4}",
            f"{'suggester':<20}  {self.suggester_ndcg:7.3f}  {self.suggester_recall:6.3f}",
            f"{'most-frequent':<20}  {self.baseline_ndcg:7.3f}  {self.baseline_recall:6.3f}",
            f"({self.n_hubs} hubs with a description and technology tags; grade = tag level 1-5)",
        ])


def tagged_hubs(centres: Iterable[Centre]) -> list[Centre]:
    """The centres topic suggestion can be judged on: a description and technology tags."""
    return [c for c in centres if c.description.strip() and c.topics]


def evaluate_topics(suggester: Any, hubs: Sequence[Centre], k: int = 5) -> TopicEvalReport:
    """Suggest topics from each hub's description and grade them by the hub's tag levels.

    ``suggester`` is a fitted ``TopicSuggester`` (``suggest(text, k)`` or
    ``suggest_many(texts, k)`` returning objects with ``.iri``); ``hubs`` are centre
    records, of which those without a description or technology tags are skipped.
    """
    from matching._base import check_k

    k = check_k(k)
    hubs = tagged_hubs(hubs)
    if not hubs:
        raise InvalidInput("no hub has both a description and technology tags; nothing to evaluate")
    texts = [h.description for h in hubs]
    if hasattr(suggester, "prior_excluding"):
        # leave-one-out: the prior is fitted on the other hubs only, like the baseline
        priors = [suggester.prior_excluding(h) for h in hubs]
        suggestions = suggester.suggest_many(texts, k, priors=priors)
    elif hasattr(suggester, "suggest_many"):
        suggestions = suggester.suggest_many(texts, k)
    else:
        suggestions = [suggester.suggest(t, k) for t in texts]
    counts = Counter(e.concept for h in hubs for e in h.topics)
    per_hub = []
    s_ndcg, b_ndcg, s_rec, b_rec = [], [], [], []
    for hub, sugg in zip(hubs, suggestions):
        rel = {e.concept: e.level for e in hub.topics}
        ranked = [s.iri for s in sugg]
        own = Counter({c: 1 for c in rel})
        loo = counts - own  # other hubs only
        baseline = [c for c, _ in sorted(loo.items(), key=lambda kv: (-kv[1], kv[0]))][:k]
        s_ndcg.append(metrics.ndcg_at_k(ranked, rel, k))
        b_ndcg.append(metrics.ndcg_at_k(baseline, rel, k))
        s_rec.append(metrics.recall_at_k(ranked, rel, k))
        b_rec.append(metrics.recall_at_k(baseline, rel, k))
        per_hub.append((hub.id, s_ndcg[-1], b_ndcg[-1]))
    return TopicEvalReport(
        k=k, n_hubs=len(hubs),
        suggester_ndcg=metrics.mean(s_ndcg), baseline_ndcg=metrics.mean(b_ndcg),
        suggester_recall=metrics.mean(s_rec), baseline_recall=metrics.mean(b_rec),
        per_hub=tuple(per_hub),
    )
