"""Matching commands: ``match``, ``topics suggest``, ``train``.

The model and the store are opened inside the commands, once per run: a batch of
thousands of lines pays for them once. Batch files are JSON lines (``-`` reads
stdin); each non-blank input line yields exactly one compact JSON line on stdout,
either a result or ``{"line": n, "error": "..."}``, so one bad line never stops a
batch. A progress bar is drawn on stderr only when stderr is a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from service._cli_common import STORE_HELP, emit_json, handle_errors, resolve_store

if TYPE_CHECKING:
    from graph.store import Store
    from matching.catalogue import Catalogue
    from matching.query import Match, MatchQuery
    from matching.ranker import CentreMatcher
    from matching.topics import TopicSuggestion

__all__ = ["COMMANDS", "topics_app"]

topics_app = typer.Typer(help="Innovation topics: suggest topics for a text.", no_args_is_help=True)

StoreOpt = Annotated[str | None, typer.Option("--store", help=STORE_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
EncoderOpt = Annotated[
    str | None,
    typer.Option("--encoder", help="onnx-int8 | onnx | sentence-transformers | hashing [env: REGIOMATCH_ENCODER]"),
]
BatchOpt = Annotated[
    Path | None,
    typer.Option("--batch", help="JSON-lines file ('-' for stdin); one JSON result per line on stdout."),
]
_CHUNK = 64


# --------------------------------------------------------------------------- shared


def _open(store: str | None) -> tuple[str, Store]:
    from graph.store import is_remote, open_store

    location = resolve_store(store)
    return location, open_store(location, read_only=not is_remote(location))


def _model_options(location: str, encoder: str | None) -> dict[str, Any]:
    from graph.store import is_remote
    from service.settings import get_settings

    settings = get_settings()
    remote = is_remote(location)
    return {
        "encoder": encoder or settings.encoder,
        "model": settings.model,
        "model_cache_dir": str(Path(settings.cache_dir) / "models"),
        "vector_cache": str((Path(settings.cache_dir) if remote else Path(location)) / "vectors"),
    }


def _matcher(location: str, catalogue: Catalogue, encoder: str | None, weights: Path | None) -> CentreMatcher:
    from matching.learn import weights_path
    from matching.ranker import CentreMatcher
    from service.settings import get_settings

    options = _model_options(location, encoder)
    learned = weights_path(location, get_settings().cache_dir)
    chosen = weights if weights is not None else (learned if learned.exists() else None)
    return CentreMatcher(**options, weights=None if chosen is None else str(chosen)).fit(catalogue)


def _progress(items: Iterator[Any], what: str) -> Iterator[Any]:
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return iter(tqdm(items, desc=what, unit=" lines", file=sys.stderr))


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _out(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


# --------------------------------------------------------------------------- match


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
    from matching._base import check_k
    from matching.catalogue import Catalogue

    k = check_k(k)
    given = [name for name, v in (("TEXT", text), ("--company", company), ("--batch", batch)) if v is not None]
    if len(given) > 1:
        raise InvalidInput(f"give only one of TEXT, --company, --batch (got {', '.join(given)})")
    if batch is not None:
        if municipality or sector or topic:
            raise InvalidInput("--batch takes municipality, sector and topics from each line, not from options")
        location, st = _open(store)
        with st:
            m = _matcher(location, Catalogue.from_store(st), encoder, weights)
            _match_batch(m, batch, k)
        return
    location, st = _open(store)
    with st:
        query = _single_query(st, company, text, municipality, sector, topic)
        m = _matcher(location, Catalogue.from_store(st, municipalities=False), encoder, weights)
        results = m.match(query, k=k)
    if as_json:
        emit_json({"query": _query_dict(query), "weights": m.weights_, "matches": [r.to_dict() for r in results]})
    else:
        _print_matches(results)


def _query_dict(q: Any) -> dict[str, Any]:
    return {"id": q.id, "text": q.text, "municipality": q.municipality, "sector": q.sector, "topics": list(q.topics)}


def _match_batch(m: CentreMatcher, path: Path, k: int) -> None:
    from graph.errors import InvalidInput, RegiomatchError
    from matching.query import MatchQuery
    from service.jsonl import read_jsonl

    for chunk in _chunks(_progress(read_jsonl(path), "matching"), _CHUNK):
        parsed: list[tuple[int, Any, Any]] = []
        for line in chunk:
            try:
                if line.error is not None:
                    raise InvalidInput(line.error)
                parsed.append((line.line, line.id, MatchQuery.from_dict(line.data)))
            except RegiomatchError as exc:
                parsed.append((line.line, line.id, exc))
        queries = [q for _, _, q in parsed if isinstance(q, MatchQuery)]
        results = iter(m.match_many(queries, k, return_errors=True))
        for n, ident, q in parsed:  # the id is echoed as the line gave it
            res = next(results) if isinstance(q, MatchQuery) else q
            if isinstance(res, Exception):
                _out({"line": n, "id": ident, "error": str(res)})
            else:
                _out({"line": n, "id": ident, "matches": [r.to_dict() for r in res]})


_CENTRE_TYPE_LABELS = {
    "regional": "regional digitalisation centre",
    "edih": "EDIH",
    "mittelstand-digital": "Mittelstand-Digital centre",
    "other": "other centre",
}


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
            typer.echo(f"    + {reason.contribution:.3f} {reason.factor:<9} {reason.text}")
        typer.echo("")


# --------------------------------------------------------------------------- topics


@topics_app.command("suggest")
@handle_errors
def suggest(
    text: Annotated[str | None, typer.Argument(help="A need or a centre description.")] = None,
    k: Annotated[int, typer.Option("-k", help="Number of topics, 1-1000.")] = 5,
    scheme: Annotated[str, typer.Option("--scheme", help="technology | service | sector")] = "technology",
    batch: BatchOpt = None,
    encoder: EncoderOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Suggest the innovation topics a text is about, with the words that gave them away."""
    from graph import views
    from graph.errors import InvalidInput
    from matching._base import check_k, check_text
    from matching.catalogue import Catalogue
    from matching.topics import TopicSuggester

    k = check_k(k)
    if (text is None) == (batch is None):
        raise InvalidInput("give either TEXT or --batch FILE")
    if text is not None:
        check_text(text)
    location, st = _open(store)
    with st:
        catalogue = Catalogue(centres=tuple(views.centres(st)), concepts=tuple(views.concepts(st)))
    options = _model_options(location, encoder)
    suggester = TopicSuggester(**options, scheme=scheme).fit(catalogue)
    if batch is not None:
        _suggest_batch(suggester, batch, k)
        return
    found = suggester.suggest(text or "", k)
    if as_json:
        emit_json({"text": text, "scheme": scheme, "topics": [_suggestion_dict(s) for s in found]})
        return
    for rank, s in enumerate(found, start=1):
        label = s.label_en if s.label_de == s.label_en else f"{s.label_en} / {s.label_de}"
        because = f"  ({', '.join(s.evidence)})" if s.evidence else ""
        typer.echo(f"{rank:>2}. {s.score:.3f}  {label}  [{s.key}]{because}")


