"""What the matchers learn from: the centres, concepts and regions of a store.

A :class:`Catalogue` is a frozen snapshot of typed records (``graph.records``);
``Catalogue.from_store(store)`` reads it through ``graph.views``, and tests build
one directly from hand-made records.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.records import Centre, Concept, Engagement, Region

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
        object.__setattr__(self, "regions", dict(self.regions))
        object.__setattr__(self, "district_adjacency", tuple(map(tuple, self.district_adjacency)))
        object.__setattr__(
            self, "municipality_adjacency", tuple(map(tuple, self.municipality_adjacency))
        )

    @classmethod
    def from_store(
        cls, store: Store, *, region_details: bool = True, municipality_adjacency: bool = False
    ) -> Catalogue:
        """Read every centre, concept and region of ``store``.

        Reading all 10k regions' full records takes about 2 s; with
        ``region_details=False`` only what the matchers use of a region (AGS, name,
        kind, coordinates: ``graph.views.region_places``) is read, in a fifth of the
        time — what a one-off query from the command line wants. Either way the
        catalogue holds everything it needs: the store may be closed afterwards.
        Municipality adjacency (30k pairs) is read only when asked for; the matchers
        use district adjacency.
        """
        from graph import views

        read = views.regions if region_details else views.region_places
        regions = {r.ags: r for r in read(store)}
        return cls(
            centres=tuple(views.centres(store)),
            concepts=tuple(views.concepts(store)),
            regions=regions,
            district_adjacency=tuple(views.adjacency(store, "district")),
            municipality_adjacency=(
                tuple(views.adjacency(store, "municipality")) if municipality_adjacency else ()
            ),
        )

    def to_json(self) -> bytes:
        """The catalogue as compact JSON (records as rows under their field names), read back by
        :meth:`from_json`; how ``service.runtime`` keeps a store's snapshot between runs."""
        centres = [
            [_rows_of(v) if k in _ENGAGEMENTS else v for k, v in zip(_CENTRE, _values(c), strict=True)]
            for c in self.centres
        ]
        doc = {
            "format": _FORMAT,
            "fields": {"centre": _CENTRE, "engagement": _ENGAGEMENT, "concept": _CONCEPT, "region": _REGION},
            "centres": centres,
            "concepts": [_values(c) for c in self.concepts],
            "regions": [_values(r) for r in self.regions.values()],
            "district_adjacency": self.district_adjacency,
            "municipality_adjacency": self.municipality_adjacency,
        }
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Catalogue:
        """The catalogue :meth:`to_json` wrote; ``ValueError`` if ``data`` is not one, or was
        written for records with other fields."""
        try:
            doc = json.loads(data)
            want = {"centre": _CENTRE, "engagement": _ENGAGEMENT, "concept": _CONCEPT, "region": _REGION}
            if doc.get("format") != _FORMAT or doc.get("fields") != want:
                raise ValueError("written by another version")
            centres = []
            for row in doc["centres"]:
                values = dict(zip(_CENTRE, row, strict=True))
                for k in _ENGAGEMENTS:
                    values[k] = tuple(Engagement(*e) for e in values[k])
                values["served_ags"] = tuple(values["served_ags"])
                centres.append(Centre(**values))
            concepts = [
                Concept(**{k: tuple(v) if isinstance(v, list) else v for k, v in zip(_CONCEPT, row, strict=True)})
                for row in doc["concepts"]
            ]
            regions = [Region(*row) for row in doc["regions"]]
            return cls(
                centres=tuple(centres),
                concepts=tuple(concepts),
                regions={r.ags: r for r in regions},
                district_adjacency=tuple(map(tuple, doc["district_adjacency"])),
                municipality_adjacency=tuple(map(tuple, doc["municipality_adjacency"])),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a catalogue snapshot: {exc}") from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`to_json` to ``path`` atomically (readers see the old file or the new one)."""
        from matching._files import write_atomic

        write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Catalogue:
        """The catalogue :meth:`save` wrote; ``OSError`` if unreadable, ``ValueError`` if not one."""
        return cls.from_json(Path(path).read_bytes())

    def concepts_of(self, scheme: str) -> tuple[Concept, ...]:
        """The concepts of one scheme (technology, service, sector, nace), sorted by IRI."""
        return tuple(sorted((c for c in self.concepts if c.scheme == scheme), key=lambda c: c.iri))

    def neighbours(self, kind: str = "district") -> dict[str, frozenset[str]]:
        """AGS → AGS of the neighbouring regions (``kind``: district or municipality)."""
        pairs = self.district_adjacency if kind == "district" else self.municipality_adjacency
        return _neighbour_map(pairs)


_FORMAT = 1
_CENTRE = [f.name for f in fields(Centre)]
_ENGAGEMENT = [f.name for f in fields(Engagement)]
_CONCEPT = [f.name for f in fields(Concept)]
_REGION = [f.name for f in fields(Region)]
_ENGAGEMENTS = ("topics", "services", "sectors")


def _values(record: Any) -> list[Any]:
    return [getattr(record, f.name) for f in fields(record)]


def _rows_of(engagements: Iterable[Engagement]) -> list[list[Any]]:
    return [_values(e) for e in engagements]


def _neighbour_map(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        out[a].add(b)
        out[b].add(a)
    return {k: frozenset(v) for k, v in out.items()}
