"""Network analytics commands: peers, partners, gaps.

Each reads the store once into ``AnalyticsData`` (a few seconds for Germany) and
fits one estimator. Output files are written to a temporary file beside the
target and renamed, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from service.cli._common import JsonOpt, StoreOpt, emit, handle_errors, runtime

__all__ = ["COMMANDS"]

KOpt = Annotated[int, typer.Option("-k", help="How many results (1–1000).")]


def _data(store: str | None, *, municipality_adjacency: bool = False) -> Any:
    from matching.analytics_data import AnalyticsData

    with runtime(store).open_store() as st:
        return AnalyticsData.from_store(st, municipality_adjacency=municipality_adjacency)


def _check_count(value: int, option: str = "k") -> None:
    """Refuse a result count outside 1–1000 before any data is read."""
    from graph.errors import InvalidInput

    if not 1 <= value <= 1000:
        raise InvalidInput(f"{option} must be an integer from 1 to 1000, got {value}")


_MAX_ARG = 200  # longer than any AGS, centre id, topic key, feature list or radius list


def _check_length(option: str, value: str | None, expected: str) -> None:
    """Refuse an absurdly long argument with its start only, never echoing it in full."""
    from graph.errors import InvalidInput

    if value is not None and len(value) > _MAX_ARG:
        raise InvalidInput(f"{option} {value[:40]!r}… is {len(value):,} characters long; expected {expected}")


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@handle_errors
def peers(
    ags: Annotated[str, typer.Argument(help="8-digit municipality or 5-digit district AGS.")],
    k: KOpt = 10,
    scope: Annotated[str, typer.Option("--scope", help="state|country")] = "country",
    same_type: Annotated[bool, typer.Option("--same-type", help="Only regions of the same BBSR type.")] = False,
    exclude_neighbours: Annotated[bool, typer.Option("--exclude-neighbours", help="Leave out adjacent regions.")] = False,
    features: Annotated[list[str] | None, typer.Option("--features", help="Feature keys (comma-separated or repeated).")] = None,
    types: Annotated[bool, typer.Option("--types", help="Also print the typology of all municipalities.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Regions most like AGS, each with the features that make them alike and the telling differences."""
    from matching.peers import SCOPES, PeerFinder

    _check_length("AGS", ags, "an 8-digit municipality or 5-digit district AGS (e.g. '15002000', '15083')")
    _check_length("--scope", scope, "state or country")
    for f in features or ():
        _check_length("--features", f, "feature keys such as population,density")
    _check_count(k)
    if scope not in SCOPES:
        from graph.errors import InvalidInput

        raise InvalidInput(f"unknown scope {scope!r}: expected one of {', '.join(SCOPES)}")
    data = _data(store, municipality_adjacency=exclude_neighbours)
    finder = PeerFinder().fit(data)
    result = finder.peers(ags, k, scope=scope, same_type=same_type, exclude_neighbours=exclude_neighbours,
                          features=_split(features))
    typology = None
    if types:
        from matching.typology import RegionTypology

        typology = RegionTypology().fit(data)
    if as_json:
        from service.schemas import PeersResult

        emit(PeersResult.of(result, typology))
        return
    typer.echo(f"peers of {result.name} ({result.ags}, {result.level}), scope {result.scope}, "
               f"{result.candidates:,} candidates")
    if result.missing:
        typer.echo(f"  (no value for {', '.join(result.missing)}: compared on the other features)")
    for n, p in enumerate(result.peers, 1):
        pop = f"{p.population:,} inhabitants" if p.population else "population unknown"
        typer.echo(f"{n:>2}. {p.name}  [{p.ags}]  similarity {p.similarity:.3f}  ({pop})")
        if p.alike:
            typer.echo(f"    alike:  {'; '.join(map(str, p.alike))}")
        if p.differences:
            typer.echo(f"    differ: {'; '.join(map(str, p.differences))}")
        if p.skipped:
            typer.echo(f"    skipped (missing): {', '.join(p.skipped)}")
    if typology is not None:
        typer.echo(f"\ntypology of {len(typology.labels_):,} municipalities "
                   f"(k-means, stability ARI {typology.stability_:.2f} over {len(typology.stability_runs_)} bootstraps):")
        mine = typology.labels_.get(result.ags)
        for t in typology.types_:
            mark = "*" if t.id == mine else " "
            typer.echo(f" {mark}{t.id}. {t.name_en} / {t.name_de}: {t.description_en}")


