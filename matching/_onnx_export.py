"""Export a sentence-transformers model directory to ONNX, once per machine.

Private to :mod:`matching.encoder`. The export needs torch and transformers
(the ``match`` extra); loading the exported file afterwards needs only
onnxruntime and tokenizers.

Layout of the cache::

    <cache_dir>/<model-slug>/<weights-sha256[:16]>/
        model.onnx            fp32, mean (or CLS) pooling inside the graph
        model-int8.onnx       dynamically quantised copy (per-channel int8 MatMul)
        export.json           what was exported, from which weights, how long it took

Files are written to a temporary name in the same directory and renamed into
place, so concurrent processes never see a half-written model; an advisory
lock (POSIX) keeps them from doing the same export twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InvalidInput, UnreadableInput
from matching._files import replacing, write_atomic

__all__: list[str] = []  # private module

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# Which MatMuls stay fp32 in the int8 model. The FFN up-projection (hidden ->
# 4*hidden, followed by GELU) is the most sensitive to int8 weights in MiniLM;
# keeping it in fp32 halves the worst-case drift for ~1 ms more per query
# (see bench/bench_encoder.py for the figures).
_KEEP_FP32 = re.compile(r"/intermediate/dense/")


@dataclass(frozen=True)
class ModelSpec:
    """What the encoder needs to know about a sentence-transformers model directory."""

    directory: Path
    weights: Path
    max_seq_length: int
    pooling: str  # "mean" or "cls"
    do_lower_case: bool


def read_spec(directory: Path, max_seq_length: int | None = None) -> ModelSpec:
    """Read tokenizer, pooling and truncation settings from a sentence-transformers folder.

    Raises :class:`UnreadableInput` if the folder lacks weights or ``tokenizer.json``,
    :class:`InvalidInput` for a pooling mode other than mean or CLS.
    """
    weights = next((directory / f for f in _WEIGHT_FILES if (directory / f).is_file()), None)
    if weights is None:
        raise UnreadableInput(
            f"{directory}: no model weights found (looked for {', '.join(_WEIGHT_FILES)})"
        )
    if not (directory / "tokenizer.json").is_file():
        raise UnreadableInput(f"{directory}: no tokenizer.json (a fast tokenizer is required)")
    st_config = _read_json(directory / "sentence_bert_config.json")
    pooling_config = _read_json(directory / "1_Pooling" / "config.json")
    if pooling_config.get("pooling_mode_cls_token"):
        pooling = "cls"
    elif pooling_config.get("pooling_mode_mean_tokens", True):
        pooling = "mean"
    else:
        raise InvalidInput(
            f"{directory}: pooling {pooling_config!r} is not supported by the ONNX encoder; "
            "supported: mean, cls (use kind='sentence-transformers' for this model)"
        )
    length = max_seq_length or int(st_config.get("max_seq_length", 256))
    return ModelSpec(
        directory=directory,
        weights=weights,
        max_seq_length=length,
        pooling=pooling,
        do_lower_case=bool(st_config.get("do_lower_case", False)),
    )


def weights_digest(weights: Path, cache_root: Path) -> str:
    """sha256 of a weights file, remembered by (path, size, mtime) so it is hashed once."""
    stat = weights.stat()
    stamp_key = hashlib.sha256(
        f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    ).hexdigest()[:24]
    stamp = cache_root / "digests" / stamp_key
    with contextlib.suppress(OSError):
        digest = stamp.read_text().strip()
        if re.fullmatch(r"[0-9a-f]{64}", digest):
            return digest
    sha = hashlib.sha256()
    with weights.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    digest = sha.hexdigest()
    with contextlib.suppress(OSError):
        write_atomic(stamp, digest.encode())
    return digest


def ensure_exported(spec: ModelSpec, slug: str, cache_root: Path, quantize: bool) -> Path:
    """Return the path of the ONNX file for ``spec``, exporting (and quantising) it if missing."""
    target_dir = cache_root / _safe_name(slug) / weights_digest(spec.weights, cache_root)[:16]
    fp32 = target_dir / "model.onnx"
    int8 = target_dir / "model-int8.onnx"
    wanted = int8 if quantize else fp32
    if wanted.is_file():
        return wanted
    target_dir.mkdir(parents=True, exist_ok=True)
    with _export_lock(target_dir / ".lock"):
        if wanted.is_file():  # another process finished while we waited
            return wanted
        info = _read_json(target_dir / "export.json")
        if not fp32.is_file():
            started = time.perf_counter()
            _export_fp32(spec, fp32)
            info.update(source=str(spec.directory), weights_sha256=weights_digest(
                spec.weights, cache_root), pooling=spec.pooling,
                export_seconds=round(time.perf_counter() - started, 2))
        if quantize:
            started = time.perf_counter()
            _quantize(fp32, int8)
            info["quantize_seconds"] = round(time.perf_counter() - started, 2)
        write_atomic(target_dir / "export.json", json.dumps(info, indent=2).encode())
    return wanted


def _export_fp32(spec: ModelSpec, target: Path) -> None:
    """Trace the transformer plus pooling with dynamic batch and sequence axes."""
    import inspect

    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(spec.directory), attn_implementation="eager").eval()
    takes_types = "token_type_ids" in inspect.signature(model.forward).parameters
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])
    wrapper = _pooled_class()(model, spec.pooling, takes_types).eval()
    dummy = tuple(torch.ones(2, 8, dtype=torch.long) for _ in names)
    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    axes["sentence_embedding"] = {0: "batch"}
    with replacing(target) as tmp, torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent branches
        torch.onnx.export(
            wrapper,
            dummy,
            str(tmp),
            dynamo=False,  # the TorchScript exporter needs no onnxscript
            input_names=names,
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=17,
        )


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of weight MatMuls, per output channel."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    keep = [n.name for n in graph.node if n.op_type == "MatMul" and _KEEP_FP32.search(n.name)]
    with replacing(target) as tmp:
        quantize_dynamic(
            str(source),
            str(tmp),
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=keep,
        )


def _pooled_class() -> type:
    """The torch module wrapping transformer + pooling (built lazily: torch is optional)."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module, pooling: str, takes_types: bool) -> None:
            super().__init__()
            self.model = model
            self.pooling = pooling
            self.takes_types = takes_types

        def forward(self, input_ids, attention_mask, token_type_ids=None):  # type: ignore[no-untyped-def]
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if self.takes_types:
                kwargs["token_type_ids"] = token_type_ids
            hidden = self.model(**kwargs).last_hidden_state
            if self.pooling == "cls":
                return hidden[:, 0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    return Pooled


@contextlib.contextmanager
def _export_lock(path: Path) -> Iterator[None]:
    """Advisory lock so two processes do not export at once (renames keep it safe anyway)."""
    try:
        import fcntl
    except ImportError:  # Windows: rely on atomic renames alone
        yield
        return
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UnreadableInput(f"{path}: cannot read JSON ({exc})") from exc


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "model"
