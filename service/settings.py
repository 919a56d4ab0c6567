"""Settings from ``REGIOMATCH_*`` environment variables (and CLI options that override them)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "default_store_dir"]


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def default_store_dir() -> str:
    """Per-user default store: ``$XDG_DATA_HOME/regiomatch/store`` (~/.local/share/...)."""
    return str(_xdg("XDG_DATA_HOME", ".local/share") / "regiomatch" / "store")


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``REGIOMATCH_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="REGIOMATCH_", extra="ignore")

    store: str = Field(default_factory=default_store_dir, description="store directory or SPARQL URL")
    update_url: str | None = Field(default=None, description="SPARQL update URL of a remote store, if not the store URL")
    lock_wait: float = Field(default=10.0, ge=0, description="seconds a writer waits for another writer to finish")
    cache_dir: str | None = Field(
        default=None,
        description="cache of model exports (models/) and of a remote store's vectors and weights; "
        "None: $XDG_CACHE_HOME/regiomatch (see service.runtime)",
    )
    encoder: str = Field(default="onnx-int8", description="encoder kind: onnx-int8, onnx, sentence-transformers, "
                         "use-multilingual, e5-small, minilm|use, minilm|e5, minilm+use, minilm+e5")
    model: str | None = Field(default=None, description="sentence-transformers model name or path")


@lru_cache
def get_settings() -> Settings:
    """The process's settings, built once on first use (never at import time)."""
    return Settings()
