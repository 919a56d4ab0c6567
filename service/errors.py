"""One table from domain errors to what each edge reports: exit codes and HTTP statuses.

The domain (``graph/``, ``matching/``) raises ``graph.errors`` classes and knows
neither table. The command line exits with :func:`exit_code` (README: 0 success,
1 violations / unknown entity / store problem, 2 bad input); the HTTP API answers
with :func:`http_status`. The most specific class listed first wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import (
    InvalidInput,
    NotFitted,
    RegiomatchError,
    StoreError,
    UnknownEntity,
    UnreadableInput,
    ValidationFailed,
)

__all__ = ["Outcome", "ERRORS", "outcome", "exit_code", "http_status"]


@dataclass(frozen=True)
class Outcome:
    """How an edge reports one kind of domain error."""

    exit_code: int
    http_status: int


ERRORS: tuple[tuple[type[RegiomatchError], Outcome], ...] = (
    (ValidationFailed, Outcome(1, 422)),  # the data breaks the shapes
    (InvalidInput, Outcome(2, 422)),  # includes InvalidKey, UnknownFormat
    (UnreadableInput, Outcome(2, 400)),
    (UnknownEntity, Outcome(1, 404)),
    (StoreError, Outcome(1, 503)),
    (NotFitted, Outcome(1, 503)),
    (RegiomatchError, Outcome(1, 500)),
)


def outcome(exc: RegiomatchError) -> Outcome:
    """The row of :data:`ERRORS` for ``exc``."""
    return next(o for cls, o in ERRORS if isinstance(exc, cls))


def exit_code(exc: RegiomatchError) -> int:
    """The command line's exit code for ``exc``."""
    return outcome(exc).exit_code


def http_status(exc: RegiomatchError) -> int:
    """The HTTP API's status code for ``exc``."""
    return outcome(exc).http_status
