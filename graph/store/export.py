"""Export formats and the rdflib serialisation both backends fall back on."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef

from graph.errors import UnknownFormat

__all__ = ["EXPORT_FORMATS", "check_export_format", "serialise_graph", "reserialise_nquads", "dump_prefixes"]

EXPORT_FORMATS = ("ttl", "jsonld", "nt", "nq", "trig")
_DATASET_FORMATS = ("nq", "trig")
_RDFLIB_FORMAT = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "nq": "nquads", "trig": "trig"}
_ALIASES = {"turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt", "nquads": "nq"}


def check_export_format(fmt: str) -> str:
    """The canonical export format name; ``UnknownFormat`` naming the choices."""
    f = _ALIASES.get(fmt, fmt)
    if f not in EXPORT_FORMATS:
        raise UnknownFormat(f"unknown export format {fmt[:40]!r}: expected one of {', '.join(EXPORT_FORMATS)}")
    return f


def serialise_graph(g: Graph, fmt: str) -> bytes:
    """Serialise one graph with our prefixes bound."""
    from graph.namespaces import bind_prefixes

    bind_prefixes(g)
    return g.serialize(format=_RDFLIB_FORMAT[fmt], encoding="utf-8")


def reserialise_nquads(nquads: bytes, fmt: str, graph: URIRef | None) -> bytes:
    """N-Quads → ``fmt``: dataset formats keep graphs, triple formats take the union."""
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    if fmt in _DATASET_FORMATS or (fmt == "jsonld" and graph is None):
        from graph.namespaces import bind_prefixes

        bind_prefixes(ds)
        return ds.serialize(format=_RDFLIB_FORMAT[fmt], encoding="utf-8")
    union = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    return serialise_graph(union, fmt)


def dump_prefixes() -> dict[str, str]:
    """The prefixes Oxigraph's Turtle/TriG writer gets: vocabularies only, since it
    would write our data IRIs as ``rmid:centre\\/x``."""
    from graph.namespaces import PREFIXES

    return {p: iri for p, iri in PREFIXES.items() if p not in ("rmid", "rmc", "rmg")}
