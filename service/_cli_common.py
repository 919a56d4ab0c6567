"""Helpers shared by the CLI modules: store option, JSON output, error translation."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from service.settings import get_settings

__all__ = ["emit_json", "fail", "handle_errors", "resolve_store", "open_cli_store", "exit_code", "STORE_HELP"]

STORE_HELP = "Store directory or SPARQL endpoint URL [env: REGIOMATCH_STORE]"

F = TypeVar("F", bound=Callable[..., Any])

def resolve_store(store: str | None) -> str:
    """The store location: the option if given, else REGIOMATCH_STORE, else the per-user default."""
    return store or get_settings().store


def open_cli_store(store: str | None, *, read_only: bool = False) -> Any:
    """Open the store the option or settings name (a remote one with its update URL)."""
    from graph.store import open_store

    return open_store(resolve_store(store), read_only=read_only, update_url=get_settings().update_url)


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8, non-ASCII kept)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int) -> None:
    """Print ``message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def exit_code(exc: Exception) -> int:
    """The exit code for a domain error (see module docstring)."""
    from graph.errors import InvalidInput, UnreadableInput

    return 2 if isinstance(exc, InvalidInput | UnreadableInput) else 1


def handle_errors(fn: F) -> F:
    """Turn ``RegiomatchError`` into one clear stderr line and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from graph.errors import RegiomatchError

        try:
            return fn(*args, **kwargs)
        except RegiomatchError as exc:
            fail(str(exc), exit_code(exc))
        except BrokenPipeError:  # the reader went away (`regiomatch … | head`): stop quietly
            _silence_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:  # a file or directory problem the domain code did not name
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            fail(f"{exc.strerror or exc}{where}", 1)
        except KeyboardInterrupt:
            fail("interrupted", 130)

    return wrapper  # type: ignore[return-value]


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush raises nothing."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
