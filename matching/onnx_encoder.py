"""The fast encoder: Hugging Face tokenizers + onnxruntime over a model exported once to ONNX."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput
from matching._encoding import check_texts, default_cache_dir, model_id, normalise, resolve_model_dir

if TYPE_CHECKING:
    from matching._onnx_export import ModelSpec

__all__ = ["OnnxEncoder"]


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
        self.model_id = model_id(model) + ("@onnx-int8" if quantize else "@onnx")
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
        texts = check_texts(texts)
        state = self._loaded()
        if not texts:
            return np.zeros((0, state.dim), dtype=np.float32)
        return normalise(state.run(texts, self.batch_size))

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
        directory = resolve_model_dir(self.model, allow_hub_name=True)
        spec = read_spec(directory, self.max_seq_length)
        cache_root = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        path = ensure_exported(spec, model_id(self.model), cache_root, self.quantize)

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
        if len(prepared) == 1:
            return self.run_one(prepared[0])
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

    def run_one(self, text: str) -> np.ndarray:
        """``run`` for one prepared text: no sorting or padding, and a single text's attention
        mask and token types are known (all ones, all zeros), so only the ids are converted."""
        ids = np.array(self.tokenizer.encode(text).ids, dtype=np.int64)[None, :]
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        (pooled,) = self.session.run(None, {name: feed[name] for name in self.inputs})
        return pooled
