"""Matching commands (filled in by the matchmaking work): match, topics, evaluate, train."""

from __future__ import annotations

import typer

__all__ = ["COMMANDS", "topics_app"]

topics_app = typer.Typer(help="Innovation topics: suggest topics for a text.", no_args_is_help=True)

COMMANDS: dict[str, object] = {}
