"""``regiomatch train``: learn the ranking weights from the store's recorded outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli._common import EncoderOpt, JsonOpt, StoreOpt, emit, handle_errors, runtime

__all__ = ["train"]


@handle_errors
def train(
    encoder: EncoderOpt = None,
    output: Annotated[Path | None, typer.Option("--output", help="Weights file (default: in the store).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Learn the ranking weights from the store's recorded outcomes; save them only if they rank better.

    The learned weights are compared with the current ones (the weights file being
    replaced, or the defaults) on held-out outcomes; they are saved only when they
    rank those outcomes better and are not degenerate (see ``matching.learn``).
    """
    from graph import views
    from matching.learn import check_outcomes, train_weights
    from service.schemas import TrainingReport

    rt = runtime(store, encoder)
    with rt.open_store() as st:
        outcomes = check_outcomes(views.outcomes(st))  # fail before reading more or loading a model
        companies = views.companies(st)
        catalogue = rt.catalogue(st)
    result = train_weights(rt.matcher(catalogue), outcomes, companies, output or rt.weights_file)
    if as_json:
        emit(TrainingReport.of(result))
        return
    typer.echo(f"learned from {result.outcomes} outcomes, saved to {result.path}")
    typer.echo(result.comparison.describe())
