"""SKOS concepts of the schemes (technology, service, sector, nace, trade)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph import iris
from graph.records import Concept
from graph.store import Store
from graph.views._common import P

__all__ = ["concepts"]


def concepts(store: Store, scheme: str | None = None) -> list[Concept]:
    """SKOS concepts of one scheme (technology, service, sector, nace, trade) or all, sorted by IRI."""
    schemes = [scheme] if scheme else list(iris.SCHEMES)
    values = " ".join(iris.scheme(s).n3() for s in schemes)
    rows = store.select(P + f"""
SELECT ?c ?scheme ?p ?o WHERE {{
  VALUES ?scheme {{ {values} }}
  ?c a skos:Concept ; skos:inScheme ?scheme ; ?p ?o .
  VALUES ?p {{ skos:prefLabel skos:altLabel skos:definition skos:broader skos:related
              skos:closeMatch skos:notation skos:example }}
}}""")
    acc: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = str(r["c"])
        d = acc.setdefault(c, {"scheme": iris.key_of(str(r["scheme"])), "vals": defaultdict(list)})
        p = str(r["p"]).rsplit("#", 1)[-1]
        o = r["o"]
        lang = getattr(o, "language", None)
        d["vals"][(p, lang)].append(str(o))
    out = []
    for c, d in acc.items():
        v = d["vals"]

        def first(p: str, lang: str | None, vals: Any = v) -> str:
            return sorted(vals.get((p, lang), [""]))[0]

        label_en = first("prefLabel", "en") or first("prefLabel", None)
        out.append(
            Concept(
                iri=c,
                scheme=d["scheme"],
                key=iris.key_of(c),
                label_en=label_en,
                label_de=first("prefLabel", "de") or label_en,
                alt_en=tuple(sorted(set(v.get(("altLabel", "en"), []) + v.get(("altLabel", None), [])))),
                alt_de=tuple(sorted(set(v.get(("altLabel", "de"), [])))),
                definition=first("definition", "en") or first("definition", None),
                broader=tuple(sorted(v.get(("broader", None), []))),
                related=tuple(sorted(v.get(("related", None), []))),
                close_match=tuple(sorted(v.get(("closeMatch", None), []))),
                notation=first("notation", None) or None,
                definition_de=first("definition", "de"),
                examples_en=tuple(sorted(set(v.get(("example", "en"), [])))),
                examples_de=tuple(sorted(set(v.get(("example", "de"), [])))),
            )
        )
    return sorted(out, key=lambda x: x.iri)

