"""Small maps as inline SVG, drawn on the server from the shipped boundaries.

No tiles, no script: district polygons (and Saxony-Anhalt's municipalities) from
``graph.dataset`` are projected (equirectangular, scaled by cos of the mid
latitude), snapped to whole pixels (which drops most points at these sizes)
and written as one ``<path>`` per region. Every map has a title and is
accompanied on its page by a list or table saying the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

__all__ = ["Marker", "Shape", "shapes", "render_map", "bbox_of"]


@dataclass(frozen=True)
class Shape:
    """One region's outline: rings of (lon, lat) in degrees and its bounding box."""

    ags: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    bbox: tuple[float, float, float, float]  # lon0, lat0, lon1, lat1


@dataclass(frozen=True)
class Marker:
    """A point on the map: a numbered centre or the firm's place."""

    lon: float
    lat: float
    label: str  # short text drawn on the marker ("1") or ""
    title: str  # tooltip / accessible name
    kind: str = "centre"  # "centre" | "home"
    href: str | None = None


@lru_cache(maxsize=2)
def shapes(kind: str) -> tuple[Shape, ...]:
    """All outlines of ``"districts"`` or ``"st-municipalities"`` (cached per process)."""
    from graph.dataset.rdf import geometry

    out = []
    for f in geometry(kind)["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        rings = tuple(tuple((float(x), float(y)) for x, y in ring) for poly in polys for ring in poly)
        xs = [p[0] for r in rings for p in r]
        ys = [p[1] for r in rings for p in r]
        out.append(Shape(f["properties"]["ags"], f["properties"]["name"], rings, (min(xs), min(ys), max(xs), max(ys))))
    return tuple(out)


def bbox_of(points: Iterable[tuple[float, float]], pad: float = 0.15, min_deg: float = 0.6) -> tuple[float, float, float, float]:
    """A box around (lon, lat) points, padded by ``pad`` of its size and at least ``min_deg`` tall."""
    pts = list(points)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    h = max(y1 - y0, min_deg)
    w = max(x1 - x0, min_deg * 1.5)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - w * (0.5 + pad), cy - h * (0.5 + pad), cx + w * (0.5 + pad), cy + h * (0.5 + pad))


class _Projection:
    def __init__(self, bbox: tuple[float, float, float, float], width: int) -> None:
        lon0, lat0, lon1, lat1 = bbox
        self.k = math.cos(math.radians((lat0 + lat1) / 2))
        self.lon0, self.lat1 = lon0, lat1
        self.scale = width / ((lon1 - lon0) * self.k)
        self.width = width
        self.height = max(1, round((lat1 - lat0) * self.scale))

    def xy(self, lon: float, lat: float) -> tuple[int, int]:
        return round((lon - self.lon0) * self.k * self.scale), round((self.lat1 - lat) * self.scale)


def _simplify(pts: list[tuple[int, int]], tol: float) -> list[tuple[int, int]]:
    """Douglas–Peucker: drop points closer than ``tol`` pixels to the line through their neighbours."""
    if len(pts) < 4:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (x0, y0), (x1, y1) = pts[a], pts[b]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy) or 1.0
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            x, y = pts[i]
            d = abs(dy * (x - x0) - dx * (y - y0)) / norm if (dx or dy) else math.hypot(x - x0, y - y0)
            if d > best:
                best, idx = d, i
        if idx > 0 and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep) if k]


_PATHS: dict[tuple[object, ...], str] = {}


def _path(shape: Shape, proj: _Projection, tol: float) -> str:
    """The shape as SVG path data in relative pixel steps, simplified to ``tol`` px (memoised)."""
    key = (shape.ags, shape.bbox, proj.lon0, proj.lat1, proj.width, proj.scale, tol)
    hit = _PATHS.get(key)
    if hit is not None:
        return hit
    parts = []
    for ring in shape.rings:
        pts: list[tuple[int, int]] = []
        for lon, lat in ring:
            p = proj.xy(lon, lat)
            if not pts or p != pts[-1]:
                pts.append(p)
        pts = _simplify(pts, tol)
        if len(pts) < 4:
            continue
        steps = " ".join(f"{x1 - x0} {y1 - y0}" for (x0, y0), (x1, y1) in zip(pts, pts[1:-1]))
        parts.append(f"M{pts[0][0]} {pts[0][1]}l{steps}z")
    out = "".join(parts)
    if len(_PATHS) > 20_000:  # a bounded memo: the national maps are what repeats
        _PATHS.clear()
    _PATHS[key] = out
    return out


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def render_map(
    layers: Sequence[tuple[Sequence[Shape], Mapping[str, str], str]],
    *,
    title: str,
    bbox: tuple[float, float, float, float] | None = None,
    width: int = 640,
    markers: Sequence[Marker] = (),
    links: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    lines: Sequence[tuple[tuple[float, float], tuple[float, float], str]] = (),
    tolerance: float = 0.6,
) -> Markup:
    """An ``<svg>``: each layer is (shapes, fills by AGS, default fill); markers on top.

    ``bbox`` (lon0, lat0, lon1, lat1) defaults to all shapes of the first layer;
    shapes outside it are left out. ``links`` makes a region a link (AGS → URL),
    ``labels`` gives its tooltip (AGS → text; default its name). ``lines`` are
    ((lon, lat), (lon, lat), css class) drawn between the shapes and the markers.
    Outlines are simplified to ``tolerance`` pixels.
    """
    if bbox is None:
        boxes = [s.bbox for s in layers[0][0]]
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    proj = _Projection(bbox, width)
    body: list[str] = []
    for shapes_, fills, default in layers:
        for s in shapes_:
            if not _overlaps(s.bbox, bbox):
                continue
            d = _path(s, proj, tolerance)
            if not d:
                continue
            tip = escape((labels or {}).get(s.ags, s.name))
            fill = fills.get(s.ags, default)
            el = f'<path d="{d}" fill="{fill}"><title>{tip}</title></path>'
            href = (links or {}).get(s.ags)
            if href:
                el = f'<a href="{escape(href)}">{el}</a>'
            body.append(el)
    for (lon0, lat0), (lon1, lat1), kind in lines:
        (x0, y0), (x1, y1) = proj.xy(lon0, lat0), proj.xy(lon1, lat1)
        body.append(f'<line class="{escape(kind)}" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}"/>')
    for m in markers:
        x, y = proj.xy(m.lon, m.lat)
        tip = escape(m.title)
        if m.kind == "home":
            shape = f'<path class="home" d="M{x} {y - 11}L{x + 9} {y + 7}L{x - 9} {y + 7}Z"/>'
        elif m.kind == "node":
            shape = f'<circle class="node" cx="{x}" cy="{y}" r="3.5"/>'
        else:
            shape = f'<circle class="centre" cx="{x}" cy="{y}" r="10"/>'
        text = f'<text x="{x}" y="{y + 4}">{escape(m.label)}</text>' if m.label else ""
        el = f"<g><title>{tip}</title>{shape}{text}</g>"
        if m.href:
            el = f'<a href="{escape(m.href)}">{el}</a>'
        body.append(el)
    return Markup(
        f'<svg class="map" viewBox="0 0 {proj.width} {proj.height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )
