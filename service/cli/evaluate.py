"""``regiomatch evaluate``: the configured hybrid matcher and the baselines side by side.

The hybrid is the matcher ``match`` ranks with (``service.runtime``: the settings'
encoder, the store's vector cache and learned weights, unless ``--weights``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from service.cli._common import EncoderOpt, StoreOpt, emit, handle_errors, runtime

if TYPE_CHECKING:
    from matching.catalogue import Catalogue
    from service.runtime import Runtime

__all__ = ["evaluate"]


@handle_errors
def evaluate(
    file: Annotated[Path, typer.Argument(help="Labelled queries (JSON lines: text, relevant, ...).")],
    store: StoreOpt = None,
    catalogue: Annotated[
        Path | None,
        typer.Option("--catalogue", help="An EU hub catalogue CSV (edih-csv): evaluate against its hubs "
                                         "in a temporary store instead of --store."),
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", help="Cut-off of nDCG, Recall and MRR.")] = 10,
    topics: Annotated[bool, typer.Option("--topics", help="Also evaluate topic suggestion against the "
                                                          "hubs' own technology tags (nDCG@5).")] = False,
    encoder: EncoderOpt = None,
    weights: Annotated[Path | None, typer.Option("--weights", help="Weights file for the hybrid "
                                                                   "(default: the store's learned weights, if any).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random baselines.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Report nDCG@k, MRR and Recall@k of the hybrid matcher and of the baselines
    (random, nearest centre, TF-IDF text only, embeddings only, topic level only) on labelled queries."""
    from matching.evaluate import load_queries
    from matching.query import check_k

    k = check_k(k)
    queries = load_queries(file)  # fail on a bad file before loading any model
    rt = runtime(store, encoder)
    if catalogue is not None:
        setting = f"catalogue {catalogue}"
        with tempfile.TemporaryDirectory(prefix="regiomatch-eval-") as tmp:
            temp = rt.at(Path(tmp) / "store")
            cat = _catalogue_from_csv(temp, catalogue, quiet=as_json)
            report, topic_report = _run(temp, cat, queries, k, topics, weights, seed, quiet=as_json)
    else:
        setting = f"store {rt.location}"
        cat = rt.catalogue()
        report, topic_report = _run(rt, cat, queries, k, topics, weights, seed, quiet=as_json)
    if as_json:
        from service.schemas import EvaluationReport, EvaluationTable, TopicEvaluation

        doc = EvaluationReport(
            centres=len(cat.centres),
            report=EvaluationTable.of(report),
            topics=TopicEvaluation.of(topic_report) if topic_report is not None else None,
            setting=setting,
        )
        emit(doc, exclude={"topics"} if topic_report is None else None)
        return
    typer.echo(f"{file} on {setting} ({len(cat.centres)} centres)")
    typer.echo(report.table())
    if topic_report is not None:
        typer.echo("")
        typer.echo(topic_report.table())


def _catalogue_from_csv(rt: Runtime, csv_path: Path, quiet: bool) -> Catalogue:
    """``regiomatch init --bare`` + ``regiomatch load --format edih-csv CSV`` into the runtime's store."""
    if not quiet:
        typer.echo(f"  building a temporary store from {csv_path} ...", err=True)
    return rt.hub_catalogue(csv_path)


def _run(rt: Runtime, cat: Catalogue, queries: list[Any], k: int, topics: bool, weights: Path | None,
         seed: int, quiet: bool) -> tuple[Any, Any]:
    """The evaluation report of the hybrid (the runtime's matcher) and the baselines, and of
    topic suggestion when ``topics`` (else None)."""
    from matching.baselines import default_baselines
    from matching.evaluate import Ranker, evaluate_topics
    from matching.evaluate import evaluate as run_evaluation

    if not quiet:
        typer.echo(f"  fitting the hybrid matcher and 5 baselines on {len(cat.centres)} centres ...", err=True)
    hybrid = rt.matcher(cat, weights=weights)
    baselines = cast("dict[str, Ranker]", default_baselines(cat, encoder=hybrid.encoder_, seed=seed))
    report = run_evaluation({"hybrid": hybrid, **baselines}, queries, k=k)
    topic_report = evaluate_topics(hybrid.topic_suggester_, cat.centres, k=5) if topics else None
    return report, topic_report
