"""Companies (private data: callers check authorisation)."""

from __future__ import annotations

from collections import defaultdict

from graph import iris
from graph.errors import UnknownEntity, shown
from graph.records import Company
from graph.store import Store
from graph.views._common import P, opt_int, opt_str

__all__ = ["companies", "company"]

_SIZE = {"Micro": "micro", "Small": "small", "Medium": "medium"}


def companies(store: Store, company_id: str | None = None) -> list[Company]:
    """All companies (private data: callers check authorisation), sorted by id."""
    filt = f"VALUES ?c {{ {iris.company(company_id).n3()} }}" if company_id is not None else ""
    rows = store.select(P + f"""
SELECT ?c ?id ?name ?ags ?nace ?size ?emp ?desc ?syn WHERE {{
  {filt}
  ?c a rm:Company ; dcterms:identifier ?id .
  OPTIONAL {{ ?c schema:name ?name }}
  OPTIONAL {{ ?c schema:location ?m . ?m rm:ags ?ags }}
  OPTIONAL {{ ?c rm:naceSector ?nace }}
  OPTIONAL {{ ?c rm:sizeClass ?size }}
  OPTIONAL {{ ?c schema:numberOfEmployees ?emp }}
  OPTIONAL {{ ?c rm:needDescription ?desc }}
  OPTIONAL {{ ?c rm:synthetic ?syn }}
}}""")
    needs: dict[str, list[str]] = defaultdict(list)
    for r in store.select(P + f"SELECT ?c ?t WHERE {{ {filt} ?c a rm:Company ; rm:needs ?t }}"):
        needs[str(r["c"])].append(str(r["t"]))
    out: dict[str, Company] = {}
    for row in rows:
        c = str(row["c"])
        if c in out:
            continue
        desc = row.get("desc")
        size = opt_str(row, "size")
        out[c] = Company(
            iri=c,
            id=str(row["id"]),
            name=opt_str(row, "name") or str(row["id"]),
            municipality_ags=opt_str(row, "ags") or "",
            nace=iris.key_of(str(row["nace"])) if row.get("nace") is not None else None,
            size_class=_SIZE.get(size.rsplit("#", 1)[-1]) if size else None,
            employees=opt_int(row, "emp"),
            needs=tuple(sorted(needs.get(c, ()))),
            need_description=str(desc) if desc is not None else "",
            language=getattr(desc, "language", None),
            synthetic=str(row.get("syn", "false")).lower() in ("true", "1"),
        )
    return sorted(out.values(), key=lambda x: x.id)


def company(store: Store, company_id: str) -> Company:
    """One company by id; ``UnknownEntity`` if the store has none."""
    found = companies(store, company_id)
    if not found:
        raise UnknownEntity(f"no company with id {shown(company_id)} in the store")
    return found[0]
