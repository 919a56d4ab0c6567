"""Text encoders: one narrow interface over the embedding backends.

Everything in ``matching/`` that needs vectors takes an :class:`Encoder`::

    encoder.model_id   # str, part of every cache key
    encoder.dim        # int, width of the vectors
    encoder.encode(texts) -> np.ndarray  # (len(texts), dim) float32, unit-length rows

Backends:

- :class:`OnnxEncoder` — the fast path for the CLI and service: tokenizers and
  onnxruntime only. The ONNX file is exported once from the sentence-transformers
  weights (``torch.onnx.export``) into a cache directory and optionally quantised
  to int8; later processes load it in well under a second.
- :class:`SentenceTransformerEncoder` — the reference; any sentence-transformers
  model name or folder. Slow to start (imports torch and transformers).
- :class:`HashingEncoder` — a deterministic fake for unit tests and offline
  smoke runs. It is not a semantic matcher.

:func:`make_encoder` builds one by name from the registry :data:`ENCODERS`; the
backends live in ``matching.onnx_encoder`` and ``matching.st_encoder``. No backend
loads anything at import time; models load on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from graph.errors import InvalidInput
from matching._encoding import DEFAULT_MODEL_ID, default_cache_dir
from matching.onnx_encoder import OnnxEncoder
from matching.st_encoder import HashingEncoder, SentenceTransformerEncoder

__all__ = [
    "Encoder",
    "OnnxEncoder",
    "SentenceTransformerEncoder",
    "HashingEncoder",
    "make_encoder",
    "ENCODERS",
    "ENCODER_KINDS",
    "DEFAULT_MODEL_ID",
    "default_cache_dir",
]


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into unit-length vectors of one fixed width."""

    model_id: str

    @property
    def dim(self) -> int:
        """Width of the vectors."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape ``(len(texts), dim)`` with L2-normalised rows."""
        ...


def _hashing(model: str | os.PathLike[str] | None, cache_dir: str | os.PathLike[str] | None, threads: int) -> Encoder:
    if model is not None:
        raise InvalidInput(f"the hashing encoder takes no model, got model={model!r}")
    return HashingEncoder()


# The encoder kinds, by name: ``kind -> factory(model, cache_dir, threads)``. A new backend
# (in its own module) registers here; settings, ``--encoder`` and ``make_encoder`` take the names.
ENCODERS: dict[str, Callable[[str | os.PathLike[str] | None, str | os.PathLike[str] | None, int], Encoder]] = {
    "onnx-int8": lambda model, cache_dir, threads: OnnxEncoder(
        model, cache_dir=cache_dir, quantize=True, threads=threads
    ),
    "onnx": lambda model, cache_dir, threads: OnnxEncoder(model, cache_dir=cache_dir, quantize=False, threads=threads),
    "sentence-transformers": lambda model, cache_dir, threads: SentenceTransformerEncoder(model),
    "hashing": _hashing,
}


def _multilingual(kind: str) -> Callable[[str | os.PathLike[str] | None, str | os.PathLike[str] | None, int], Encoder]:
    def factory(model: str | os.PathLike[str] | None, cache_dir: str | os.PathLike[str] | None, threads: int) -> Encoder:
        from matching.multilingual import make_multilingual

        return make_multilingual(kind, model=model, cache_dir=cache_dir, threads=threads)

    return factory


# matching.multilingual: USE multilingual v3, multilingual-e5-small and their mixes with MiniLM
for _kind in ("use-multilingual", "e5-small", "minilm|use", "minilm|e5", "minilm+use", "minilm+e5"):
    ENCODERS[_kind] = _multilingual(_kind)
ENCODER_KINDS = tuple(ENCODERS)


def make_encoder(
    kind: str = "onnx-int8",
    model: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    threads: int = 0,
) -> Encoder:
    """Build an encoder by name.

    ``kind`` is one of :data:`ENCODER_KINDS` (the keys of :data:`ENCODERS`); ``model`` is a
    sentence-transformers model name or folder (None: the packaged all-MiniLM-L6-v2);
    ``cache_dir`` is where ONNX exports live (None: :func:`default_cache_dir`); ``threads``
    is the ONNX backends' intra-op thread count (0: one per core; see :class:`OnnxEncoder`) and
    ``use-multilingual``'s BLAS thread count (0: the process's own, one per core).
    """
    factory = ENCODERS.get(kind)
    if factory is None:
        raise InvalidInput(f"unknown encoder kind {kind!r}; valid kinds: {', '.join(ENCODER_KINDS)}")
    return factory(model, cache_dir, threads)
