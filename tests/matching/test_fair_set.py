"""The fair evaluation set (``matching/data/queries_fair_{dev,test}.jsonl``) and the sets
written blind after it (the held-out sets ``queries_fair_holdout.jsonl``,
``queries_fair_holdout2.jsonl`` and ``queries_fair_holdout3.jsonl``, the dev sets ``queries_fair_dev2.jsonl`` and ``queries_fair_dev3.jsonl``): their line
format and the properties matching/data/README.md states for them — size, language balance, coverage of all 34
technology areas and 15 service types, paraphrases free of their topics' label words,
centre ids and AGS that exist, no text shared between sets, and (fair set only) a disjoint
stratified split.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "matching" / "data"
SCHEMES = ROOT / "ontologies" / "schemes"
GEMEINDEN = ROOT.parent / "shared" / "data" / "germany" / "de_gemeinden.csv"
FILES = {"dev": DATA / "queries_fair_dev.jsonl", "test": DATA / "queries_fair_test.jsonl"}

@dataclass(frozen=True)
class BlindSet:
    """A set written blind after the fair set, with the figures its README paragraph states."""

    file: str
    prefix: str
    lines: int  # split evenly between German and English
    min_paraphrases_per_lang: int


# Each blind set gets its own expected counts; add a new set here to give it every check below.
BLIND_SETS = {
    "held-out set": BlindSet("queries_fair_holdout.jsonl", "hold", 80, 14),
    "dev2 set": BlindSet("queries_fair_dev2.jsonl", "dev2", 100, 17),
    "dev3 set": BlindSet("queries_fair_dev3.jsonl", "dev3", 100, 25),
    "second held-out set": BlindSet("queries_fair_holdout2.jsonl", "hold2", 80, 14),
    "third held-out set": BlindSet("queries_fair_holdout3.jsonl", "hold3", 80, 14),
}
KEYS = {"id", "lang", "text", "municipality", "sector", "relevant", "relevant_topics", "paraphrase", "note"}
REQUIRED = KEYS - {"municipality", "sector"}


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def halves() -> dict[str, list[dict]]:
    return {name: _read(path) for name, path in FILES.items()}


@pytest.fixture(scope="module")
def lines(halves) -> list[dict]:
    return halves["dev"] + halves["test"]


@pytest.fixture(scope="module")
def blind_sets() -> dict[str, list[dict]]:
    return {name: _read(DATA / spec.file) for name, spec in BLIND_SETS.items()}


@pytest.fixture(params=sorted(BLIND_SETS))
def blind(request, blind_sets) -> tuple[BlindSet, list[dict]]:
    """One blind set at a time: its expected figures and its lines."""
    return BLIND_SETS[request.param], blind_sets[request.param]


@pytest.fixture(scope="module")
def concepts() -> dict[str, tuple[str, list[str]]]:
    """Leaf concepts of both schemes: slug -> (kind, every prefLabel/altLabel in any language)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for kind in ("technology", "service"):
        g = rdflib.Graph().parse(SCHEMES / f"{kind}.ttl")
        for c in set(g.subjects(SKOS.inScheme, None)):
            if (c, SKOS.topConceptOf, None) in g and kind == "technology":
                continue  # the nine groupings above the 34 catalogue terms
            if (c, SKOS.narrower, None) in g:
                continue
            labels = [str(lab) for p in (SKOS.prefLabel, SKOS.altLabel) for lab in g.objects(c, p)]
            out[str(c).rsplit("/", 1)[-1]] = (kind, labels)
    return out


def label_hits(text: str, labels: list[str]) -> list[str]:
    """Labels occurring in ``text`` case-insensitively, also inside compounds; labels of
    up to three characters (AI, KI, VR, S3 ...) only as whole words."""
    low = text.lower()
    hits = []
    for label in labels:
        lab = label.lower()
        if len(lab) <= 3:
            if re.search(rf"(?<![\wäöüß]){re.escape(lab)}(?![\wäöüß])", low):
                hits.append(label)
        elif lab in low:
            hits.append(label)
    return hits


def test_label_hits_catches_compounds_and_spares_short_substrings():
    assert label_hits("Unsere Steuerplatinen sind zu groß", ["Platinen"]) == ["Platinen"]
    assert label_hits("We want AI for forecasts", ["AI"]) == ["AI"]
    assert label_hits("our warehouse is full", ["AR", "AI"]) == []


def _check_format(lines: list[dict], prefix: str, concepts) -> None:
    ids = [r["id"] for r in lines]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for r in lines:
        assert REQUIRED <= set(r) <= KEYS, (r["id"], set(r) ^ REQUIRED)
        assert re.fullmatch(rf"{prefix}-{r['lang']}-\d{{3}}", r["id"]), r["id"]
        assert r["lang"] in ("de", "en")
        assert isinstance(r["paraphrase"], bool) and r["text"].strip() and r["note"].strip()
        assert r["relevant"] and all(g in (1, 2, 3) for g in r["relevant"].values()), r["id"]
        assert r["relevant_topics"] and all(g in (1, 2, 3) for g in r["relevant_topics"].values()), r["id"]
        assert 3 in r["relevant_topics"].values(), f"{r['id']} names no intended topic (grade 3)"
        assert set(r["relevant_topics"]) <= set(concepts), set(r["relevant_topics"]) - set(concepts)
        if "municipality" in r:
            assert re.fullmatch(r"\d{8}", r["municipality"]), r["id"]
        if "sector" in r:
            assert re.fullmatch(r"\d{2}", r["sector"]), r["id"]


