"""Read files into graphs, validate them against the shapes, then write them atomically.

``load_files(store, paths, fmt=..., graph=..., replace=...)`` is what
``regiomatch load`` runs: every file is read and the union is validated with SHACL
before anything is written; any unreadable file or any violation raises and the
store stays as it was. The write of the named graph (and its provenance record)
is one transaction.

Formats: ``ttl``, ``nt``, ``jsonld``, ``rdfxml`` and ``edih-csv`` (the EU hub
catalogue's export columns); ``auto`` picks by file extension. Parsing is kept
offline and safe: JSON-LD documents may not pull remote ``@context``s and RDF/XML
documents may not declare a DOCTYPE or entities (external-entity attacks).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from graph import iris
from graph.errors import InvalidInput, StoreError, UnknownFormat, UnreadableInput
from graph.store import Store, check_terms

__all__ = [
    "LOAD_FORMATS",
    "LoadReport",
    "preflight",
    "read_file",
    "read_files",
    "trusted_triples",
    "load_files",
    "detect_format",
    "loadable_graph",
    "require_initialised",
    "referenced_types",
    "provenance_record",
]

LOAD_FORMATS = ("auto", "ttl", "jsonld", "nt", "rdfxml", "edih-csv")
_EXTENSIONS = {
    ".ttl": "ttl",
    ".turtle": "ttl",
    ".nt": "nt",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
    ".owl": "rdfxml",
    ".csv": "edih-csv",
}
_RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
_MAX_BYTES = 512 * 1024 * 1024
_MAX_JSON_DEPTH = 200  # rdflib's JSON-LD reader recurses once per level


@dataclass(frozen=True)
class LoadReport:
    """What a load wrote: the named graph, its triple count and the files read."""

    graph: str
    triples: int
    files: tuple[str, ...]
    replaced: bool


def detect_format(path: Path, fmt: str = "auto") -> str:
    """The format to read ``path`` with; raises ``UnknownFormat`` naming the choices."""
    if fmt not in LOAD_FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}: expected one of {', '.join(LOAD_FORMATS)}")
    if fmt != "auto":
        return fmt
    ext = path.suffix.lower()
    if ext not in _EXTENSIONS:
        known = ", ".join(sorted(_EXTENSIONS))
        raise UnknownFormat(
            f"cannot tell the format of {path} from its extension {ext or '(none)'!r}: "
            f"use one of {known}, or pass --format ({', '.join(LOAD_FORMATS[1:])})"
        )
    return _EXTENSIONS[ext]


def preflight(paths: Sequence[str | Path], fmt: str = "auto") -> list[str]:
    """Check that every path is a readable file of a known format, before any work.

    Returns the format of each path; raises ``UnreadableInput`` / ``UnknownFormat``.
    """
    kinds = []
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise UnreadableInput(f"{p}: no such file")
        if not p.is_file():
            raise UnreadableInput(f"{p}: not a regular file")
        kinds.append(detect_format(p, fmt))
    return kinds


def read_file(path: str | Path, fmt: str = "auto", *, store: Store | None = None) -> Graph:
    """Parse one file into a graph. ``store`` is needed for ``edih-csv`` (to locate hubs)."""
    p = Path(path)
    (kind,) = preflight([p], fmt)
    if p.stat().st_size > _MAX_BYTES:
        raise UnreadableInput(f"{p}: larger than {_MAX_BYTES // 2**20} MiB; split it")
    if kind == "edih-csv":
        return _read_edih(p, store)
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if kind == "rdfxml":
        _refuse_xml_entities(p, text)
    if kind == "jsonld":
        _refuse_remote_contexts(p, text)
    g = Graph()
    try:
        g.parse(data=text, format=_RDFLIB_FORMAT[kind], publicID=p.resolve().as_uri())
    except Exception as exc:  # noqa: BLE001 - parsers raise many types; we name the file
        msg = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise UnreadableInput(f"{p}: not valid {kind}: {msg[:600] or type(exc).__name__}") from exc
    try:
        check_terms(g)
    except InvalidInput as exc:
        raise UnreadableInput(f"{p}: {exc}") from exc
    return g


def read_files(paths: Sequence[str | Path], fmt: str = "auto", *, store: Store | None = None) -> Graph:
    """The union of ``paths`` read with :func:`read_file`; ``UnreadableInput`` if it holds no triples.

    What ``validate`` and ``load`` both read, so they give the same answer for the same files.
    """
    data = Graph()
    for path in paths:
        for t in read_file(path, fmt, store=store):
            data.add(t)
    if len(data) == 0:
        raise UnreadableInput(f"{', '.join(map(str, paths))}: no triples found; nothing to validate or load")
    return data


def load_files(
    store: Store,
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    graph: str | None = None,
    replace: bool = False,
    validate: bool = True,
) -> LoadReport:
    """Read, validate and write ``paths`` into one named graph (see module docstring).

    ``validate=False`` (``load --no-validate``, for trusted bulk data) skips SHACL and
    streams Turtle, N-Triples and RDF/XML through pyoxigraph's parser, which checks
    syntax and IRIs, straight into one transaction of the store (no ``replace``).
    """
    if not paths:
        raise InvalidInput("no files given: name at least one file to load")
    name = loadable_graph(graph, paths[0])
    require_initialised(store)
    sources = [str(p) for p in paths]
    prov = provenance_record(name, sources)
    prov_graph = iris.named_graph("provenance")
    if not validate:
        if replace:
            raise InvalidInput(
                "--replace with --no-validate is refused: a trusted bulk load is one transaction that adds "
                "triples; load into a new graph name instead (e.g. --graph imports/<name>-v2)"
            )
        triples = trusted_triples(paths, fmt, store=store)
        first = next(triples, None)
        if first is None:
            raise UnreadableInput(f"{', '.join(sources)}: no triples found; nothing to validate or load")
        n = store.add_trusted(name, itertools.chain([first], triples), provenance=prov, provenance_graph=prov_graph)
        return LoadReport(str(name), n, tuple(sources), replace)
    from graph.validate import validate as shacl_validate

    data = read_files(paths, fmt, store=store)
    context = referenced_types(store, data)
    shacl_validate(data, source=", ".join(sources), context=context)
    store.put_graph(name, data, replace=replace, provenance=prov, provenance_graph=prov_graph)
    return LoadReport(str(name), len(data), tuple(str(p) for p in paths), replace)


_OX_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "rdfxml": "RDF_XML"}


def trusted_triples(paths: Sequence[str | Path], fmt: str = "auto", *, store: Store | None = None) -> Iterator[Any]:
    """The triples of ``paths`` as pyoxigraph terms, streamed, without SHACL (``load --no-validate``).

    Turtle, N-Triples and RDF/XML are parsed by pyoxigraph (strict about IRIs and
    UTF-8; no rdflib graph is built); other formats go through :func:`read_file`.
    A syntax error raises ``UnreadableInput`` naming the file, whenever it is reached.
    """
    import pyoxigraph as ox

    from graph.store.terms import to_oxigraph

    kinds = preflight(paths, fmt)
    for path, kind in zip(paths, kinds):
        p = Path(path)
        if p.stat().st_size > _MAX_BYTES:
            raise UnreadableInput(f"{p}: larger than {_MAX_BYTES // 2**20} MiB; split it")
        if kind not in _OX_FORMATS:
            for t in read_file(p, kind, store=store):
                yield ox.Triple(*(to_oxigraph(x) for x in t))
            continue
        if kind == "rdfxml":
            _refuse_xml_entities(p, p.read_bytes().decode("utf-8", "replace"))
        try:
            for q in ox.parse(path=str(p), format=getattr(ox.RdfFormat, _OX_FORMATS[kind]), base_iri=p.resolve().as_uri()):
                yield q.triple
        except (SyntaxError, ValueError) as exc:
            msg = " ".join(str(exc).split())
            raise UnreadableInput(f"{p}: not valid {kind}: {msg[:600]}") from exc


def loadable_graph(graph: str | None, first_path: str | Path) -> URIRef:
    """The named graph a load writes: ``graph`` or ``imports/<file name>``.

    ``InvalidInput`` for an empty name or a graph ``regiomatch init`` owns
    (``iris.CORE_GRAPHS``): those are rebuilt by init, never loaded into.
    """
    if graph is None:
        return iris.named_graph(f"imports/{_stem(first_path)}")
    if not graph.strip():
        raise InvalidInput(
            "--graph '': give a graph name such as 'imports/my-data' or 'centres/eu', "
            "or leave --graph out to load into imports/<file name>"
        )
    name = iris.named_graph(graph)
    short = iris.graph_name(name)
    if short in iris.CORE_GRAPHS:
        raise InvalidInput(
            f"the graph {short!r} is built by 'regiomatch init' and cannot be loaded into; "
            f"load may write any other graph (e.g. imports/<name>, centres/<name>, companies/<name>), "
            f"not: {', '.join(iris.CORE_GRAPHS)}"
        )
    return name


def require_initialised(store: Store) -> None:
    """``StoreError`` unless ``store`` holds the ontology graph that ``regiomatch init`` writes."""
    if str(iris.named_graph("ontology")) not in store.named_graphs():
        raise StoreError(
            f"{store.location} is not a regiomatch store (it has no ontology graph): "
            "run 'regiomatch init' on it first"
        )


def referenced_types(store: Store, data: Graph, chunk: int = 500) -> Graph:
    """``rdf:type`` triples from the store for IRIs that ``data`` points at but does not type."""
    typed = set(data.subjects(RDF.type))
    wanted = sorted({o for o in data.objects() if isinstance(o, URIRef) and o not in typed})
    ctx = Graph()
    for i in range(0, len(wanted), chunk):
        values = " ".join(f"<{iri}>" for iri in wanted[i : i + chunk])
        q = f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s a ?t }}"
        for row in store.select(q):
            ctx.add((row["s"], RDF.type, row["t"]))
    return ctx


def provenance_record(name: URIRef, sources: list[str]) -> Graph:
    """Triples describing the named graph ``name``: its source files and when it was loaded."""
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    rec = Graph()
    rec.add((name, RDF.type, PROV.Entity))
    for s in sources:
        rec.add((name, DCTERMS.source, Literal(Path(s).name)))
    rec.add((name, PROV.generatedAtTime, Literal(now, datatype=XSD.dateTime)))
    return rec


def _stem(path: str | Path) -> str:
    return iris.slugify(Path(path).stem) if re.search(r"[A-Za-z0-9]", Path(path).stem) else "file"


def _refuse_xml_entities(p: Path, text: str) -> None:
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise UnreadableInput(
            f"{p}: refusing RDF/XML that declares a DOCTYPE or ENTITY (external entities "
            "could read local files or the network); remove the declaration or convert to Turtle"
        )


def _refuse_remote_contexts(p: Path, text: str) -> None:
    too_deep = UnreadableInput(
        f"{p}: JSON nested more than {_MAX_JSON_DEPTH} levels deep; regiomatch reads JSON-LD "
        f"up to {_MAX_JSON_DEPTH} levels of nesting"
    )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"{p}: not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    except RecursionError:
        raise too_deep from None
    stack: list[tuple[object, int]] = [(doc, 0)]
    while stack:  # iterative: a deep document cannot exhaust the interpreter's stack
        node, depth = stack.pop()
        if depth > _MAX_JSON_DEPTH:
            raise too_deep
        if isinstance(node, dict):
            if "@import" in node:
                raise UnreadableInput(
                    f"{p}: imports the JSON-LD context {_cut(node['@import'])!r}; regiomatch does not "
                    "fetch from the network — inline the context object instead"
                )
            ctx = node.get("@context")
            for c in ctx if isinstance(ctx, list) else [ctx]:
                if isinstance(c, str):
                    raise UnreadableInput(
                        f"{p}: refers to the remote JSON-LD context {_cut(c)!r}; regiomatch does not "
                        "fetch from the network — inline the context object instead"
                    )
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _cut(value: object, limit: int = 120) -> str:
    """``value`` as text, cut to ``limit`` characters for an error message."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def _read_edih(p: Path, store: Store | None) -> Graph:
    from graph.edih import MunicipalityLocator, edih_hubs_to_graph, read_edih_csv

    hubs = read_edih_csv(p)
    if store is None:  # nothing to locate hubs in: they stay without a municipality
        return edih_hubs_to_graph(hubs, lambda postcode, city, country: None)
    from graph.views import municipality_keys

    return edih_hubs_to_graph(hubs, MunicipalityLocator(municipality_keys(store)).locate)
