"""The ``regiomatch`` command line (Typer).

Commands that need no embedding model never import one, so ``stats`` or ``show``
answer in about a second. Every domain error becomes one line on stderr and an exit
code: 1 for violations, unknown entities and store problems, 2 for bad input
(unreadable files, unknown formats, malformed keys).
"""

from __future__ import annotations

import typer

from service import cli_eval, cli_graph, cli_match, cli_serve

__all__ = ["app", "main"]

app = typer.Typer(
    name="regiomatch",
    help="Knowledge graph and matchmaking of SMEs, digitalisation centres and regions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name, _fn in cli_graph.COMMANDS.items():
    app.command(_name)(_fn)
app.add_typer(cli_match.topics_app, name="topics")
for _name, _fn in cli_match.COMMANDS.items():
    app.command(_name)(_fn)
app.command("evaluate")(cli_eval.evaluate)
app.command("serve")(cli_serve.serve)
app.add_typer(cli_serve.keys_app, name="keys")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="regiomatch")


if __name__ == "__main__":  # pragma: no cover
    main()
