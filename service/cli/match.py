"""``regiomatch match``: rank the centres for a need, with the reasons for each score.

The store and the model are opened once per run: a batch of thousands of lines pays
for them once (batch I/O: ``service.cli.batch``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from service.cli._common import BatchOpt, EncoderOpt, JsonOpt, StoreOpt, emit, handle_errors, runtime

if TYPE_CHECKING:
    from graph.store import Store
    from matching.query import Match, MatchQuery

__all__ = ["match"]

_CENTRE_TYPE_LABELS = {
    "regional": "regional digitalisation centre",
    "edih": "EDIH",
    "mittelstand-digital": "Mittelstand-Digital centre",
    "other": "other centre",
}


@handle_errors
def match(
    text: Annotated[str | None, typer.Argument(help="The need, in German or English.")] = None,
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="AGS: 8-digit municipality or 5-digit district.")
    ] = None,
    sector: Annotated[str | None, typer.Option("--sector", help="NACE section (C), division (25) or both (C25).")] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", "-t", help="A technology or service (key or label); repeatable.")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Number of centres, 1-1000.")] = 10,
    company: Annotated[str | None, typer.Option("--company", help="Match a stored company by id.")] = None,
    batch: BatchOpt = None,
    encoder: EncoderOpt = None,
    weights: Annotated[
        Path | None, typer.Option("--weights", help="Weights file (default: the store's learned weights, if any).")
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank the centres for a need, each with the reasons for its score."""
    from graph.errors import InvalidInput
    from matching.query import check_k

    k = check_k(k)
    given = [name for name, v in (("TEXT", text), ("--company", company), ("--batch", batch)) if v is not None]
    if len(given) > 1:
        raise InvalidInput(f"give only one of TEXT, --company, --batch (got {', '.join(given)})")
    rt = runtime(store, encoder)
    if batch is not None:
        if municipality or sector or topic:
            raise InvalidInput("--batch takes municipality, sector and topics from each line, not from options")
        _match_batch(rt.matcher(rt.catalogue(), weights=weights), batch, k)
        return
    with rt.open_store() as st:  # a bad --company fails before the model loads
        query = _single_query(st, company, text, municipality, sector, topic)
        catalogue = rt.catalogue(st)
    m = rt.matcher(catalogue, weights=weights)
    results = m.match(query, k=k)
    if as_json:
        from service.schemas import MatchPublic, MatchRequest, MatchResult

        emit(MatchResult(query=MatchRequest.of(query), weights=m.weights_,
                         matches=[MatchPublic.of(r) for r in results]))
    else:
        _print_matches(results)


def _match_batch(m: Any, path: Path, k: int) -> None:
    from matching.query import MatchQuery
    from service.cli.batch import run_batch
    from service.schemas import BatchMatchLine, MatchPublic

    def parse(data: Any) -> tuple[Any, MatchQuery]:
        q = MatchQuery.from_dict(data)
        return q.id, q

    run_batch(
        path, "matching", parse,
        lambda queries: m.match_many(queries, k, return_errors=True),
        lambda n, ident, found: BatchMatchLine(line=n, id=ident, matches=[MatchPublic.of(r) for r in found]),
    )


def _single_query(
    st: Store,
    company: str | None,
    text: str | None,
    municipality: str | None,
    sector: str | None,
    topic: list[str] | None,
) -> MatchQuery:
    """The query of a single ``match``: from the options, or a stored company's record
    with any given option overriding the company's own value."""
    from matching.query import MatchQuery

    if company is None:
        return MatchQuery(text=text or "", municipality=municipality, sector=sector, topics=tuple(topic or ()))
    from graph import views

    query = MatchQuery.for_company(views.company(st, company))
    if not (municipality or sector or topic):
        return query
    return MatchQuery(
        text=query.text,
        municipality=municipality or query.municipality,
        sector=sector or query.sector,
        topics=tuple(topic or query.topics),
        id=query.id,
    )


def _print_matches(results: list[Match]) -> None:
    for rank, r in enumerate(results, start=1):
        c = r.centre
        where = c.municipality_name or c.country or "no location"
        if c.district_name and c.district_name != c.municipality_name:
            where += f" ({c.district_name})"
        dist = f" · {r.distance_km:.0f} km" if r.distance_km is not None else ""
        scope = f" · {c.scope} scope" if c.scope else ""
        kind = _CENTRE_TYPE_LABELS.get(c.centre_type, c.centre_type)
        typer.echo(f"{rank:>2}. {c.name}  [{c.id}]  score {r.score:.3f}")
        typer.echo(f"    {kind}{scope} · {where}{dist}")
        if c.topics:
            shown = ", ".join(f"{e.label_en} {e.level}" for e in c.topics[:6])
            more = f", +{len(c.topics) - 6}" if len(c.topics) > 6 else ""
            typer.echo(f"    topics: {shown}{more}")
        for reason in r.reasons:
            sign = "-" if reason.contribution < 0 else "+"
            typer.echo(f"    {sign} {abs(reason.contribution):.3f} {reason.factor:<9} {reason.text}")
        typer.echo("")
