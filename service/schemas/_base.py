"""The base of every result model: frozen, and refusing fields it does not name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Model"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