def _label_words_in_paraphrases(lines: list[dict], concepts) -> dict:
    return {
        (r["id"], slug): hits
        for r in lines
        if r["paraphrase"]
        for slug in r["relevant_topics"]
        if (hits := label_hits(r["text"], concepts[slug][1]))
    }


def test_every_line_has_the_documented_format(lines, concepts):
    _check_format(lines, "fair", concepts)


def test_counts_match_what_the_readme_states(lines):
    assert len(lines) >= 220
    langs = Counter(r["lang"] for r in lines)
    assert langs["de"] == langs["en"], langs
    assert sum(r["paraphrase"] for r in lines) * 3 >= len(lines)
    located = [r for r in lines if "municipality" in r]
    assert 0.4 <= len(located) / len(lines) <= 0.6, len(located)
    in_st = sum(r["municipality"].startswith("15") for r in located)
    assert 0.25 <= in_st / len(located) <= 0.5, in_st
    assert any("sector" in r for r in lines)


def test_every_topic_is_the_intended_topic_of_enough_needs(lines, concepts):
    intended = Counter(s for r in lines for s, g in r["relevant_topics"].items() if g == 3)
    kinds = Counter(kind for kind, _ in concepts.values())
    assert kinds == {"technology": 34, "service": 15}
    for slug, (kind, _) in concepts.items():
        assert intended[slug] >= (4 if kind == "technology" else 3), (slug, intended[slug])


def test_paraphrased_needs_contain_no_label_word_of_their_topics(lines, concepts):
    bad = _label_words_in_paraphrases(lines, concepts)
    assert not bad, bad


@pytest.fixture(params=["fair set", *sorted(BLIND_SETS)])
def either_set(request) -> list[dict]:
    """The fair set's two halves together, then each blind set."""
    if request.param == "fair set":
        return request.getfixturevalue("lines")
    return request.getfixturevalue("blind_sets")[request.param]


def test_every_centre_id_exists_in_the_default_dataset(either_set, default_store):
    from graph.views import centres

    known = {c.id for c in centres(default_store)}
    unknown = {cid for r in either_set for cid in r["relevant"]} - known
    assert not unknown, unknown


def test_every_municipality_exists(either_set, require_shared):
    require_shared(GEMEINDEN)
    with GEMEINDEN.open(encoding="utf-8") as f:
        ags = {row["ags"] for row in csv.DictReader(f)}
    missing = {r["municipality"] for r in either_set if "municipality" in r} - ags
    assert not missing, missing


def test_split_is_disjoint_and_stratified(halves):
    dev, test = ({r["id"] for r in h} for h in (halves["dev"], halves["test"]))
    assert not dev & test, dev & test
    assert abs(len(dev) - len(test)) <= 1

    def strata(h):
        return Counter((r["lang"], r["paraphrase"], "municipality" in r) for r in h)

    sd, st = strata(halves["dev"]), strata(halves["test"])
    assert sd and st
    for key in sd.keys() | st.keys():
        assert abs(sd[key] - st[key]) <= 1, (key, sd[key], st[key])


def test_each_half_covers_every_topic(halves, concepts):
    for name, half in halves.items():
        intended = {s for r in half for s, g in r["relevant_topics"].items() if g == 3}
        assert set(concepts) <= intended, (name, set(concepts) - intended)


# ---------------------------------------------------------------- the blind sets


def test_blind_set_lines_have_the_documented_format(blind, concepts):
    spec, rows = blind
    _check_format(rows, spec.prefix, concepts)


def test_blind_set_counts_match_what_the_readme_states(blind):
    spec, rows = blind
    assert len(rows) == spec.lines
    langs = Counter(r["lang"] for r in rows)
    assert langs == {"de": spec.lines // 2, "en": spec.lines // 2}, langs
    paraphrases = Counter(r["lang"] for r in rows if r["paraphrase"])
    least = spec.min_paraphrases_per_lang
    assert paraphrases["de"] >= least and paraphrases["en"] >= least, paraphrases
    located = [r for r in rows if "municipality" in r]
    assert 0.4 <= len(located) / len(rows) <= 0.6, len(located)
    assert all("sector" in r for r in located)
    in_st = sum(r["municipality"].startswith("15") for r in located)
    assert 0.35 <= in_st / len(located) <= 0.55, in_st
    assert any("sector" in r for r in rows if "municipality" not in r)


def test_blind_set_makes_every_topic_the_intended_topic_of_a_need(blind, concepts):
    _, rows = blind
    intended = {s for r in rows for s, g in r["relevant_topics"].items() if g == 3}
    assert set(concepts) <= intended, set(concepts) - intended


def test_blind_set_paraphrases_contain_no_label_word_of_their_topics(blind, concepts):
    _, rows = blind
    bad = _label_words_in_paraphrases(rows, concepts)
    assert not bad, bad


def test_blind_set_shares_no_id_or_text_with_the_fair_set_or_another_blind_set(blind, lines, blind_sets):
    spec, rows = blind
    others = list(lines)
    for name, other in blind_sets.items():
        if BLIND_SETS[name] != spec:
            others += other
    ids, texts = {r["id"] for r in rows}, {r["text"].strip().lower() for r in rows}
    assert not ids & {r["id"] for r in others}
    assert not texts & {r["text"].strip().lower() for r in others}
