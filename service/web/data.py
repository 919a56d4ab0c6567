"""The one place the web pages get their data from.

``web_data(request)`` returns the process's :class:`WebData`: the store, the
catalogue (centres, concepts, every region), the fitted matcher and the lookups
the pages need (name search with umlaut folding, sector names, served regions).
It is built once, on first use, from the heavy state the API's lifespan has
already opened (``app.state.rm``, rebuilt after a write bumps its version) when
the pages are mounted on the API, else from the settings.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from service.web._names import NameIndex, fold

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

    from graph.records import Centre, Concept, Region
    from graph.sources import Source
    from graph.store import Store
    from matching.catalogue import Catalogue
    from matching.query import Match, MatchQuery
    from matching.ranker import CentreMatcher

__all__ = ["WebData", "web_data", "web_data_for", "close_web_data", "PlaceChoice"]

_LOCK = threading.Lock()


@dataclass(frozen=True)
class PlaceChoice:
    """What a typed place name resolved to: the region, and other candidates of the same name."""

    region: Region | None
    others: tuple[Region, ...] = ()


class WebData:
    """Read-only state of the web pages; see the module docstring."""

    def __init__(self, store: Store, catalogue: Catalogue, matcher: CentreMatcher, *, owns_store: bool) -> None:
        self.store = store
        self.catalogue = catalogue
        self.matcher = matcher
        self._owns_store = owns_store
        self.version = 0  # the API state's data version this was built from
        self.regions: dict[str, Region] = dict(catalogue.regions)
        self.centres: dict[str, Centre] = {c.id: c for c in catalogue.centres}
        self.places = NameIndex(self._place_entries())
        self.sectors = NameIndex(self._sector_entries())

    # ------------------------------------------------------------------ building

    @classmethod
    def from_app_state(cls, state: Any) -> WebData:
        """Borrow the API's open store, cached records and fitted matcher (``app.state.rm``)."""
        from matching.catalogue import Catalogue

        catalogue = Catalogue(
            centres=tuple(state.centres()), concepts=tuple(state.concepts()), regions=state.regions_by_ags(),
        )
        data = cls(state.store, catalogue, state.matcher(), owns_store=False)
        data.version = getattr(state, "version", 0)
        return data

    @classmethod
    def from_settings(cls) -> WebData:
        """Open the configured store read-only and fit the matcher as every command does (``service.runtime``)."""
        from service.runtime import runtime

        rt = runtime()
        store = rt.open_store()
        try:
            catalogue = rt.catalogue(store, region_details=True)  # the pages show population, area, type
            matcher = rt.matcher(catalogue)
        except BaseException:
            store.close()
            raise
        return cls(store, catalogue, matcher, owns_store=True)

    def close(self) -> None:
        if self._owns_store:
            self.store.close()

    # ------------------------------------------------------------------ lookups

    def label(self, ags: str) -> str:
        """"Haldensleben (Börde)": a place's short name with its district, as suggestions show it."""
        r = self.regions[ags]
        name = short_name(r.name)
        district = self.regions.get(ags[:5])
        if r.kind == "municipality" and district is not None and short_name(district.name) != name:
            return f"{name} ({district.name})"
        return name

    def _place_entries(self) -> list[tuple[str, Sequence[str], Any, float]]:
        out: list[tuple[str, Sequence[str], Any, float]] = []
        for r in self.regions.values():
            if r.kind == "state":
                continue
            # a district-free city is its own district: list it once, as the municipality
            if r.kind == "district" and f"{r.ags}000" in self.regions:
                continue
            out.append((r.ags, (short_name(r.name), r.name, self.label(r.ags)), r, float(r.population or 0)))
        return out

    def _sector_entries(self) -> list[tuple[str, Sequence[str], Any, float]]:
        return [
            (c.key, (c.key, c.label_de, c.label_en, *c.alt_de, *c.alt_en), c, 1.0 if c.key.isalpha() else 0.5)
            for c in self.catalogue.concepts_of("nace")
        ]

    @cached_property
    def technologies(self) -> tuple[Concept, ...]:
        return tuple(sorted(self.catalogue.concepts_of("technology"), key=lambda c: c.label_en))

    @cached_property
    def concepts_by_key(self) -> dict[str, Concept]:
        return {c.key: c for c in self.catalogue.concepts if c.scheme in ("technology", "service", "sector")}

    @cached_property
    def serving(self) -> dict[str, tuple[Centre, ...]]:
        """AGS → centres that name it (or its district or state) as served, or sit in it."""
        out: dict[str, list[Centre]] = defaultdict(list)
        for c in self.catalogue.centres:
            for ags in {*c.served_ags, c.municipality_ags or ""}:
                if ags:
                    out[ags].append(c)
        return {k: tuple(sorted(v, key=lambda c: c.name)) for k, v in out.items()}

    @cached_property
    def companies(self) -> tuple[Any, ...]:
        """Every company record (private: pages show only counts per area, never a company)."""
        from graph import views

        return tuple(views.companies(self.store))

    def centres_for_region(self, ags: str) -> list[Centre]:
        """Centres located in or serving the region, its district or its state (each once)."""
        seen: dict[str, Centre] = {}
        for key in (ags, ags[:5], ags[:2]):
            for c in self.serving.get(key, ()):
                seen.setdefault(c.id, c)
        if len(ags) < 8:  # a district or state is also served by centres inside it
            for c in self.catalogue.centres:
                if (c.municipality_ags or "").startswith(ags):
                    seen.setdefault(c.id, c)
        return list(seen.values())

    def resolve_place(self, text: str) -> PlaceChoice:
        """A typed municipality: an AGS, a name ("Halle" → Halle (Saale)) or a suggestion's label."""
        text = text.strip()
        digits = text.replace(" ", "")
        if digits.isdigit():
            region = self.regions.get(digits)
            return PlaceChoice(region if region is not None and region.kind != "state" else None)
        hits = self.places.find(text, limit=6)
        if not hits:
            return PlaceChoice(None)
        best = hits[0]
        same = tuple(h for h in hits[1:] if self.places.rank(text, h.ags) == self.places.rank(text, best.ags))
        return PlaceChoice(best, same)

    def resolve_sector(self, text: str) -> Concept | None:
        """A typed sector: a NACE code (C, 25, C25), a suggestion's label ("25 – …") or a name."""
        text = text.strip()
        head = text.split(" ", 1)[0].upper().rstrip(":–-")
        nace = {c.key: c for c in self.catalogue.concepts_of("nace")}
        for code in (head, head[1:] if len(head) == 3 else ""):
            if code in nace:
                return nace[code]
        hits = self.sectors.find(text, limit=1)
        return hits[0] if hits else None

    def search(self, q: str, limit: int = 10) -> dict[str, list[Any]]:
        """Regions, centres and topics whose names contain the words of ``q``."""
        folded = fold(q)
        words = folded.split()
        if not words:
            return {"regions": [], "centres": [], "topics": []}

        def hit(*names: str) -> bool:
            text = " ".join(fold(n) for n in names if n)
            return all(w in text for w in words)

        states = [r for r in self.regions.values() if r.kind == "state" and hit(r.name)]
        regions = states + self.places.find(q, limit=limit)
        centres = [c for c in self.catalogue.centres if hit(c.name, c.title, c.id, c.municipality_name or "")]
        topics = [c for c in self.concepts_by_key.values() if hit(c.label_de, c.label_en, c.key, *c.alt_de, *c.alt_en)]
        return {"regions": regions[:limit], "centres": centres[:limit], "topics": topics[:limit]}

    def match(self, query: MatchQuery, k: int) -> list[Match]:
        return self.matcher.match(query, k=k)

    @cached_property
    def sources(self) -> list[Source]:
        from graph.sources import sources

        return sources(self.store)


def short_name(name: str) -> str:
    """A municipality's name without its official suffix: "Halle (Saale), Stadt" → "Halle (Saale)"."""
    return name.split(",", 1)[0].strip()


def web_data(request: Request) -> WebData:
    """The app's :class:`WebData`, built on first use (thread-safe)."""
    return web_data_for(request.app)


def web_data_for(app: FastAPI) -> WebData:
    """The :class:`WebData` of ``app``: built once, rebuilt when the API's data version changes."""
    state = getattr(app.state, "rm", None)  # the API's AppState, when the pages are mounted on the API
    data = getattr(app.state, "web_data", None)
    if data is not None and (state is None or data.version == getattr(state, "version", 0)):
        return data
    with _LOCK:
        data = getattr(app.state, "web_data", None)
        if data is None or (state is not None and data.version != getattr(state, "version", 0)):
            data = WebData.from_app_state(state) if state is not None else WebData.from_settings()
            app.state.web_data = data
            from service.web.analytics import warm

            warm(data)
    return data


def close_web_data(app: FastAPI) -> None:
    """Close what :func:`web_data` opened for ``app`` (a borrowed store stays open)."""
    data = getattr(app.state, "web_data", None)
    if data is not None:
        data.close()
        app.state.web_data = None
