"""Every error regiomatch raises on purpose, in one hierarchy.

    RegiomatchError
    ├── InvalidInput            bad value from a user: names it and what is valid
    │   ├── InvalidKey          a malformed AGS, NACE code, id or graph name
    │   ├── UnknownFormat       a file format we cannot read or write
    │   └── LimitExceeded       a query ran past its time or row limit
    ├── UnknownEntity           a well-formed key that is not in the store
    ├── UnreadableInput         a file that is missing, unparseable or unsafe
    ├── ValidationFailed        data that breaks the SHACL shapes (carries the report)
    ├── StoreError              the store cannot be opened, read or written
    │   └── StoreBusy           another process is writing to the store
    └── NotFitted               a matcher used before ``fit``

Domain code raises these; ``service/`` maps them to exit codes and HTTP statuses
in one place. Messages name the bad value and, where a list is short enough,
what would be valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "RegiomatchError",
    "InvalidInput",
    "InvalidKey",
    "UnknownFormat",
    "LimitExceeded",
    "UnknownEntity",
    "UnreadableInput",
    "ValidationFailed",
    "Violation",
    "StoreError",
    "StoreBusy",
    "NotFitted",
    "shown",
]


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for echoing a user's value in a message."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(str(value)):,} characters)"


class RegiomatchError(Exception):
    """Base of every error regiomatch raises on purpose."""


class InvalidInput(RegiomatchError, ValueError):
    """A value given by a user is not acceptable."""


class InvalidKey(InvalidInput):
    """A key (AGS, NACE code, id, graph name) is malformed."""


class UnknownFormat(InvalidInput):
    """A serialisation format is not supported."""


class LimitExceeded(InvalidInput):
    """A query ran longer than its time limit or returned more rows than its row limit."""


class UnknownEntity(RegiomatchError, LookupError):
    """A well-formed key names nothing in the store."""


class UnreadableInput(RegiomatchError):
    """An input file is missing, cannot be parsed, or is unsafe to parse."""


class StoreError(RegiomatchError):
    """The store cannot be opened, read or written."""


class StoreBusy(StoreError):
    """Another process holds the store's writer lock."""


class NotFitted(RegiomatchError):
    """A matcher was used before ``fit`` was called."""


@dataclass(frozen=True)
class Violation:
    """One SHACL violation: the offending node, the property path and the message."""

    focus: str
    path: str | None
    message: str
    value: str | None = None
    severity: str = "Violation"

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        val = f" (value: {self.value})" if self.value is not None else ""
        return f"{where}: {self.message}{val}"


@dataclass
class ValidationFailed(RegiomatchError):
    """Data breaks the shapes; ``violations`` lists each offending node."""

    source: str
    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.source}: {len(self.violations)} SHACL violation(s)"
        return "\n".join([head, *(f"  - {v}" for v in self.violations)])
