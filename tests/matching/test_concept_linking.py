"""Concept linking: needs against concept definitions, with a calibrated confidence."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput, NotFitted
from graph.records import Concept
from matching import Catalogue, HashingEncoder
from matching.concept_linking import CALIBRATION, ConceptLinker, definition_units, fit_calibration

T = "https://w3id.org/regiomatch/concept/technology/"


def _concept(key: str, en: str, de: str = "") -> Concept:
    return Concept(iri=T + key, scheme="technology", key=key, label_en=key, label_de=key, definition=en, definition_de=de)


LBA = _concept(
    "location-based-applications",
    "Applications that use where something is. SMEs use them to follow company vehicles on a map, "
    "show customers the nearest branch or a free parking space, or plan routes.",
    "Anwendungen, die nutzen, wo sich etwas befindet. KMU nutzen sie, um Firmenfahrzeuge auf der Karte "
    "zu verfolgen oder Routen zu planen.",
)
HCI = _concept(
    "human-computer-interaction",
    "How easy software is to use. SMEs need it when visitors abandon a web form before the end, "
    "or when staff struggle with a confusing screen.",
)
EMPTY = _concept("empty", "")


def test_units_are_sentences_and_each_listed_use() -> None:
    units = definition_units(LBA)
    assert "follow company vehicles on a map" in units
    assert "show customers the nearest branch" in units and "plan routes" not in units  # 2 words: too short
    assert "Firmenfahrzeuge auf der Karte zu verfolgen" in units
    assert units[0] == "Applications that use where something is."
    assert len(units) == len(set(units))
    assert definition_units(EMPTY) == []


@pytest.fixture(scope="module")
def linker() -> ConceptLinker:
    return ConceptLinker(encoder=HashingEncoder()).fit(Catalogue(centres=()), concepts=(LBA, HCI, EMPTY))


def test_link_names_the_concept_and_the_phrase_that_matched(linker: ConceptLinker) -> None:
    links, confidence = linker.link("we want to follow our company vehicles on a map", k=2)
    assert links[0].key == "location-based-applications"
    assert links[0].unit == "follow company vehicles on a map"
    assert 0.0 <= links[1].similarity <= links[0].similarity <= 1.0
    assert 0.0 <= confidence <= 1.0


def test_concept_without_definition_scores_zero(linker: ConceptLinker) -> None:
    sim = linker.similarity(linker.encoder_.encode(["anything at all"]))
    assert sim.shape == (1, 3) and sim[0, 2] == 0.0


def test_confidence_grows_with_a_clear_winner(linker: ConceptLinker) -> None:
    clear = np.array([[0.8, 0.2, 0.1]])
    tie = np.array([[0.45, 0.44, 0.43]])
    assert linker.confidence(clear)[0] > 0.9 > linker.confidence(tie)[0]


def test_fit_calibration_separates_right_from_wrong() -> None:
    rng = np.random.default_rng(0)
    right = rng.uniform(0.5, 0.8, size=(40, 1))
    wrong = rng.uniform(0.2, 0.45, size=(40, 1))
    sims = np.hstack([np.vstack([right, wrong]), rng.uniform(0.0, 0.2, size=(80, 4))])
    correct = np.r_[np.ones(40), np.zeros(40)]
    params = fit_calibration(sims, correct)
    assert len(params) == len(CALIBRATION)
    lk = ConceptLinker(calibration=params)
    p = lk.confidence(sims)
    assert p[:40].mean() > 0.8 and p[40:].mean() < 0.2


def test_fit_calibration_refuses_one_class_only() -> None:
    with pytest.raises(InvalidInput, match="both right and wrong"):
        fit_calibration(np.ones((20, 3)), np.ones(20))


def test_bad_calibration_and_unfitted_are_named() -> None:
    with pytest.raises(InvalidInput, match="4 numbers"):
        ConceptLinker(encoder=HashingEncoder(), calibration=(1.0, 2.0)).fit(Catalogue(centres=()), concepts=(LBA,))
    with pytest.raises(NotFitted):
        ConceptLinker(encoder=HashingEncoder()).link("x")
