"""Recorded referral outcomes (company, centre, rating)."""

from __future__ import annotations

from graph.records import Outcome
from graph.store import Store
from graph.views._common import P

__all__ = ["outcomes"]


def outcomes(store: Store) -> list[Outcome]:
    """Recorded referral outcomes (company, centre, rating 0–1)."""
    rows = store.select(P + """
SELECT ?o ?company ?centre ?rating WHERE {
  ?o a rm:Outcome ; rm:company ?company ; rm:centre ?centre ; rm:rating ?rating .
}""")
    return [Outcome(str(r["o"]), str(r["company"]), str(r["centre"]), float(str(r["rating"]))) for r in rows]
