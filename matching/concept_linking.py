"""Concept linking for paraphrases: a need against the concepts' definitions.

A need that names no label word ("wo unsere Lieferwagen gerade sind") still
describes what a concept's ``skos:definition`` describes ("track vans and
deliveries on a map"). :class:`ConceptLinker` embeds every definition (German and
English) as *units* — each sentence, and each use listed in the "SMEs use it to
…, … or …" sentence on its own — and scores a concept for a text by the best
cosine of the text's vector with one of its units, clipped to [0, 1]. The unit
that gave the score is kept as evidence.

How far to trust the best concept is calibrated, not guessed: a logistic curve
over three features of one text's scores — the best similarity, its margin over
the second best and the mean (German read by an English model is close to
everything) — maps them to the probability that the best concept is right.
Its coefficients are fitted by :func:`fit_calibration` on labelled single-topic
needs (``python -m matching.build_topic_model`` fits them on the synthetic
companies' needs and stores them with the topic model); :data:`CALIBRATION`
holds the figures that script printed last, so the linker works without it.
A link whose confidence is below ``min_confidence`` is *weak* evidence.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graph.errors import InvalidInput
from matching._base import Estimator, check_k, check_text, encode_cached, matvec, resolve_encoder

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graph.records import Concept
    from matching.catalogue import Catalogue
    from matching.encoder import Encoder

__all__ = ["CALIBRATION", "ConceptLink", "ConceptLinker", "definition_units", "fit_calibration"]

# (intercept, weights of the best similarity, of its margin over the second best and of
# the mean similarity);
# written by ``python -m matching.build_topic_model`` (all-MiniLM-L6-v2, onnx-int8).
CALIBRATION: tuple[float, ...] = (-2.9087, 13.4757, 22.5798, -15.7518)

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# "SMEs use it to", "Typical:", "KMU nutzen das, um", ... up to where the uses start
_USES_INTRO = re.compile(
    r"^(?:[^.:]*?\b(?:use|uses|need|needs|meet|are involved|nutzen|setzen|brauchen|haben|sparen|ersetzen|sind)\b"
    r"[^.:]*?\b(?:to|for|when|as|um|für|wenn|damit|als)\b|Typical:|Typisch:)\s*",
)
_LIST_SPLIT = re.compile(r",\s*|\s+(?:or|oder)\s+")
_LEADING = re.compile(r"^(?:(?:or|and|when|oder|und|wenn|um|to)\s+)+", re.IGNORECASE)
_MIN_UNIT_WORDS = 3


@dataclass(frozen=True)
class ConceptLink:
    """A concept a text resembles by definition: cosine in [0, 1] and the unit that matched."""

    iri: str
    key: str
    similarity: float
    unit: str


def definition_units(concept: Concept) -> list[str]:
    """The sentences of ``concept``'s English and German definitions, and each listed use on its own."""
    units: list[str] = []
    for definition in (concept.definition, concept.definition_de):
        sentences = [s.strip() for s in _SENTENCE.split(definition) if s.strip()]
        units.extend(sentences)
        for s in sentences[1:]:
            body = _USES_INTRO.sub("", s, count=1).rstrip(".")
            if body == s.rstrip("."):
                continue
            parts = [_LEADING.sub("", p.strip()) for p in _LIST_SPLIT.split(body)]
            units.extend(p for p in parts if len(p.split()) >= _MIN_UNIT_WORDS and p not in units)
    return list(dict.fromkeys(units))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _features(similarity: np.ndarray) -> np.ndarray:
    """``(n, 3)`` per row of ``(n, m)``: the best similarity, its margin over the second best,
    and the mean (high for every concept when the encoder reads the language poorly)."""
    part = -np.sort(-similarity, axis=1)[:, :2]
    if part.shape[1] < 2:
        part = np.hstack([part, np.zeros((part.shape[0], 2 - part.shape[1]))])
    return np.column_stack([part[:, 0], part[:, 0] - part[:, 1], similarity.mean(axis=1)])


