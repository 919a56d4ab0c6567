"""Ranking metrics with graded relevance: nDCG@k, MRR and Recall@k.

Pure functions over a ranked list of ids and a judgment ``{id: grade}``. Grades are
non-negative numbers; grade 0 (or an id missing from the judgment) means "not
relevant". Conventions (the usual ones of TREC / scikit-learn's ``ndcg_score``
with exponential gain):

- DCG@k = sum over ranks i = 1..k of (2**grade_i - 1) / log2(i + 1);
  nDCG@k = DCG@k / IDCG@k, where IDCG@k is the DCG of the judged ids sorted by
  grade. A query with no relevant id has nDCG 0 (callers usually skip such queries).
- MRR: 1 / rank of the first relevant id within the first ``k`` (0 when none).
- Recall@k: relevant ids in the first ``k`` / all relevant ids.

Duplicate ids in a ranking count once, at their first rank, so a ranker cannot
earn gain twice for the same centre.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from matching._base import check_k

__all__ = ["dcg_at_k", "ndcg_at_k", "reciprocal_rank", "recall_at_k", "mean"]


def _dedup(ranked: Sequence[str], k: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in ranked:
        if item in seen:
            continue
        seen.add(item)
        out.append(item)
        if len(out) == k:
            break
    return out


def _gain(grade: float) -> float:
    return 2.0**grade - 1.0


def dcg_at_k(grades: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of ``grades`` listed in rank order (exponential gain)."""
    k = check_k(k)
    return sum(_gain(g) / math.log2(i + 2) for i, g in enumerate(grades[:k]) if g > 0)


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    """nDCG@k in [0, 1] of the ranked ids against graded judgments ``{id: grade}``."""
    k = check_k(k)
    ideal = dcg_at_k(sorted((g for g in relevant.values() if g > 0), reverse=True), k)
    if ideal == 0.0:
        return 0.0
    got = dcg_at_k([float(relevant.get(i, 0)) for i in _dedup(ranked, k)], k)
    return got / ideal


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, float], k: int | None = None) -> float:
    """1 / rank of the first id with grade > 0 among the first ``k`` (all if None); else 0."""
    if k is not None:
        k = check_k(k)
    for rank, item in enumerate(_dedup(ranked, k or len(ranked) or 1), start=1):
        if relevant.get(item, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    """Share of the ids with grade > 0 that appear among the first ``k``; 0 if none is relevant."""
    k = check_k(k)
    wanted = {i for i, g in relevant.items() if g > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(_dedup(ranked, k))) / len(wanted)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0.0 for an empty sequence."""
    return sum(values) / len(values) if values else 0.0
