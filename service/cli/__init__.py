"""The ``regiomatch`` command line (Typer): one module per command group.

==================  ==========================================================
module              commands
==================  ==========================================================
``graph``           init, load, validate, export, sparql, stats, show
``match``           match
``topics``          topics suggest
``evaluate``        evaluate
``train``           train
``serve``           serve (the HTTP API), keys create | list | revoke
``network``         peers, partners, gaps (the network analytics)
``batch``           JSON-lines batch I/O of ``match`` and ``topics suggest``
``_common``         options, the runtime, ``--json`` output, error translation
==================  ==========================================================


Commands that need no embedding model never import one, so ``stats`` or ``show``
answer in about a second. Every ``--json`` document is a ``service.schemas`` model;
every domain error becomes one line on stderr and an exit code (``service.errors``):
1 for violations, unknown entities and store problems, 2 for bad input.
"""

from __future__ import annotations

import typer

from service.cli import evaluate, graph, match, network, serve, topics, train

__all__ = ["app", "main"]

app = typer.Typer(
    name="regiomatch",
    help="Knowledge graph and matchmaking of SMEs, digitalisation centres and regions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name, _fn in graph.COMMANDS.items():
    app.command(_name)(_fn)
app.add_typer(topics.topics_app, name="topics")
app.command("match")(match.match)
app.command("train")(train.train)
app.command("evaluate")(evaluate.evaluate)
for _name, _fn in network.COMMANDS.items():
    app.command(_name)(_fn)
app.command("serve")(serve.serve)
app.add_typer(serve.keys_app, name="keys")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="regiomatch")


if __name__ == "__main__":  # pragma: no cover
    main()
