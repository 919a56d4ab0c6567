"""Batch JSON-lines I/O shared by ``match --batch`` and ``topics suggest --batch``.

Batch files are JSON lines (``-`` reads stdin). Each non-blank input line yields
exactly one compact JSON line on stdout, a result or ``{"line": n, "id": ..., "error":
"..."}`` (``service.schemas.BatchError``), so one bad line never stops a batch. Lines
are handled in chunks, so the model encodes many texts at once. A progress bar is
drawn on stderr only when stderr is a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["run_batch", "CHUNK"]

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
    for a bad one (reported with id null), or returns the error as its item to report
    it with the line's id; ``solve(items)`` answers a chunk of items at once, each answer a value or a
    ``RegiomatchError`` in its place; ``result(line, id, answer)`` makes the line's model.
    """
    from graph.errors import RegiomatchError
    from service.schemas import BatchError

    for chunk in _chunks(_progress(_lines(path), what), CHUNK):
        parsed: list[tuple[int, Any, Any]] = []
        for n, line in chunk:
            try:
                parsed.append((n, *parse(_parse(line))))
            except RegiomatchError as exc:
                parsed.append((n, None, exc))
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


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    from graph.errors import UnreadableInput

    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise UnreadableInput(f"cannot read the batch file {str(path)!r}: {exc.strerror}") from exc
    with handle:
        for n, line in enumerate(handle, start=1):
            if line.strip():
                yield n, line


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


def _parse(line: str) -> Any:
    from graph.errors import InvalidInput

    try:
        return json.loads(line)
    except ValueError as exc:
        raise InvalidInput(f"not valid JSON: {exc}") from None
