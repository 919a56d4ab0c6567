"""Where the store's data comes from: one record per named graph, read from the provenance graph.

The web pages and ``/health`` show these as the data's reference dates. A
graph's reference date is the first date its title names ("Gebietsstand
30.11.2023", "export of 2025-05-05"), else the day it was generated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from graph.iris import graph_name
from graph.namespaces import sparql_prefixes
from graph.store import Store

__all__ = ["Source", "sources"]

_DE_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")


@dataclass(frozen=True)
class Source:
    """A named graph's provenance: short name (``regions``), title, licence IRI, dates."""

    graph: str
    title: str
    licence: str | None
    reference_date: date | None
    generated: date | None


def _date_in(text: str) -> date | None:
    m = _DE_DATE.search(text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        m = _ISO_DATE.search(text)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


def sources(store: Store) -> list[Source]:
    """Every named graph the provenance graph describes, sorted by name."""
    rows = store.select_values(sparql_prefixes() + """
SELECT ?g ?title ?licence ?time WHERE {
  GRAPH rmg:provenance { ?g a prov:Entity .
    OPTIONAL { ?g dcterms:title ?title } OPTIONAL { ?g dcterms:license ?licence }
    OPTIONAL { ?g prov:generatedAtTime ?time } }
}""")
    acc: dict[str, dict[str, str]] = defaultdict(dict)
    for r in rows:
        for key in ("title", "licence", "time"):
            if r.get(key):
                acc[r["g"]].setdefault(key, r[key])
    out = []
    for g, rec in acc.items():
        title = rec.get("title", "")
        generated = _date_in(rec.get("time", ""))
        out.append(Source(graph_name(g), title, rec.get("licence"), _date_in(title) or generated, generated))
    return sorted(out, key=lambda s: s.graph)
