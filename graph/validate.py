"""Check RDF against the regiomatch SHACL shapes, and read the ontology files.

``validate(data, source=..., context=...)`` runs pyshacl with ``ontologies/shapes.ttl``
and the ontology ``ontologies/regiomatch.ttl`` as ``ont_graph`` and raises
:class:`graph.errors.ValidationFailed` listing every violation (focus node, path,
message, offending value).

Inference is ``"none"``: pyshacl mixes the ontology into (a copy of) the data graph,
so ``rdfs:subClassOf`` is there for ``sh:targetClass`` / ``sh:class`` — which is
all the shapes rely on — while RDFS inference would add little but time (it
roughly doubles the run on large graphs) and would turn every ``rdfs:domain`` into
a type, so a stray property would silently make a node a company or a region.
``advanced=True`` enables the SPARQL-based constraints (size class vs employees,
AGS prefixes, the Saxony-Anhalt grant cap).

``context`` holds facts the data refers to but does not carry, typically the
``rdf:type`` of referenced IRIs already in the store. It is validated together with
the data, but violations whose focus node only occurs in the context are dropped:
the context is there to answer ``sh:class``, not to be judged.

The shapes and ontology are parsed once, on first use, and cached.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, GEO, RDF, RDFS, SDO, SH, SKOS, XSD, NamespaceManager
from rdflib.term import Node

from graph.errors import ValidationFailed, Violation
from graph.vocab import RM_BASE, SDMX_DIMENSION

__all__ = ["validate", "load_shapes", "load_ontology", "load_schemes"]

_PACKAGE = "ontologies"
_PREFIXES = {
    "rm": RM_BASE,
    "schema": str(SDO),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "geo": str(GEO),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": str(SDMX_DIMENSION),
}


def _read(*parts: str) -> Graph:
    res = resources.files(_PACKAGE).joinpath(*parts)
    g = Graph()
    g.parse(data=res.read_text(encoding="utf-8"), format="turtle", publicID=str(res))
    return g


def load_shapes() -> Graph:
    """A new graph holding the SHACL shapes (``ontologies/shapes.ttl``)."""
    return _read("shapes.ttl")


def load_ontology() -> Graph:
    """A new graph holding the OWL vocabulary (``ontologies/regiomatch.ttl``)."""
    return _read("regiomatch.ttl")


def load_schemes() -> Graph:
    """A new graph holding every SKOS scheme in ``ontologies/schemes/`` (technology,
    service, sector, NACE, trade)."""
    g = Graph()
    folder = resources.files(_PACKAGE).joinpath("schemes")
    for res in sorted(folder.iterdir(), key=lambda r: r.name):
        if res.name.endswith(".ttl"):
            g += _read("schemes", res.name)
    return g


_MAX_FOCUS = 2000


class _PreparedQueryGraph(Graph):
    """A graph that parses each distinct SPARQL text once.

    pyshacl runs a SPARQL-based constraint once per focus node with the same text
    (``$this`` comes as a binding); rdflib would parse it every time, which was
    most of the validation time of a large file.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=256)
def _prepared(text: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


@lru_cache(maxsize=1)
def _cached_shapes() -> Graph:
    return load_shapes()


@lru_cache(maxsize=1)
def _cached_ontology() -> Graph:
    return load_ontology()


def validate(data: Graph, *, source: str, context: Graph | None = None) -> None:
    """Raise ``ValidationFailed(source, violations)`` unless ``data`` conforms to the shapes.

    ``source`` names the data in the error (file names, "API request"); ``context``
    adds facts to look up, such as the types of referenced IRIs (see module docstring).
    Neither graph is modified.
    """
    from pyshacl import validate as shacl_validate  # heavy import, only when validating

    # the data, the context and the ontology mixed into one graph that pyshacl
    # validates in place (what its ont_graph option does on a copy)
    target = _PreparedQueryGraph()
    target += data
    context_only: set[Node] = set()
    if context is not None and len(context):
        target += context
        in_data = set(data.subjects())
        context_only = {s for s in context.subjects() if s not in in_data}
    target += _cached_ontology()

    # Judge only the data's own nodes: validating the context's nodes (a municipality a
    # company sits in) costs time and its results are dropped anyway. pyshacl can only
    # restrict to IRIs, so data with blank-node subjects is validated whole; it checks
    # membership in a list, so for large data validating the context is the cheaper way.
    focus: list[str | URIRef] | None = None
    subjects = set(data.subjects())
    if context_only and len(subjects) <= _MAX_FOCUS and all(isinstance(s, URIRef) for s in subjects):
        focus = sorted(cast("set[URIRef]", subjects))
    conforms, report, _ = shacl_validate(
        target,
        shacl_graph=_cached_shapes(),
        inference="none",
        inplace=True,
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
        focus_nodes=focus,
    )
    if conforms:
        return
    violations = [
        v
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if (v := _violation(report, result, context_only)) is not None
    ]
    if violations:
        violations.sort(key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
        raise ValidationFailed(source, violations=violations)


def _violation(report: Graph, result: Node, context_only: set[Node]) -> Violation | None:
    severity = report.value(result, SH.resultSeverity)
    if severity != SH.Violation:
        return None
    focus = report.value(result, SH.focusNode)
    if focus in context_only:
        return None
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    if not messages:
        component = report.value(result, SH.sourceConstraintComponent)
        messages = [f"violates {_short(component)}"]
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    return Violation(
        focus=_short(focus),
        path=_path(report, path) if path is not None else None,
        message=" / ".join(messages),
        value=_short(value) if value is not None else None,
    )


def _path(g: Graph, path: Node) -> str:
    """A SHACL property path as text: ``rm:hasTopic/rm:concept``, ``^schema:location``."""
    if isinstance(path, BNode):
        if (path, RDF.first, None) in g:
            return "/".join(_path(g, p) for p in Collection(g, path))
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{_path(g, inverse)}"
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(_path(g, p) for p in Collection(g, alternatives)) + ")"
        repeats = ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"))
        for op, mark in repeats:
            inner = g.value(path, op)
            if inner is not None:
                return f"{_path(g, inner)}{mark}"
    return _short(path)


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        iri = str(node)
        for prefix, ns in _PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri
    if isinstance(node, Literal):
        return node.n3(_namespaces())  # '"7"^^xsd:integer': the datatype is often the problem
    return f"_:{node}"


@lru_cache(maxsize=1)
def _namespaces() -> NamespaceManager:
    nm = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, ns in _PREFIXES.items():
        nm.bind(prefix, ns)
    return nm