@handle_errors
def partners(
    centre_id: Annotated[str, typer.Argument(help="Centre id, e.g. st-rdz-haldensleben.")],
    k: KOpt = 10,
    mode: Annotated[str, typer.Option("--mode", help="similar|complementary|regions")] = "similar",
    encoder: Annotated[str | None, typer.Option(
        "--encoder", help="Also compare profile texts in 'similar' with this encoder (onnx-int8, onnx, …).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Centres to team up with (similar, complementary) or districts to reach (regions)."""
    from matching.partners import MODES, PartnerFinder

    _check_length("centre id", centre_id, "a centre id such as st-rdz-haldensleben")
    _check_length("--mode", mode, "similar, complementary or regions")
    _check_count(k)
    if mode not in MODES:
        from graph.errors import InvalidInput

        raise InvalidInput(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    if encoder is not None and mode != "similar":
        from graph.errors import InvalidInput

        raise InvalidInput(f"--encoder compares profile texts in --mode similar only, not in --mode {mode}; leave it out")
    finder = PartnerFinder(encoder=encoder if mode == "similar" else None).fit(_data(store))
    result = finder.partners(centre_id, k, mode)
    if as_json:
        from service.schemas import PartnersResult

        emit(PartnersResult.of(centre_id, mode, result))
        return
    name = finder.centres_[finder.index_[centre_id]].name
    typer.echo(f"{mode} for {name} [{centre_id}]:")
    if not result:
        typer.echo("  (none)")
    for n, s in enumerate(result, 1):
        key = getattr(s, "id", None) or getattr(s, "ags", "")
        km = "" if s.distance_km is None else f"  {s.distance_km:.0f} km"
        typer.echo(f"{n:>2}. {s.name}  [{key}]  score {s.score:.3f}{km}")
        for r in s.reasons:
            typer.echo(f"    - {r}")


def _check_output(path: Path, store: str | None) -> Path:
    """Refuse an output path that cannot be written, or that lies inside the store
    (it would overwrite the database's own files), before any work is done."""
    from graph.errors import InvalidInput
    from graph.store import is_inside_store

    target = path.expanduser()
    location = runtime(store).location
    if is_inside_store(location, target):
        raise InvalidInput(f"cannot write {str(path)!r}: it is inside the store {location}; write the report somewhere else")
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InvalidInput(f"cannot write {str(path)!r}: it is a directory; give a file name")
    if not parent.is_dir():
        raise InvalidInput(f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise InvalidInput(f"cannot write {str(path)!r}: permission denied")
    return target


def _write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over ``path``; an existing
    path that is not a regular file (``/dev/stdout``, a FIFO, a device) is written
    directly, since renaming over it would replace the device or pipe itself."""
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return
    path = Path(os.path.realpath(path))  # through a symlink to its file, never replacing the link
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@handle_errors
def gaps(
    region: Annotated[str | None, typer.Option("--region", help="State (2), district (5) or municipality (8 digits) AGS.")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="One technology topic key.")] = None,
    catchment_km: Annotated[str, typer.Option("--catchment-km", help="Radii in km, e.g. 25,50,75 (middle = 2SFCA radius).")] = "25,50,75",
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write per-municipality coverage and access to FILE.")] = None,
    html_file: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report to FILE.")] = None,
    top: Annotated[int, typer.Option("--top", help="How many district × topic gaps to list.")] = 20,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Coverage, supply vs demand per topic (2SFCA) and the centre network: where is it thin?"""
    from graph.errors import InvalidInput
    from matching.gaps import GapAnalyser, check_radii, unmet_by_state
    from matching.network import CentreNetwork
    from service.reports import gaps_report_html

    _check_length("--region", region, "a 2-digit state, 5-digit district or 8-digit municipality AGS")
    _check_length("--topic", topic, "a technology key such as cybersecurity")
    _check_length("--catchment-km", catchment_km, "radii in km such as 25,50,75")
    if sum(x is not None and x is not False for x in (csv_file, html_file, as_json or None)) > 1:
        raise InvalidInput("give at most one of --json, --csv FILE, --html FILE")
    try:
        radii = check_radii([r for r in catchment_km.split(",") if r.strip()])
    except InvalidInput as exc:
        raise InvalidInput(f"invalid --catchment-km {catchment_km!r}: {exc}") from None
    _check_count(top, "--top")
    target = csv_file or html_file
    out_path = _check_output(target, store) if target is not None else None
    data = _data(store)
    analyser = GapAnalyser(catchment_km=radii, top=top).fit(data)
    if topic is not None:
        analyser.topic_index(topic)
    report = analyser.report(region, topic)
    net = CentreNetwork().fit(data)
    summary = net.summary(suggestions=10, unmet=unmet_by_state(analyser))
    if csv_file is not None and out_path is not None:
        _write_atomic(out_path, _gaps_csv(analyser, report, topic))
        typer.echo(f"wrote {len(report.per_municipality):,} municipalities to {csv_file}", err=True)
        return
    if html_file is not None and out_path is not None:
        _write_atomic(out_path, gaps_report_html(analyser, report, net, summary, topic))
        typer.echo(f"wrote the gap report for {report.region_name} to {html_file}", err=True)
        return
    if as_json:
        from service.schemas import GapsReport

        emit(GapsReport.of(report, summary))
        return
    _print_gaps(report, summary)


def _gaps_csv(analyser: Any, report: Any, topic: str | None) -> str:
    cols = [analyser.topic_index(topic)] if topic else list(range(len(analyser.topics_)))
    rows = {a: i for i, a in enumerate(analyser.ags_list_)}
    score = analyser.score_[analyser.main_radius_]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["ags", "name", "population", "smes", "nearest_centre", "nearest_km", "nearest_regional_centre",
                "nearest_regional_km", *(f"access_{analyser.topic_keys_[c]}" for c in cols)])
    for m in report.per_municipality:
        i = rows[m.ags]
        w.writerow([m.ags, m.name, m.population, m.smes, m.nearest_centre or "", m.nearest_km,
                    m.nearest_regional_centre or "", m.nearest_regional_km, *(round(float(score[i, c]), 4) for c in cols)])
    return buf.getvalue()


def _print_gaps(report: Any, summary: Any) -> None:
    say = typer.echo
    say(f"gaps for {report.region_name}: {report.municipalities:,} municipalities, {report.population:,} inhabitants, "
        f"~{report.smes:,.0f} SMEs")
    say(f"({report.note})")
    say("coverage (nearest centre / nearest regional centre):")
    for b in report.coverage:
        say(f"  beyond {b.radius_km:g} km: {b.population_beyond:,} inhabitants, ~{b.smes_beyond:,.0f} SMEs "
            f"({b.municipalities_beyond:,} municipalities) / {b.regional_population_beyond:,} inhabitants, "
            f"~{b.regional_smes_beyond:,.0f} SMEs")
    d = report.districts_without_centre
    say(f"districts without a centre: {len(d)}" + (": " + ", ".join(f"{x.name} ({x.ags})" for x in d[:8]) +
                                                   (", …" if len(d) > 8 else "") if d else ""))
    say(f"high SME density and low broadband: {len(report.hotspots)} municipalities" + (
        ": " + ", ".join(f"{h.name} ({h.broadband_50_pct:.0f} % ≥ 50 Mbit/s)" for h in report.hotspots[:5]) if report.hotspots else ""))
    say(f"top gaps (2SFCA, {report.catchment_km:g} km, {report.decay} decay; SMEs with the need where access < half the average):")
    for n, g in enumerate(report.top_gaps, 1):
        say(f"{n:>3}. {g.district_name} ({g.district_ags}) · {g.label}: ~{g.smes_with_need:,.0f} SMEs, score {g.score:.2f}")
    say("sensitivity to the catchment radius:")
    for s in report.sensitivity:
        say(f"  {s.catchment_km:g} km: {s.demand_without_access:.0%} of demand with no centre in reach, "
            f"rank correlation with {report.catchment_km:g} km {s.rank_correlation:.2f}")
    say(f"network: {summary.centres} centres, {summary.links} links, {len(summary.components)} components, "
        f"{len(summary.isolated)} isolated, {len(summary.communities)} communities")
    say("  bridges: " + ("; ".join(f"{a.name} — {b.name}" for a, b in summary.bridges) or "none"))
    say("  articulation points: " + (", ".join(c.name for c in summary.articulation_points) or "none"))
    say("  suggested links:")
    for s in summary.suggestions[:5]:
        say(f"    {s.a.name} — {s.b.name} ({s.score:.2f}): {s.reason}")


COMMANDS: dict[str, Callable[..., Any]] = {"peers": peers, "partners": partners, "gaps": gaps}
