"""Settings from ``REGIOMATCH_*`` environment variables (and CLI options that override them)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "settings_from_env", "default_store_dir"]


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
    encoder: str = Field(default="use-multilingual", description="encoder kind: use-multilingual, onnx-int8, onnx, sentence-transformers, "
                         "use-multilingual, e5-small, minilm|use, minilm|e5, minilm+use, minilm+e5")
    model: str | None = Field(default=None, description="sentence-transformers model name or path")
    # the HTTP service (service/api)
    warm_words: int = Field(
        default=10_000, ge=0, le=100_000,
        description="the most frequent German and English words (each) whose tokens the service's encoder "
        "prepares once, so that needs in everyday words encode faster (0: none; use-multilingual only; "
        "about 180 MB and 2-3 s at start for 10,000)",
    )
    blas_threads: int = Field(
        default=1, ge=0, le=64,
        description="BLAS threads of the service process (numpy's matrix products, the use-multilingual "
        "encoder), set once at start; 1 keeps an encode from waking threads that then spin on the other "
        "cores (0: BLAS's own count, one per core)",
    )
    keys_file: str | None = Field(default=None, description="API keys file (default: <store>/auth/keys.json)")
    rate_limit: int = Field(default=600, ge=0, description="requests per minute per client on /match and /sparql (0: off)")
    max_body_bytes: int = Field(default=4 * 2**20, ge=1024, description="largest accepted request body")
    sparql_timeout_s: float = Field(default=30.0, gt=0, description="SPARQL time limit for callers with a key")
    sparql_max_rows: int = Field(default=100_000, ge=1, description="SPARQL result limit for callers with a key")
    sparql_anon_timeout_s: float = Field(default=10.0, gt=0, description="SPARQL time limit for anonymous callers")
    sparql_anon_max_rows: int = Field(default=10_000, ge=1, description="SPARQL result limit for anonymous callers")
    sparql_workers: int = Field(default=2, ge=0, le=32, description="killable SPARQL worker processes (0: in process)")


@lru_cache
def get_settings() -> Settings:
    """The process's settings, built once on first use (never at import time)."""
    return settings_from_env()


def settings_from_env() -> Settings:
    """Settings read from the ``REGIOMATCH_*`` variables now; a bad value is an ``InvalidInput``
    that names the variable, the value and what the field is, not a validation traceback."""
    from pydantic import ValidationError

    from graph.errors import InvalidInput

    try:
        return Settings()
    except ValidationError as exc:
        raise InvalidInput("; ".join(_bad_variable(err) for err in exc.errors())) from None


def _bad_variable(err: Any) -> str:
    name = str(err["loc"][0]) if err.get("loc") else ""
    field = Settings.model_fields.get(name)
    what = f" ({field.description})" if field is not None and field.description else ""
    return f"REGIOMATCH_{name.upper()}={err.get('input')!r} is not valid: {err['msg'].lower()}{what}"
