"""A supervised topic model learned from the EU hub catalogue.

The catalogue is training data: 207 hubs of 37 countries describe themselves in
free text and tag the technology areas they offer (levels 1–5). Two stages, both
log-loss fits (probabilities calibrated on the training hubs, not scores):

1. one logistic regression per technology area (one-vs-rest, L2, scikit-learn)
   learns P(a hub offers the area | the embedding of its description)
   (:meth:`TopicModel.predict_proba`);
2. one logistic regression shared by all areas (*stacking*) learns P(offered)
   from six numbers per (text, area): the area's frequency among the training hubs
   (log-odds), the text signals of :class:`matching.topics.TopicSuggester`
   (label match, how many passages name a label, embedding similarity with the
   area's profile, best definition similarity) and the first stage's log-odds
   (:meth:`TopicModel.stacked_proba`, features in :data:`STACK_FEATURES`). It
   is fitted on first-stage probabilities of hubs the first stage did not see
   (out-of-fold), so it learns how far to trust each signal on new hubs.

The artefact is small (a ``(dim, n_areas)`` matrix and a few numbers) and committed as
``matching/data/topic_model.json.gz``; ``python -m matching.build_topic_model``
trains it deterministically, cross-validates it by hub and prints the figures it
also stores. Applying it is one matrix product in numpy: scikit-learn is needed
only to train. The model is tied to the embedding model it was trained with
(``model_id``); :func:`load_topic_model` returns it only for a matching encoder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput
from matching._base import linear_logits
from matching._files import gzip_json, read_gzip_json, rounded

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graph.records import Concept

__all__ = [
    "DEFAULT_TOPIC_MODEL", "STACK_FEATURES", "TopicModel", "fit_stacker", "load_topic_model",
    "stack_features", "train_topic_model",
]

DEFAULT_TOPIC_MODEL = Path(__file__).resolve().parent / "data" / "topic_model.json.gz"
TOPIC_MODEL_ENCODER = "onnx-int8"  # the encoder kind the committed model was trained with (build_topic_model)
_FORMAT = "regiomatch-topic-model/2"
# the second stage's inputs per (text, area), in this order; the middle four are the
# suggester's text signals (TopicSuggester.signals)
STACK_FEATURES = ("prior_logit", "lexical", "log1p_mentions", "semantic", "definition", "model_logit")
_N_SIGNALS = 4


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def base_model_id(model_id: str) -> str:
    """The embedding model without its runtime (``…@onnx-int8`` and ``…`` give the same vectors)."""
    return model_id.split("@", 1)[0]


@dataclass(frozen=True, eq=False)
class TopicModel:
    """One-vs-rest logistic regression over text embeddings.

    ``keys`` name the technology areas (columns); ``coef`` ``(dim, n_keys)`` and
    ``intercept`` ``(n_keys,)`` are the first stage's weights; ``prior``
    ``(n_keys,)`` the areas' share of training hubs offering them; ``stack``
    ``(len(STACK_FEATURES) + 1,)`` the second stage's weights, intercept last
    (empty: no second stage); ``model_id`` the encoder the embeddings came from;
    ``calibration`` the concept linker's confidence curve fitted by the same build;
    ``figures`` what the build measured.
    """

    keys: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    model_id: str
    calibration: tuple[float, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)
    prior: np.ndarray | None = None
    stack: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.keys)
        if self.coef.ndim != 2 or self.coef.shape[1] != n or self.intercept.shape != (n,):
            raise InvalidInput(
                f"topic model shapes disagree: coef {self.coef.shape}, intercept {self.intercept.shape}, "
                f"{n} keys"
            )
        if self.prior is not None and np.shape(self.prior) != (n,):
            raise InvalidInput(f"topic model prior has shape {np.shape(self.prior)}; expected ({n},) for {n} keys")
        if self.stack and len(self.stack) != len(STACK_FEATURES) + 1:
            raise InvalidInput(
                f"topic model stack has {len(self.stack)} weights; expected {len(STACK_FEATURES) + 1} "
                f"({', '.join(STACK_FEATURES)}, intercept)"
            )
        if self.stack and self.prior is None:
            raise InvalidInput("a topic model with a second stage (stack) needs the areas' prior")

    @property
    def dim(self) -> int:
        return int(self.coef.shape[0])

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """P(topic) ``(n, n_keys)`` for text vectors ``(n, dim)``."""
        z = linear_logits(vectors, self.coef, self.intercept, "topic model")
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    @property
    def stacked(self) -> bool:
        """Whether the model has a second stage (:meth:`stacked_proba`)."""
        return bool(self.stack)

    def stacked_proba(self, signals: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """P(topic) ``(n, n_keys)`` of the second stage from the suggester's text signals
        ``(n, n_keys, 4)`` (see :data:`STACK_FEATURES`) and text vectors ``(n, dim)``.
        Areas the model was not trained on (prior 0) get 0."""
        if not self.stacked or self.prior is None:
            raise InvalidInput("this topic model has no second stage; rebuild it with python -m matching.build_topic_model")
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        signals = np.asarray(signals, dtype=np.float64).reshape(vectors.shape[0], -1, _N_SIGNALS)
        if signals.shape[1] != len(self.keys):
            raise InvalidInput(f"signals cover {signals.shape[1]} topics; this topic model has {len(self.keys)}")
        x = stack_features(self.prior, signals, self.predict_proba(vectors))
        w = np.asarray(self.stack, dtype=np.float64)
        p = 1.0 / (1.0 + np.exp(-(x @ w[:-1] + w[-1])))
        return np.where(self.prior > 0, p, 0.0).astype(np.float32)

    def for_concepts(self, concepts: Sequence[Concept]) -> TopicModel:
        """The model with one column per concept in ``concepts`` order (zero weights, and a
        probability near 0, for concepts it was not trained on)."""
        col = {k: i for i, k in enumerate(self.keys)}
        coef = np.zeros((self.dim, len(concepts)), dtype=np.float32)
        intercept = np.full(len(concepts), -20.0, dtype=np.float32)
        prior = np.zeros(len(concepts), dtype=np.float64) if self.prior is not None else None
        for j, c in enumerate(concepts):
            if c.key in col:
                coef[:, j] = self.coef[:, col[c.key]]
                intercept[j] = self.intercept[col[c.key]]
                if prior is not None and self.prior is not None:
                    prior[j] = self.prior[col[c.key]]
        return TopicModel(
            tuple(c.key for c in concepts), coef, intercept, self.model_id, self.calibration, self.figures,
            prior, self.stack,
        )

    def to_bytes(self) -> bytes:
        """The artefact: gzip'd JSON, weights rounded to 6 decimals, no timestamp (byte-for-byte reproducible)."""
        doc = {
            "format": _FORMAT,
            "model_id": self.model_id,
            "keys": list(self.keys),
            "intercept": rounded(self.intercept),
            "coef": rounded(self.coef.T),
            "calibration": list(self.calibration),
            "figures": self.figures,
            "prior": None if self.prior is None else rounded(self.prior),
            "stack": {"features": list(STACK_FEATURES), "weights": rounded(self.stack)},
        }
        return gzip_json(doc)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "topic model") -> TopicModel:
        try:
            doc = read_gzip_json(data, _FORMAT)
            return cls(
                keys=tuple(doc["keys"]),
                coef=np.asarray(doc["coef"], dtype=np.float32).T.copy(),
                intercept=np.asarray(doc["intercept"], dtype=np.float32),
                model_id=str(doc["model_id"]),
                calibration=tuple(float(v) for v in doc.get("calibration", ())),
                figures=dict(doc.get("figures", {})),
                prior=None if doc.get("prior") is None else np.asarray(doc["prior"], dtype=np.float64),
                stack=_read_stack(doc.get("stack")),
            )
        except (OSError, ValueError, KeyError, TypeError, InvalidInput) as exc:
            raise UnreadableInput(
                f"{source} is not a regiomatch topic model ({exc}); rebuild it with python -m matching.build_topic_model"
            ) from None


