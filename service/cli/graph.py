"""Graph commands: init, load, validate, export, sparql, stats, show.

Heavy modules are imported inside the commands, so each pays only for what it uses.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from service.cli._common import JsonOpt, StoreOpt, emit, handle_errors, runtime

__all__ = ["COMMANDS"]


def resolve_store(store: str | None) -> str:
    """The store location: the option if given, else the settings' (``REGIOMATCH_STORE``)."""
    return runtime(store).location


@handle_errors
def init(
    store: StoreOpt = None,
    bare: Annotated[bool, typer.Option("--bare", help="Only the ontology and concept schemes.")] = False,
    companies: Annotated[int, typer.Option("--companies", help="Synthetic SMEs to generate.")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the company generator.")] = 42,
    as_json: JsonOpt = False,
) -> None:
    """Build the store from the default dataset (replacing what is there)."""
    from graph.build import build_store
    rt = runtime(store)
    location = rt.location
    say = (lambda m: typer.echo(f"  {m}", err=True)) if not as_json else None
    report = build_store(
        location,
        companies=companies,
        seed=seed,
        bare=bare,
        progress=say,
        update_url=rt.settings.update_url,
        lock_wait=rt.settings.lock_wait,
    )
    if as_json:
        from service.schemas import BuildResult

        emit(BuildResult(store=report.location, graphs=report.graphs, seconds=round(report.seconds, 2)))
        return
    typer.echo(f"built {report.location} in {report.seconds:.1f} s")
    for name, n in report.graphs.items():
        typer.echo(f"  {name:<24} {n:>9,} triples")
    _print_stats(location)


@handle_errors
def load(
    files: Annotated[list[Path], typer.Argument(help="Files to load (validated together).")],
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="auto|ttl|jsonld|nt|rdfxml|edih-csv")] = "auto",
    graph: Annotated[str | None, typer.Option("--graph", help="Named graph (default: imports/<file>).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace the named graph's content.")] = False,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Skip SHACL (admin: trusted bulk data only).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate FILES with SHACL, then load them into one named graph (all or nothing)."""
    from graph.loader import load_files, preflight

    preflight(files, fmt)  # missing files or a bad --format fail before the store opens
    with runtime(store).open_store(writable=True, create=False) as st:
        report = load_files(st, files, fmt=fmt, graph=graph, replace=replace, validate=not no_validate)
    if as_json:
        from service.schemas import LoadResult

        emit(LoadResult(**asdict(report)))
    else:
        verb = "replaced" if report.replaced else "loaded into"
        typer.echo(f"{report.triples:,} triples {verb} {report.graph}")


@handle_errors
def validate(
    files: Annotated[list[Path], typer.Argument(help="Files to check against the shapes.")],
    fmt: Annotated[str, typer.Option("--format", help="auto|ttl|jsonld|nt|rdfxml|edih-csv")] = "auto",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check FILES against the SHACL shapes: exit 0 conforms, 1 violations, 2 unreadable."""
    from graph.errors import StoreError, ValidationFailed
    from graph.loader import read_files, referenced_types
    from graph.validate import validate as run_validation

    st = None
    try:

        st = runtime(store).open_store()
    except StoreError:
        st = None  # validating needs no store; referenced regions are then unknown
    try:
        data = read_files(files, fmt, store=st)
        context = referenced_types(st, data) if st is not None else None
        try:
            run_validation(data, source=", ".join(map(str, files)), context=context)
        except ValidationFailed as exc:
            if as_json:
                from service.schemas import ValidationFailedResult, ViolationPublic

                emit(ValidationFailedResult(violations=[ViolationPublic(**asdict(v)) for v in exc.violations]))
            else:
                typer.echo(str(exc))
            raise typer.Exit(1) from None
    finally:
        if st is not None:
            st.close()
    if as_json:
        from service.schemas import ValidationPassed

        emit(ValidationPassed(triples=len(data)))
    else:
        typer.echo(f"conforms: {len(data):,} triples in {len(files)} file(s)")


