"""The learned ranking's features for one need (``matching.rank_model`` lists them and holds
the weights): per-centre facts kept at ``fit`` (:class:`RankFeatures`), the levels the
ranking reads (:func:`levels_for_ranking`: tags, or for untagged centres what their
description reads like), the need's concept scores (:func:`concept_scores`) and whether
its concepts are known rather than guessed (:func:`need_is_sure`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from matching._lru import LRU
from matching.rank_model import FEATURE_NAMES, FEATURES
from matching.topics import CLASSIFIER_SURE

if TYPE_CHECKING:
    from graph.records import Centre
    from matching._geo import Place
    from matching._resolve import Prepared
    from matching.concept_classifier import ConceptClassifier
    from matching.topics import TopicSuggester

__all__ = ["COUNTRY_WORDS", "RankFeatures", "concept_scores", "levels_for_ranking", "need_is_sure"]

_COL = {name: j for j, name in enumerate(FEATURE_NAMES)}  # column of each feature
MAIN_CONCEPTS = 3  # how many of the need's best concepts count as its main ones
MIN_MAIN_SCORE = 0.1  # below this score a concept is noise, not one of the need's main concepts
FAR_SCALE_KM = 150.0
LOCAL, NEIGHBOUR = 0.85, 0.7  # geography factor from which a centre is local / in a neighbouring district
_WIDE = ("national", "international")

COUNTRY_WORDS: dict[str, tuple[str, ...]] = {
    "Austria": ("austria", "austrian", "österreich", "österreichisch"),
    "Belgium": ("belgium", "belgian", "belgien", "belgisch"),
    "Bulgaria": ("bulgaria", "bulgarian", "bulgarien", "bulgarisch"),
    "Croatia": ("croatia", "croatian", "kroatien", "kroatisch"),
    "Cyprus": ("cyprus", "cypriot", "zypern", "zyprisch"),
    "Czechia": ("czechia", "czech", "tschechien", "tschechisch"),
    "Denmark": ("denmark", "danish", "dänemark", "dänisch"),
    "Estonia": ("estonia", "estonian", "estland", "estnisch"),
    "Finland": ("finland", "finnish", "finnland", "finnisch"),
    "France": ("france", "french", "frankreich", "französisch"),
    "Germany": ("germany", "german", "deutschland", "deutsch"),
    "Greece": ("greece", "greek", "griechenland", "griechisch"),
    "Hungary": ("hungary", "hungarian", "ungarn", "ungarisch"),
    "Ireland": ("ireland", "irish", "irland", "irisch"),
    "Italy": ("italy", "italian", "italien", "italienisch"),
    "Latvia": ("latvia", "latvian", "lettland", "lettisch"),
    "Lithuania": ("lithuania", "lithuanian", "litauen", "litauisch"),
    "Luxembourg": ("luxembourg", "luxembourgish", "luxemburg", "luxemburgisch"),
    "Malta": ("malta", "maltese", "maltesisch"),
    "Netherlands": ("netherlands", "dutch", "holland", "niederlande", "niederländisch", "rotterdam", "amsterdam"),
    "Norway": ("norway", "norwegian", "norwegen", "norwegisch"),
    "Poland": ("poland", "polish", "polen", "polnisch"),
    "Portugal": ("portugal", "portuguese", "portugiesisch"),
    "Romania": ("romania", "romanian", "rumänien", "rumänisch"),
    "Slovakia": ("slovakia", "slovak", "slowakei", "slowakisch"),
    "Slovenia": ("slovenia", "slovenian", "slowenien", "slowenisch"),
    "Spain": ("spain", "spanish", "spanien", "spanisch"),
    "Sweden": ("sweden", "swedish", "schweden", "schwedisch"),
    "Ukraine": ("ukraine", "ukrainian", "ukrainisch"),
}


class RankFeatures:
    """Per-centre facts the features need, built once at ``fit`` from the catalogue."""

    def __init__(self, centres: Sequence[Centre], levels: np.ndarray) -> None:
        """``levels`` ``(n_centres, n_concepts)`` in 0-5: technology then service concepts."""
        self.levels = np.rint(np.asarray(levels, dtype=np.float32)).astype(np.int8)
        self.specialist = (self.levels >= 4).astype(np.float32)
        self.level3 = (self.levels == 3).astype(np.float32)
        self.level12 = ((self.levels >= 1) & (self.levels <= 2)).astype(np.float32)
        self.wide = np.array([c.scope in _WIDE for c in centres], dtype=bool)
        self.state = np.array([c.state_ags or "" for c in centres])
        # a regional Mittelstand-Digital centre: its mandate is every SME of its region, whatever the topic
        self.general = np.array(
            [c.centre_type == "mittelstand-digital" and c.scope == "regional" for c in centres], dtype=np.float32
        )
        self.untagged = np.array([not c.topics for c in centres], dtype=np.float32)
        self.country = [c.country or "" for c in centres]
        self._country_words = words = {w: country for country, ws in COUNTRY_WORDS.items() for w in ws}
        self._word = re.compile(r"\w+")
        # every word naming a country starts with the head of a country word (its first ``_head`` letters)
        self._head = min(len(w) for w in words)
        self._heads = {w[: self._head] for w in words}
        # each centre's country as a number, so a need naming countries is one ``isin`` (-1: none)
        codes = {name: k for k, name in enumerate(dict.fromkeys(self.country))}
        self._country_code = {name: k for name, k in codes.items() if name}
        self._country_of = np.array([codes[c] if c else -1 for c in self.country], dtype=np.int32)
        self._regional: dict[str, tuple[np.ndarray, ...]] = {}  # per asker's state: see _regional_columns
        self._near_far: LRU[np.ndarray] = LRU(256)  # per recent place: the near_far column

    def countries_named(self, text: str) -> np.ndarray:
        """``(n_centres,)`` 1.0 for centres in a country the text names (adjective endings allowed)."""
        named = set()
        for w in self._word.findall(text.lower()):
            if w[: self._head] not in self._heads:
                continue
            hit = self._country_words.get(w) or self._country_words.get(w.rstrip("nmrse"))
            if hit is None and len(w) > 4:
                hit = self._country_words.get(w[:-1]) or self._country_words.get(w[:-2])
            if hit:
                named.add(hit)
        codes = [self._country_code[c] for c in named if c in self._country_code]
        if not codes:
            return np.zeros(self._country_of.shape[0], dtype=np.float32)
        return np.isin(self._country_of, codes).astype(np.float32)

    def main_concepts(self, scores: np.ndarray) -> np.ndarray:
        """``(n_concepts,)`` weights summing to 1 over the need's ``MAIN_CONCEPTS`` best scoring at least
        ``MIN_MAIN_SCORE`` (all 0: none)."""
        w = np.zeros_like(scores, dtype=np.float32)
        if not (scores >= MIN_MAIN_SCORE).any():
            return w
        top = np.argsort(-scores, kind="stable")[:MAIN_CONCEPTS]
        top = top[scores[top] >= MIN_MAIN_SCORE]
        w[top] = scores[top]
        return w / w.sum()

    def reach(self, place: Place | None) -> np.ndarray:
        """``(n_centres,)`` 1.0 where a centre can serve an asker at ``place``: national or
        international scope or the asker's state (everyone without a place). Counting centres
        within 150 km as well lowered both the dev half and the default set (0.782 -> 0.761,
        0.680 -> 0.657 nDCG@10), so distance enters only through the geography factor."""
        if place is None:
            return np.ones(self.wide.shape[0], dtype=np.float32)
        return self._regional_columns(place.state_ags)[0]

    def _regional_columns(self, state_ags: str) -> tuple[np.ndarray, ...]:
        """``reach``, ``1 - reach``, ``home_general`` and ``general_reach`` for an asker in ``state_ags``:
        they depend on the state alone, so each state's are worked out once (read-only)."""
        hit = self._regional.get(state_ags)
        if hit is None:
            same_state = (self.state == state_ags)
            reach = (self.wide | same_state).astype(np.float32)
            hit = (reach, 1.0 - reach, self.general * same_state.astype(np.float32), self.general * reach)
            for a in hit:
                a.flags.writeable = False
            if len(self._regional) < 1024:
                self._regional[state_ags] = hit
        return hit

    def _near_far_column(self, place: Place, km: np.ndarray, far: np.ndarray) -> np.ndarray:
        """``exp(-km / FAR_SCALE_KM)`` out of reach, for ``km`` from ``place``; kept per recent place (read-only)."""
        hit = self._near_far.get(place)
        if hit is None:
            hit = np.exp(-np.nan_to_num(km, nan=np.inf) / FAR_SCALE_KM).astype(np.float32) * far
            hit.flags.writeable = False
            self._near_far.put(place, hit)
        return hit

    def matrix(
        self, factors: np.ndarray, km: np.ndarray, main: np.ndarray, place: Place | None, need: str = ""
    ) -> np.ndarray:
        """``(n_centres, len(FEATURES))`` from the factor matrix ``(n, len(FACTORS))``, distances,
        and the need's main concepts (:meth:`main_concepts` of its concept scores)."""
        spec, l3, l12 = self.specialist @ main, self.level3 @ main, self.level12 @ main
        n = factors.shape[0]
        x, c = np.zeros((n, len(FEATURES)), dtype=np.float32), _COL  # filled column by column
        if place is None:
            reach = np.ones(n, dtype=np.float32)
            far = 1.0 - reach
        else:
            reach, far, x[:, c["home_general"]], x[:, c["general_reach"]] = self._regional_columns(place.state_ags)
            x[:, c["near_far"]] = self._near_far_column(place, km, far)
        text = factors[:, 0]
        x[:, c["text"]], x[:, c["text_untagged"]] = text, text * self.untagged
        spread = float(text.max() - text.min()) if text.size else 0.0
        if spread > 1e-6:
            x[:, c["text_relative"]] = (text - text.min()) / spread
        x[:, c["topic"]] = factors[:, 1]
        x[:, c["specialist_reach"]], x[:, c["level3_reach"]] = spec * reach, l3 * reach
        x[:, c["level12_reach"]] = l12 * reach
        x[:, c["specialist_far"]], x[:, c["level3_far"]] = spec * far, l3 * far
        x[:, c["service"]] = factors[:, 2]
        x[:, c["sector"]], x[:, c["sector_reach"]] = factors[:, 3], factors[:, 3] * reach
        x[:, c["geography"]] = geo = factors[:, 4]
        x[:, c["local"]] = geo >= LOCAL
        x[:, c["neighbour"]] = (geo >= NEIGHBOUR) & (geo < LOCAL)
        if need:
            x[:, c["country_named"]] = self.countries_named(need)
        return x


