"""Centres with their location, served regions and engagements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from rdflib.term import Node

from graph import iris
from graph.errors import UnknownEntity, shown
from graph.records import Centre, Engagement
from graph.store import Store
from graph.views._common import P, opt_float, opt_str

__all__ = ["centres", "centre"]

_CENTRE_TYPES = {
    "RegionalDigitalisationCentre": "regional",
    "EuropeanDigitalInnovationHub": "edih",
    "MittelstandDigitalCentre": "mittelstand-digital",
    "OtherCentre": "other",
}


def centres(store: Store, centre_id: str | None = None) -> list[Centre]:
    """All centres with their location, served regions and engagements, sorted by id."""
    filt = f"VALUES ?c {{ {iris.centre(centre_id).n3()} }}" if centre_id is not None else ""
    # lexical forms only (select_values): building an rdflib term per value cost the
    # command line most of its catalogue read
    base = store.select_values(P + f"""
SELECT ?c ?id ?name ?type ?title ?desc ?url ?addr ?country ?scope ?trade ?m ?mags ?mname ?d ?dags ?dname
       ?lat ?lon WHERE {{
  {filt}
  ?c a rm:Centre ; dcterms:identifier ?id ; schema:name ?name .
  OPTIONAL {{ ?c rm:centreType ?type }}
  OPTIONAL {{ ?c schema:alternateName ?title }}
  OPTIONAL {{ ?c schema:description ?desc }}
  OPTIONAL {{ ?c schema:url ?url }}
  OPTIONAL {{ ?c schema:address ?addr }}
  OPTIONAL {{ ?c schema:addressCountry ?country }}
  OPTIONAL {{ ?c rm:scope ?scope }}
  OPTIONAL {{ ?c rm:servesOnly ?trade }}
  OPTIONAL {{
    ?c schema:location ?m . ?m rm:ags ?mags ; schema:name ?mname .
    OPTIONAL {{ ?m schema:latitude ?lat ; schema:longitude ?lon }}
    OPTIONAL {{ ?m schema:containedInPlace ?d . ?d a rm:District ; rm:ags ?dags ; schema:name ?dname }}
  }}
}}""")
    served: dict[str, set[str]] = defaultdict(set)
    r: Mapping[str, Node | str]
    for r in store.select_values(P + f"""
SELECT ?c ?ags WHERE {{ {filt} ?c a rm:Centre ; schema:areaServed ?r . ?r rm:ags ?ags }}"""):
        served[str(r["c"])].add(str(r["ags"]))
    eng: dict[tuple[str, str], list[Engagement]] = defaultdict(list)
    for r in store.select_values(P + f"""
SELECT ?c ?prop ?concept ?level ?en ?de WHERE {{
  {filt}
  VALUES ?prop {{ rm:hasTopic rm:hasService rm:hasSector }}
  ?c a rm:Centre ; ?prop ?e . ?e rm:concept ?concept ; rm:level ?level .
  OPTIONAL {{ ?concept skos:prefLabel ?en FILTER(LANG(?en) = "en") }}
  OPTIONAL {{ ?concept skos:prefLabel ?de FILTER(LANG(?de) = "de") }}
}}"""):
        prop = str(r["prop"]).rsplit("#", 1)[-1]
        kind = {"hasTopic": "technology", "hasService": "service", "hasSector": "sector"}[prop]
        eng[(str(r["c"]), kind)].append(
            Engagement(str(r["concept"]), kind, int(str(r["level"])), opt_str(r, "en") or "", opt_str(r, "de") or "")
        )
    out: dict[str, Centre] = {}
    for row in base:
        c = str(row["c"])
        if c in out:
            continue
        desc = row.get("desc")
        out[c] = Centre(
            iri=c,
            id=str(row["id"]),
            name=str(row["name"]),
            centre_type=_CENTRE_TYPES.get(iris.key_of(str(row.get("type", ""))).split("#")[-1], "other"),
            title=opt_str(row, "title") or "",
            description=str(desc) if desc is not None else "",
            website=opt_str(row, "url"),
            address=opt_str(row, "addr"),
            country=opt_str(row, "country"),
            scope=opt_str(row, "scope"),
            municipality_ags=opt_str(row, "mags"),
            municipality_name=opt_str(row, "mname"),
            district_ags=opt_str(row, "dags"),
            district_name=opt_str(row, "dname"),
            state_ags=(opt_str(row, "mags") or "")[:2] or None,
            lat=opt_float(row, "lat"),
            lon=opt_float(row, "lon"),
            served_ags=tuple(sorted(served.get(c, ()))),
            topics=_sorted_eng(eng.get((c, "technology"), [])),
            services=_sorted_eng(eng.get((c, "service"), [])),
            sectors=_sorted_eng(eng.get((c, "sector"), [])),
            serves_only=opt_str(row, "trade"),
        )
    return sorted(out.values(), key=lambda x: x.id)


def _sorted_eng(items: list[Engagement]) -> tuple[Engagement, ...]:
    uniq = {e.concept: e for e in items}
    return tuple(sorted(uniq.values(), key=lambda e: (-e.level, e.label_en, e.concept)))


def centre(store: Store, centre_id: str) -> Centre:
    """One centre by id; ``UnknownEntity`` if the store has none."""
    found = centres(store, centre_id)
    if not found:
        raise UnknownEntity(f"no centre with id {shown(centre_id)} in the store")
    return found[0]
