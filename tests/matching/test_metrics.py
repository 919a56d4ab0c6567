"""Ranking metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from graph.errors import InvalidInput
from matching.metrics import dcg_at_k, mean, ndcg_at_k, recall_at_k, reciprocal_rank

REL = {"a": 3, "b": 2, "c": 1}


def test_dcg_uses_exponential_gain_and_log2_discount() -> None:
    # (2^3-1)/log2(2) + (2^0-1)/log2(3) + (2^2-1)/log2(4) = 7 + 0 + 1.5
    assert dcg_at_k([3, 0, 2], 10) == pytest.approx(8.5)


def test_ndcg_perfect_ranking_is_one() -> None:
    assert ndcg_at_k(["a", "b", "c", "x"], REL, 10) == pytest.approx(1.0)


def test_ndcg_hand_computed() -> None:
    # ranking x, c, a: DCG = 0 + 1/log2(3) + 7/log2(4) = 0.6309298 + 3.5
    # ideal a, b, c:   IDCG = 7 + 3/log2(3) + 1/2   = 7 + 1.8927893 + 0.5
    dcg = 1 / math.log2(3) + 7 / 2
    idcg = 7 + 3 / math.log2(3) + 0.5
    assert ndcg_at_k(["x", "c", "a"], REL, 10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["x", "c", "a"], REL, 10) == pytest.approx(0.4398, abs=1e-4)


def test_ndcg_cut_at_k_uses_ideal_at_k() -> None:
    # k=1: only rank 1 counts; ideal is grade 3 at rank 1.
    assert ndcg_at_k(["b", "a"], REL, 1) == pytest.approx(3 / 7)


def test_ndcg_counts_duplicates_once() -> None:
    assert ndcg_at_k(["a", "a", "a"], REL, 3) == pytest.approx(7 / (7 + 3 / math.log2(3) + 0.5))


def test_ndcg_without_relevant_items_is_zero() -> None:
    assert ndcg_at_k(["a"], {}, 10) == 0.0
    assert ndcg_at_k(["a"], {"a": 0}, 10) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["x", "y", "c"], REL) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], REL) == 1.0
    assert reciprocal_rank(["x", "y", "c"], REL, k=2) == 0.0
    assert reciprocal_rank([], REL) == 0.0


def test_recall_at_k() -> None:
    assert recall_at_k(["a", "x", "c"], REL, 10) == pytest.approx(2 / 3)
    assert recall_at_k(["a", "x", "c"], REL, 2) == pytest.approx(1 / 3)
    assert recall_at_k(["x"], {}, 10) == 0.0


@pytest.mark.parametrize("k", [0, -1, 1.5, True, 1001])
def test_bad_k_is_refused_like_everywhere_else(k: object) -> None:
    # The same check and error as the matchers (matching._base.check_k), not a bare ValueError.
    for fn in (ndcg_at_k, recall_at_k, reciprocal_rank):
        with pytest.raises(InvalidInput, match=f"k must be an integer from 1 to 1000, got {k!r}"):
            fn(["a"], REL, k)  # type: ignore[arg-type]


def test_mean() -> None:
    assert mean([]) == 0.0
    assert mean([1.0, 0.0, 0.5]) == pytest.approx(0.5)
