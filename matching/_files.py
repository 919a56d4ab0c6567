"""Files of the matcher: atomic replacement (a file is either the old one or the complete new one,
never half written), and the deterministic gzip'd JSON of the committed model artefacts."""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

__all__ = ["gzip_json", "load_artefact", "read_gzip_json", "read_json", "replacing", "rounded", "write_atomic"]


def read_json(path: str | os.PathLike[str], what: str, missing: str) -> Any:
    """The JSON document at ``path``; ``UnreadableInput`` saying ``missing`` when there is no file,
    or naming ``what`` it should have been when it cannot be read or parsed."""
    from graph.errors import UnreadableInput

    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnreadableInput(missing) from None
    except (OSError, ValueError) as exc:
        raise UnreadableInput(f"cannot read the {what} {os.fspath(path)!r}: {exc}") from exc


def load_artefact(path: str | Path | None, default: Path, what: str, parse: Callable[[bytes, str], T]) -> T | None:
    """A committed model artefact: the file at ``path`` (default: ``default``; None when that file is
    absent, ``UnreadableInput`` when a given one is) turned into an object by ``parse(bytes, source)``,
    once per process while the file is unchanged (every suggester and matcher shares it)."""
    from graph.errors import UnreadableInput

    p = Path(path) if path is not None else default
    if not p.is_file():
        if path is not None:
            raise UnreadableInput(f"{p}: no such {what} file")
        return None
    st = p.stat()
    return _parsed(parse, str(p.resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _parsed(parse: Callable[[bytes, str], T], path: str, _mtime_ns: int, _size: int) -> T:
    """What ``parse`` makes of the file at ``path`` as it was at that modification time and size."""
    return parse(Path(path).read_bytes(), path)


def rounded(values: Any) -> list[Any]:
    """A vector (or matrix, by rows) as floats rounded to 6 decimals, so an artefact's bytes carry no noise."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim <= 1:
        return [round(float(v), 6) for v in arr.reshape(-1)]
    return [rounded(row) for row in arr]


def gzip_json(doc: dict[str, Any]) -> bytes:
    """``doc`` as gzip'd JSON with sorted keys and no timestamp: the same document, the same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as f:
        f.write(json.dumps(doc, indent=None, sort_keys=True).encode("utf-8"))
    return buf.getvalue()


def read_gzip_json(data: bytes, expected_format: str) -> dict[str, Any]:
    """The document of :func:`gzip_json` bytes; ``ValueError`` (or ``OSError``) if they are not one
    of ``expected_format``."""
    doc = json.loads(gzip.decompress(data))
    if not isinstance(doc, dict) or doc.get("format") != expected_format:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ValueError(f"format {found!r}, expected {expected_format!r}")
    return doc


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
