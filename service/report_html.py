"""The gap report as one self-contained HTML page (inline SVG, no scripts, no CDN, no tiles).

Presentation only: it takes the domain results (``GapReport``, ``NetworkSummary``),
scores per district and municipality, the shipped boundaries (GeoJSON) and the
network's edges, and returns a string. Maps use an equirectangular projection
scaled by cos(latitude) around Germany's centre, which is accurate enough to read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["render_gap_report", "ATTRIBUTION", "SCORE_CLASSES"]

ATTRIBUTION = (  # the README's attribution lines
    "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis-Informationssystem GV-ISys "
    "(GV100AD Stand 30.11.2023; Gemeindeverzeichnis-Auszug 31.03.2023); WZ 2008.",
    "© GeoBasis-DE / BKG 2021 (Daten verändert)",
    "© European Union — Eurostat RAMON NACE Rev. 2 and the EDIH catalogue export of the European "
    "Commission's EDIH network website.",
    "Quelle: Statistische Ämter des Bundes und der Länder, Regionaldatenbank Deutschland, Tabelle "
    "52111-01-02-4 (Unternehmensregister-System, Berichtsjahr 2021, Stand 11.05.2023); Datenlizenz "
    "Deutschland – Namensnennung – Version 2.0 (www.govdata.de/dl-de/by-2-0); Daten verändert.",
    "© Statistik der Bundesagentur für Arbeit",
    "Quelle: Deutschlandatlas (BMWSB/BBSR; Daten hrsg. vom Statistischen Bundesamt im Auftrag des BMWSB), "
    "Daten zum Deutschlandatlas, Stand 12.12.2024; Datenbasis: Laufende Raumbeobachtung des BBSR, "
    "Regionaldatenbank der Statistischen Ämter des Bundes und der Länder (Bevölkerungsfortschreibung, "
    "Realsteuervergleich), Arbeitskreis VGR der Länder, Breitbandatlas | Gigabit-Grundbuch, Breitbandatlas "
    "des Bundes (Stand Januar 2024).",
    "Breitbandatlas | Gigabit-Grundbuch (https://gigabitgrundbuch.bund.de)",
    "© BBSR Bonn — INKAR 2024, Referenz Gemeinden, Kreise, NUTS (Gebietsstand 31.12.2019)",
    "Companies are synthetic (rm:synthetic true); their recorded needs only set the topic shares.",
)
# (upper bound of relative accessibility, colour, label)
SCORE_CLASSES = (
    (0.1, "#d7191c", "< 0.1 — no centre strong in it within reach"),
    (0.5, "#fdae61", "0.1–0.5 — gap"),
    (0.9, "#ffffbf", "0.5–0.9"),
    (1.5, "#a6d96a", "0.9–1.5 — about the national average"),
    (math.inf, "#1a9641", "≥ 1.5"),
)
_NO_DATA = "#cccccc"
_LON0, _LAT0 = 10.45, 51.16
_COS = math.cos(math.radians(_LAT0))


def _colour(v: float | None) -> str:
    if v is None or math.isnan(v):
        return _NO_DATA
    return next(c for limit, c, _ in SCORE_CLASSES if v < limit)


def _rings(geometry: Mapping[str, Any]) -> Iterable[list[list[float]]]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for poly in polys:
        yield from poly


class _Frame:
    """Fits lon/lat into a ``width`` × ``height`` box."""

    def __init__(self, features: Sequence[Mapping[str, Any]], width: float) -> None:
        xs, ys = [], []
        for f in features:
            for ring in _rings(f["geometry"]):
                for lon, lat in ring:
                    xs.append((lon - _LON0) * _COS)
                    ys.append(-(lat - _LAT0))
        self.x0, self.y0 = min(xs), min(ys)
        self.k = width / ((max(xs) - self.x0) or 1.0)
        self.width, self.height = width, (max(ys) - self.y0) * self.k

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - _LON0) * _COS - self.x0) * self.k, (-(lat - _LAT0) - self.y0) * self.k


def _path(frame: _Frame, geometry: Mapping[str, Any]) -> str:
    parts = []
    for ring in _rings(geometry):
        pts = []
        last = None
        for lon, lat in ring:
            x, y = frame.xy(lon, lat)
            p = (round(x, 1), round(y, 1))
            if p != last:
                pts.append(f"{p[0]:g},{p[1]:g}")
                last = p
        if len(pts) > 2:
            parts.append("M" + "L".join(pts) + "Z")
    return "".join(parts)


def _map_svg(title: str, layer: Mapping[str, Any], values: Mapping[str, float], width: float,
             centres: Sequence[tuple[str, float, float]] = ()) -> str:
    feats = layer["features"]
    fr = _Frame(feats, width)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {fr.width:.0f} {fr.height:.0f}" '
           f'width="{fr.width:.0f}" height="{fr.height:.0f}" role="img" aria-label="{escape(title)}">']
    for f in feats:
        ags, name = f["properties"]["ags"], f["properties"]["name"]
        v = values.get(ags)
        label = f"{name} ({ags}): " + ("no demand" if v is None else f"relative access {v:.2f}")
        out.append(f'<path d="{_path(fr, f["geometry"])}" fill="{_colour(v)}" stroke="#555" '
                   f'stroke-width="0.3"><title>{escape(label)}</title></path>')
    for name, lat, lon in centres:
        x, y = fr.xy(lon, lat)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#2b4c7e" stroke="#fff" stroke-width="0.6">'
                   f'<title>{escape(name)}</title></circle>')
    out.append("</svg>")
    return "".join(out)


def _legend() -> str:
    items = "".join(
        f'<li><span class="sw" style="background:{c}"></span>{escape(label)}</li>' for _, c, label in SCORE_CLASSES
    )
    return (f'<ul class="legend">{items}<li><span class="sw" style="background:{_NO_DATA}"></span>no data</li>'
            '<li><span class="sw dot"></span>a centre</li></ul>')


def _bars_svg(rows: Sequence[tuple[str, float]], unit: str, width: int = 800) -> str:
    if not rows:
        return "<p>No gaps below the threshold.</p>"
    top = max(v for _, v in rows) or 1.0
    bar_h, label_w = 18, 400
    rows = [(label if len(label) <= 60 else label[:59] + "…", v) for label, v in rows]
    h = bar_h * len(rows) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" width="{width}" height="{h}">']
    for i, (label, v) in enumerate(rows):
        y = 5 + i * bar_h
        w = (width - label_w - 90) * v / top
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="11">{escape(label)}</text>'
                   f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" fill="#d7191c"/>'
                   f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">{v:,.0f} {escape(unit)}</text>')
    out.append("</svg>")
    return "".join(out)


def _network_svg(nodes: Mapping[str, tuple[str, float, float, int]], edges: Sequence[tuple[str, str]],
                 bridges: set[frozenset[str]], cut: set[str], size: int = 620) -> str:
    """Nodes ``id -> (name, x, y, community)`` with x, y in [0, 1]."""
    palette = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
    pad = 20

    def at(v: float) -> float:
        return pad + v * (size - 2 * pad)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}">']
    for a, b in edges:
        _, xa, ya, _ = nodes[a]
        _, xb, yb, _ = nodes[b]
        is_bridge = frozenset((a, b)) in bridges
        out.append(f'<line x1="{at(xa):.1f}" y1="{at(ya):.1f}" x2="{at(xb):.1f}" y2="{at(yb):.1f}" '
                   f'stroke="{"#d7191c" if is_bridge else "#999"}" stroke-width="{1.8 if is_bridge else 0.4}" '
                   f'stroke-opacity="{1 if is_bridge else 0.5}"/>')
    for cid, (name, x, y, com) in sorted(nodes.items()):
        colour = palette[(com - 1) % len(palette)] if com > 0 else "#888"
        r = 6 if cid in cut else 4
        out.append(f'<circle cx="{at(x):.1f}" cy="{at(y):.1f}" r="{r}" fill="{colour}" '
                   f'stroke="{"#000" if cid in cut else "#fff"}" stroke-width="1"><title>{escape(name)} [{cid}]'
                   f'</title></circle>')
    out.append("</svg>")
    return "".join(out)


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(_fmt(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _listed(sentence: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """``sentence`` with the largest rows as a table, or the sentence alone when there are none."""
    if not rows:
        return f"<p>{escape(sentence)}.</p>"
    return f"<p>{escape(sentence)}; the largest:</p>" + _table(head, rows)


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v == 0:
        return "0"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}
.maps{display:flex;gap:1.5em;flex-wrap:wrap;align-items:flex-start}.legend{list-style:none;padding:0}
.sw{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:middle;border:1px solid #777}
.dot{border-radius:7px;background:#2b4c7e}.note{background:#f6f6f0;padding:.6em 1em;border-left:4px solid #c9b}
.attr{font-size:11px;color:#555}
"""