@handle_errors
def export(
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="ttl|jsonld|nt|nq|trig")] = "ttl",
    graph: Annotated[str | None, typer.Option("--graph", help="Only this named graph.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout).")] = None,
) -> None:
    """Serialise the store (or one named graph)."""
    from graph import iris
    from graph.errors import InvalidInput, UnknownEntity, UnreadableInput
    from graph.store import check_export_format, is_inside_store

    check_export_format(fmt)
    rt = runtime(store)
    if output is not None and is_inside_store(rt.location, output):
        raise InvalidInput(f"--output {output} is inside the store {rt.location}: write the export somewhere else")
    with rt.open_store() as st:
        name = iris.named_graph(graph) if graph else None
        if name is not None and str(name) not in st.named_graphs():
            known = ", ".join(iris.graph_name(g) for g in st.named_graphs())
            raise UnknownEntity(f"no named graph {graph!r} in the store; it has: {known}")
        data = st.export(fmt, name)
    if output:
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise UnreadableInput(f"cannot write {output}: {exc.strerror}") from exc
        typer.echo(f"wrote {len(data):,} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@handle_errors
def sparql(
    query: Annotated[str, typer.Argument(help="A SPARQL query, or @FILE to read it from a file.")],
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table|json|csv")] = "table",
    timeout: Annotated[float, typer.Option("--timeout", help="Stop the query after this many seconds.")] = 30.0,
    limit: Annotated[int, typer.Option("--limit", help="Refuse results with more rows than this.")] = 100_000,
) -> None:
    """Run a SPARQL query (our prefixes rm:, schema:, skos:, ... are predeclared)."""
    from graph.errors import InvalidInput, UnreadableInput
    from graph.namespaces import PREFIXES
    from graph.store import QueryLimits, run_query

    if fmt not in ("table", "json", "csv"):
        raise InvalidInput(f"unknown output format {fmt[:40]!r}: expected table, json or csv")
    if query.startswith("@"):
        path = Path(query[1:])
        if not path.is_file():
            raise UnreadableInput(f"{path}: no such query file")
        try:
            query = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableInput(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not query.strip():
        raise InvalidInput("empty query: give a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query")
    limits = QueryLimits(timeout=timeout, rows=limit)
    kind, result = run_query(runtime(store).location, query, limits=limits, prefixes=PREFIXES)
    if kind == "ask":
        typer.echo(_json({"boolean": result}) if fmt == "json" else ("true" if result else "false"))
    elif kind == "graph":
        typer.echo(result.serialize(format="json-ld" if fmt == "json" else "turtle"))
    else:
        _print_rows(result, fmt)


def _json(data: Any) -> str:
    """SPARQL results as JSON (``--format json``: the rows as they are, not a result model)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def _print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    if fmt == "json":
        typer.echo(_json([{k: str(v) for k, v in r.items()} for r in rows]))
        return
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(cols)
        for r in rows:
            w.writerow([str(r.get(c, "")) for c in cols])
        typer.echo(buf.getvalue().rstrip("\n"))
        return
    from graph.namespaces import curie

    def short(v: Any) -> str:
        return "" if v is None else curie(str(v))

    table = [[short(r.get(c)) for c in cols] for r in rows]
    widths = [min(60, max([len(c)] + [len(row[i]) for row in table])) for i, c in enumerate(cols)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    typer.echo("  ".join("-" * w for w in widths))
    for row in table:
        typer.echo("  ".join(v[:w].ljust(w) for v, w in zip(row, widths)))
    typer.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _print_stats(location: str, as_json: bool = False) -> None:
    from graph.store import open_store
    from graph.views import stats as compute

    with open_store(location, read_only=True) as st:
        s = compute(st)
    if as_json:
        from service.schemas import StoreStats

        emit(StoreStats.of(s))
        return
    typer.echo("instances per class:")
    for k, n in s["classes"].items():
        typer.echo(f"  {k:<34} {n:>9,}")
    typer.echo("triples per named graph:")
    for k, n in s["graphs"].items():
        typer.echo(f"  {k:<34} {n:>9,}")


@handle_errors
def stats(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Count instances per class and triples per named graph."""
    _print_stats(resolve_store(store), as_json)


@handle_errors
def show(
    key: Annotated[str, typer.Argument(help="An AGS (region), a centre id or a company id.")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one region, centre or company with its links."""
    from service.records_view import find_record

    with runtime(store).open_store() as st:
        kind, record = find_record(st, key)
    if as_json:
        from service.schemas import CentrePublic, CompanyPublic, RegionPublic

        model = {"region": RegionPublic, "centre": CentrePublic, "company": CompanyPublic}[kind]
        doc = model.model_validate({"entity": kind, **record})
        emit(doc, exclude_unset=True)  # what the record lacks (parts, indicators, code labels) stays out
        return
    typer.echo(f"{kind}: {record.get('name', key)}")
    for k, v in record.items():
        if k == "name" or v in (None, "", [], ()):
            continue
        if k == "indicators":
            from graph.indicators import indicator_lines

            typer.echo("  indicators:")
            for line in indicator_lines(v):
                typer.echo(f"    {line}")
            continue
        if isinstance(v, list) and v and isinstance(v[0], dict):
            typer.echo(f"  {k}:")
            for item in v:
                typer.echo("    - " + ", ".join(f"{a}={b}" for a, b in item.items() if b not in (None, "")))
        elif isinstance(v, list):
            typer.echo(f"  {k}: {', '.join(map(str, v))}")
        else:
            typer.echo(f"  {k}: {v}")


COMMANDS: dict[str, Callable[..., Any]] = {
    "init": init,
    "load": load,
    "validate": validate,
    "export": export,
    "sparql": sparql,
    "stats": stats,
    "show": show,
}
