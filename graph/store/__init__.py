"""The store: the one source of truth, embedded on disk or a remote SPARQL endpoint.

``open_store(location)`` returns a :class:`Store`:

- a directory path → :class:`graph.store.embedded.OxigraphStore`, an on-disk Oxigraph
  database (created on first write, survives restarts, no server needed);
- an ``http(s)://`` URL → :class:`graph.store.remote.SparqlStore`, any SPARQL 1.1
  endpoint speaking the protocol (query at the URL, updates at ``update_url`` or the
  same URL).

Both speak rdflib terms: SELECT rows are ``dict[str, rdflib.term.Node]``, CONSTRUCT
returns an ``rdflib.Graph``; ``Store.query(q, fmt=...)`` returns the result
serialised (SPARQL JSON/XML/CSV/TSV, Turtle/N-Triples/JSON-LD) for a protocol
endpoint to pass through. Queries see the union of all named graphs as their
default graph (configure remote endpoints the same way, e.g. Fuseki's
``unionDefaultGraph``). Writes of a named graph (with its provenance record) are one
SPARQL update, so either all of it lands or nothing changes.

Safety (:mod:`graph.store.safety`): every term written is checked first, so an IRI
cannot smuggle SPARQL into an update; queries with ``SERVICE`` are refused, so a
query cannot make the store call out to the network.

Limits (:mod:`graph.store.limits`): :func:`run_query` runs a user's query with a
time limit and a row limit, in a worker process that is killed at the time limit.
Writers (:mod:`graph.store.lock`): one process writes an embedded store at a time.

Modules: ``base`` (the interface), ``embedded``, ``remote``, ``safety``, ``limits``,
``lock``, ``export``, ``terms``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from graph.store.base import (
    GRAPH_FORMATS,
    MEDIA_TYPES,
    RESULT_FORMATS,
    Serialised,
    Store,
    is_inside_store,
    is_remote,
)
from graph.store.export import EXPORT_FORMATS, check_export_format, reserialise_nquads, serialise_graph
from graph.store.limits import DEFAULT_ROWS, DEFAULT_TIMEOUT, QueryLimits, run_query
from graph.store.safety import check_iri, check_query, check_terms, check_update, query_kind

if TYPE_CHECKING:
    import httpx

__all__ = [
    "Store",
    "Serialised",
    "open_store",
    "is_remote",
    "is_inside_store",
    "check_terms",
    "check_iri",
    "check_query",
    "check_update",
    "query_kind",
    "check_export_format",
    "serialise_graph",
    "reserialise_nquads",
    "EXPORT_FORMATS",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "MEDIA_TYPES",
    "QueryLimits",
    "run_query",
    "DEFAULT_TIMEOUT",
    "DEFAULT_ROWS",
]


def open_store(
    location: str | os.PathLike[str],
    *,
    read_only: bool = False,
    create: bool = True,
    lock_wait: float | None = None,
    update_url: str | None = None,
    client: httpx.Client | None = None,
) -> Store:
    """Open the store at ``location`` (directory or SPARQL endpoint URL).

    An embedded store opened for writing holds the writer lock until closed
    (:mod:`graph.store.lock`), waiting up to ``lock_wait`` seconds for another
    writer; with ``create=False`` it must already exist.
    ``update_url`` and ``client`` apply to a remote endpoint only (see
    :class:`graph.store.remote.SparqlStore`).
    """
    if is_remote(location):
        from graph.store.remote import SparqlStore

        return SparqlStore(str(location), update_url, client=client)
    from graph.store.embedded import OxigraphStore

    return OxigraphStore(Path(location).expanduser(), read_only=read_only, create=create, lock_wait=lock_wait)
