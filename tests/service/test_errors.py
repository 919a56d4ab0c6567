"""The one table from domain errors to exit codes (README) and HTTP statuses."""

from __future__ import annotations

import pytest

from graph.errors import (
    InvalidInput,
    InvalidKey,
    NotFitted,
    RegiomatchError,
    StoreError,
    UnknownEntity,
    UnknownFormat,
    UnreadableInput,
    ValidationFailed,
)
from service.errors import exit_code, http_status


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (InvalidInput("x"), 2, 422),
        (InvalidKey("x"), 2, 422),
        (UnknownFormat("x"), 2, 422),
        (UnreadableInput("x"), 2, 400),
        (UnknownEntity("x"), 1, 404),
        (StoreError("x"), 1, 503),
        (NotFitted("x"), 1, 503),
        (ValidationFailed("x", []), 1, 422),
        (RegiomatchError("x"), 1, 500),
    ],
)
def test_each_domain_error_has_its_exit_code_and_status(error: RegiomatchError, code: int, status: int) -> None:
    assert (exit_code(error), http_status(error)) == (code, status)
