"""Read the compact default data shipped in ``graph/dataset/data/`` (see :mod:`graph.dataset.build`).

Tables come back as lists of dicts keyed by column name. Units: areas in km²,
coordinates in WGS84 degrees, populations in persons (31.12.2022).
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources
from typing import Any

from graph.errors import InvalidInput, UnreadableInput

__all__ = ["load", "meta", "states", "districts", "municipalities", "adjacency", "centres",
           "geometry", "indicators", "GEOMETRY_KINDS"]

GEOMETRY_KINDS = ("districts", "st-municipalities")


@cache
def load(name: str) -> Any:
    """One compact file, parsed (``regions``, ``centres``, ``geometry``, ``indicators`` or ``meta``)."""
    fname = "meta.json" if name == "meta" else f"{name}.json.gz"
    res = resources.files("graph.dataset").joinpath("data", fname)
    if not res.is_file():
        raise UnreadableInput(
            f"the compact data file graph/dataset/data/{fname} is missing; "
            "run `python -m graph.dataset.build`"
        )
    raw = res.read_bytes()
    return json.loads(gzip.decompress(raw) if fname.endswith(".gz") else raw)


def _table(name: str) -> list[dict[str, Any]]:
    t = load("regions")[name]
    cols = t["columns"]
    return [dict(zip(cols, row)) for row in t["rows"]]


def meta() -> dict[str, Any]:
    return load("meta")  # type: ignore[no-any-return]


def states() -> list[dict[str, Any]]:
    """16 rows: ags (2 digits), name, seat, nuts1, area_km2, population."""
    return _table("states")


def districts() -> list[dict[str, Any]]:
    """400 rows: ags (5), name, type, seat, state, nuts3, area_km2, population, lat, lon (centroid)."""
    return _table("districts")


def municipalities() -> list[dict[str, Any]]:
    """Political municipalities: ags (8), name, type, district, area_km2, population, plz, lat, lon
    (Destatis centre point), degurba (1 dense, 2 intermediate, 3 thin)."""
    return _table("municipalities")


def adjacency(level: str) -> list[tuple[str, str]]:
    """Undirected neighbour pairs (a < b) of ``"districts"`` or ``"municipalities"``."""
    key = {"districts": "district_adjacency", "municipalities": "municipality_adjacency"}.get(level)
    if key is None:
        raise InvalidInput(f"unknown adjacency level {level!r}: expected 'districts' or 'municipalities'")
    return [(a, b) for a, b in load("regions")[key]]


def centres() -> dict[str, Any]:
    """``hubs`` (German catalogue hubs), ``st_organisations`` and ``programmes``."""
    return load("centres")  # type: ignore[no-any-return]


def indicators() -> dict[str, Any]:
    """``municipality`` and ``district`` tables (columns ``ags`` + indicator keys of
    :mod:`graph.dataset._indicators`, ``None`` where the source has no value) and
    ``codes``: BBSR code list name → ``[code, German label]`` pairs."""
    return load("indicators")  # type: ignore[no-any-return]


def geometry(kind: str) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (WGS84) of ``"districts"`` or ``"st-municipalities"``;
    properties: ags, name, bez (official type)."""
    if kind not in GEOMETRY_KINDS:
        raise InvalidInput(f"unknown geometry {kind!r}: expected one of {', '.join(GEOMETRY_KINDS)}")
    layer = load("geometry")[kind]
    scale = layer["scale"]
    features = []
    for f in layer["features"]:
        polys = [[_decode_ring(r, scale) for r in poly] for poly in f["polygons"]]
        geom = ({"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1
                else {"type": "MultiPolygon", "coordinates": polys})
        features.append({"type": "Feature", "geometry": geom,
                         "properties": {"ags": f["ags"], "name": f["name"], "bez": f["bez"]}})
    return {"type": "FeatureCollection", "features": features}


def _decode_ring(flat: list[int], scale: int) -> list[list[float]]:
    out = []
    x = y = 0
    digits = len(str(scale)) - 1
    for i in range(0, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        out.append([round(x / scale, digits), round(y / scale, digits)])
    return out
