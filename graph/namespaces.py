"""Prefixes we bind when writing RDF for people to read."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, GEO, ORG, OWL, PROV, QB, RDFS, SDO, SH, SKOS, XSD

from graph.iris import BASE
from graph.vocab import RM_BASE, SDMX_DIMENSION

__all__ = ["PREFIXES", "bind_prefixes", "curie", "sparql_prefixes"]

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


def sparql_prefixes() -> str:
    """The PREFIX block for our SPARQL queries."""
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()) + "\n"


def curie(iri: str) -> str:
    """``rm:Municipality`` for an IRI under one of our prefixes, else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
