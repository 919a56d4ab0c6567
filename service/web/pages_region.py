"""The municipality journey at ``/regions/{ags}``: facts, indicators, type, peers, centres serving it."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.web import analytics
from service.web._render import lang_of, not_found, render
from service.web.data import WebData, short_name, web_data
from service.web.i18n import Translator
from service.web.indicators import indicator_rows
from service.web.svgmap import Marker, bbox_of, render_map, shapes
from service.web.wording import centre_type

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _km(a: Any, b: Any) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    p0, p1 = math.radians(a.lat), math.radians(b.lat)
    h = math.sin((p1 - p0) / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def _centres(data: WebData, region: Any, tr: Translator) -> list[dict[str, Any]]:
    out = []
    for c in data.centres_for_region(region.ags):
        d = _km(region, c)
        how = ("in" if (c.municipality_ags or "").startswith(region.ags)
               else "serves" if region.ags in c.served_ags else
               "district" if region.ags[:5] in c.served_ags else "state")
        out.append({"id": c.id, "name": c.name, "type": centre_type(c.centre_type, tr.lang), "km": d,
                    "distance": tr.km(d), "how": tr(f"region.how_{how}"), "c": c})
    out.sort(key=lambda x: (x["km"] is None, x["km"] or 0))
    return out


def _map(data: WebData, region: Any, centres: list[dict[str, Any]], tr: Translator) -> Any:
    district = region.ags[:5]
    outline = [s for s in shapes("districts") if s.ags == (district if len(region.ags) >= 5 else s.ags)]
    if len(region.ags) == 2:
        outline = [s for s in shapes("districts") if s.ags.startswith(region.ags)]
    if not outline:
        return None
    pts = [(x, y) for s in outline for x, y in ((s.bbox[0], s.bbox[1]), (s.bbox[2], s.bbox[3]))]
    bbox = bbox_of(pts, pad=0.08, min_deg=0.3)
    fills = {s.ags: "#f6d28b" for s in outline}
    layers: list[Any] = [(shapes("districts"), fills, "#e6ecef")]
    if len(region.ags) == 8 and region.ags.startswith("15"):
        layers.append(([s for s in shapes("st-municipalities") if s.ags == region.ags], {}, "#e8a33d"))
    markers = [Marker(x["c"].lon, x["c"].lat, str(n), f"{n}. {x['name']}")
               for n, x in enumerate(centres, start=1)
               if x["c"].lon is not None and bbox[0] <= x["c"].lon <= bbox[2] and bbox[1] <= x["c"].lat <= bbox[3]]
    return render_map(layers, title=tr("region.map_title", name=short_name(region.name)), bbox=bbox,
                      width=480, markers=markers)


@router.get("/_web/regions/{ags}", response_class=HTMLResponse)
def region_page(request: Request, ags: str) -> HTMLResponse:
    data = web_data(request)
    tr = Translator(lang_of(request))
    key = ags.strip()
    region = data.regions.get(key) if key.isdigit() else None
    if region is None:
        return not_found(request, "error.no_region", ags=ags[:40])
    parents = [data.regions[a] for a in (key[:2], key[:5]) if len(a) < len(key) and a in data.regions]
    children = sorted((r for r in data.regions.values()
                       if r.ags.startswith(key) and len(r.ags) == {2: 5, 5: 8}.get(len(key), 0)),
                      key=lambda r: -(r.population or 0))
    centres = _centres(data, region, tr)
    density = (region.population / region.area_km2) if region.population and region.area_km2 else None
    ctx = {
        "page": "region", "title": short_name(region.name), "r": region, "kind": tr(f"kind.{region.kind}"),
        "parents": parents, "children": children[:60], "more_children": max(0, len(children) - 60),
        "density": density, "centres": centres, "map_svg": _map(data, region, centres, tr),
        "indicators": indicator_rows(data, key, tr) if len(key) in (5, 8) else None,
        "peers": analytics.peers(data, key, tr),
    }
    return render(request, "region.html", ctx)
