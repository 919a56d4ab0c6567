"""A supervised topic model learned from the EU hub catalogue.

The catalogue is training data: 207 hubs of 37 countries describe themselves in
free text and tag the technology areas they offer (levels 1–5). One logistic
regression per technology area (one-vs-rest, L2, scikit-learn) learns
P(a hub offers the area | the embedding of its description). The probabilities
are those of the log-loss fit — calibrated on the training hubs, not scores — and
are used as the text-conditioned prior of :class:`matching.topics.TopicSuggester`.

The artefact is small (a ``(dim, n_areas)`` matrix) and committed as
``matching/data/topic_model.json.gz``; ``python -m matching.build_topic_model``
trains it deterministically, cross-validates it by hub and prints the figures it
also stores. Applying it is one matrix product in numpy: scikit-learn is needed
only to train. The model is tied to the embedding model it was trained with
(``model_id``); :func:`load_topic_model` returns it only for a matching encoder.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graph.records import Concept

__all__ = ["DEFAULT_TOPIC_MODEL", "TopicModel", "load_topic_model", "train_topic_model"]

DEFAULT_TOPIC_MODEL = Path(__file__).resolve().parent / "data" / "topic_model.json.gz"
_FORMAT = "regiomatch-topic-model/1"


def base_model_id(model_id: str) -> str:
    """The embedding model without its runtime (``…@onnx-int8`` and ``…`` give the same vectors)."""
    return model_id.split("@", 1)[0]


@dataclass(frozen=True, eq=False)
class TopicModel:
    """One-vs-rest logistic regression over text embeddings.

    ``keys`` name the technology areas (columns); ``coef`` ``(dim, n_keys)`` and
    ``intercept`` ``(n_keys,)`` are the fitted weights; ``model_id`` the encoder the
    embeddings came from; ``calibration`` the concept linker's confidence curve
    fitted by the same build; ``figures`` what the build measured.
    """

    keys: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    model_id: str
    calibration: tuple[float, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.coef.shape != (self.coef.shape[0], len(self.keys)) or self.intercept.shape != (len(self.keys),):
            raise InvalidInput(
                f"topic model shapes disagree: coef {self.coef.shape}, intercept {self.intercept.shape}, "
                f"{len(self.keys)} keys"
            )

    @property
    def dim(self) -> int:
        return int(self.coef.shape[0])

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """P(topic) ``(n, n_keys)`` for text vectors ``(n, dim)``."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if vectors.shape[1] != self.dim:
            raise InvalidInput(f"vectors have {vectors.shape[1]} dimensions; this topic model wants {self.dim}")
        z = np.einsum("nd,dk->nk", vectors, self.coef) + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def for_concepts(self, concepts: Sequence[Concept]) -> TopicModel:
        """The model with one column per concept in ``concepts`` order (zero weights, and a
        probability near 0, for concepts it was not trained on)."""
        col = {k: i for i, k in enumerate(self.keys)}
        coef = np.zeros((self.dim, len(concepts)), dtype=np.float32)
        intercept = np.full(len(concepts), -20.0, dtype=np.float32)
        for j, c in enumerate(concepts):
            if c.key in col:
                coef[:, j] = self.coef[:, col[c.key]]
                intercept[j] = self.intercept[col[c.key]]
        return TopicModel(tuple(c.key for c in concepts), coef, intercept, self.model_id, self.calibration, self.figures)

    def to_bytes(self) -> bytes:
        """The artefact: gzip'd JSON, weights rounded to 6 decimals, no timestamp (byte-for-byte reproducible)."""
        doc = {
            "format": _FORMAT,
            "model_id": self.model_id,
            "keys": list(self.keys),
            "intercept": [round(float(v), 6) for v in self.intercept],
            "coef": [[round(float(v), 6) for v in row] for row in self.coef.T],
            "calibration": list(self.calibration),
            "figures": self.figures,
        }
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as f:
            f.write(json.dumps(doc, indent=None, sort_keys=True).encode("utf-8"))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "topic model") -> TopicModel:
        try:
            doc = json.loads(gzip.decompress(data))
            if doc.get("format") != _FORMAT:
                raise ValueError(f"format {doc.get('format')!r}, expected {_FORMAT!r}")
            return cls(
                keys=tuple(doc["keys"]),
                coef=np.asarray(doc["coef"], dtype=np.float32).T.copy(),
                intercept=np.asarray(doc["intercept"], dtype=np.float32),
                model_id=str(doc["model_id"]),
                calibration=tuple(float(v) for v in doc.get("calibration", ())),
                figures=dict(doc.get("figures", {})),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UnreadableInput(
                f"{source} is not a regiomatch topic model ({exc}); rebuild it with python -m matching.build_topic_model"
            ) from None


def load_topic_model(path: str | Path | None = None, *, model_id: str | None = None) -> TopicModel | None:
    """The topic model at ``path`` (default: the committed one); None when the file is
    absent or was trained on another embedding model than ``model_id``."""
    p = Path(path) if path is not None else DEFAULT_TOPIC_MODEL
    if not p.is_file():
        if path is not None:
            raise UnreadableInput(f"{p}: no such topic model file")
        return None
    model = TopicModel.from_bytes(p.read_bytes(), str(p))
    if model_id is not None and base_model_id(model.model_id) != base_model_id(model_id):
        return None
    return model


def train_topic_model(
    vectors: np.ndarray,
    offered: np.ndarray,
    keys: Sequence[str],
    model_id: str,
    *,
    c: float = 0.5,
) -> TopicModel:
    """Fit one logistic regression per column of ``offered`` ``(n_hubs, n_keys)`` (bool) on
    ``vectors`` ``(n_hubs, dim)``; a column without both classes gets a constant model."""
    from sklearn.linear_model import LogisticRegression  # training only: keep it off the CLI path

    vectors = np.asarray(vectors, dtype=np.float64)
    offered = np.asarray(offered, dtype=bool)
    if vectors.shape[0] != offered.shape[0] or offered.shape[1] != len(keys):
        raise InvalidInput(f"{vectors.shape[0]} vectors, {offered.shape} labels and {len(keys)} keys disagree")
    coef = np.zeros((vectors.shape[1], len(keys)), dtype=np.float32)
    intercept = np.zeros(len(keys), dtype=np.float32)
    for j in range(len(keys)):
        y = offered[:, j]
        if y.all() or not y.any():
            rate = (y.sum() + 0.5) / (len(y) + 1.0)
            intercept[j] = np.log(rate / (1 - rate))
            continue
        m = LogisticRegression(C=c, max_iter=5000).fit(vectors, y)
        coef[:, j] = m.coef_[0]
        intercept[j] = m.intercept_[0]
    return TopicModel(tuple(keys), coef, intercept, model_id)
