"""A need classifier learned from the concepts' own words: labels, definitions and example needs.

Needs phrased in everyday words share no word with a label, and a need's embedding is
rarely closest to one label's. The technology and service schemes describe each
concept four ways — ``skos:prefLabel``, ``skos:altLabel``, ``skos:definition`` (split into
sentences and listed uses, :func:`matching.concept_linking.definition_units`) and a dozen
``skos:example`` needs per language, most without a label word. One multinomial logistic
regression over the embeddings of all of these (scikit-learn, L2, ``C``) learns which
concept a text is about; both schemes are one softmax, so a training need competes with a
service as well as with the other technologies. A strong L2 penalty generalises better to
needs in other words but flattens the probabilities, which the learned ranking and the
"linked" threshold read; a temperature (the logits multiplied by ``t``, baked into the
weights) sharpens them again without changing the order of the concepts.

Applying it is one matrix product and a softmax in numpy. The artefact is tied to the
encoder it was trained with (``model_id``) and committed as
``matching/data/concept_classifier.json.gz``; ``python -m matching.build_concept_classifier``
trains it deterministically and prints recall@3 on the fair set's dev half (the needs
were never training data) and a by-concept-text cross-validation over the examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput
from matching._base import linear_logits
from matching._files import gzip_json, load_artefact, read_gzip_json, rounded
from matching.concept_linking import definition_units

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graph.records import Concept

__all__ = ["DEFAULT_CONCEPT_CLASSIFIER", "ConceptClassifier", "load_concept_classifier", "training_texts",
           "train_concept_classifier"]

DEFAULT_CONCEPT_CLASSIFIER = Path(__file__).resolve().parent / "data" / "concept_classifier.json.gz"
_FORMAT = "regiomatch-concept-classifier/1"


def training_texts(concept: Concept) -> list[str]:
    """What the classifier learns a concept from: labels, definition units and example needs."""
    texts = [concept.label_en, concept.label_de, *concept.alt_en, *concept.alt_de, *definition_units(concept),
             *getattr(concept, "examples_en", ()), *getattr(concept, "examples_de", ())]
    return list(dict.fromkeys(t for t in texts if t and t.strip()))


@dataclass(frozen=True, eq=False)
class ConceptClassifier:
    """Softmax regression: ``coef`` ``(dim, n_keys)``, ``intercept`` ``(n_keys,)``, over concept ``keys``
    (``scheme:key``), trained on embeddings of ``model_id``; ``figures`` what the build measured."""

    keys: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    model_id: str
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.coef.ndim != 2 or self.coef.shape[1] != len(self.keys) or self.intercept.shape != (len(self.keys),):
            raise InvalidInput(
                f"concept classifier shapes disagree: coef {self.coef.shape}, intercept {self.intercept.shape}, "
                f"{len(self.keys)} keys"
            )

    @property
    def dim(self) -> int:
        return int(self.coef.shape[0])

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """P(concept | text) ``(n, n_keys)`` for text vectors ``(n, dim)``; rows sum to 1."""
        z = linear_logits(vectors, self.coef, self.intercept, "classifier")
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def sharpened(self, temperature: float) -> ConceptClassifier:
        """The same classifier with its logits multiplied by ``temperature`` (> 1 sharpens the
        probabilities, < 1 flattens them; the order of the concepts never changes)."""
        t = float(temperature)
        if not np.isfinite(t) or t <= 0:
            raise InvalidInput(f"classifier temperature must be a positive number, got {temperature!r}")
        if t == 1.0:
            return self
        return ConceptClassifier(self.keys, (self.coef * t).astype(np.float32), (self.intercept * t).astype(np.float32),
                                 self.model_id, dict(self.figures))

    def columns(self, scheme: str, concepts: Sequence[Concept]) -> np.ndarray:
        """For each of ``concepts`` (of ``scheme``), its column, or -1 when the classifier does not know it."""
        col = {k: i for i, k in enumerate(self.keys)}
        return np.array([col.get(f"{scheme}:{c.key}", -1) for c in concepts], dtype=np.intp)

    def to_bytes(self) -> bytes:
        """gzip'd JSON, weights rounded to 6 decimals, no timestamp (byte-for-byte reproducible)."""
        return gzip_json({"format": _FORMAT, "model_id": self.model_id, "keys": list(self.keys),
                          "intercept": rounded(self.intercept), "coef": rounded(self.coef.T), "figures": self.figures})

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "concept classifier") -> ConceptClassifier:
        try:
            doc = read_gzip_json(data, _FORMAT)
            return cls(tuple(doc["keys"]), np.asarray(doc["coef"], dtype=np.float32).T.copy(),
                       np.asarray(doc["intercept"], dtype=np.float32), str(doc["model_id"]), dict(doc.get("figures", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UnreadableInput(
                f"{source} is not a regiomatch concept classifier ({exc}); "
                "rebuild it with python -m matching.build_concept_classifier"
            ) from None


def load_concept_classifier(path: str | Path | None = None, *, model_id: str | None = None) -> ConceptClassifier | None:
    """The classifier at ``path`` (default: the committed one); None when the default file is
    absent or the classifier was trained on another embedding model than ``model_id``. A file is
    read once per process while it is unchanged (both schemes' suggesters share it)."""
    model = load_artefact(path, DEFAULT_CONCEPT_CLASSIFIER, "concept classifier", ConceptClassifier.from_bytes)
    if model is None:
        return None
    if model_id is not None and model.model_id.split("@", 1)[0] != model_id.split("@", 1)[0]:
        return None
    return model


def train_concept_classifier(
    vectors: np.ndarray, labels: Sequence[int], keys: Sequence[str], model_id: str, *, c: float = 1.0,
    temperature: float = 1.0,
) -> ConceptClassifier:
    """Fit the softmax regression on training ``vectors`` ``(n, dim)`` whose concept is ``keys[labels[i]]``,
    its logits multiplied by ``temperature`` (:meth:`ConceptClassifier.sharpened`)."""
    from sklearn.linear_model import LogisticRegression  # training only: keep it off the CLI path

    y = np.asarray(labels)
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.shape[0] != y.shape[0] or y.size == 0:
        raise InvalidInput(f"{vectors.shape[0]} vectors and {y.shape[0]} labels disagree (or are none)")
    if set(np.unique(y)) != set(range(len(keys))):
        raise InvalidInput("every concept needs at least one training text")
    m = LogisticRegression(C=c, max_iter=5000).fit(vectors, y)
    model = ConceptClassifier(tuple(keys), m.coef_.T.astype(np.float32), m.intercept_.astype(np.float32), model_id)
    return model.sharpened(temperature)
