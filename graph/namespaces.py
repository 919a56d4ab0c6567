"""Prefixes we bind when writing RDF for people to read, and CURIEs under them.

One rdflib ``NamespaceManager`` holds the bindings; it expands CURIEs and
shortens IRIs. rdflib only shortens an IRI whose local part has no ``/``, while
our data IRIs have paths (``rmid:region/15083270``): those fall back to the longest
bound namespace the IRI starts with.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, GEO, ORG, OWL, PROV, QB, RDFS, SDO, SH, SKOS, XSD, NamespaceManager

from graph.iris import BASE
from graph.vocab import RM_BASE, SDMX_DIMENSION

__all__ = ["PREFIXES", "bind_prefixes", "curie", "expand_curie", "namespace_manager", "sparql_prefixes"]

PREFIXES: dict[str, str] = {
    "rm": RM_BASE,
    "rmid": f"{BASE}id/",
    "rmc": f"{BASE}concept/",
    "rmg": f"{BASE}graph/",
    "schema": str(SDO),
    "org": str(ORG),
    "skos": str(SKOS),
    "geo": str(GEO),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
}


def bind_prefixes(g: Graph) -> Graph:
    """Bind our prefixes on ``g`` (replacing rdflib's defaults for the same IRIs)."""
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, Namespace(iri), override=True, replace=True)
    return g


@lru_cache(maxsize=1)
def namespace_manager() -> NamespaceManager:
    """A namespace manager with our prefixes only (built once, on first use)."""
    nm = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        nm.bind(prefix, Namespace(iri), override=True, replace=True)
    return nm


def sparql_prefixes() -> str:
    """The PREFIX block for our SPARQL queries."""
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()) + "\n"


def expand_curie(curie: str) -> str:
    """The IRI of one of our CURIEs (``rm:ags``); ``ValueError`` for an unknown prefix."""
    return str(namespace_manager().expand_curie(curie))


def curie(iri: str) -> str:
    """``rm:Municipality`` for an IRI under one of our prefixes, else the IRI itself."""
    nm = namespace_manager()
    try:
        short = nm.curie(iri, generate=False)
        if not short.endswith(":"):
            return short
    except (KeyError, ValueError):
        pass
    best = max(
        ((p, str(ns)) for p, ns in nm.namespaces() if iri.startswith(str(ns)) and len(iri) > len(str(ns))),
        key=lambda pn: len(pn[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri
