"""Topic linking: which concepts of a SKOS scheme a free text is about.

:class:`TopicSuggester` scores every concept of a scheme (technology areas by
default) for a text by combining two signals, each in [0, 1]:

- **lexical**: the concept's ``prefLabel``/``altLabel`` in German or English found
  in the text (case-, umlaut- and inflection-insensitive, German compounds
  included; see ``matching._text``): 1.0 for a prefLabel, 0.9 for an altLabel,
  x0.9 inside a compound, +0.05 per further label found (capped at 1). A grouping
  concept's label found in the text gives its narrower concepts half its score.
  This is what makes German needs work with the English-only default model.
- **semantic**: cosine of the text's embedding with the concept's profile (its
  labels in both languages, altLabels and definition), clipped at 0.
- **definition**: the best cosine of the text with one sentence or listed use of
  the concept's German or English definition (:mod:`matching.concept_linking`),
  which finds paraphrases that share no word with a label.

``text_score = (1 - definition_weight) * (lexical_weight * lexical + (1 - lexical_weight)
* semantic) + definition_weight * definition`` (defaults 0.5 and 0.5). A prior breaks
the ties of vague texts: ``score = (1 - w) * text_score + w * prior``. The prior is
the learned topic model (:mod:`matching.topic_model`: P(a hub offers the topic | the
text), trained on the EU hub catalogue; its second stage weighs the text signals
itself; weight ``model_weight``, default 0.5: by-hub cross-validation scores 0.5 to
1.0 alike, and 0.5 keeps a topic a short text names in its top 3) when it fits the encoder,
otherwise how many of the catalogue's centres engage
with the concept, level-weighted, scaled to [0, 1] (weight ``prior_weight``). An
explicit per-text prior (evaluation fits it without the hub being scored,
:meth:`TopicSuggester.prior_excluding`) replaces both, so a hub's own tags never
help it. ``CentreMatcher`` uses no prior: a need's topics should come from the need.

Each suggestion's ``evidence`` lists the words of the text that matched a label,
``resembles`` the definition phrase the text is closest to, and ``weak`` says that
neither a label nor a confident definition link supports it (its rank then rests
on loose similarity and the prior).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graph.errors import InvalidInput
from matching._base import Estimator, check_k, check_text, encode_cached, matvec, resolve_encoder
from matching._concepts import normalised, prior_counts
from matching._text import LabelIndex, passages
from matching.char_classifier import load_char_classifier
from matching.concept_classifier import load_concept_classifier
from matching.concept_linking import ConceptLinker
from matching.topic_model import DEFAULT_TOPIC_MODEL, load_topic_model

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graph.records import Centre, Concept
    from matching.catalogue import Catalogue
    from matching.encoder import Encoder
    from matching.topic_model import TopicModel

__all__ = ["NEED_CLASSIFIER_WEIGHT", "TopicSuggestion", "TopicSuggester", "concept_profile"]

_SCHEMES = ("technology", "service", "sector")
NEED_CLASSIFIER_WEIGHT = 0.7  # share of the need classifier in a need's topic scores (chosen on the fair dev half)
# share of the character n-gram classifier (``matching.char_classifier``) in the need classifier's
# probabilities when the need's text is at hand (chosen by the rank model's CV on the dev sets over 0.35-1)
CHAR_WEIGHT = 0.65
CLASSIFIER_SURE = 0.45  # need classifier's probability making its best concept linked (dev half: 75 % reach it, 97 % right)


@dataclass(frozen=True)
class TopicSuggestion:
    """One concept a text is about, with the words that gave it away."""

    iri: str
    key: str
    label_en: str
    label_de: str
    score: float
    evidence: tuple[str, ...] = ()
    resembles: str = ""  # the definition phrase the text is closest to, when that link is confident
    weak: bool = False  # no label found and no confident definition link: a guess


@dataclass(frozen=True)
class TextAnalysis:
    """Per-concept lexical scores ``(n_concepts,)`` and evidence of one text."""

    lexical: np.ndarray
    evidence: tuple[tuple[str, ...], ...]
    mentions: np.ndarray | None = None  # (n_concepts,) passages naming a label; only when asked for


def concept_profile(c: Concept) -> str:
    """The text a concept is embedded from: labels in both languages, altLabels, definition."""
    parts = [c.label_en, c.label_de if c.label_de != c.label_en else ""]
    parts.append(", ".join(dict.fromkeys((*c.alt_en, *c.alt_de))))
    parts.append(c.definition)
    return ". ".join(p for p in parts if p)


class TopicSuggester(Estimator):
    """Suggest concepts of a scheme for a text; see the module docstring.

    Hyper-parameters: ``encoder`` (kind name for ``make_encoder`` or an Encoder),
    ``model`` and ``model_cache_dir`` (passed to ``make_encoder``), ``vector_cache``
    (directory of the vector cache, None: no cache), ``scheme`` (technology,
    service or sector), ``lexical_weight``, ``definition_weight``, ``prior_weight``
    and ``model_weight`` in [0, 1], ``topic_model`` (path of a topic model file,
    ``"default"`` for the committed one, None for none), ``include_groups`` (also
    suggest the scheme's grouping concepts).

    Fitted attributes: ``concepts_`` (the scheme's concepts, by IRI),
    ``candidates_`` (bool mask of those that may be suggested), ``vectors_``
    ``(n_concepts, dim)``, ``linker_`` (the fitted ConceptLinker), ``model_``
    (the topic model aligned to ``concepts_``, or None), ``encoder_``.
    """

    def __init__(
        self,
        *,
        encoder: str | Encoder = "use-multilingual",
        model: str | None = None,
        model_cache_dir: str | None = None,
        vector_cache: str | os.PathLike[str] | None = None,
        scheme: str = "technology",
        lexical_weight: float = 0.5,
        definition_weight: float = 0.5,
        prior_weight: float = 0.3,
        model_weight: float = 0.5,
        topic_model: str | os.PathLike[str] | None = "default",
        include_groups: bool = False,
        classifier: str | os.PathLike[str] | None = "default",
        classifier_weight: float = 0.0,
    ) -> None:
        self.encoder = encoder
        self.model = model
        self.model_cache_dir = model_cache_dir
        self.vector_cache = vector_cache
        self.scheme = scheme
        self.lexical_weight = lexical_weight
        self.definition_weight = definition_weight
        self.prior_weight = prior_weight
        self.model_weight = model_weight
        self.topic_model = topic_model
        self.include_groups = include_groups
        self.classifier = classifier
        self.classifier_weight = classifier_weight

    def fit(self, catalogue: Catalogue, *, encoder: Encoder | None = None) -> TopicSuggester:
        """Index the scheme's labels and embed its concept profiles; returns ``self``.

        ``encoder`` overrides the ``encoder`` hyper-parameter with a loaded
        instance (how a :class:`CentreMatcher` shares its model).
        """
        if self.scheme not in _SCHEMES:
            raise InvalidInput(f"unknown scheme {self.scheme!r}: expected one of {', '.join(_SCHEMES)}")
        for name in ("lexical_weight", "definition_weight", "prior_weight", "model_weight", "classifier_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise InvalidInput(f"{name} must be a number in [0, 1], got {value!r}")
        concepts = catalogue.concepts_of(self.scheme)
        row = {c.iri: i for i, c in enumerate(concepts)}
        parents = {b for c in concepts for b in c.broader}
        self.encoder_ = encoder or resolve_encoder(self.encoder, self.model, self.model_cache_dir)
        self.concepts_ = concepts
        self.row_ = row
        self.candidates_ = np.array(
            [self.include_groups or c.iri not in parents for c in concepts], dtype=bool
        )
        # children_[g] = rows of the concepts directly narrower than row g
        self.children_ = [
            np.array([row[c.iri] for c in concepts if g.iri in c.broader], dtype=np.intp)
            for g in concepts
        ]
        self.index_ = LabelIndex(
            [
                [(c.label_en, 1.0), (c.label_de, 1.0)] + [(a, 0.9) for a in (*c.alt_en, *c.alt_de)]
                for c in concepts
            ]
        )
        self.prior_counts_ = prior_counts(catalogue.centres, self.scheme, row)
        self.prior_ = normalised(self.prior_counts_)
        self.vectors_ = encode_cached(
            [concept_profile(c) for c in concepts], self.encoder_, self.vector_cache
        )
        self.model_ = self._load_model(concepts)
        self.classifier_ = None
        if self.classifier is not None and self.classifier_weight > 0 and self.scheme in ("technology", "service"):
            path = None if self.classifier == "default" else self.classifier
            self.classifier_ = load_concept_classifier(path, model_id=getattr(self.encoder_, "model_id", ""))
        self.classifier_columns_ = (
            self.classifier_.columns(self.scheme, concepts) if self.classifier_ is not None else None
        )
        # the spelling reader beside it: the committed one, for the committed classifier's concepts only
        char = load_char_classifier() if self.classifier == "default" and self.classifier_ is not None else None
        self.char_ = char if char is not None and char.keys == self.classifier_.keys else None  # type: ignore[union-attr]
        calibration = self.model_.calibration if self.model_ is not None and self.model_.calibration else None
        self.linker_ = ConceptLinker(
            encoder=self.encoder_, vector_cache=self.vector_cache,
            **({"calibration": calibration} if calibration else {}),
        ).fit(catalogue, encoder=self.encoder_, concepts=concepts)
        return self

    def _load_model(self, concepts: Sequence[Concept]) -> TopicModel | None:
        if self.topic_model is None or self.scheme != "technology" or not self.model_weight:
            return None  # reading needs: no file to read
        path = DEFAULT_TOPIC_MODEL if self.topic_model == "default" else self.topic_model
        model = load_topic_model(path, model_id=getattr(self.encoder_, "model_id", ""))
        return model.for_concepts(concepts) if model is not None else None

    # ------------------------------------------------------------------ public

    def suggest(self, text: str, k: int = 5) -> list[TopicSuggestion]:
        """The ``k`` concepts ``text`` is most about, best first."""
        return self.suggest_many([text], k)[0]

    def suggest_many(
        self, texts: list[str], k: int = 5, priors: list[np.ndarray] | None = None
    ) -> list[list[TopicSuggestion]]:
        """``suggest`` for many texts, encoding them in one batch.

        ``priors`` optionally replaces the fitted prior per text (see
        :meth:`prior_excluding`, which evaluation uses so that a hub's own tags never
        inform the suggestions for its description).
        """
        self._check_fitted("vectors_")
        k = check_k(k)
        texts = [check_text(t) for t in texts]
        if priors is not None and len(priors) != len(texts):
            raise InvalidInput(f"got {len(priors)} priors for {len(texts)} texts; give one per text")
        stacking = self.model_ is not None and self.model_.stacked and self.model_weight > 0
        analyses = [self.analyse(t, mentions=stacking and priors is None) for t in texts]
        vectors = self.encoder_.encode(texts) if texts else None
        out = []
        for i, analysis in enumerate(analyses):
            prior = priors[i] if priors is not None else None
            proba = self.need_proba(vectors[i], texts[i])  # type: ignore[index]
            scores = self.scores(analysis, vectors[i], prior, proba=proba)  # type: ignore[index]
            out.append(self._top(scores, analysis, k, vectors[i], proba))  # type: ignore[index]
        return out

    def need_proba(self, vector: np.ndarray, text: str = "") -> np.ndarray | None:
        """The need classifier's probabilities ``(n_keys,)`` for a text's ``vector`` (None without a
        classifier), mixed with the character n-gram classifier's for ``text`` (``CHAR_WEIGHT``)."""
        if self.classifier_ is None:
            return None
        proba = self.classifier_.predict_proba(vector)[0]
        if self.char_ is None or not text:
            return proba
        return ((1.0 - CHAR_WEIGHT) * proba + CHAR_WEIGHT * self.char_.predict_proba([text])[0]).astype(np.float32)

    def prior_excluding(self, centre: Centre) -> np.ndarray:
        """The prior ``(n_concepts,)`` as if ``centre`` were not in the catalogue."""
        self._check_fitted("prior_counts_")
        own = prior_counts([centre], self.scheme, self.row_)
        return normalised(np.maximum(self.prior_counts_ - own, 0.0))

    # ------------------------------------------------------------------ building blocks

    def analyse(self, text: str, *, mentions: bool = False) -> TextAnalysis:
        """Lexical scores of every concept for ``text`` (no encoding); with ``mentions``,
        also how many of its passages (sentences joined up to 400 characters) name a label."""
        self._check_fitted("index_")
        n = len(self.concepts_)
        hits = self.index_.find(text)
        if not hits:  # most needs name few labels of a scheme, many none of the services
            # no label in the text: none in any of its passages either
            return TextAnalysis(np.zeros(n, dtype=np.float32), ((),) * n, np.zeros(n, dtype=np.float32) if mentions else None)
        lexical = np.zeros(n, dtype=np.float32)
        evidence: dict[int, dict[str, None]] = {}  # only the concepts with evidence
        found = np.zeros(n, dtype=np.int32)
        for hit in hits:
            found[hit.concept] += 1
            lexical[hit.concept] = max(lexical[hit.concept], hit.strength)
            evidence.setdefault(hit.concept, {})[hit.surface] = None
        lexical = np.minimum(1.0, lexical + 0.05 * np.maximum(found - 1, 0)).astype(np.float32)
        for g in np.flatnonzero(lexical):
            kids = self.children_[g]
            for kid in kids:
                if lexical[kid] < 0.5 * lexical[g]:
                    lexical[kid] = 0.5 * lexical[g]
                    evidence.setdefault(int(kid), {}).update(evidence.get(int(g), {}))
        counts = None
        if mentions:
            counts = np.zeros(n, dtype=np.float32)
            for passage in passages(text):
                counts += self.analyse(passage).lexical >= 0.5
        found_by: list[tuple[str, ...]] = [()] * n
        for i, words in evidence.items():
            found_by[i] = tuple(words)
        return TextAnalysis(lexical, tuple(found_by), counts)

    def signals(self, analysis: TextAnalysis, vector: np.ndarray) -> np.ndarray:
        """The text signals ``(n_concepts, 4)`` the topic model's second stage reads: label
        match, log(1 + passages naming a label), similarity with the concept's profile, best
        definition similarity (all from the text alone)."""
        self._check_fitted("vectors_")
        counts = analysis.mentions if analysis.mentions is not None else (analysis.lexical >= 0.5)
        return np.column_stack([
            analysis.lexical,
            np.log1p(np.asarray(counts, dtype=np.float32)),
            np.clip(matvec(self.vectors_, vector), 0.0, 1.0),
            self.linker_.similarity(vector)[0],
        ]).astype(np.float32)

    def scores(self, analysis: TextAnalysis, vector: np.ndarray, prior: np.ndarray | None = None, *,
               proba: np.ndarray | None = None) -> np.ndarray:
        """Combined scores ``(n_concepts,)`` from a text's analysis, ``(dim,)`` vector and classifier ``proba``."""
        semantic = np.clip(matvec(self.vectors_, vector), 0.0, 1.0)
        w = float(self.lexical_weight)
        text_score = w * analysis.lexical + (1.0 - w) * semantic
        d = float(self.definition_weight)
        if d > 0:
            text_score = (1.0 - d) * text_score + d * self.linker_.similarity(vector)[0]
        if self.classifier_ is not None:
            text_score = self._classified(text_score, self.classifier_.predict_proba(vector)[0] if proba is None else proba)
        if prior is None and self.model_ is not None and self.model_weight > 0:
            m = float(self.model_weight)
            if self.model_.stacked:
                learned = self.model_.stacked_proba(self.signals(analysis, vector)[None], vector)[0]
            else:
                learned = self.model_.predict_proba(vector)[0]
            return ((1.0 - m) * text_score + m * learned).astype(np.float32)
        prior = self.prior_ if prior is None else prior
        p = float(self.prior_weight) if self.prior_weight and prior.any() else 0.0
        return (((1.0 - p) * text_score + p * prior) if p else text_score).astype(np.float32)  # p = 0: the same

    def confidence(self, vector: np.ndarray | None, proba: np.ndarray | None = None) -> float:
        """The need classifier's top probability (either scheme) for a text's vector or its ``proba``; 0 without one."""
        c = self.classifier_
        return 0.0 if c is None else float((c.predict_proba(vector)[0] if proba is None else proba).max())

    def _classified(self, text_score: np.ndarray, proba: np.ndarray) -> np.ndarray:
        """Mix in the need classifier's probabilities ``proba`` for the text, scaled so its most likely
        concept (of either scheme) is 1; a concept it does not know keeps its text score."""
        proba = proba / max(float(proba.max()), 1e-9)
        cols = self.classifier_columns_
        known = cols >= 0  # type: ignore[operator]
        c = float(self.classifier_weight)
        mixed = (1.0 - c) * text_score + c * np.where(known, proba[np.maximum(cols, 0)], 0.0)  # type: ignore[call-overload]
        return np.where(known, mixed, text_score).astype(np.float32)

    def linked(
        self, analysis: TextAnalysis, vector: np.ndarray, proba: np.ndarray | None = None
    ) -> tuple[np.ndarray, dict[int, str]]:
        """Which concepts the text supports: ``(n_concepts,)`` bool (a label found, or the
        confident best definition link) and the definition phrase of that link by row (``proba``: the
        need classifier's probabilities when already worked out, :meth:`need_proba`)."""
        supported = (analysis.lexical >= 0.5) & self.candidates_
        best, sims = self.linker_._similarity(vector)
        cand = np.flatnonzero(self.candidates_)
        phrases: dict[int, str] = {}
        if self.classifier_ is not None:
            # the need classifier's calibrated probability decides: its best concept, if this scheme's
            # and at least CLASSIFIER_SURE likely, is supported; the definition phrase nearest the need
            # says what it resembles
            proba = self.classifier_.predict_proba(vector)[0] if proba is None else proba
            best_col = int(np.argmax(proba))
            rows = np.flatnonzero(self.classifier_columns_ == best_col)
            if rows.size and self.candidates_[rows[0]] and proba[best_col] >= CLASSIFIER_SURE:
                top = int(rows[0])
                supported[top] = True
                phrases[top] = self.linker_.evidence(top, sims[0])
            return supported, phrases
        if cand.size and self.linker_.confidence(best[:, cand])[0] >= self.linker_.min_confidence:
            top = int(cand[np.argmax(best[0, cand])])
            supported[top] = True
            phrases[top] = self.linker_.evidence(top, sims[0])
        return supported, phrases

    def _top(
        self, scores: np.ndarray, analysis: TextAnalysis, k: int, vector: np.ndarray, proba: np.ndarray | None = None
    ) -> list[TopicSuggestion]:
        masked = np.where(self.candidates_, scores, -np.inf)
        order = np.argsort(-masked, kind="stable")[: min(k, int(self.candidates_.sum()))]
        supported, phrases = self.linked(analysis, vector, proba)
        return [
            TopicSuggestion(
                iri=self.concepts_[i].iri,
                key=self.concepts_[i].key,
                label_en=self.concepts_[i].label_en,
                label_de=self.concepts_[i].label_de,
                score=round(float(scores[i]), 4),
                evidence=analysis.evidence[i],
                resembles=phrases.get(int(i), ""),
                weak=not bool(supported[i]),
            )
            for i in order
        ]
