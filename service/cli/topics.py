"""``regiomatch topics suggest``: the innovation topics a text is about."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from service.cli._common import BatchOpt, EncoderOpt, JsonOpt, StoreOpt, emit, handle_errors, runtime

__all__ = ["topics_app", "suggest"]

topics_app = typer.Typer(help="Innovation topics: suggest topics for a text.", no_args_is_help=True)


@topics_app.command("suggest")
@handle_errors
def suggest(
    text: Annotated[str | None, typer.Argument(help="A need or a centre description.")] = None,
    centre: Annotated[
        bool,
        typer.Option("--centre", help="TEXT describes a centre: let the hub catalogue's topic model break ties."),
    ] = False,
    k: Annotated[int, typer.Option("-k", help="Number of topics, 1-1000.")] = 5,
    scheme: Annotated[str, typer.Option("--scheme", help="technology | service | sector")] = "technology",
    batch: BatchOpt = None,
    encoder: EncoderOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Suggest the innovation topics a text is about, with the words that gave them away
    (or the definition phrase it resembles); (weak) marks a suggestion with neither."""
    from graph.errors import InvalidInput
    from matching.query import check_k, check_text
    from service.schemas import TopicSuggestion, TopicSuggestions

    k = check_k(k)
    if (text is None) == (batch is None):
        raise InvalidInput("give either TEXT or --batch FILE")
    if text is not None:
        check_text(text)
    rt = runtime(store, encoder)
    suggester = rt.suggester(rt.catalogue(regions=False), scheme, centre=centre)
    if batch is not None:
        _suggest_batch(suggester, batch, k)
        return
    found = suggester.suggest(text or "", k)
    if as_json:
        emit(TopicSuggestions(text=text, scheme=scheme, topics=[TopicSuggestion.of(s) for s in found]))
        return
    for rank, s in enumerate(found, start=1):
        label = s.label_en if s.label_de == s.label_en else f"{s.label_en} / {s.label_de}"
        because = f"  ({', '.join(s.evidence)})" if s.evidence else ""
        resembles = f'  ~ "{s.resembles}"' if s.resembles else ""
        typer.echo(f"{rank:>2}. {s.score:.3f}  {label}  [{s.key}]{because}{resembles}{'  (weak)' if s.weak else ''}")
    if found and all(s.weak for s in found):
        typer.echo("weak evidence: no topic label in the text and no sure match with a concept's definition or example needs; these are guesses")


def _suggest_batch(suggester: Any, path: Path, k: int) -> None:
    from graph.errors import InvalidInput, RegiomatchError
    from matching.query import check_text
    from service.cli.batch import run_batch
    from service.schemas import BatchTopicsLine, TopicSuggestion

    def parse(data: Any) -> tuple[Any, str | RegiomatchError]:
        if not isinstance(data, dict):
            raise InvalidInput(f"expected a JSON object with a 'text' field, got {type(data).__name__}")
        try:
            return data.get("id"), check_text(data.get("text"))
        except RegiomatchError as exc:  # reported with the line's id
            return data.get("id"), exc

    run_batch(
        path, "suggesting", parse,
        lambda texts: suggester.suggest_many(texts, k),
        lambda n, ident, found: BatchTopicsLine(line=n, id=ident, topics=[TopicSuggestion.of(s) for s in found]),
    )
