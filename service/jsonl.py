"""Reading JSON-lines batch files so that every line gets an answer.

``read_jsonl(path)`` yields one :class:`BatchLine` per non-blank line: the parsed
value, the ``id`` exactly as the line gave it, or an error message for that line
alone (bytes that are not UTF-8, invalid JSON, JSON nested deeper than
``MAX_DEPTH``). A bad line never stops the lines after it, and nothing before it
is lost. Files are read as bytes, so one bad byte spoils only its line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["BatchLine", "read_jsonl", "MAX_DEPTH"]

MAX_DEPTH = 64  # a request line is a flat object; anything deeper is refused before it is used


@dataclass(frozen=True)
class BatchLine:
    """One non-blank line of a batch file: its number, value and ``id`` as given, or an error."""

    line: int
    data: Any = None
    id: Any = None
    error: str | None = None


def read_jsonl(path: Path | str) -> Iterator[BatchLine]:
    """The lines of the JSON-lines file ``path`` ('-' for stdin); see the module docstring."""
    from graph.errors import UnreadableInput

    if str(path) == "-":
        yield from _lines(sys.stdin.buffer)
        return
    try:
        handle = Path(path).open("rb")
    except OSError as exc:
        raise UnreadableInput(f"cannot read the batch file {str(path)!r}: {exc.strerror}") from exc
    with handle:
        yield from _lines(handle)


def _lines(handle: BinaryIO) -> Iterator[BatchLine]:
    for n, raw in enumerate(handle, start=1):
        if raw.strip():
            yield parse_line(n, raw)


def parse_line(n: int, raw: bytes) -> BatchLine:
    """One line's :class:`BatchLine` (never raises)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BatchLine(n, error=f"line is not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}")
    try:
        data = json.loads(text)
    except RecursionError:
        return BatchLine(n, error=f"not valid JSON: nested more than {MAX_DEPTH} levels deep")
    except ValueError as exc:
        return BatchLine(n, error=f"not valid JSON: {exc}")
    if _depth_exceeds(data, MAX_DEPTH):
        return BatchLine(n, error=f"not valid JSON: nested more than {MAX_DEPTH} levels deep")
    ident = data.get("id") if isinstance(data, dict) else None
    return BatchLine(n, data=data, id=ident)


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if d > limit:
            return True
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return False
