"""Build a store from the ontology, the concept schemes and the default dataset.

``build_store(location, companies=..., seed=..., bare=...)`` is ``regiomatch init``.
On the embedded store the new database is built beside the old one and swapped in
with directory renames, so a failed build leaves the old store as it was; a remote
endpoint gets each named graph replaced in its own transaction.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from graph import iris
from graph.errors import InvalidInput, StoreError
from graph.store import Store, is_remote, open_store
from graph.store.embedded import OxigraphStore
from graph.store.lock import writer_lock

if TYPE_CHECKING:
    from graph.dataset.rdf import Quad

__all__ = ["BuildReport", "base_graphs", "build_store"]

_ONTOLOGY_DATE = "2026-11-24"
_KEPT_DIRS = ("vectors", "auth")  # auth: the HTTP API's keys file


@dataclass
class BuildReport:
    """What ``build_store`` wrote: triples per named graph and the seconds it took."""

    location: str
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def base_graphs() -> dict[str, Graph]:
    """The ontology and the SKOS schemes as named graphs (what ``init --bare`` loads)."""
    from graph.validate import load_ontology, load_schemes

    ontology, schemes = load_ontology(), load_schemes()
    prov = Graph()
    for name, title in (("ontology", "regiomatch OWL vocabulary"), ("schemes", "Concept schemes")):
        g = iris.named_graph(name)
        prov.add((g, RDF.type, PROV.Entity))
        prov.add((g, DCTERMS.title, Literal(title, lang="en")))
        prov.add((g, DCTERMS.source, Literal("regiomatch ontologies/ (hand-written; NACE Rev. 2 labels © European Union, Eurostat RAMON)")))
        prov.add((g, PROV.generatedAtTime, Literal(f"{_ONTOLOGY_DATE}T00:00:00Z", datatype=XSD.dateTime)))
    return {"ontology": ontology, "schemes": schemes, "provenance": prov}


def _all_quads(companies: int, seed: int, bare: bool) -> Iterator[Quad]:
    """Every statement of the build as quads: base graphs, then the default dataset (no graphs built)."""
    for name, g in base_graphs().items():
        name_iri = iris.named_graph(name)
        for s, p, o in g:
            yield s, p, o, name_iri
    if not bare:
        from graph.dataset.rdf import dataset_quads

        yield from dataset_quads(companies, seed)


def build_store(
    location: str,
    *,
    companies: int = 3000,
    seed: int = 42,
    bare: bool = False,
    progress: Callable[[str], None] | None = None,
    update_url: str | None = None,
    lock_wait: float | None = None,
) -> BuildReport:
    """(Re)build the store at ``location`` from the default dataset; see module docstring.

    ``update_url`` is a remote endpoint's update URL when it differs from ``location``;
    ``lock_wait`` how long to wait for another writer of an embedded store.
    """
    if companies < 0 or companies > 1_000_000:
        raise InvalidInput(f"--companies {companies}: expected a number from 0 to 1,000,000")
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    say("building graphs")
    report = BuildReport(location=location)
    if is_remote(location):
        # the same quads as the embedded build; the endpoint gets one update per named graph
        with open_store(location, update_url=update_url) as store:
            _bulk_load(store, _all_quads(companies, seed, bare), report, say)
    else:
        _build_embedded(Path(location).expanduser(), _all_quads(companies, seed, bare), report, say, lock_wait)
    report.seconds = time.perf_counter() - t0
    return report


def _build_embedded(
    target: Path, quads: Iterable[Quad], report: BuildReport, say: Callable[[str], None], lock_wait: float | None
) -> None:
    if target.exists() and not target.is_dir():
        raise StoreError(f"{target} is a file, not a store directory; choose another --store")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store directory {target}: {exc.strerror}") from exc
    # one writer at a time, held across the build and the directory swap (see graph.store.lock)
    with writer_lock(target, wait=lock_wait):
        _build_and_swap(target, quads, report, say)


def _build_and_swap(target: Path, quads: Iterable[Quad], report: BuildReport, say: Callable[[str], None]) -> None:
    tmp = target.with_name(target.name + ".building")
    old = target.with_name(target.name + ".old")
    for p in (tmp, old):
        if p.exists():
            shutil.rmtree(p)
    if target.exists() and any(target.iterdir()) and not (target / "CURRENT").exists():
        raise StoreError(f"{target} exists and is not a regiomatch store; choose another --store")
    try:
        store = OxigraphStore(tmp, lock=False)  # the target's lock guards tmp too
        try:
            _bulk_load(store, quads, report, say)
        finally:
            store.close()
            del store
        if target.exists():
            # caches kept beside the database (matching's vectors/) are keyed by
            # content, so they stay valid across a rebuild: carry them over
            for child in target.iterdir():
                if child.is_dir() and child.name in _KEPT_DIRS:
                    child.rename(tmp / child.name)
            target.rename(old)
        tmp.rename(target)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)
        if tmp.exists():
            for name in _KEPT_DIRS:  # hand carried-over caches back before discarding tmp
                if (tmp / name).is_dir() and target.is_dir() and not (target / name).exists():
                    (tmp / name).rename(target / name)
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def _bulk_load(store: Store, quads: Iterable[Quad], report: BuildReport, say: Callable[[str], None]) -> None:
    """Write ``quads`` into a fresh store; count triples per named graph into ``report``."""
    from graph.dataset.rdf import nquads_chunks

    counts: Counter[str] = Counter()

    def counted() -> Iterator[Quad]:
        for q in quads:
            counts[iris.graph_name(q[3])] += 1
            yield q

    data = b"".join(nquads_chunks(counted()))
    if is_remote(store.location):
        say(f"writing {sum(counts.values()):,} triples to {store.location}, one update per named graph")
    store.bulk_load(data)
    # provenance describes the other graphs, so it is reported last
    for name in sorted(counts, key=lambda n: n == "provenance"):
        say(f"wrote {name} ({counts[name]} triples)")
        report.graphs[name] = counts[name]
