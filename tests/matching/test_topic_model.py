"""The topic model learned from the hub catalogue: training, the committed artefact, loading."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput, UnreadableInput
from graph.records import Concept
from matching.topic_model import DEFAULT_TOPIC_MODEL, TopicModel, load_topic_model, train_topic_model

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
    assert cv["text + model (weight 0.3)"]["ndcg@5"] > cv["most frequent (baseline)"]["ndcg@5"]
    assert len(model.calibration) == 4


def test_linker_default_calibration_is_the_one_the_build_fitted() -> None:
    from matching.concept_linking import CALIBRATION

    model = load_topic_model(DEFAULT_TOPIC_MODEL)
    assert model is not None and tuple(model.calibration) == CALIBRATION
