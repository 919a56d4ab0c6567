"""Writes through the API: JSON bodies → RDF → SHACL → one atomic update with its record.

Every write is one SPARQL update holding the data change *and* its provenance
record (a ``prov:Activity`` in the private ``audit`` graph: who — the key —, when,
what), run under the app's writer lock, so the store never holds a change without
its record or the other way round. Nothing is written when validation fails.

Centres written here land in the named graph ``centres/api`` (a replaced centre's
old triples are removed from whichever graph held them); companies in
``companies/api``; outcomes in ``outcomes``. Deleting a company erases every
triple that has the company as subject or object in any graph — its record, the
outcomes about it and the links from write records — so no trace of its IRI or
texts is left (the right to erasure); its write records keep only "a company
record was written/erased".
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SDO, XSD

from graph import iris
from graph.errors import UnknownEntity
from graph.vocab import RM
from service.api.errors import ApiError
from service.api.models import CentreIn, CompanyIn, EngagementIn, OutcomeIn, WriteResult

if TYPE_CHECKING:
    from service.api.auth import Caller
    from service.api.state import AppState

__all__ = ["put_centre", "delete_centre", "put_company", "delete_company", "record_outcome", "AUDIT_GRAPH"]

AUDIT_GRAPH = "audit"
_CENTRE_TYPES = {
    "regional": RM.RegionalDigitalisationCentre,
    "edih": RM.EuropeanDigitalInnovationHub,
    "mittelstand-digital": RM.MittelstandDigitalCentre,
    "other": RM.OtherCentre,
}
_SIZES = {"micro": RM.Micro, "small": RM.Small, "medium": RM.Medium}
_ENGAGEMENT = {"technology": RM.hasTopic, "service": RM.hasService, "sector": RM.hasSector}


def _now() -> Literal:
    return Literal(dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _nt(g: Graph) -> str:
    from graph.store import check_terms

    check_terms(g)
    return g.serialize(format="nt", encoding="utf-8").decode("utf-8")


def _record(caller: Caller, action: str, what: str, iri: URIRef | None) -> Graph:
    """The provenance record of one write; ``iri`` None leaves the entity unnamed (erasure)."""
    a = iris.activity(uuid.uuid4().hex)
    agent = iris.agent(f"key-{caller.key_id}")
    g = Graph()
    g.add((a, RDF.type, PROV.Activity))
    g.add((a, PROV.startedAtTime, _now()))
    g.add((a, PROV.wasAssociatedWith, agent))
    g.add((agent, RDF.type, PROV.Agent))
    g.add((agent, DCTERMS.identifier, Literal(caller.key_id or "")))
    g.add((a, DCTERMS.type, Literal(action)))
    g.add((a, DCTERMS.description, Literal(what)))
    if iri is not None:
        g.add((a, PROV.invalidated if action == "delete" else PROV.generated, iri))
    return g


def _validate(state: AppState, data: Graph) -> None:
    from graph.loader import referenced_types
    from graph.validate import validate

    context = referenced_types(state.store, data)
    with state.validate_lock:
        validate(data, source="request body", context=context)


def _exists(state: AppState, iri: URIRef, cls: URIRef) -> bool:
    return state.store.ask(f"ASK {{ {iri.n3()} a {cls.n3()} }}")


def _commit(state: AppState, ops: list[str]) -> None:
    state.store.update(" ;\n".join(ops))
    state.changed()


def _insert(graph_name: str, g: Graph) -> str:
    return f"INSERT DATA {{ GRAPH {iris.named_graph(graph_name).n3()} {{\n{_nt(g)}\n}} }}"


def _drop_centre(c: URIRef) -> list[str]:
    """Operations removing a centre's triples and those of its parts (engagements, grants)."""
    return [
        f"""DELETE {{ GRAPH ?g {{ ?x ?p ?o }} }} WHERE {{ GRAPH ?g {{ {c.n3()} ?l ?x . ?x ?p ?o
  FILTER(STRSTARTS(STR(?x), "{c}/")) }} }}""",
        f"DELETE WHERE {{ GRAPH ?g {{ {c.n3()} ?p ?o }} }}",
    ]


# --------------------------------------------------------------------------- centres


def centre_graph(centre_id: str, body: CentreIn) -> Graph:
    """The RDF of a centre record (ids and keys checked by ``graph.iris``)."""
    c = iris.centre(centre_id)
    g = Graph()
    g.add((c, RDF.type, RM.Centre))
    g.add((c, DCTERMS.identifier, Literal(centre_id)))
    g.add((c, SDO.name, Literal(body.name)))
    g.add((c, RM.centreType, _CENTRE_TYPES[body.centre_type]))
    if body.title:
        g.add((c, SDO.alternateName, Literal(body.title)))
    if body.description:
        g.add((c, SDO.description, Literal(body.description, lang=body.description_language)))
    if body.website:
        g.add((c, SDO.url, Literal(body.website, datatype=XSD.anyURI)))
    if body.address:
        g.add((c, SDO.address, Literal(body.address)))
    if body.country:
        g.add((c, SDO.addressCountry, Literal(body.country)))
    if body.scope:
        g.add((c, RM.scope, Literal(body.scope)))
    if body.municipality:
        g.add((c, SDO.location, iris.region(body.municipality)))
    for ags in body.served:
        g.add((c, SDO.areaServed, iris.region(ags)))
    for kind, items in (("technology", body.topics), ("service", body.services), ("sector", body.sectors)):
        _engagements(g, c, centre_id, kind, items)
    return g


