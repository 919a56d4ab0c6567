"""A persistent cache of text vectors, keyed by sha256(text) and the encoder's model id.

Profiles change rarely and encoding them is the slow part of building an index,
so vectors are kept on disk: a restart re-encodes nothing, and a changed
profile text (a new hash) is encoded alone.

Layout: one file per model id, ``<directory>/<model-slug>-<sha256(model_id)[:12]>.npz``
holding ``keys`` (n, 32) uint8 (sha256 digests), ``vectors`` (n, dim) float32
and ``model_id``. It is rewritten whole to a temporary file and renamed, so a
reader never sees a half-written cache; when two processes flush, entries the
other wrote since we loaded are merged in rather than lost.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graph.errors import InvalidInput, UnreadableInput
from matching._files import replacing
from matching.encoder import Encoder

__all__ = ["VectorCache", "CacheStats", "CacheNotWritable"]


class CacheNotWritable(UserWarning):
    """The vector cache directory cannot be written; vectors stay in memory."""


@dataclass(frozen=True)
class CacheStats:
    """Lookups since the cache was opened, and the number of vectors it holds.

    ``hits`` counts texts served without encoding (including repeats within one
    call), ``misses`` counts distinct texts that had to be encoded.
    """

    hits: int
    misses: int
    size: int


class VectorCache:
    """Vectors for texts under one model id, persisted in ``directory``.

    Safe to share between threads (a web server's pool): lookups and inserts
    take a lock, encoding does not, so two threads may occasionally encode the
    same new text; the result is the same. ``autosave`` writes the file after
    every call that encoded something; otherwise call :meth:`flush`.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        model_id: str,
        *,
        batch_size: int = 64,
        autosave: bool = True,
    ) -> None:
        if not model_id:
            raise InvalidInput("model_id must be a non-empty string")
        self.directory = Path(directory)
        self.model_id = model_id
        self.batch_size = batch_size
        self.autosave = autosave
        self._lock = threading.RLock()
        self._index: dict[bytes, int] | None = None  # digest -> row of _vectors
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._dirty = False
        self._pruned: set[bytes] = set()  # so a merge on save does not bring them back
        self._hits = 0
        self._misses = 0

    @property
    def path(self) -> Path:
        """The file holding this model's vectors."""
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", self.model_id).strip("._")[:60]
        digest = hashlib.sha256(self.model_id.encode()).hexdigest()[:12]
        return self.directory / f"{slug}-{digest}.npz"

    def encode(self, texts: Sequence[str], encoder: Encoder) -> np.ndarray:
        """Vectors for ``texts``, shape ``(len(texts), encoder.dim)``, encoding only unseen texts.

        Raises :class:`InvalidInput` if ``encoder.model_id`` is not this cache's model id.
        """
        if encoder.model_id != self.model_id:
            raise InvalidInput(
                f"encoder model id {encoder.model_id!r} does not match the cache's "
                f"{self.model_id!r}; open a VectorCache per model id"
            )
        if isinstance(texts, str):
            raise InvalidInput(f"encode() takes a sequence of texts, not one string: {texts[:40]!r}")
        digests = [_digest(text) for text in texts]
        with self._lock:
            index = self._loaded()
            missing: dict[bytes, str] = {}
            for digest, text in zip(digests, texts):
                if digest not in index and digest not in missing:
                    missing[digest] = text
            self._misses += len(missing)
            self._hits += len(texts) - len(missing)
        if missing:
            new = self._encode_in_batches(list(missing.values()), encoder)
            with self._lock:
                self._insert(list(missing), new)
                if self.autosave:
                    self._save()
        with self._lock:
            index = self._loaded()
            if not digests:
                width = self._vectors.shape[1] or encoder.dim
                return np.zeros((0, width), dtype=np.float32)
            return self._vectors[[index[d] for d in digests]]

    def prune(self, keep: Iterable[str]) -> int:
        """Drop vectors of texts not in ``keep`` (e.g. old versions of profiles); returns how many."""
        wanted = {_digest(text) for text in keep}
        with self._lock:
            index = self._loaded()
            stale = [d for d in index if d not in wanted]
            if stale:
                rows = sorted(index[d] for d in index if d in wanted)
                kept_keys = sorted((d for d in index if d in wanted), key=index.__getitem__)
                self._vectors = self._vectors[rows]
                self._index = {d: i for i, d in enumerate(kept_keys)}
                self._dirty = True
                self._pruned.update(stale)
                if self.autosave:
                    self._save(merge=False)
            return len(stale)

    def stats(self) -> CacheStats:
        """Hits and misses since this object was created, and the number of cached vectors."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._loaded()))

    def flush(self) -> None:
        """Write pending vectors to disk (no-op if nothing changed)."""
        with self._lock:
            if self._dirty:
                self._save()

    def __len__(self) -> int:
        return self.stats().size

    # -- internals -----------------------------------------------------------------------

    def _encode_in_batches(self, texts: list[str], encoder: Encoder) -> np.ndarray:
        parts = [
            encoder.encode(texts[start : start + self.batch_size])
            for start in range(0, len(texts), self.batch_size)
        ]
        vectors = np.concatenate(parts).astype(np.float32, copy=False)
        if vectors.shape != (len(texts), encoder.dim):
            raise InvalidInput(
                f"encoder {encoder.model_id!r} returned shape {vectors.shape}, "
                f"expected {(len(texts), encoder.dim)}"
            )
        return vectors

    def _loaded(self) -> dict[bytes, int]:
        if self._index is None:
            keys, vectors = self._read()
            self._index = {bytes(k): i for i, k in enumerate(keys)}
            self._vectors = vectors
        return self._index

    def _insert(self, digests: list[bytes], vectors: np.ndarray) -> None:
        index = self._loaded()
        fresh = [(d, v) for d, v in zip(digests, vectors) if d not in index]
        if not fresh:
            return
        if self._vectors.size and self._vectors.shape[1] != vectors.shape[1]:
            raise InvalidInput(
                f"vectors of width {vectors.shape[1]} do not fit cache {self.path} "
                f"(width {self._vectors.shape[1]}) for model id {self.model_id!r}"
            )
        start = len(index)
        for offset, (digest, _) in enumerate(fresh):
            index[digest] = start + offset
        block = np.stack([v for _, v in fresh])
        self._vectors = block if start == 0 else np.concatenate([self._vectors, block])
        self._dirty = True

    def _read(self) -> tuple[np.ndarray, np.ndarray]:
        """Keys (n, 32) uint8 and vectors (n, dim) float32 from disk; empty if absent."""
        empty = (np.zeros((0, 32), dtype=np.uint8), np.zeros((0, 0), dtype=np.float32))
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["model_id"]) != self.model_id:
                    return empty  # slug collision with another model id
                keys, vectors = data["keys"], data["vectors"].astype(np.float32, copy=False)
        except FileNotFoundError:
            return empty
        except (OSError, ValueError, KeyError) as exc:
            raise UnreadableInput(f"{self.path}: vector cache is unreadable ({exc})") from exc
        if keys.ndim != 2 or keys.shape[1] != 32 or len(keys) != len(vectors):
            raise UnreadableInput(f"{self.path}: vector cache is inconsistent; delete it")
        return keys, vectors

    def _save(self, merge: bool = True) -> None:
        index = self._loaded()
        if merge:
            # Keep what another process added since we loaded.
            keys, vectors = self._read()
            theirs = [
                (bytes(k), v) for k, v in zip(keys, vectors)
                if bytes(k) not in index and bytes(k) not in self._pruned
            ]
            if theirs and (not self._vectors.size or vectors.shape[1] == self._vectors.shape[1]):
                self._insert([k for k, _ in theirs], np.stack([v for _, v in theirs]))
        keys = np.zeros((len(index), 32), dtype=np.uint8)
        for digest, row in index.items():
            keys[row] = np.frombuffer(digest, dtype=np.uint8)
        try:
            with replacing(self.path) as tmp, tmp.open("wb") as fh:
                np.savez(fh, keys=keys, vectors=self._vectors, model_id=np.array(self.model_id))
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            # a read-only store: keep the vectors in memory for this run, say so once
            self.autosave = False
            warnings.warn(
                f"the vector cache {self.directory} is not writable ({exc.strerror}); "
                "vectors are encoded in memory for this run",
                CacheNotWritable,
                stacklevel=2,
            )
            return
        self._dirty = False


def _digest(text: str) -> bytes:
    if not isinstance(text, str):
        raise InvalidInput(f"expected a text (str), got {type(text).__name__} {text!r}")
    return hashlib.sha256(text.encode("utf-8")).digest()
