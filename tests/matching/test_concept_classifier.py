"""The need classifier: training, the artefact, and what the committed one reads."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput, UnreadableInput
from matching.concept_classifier import (
    ConceptClassifier,
    load_concept_classifier,
    train_concept_classifier,
)


def test_trained_classifier_separates_its_concepts_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    centres = np.eye(3, 8, dtype=np.float32)
    x = np.vstack([c + 0.1 * rng.standard_normal((20, 8)) for c in centres]).astype(np.float32)
    y = np.repeat(np.arange(3), 20)
    model = train_concept_classifier(x, y, ["technology:a", "technology:b", "service:c"], "toy")
    p = model.predict_proba(centres)
    assert p.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-5)
    assert list(p.argmax(axis=1)) == [0, 1, 2]
    again = ConceptClassifier.from_bytes(model.to_bytes())
    assert again.predict_proba(centres) == pytest.approx(p, abs=1e-5)
    assert model.to_bytes() == again.to_bytes()  # deterministic bytes


def test_temperature_sharpens_without_changing_the_order() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(3, 8, dtype=np.float32)
    x = np.vstack([c + 0.3 * rng.standard_normal((20, 8)) for c in centres]).astype(np.float32)
    y = np.repeat(np.arange(3), 20)
    keys = ["technology:a", "technology:b", "service:c"]
    flat = train_concept_classifier(x, y, keys, "toy", c=0.1)
    sharp = train_concept_classifier(x, y, keys, "toy", c=0.1, temperature=3.0)
    p, q = flat.predict_proba(x), sharp.predict_proba(x)
    assert (np.argsort(-p, axis=1) == np.argsort(-q, axis=1)).all()
    assert (q.max(axis=1) > p.max(axis=1)).all()  # more sure of the same best concept
    assert ConceptClassifier.from_bytes(sharp.to_bytes()).predict_proba(x) == pytest.approx(q, abs=1e-5)
    assert flat.sharpened(1.0) is flat


def test_build_keeps_the_sharpest_temperature_that_links_precisely() -> None:
    from matching.build_concept_classifier import pick_temperature

    rows = [(1.0, 0.22, 1.0), (2.0, 0.80, 0.97), (3.0, 0.93, 0.90)]
    assert pick_temperature(rows, 0.95) == 2.0
    assert pick_temperature(rows, 0.85) == 3.0
    assert pick_temperature([(2.0, 0.8, 0.7), (1.0, 0.3, 0.8)], 0.95) == 1.0  # none precise enough: the most precise


def test_errors_name_the_problem(tmp_path) -> None:
    with pytest.raises(InvalidInput, match="at least one training text"):
        train_concept_classifier(np.zeros((2, 4)), [0, 0], ["technology:a", "technology:b"], "toy")
    model = ConceptClassifier(("technology:a",), np.zeros((4, 1), np.float32), np.zeros(1, np.float32), "toy")
    with pytest.raises(InvalidInput, match="positive number, got -1"):
        model.sharpened(-1)
    with pytest.raises(InvalidInput, match="wants 4"):
        model.predict_proba(np.zeros((1, 5)))
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(UnreadableInput, match="not a regiomatch concept classifier"):
        load_concept_classifier(bad)


def test_committed_classifier_is_tied_to_its_encoder() -> None:
    model = load_concept_classifier()
    assert model is not None and len(model.keys) == 49
    assert load_concept_classifier(model_id="all-MiniLM-L6-v2@onnx-int8") is None
    assert model.figures["temperature"] > 1  # the generalising C's flat probabilities are sharpened


@pytest.mark.model
def test_committed_classifier_reads_paraphrases_with_the_default_encoder() -> None:
    from matching.encoder import make_encoder

    model = load_concept_classifier()
    needs = {  # no label word of the concept in either
        "Wir wollen wissen, wo unsere Lieferwagen gerade sind": "technology:location-based-applications",
        "move our invoicing to a hosted service and keep it safe from hackers": "technology:cloud-services",
    }
    p = model.predict_proba(make_encoder("use-multilingual").encode(list(needs)))
    for row, key in zip(p, needs.values(), strict=True):
        assert key in [model.keys[j] for j in np.argsort(-row)[:3]]