def _suggestion_dict(s: TopicSuggestion) -> dict[str, Any]:
    return {
        "iri": s.iri,
        "key": s.key,
        "label_en": s.label_en,
        "label_de": s.label_de,
        "score": s.score,
        "evidence": list(s.evidence),
    }


def _suggest_batch(suggester: Any, path: Path, k: int) -> None:
    from graph.errors import InvalidInput, RegiomatchError
    from matching._base import check_text
    from service.jsonl import read_jsonl

    for chunk in _chunks(_progress(read_jsonl(path), "suggesting"), _CHUNK):
        parsed: list[tuple[int, Any, Any]] = []
        for line in chunk:
            n, ident, data = line.line, line.id, line.data
            try:
                if line.error is not None:
                    raise InvalidInput(line.error)
                if not isinstance(data, dict):
                    raise InvalidInput(f"expected a JSON object with a 'text' field, got {type(data).__name__}")
                parsed.append((n, ident, check_text(data.get("text"))))
            except RegiomatchError as exc:
                parsed.append((n, ident, exc))
        texts = [t for _, _, t in parsed if isinstance(t, str)]
        results = iter(suggester.suggest_many(texts, k) if texts else [])
        for n, ident, t in parsed:
            if isinstance(t, Exception):
                _out({"line": n, "id": ident, "error": str(t)})
            else:
                _out({"line": n, "id": ident, "topics": [_suggestion_dict(s) for s in next(results)]})


# --------------------------------------------------------------------------- train


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
    from graph.errors import InvalidInput
    from matching.catalogue import Catalogue
    from matching.learn import compare_weights, load_weights, save_weights, weights_path
    from matching.ranker import DEFAULT_WEIGHTS, CentreMatcher
    from service.settings import get_settings

    location, st = _open(store)
    with st:
        outcomes = views.outcomes(st)
        if not outcomes:
            raise InvalidInput(
                "no outcomes recorded in the store: load rm:Outcome records (company, centre, rating 0-1) first"
            )
        companies = views.companies(st)
        catalogue = Catalogue.from_store(st)
    path = output or weights_path(location, get_settings().cache_dir)
    current = load_weights(path) if path.exists() else dict(DEFAULT_WEIGHTS)
    matcher = CentreMatcher(**_model_options(location, encoder)).fit(catalogue)
    report = compare_weights(matcher, outcomes, companies, current)
    if not report.accepted:
        raise InvalidInput(f"not saving the learned weights: {report.problem}\n{report.describe()}")
    save_weights(
        report.learned,
        path,
        outcomes=len(outcomes),
        previous=report.current,
        held_out=report.held_out(),
    )
    if as_json:
        emit_json(
            {
                "weights": report.learned,
                "previous": report.current,
                "held_out": report.held_out(),
                "outcomes": len(outcomes),
                "path": str(path),
            }
        )
        return
    typer.echo(f"learned from {len(outcomes)} outcomes, saved to {path}")
    typer.echo(report.describe())


COMMANDS: dict[str, Callable[..., Any]] = {"match": match, "train": train}
