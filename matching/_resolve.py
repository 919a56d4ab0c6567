"""Turn a ``MatchQuery`` into what the ranker needs, or say clearly what is wrong with it.

Every value a user typed is checked against the fitted catalogue; a bad one raises
``InvalidInput`` naming the value and what would be valid (closest topics, the AGS
forms, NACE codes).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graph import iris
from graph.errors import InvalidInput, InvalidKey, UnknownEntity, shown
from matching._geo import Place
from matching._text import fold

if TYPE_CHECKING:
    from matching.catalogue import Catalogue
    from matching.query import MatchQuery
    from matching.topics import TextAnalysis, TopicSuggester

__all__ = ["Prepared", "QueryResolver"]


@dataclass(frozen=True)
class Prepared:
    """A validated query: its place, NACE keys, explicit concept rows and text analyses."""

    query: MatchQuery
    place: Place | None
    nace_keys: tuple[str, ...]  # e.g. ("25", "C")
    nace_label: str  # e.g. "C25"
    topic_rows: tuple[int, ...]
    service_rows: tuple[int, ...]
    topics: TextAnalysis
    services: TextAnalysis
    text: str  # the need's own text, encoded as it is ("" = nothing to encode)
    direct_topics: tuple[int, ...]  # rows of topics whose labels the text names outright


class QueryResolver:
    """Lookups built once at ``fit`` time: regions, NACE codes, topic names."""

    def __init__(self, catalogue: Catalogue, topics: TopicSuggester, services: TopicSuggester) -> None:
        self.regions = catalogue.regions
        self.topics = topics
        self.services = services
        nace = catalogue.concepts_of("nace")
        self.nace = {c.key: c for c in nace}
        self.section_of = {
            c.key: self.nace[iris.key_of(b)].key
            for c in nace
            for b in c.broader
            if iris.key_of(b) in self.nace
        }
        self.names: dict[str, tuple[str, int]] = {}
        for scheme, suggester in (("service", services), ("technology", topics)):
            for row, c in enumerate(suggester.concepts_):
                for name in (c.iri, c.key, c.label_en, c.label_de, *c.alt_en, *c.alt_de):
                    if name:
                        self.names[fold(name)] = (scheme, row)
        self.keys = sorted({c.key for s in (topics, services) for c in s.concepts_})

    def prepare(self, query: MatchQuery) -> Prepared:
        """Validate ``query`` against the catalogue; see the module docstring."""
        place = self._place(query.municipality) if query.municipality else None
        keys, label = self._nace(query.sector) if query.sector else ((), "")
        topic_rows, service_rows = self._topics(query.topics)
        text = query.text
        t_analysis = self.topics.analyse(text)
        s_analysis = self.services.analyse(text)
        lex = t_analysis.lexical
        direct: tuple[int, ...] = ()
        if text and lex.any():
            order = np.argsort(-lex, kind="stable")
            direct = tuple(order[lex[order] > 0.5].tolist())
        return Prepared(
            query=query,
            place=place,
            nace_keys=keys,
            nace_label=label,
            topic_rows=topic_rows,
            service_rows=service_rows,
            topics=t_analysis,
            services=s_analysis,
            text=text,
            direct_topics=direct,
        )

    # ------------------------------------------------------------------ place

    def _place(self, ags: str) -> Place:
        try:
            key = iris.normalise_ags(ags)
        except InvalidKey:
            key = ""
        forms = "an 8-digit municipality AGS (e.g. '15083270') or a 5-digit district AGS (e.g. '15083')"
        if len(key) not in (5, 8):
            raise InvalidInput(f"invalid municipality {ags!r}: expected {forms}")
        region = self.regions.get(key)
        if region is None:
            district, state = self.regions.get(key[:5]), self.regions.get(key[:2])
            if district is not None and len(key) == 8:
                where = f" (district {key[:5]} {district.name} has no municipality {key})"
            elif state is None:
                where = f" (the store has no state {key[:2]}; an imported hub catalogue has no German regions: leave the location out)"
            else:
                where = ""
            # well formed but absent: an unknown entity (exit 1), like an unknown company id
            raise UnknownEntity(f"unknown AGS {shown(ags)}: no such region in the store{where}; expected {forms}")
        district = self.regions.get(key[:5])
        state = self.regions.get(key[:2])
        return Place(
            ags=key,
            name=region.name,
            kind="district" if len(key) == 5 else "municipality",
            district_ags=key[:5],
            district_name=district.name if district else key[:5],
            state_ags=key[:2],
            state_name=state.name if state else key[:2],
            lat=region.lat if region.lat is not None else (district.lat if district else None),
            lon=region.lon if region.lon is not None else (district.lon if district else None),
        )

    # ------------------------------------------------------------------ sector

    def _nace(self, code: str) -> tuple[tuple[str, ...], str]:
        raw = str(code).strip().upper()
        try:
            key = iris.normalise_nace(raw)
        except InvalidKey as exc:
            raise InvalidInput(str(exc)) from None
        if self.nace and key not in self.nace:
            raise InvalidInput(
                f"unknown NACE code {code!r}: the store has sections A–U and two-digit divisions "
                f"such as {', '.join(sorted(k for k in self.nace if k.isdigit())[:5])} …"
            )
        if key.isalpha():
            return (key,), key
        section = self.section_of.get(key, raw[0] if len(raw) == 3 else "")
        if len(raw) == 3 and section and raw[0] != section:
            raise InvalidInput(f"NACE code {code!r}: division {key} belongs to section {section}, not {raw[0]}")
        return tuple(k for k in (key, section) if k), f"{section}{key}"

    # ------------------------------------------------------------------ topics

    def _topics(self, names: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        rows: dict[str, list[int]] = {"technology": [], "service": []}
        for name in names:
            hit = self.names.get(fold(name))
            if hit is None:
                raise InvalidInput(
                    f"unknown topic {name!r}: name a technology or service by key or label, "
                    f"e.g. {', '.join(self._closest(name))}"
                )
            rows[hit[0]].append(hit[1])
        return tuple(sorted(set(rows["technology"]))), tuple(sorted(set(rows["service"])))

    def _closest(self, name: str) -> list[str]:
        """Keys (with English labels) of up to four concepts whose key or a label is close to ``name``."""
        schemes = {"technology": self.topics, "service": self.services}
        found = difflib.get_close_matches(fold(name), list(self.names), n=8, cutoff=0.5)
        shown: dict[str, None] = {}
        for f in found:
            scheme, row = self.names[f]
            c = schemes[scheme].concepts_[row]
            shown[f"{c.key} ({c.label_en})"] = None
        return list(shown)[:4] or self.keys[:4]
