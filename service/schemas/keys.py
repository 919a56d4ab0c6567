"""Result models of ``regiomatch keys`` (the HTTP API's keys; the secret only at creation)."""

from __future__ import annotations

from service.schemas._base import Model as _Model

__all__ = ["KeyPublic", "KeysList", "KeyCreated"]


class KeyPublic(_Model):
    """A key as ``keys list`` shows it: never the key itself."""

    id: str
    scope: str
    label: str
    created: str
    revoked: str | None = None


class KeysList(_Model):
    keys: list[KeyPublic]


class KeyCreated(_Model):
    """``keys create --json``: the key, shown this once, and the file its hash went to."""

    id: str
    scope: str
    label: str
    created: str
    key: str
    file: str
