"""What every command shares: the common options, the runtime, JSON output, error translation."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel

    from service.runtime import Runtime

__all__ = [
    "StoreOpt", "JsonOpt", "EncoderOpt", "BatchOpt", "STORE_HELP",
    "runtime", "emit", "fail", "handle_errors",
]

STORE_HELP = "Store directory or SPARQL endpoint URL [env: REGIOMATCH_STORE]"
StoreOpt = Annotated[str | None, typer.Option("--store", help=STORE_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
EncoderOpt = Annotated[
    str | None,
    typer.Option("--encoder", help="onnx-int8 | onnx | sentence-transformers | use-multilingual | e5-small | minilm|use | minilm|e5 "
        "| minilm+use | minilm+e5 | hashing [env: REGIOMATCH_ENCODER]"),
]
BatchOpt = Annotated[
    Path | None,
    typer.Option("--batch", help="JSON-lines file ('-' for stdin); one JSON result per line on stdout."),
]

F = TypeVar("F", bound=Callable[..., Any])


def runtime(store: str | None = None, encoder: str | None = None) -> Runtime:
    """The settings with the command's ``--store`` / ``--encoder`` taking precedence."""
    from service.runtime import runtime as make

    return make(store=store, encoder=encoder)


def emit(model: BaseModel, **dump: Any) -> None:
    """Print a result model as indented JSON (UTF-8, non-ASCII kept); ``dump`` goes to ``model_dump``."""
    typer.echo(json.dumps(model.model_dump(mode="json", **dump), ensure_ascii=False, indent=2))


def fail(message: str, code: int) -> None:
    """Print ``message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn a domain error into one clear stderr line and its exit code (``service.errors``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import warnings

        from graph.errors import RegiomatchError
        from service.errors import exit_code

        try:
            with warnings.catch_warnings():
                warnings.showwarning = _notice  # a warning (e.g. an unwritable cache) is one "note:" line
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


def _notice(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    typer.echo(f"note: {message}", err=True)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