def levels_for_ranking(
    centres: Sequence[Centre], levels: np.ndarray, classifier: ConceptClassifier | None,
    columns: np.ndarray | None, profile_vectors: np.ndarray,
) -> np.ndarray:
    """``levels`` ``(n_centres, n_concepts)`` (0-5, tagged), with the rows of centres without any
    tags replaced by what their description reads like: the need classifier on their profile
    vector gives level 4 to concepts at least half as likely as its best, 3 to those at least a
    quarter as likely (at most 3 concepts). ``columns`` maps each concept to the classifier's."""
    untagged = np.array([not c.topics and not c.services for c in centres], dtype=bool)
    if classifier is None or columns is None or not untagged.any():
        return levels
    levels = levels.copy()
    proba = classifier.predict_proba(profile_vectors[untagged])
    proba /= proba.max(axis=1, keepdims=True)
    read = np.where(columns >= 0, proba[:, np.maximum(columns, 0)], 0.0)
    inferred = np.zeros_like(read)
    for r, row in enumerate(read):
        top = np.argsort(-row, kind="stable")[:MAIN_CONCEPTS]
        inferred[r, top] = np.where(row[top] >= 0.5, 4.0, np.where(row[top] >= 0.25, 3.0, 0.0))
    levels[untagged] = inferred
    return levels


def concept_scores(
    topics: TopicSuggester, services: TopicSuggester, p: Prepared, t_scores: np.ndarray | None,
    s_scores: np.ndarray | None,
) -> np.ndarray:
    """The need's score of every technology then service concept: suggestion scores of the
    concepts that may be suggested, +1 for those the query names."""
    t = np.zeros(len(topics.concepts_), dtype=np.float32) if t_scores is None else np.where(
        topics.candidates_, t_scores, 0)
    s = np.zeros(len(services.concepts_), dtype=np.float32) if s_scores is None else np.where(
        services.candidates_, s_scores, 0)
    t[list(p.topic_rows)] += 1.0
    s[list(p.service_rows)] += 1.0
    return np.concatenate([t, s]).astype(np.float32)


def need_is_sure(
    topics: TopicSuggester, p: Prepared, vector: np.ndarray | None, proba: np.ndarray | None = None
) -> bool:
    """Whether a need's concepts are known, not guessed: the query names one, its text names a
    label (lexical >= 0.8), or the need classifier gives its best concept at least
    ``matching.topics.CLASSIFIER_SURE`` (without a classifier, embeddings alone never make a
    concept sure; ``proba``: its probabilities for ``vector`` when already worked out). Reasons built on guessed
    concepts say so (``weak``); the ranking uses the concepts either way."""
    if p.topic_rows or p.service_rows:
        return True
    if vector is None:
        return False
    if (p.topics.lexical[topics.candidates_] >= 0.8).any() or (p.services.lexical >= 0.8).any():
        return True
    return topics.classifier_ is not None and topics.confidence(vector, proba) >= CLASSIFIER_SURE
