"""The policymaker journey at ``/gaps``: gaps map, top gaps, the centre network, CSV of every table."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.web import analytics
from service.web._render import lang_of, render
from service.web.data import WebData, web_data
from service.web.i18n import Translator
from service.web.svgmap import Marker, render_map, shapes

__all__ = ["router", "TABLES"]

router = APIRouter(include_in_schema=False)

TABLES = ("districts", "coverage", "without_centre", "top_gaps", "topics", "links")
# score classes (relative accessibility, 1 = Germany's average): colour-blind-safe sequential palette
MEASURES = ("access", "distance")
_CLASSES = {
    "access": ((0.5, "#b2182b", "gaps.class_gap"), (0.8, "#ef8a62", "gaps.class_low"),
               (1.25, "#fddbc7", "gaps.class_average"), (float("inf"), "#67a9cf", "gaps.class_good")),
    "distance": ((10, "#67a9cf", "gaps.class_km10"), (25, "#fddbc7", "gaps.class_km25"),
                 (50, "#ef8a62", "gaps.class_km50"), (float("inf"), "#b2182b", "gaps.class_km_far")),
}
_NO_DATA = "#d9d9d9"


def _colour(value: float | None, measure: str) -> str:
    if value is None:
        return _NO_DATA
    return next(colour for limit, colour, _ in _CLASSES[measure] if value < limit)


def _values(analyser: Any, measure: str, topic: str | None, level: str) -> dict[str, float]:
    """Per district (or municipality) AGS: relative accessibility, or km to the nearest centre
    (a district's is the population-weighted mean of its municipalities')."""
    if measure == "access":
        return dict(analyser.scores(level, topic))
    _, km = analyser.nearest()
    ags = analyser.ags_list_
    if level == "municipality":
        return {a: float(k) for a, k in zip(ags, km) if k == k}
    weight: dict[str, float] = {}
    total: dict[str, float] = {}
    for a, k, pop in zip(ags, km, analyser.pop_):
        if k == k and pop > 0:
            weight[a[:5]] = weight.get(a[:5], 0.0) + float(pop)
            total[a[:5]] = total.get(a[:5], 0.0) + float(pop) * float(k)
    return {d: total[d] / weight[d] for d in weight}


def _fmt(value: float, measure: str, tr: Translator) -> str:
    return tr.num(value, 2) if measure == "access" else tr.km(value)


def _filters(request: Request, data: WebData, tr: Translator) -> tuple[str | None, str | None, str, list[str]]:
    problems = []
    measure = (request.query_params.get("measure") or "access").strip()
    if measure not in MEASURES:
        problems.append(tr("gaps.bad_measure", measure=measure[:40]))
        measure = "access"
    region = (request.query_params.get("region") or "").strip() or None
    topic = (request.query_params.get("topic") or "").strip() or None
    if region is not None and (not region.isdigit() or len(region) not in (2, 5) or region not in data.regions):
        problems.append(tr("gaps.bad_region", region=region[:40]))
        region = None
    if topic is not None and topic not in {c.key for c in data.technologies}:
        problems.append(tr("gaps.bad_topic", topic=topic[:60]))
        topic = None
    return region, topic, measure, problems


def _tables(data: WebData, report: Any, summary: Any, scores: dict[str, float], measure: str,
            region: str | None, tr: Translator) -> dict[str, dict[str, Any]]:
    """Every table of the page: headers, display rows and raw CSV rows."""
    n, km = tr.num, tr.km
    labels = {c.key: (c.label_de if tr.lang == "de" else c.label_en) for c in data.technologies}
    t: dict[str, dict[str, Any]] = {}
    districts = sorted((a for a in scores if region is None or a.startswith(region)), key=lambda a: scores[a])
    if measure == "distance":
        districts.reverse()  # the farthest first
    t["districts"] = {
        "head": [tr("gaps.district"), tr(f"gaps.measure_{measure}")],
        "rows": [[(data.regions[a].name if a in data.regions else a, f"/regions/{a}"), _fmt(scores[a], measure, tr)]
                 for a in districts],
        "csv": [["district_ags", "district", "relative_accessibility" if measure == "access" else "mean_km_to_nearest_centre"]]
               + [[a, data.regions[a].name if a in data.regions else a, round(scores[a], 4)] for a in districts],
    }
    t["coverage"] = {
        "head": [tr("gaps.radius"), tr("gaps.munis_beyond"), tr("gaps.pop_beyond"), tr("gaps.smes_beyond"),
                 tr("gaps.pop_beyond_regional")],
        "rows": [[km(b.radius_km), n(b.municipalities_beyond), n(b.population_beyond), n(b.smes_beyond),
                  n(b.regional_population_beyond)] for b in report.coverage],
        "csv": [["radius_km", "municipalities_beyond", "population_beyond", "smes_beyond",
                 "population_beyond_regional", "smes_beyond_regional"]]
               + [[b.radius_km, b.municipalities_beyond, b.population_beyond, b.smes_beyond,
                   b.regional_population_beyond, b.regional_smes_beyond] for b in report.coverage],
    }
    t["without_centre"] = {
        "head": [tr("gaps.district"), tr("region.population"), tr("gaps.smes"), tr("gaps.nearest")],
        "rows": [[(d.name, f"/regions/{d.ags}"), n(d.population), n(d.smes),
                  f"{d.nearest_centre or '–'} ({km(d.nearest_km)})"] for d in report.districts_without_centre],
        "csv": [["district_ags", "district", "population", "smes", "nearest_centre", "nearest_km"]]
               + [[d.ags, d.name, d.population, d.smes, d.nearest_centre or "", d.nearest_km]
                  for d in report.districts_without_centre],
    }
    t["top_gaps"] = {
        "head": [tr("gaps.district"), tr("gaps.topic"), tr("gaps.score"), tr("gaps.smes_need"),
                 tr("gaps.pop_affected"), tr("gaps.reason")],
        "rows": [[(g.district_name, f"/regions/{g.district_ags}"), labels.get(g.topic, g.label), n(g.score, 2),
                  n(g.smes_with_need), n(g.population_affected), ("en", g.reason)] for g in report.top_gaps],
        "csv": [["district_ags", "district", "topic", "relative_accessibility", "smes_with_need",
                 "smes_affected", "population_affected", "reason"]]
               + [[g.district_ags, g.district_name, g.topic, round(g.score, 4), g.smes_with_need, g.smes_affected,
                   g.population_affected, g.reason] for g in report.top_gaps],
    }
    t["topics"] = {
        "head": [tr("gaps.topic"), tr("gaps.supply"), tr("gaps.centres"), tr("gaps.demand"), tr("gaps.score"),
                 tr("gaps.underserved")],
        "rows": [[labels.get(x.topic, x.label), n(x.supply), n(x.centres), n(x.demand), n(x.score, 2),
                  n(x.demand_underserved)] for x in sorted(report.topics, key=lambda x: x.score)],
        "csv": [["topic", "supply", "centres", "demand", "relative_accessibility", "demand_underserved"]]
               + [[x.topic, x.supply, x.centres, x.demand, round(x.score, 4), x.demand_underserved]
                  for x in report.topics],
    }
    links = summary.suggestions if summary is not None else ()
    t["links"] = {
        "head": [tr("gaps.link_a"), tr("gaps.link_b"), tr("gaps.distance"), tr("gaps.reason")],
        "rows": [[(s.a.name, f"/centres/{s.a.id}"), (s.b.name, f"/centres/{s.b.id}"), km(s.distance_km),
                  ("en", s.reason)] for s in links],
        "csv": [["centre_a", "centre_b", "score", "adamic_adar", "complementarity", "distance_km", "reason"]]
               + [[s.a.id, s.b.id, s.score, s.adamic_adar, s.complementarity, s.distance_km, s.reason] for s in links],
    }
    return t


def _gap_map(scores: dict[str, float], muni_scores: dict[str, float], measure: str, region: str | None,
             tr: Translator) -> Any:
    districts = shapes("districts")
    shown = [s for s in districts if region is None or s.ags.startswith(region)]
    if not shown:
        return None
    box = (min(s.bbox[0] for s in shown), min(s.bbox[1] for s in shown),
           max(s.bbox[2] for s in shown), max(s.bbox[3] for s in shown))
    fills = {s.ags: _colour(scores.get(s.ags), measure) for s in shown}
    tips = {s.ags: f"{s.name}: {_fmt(scores[s.ags], measure, tr) if s.ags in scores else '–'}" for s in shown}
    layers: list[Any] = [(shown, fills, _NO_DATA)]
    if region == "15":
        munis = shapes("st-municipalities")
        layers = [(munis, {s.ags: _colour(muni_scores.get(s.ags), measure) for s in munis}, _NO_DATA)]
        tips = {s.ags: f"{s.name}: {_fmt(muni_scores[s.ags], measure, tr) if s.ags in muni_scores else '–'}"
                for s in munis}
    title = tr(f"gaps.map_title_{measure}")
    return render_map(layers, title=title, bbox=box, width=560, labels=tips)


def _network_map(data: WebData, summary: Any, region: str | None, tr: Translator) -> Any:
    graph = analytics.network_graph(data)
    if graph is None:
        return None
    nodes, edges = graph
    located = {cid: c for cid, c in nodes.items() if c.lat is not None and c.lon is not None}
    if not located:
        return None
    districts = shapes("districts")
    box = (min(s.bbox[0] for s in districts), min(s.bbox[1] for s in districts),
           max(s.bbox[2] for s in districts), max(s.bbox[3] for s in districts))
    lines = [(located[a], located[b], "link") for a, b in edges if a in located and b in located]
    if summary is not None:
        lines += [(located[s.a.id], located[s.b.id], "suggested") for s in summary.suggestions
                  if s.a.id in located and s.b.id in located]
    markers = [Marker(c.lon, c.lat, "", c.name, "node") for c in located.values()]
    return render_map([(districts, {}, "#f1f4f6")], title=tr("gaps.network_title"), bbox=box, width=560, tolerance=1.5,
                      markers=markers, lines=[((a.lon, a.lat), (b.lon, b.lat), kind) for a, b, kind in lines])


@router.get("/_web/gaps", response_class=HTMLResponse)
def gaps_page(request: Request) -> HTMLResponse:
    data = web_data(request)
    tr = Translator(lang_of(request))
    region, topic, measure, problems = _filters(request, data, tr)
    states = sorted((r for r in data.regions.values() if r.kind == "state"), key=lambda r: r.name)
    ctx: dict[str, Any] = {
        "page": "gaps", "title": tr("gaps.title"), "problems": problems, "states": states,
        "topics": data.technologies, "region": region, "topic": topic, "measure": measure,
        "label": lambda c: c.label_de if tr.lang == "de" else c.label_en,
        "classes": [(colour, tr(key)) for _, colour, key in _CLASSES[measure]] + [(_NO_DATA, tr("gaps.class_none"))],
        "available": False,
    }
    found = analytics.gaps(data, region, topic)
    if found is not None:
        report, analyser = found
        summary = analytics.network(data, analyser)
        scores = _values(analyser, measure, topic, "district")
        muni_scores = _values(analyser, measure, topic, "municipality") if region == "15" else {}
        query = request.url.query
        ctx.update({
            "available": True, "report": report, "summary": summary,
            "tables": _tables(data, report, summary, scores, measure, region, tr),
            "map_svg": _gap_map(scores, muni_scores, measure, region, tr),
            "network_svg": _network_map(data, summary, region, tr),
            "csv_url": lambda name: f"/web/gaps.csv?table={name}" + (f"&{query}" if query else ""),
            "area": report.region_name,
        })
    return render(request, "gaps.html", ctx)


@router.get("/web/gaps.csv")
def gaps_csv(request: Request, table: str = "top_gaps") -> Response:
    """One table of the gaps page as CSV (UTF-8, comma-separated, numbers with a dot)."""
    data = web_data(request)
    tr = Translator(lang_of(request))
    if table not in TABLES:
        return Response(f"unknown table {table[:40]!r}; valid: {', '.join(TABLES)}\n", status_code=404,
                        media_type="text/plain; charset=utf-8")
    region, topic, measure, problems = _filters(request, data, tr)
    if problems:
        return Response("\n".join(problems) + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    found = analytics.gaps(data, region, topic)
    if found is None:
        return Response(tr("gaps.unavailable") + "\n", status_code=503, media_type="text/plain; charset=utf-8")
    report, analyser = found
    summary = analytics.network(data, analyser) if table == "links" else None
    scores = _values(analyser, measure, topic, "district")
    rows = _tables(data, report, summary, scores, measure, region, tr)[table]["csv"]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    name = "-".join(x for x in ("regiomatch-gaps", table, region, topic) if x)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