def render_gap_report(
    report: Any,
    network: Any,
    *,
    district_layer: Mapping[str, Any],
    municipality_layer: Mapping[str, Any],
    district_scores: Mapping[str, float],
    municipality_scores: Mapping[str, float],
    centres: Sequence[tuple[str, float, float]],
    network_nodes: Mapping[str, tuple[str, float, float, int]],
    network_edges: Sequence[tuple[str, str]],
    inset_centres: Sequence[tuple[str, float, float]] = (),
    topic_label: str | None = None,
) -> str:
    """The whole page; ``centres`` (all) and ``inset_centres`` (Saxony-Anhalt's) are ``(name, lat, lon)``."""
    what = f"topic “{topic_label}”" if topic_label else "all topics (weighted by demand)"
    bands = [(f"{b.radius_km:g} km", b.municipalities_beyond, b.population_beyond, b.smes_beyond,
              b.regional_population_beyond, b.regional_smes_beyond) for b in report.coverage]
    bridges = {frozenset((a.id, b.id)) for a, b in network.bridges}
    cut = {c.id for c in network.articulation_points}
    gaps = [(f"{g.district_name} · {g.label}", g.smes_with_need) for g in report.top_gaps[:15]]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>regiomatch — where is the network thin? ({escape(report.region_name)})</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Where is the network of digitalisation centres thin? — {escape(report.region_name)}</h1>",
        f"<p>{report.municipalities:,} municipalities, {report.population:,} inhabitants, about "
        f"{report.smes:,.0f} SMEs (establishments with 0–249 employees). Accessibility: enhanced two-step "
        f"floating catchment area, catchment {report.catchment_km:g} km, {escape(report.decay)} distance decay, "
        f"for {escape(what)}; 1 = as well supplied as Germany on average.</p>",
        f"<p class='note'>{escape(report.note)}</p>",
        "<h2>Map of gaps</h2><div class='maps'>",
        _map_svg("Districts", district_layer, district_scores, 520, centres),
        _map_svg("Saxony-Anhalt's municipalities", municipality_layer, municipality_scores, 380, inset_centres),
        f"<div>{_legend()}<p>Left: districts of Germany. Right: municipalities of Saxony-Anhalt.</p></div></div>",
        "<h2>Largest gaps (district × topic): SMEs with the need where access is below half the average</h2>",
        _bars_svg(gaps, "SMEs"),
        "<h2>Coverage</h2>",
        _table(("beyond", "municipalities", "population", "SMEs", "population (regional centres)",
                "SMEs (regional centres)"), bands),
        _listed(f"{len(report.districts_without_centre)} districts have no centre located in them",
                ("district", "AGS", "population", "SMEs", "nearest centre", "km"),
                [(d.name, d.ags, d.population, d.smes, d.nearest_centre, d.nearest_km)
                 for d in report.districts_without_centre[:12]]),
        _listed(f"{len(report.hotspots)} municipalities combine a high SME density with low broadband "
                "(top quarter of SMEs per km², bottom quarter of households with ≥ 50 Mbit/s)",
                ("municipality", "AGS", "SMEs per km²", "≥ 50 Mbit/s %", "SMEs"),
                [(h.name, h.ags, h.smes_per_km2, h.broadband_50_pct, h.smes) for h in report.hotspots[:10]]),
        "<h2>Supply and demand per topic</h2>",
        _table(("topic", "centres ≥ 3", "supply", "SMEs with the need", "score", "of which underserved"),
               [(t.label, t.centres, t.supply, t.demand, t.score, t.demand_underserved)
                for t in sorted(report.topics, key=lambda t: -t.demand_underserved)]),
        "<h3>Sensitivity to the catchment radius</h3>",
        _table(("catchment", "demand with no centre in reach", "mean score", "rank correlation with main radius"),
               [(f"{s.catchment_km:g} km", f"{s.demand_without_access:.0%}", s.mean_score, s.rank_correlation)
                for s in report.sensitivity]),
        "<h2>The centre network</h2>",
        f"<p>{network.centres} centres, {network.links} links (shared served regions or ≥ 2 shared topics at "
        f"level ≥ 3); {len(network.components)} components, {len(network.isolated)} isolated centres, "
        f"{len(network.bridges)} bridges (red), {len(network.articulation_points)} articulation points "
        "(black ring); colours are Louvain communities; positions: spring layout (seed 42); "
        "smaller components below, centres without links along the bottom.</p>",
        _network_svg(network_nodes, network_edges, bridges, cut),
        _table(("community", "centres", "common strong topics"),
               [(c.id, len(c.centres), ", ".join(c.topics)) for c in network.communities]),
        "<h3>Suggested new links</h3>",
        _table(("centre", "centre", "score", "why"),
               [(s.a.name, s.b.name, s.score, s.reason) for s in network.suggestions]),
        "<h2>Sources</h2><div class='attr'>" + "".join(f"<p>{escape(a)}</p>" for a in ATTRIBUTION) + "</div>",
        "</body></html>",
    ]
    return "\n".join(parts)
