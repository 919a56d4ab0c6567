"""One record with its links, for ``regiomatch show`` (and later the API)."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from graph import iris, views
from graph.errors import UnknownEntity
from graph.indicators import indicator_records
from graph.namespaces import sparql_prefixes
from graph.store import Store

__all__ = ["find_record"]


def find_record(store: Store, key: str) -> tuple[str, dict[str, Any]]:
    """(kind, record) for an AGS, a centre id or a company id; ``UnknownEntity`` otherwise."""
    k = key.strip()
    if re.fullmatch(r"\d{2}|\d{5}|\d{8}", k):
        return "region", _region(store, k)
    if re.fullmatch(r"\d+", k):
        iris.normalise_ags(k)  # raises with the expected AGS forms
    for kind, fn in (("centre", views.centres), ("company", views.companies)):
        found = fn(store, k)
        if found:
            rec = asdict(found[0])
            if kind == "centre":
                for field in ("topics", "services", "sectors"):
                    rec[field] = [
                        {"concept": e["label_en"] or iris.key_of(e["concept"]), "level": e["level"]}
                        for e in rec[field]
                    ]
            return kind, rec
    raise UnknownEntity(
        f"nothing with key {key!r}: expected an AGS (2, 5 or 8 digits, e.g. 15083270), "
        "a centre id (e.g. edihcat-005) or a company id (e.g. sme-000001)"
    )


def _region(store: Store, ags: str) -> dict[str, Any]:
    reg = views.region(store, ags)
    rec = asdict(reg)
    iri = iris.region(ags).n3()
    q = sparql_prefixes()
    rec["part_of"] = [
        f"{r['name']} ({r['ags']})"
        for r in store.select(q + f"SELECT ?ags ?name WHERE {{ {iri} schema:containedInPlace+ ?p . ?p rm:ags ?ags ; schema:name ?name }} ORDER BY DESC(STRLEN(?ags))")
    ]
    if reg.kind != "municipality":
        rec["parts"] = int(str(store.select(q + f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c schema:containedInPlace {iri} }}")[0]["n"]))
    rec["neighbours"] = [
        f"{r['name']} ({r['ags']})"
        for r in store.select(q + f"SELECT ?ags ?name WHERE {{ {iri} geo:sfTouches ?n . ?n rm:ags ?ags ; schema:name ?name }} ORDER BY ?ags")
    ]
    rec["centres_located"] = [
        f"{r['name']} ({r['id']})"
        for r in store.select(q + f"""SELECT DISTINCT ?id ?name WHERE {{
  ?c a rm:Centre ; dcterms:identifier ?id ; schema:name ?name ; schema:location ?m .
  {{ BIND({iri} AS ?m) }} UNION {{ ?m schema:containedInPlace+ {iri} }}
}} ORDER BY ?id""")
    ]
    rec["centres_serving"] = [
        f"{r['name']} ({r['id']})"
        for r in store.select(q + f"""SELECT DISTINCT ?id ?name WHERE {{
  ?c a rm:Centre ; dcterms:identifier ?id ; schema:name ?name ; schema:areaServed ?s .
  {iri} schema:containedInPlace* ?s .
}} ORDER BY ?id""")
    ]
    if reg.kind in ("municipality", "district"):
        rec["indicators"] = indicator_records(store, ags)
    return rec
