"""Shared plumbing of the matchers: the estimator contract, encoders, input checks.

The matchers follow scikit-learn's contract (``get_params``/``set_params``, so
``sklearn.base.clone`` works) without importing scikit-learn, which costs the
command line almost a second.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput, NotFitted

if TYPE_CHECKING:
    from matching.cache import VectorCache
    from matching.encoder import Encoder

__all__ = [
    "Estimator",
    "resolve_encoder",
    "encode_cached",
    "matvec",
    "linear_logits",
    "check_text",
    "check_k",
    "MAX_TEXT_CHARS",
    "MAX_K",
]

MAX_TEXT_CHARS = 10_000
MAX_K = 1000


class Estimator:
    """``get_params`` / ``set_params`` / ``repr`` from the ``__init__`` signature."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.name != "self" and p.kind == p.KEYWORD_ONLY]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyper-parameters given to ``__init__``."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Estimator:
        """Change hyper-parameters (takes effect at the next ``fit``)."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise InvalidInput(
                    f"{type(self).__name__} has no parameter {name!r}; valid: {', '.join(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        shown = [
            f"{k}={v!r}"
            for k, v in self.get_params().items()
            if sig.parameters[k].default is not v and sig.parameters[k].default != v
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    def _check_fitted(self, attribute: str) -> None:
        if not hasattr(self, attribute):
            raise NotFitted(f"this {type(self).__name__} is not fitted yet: call fit(catalogue) first")


def resolve_encoder(
    encoder: str | Encoder, model: str | os.PathLike[str] | None, model_cache_dir: str | None
) -> Encoder:
    """An encoder instance from a kind name (``make_encoder``) or the instance itself."""
    if isinstance(encoder, str):
        from matching.encoder import make_encoder

        return make_encoder(encoder, model=model, cache_dir=model_cache_dir)
    if not hasattr(encoder, "encode"):
        from matching.encoder import ENCODER_KINDS

        raise InvalidInput(
            f"encoder must be a kind name ({', '.join(ENCODER_KINDS)}) "
            f"or an object with encode(texts), got {encoder!r}"
        )
    return encoder


def encode_cached(
    texts: Sequence[str], encoder: Encoder, vector_cache: str | os.PathLike[str] | None
) -> np.ndarray:
    """Encode ``texts`` -> float32 ``(len(texts), dim)``, through the vector cache if one is set."""
    if not texts:
        dim = int(getattr(encoder, "dim", 0) or encoder.encode(["x"]).shape[1])
        return np.zeros((0, dim), dtype=np.float32)
    if vector_cache is None:
        return np.asarray(encoder.encode(list(texts)), dtype=np.float32)
    cache = _vector_cache(str(Path(vector_cache).expanduser().resolve()), encoder.model_id)
    return np.asarray(cache.encode(list(texts), encoder), dtype=np.float32)


@functools.lru_cache(maxsize=8)
def _vector_cache(directory: str, model_id: str) -> VectorCache:
    """One cache object per directory and model, so fitting the ranker and its topic
    suggesters reads the cache file once instead of once per estimator."""
    from matching.cache import VectorCache

    return VectorCache(directory, model_id)


def linear_logits(vectors: np.ndarray, coef: np.ndarray, intercept: np.ndarray, what: str) -> np.ndarray:
    """``vectors (n, d) @ coef (d, k) + intercept`` for one text vector or many, without BLAS threads;
    ``InvalidInput`` naming ``what`` when the vectors have another dimension than ``coef``."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    if vectors.shape[1] != coef.shape[0]:
        raise InvalidInput(f"vectors have {vectors.shape[1]} dimensions; this {what} wants {coef.shape[0]}")
    return np.einsum("nd,dk->nk", vectors, coef) + intercept


def matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix (n, d) @ vector (d,)`` -> ``(n,)`` without BLAS threads.

    On small machines OpenBLAS's threaded matrix-vector product is up to 10x slower
    than one core when the other core is busy; a single query never needs threads.
    """
    return np.einsum("ij,j->i", matrix, vector.astype(matrix.dtype, copy=False))


def check_text(text: object, *, required: bool = True, what: str = "text") -> str:
    """Validate free text: a string of at most ``MAX_TEXT_CHARS`` characters that is valid UTF-8.

    Over-long text is refused rather than silently cut, so a caller never gets a
    ranking for a text it did not mean; ``required`` refuses empty text too. Lone
    surrogates (``"\\ud800"`` from a JSON escape or a shell ``$'...'``) are refused
    here because the tokenizers and the vector cache cannot encode them.
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be a string, got {type(text).__name__} {text!r:.60}")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"{what} has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,} "
            f"(shorten it to the need itself): {text[:40]!r}…"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise InvalidInput(
            f"{what} is not valid UTF-8 at position {exc.start}: U+{ord(bad):04X} is a lone surrogate "
            f"(a broken \\u escape, or bytes that are not UTF-8): "
            f"{text[max(0, exc.start - 20) : exc.start + 20]!r}"
        ) from None
    if required and not text.strip():
        raise InvalidInput(f"{what} is empty ({text!r}): describe the need in a few words")
    return text


def check_k(k: object) -> int:
    """Validate a result count: an integer from 1 to ``MAX_K``."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= int(k) <= MAX_K:
        raise InvalidInput(f"k must be an integer from 1 to {MAX_K}, got {k!r}")
    return int(k)
