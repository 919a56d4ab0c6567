"""``regiomatch evaluate``: the configured hybrid matcher and the baselines side by side.

Register in ``service/cli.py`` with ``app.command("evaluate")(cli_eval.evaluate)``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from service._cli_common import STORE_HELP, emit_json, handle_errors, resolve_store

__all__ = ["evaluate"]


@handle_errors
def evaluate(
    file: Annotated[Path, typer.Argument(help="Labelled queries (JSON lines: text, relevant, ...).")],
    store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
    catalogue: Annotated[
        Path | None,
        typer.Option("--catalogue", help="An EU hub catalogue CSV (edih-csv): evaluate against its hubs "
                                         "in a temporary store instead of --store."),
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", help="Cut-off of nDCG, Recall and MRR.")] = 10,
    topics: Annotated[bool, typer.Option("--topics", help="Also evaluate topic suggestion against the "
                                                          "hubs' own technology tags (nDCG@5).")] = False,
    encoder: Annotated[str | None, typer.Option("--encoder", help="onnx-int8|onnx|sentence-transformers"
                                                                  " [env: REGIOMATCH_ENCODER]")] = None,
    weights: Annotated[Path | None, typer.Option("--weights", help="Learned weights file for the hybrid.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random baselines.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Report nDCG@k, MRR and Recall@k of the hybrid matcher and of the baselines
    (random, nearest centre, TF-IDF text only, embeddings only, topic level only) on labelled queries."""
    from matching._base import check_k
    from matching.evaluate import load_queries

    k = check_k(k)
    queries = load_queries(file)  # fail on a bad file before loading any model
    if catalogue is not None:
        with tempfile.TemporaryDirectory(prefix="regiomatch-eval-") as tmp:
            cat = _catalogue_from_csv(catalogue, Path(tmp) / "store", quiet=as_json)
            result = _run(cat, queries, k, topics, encoder, weights, seed, quiet=as_json)
        result["setting"] = f"catalogue {catalogue}"
    else:
        from graph.store import open_store
        from matching.catalogue import Catalogue

        location = resolve_store(store)
        with open_store(location, read_only=True) as st:
            cat = Catalogue.from_store(st)
        result = _run(cat, queries, k, topics, encoder, weights, seed, quiet=as_json)
        result["setting"] = f"store {location}"
    if as_json:
        emit_json({key: v.to_dict() if hasattr(v, "to_dict") else v for key, v in result.items()})
        return
    typer.echo(f"{file} on {result['setting']} ({result['centres']} centres)")
    typer.echo(result["report"].table())
    if "topics" in result:
        typer.echo("")
        typer.echo(result["topics"].table())


def _catalogue_from_csv(csv_path: Path, location: Path, quiet: bool) -> Any:
    """``regiomatch init --bare`` + ``regiomatch load --format edih-csv CSV`` into ``location``."""
    from graph.build import build_store
    from graph.loader import load_files
    from graph.store import open_store
    from matching.catalogue import Catalogue

    if not quiet:
        typer.echo(f"  building a temporary store from {csv_path} ...", err=True)
    build_store(str(location), bare=True)
    with open_store(str(location)) as st:
        load_files(st, [csv_path], fmt="edih-csv")
        return Catalogue.from_store(st)


def _run(cat: Any, queries: list[Any], k: int, topics: bool, encoder: str | None,
         weights: Path | None, seed: int, quiet: bool) -> dict[str, Any]:
    from matching.baselines import default_baselines
    from matching.evaluate import Ranker, evaluate_topics
    from matching.evaluate import evaluate as run_evaluation
    from matching.ranker import CentreMatcher
    from service.settings import get_settings

    settings = get_settings()
    if not quiet:
        typer.echo(f"  fitting the hybrid matcher and 5 baselines on {len(cat.centres)} centres ...", err=True)
    hybrid = CentreMatcher(
        encoder=encoder or settings.encoder,
        model=settings.model,
        model_cache_dir=str(Path(settings.cache_dir) / "models"),
        weights=str(weights) if weights else None,
    ).fit(cat)
    baselines = cast("dict[str, Ranker]", default_baselines(cat, encoder=hybrid.encoder_, seed=seed))
    rankers: dict[str, Ranker] = {"hybrid": hybrid, **baselines}
    out: dict[str, Any] = {"centres": len(cat.centres), "report": run_evaluation(rankers, queries, k=k)}
    if topics:
        out["topics"] = evaluate_topics(hybrid.topic_suggester_, cat.centres, k=5)
    return out
