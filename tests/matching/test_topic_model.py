"""The topic model learned from the hub catalogue: training, the committed artefact, loading."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput, UnreadableInput
from graph.records import Concept
from matching.topic_model import (
    DEFAULT_TOPIC_MODEL,
    STACK_FEATURES,
    TopicModel,
    fit_stacker,
    fit_topic_model,
    load_topic_model,
    mean_ndcg,
    stack_features,
    train_topic_model,
)

T = "https://w3id.org/regiomatch/concept/technology/"


def _toy(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hubs whose first vector dimension says 'robotics' and second 'cloud'."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(80, 6)).astype(np.float32)
    y = np.column_stack([x[:, 0] > 0.3, x[:, 1] > 0.0, np.ones(80, dtype=bool)])
    return x, y


def test_learns_which_direction_means_which_topic() -> None:
    x, y = _toy()
    model = train_topic_model(x, y, ["robotics", "cloud-services", "everyone"], "toy@onnx-int8")
    p = model.predict_proba(np.array([[3.0, -3, 0, 0, 0, 0], [-3.0, 3, 0, 0, 0, 0]], dtype=np.float32))
    assert p[0, 0] > 0.9 > 0.1 > p[1, 0] and p[1, 1] > 0.9 > 0.1 > p[0, 1]
    assert (p[:, 2] > 0.9).all()  # offered by every hub: a constant, near-certain model


def test_artefact_bytes_are_reproducible_and_round_trip() -> None:
    x, y = _toy()
    keys = ["robotics", "cloud-services", "everyone"]
    a = train_topic_model(x, y, keys, "toy").to_bytes()
    b = train_topic_model(x, y, keys, "toy").to_bytes()
    assert a == b
    back = TopicModel.from_bytes(a)
    assert back.keys == tuple(keys)
    np.testing.assert_allclose(back.predict_proba(x), TopicModel.from_bytes(b).predict_proba(x))


def test_columns_follow_the_concepts_and_unknown_ones_are_near_zero() -> None:
    x, y = _toy()
    model = train_topic_model(x, y, ["robotics", "cloud-services", "everyone"], "toy")
    concepts = [Concept(iri=T + k, scheme="technology", key=k, label_en=k, label_de=k) for k in ("cloud-services", "new")]
    aligned = model.for_concepts(concepts)
    p = aligned.predict_proba(x)
    np.testing.assert_allclose(p[:, 0], model.predict_proba(x)[:, 1], rtol=1e-5)
    assert (p[:, 1] < 1e-6).all()


def test_bad_inputs_are_named(tmp_path) -> None:
    x, y = _toy()
    with pytest.raises(InvalidInput, match="disagree"):
        train_topic_model(x, y, ["only-one"], "toy")
    model = train_topic_model(x, y, ["a", "b", "c"], "toy")
    with pytest.raises(InvalidInput, match="6"):
        model.predict_proba(np.zeros((1, 5)))
    bad = tmp_path / "m.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(UnreadableInput, match="build_topic_model"):
        load_topic_model(bad)
    with pytest.raises(UnreadableInput, match="no such"):
        load_topic_model(tmp_path / "missing.json.gz")


def test_model_of_another_encoder_is_not_used(tmp_path) -> None:
    x, y = _toy()
    path = tmp_path / "m.json.gz"
    path.write_bytes(train_topic_model(x, y, ["a", "b", "c"], "all-MiniLM-L6-v2@onnx-int8").to_bytes())
    assert load_topic_model(path, model_id="all-MiniLM-L6-v2@onnx") is not None  # same vectors, other runtime
    assert load_topic_model(path, model_id="hashing-char3-5-384") is None


def test_committed_model_covers_the_technology_scheme_and_beat_the_baseline() -> None:
    from rdflib.namespace import RDF, SKOS

    from graph import iris
    from graph.validate import load_schemes  # the scheme as data, no store needed

    model = load_topic_model(DEFAULT_TOPIC_MODEL)
    assert model is not None and model.dim == 384 and "all-MiniLM-L6-v2@" in model.model_id
    g = load_schemes()
    scheme = iris.scheme("technology")
    concepts = {c for c in g.subjects(SKOS.inScheme, scheme) if (c, RDF.type, SKOS.Concept) in g}
    leaves = {iris.key_of(str(c)) for c in concepts if (None, SKOS.broader, c) not in g}
    assert set(model.keys) == leaves and len(leaves) == 34
    cv = model.figures["cv"]
    assert model.figures["hubs"] >= 200 and model.figures["folds"] >= 5
    assert cv["text + stacked (w 0.5, default)"]["ndcg@5"] > cv["most frequent (baseline)"]["ndcg@5"]
    assert model.stacked and model.prior is not None and len(model.stack) == len(STACK_FEATURES) + 1
    assert model.figures["C"] in model.figures["C_grid"]
    assert len(model.calibration) == 4


def test_linker_default_calibration_is_the_one_the_build_fitted() -> None:
    from matching.concept_linking import CALIBRATION

    model = load_topic_model(DEFAULT_TOPIC_MODEL)
    assert model is not None and tuple(model.calibration) == CALIBRATION


def _hubs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Toy hubs: vectors whose first two dimensions say robotics / cloud, the label words
    of a third area in some texts (signals), levels 0-5 per area."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype(np.float32)
    named = rng.random(n) < 0.5  # the text names the third area
    grades = np.column_stack([
        np.where(x[:, 0] > 0.3, 5, 0), np.where(x[:, 1] > 0.0, 4, 0),
        np.where(named, 5, np.where(rng.random(n) < 0.2, 2, 0)), np.full(n, 1),
    ])
    signals = np.zeros((n, 4, 4), dtype=np.float32)
    signals[:, 2, 0] = named
    signals[:, 2, 1] = np.log1p(2 * named)
    return x, signals, grades


def test_stacked_model_ranks_held_out_hubs_by_their_evidence() -> None:
    x, signals, grades = _hubs(160, seed=0)
    keys = ["robotics", "cloud-services", "photonics", "everyone"]
    model = fit_topic_model(x, signals, grades, keys, "toy", c_grid=(0.5, 2.0), folds=4)
    hx, hsignals, hgrades = _hubs(60, seed=1)  # hubs it never saw
    p = model.stacked_proba(hsignals, hx)
    assert p.shape == (60, 4) and ((0 <= p) & (p <= 1)).all()
    named = hsignals[:, 2, 0] > 0
    assert p[named, 2].min() > p[~named, 2].max()  # the label match decides the third area
    prior_only = np.tile(model.prior, (60, 1))
    assert mean_ndcg(p, hgrades) > mean_ndcg(prior_only, hgrades) + 0.05
    assert model.figures["C"] in (0.5, 2.0)


def test_stacked_build_is_deterministic_and_round_trips() -> None:
    x, signals, grades = _hubs(80, seed=2)
    keys = ["a", "b", "c", "d"]
    a = fit_topic_model(x, signals, grades, keys, "toy", folds=3).to_bytes()
    b = fit_topic_model(x, signals, grades, keys, "toy", folds=3).to_bytes()
    assert a == b
    back = TopicModel.from_bytes(a)
    assert back.stacked and back.prior is not None
    np.testing.assert_allclose(back.stacked_proba(signals, x), TopicModel.from_bytes(b).stacked_proba(signals, x))


def test_stacked_model_aligned_to_concepts_gives_unknown_ones_zero() -> None:
    x, signals, grades = _hubs(80, seed=3)
    model = fit_topic_model(x, signals, grades, ["robotics", "cloud-services", "c", "d"], "toy", folds=3)
    concepts = [Concept(iri=T + k, scheme="technology", key=k, label_en=k, label_de=k) for k in ("cloud-services", "new")]
    aligned = model.for_concepts(concepts)
    s = np.ones((len(x), 2, 4), dtype=np.float32)  # the new concept's label everywhere: still not suggested
    p = aligned.stacked_proba(s, x)
    assert (p[:, 1] == 0).all() and (p[:, 0] > 0).all()


def test_stack_shape_and_format_errors_are_named(tmp_path) -> None:
    x, signals, grades = _hubs(40, seed=4)
    keys = ["a", "b", "c", "d"]
    with pytest.raises(InvalidInput, match="disagree"):
        fit_topic_model(x, signals[:, :3], grades, keys, "toy")
    with pytest.raises(InvalidInput, match="folds"):
        fit_topic_model(x, signals, grades, keys, "toy", folds=1)
    with pytest.raises(InvalidInput, match="c_grid"):
        fit_topic_model(x, signals, grades, keys, "toy", c_grid=(0.0,))
    with pytest.raises(InvalidInput, match="disagree"):
        stack_features(np.full(4, 0.5), signals[:, :, :3], np.full((40, 4), 0.5))
    with pytest.raises(InvalidInput, match="disagree"):
        fit_stacker(np.zeros((40, 4, 3)), grades > 0)
    first = train_topic_model(x, grades > 0, keys, "toy")
    with pytest.raises(InvalidInput, match="no second stage"):
        first.stacked_proba(signals, x)
    with pytest.raises(InvalidInput, match="expected 7"):
        TopicModel(first.keys, first.coef, first.intercept, "toy", prior=np.full(4, 0.5), stack=(1.0, 2.0))
    with pytest.raises(InvalidInput, match="prior has shape"):
        TopicModel(first.keys, first.coef, first.intercept, "toy", prior=np.full(3, 0.5), stack=(0.0,) * 7)
    model = fit_topic_model(x, signals, grades, keys, "toy", folds=3)
    with pytest.raises(InvalidInput, match="signals cover 3 topics"):
        model.stacked_proba(signals[:, :3], x)
    bad = tmp_path / "m.json.gz"
    bad.write_bytes(_with_stack_features(model, ["prior_logit"]))
    with pytest.raises(UnreadableInput, match="stack features"):
        load_topic_model(bad)


def _with_stack_features(model: TopicModel, features: list[str]) -> bytes:
    import gzip
    import json

    doc = json.loads(gzip.decompress(model.to_bytes()))
    doc["stack"]["features"] = features
    return gzip.compress(json.dumps(doc).encode())
