"""Atomic file replacement: a file is either the old one or the complete new one, never half written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "write_atomic"]


@contextlib.contextmanager
def replacing(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to; it replaces ``target`` when the block
    ends without an error, and is removed otherwise (the directory is created if needed)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` through :func:`replacing`."""
    with replacing(target) as tmp:
        tmp.write_bytes(data)
