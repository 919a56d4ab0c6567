"""Term conversion between pyoxigraph and rdflib (the store speaks rdflib terms)."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph.errors import StoreError

__all__ = ["to_rdflib", "to_oxigraph"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: Any) -> Node:
    """The rdflib term for a pyoxigraph ``NamedNode``, ``BlankNode`` or ``Literal``."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise StoreError(f"unsupported term from the store: {term!r}")


def to_oxigraph(term: Node) -> Any:
    """The pyoxigraph term for an rdflib ``URIRef``, ``BNode`` or ``Literal``."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unsupported term {term!r}: expected an IRI, blank node or literal")
