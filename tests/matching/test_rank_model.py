"""The learned ranking: fitting, the artefact, and per-factor contributions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graph.errors import InvalidInput, UnreadableInput
from matching.rank_model import DEFAULT_RANK_MODEL, FEATURES, RankModel, fit_rank_model, load_rank_model

N = len(FEATURES)
SPEC = [name for name, _ in FEATURES].index("specialist_reach")
GEO = [name for name, _ in FEATURES].index("geography")


def _need(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """Ten centres whose grade follows the specialist feature only; geography is noise."""
    x = rng.random((10, N)).astype(np.float32)
    grades = np.digitize(x[:, SPEC], [0.4, 0.7, 0.9])
    return x, grades, 1.0


def test_fit_learns_which_feature_the_grades_follow() -> None:
    rng = np.random.default_rng(0)
    model = fit_rank_model([_need(rng) for _ in range(40)])
    assert model.weights[SPEC] == max(model.weights) and model.weights[SPEC] > 5 * model.weights[GEO]
    assert (model.weights >= 0).all() and model.weights.sum() == pytest.approx(1.0)
    x, grades, _ = _need(np.random.default_rng(99))  # a held-out need
    order = np.argsort(-model.score(x))
    assert grades[order[0]] == grades.max()


def test_contributions_add_up_to_the_score() -> None:
    model = RankModel(np.arange(1, N + 1, dtype=float))
    x = np.random.default_rng(1).random((5, N)).astype(np.float32)
    assert model.contributions(x).sum(axis=1) == pytest.approx(model.score(x), abs=1e-5)


def test_no_judged_pairs_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="no judged pairs"):
        fit_rank_model([(np.zeros((3, N)), np.zeros(3), 1.0)])


@pytest.mark.parametrize("weights", [np.full(N, -1.0), np.zeros(N), np.ones(N - 1), np.full(N, np.nan)])
def test_bad_weights_are_refused(weights: np.ndarray) -> None:
    with pytest.raises(InvalidInput, match="non-negative"):
        RankModel(weights)


def test_the_committed_model_loads_and_round_trips(tmp_path) -> None:
    model = load_rank_model()
    assert model.meta["figures"]["dev_cv_ndcg10"] > 0.7
    again = tmp_path / "m.json"
    again.write_text(model.to_json(), encoding="utf-8")
    assert load_rank_model(again).weights == pytest.approx(model.weights)


def test_a_stale_or_foreign_file_names_what_is_wrong(tmp_path) -> None:
    doc = json.loads(DEFAULT_RANK_MODEL.read_text(encoding="utf-8"))
    del doc["features"]["country_named"]
    doc["features"]["moon_phase"] = 0.1
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(UnreadableInput, match="missing \\['country_named'\\].*moon_phase"):
        load_rank_model(stale)
    other = tmp_path / "other.json"
    other.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UnreadableInput, match="not a rank model"):
        load_rank_model(other)
    with pytest.raises(UnreadableInput, match="no rank model"):
        load_rank_model(tmp_path / "absent.json")
