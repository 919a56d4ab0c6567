"""Public funding of centres (``schema:funding`` → ``schema:MonetaryGrant``) as typed records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph import iris
from graph.namespaces import sparql_prefixes
from graph.store import Store

__all__ = ["Grant", "grants"]


@dataclass(frozen=True)
class Grant:
    """One grant of a centre: amount in ``currency``, programme name, funder, period."""

    amount: float | None
    currency: str | None
    programme: str | None
    funder: str | None
    start: date | None
    end: date | None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def grants(store: Store, centre_id: str) -> list[Grant]:
    """The grants recorded for centre ``centre_id`` (empty when none), earliest first."""
    c = iris.centre(centre_id).n3()
    rows = store.select_values(sparql_prefixes() + f"""
SELECT ?g ?amount ?currency ?pname ?funder ?start ?end WHERE {{
  {c} <https://schema.org/funding> ?g .
  OPTIONAL {{ ?g schema:amount ?amount }} OPTIONAL {{ ?g schema:currency ?currency }}
  OPTIONAL {{ ?g rm:programme ?p . ?p schema:name ?pname }}
  OPTIONAL {{ ?g schema:funder ?funder }}
  OPTIONAL {{ ?g schema:startDate ?start }} OPTIONAL {{ ?g schema:endDate ?end }}
}}""")
    seen: dict[str, Grant] = {}
    for r in rows:
        if r["g"] in seen:
            continue
        amount = r.get("amount")
        seen[r["g"]] = Grant(
            amount=float(amount) if amount else None, currency=r.get("currency"), programme=r.get("pname"),
            funder=r.get("funder"), start=_day(r.get("start")), end=_day(r.get("end")),
        )
    return sorted(seen.values(), key=lambda g: (g.start or date.min, g.programme or ""))
