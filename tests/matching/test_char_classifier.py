"""The character n-gram need classifier (``matching.char_classifier``): the same n-grams and
probabilities as scikit-learn, a reproducible file, clear errors, and its share in the topic
suggester's need probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput, UnreadableInput
from matching.char_classifier import (
    CharNgramClassifier,
    char_ngrams,
    load_char_classifier,
    train_char_classifier,
)

TEXTS = [
    "Lagerverwaltung und Bestand im Lager", "Lagerbestand zählen", "stock in the warehouse", "warehouse stock",
    "Touren für die Lieferwagen planen", "Routenplanung der Fahrer", "plan delivery routes", "route the drivers",
    "Verschlüsselungstrojaner auf dem Server", "Schutz vor Hackern", "ransomware attack", "protect against hackers",
]
LABELS = [0] * 4 + [1] * 4 + [2] * 4
KEYS = ("technology:warehouse", "technology:routes", "technology:security")
ODD = ["Wir  planen\tTouren  ", "a", "I", "Ärger mit Dateien! verschlüsselt?", "x y z", "", "  "]


@pytest.fixture(scope="module")
def toy() -> CharNgramClassifier:
    return train_char_classifier(TEXTS, LABELS, KEYS, min_df=1)


def test_ngrams_are_scikit_learns(toy) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    for text in ODD + TEXTS:
        assert char_ngrams(text) == analyse(text), text


def test_probabilities_are_scikit_learns(toy) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)
    lr = LogisticRegression(C=10.0, max_iter=5000).fit(vec.fit_transform(TEXTS), LABELS)
    probe = ["Touren planen", "das Lager zählen", "hackers and ransomware", *ODD]
    ours = toy.predict_proba(probe)
    assert ours.shape == (len(probe), 3) and np.allclose(ours.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(ours - lr.predict_proba(vec.transform(probe))).max() < 1e-3  # float16 weights
    assert ours[0].argmax() == 1 and ours[1].argmax() == 0 and ours[2].argmax() == 2


def test_the_file_is_reproducible_and_reads_back(toy, tmp_path) -> None:
    data = toy.to_bytes()
    assert data == train_char_classifier(TEXTS, LABELS, KEYS, min_df=1).to_bytes()
    back = CharNgramClassifier.from_bytes(data)
    assert back.keys == KEYS and back.vocab == toy.vocab
    assert np.array_equal(back.predict_proba(TEXTS), toy.predict_proba(TEXTS))
    path = tmp_path / "c.bin.gz"
    path.write_bytes(data)
    assert load_char_classifier(path).vocab == toy.vocab


def test_bad_files_and_shapes_are_named(tmp_path) -> None:
    with pytest.raises(UnreadableInput, match="not a regiomatch char classifier.*build_concept_classifier"):
        CharNgramClassifier.from_bytes(b"not gzip at all")
    with pytest.raises(UnreadableInput, match="no such char classifier file"):
        load_char_classifier(tmp_path / "missing.bin.gz")
    with pytest.raises(InvalidInput, match="char classifier shapes disagree"):
        CharNgramClassifier(KEYS, ("abc",), np.ones(1, np.float32), np.ones((2, 3), np.float16), np.zeros(3, np.float32))
    with pytest.raises(InvalidInput, match="every concept needs at least one training text"):
        train_char_classifier(TEXTS[:4], LABELS[:4], KEYS)


def test_the_committed_classifier_matches_the_need_classifier_and_is_mixed_in() -> None:
    from matching.concept_classifier import load_concept_classifier
    from matching.topics import CHAR_WEIGHT

    char, vectors = load_char_classifier(), load_concept_classifier()
    assert char is not None and vectors is not None and char.keys == vectors.keys
    p = char.predict_proba(["Wir planen die Touren unserer Lkw-Fahrer noch auf Papier"])[0]
    assert "technology:logistics" in {char.keys[j] for j in np.argsort(-p)[:3]}
    assert 0 < CHAR_WEIGHT < 1