def _engagements(g: Graph, c: URIRef, centre_id: str, kind: str, items: list[EngagementIn]) -> None:
    for item in items:
        slug = iris.key_of(item.concept) if item.concept.startswith(iris.BASE) else item.concept
        e = iris.engagement(centre_id, kind, slug)
        g.add((c, _ENGAGEMENT[kind], e))
        g.add((e, RDF.type, RM.Engagement))
        g.add((e, RM.concept, iris.concept(kind, slug)))
        g.add((e, RM.level, Literal(item.level)))


def put_centre(state: AppState, caller: Caller, centre_id: str, body: CentreIn, *, create_only: bool) -> WriteResult:
    data = centre_graph(centre_id, body)
    _validate(state, data)
    c = iris.centre(centre_id)
    with state.write_lock:
        existed = _exists(state, c, RM.Centre)
        if existed and create_only:
            raise ApiError(409, "conflict", f"centre {centre_id!r} exists: PUT /centres/{centre_id} replaces it")
        action = "update" if existed else "create"
        ops = [*_drop_centre(c), _insert("centres/api", data),
               _insert(AUDIT_GRAPH, _record(caller, action, f"{action} centre {centre_id}", c))]
        _commit(state, ops)
    return WriteResult(iri=str(c), action="replaced" if existed else "created",
                       graph=str(iris.named_graph("centres/api")), triples=len(data))


def delete_centre(state: AppState, caller: Caller, centre_id: str) -> WriteResult:
    c = iris.centre(centre_id)
    with state.write_lock:
        if not _exists(state, c, RM.Centre):
            raise UnknownEntity(f"no centre with id {centre_id!r} in the store")
        ops = [*_drop_centre(c), _insert(AUDIT_GRAPH, _record(caller, "delete", f"delete centre {centre_id}", c))]
        _commit(state, ops)
    return WriteResult(iri=str(c), action="deleted", graph=str(iris.named_graph("centres/api")), triples=0)


# --------------------------------------------------------------------------- companies


def company_graph(company_id: str, body: CompanyIn) -> Graph:
    c = iris.company(company_id)
    g = Graph()
    g.add((c, RDF.type, RM.Company))
    g.add((c, DCTERMS.identifier, Literal(company_id)))
    if body.name:
        g.add((c, SDO.name, Literal(body.name)))
    g.add((c, SDO.location, iris.region(body.municipality)))
    if body.nace:
        g.add((c, RM.naceSector, iris.nace(body.nace)))
    g.add((c, RM.sizeClass, _SIZES[body.size_class]))
    if body.employees is not None:
        g.add((c, SDO.numberOfEmployees, Literal(body.employees)))
    for key in body.needs:
        slug = iris.key_of(key) if key.startswith(iris.BASE) else key
        g.add((c, RM.needs, iris.concept("technology", slug)))
    if body.need_description:
        g.add((c, RM.needDescription, Literal(body.need_description, lang=body.language)))
    return g


def put_company(state: AppState, caller: Caller, company_id: str, body: CompanyIn, *, create_only: bool) -> WriteResult:
    data = company_graph(company_id, body)
    _validate(state, data)
    c = iris.company(company_id)
    with state.write_lock:
        existed = _exists(state, c, RM.Company)
        if existed and create_only:
            raise ApiError(409, "conflict", f"company {company_id!r} exists: PUT /companies/{company_id} replaces it")
        action = "update" if existed else "create"
        ops = [f"DELETE WHERE {{ GRAPH ?g {{ {c.n3()} ?p ?o }} }}", _insert("companies/api", data),
               _insert(AUDIT_GRAPH, _record(caller, action, f"{action} a company record", c))]
        _commit(state, ops)
    return WriteResult(iri=str(c), action="replaced" if existed else "created",
                       graph=str(iris.named_graph("companies/api")), triples=len(data))


def delete_company(state: AppState, caller: Caller, company_id: str) -> WriteResult:
    """Erase a company: every triple with it as subject or object, in every graph."""
    c = iris.company(company_id)
    with state.write_lock:
        if not _exists(state, c, RM.Company):
            raise UnknownEntity(f"no company with id {company_id!r} in the store")
        ops = [
            f"DELETE WHERE {{ GRAPH ?g {{ ?out {RM.company.n3()} {c.n3()} ; ?p ?o }} }}",
            f"DELETE WHERE {{ GRAPH ?g {{ {c.n3()} ?p ?o }} }}",
            f"DELETE WHERE {{ GRAPH ?g {{ ?s ?p {c.n3()} }} }}",
            _insert(AUDIT_GRAPH, _record(caller, "delete", "erase a company record", None)),
        ]
        _commit(state, ops)
    return WriteResult(iri=str(c), action="deleted", graph=str(iris.named_graph("companies/api")), triples=0)


# --------------------------------------------------------------------------- outcomes


def record_outcome(state: AppState, caller: Caller, body: OutcomeIn) -> WriteResult:
    o = iris.outcome(uuid.uuid4().hex)
    g = Graph()
    g.add((o, RDF.type, RM.Outcome))
    g.add((o, RM.company, iris.company(body.company)))
    g.add((o, RM.centre, iris.centre(body.centre)))
    g.add((o, RM.rating, Literal(Decimal(str(body.rating)), datatype=XSD.decimal)))
    g.add((o, DCTERMS.created, _now()))
    _validate(state, g)
    with state.write_lock:
        _commit(state, [_insert("outcomes", g), _insert(AUDIT_GRAPH, _record(caller, "create", "record an outcome", o))])
    return WriteResult(iri=str(o), action="recorded", graph=str(iris.named_graph("outcomes")), triples=len(g))