def _read_stack(doc: Any) -> tuple[float, ...]:
    if not doc or not doc.get("weights"):
        return ()
    if tuple(doc.get("features", ())) != STACK_FEATURES:
        raise ValueError(f"stack features {doc.get('features')!r}, expected {list(STACK_FEATURES)!r}")
    return tuple(float(v) for v in doc["weights"])


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


def stack_features(prior: np.ndarray, signals: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """The second stage's inputs ``(n, n_keys, len(STACK_FEATURES))`` from the areas' prior
    ``(n_keys,)``, the text signals ``(n, n_keys, 4)`` and the first stage's ``(n, n_keys)``."""
    signals = np.asarray(signals, dtype=np.float64)
    proba = np.asarray(proba, dtype=np.float64)
    n, k = proba.shape
    if signals.shape != (n, k, _N_SIGNALS) or np.shape(prior) != (k,):
        raise InvalidInput(
            f"stack inputs disagree: prior {np.shape(prior)}, signals {signals.shape}, probabilities {proba.shape}"
        )
    return np.concatenate(
        [np.broadcast_to(_logit(prior), (n, k))[..., None], signals, _logit(proba)[..., None]], axis=-1
    )


def fit_stacker(features: np.ndarray, offered: np.ndarray, *, c: float = 1.0) -> tuple[float, ...]:
    """Fit the second stage on ``features`` ``(n_hubs, n_keys, len(STACK_FEATURES))`` (built from
    out-of-fold first-stage probabilities) and ``offered`` ``(n_hubs, n_keys)``; its weights, intercept last."""
    from sklearn.linear_model import LogisticRegression  # training only

    features = np.asarray(features, dtype=np.float64)
    offered = np.asarray(offered, dtype=bool)
    if features.shape[:2] != offered.shape or features.shape[2:] != (len(STACK_FEATURES),):
        raise InvalidInput(f"stack features {features.shape} and labels {offered.shape} disagree")
    y = offered.reshape(-1)
    if y.all() or not y.any():
        raise InvalidInput("the stack needs hubs that offer some areas and not others")
    m = LogisticRegression(C=c, max_iter=5000).fit(features.reshape(-1, features.shape[2]), y)
    return (*(float(v) for v in m.coef_[0]), float(m.intercept_[0]))


def fit_topic_model(
    vectors: np.ndarray,
    signals: np.ndarray,
    grades: np.ndarray,
    keys: Sequence[str],
    model_id: str,
    *,
    c_grid: Sequence[float] = (0.5, 2.0, 8.0),
    folds: int = 5,
) -> TopicModel:
    """Both stages from the hubs' vectors ``(n_hubs, dim)``, text signals ``(n_hubs, n_keys, 4)``
    and levels ``grades`` ``(n_hubs, n_keys)`` (0: not offered), using nothing else.

    The first stage's inverse L2 strength is the one of ``c_grid`` whose out-of-fold
    predictions (``folds`` folds over these hubs) rank the hubs' levels best (mean nDCG@5);
    the second stage is fitted on those out-of-fold predictions; the first stage is then
    refitted on every hub. Deterministic: the folds are fixed by a seed."""
    from sklearn.model_selection import KFold

    vectors = np.asarray(vectors, dtype=np.float64)
    grades = np.asarray(grades)
    if grades.shape != (vectors.shape[0], len(keys)) or np.shape(signals)[:2] != grades.shape:
        raise InvalidInput(
            f"{vectors.shape[0]} vectors, signals {np.shape(signals)}, grades {grades.shape} and {len(keys)} keys disagree"
        )
    if not c_grid or min(c_grid) <= 0:
        raise InvalidInput(f"c_grid must list positive numbers, got {list(c_grid)!r}")
    if not 2 <= folds <= vectors.shape[0]:
        raise InvalidInput(f"folds must be between 2 and the number of hubs ({vectors.shape[0]}), got {folds}")
    offered = grades > 0
    splits = list(KFold(folds, shuffle=True, random_state=0).split(vectors))
    tried = []
    for c in c_grid:
        oof = np.zeros(offered.shape, dtype=np.float64)
        for train, test in splits:
            oof[test] = train_topic_model(vectors[train], offered[train], keys, model_id, c=c).predict_proba(vectors[test])
        tried.append((mean_ndcg(oof, grades), -len(tried), c, oof))
    _, _, c, oof = max(tried, key=lambda t: t[:2])  # ties: the first C listed
    prior = offered.mean(axis=0)
    stack = fit_stacker(stack_features(prior, signals, oof), offered)
    first = train_topic_model(vectors, offered, keys, model_id, c=c)
    return TopicModel(first.keys, first.coef, first.intercept, model_id, prior=prior, stack=stack,
                      figures={"C": c})


def mean_ndcg(scores: np.ndarray, grades: np.ndarray, k: int = 5) -> float:
    """Mean nDCG@k over rows: each row of ``scores`` ``(n, n_keys)`` ranks the areas, graded by
    the same row of ``grades`` (levels, 0 = not offered); exponential gain as :mod:`matching.metrics`."""
    from matching import metrics

    keys = [str(j) for j in range(np.shape(grades)[1])]
    values = []
    for s, g in zip(np.asarray(scores), np.asarray(grades), strict=True):
        ranked = [keys[j] for j in np.argsort(-s, kind="stable")[:k]]
        values.append(metrics.ndcg_at_k(ranked, {keys[j]: float(v) for j, v in enumerate(g) if v > 0}, k))
    return metrics.mean(values)
