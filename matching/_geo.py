"""The geography factor: how well placed each centre is for a query's region.

For a query located in a municipality (or district), each centre gets the best of:

==========================================  =====
centre in the same municipality             1.00
centre in the same district                 0.90
centre serves the municipality/district     0.85
centre in a neighbouring district           0.70
centre serves the query's state             0.40
national thematic centre (scope national)   0.40
centre in the same state                    0.30
distance decay ``exp(-km / scale_km)``      0..1
==========================================  =====

Centres without a German location (e.g. an imported EU catalogue) get only what
their scope and served regions give. Without a query location the factor is 0
for every centre, so it does not change the ranking.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph.records import Centre

__all__ = ["GeoIndex", "Place", "RELATIONS", "geo_text"]

SAME_MUNICIPALITY = 1.0
SAME_DISTRICT = 0.9
SERVES_REGION = 0.85
NEIGHBOUR_DISTRICT = 0.7
SERVES_STATE = 0.4
NATIONAL = 0.4
SAME_STATE = 0.3
EARTH_RADIUS_KM = 6371.0  # the mean radius


def haversine_km(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle km from one point to many; all in radians, NaN in gives NaN out."""
    a = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class Place:
    """A query's location resolved against the catalogue."""

    ags: str
    name: str
    kind: str  # "municipality" | "district"
    district_ags: str
    district_name: str
    state_ags: str
    state_name: str
    lat: float | None
    lon: float | None


def _code(ags: str | None) -> int:
    return int(ags) if ags and ags.isdigit() else -1


class GeoIndex:
    """Centre locations as arrays, for vectorised geography scores."""

    def __init__(
        self,
        centres: Sequence[Centre],
        neighbours: dict[str, frozenset[str]],
        scale_km: float,
    ) -> None:
        self.scale_km = float(scale_km)
        self.neighbours = neighbours
        self.lat = np.radians(np.array([np.nan if c.lat is None else c.lat for c in centres], dtype=np.float64))
        self.lon = np.radians(np.array([np.nan if c.lon is None else c.lon for c in centres], dtype=np.float64))
        self.municipality = np.array([_code(c.municipality_ags) for c in centres], dtype=np.int64)
        self.district = np.array([_code(c.district_ags or (c.municipality_ags or "")[:5]) for c in centres], dtype=np.int64)
        self.state = np.array([_code(c.state_ags) for c in centres], dtype=np.int64)
        self.national = np.array([(c.scope or "").lower() == "national" for c in centres], dtype=bool)
        # the same as Python values, for the reasons of single centres
        self._facts = list(zip(self.municipality.tolist(), self.district.tolist(), self.state.tolist(),
                               self.national.tolist(), (frozenset(c.served_ags) for c in centres), strict=True))
        served: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(centres):
            for ags in c.served_ags:
                served[ags].append(i)
        self.served = {k: np.array(v, dtype=np.intp) for k, v in served.items()}

    def distances(self, place: Place) -> np.ndarray:
        """Great-circle km from the place to every centre ``(n,)``; NaN where unknown."""
        if place.lat is None or place.lon is None:
            return np.full(self.lat.shape, np.nan)
        return haversine_km(np.radians(place.lat), np.radians(place.lon), self.lat, self.lon)

    def scores(self, place: Place | None) -> tuple[np.ndarray, np.ndarray]:
        """``(geography (n,) in [0, 1], distance_km (n,) with NaN)`` for a place (None: zeros)."""
        n = self.lat.shape[0]
        if place is None:
            return np.zeros(n, dtype=np.float32), np.full(n, np.nan)
        km = self.distances(place)
        with np.errstate(invalid="ignore"):
            geo = np.nan_to_num(np.exp(-km / self.scale_km), nan=0.0)
        geo = np.maximum(geo, SAME_STATE * (self.state == _code(place.state_ags)))
        geo = np.maximum(geo, NATIONAL * self.national)
        near = [_code(a) for a in self.neighbours.get(place.district_ags, ())]
        if near:
            geo = np.maximum(geo, NEIGHBOUR_DISTRICT * np.isin(self.district, near))
        geo = np.maximum(geo, SAME_DISTRICT * (self.district == _code(place.district_ags)))
        if place.kind == "municipality":
            geo = np.maximum(geo, SAME_MUNICIPALITY * (self.municipality == _code(place.ags)))
        for ags, credit in ((place.state_ags, SERVES_STATE), (place.district_ags, SERVES_REGION), (place.ags, SERVES_REGION)):
            rows = self.served.get(ags)
            if rows is not None:
                geo[rows] = np.maximum(geo[rows], credit)
        return geo.astype(np.float32), km

    def explain_parts(self, i: int, centre: Centre, place: Place) -> tuple[tuple[str, str], ...]:
        """Why centre ``i`` is well or badly placed, as ``(relation, place name)`` pairs.

        Relations (``RELATIONS``): in/serves your municipality, district or state, in
        the neighbouring district, national centre (name "").
        """
        municipality, district, state, national, served = self._facts[i]
        parts: list[tuple[str, str]] = []
        if place.kind == "municipality" and municipality == _code(place.ags):
            parts.append(("in-municipality", place.name))
        elif district == _code(place.district_ags):
            parts.append(("in-district", place.district_name))
        if place.ags in served and place.kind == "municipality":
            parts.append(("serves-municipality", place.name))
        elif place.district_ags in served:
            parts.append(("serves-district", place.district_name))
        elif place.state_ags in served and not national:
            parts.append(("serves-state", place.state_name))
        if not parts and centre.district_ags in self.neighbours.get(place.district_ags, ()):
            parts.append(("neighbour-district", centre.district_name or centre.district_ags or ""))
        if national:
            parts.append(("national", ""))
        if not parts and state == _code(place.state_ags):
            parts.append(("in-state", place.state_name))
        return tuple(parts)

    def explain(self, i: int, centre: Centre, place: Place, km: float) -> str:
        """Why centre ``i`` is well or badly placed, e.g. "serves your district Börde, 41 km away"."""
        return geo_text(self.explain_parts(i, centre, place), km)


RELATIONS = {
    "in-municipality": "in your municipality {}",
    "in-district": "in your district {}",
    "serves-municipality": "serves your municipality {}",
    "serves-district": "serves your district {}",
    "serves-state": "serves your state {}",
    "neighbour-district": "in the neighbouring district {}",
    "national": "national centre serving all of Germany",
    "in-state": "in your state {}",
}


def geo_text(parts: tuple[tuple[str, str], ...], km: float | None) -> str:
    """The English sentence of ``GeoIndex.explain_parts`` and a distance (None/NaN: unknown)."""
    words = [RELATIONS[rel].format(name) for rel, name in parts]
    if km is not None and not math.isnan(km):
        words.append(f"{km:.0f} km away")
    return ", ".join(words) or "far from you"
