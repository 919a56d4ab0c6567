"""Batch JSON-lines I/O shared by ``match --batch`` and ``topics suggest --batch``.

Batch files are JSON lines (``-`` reads stdin). Each non-blank input line yields
exactly one compact JSON line on stdout, a result or ``{"line": n, "id": ..., "error":
"..."}`` (``service.schemas.BatchError``), so one bad line never stops a batch: bytes that are not UTF-8, invalid JSON and JSON
nested deeper than ``MAX_DEPTH`` are that line's error. Lines
are handled in chunks, so the model encodes many texts at once. A progress bar is
drawn on stderr only when stderr is a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["run_batch", "read_jsonl", "BatchLine", "CHUNK", "MAX_DEPTH"]

CHUNK = 64
Q = TypeVar("Q")


def run_batch(
    path: Path,
    what: str,
    parse: Callable[[Any], tuple[Any, Q]],
    solve: Callable[[list[Q]], Sequence[Any]],
    result: Callable[[int, Any, Any], BaseModel],
) -> None:
    """Read ``path`` and write one JSON line per non-blank input line.

    ``parse(json_value) -> (id, item)`` checks one line: it raises a ``RegiomatchError``
    for a bad one, or returns the error as its item; either is reported with the
    line's ``id`` exactly as the line gave it (see :func:`read_jsonl`); ``solve(items)`` answers a chunk of items at once, each answer a value or a
    ``RegiomatchError`` in its place; ``result(line, id, answer)`` makes the line's model.
    """
    from graph.errors import InvalidInput, RegiomatchError
    from service.schemas import BatchError

    for chunk in _chunks(_progress(read_jsonl(path), what), CHUNK):
        parsed: list[tuple[int, Any, Any]] = []
        for line in chunk:
            # the id is echoed as the line gave it, also when the line is refused
            try:
                if line.error is not None:
                    raise InvalidInput(line.error)
                parsed.append((line.line, line.id, parse(line.data)[1]))
            except RegiomatchError as exc:
                parsed.append((line.line, line.id, exc))
        items = [item for _, _, item in parsed if not isinstance(item, Exception)]
        answers = iter(solve(items) if items else ())
        for n, ident, item in parsed:
            answer = item if isinstance(item, Exception) else next(answers)
            if isinstance(answer, Exception):
                _write(BatchError(line=n, id=ident, error=str(answer)))
            else:
                _write(result(n, ident, answer))


def _write(model: BaseModel) -> None:
    typer.echo(json.dumps(model.model_dump(mode="json"), ensure_ascii=False))


def _progress(items: Iterator[Any], what: str) -> Iterator[Any]:
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return iter(tqdm(items, desc=what, unit=" lines", file=sys.stderr))


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


MAX_DEPTH = 64  # a request line is a flat object; anything deeper is refused before it is used


@dataclass(frozen=True)
class BatchLine:
    """One non-blank line of a batch file: its number, value and ``id`` as given, or an error."""

    line: int
    data: Any = None
    id: Any = None
    error: str | None = None


def read_jsonl(path: Path | str) -> Iterator[BatchLine]:
    """The non-blank lines of the JSON-lines file ``path`` ('-' for stdin); see the module docstring."""
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
