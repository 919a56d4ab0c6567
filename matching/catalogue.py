"""What the matchers learn from: the centres, concepts and regions of a store.

A :class:`Catalogue` is a frozen snapshot of typed records (``graph.records``);
``Catalogue.from_store(store)`` reads it through ``graph.views``, and tests build
one directly from hand-made records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.records import Centre, Concept, Region

if TYPE_CHECKING:
    from graph.store import Store

__all__ = ["Catalogue"]


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Centres, SKOS concepts (all schemes), regions by AGS and region adjacency.

    ``regions`` maps AGS (2, 5 or 8 digits) to :class:`Region`; the adjacency
    fields hold neighbouring pairs ``(ags_a, ags_b)`` as ``graph.views.adjacency``
    returns them. A catalogue without regions (e.g. an imported EU hub list) is
    valid: matching then works without geography.
    """

    centres: tuple[Centre, ...]
    concepts: tuple[Concept, ...] = ()
    regions: Mapping[str, Region] = field(default_factory=dict)
    district_adjacency: tuple[tuple[str, str], ...] = ()
    municipality_adjacency: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "centres", tuple(self.centres))
        object.__setattr__(self, "concepts", tuple(self.concepts))
        if not isinstance(self.regions, _StoreRegions):
            object.__setattr__(self, "regions", dict(self.regions))
        object.__setattr__(self, "district_adjacency", tuple(map(tuple, self.district_adjacency)))
        object.__setattr__(
            self, "municipality_adjacency", tuple(map(tuple, self.municipality_adjacency))
        )

    @classmethod
    def from_store(
        cls, store: Store, *, municipalities: bool = True, municipality_adjacency: bool = False
    ) -> Catalogue:
        """Read every centre, concept and region of ``store``.

        Reading all 10k municipalities takes seconds; with ``municipalities=False``
        states and districts are read at once and a municipality only when first
        looked up (one query each) — what a one-off query from the command line
        wants. Municipality adjacency (30k pairs) is read only when asked for; the
        matchers use district adjacency. The store must stay open while a lazy
        catalogue is in use.
        """
        from graph import views

        if municipalities:
            regions: Mapping[str, Region] = {r.ags: r for r in views.regions(store)}
        else:
            regions = _StoreRegions(store)
        return cls(
            centres=tuple(views.centres(store)),
            concepts=tuple(views.concepts(store)),
            regions=regions,
            district_adjacency=tuple(views.adjacency(store, "district")),
            municipality_adjacency=(
                tuple(views.adjacency(store, "municipality")) if municipality_adjacency else ()
            ),
        )

    def concepts_of(self, scheme: str) -> tuple[Concept, ...]:
        """The concepts of one scheme (technology, service, sector, nace), sorted by IRI."""
        return tuple(sorted((c for c in self.concepts if c.scheme == scheme), key=lambda c: c.iri))

    def neighbours(self, kind: str = "district") -> dict[str, frozenset[str]]:
        """AGS → AGS of the neighbouring regions (``kind``: district or municipality)."""
        pairs = self.district_adjacency if kind == "district" else self.municipality_adjacency
        return _neighbour_map(pairs)


def _neighbour_map(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        out[a].add(b)
        out[b].add(a)
    return {k: frozenset(v) for k, v in out.items()}


class _StoreRegions(Mapping[str, Region]):
    """States and districts read at once; municipalities read from the store on first lookup.

    Iterating or taking the length reads every region.
    """

    def __init__(self, store: Store) -> None:
        from graph import views

        self._store = store
        self._known = {r.ags: r for kind in ("state", "district") for r in views.regions(store, kind)}
        self._missing: set[str] = set()
        self._complete = False

    def __getitem__(self, ags: str) -> Region:
        found = self._known.get(ags)
        if found is not None:
            return found
        if self._complete or ags in self._missing or len(ags) != 8 or not ags.isdigit():
            raise KeyError(ags)
        from graph import views

        rows = views.regions(self._store, ags=ags)
        if not rows:
            self._missing.add(ags)
            raise KeyError(ags)
        self._known[ags] = rows[0]
        return rows[0]

    def _all(self) -> dict[str, Region]:
        if not self._complete:
            from graph import views

            self._known = {r.ags: r for r in views.regions(self._store)}
            self._complete = True
        return self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __reduce__(self) -> tuple[object, ...]:
        return (dict, (self._all(),))