def fit_calibration(similarity: np.ndarray, correct: np.ndarray, l2: float = 1e-3) -> tuple[float, ...]:
    """Fit the logistic calibration on labelled texts.

    ``similarity`` ``(n, n_concepts)`` are the linker's scores of ``n`` labelled texts,
    ``correct`` ``(n,)`` whether each text's best concept is one of its topics.
    Newton's method on the L2-penalised log-loss (a few dozen lines of numpy rather
    than importing scikit-learn into the command line).
    """
    x = _features(np.asarray(similarity, dtype=np.float64))
    y = np.asarray(correct, dtype=np.float64)
    if x.shape[0] != y.shape[0] or x.shape[0] < 10 or y.min() == y.max():
        raise InvalidInput(
            f"calibration needs at least 10 labelled texts with both right and wrong best concepts, "
            f"got {y.shape[0]} texts, {int(y.sum())} right"
        )
    design = np.column_stack([np.ones(len(y)), x])
    w = np.zeros(design.shape[1])
    for _ in range(100):
        p = _sigmoid(design @ w)
        grad = design.T @ (p - y) + l2 * np.r_[0.0, w[1:]]
        hess = (design * (p * (1 - p))[:, None]).T @ design + l2 * np.diag([0.0] + [1.0] * x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return tuple(round(float(v), 4) for v in w)  # type: ignore[return-value]


class ConceptLinker(Estimator):
    """Score the concepts of a scheme by how close a text is to their definitions.

    Hyper-parameters: ``encoder``, ``model``, ``model_cache_dir`` (as for
    ``make_encoder``), ``vector_cache`` (directory, None: no cache), ``scheme``,
    ``calibration`` (see the module docstring) and ``min_confidence`` in [0, 1].

    Fitted attributes: ``concepts_``, ``units_`` (texts), ``unit_owner_`` (row of the
    concept each unit belongs to), ``unit_vectors_`` ``(n_units, dim)``, ``encoder_``.
    """

    def __init__(
        self,
        *,
        encoder: str | Encoder = "onnx-int8",
        model: str | None = None,
        model_cache_dir: str | None = None,
        vector_cache: str | os.PathLike[str] | None = None,
        scheme: str = "technology",
        calibration: tuple[float, ...] = CALIBRATION,
        min_confidence: float = 0.5,
    ) -> None:
        self.encoder = encoder
        self.model = model
        self.model_cache_dir = model_cache_dir
        self.vector_cache = vector_cache
        self.scheme = scheme
        self.calibration = calibration
        self.min_confidence = min_confidence

    def fit(
        self, catalogue: Catalogue, *, encoder: Encoder | None = None, concepts: Sequence[Concept] | None = None
    ) -> ConceptLinker:
        """Embed the definition units of the scheme's concepts (or of ``concepts``); returns ``self``."""
        if len(tuple(self.calibration)) != 4:
            raise InvalidInput(
                f"calibration must be 4 numbers (intercept, w_best, w_margin, w_mean), got {self.calibration!r}"
            )
        if not 0.0 <= float(self.min_confidence) <= 1.0:
            raise InvalidInput(f"min_confidence must be a number in [0, 1], got {self.min_confidence!r}")
        self.encoder_ = encoder or resolve_encoder(self.encoder, self.model, self.model_cache_dir)
        self.concepts_ = tuple(concepts if concepts is not None else catalogue.concepts_of(self.scheme))
        units, owner = [], []
        for row, c in enumerate(self.concepts_):
            for u in definition_units(c):
                units.append(u)
                owner.append(row)
        self.units_ = tuple(units)
        self.unit_owner_ = np.array(owner, dtype=np.intp)
        self.unit_vectors_ = encode_cached(units, self.encoder_, self.vector_cache)
        # units are grouped by concept: the concepts that have units, and where each group starts
        self.owners_, self.starts_ = np.unique(self.unit_owner_, return_index=True)
        return self

    def similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Concept scores ``(n, n_concepts)`` in [0, 1] for text vectors ``(n, dim)``
        (0 for a concept without a definition)."""
        return self._similarity(vectors)[0]

    def _similarity(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores ``(n, n_concepts)`` and unit similarities ``(n, n_units)`` (units in fitted order)."""
        self._check_fitted("unit_vectors_")
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        best = np.zeros((vectors.shape[0], len(self.concepts_)), dtype=np.float32)
        if len(self.units_) == 0:
            return best, np.zeros((vectors.shape[0], 0), dtype=np.float32)
        if vectors.shape[0] == 1:  # one query: a matrix-vector product without BLAS threads
            sims = np.clip(matvec(self.unit_vectors_, vectors[0]), 0.0, 1.0)[None, :]
        else:
            sims = np.clip(vectors @ self.unit_vectors_.T, 0.0, 1.0)
        best[:, self.owners_] = np.maximum.reduceat(sims, self.starts_, axis=1)
        return best, sims

    def confidence(self, similarity: np.ndarray) -> np.ndarray:
        """``(n,)`` calibrated probability that the best concept of each row of ``(n, n_concepts)`` is right."""
        b = np.asarray(self.calibration, dtype=np.float64)
        x = _features(np.atleast_2d(similarity).astype(np.float64))
        return _sigmoid(b[0] + x @ b[1:])

    def link(self, text: str, k: int = 3) -> tuple[list[ConceptLink], float]:
        """The ``k`` concepts ``text`` is closest to by definition, and the confidence in the first."""
        self._check_fitted("unit_vectors_")
        text = check_text(text)
        k = check_k(k)
        best, sims = self._similarity(self.encoder_.encode([text]))
        order = np.argsort(-best[0], kind="stable")[:k]
        return [self._link(j, best[0], sims[0]) for j in order], float(self.confidence(best)[0])

    def evidence(self, row: int, unit_similarities: np.ndarray) -> str:
        """The definition unit of concept ``row`` closest to a text, given its ``(n_units,)`` similarities."""
        mine = np.flatnonzero(self.unit_owner_ == row)
        return self.units_[mine[int(np.argmax(unit_similarities[mine]))]] if mine.size else ""

    def _link(self, row: int, best: np.ndarray, sims: np.ndarray) -> ConceptLink:
        c = self.concepts_[row]
        return ConceptLink(c.iri, c.key, round(float(best[row]), 4), self.evidence(row, sims))
