"""Every technology area and service type carries example needs in everyday words (skos:example).

Topic linking trains on these, so they must be plentiful, mostly free of the concept's own
label words (a classifier that only learns labels adds nothing to label matching), and
unambiguous: no text may stand for two concepts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from graph import iris

SCHEMES = Path(__file__).resolve().parents[2] / "ontologies" / "schemes"
LEAF_COUNTS = {"technology": 34, "service": 15}
MIN_PER_LANGUAGE = {"de": 24, "en": 18}  # German needs link worse, so German has more
MIN_FREE_SHARE = 2 / 3


def _leaves(name: str) -> tuple[Graph, list[URIRef]]:
    g = Graph().parse(SCHEMES / f"{name}.ttl", format="turtle")
    concepts = {c for c in g.subjects(SKOS.inScheme, iris.scheme(name)) if (c, RDF.type, SKOS.Concept) in g}
    leaves = sorted(c for c in concepts if (None, SKOS.broader, c) not in g)
    assert len(leaves) == LEAF_COUNTS[name]
    return g, leaves


def _examples(g: Graph, c: URIRef) -> dict[str | None, list[str]]:
    by_lang: dict[str | None, list[str]] = defaultdict(list)
    for e in g.objects(c, SKOS.example):
        by_lang[e.language].append(str(e))
    return by_lang


def _forms(label: str) -> set[str]:
    """The label and its stem without a plural/inflection ending (cobots -> cobot, Sensoren -> Sensor)."""
    forms = {label}
    for suffix in ("s", "en", "e", "n"):
        if label.endswith(suffix) and len(label) - len(suffix) >= 4:
            forms.add(label[: -len(suffix)])
    return forms


def label_hits(text: str, labels: list[str]) -> list[str]:
    """Labels found in ``text``, as in tests/matching/test_fair_set.py (case-insensitive, also
    inside compounds, labels of up to three characters only as whole words), and stricter:
    hyphens count as spaces and a label also counts in its singular/uninflected form."""
    low = text.lower().replace("-", " ")
    hits = []
    for label in labels:
        lab = label.lower().replace("-", " ")
        if len(lab) <= 3:
            if re.search(rf"(?<![\wäöüß]){re.escape(lab)}(?![\wäöüß])", low):
                hits.append(label)
        elif any(form in low for form in _forms(lab)):
            hits.append(label)
    return hits


def test_label_hits_catches_compounds_hyphens_and_singulars():
    assert label_hits("Unsere Steuerplatinen sind zu groß", ["Platinen"]) == ["Platinen"]
    assert label_hits("Lohnt sich ein Big-Data-Projekt?", ["Big data"]) == ["Big data"]
    assert label_hits("Is a cobot worth it?", ["cobots"]) == ["cobots"]
    assert label_hits("Welcher Sensor passt?", ["Sensoren"]) == ["Sensoren"]
    assert label_hits("We want AI for forecasts", ["AI"]) == ["AI"]
    assert label_hits("our warehouse is full", ["AR", "AI"]) == []
    assert label_hits("Wir backen Brot", ["Daten"]) == []


@pytest.mark.parametrize("name", list(LEAF_COUNTS))
def test_every_concept_has_enough_examples_in_german_and_english(name: str) -> None:
    g, leaves = _leaves(name)
    for c in leaves:
        by_lang = _examples(g, c)
        assert set(by_lang) == {"de", "en"}, f"{c}: skos:example must be tagged @de or @en, has {sorted(map(str, by_lang))}"
        for lang, texts in by_lang.items():
            need = MIN_PER_LANGUAGE[lang]
            assert len(texts) >= need, f"{c} has {len(texts)} @{lang} examples, needs {need}"
            for t in texts:
                assert t == t.strip() and t[-1] in ".?!", f"{c} @{lang}: not a finished sentence: {t!r}"
                assert len(t.split()) >= 6, f"{c} @{lang}: too short to be a need: {t!r}"
                assert len(re.findall(r"[.?!](?:\s|$)", t)) <= 2, f"{c} @{lang}: one or two sentences: {t!r}"


@pytest.mark.parametrize("name", list(LEAF_COUNTS))
def test_most_examples_avoid_their_concepts_label_words(name: str) -> None:
    g, leaves = _leaves(name)
    for c in leaves:
        labels = [str(lab) for p in (SKOS.prefLabel, SKOS.altLabel) for lab in g.objects(c, p)]
        for lang, texts in _examples(g, c).items():
            free = [t for t in texts if not label_hits(t, labels)]
            assert len(free) >= MIN_FREE_SHARE * len(texts), (
                f"{c} @{lang}: only {len(free)} of {len(texts)} examples avoid the concept's labels; "
                f"at least two thirds must describe the need without them"
            )


def test_no_example_stands_for_two_concepts() -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for name in LEAF_COUNTS:
        g, leaves = _leaves(name)
        for c in leaves:
            for texts in _examples(g, c).values():
                for t in texts:
                    owners[" ".join(t.casefold().split())].append(iris.key_of(str(c)))
    repeated = {t: keys for t, keys in owners.items() if len(keys) > 1}
    assert not repeated, f"examples used more than once: {repeated}"


_GERMAN = set(
    "ein eine einer einen einem wir uns und die der das den dem unsere unser unseren unserer für ist mit von zu "
    "auf im sich soll sollen möchte möchten wollen will wer wie was welche welcher welches gibt es ob bei aus "
    "nach kann können".split()
)
_ENGLISH = set(
    "a an the to of on we us our is are can with for and how which who what do does wants want should from "
    "at by its their there need needs".split()
)


def test_german_examples_are_german_and_english_ones_english() -> None:
    """Cheap guard against swapped language tags: more function words of the tagged language than of the other."""
    wrong = []
    for name in LEAF_COUNTS:
        g, leaves = _leaves(name)
        for c in leaves:
            for lang, texts in _examples(g, c).items():
                own, other = (_GERMAN, _ENGLISH) if lang == "de" else (_ENGLISH, _GERMAN)
                for t in texts:
                    words = re.findall(r"[a-zäöüß]+", t.lower())
                    if sum(w in own for w in words) <= sum(w in other for w in words):
                        wrong.append(f"{iris.key_of(str(c))} @{lang}: {t}")
    assert not wrong, f"examples that look like the wrong language: {wrong}"
