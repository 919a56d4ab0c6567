"""API keys: created and revoked with ``regiomatch keys``, checked on every request.

A key looks like ``rmk_<id>_<secret>``; only its id, scope and an scrypt hash of the
secret (random salt, n=2**14, r=8, p=1) are stored, in a JSON file (mode 0600) —
``<store>/auth/keys.json`` by default, or ``REGIOMATCH_KEYS_FILE``. The server
re-reads the file when it changes, so a revoked key stops working at once.

Scopes: ``admin`` (everything), ``analyst`` (read companies and the whole graph),
``centre:<id>`` (edit that one centre record). A request names its key in
``X-API-Key: <key>`` or ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput, UnknownEntity

__all__ = ["Caller", "KeyRecord", "KeyStore", "ANONYMOUS", "check_scope"]

_SCOPE = re.compile(r"^(admin|analyst|centre:[A-Za-z0-9][A-Za-z0-9._-]{0,127})$")
_TOKEN = re.compile(r"^rmk_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})$")
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class Caller:
    """Who is asking: a key's id and scope, or anonymous (``key_id`` None)."""

    key_id: str | None = None
    scope: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.key_id is None

    @property
    def agent(self) -> str:
        return f"key {self.key_id} ({self.scope})" if self.key_id else "anonymous"

    def may_read_private(self) -> bool:
        return self.scope in ("admin", "analyst")

    def may_edit_centre(self, centre_id: str) -> bool:
        return self.scope == "admin" or self.scope == f"centre:{centre_id}"


ANONYMOUS = Caller()


@dataclass(frozen=True)
class KeyRecord:
    id: str
    scope: str
    label: str
    created: str
    revoked: str | None = None


def check_scope(scope: str) -> str:
    """The scope if valid, else ``InvalidInput`` naming the valid forms."""
    if not isinstance(scope, str) or not _SCOPE.match(scope):
        raise InvalidInput(f"invalid scope {scope!r}: expected admin, analyst or centre:<centre id>")
    return scope


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


class KeyStore:
    """The keys file: create, list, revoke, and check a presented key."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._records: dict[str, dict[str, Any]] = {}
        self._verified: dict[bytes, str] = {}  # sha256(token) -> key id, so scrypt runs once per key

    # -- file
    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._records, self._mtime, self._verified = {}, None, {}
            return self._records
        if mtime != self._mtime:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InvalidInput(f"cannot read the API keys file {self.path}: {exc}") from exc
            self._records = {k["id"]: k for k in data.get("keys", [])}
            self._mtime = mtime
            self._verified = {}
        return self._records

    def _save(self, records: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"keys": list(records.values())}, fh, indent=1)
        os.replace(tmp, self.path)
        self._mtime = None

    # -- management (the CLI)
    def create(self, scope: str, label: str = "") -> tuple[KeyRecord, str]:
        """A new key: its record and the token, which is shown once and never stored."""
        check_scope(scope)
        with self._lock:
            records = dict(self._load())
            key_id = secrets.token_hex(4)
            while key_id in records:
                key_id = secrets.token_hex(4)
            secret = secrets.token_urlsafe(24)
            salt = secrets.token_bytes(16)
            now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            records[key_id] = {
                "id": key_id,
                "scope": scope,
                "label": label,
                "created": now,
                "revoked": None,
                "salt": salt.hex(),
                "hash": _hash(secret, salt).hex(),
            }
            self._save(records)
        return _record(records[key_id]), f"rmk_{key_id}_{secret}"

    def list(self) -> list[KeyRecord]:
        with self._lock:
            return [_record(r) for r in sorted(self._load().values(), key=lambda r: r["created"])]

    def revoke(self, key_id: str) -> KeyRecord:
        with self._lock:
            records = dict(self._load())
            if key_id not in records:
                known = ", ".join(sorted(records)) or "none"
                raise UnknownEntity(f"no API key with id {key_id!r} (keys: {known})")
            if records[key_id]["revoked"] is None:
                records[key_id] = {**records[key_id], "revoked": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
                self._save(records)
            return _record(records[key_id])

    # -- checking (the server)
    def verify(self, token: str) -> Caller | None:
        """The caller a token belongs to, or None for an unknown, malformed or revoked key."""
        m = _TOKEN.match(token.strip())
        if not m:
            return None
        key_id, secret = m.groups()
        digest = hashlib.sha256(token.strip().encode()).digest()
        with self._lock:
            rec = self._load().get(key_id)
            if rec is None or rec.get("revoked"):
                return None
            if self._verified.get(digest) == key_id:
                return Caller(key_id, rec["scope"])
        ok = hmac.compare_digest(_hash(secret, bytes.fromhex(rec["salt"])), bytes.fromhex(rec["hash"]))
        if not ok:
            return None
        with self._lock:
            self._verified[digest] = key_id
        return Caller(key_id, rec["scope"])


def _record(r: dict[str, Any]) -> KeyRecord:
    return KeyRecord(id=r["id"], scope=r["scope"], label=r.get("label", ""), created=r["created"], revoked=r.get("revoked"))
