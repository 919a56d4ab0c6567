"""The SME journey at ``/``: the need form, and ranked centres on a shareable GET URL."""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.datastructures import QueryParams
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from service.web._render import lang_of, render
from service.web.data import WebData, short_name, web_data
from service.web.i18n import Translator
from service.web.svgmap import Marker, bbox_of, render_map, shapes
from service.web.wording import centre_type, reason_text, scope_label

__all__ = ["router", "MAX_NEED", "place_label"]

router = APIRouter(include_in_schema=False)

MAX_NEED = 10_000  # the matcher's own limit; longer text is refused, never cut
_MAX_URL = 8_000  # longest query string a result link may have (HTTP servers refuse ~16 kB request lines)
_MAX_BODY = 2_000_000  # bytes of a posted form read; a longer paste is cut here and refused as too long
K = 10
_EXAMPLES = {
    "de": [
        ("Wir wurden Opfer eines Verschlüsselungstrojaners und wollen unsere IT-Sicherheit verbessern", "15083270"),
        ("Wir möchten unsere Fräsmaschinen vernetzen und Maschinendaten auswerten", "15002000"),
        ("Wir suchen Unterstützung beim Einstieg in künstliche Intelligenz für die Qualitätsprüfung", "15003000"),
    ],
    "en": [
        ("We were hit by ransomware and want to improve our IT security", "15083270"),
        ("We want to connect our milling machines and analyse machine data", "15002000"),
        ("We need help getting started with AI for quality inspection", "15003000"),
    ],
}


def place_label(data: WebData, ags: str) -> str:
    return data.label(ags)


@router.get("/web/suggest")
def suggest(request: Request, q: str = "", kind: str = "place") -> JSONResponse:
    """Suggestions as you type: places (municipalities, districts) or NACE sectors."""
    data = web_data(request)
    tr = Translator(lang_of(request))
    q = q[:200]
    if kind == "sector":
        items = [{"value": f"{c.key} – {tr.label({'de': c.label_de, 'en': c.label_en})}", "key": c.key}
                 for c in data.sectors.find(q, limit=8)]
    else:
        items = [{"value": place_label(data, r.ags), "key": r.ags, "kind": r.kind}
                 for r in data.places.find(q, limit=8)]
    return JSONResponse({"q": q, "items": items})


def _form(p: QueryParams) -> dict[str, Any]:
    return {
        "need": p.get("need", ""),
        "municipality": p.get("municipality", "").strip()[:200],
        "sector": p.get("sector", "").strip()[:200],
        "topics": [t for t in p.getlist("topic") if t][:40],
    }


@router.get("/_web/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return _page(request, request.query_params)


@router.post("/_web/", response_class=HTMLResponse)
async def home_post(request: Request) -> Response:
    """The form's POST: redirect to the shareable GET URL, or answer at once when the text is too long for one.

    A GET request line longer than ~16 kB is refused by the HTTP server, and a
    pasted page of text would be; so the form posts, and short queries land on a
    link that can be shared.
    """
    body = (await request.body())[:_MAX_BODY].decode("utf-8", errors="replace")
    params = QueryParams(body)
    query = urlencode([(k, v) for k, v in params.multi_items() if v])
    if len(query) <= _MAX_URL and len(params.get("need", "")) <= MAX_NEED:
        return RedirectResponse("/?" + query, status_code=303)
    return await run_in_threadpool(_page, request, params)


def _page(request: Request, params: QueryParams) -> HTMLResponse:
    data = web_data(request)
    tr = Translator(lang_of(request))
    form = _form(params)
    submitted = any(k in params for k in ("need", "municipality", "sector", "topic"))
    ctx: dict[str, Any] = {
        "page": "sme", "title": tr("sme.title"), "form": form, "submitted": submitted,
        "technologies": data.technologies, "label": lambda c: c.label_de if tr.lang == "de" else c.label_en,
        "examples": [{"text": text, "url": "/?" + urlencode({"need": text, "municipality": ags})}
                     for text, ags in _EXAMPLES[tr.lang]],
        "problems": [], "matches": [], "params": params,
    }
    if submitted:
        _results(data, tr, form, ctx)
    return render(request, "home.html", ctx)


def _results(data: WebData, tr: Translator, form: dict[str, Any], ctx: dict[str, Any]) -> None:
    from graph.errors import RegiomatchError
    from matching.query import MatchQuery

    problems: list[str] = ctx["problems"]
    need = form["need"].strip()
    topics = [t for t in form["topics"] if t in data.concepts_by_key]
    unknown_topics = [t for t in form["topics"] if t not in data.concepts_by_key]
    if unknown_topics:
        problems.append(tr("sme.unknown_topic", topics=", ".join(unknown_topics)))
    if not need and not topics:
        problems.append(tr("sme.empty_need"))
    elif len(need) > MAX_NEED:
        problems.append(tr("sme.too_long", n=tr.num(len(need)), max=tr.num(MAX_NEED)))
    place = None
    if form["municipality"]:
        choice = data.resolve_place(form["municipality"])
        place = choice.region
        if place is None:
            problems.append(tr("sme.unknown_place", name=form["municipality"]))
            ctx["place_options"] = _close_places(ctx["params"], data, form["municipality"])
        elif choice.others:
            ctx["place_note"] = tr("sme.place_chosen", name=place_label(data, place.ags))
            ctx["place_options"] = [_place_option(ctx["params"], data, r.ags) for r in choice.others]
    sector = None
    if form["sector"]:
        sector = data.resolve_sector(form["sector"])
        if sector is None:
            problems.append(tr("sme.unknown_sector", name=form["sector"]))
    if problems:
        return
    try:
        query = MatchQuery(text=need, municipality=place.ags if place else None,
                           sector=sector.key if sector else None, topics=tuple(topics))
        matches = data.match(query, K)
    except RegiomatchError as exc:  # anything the checks above did not foresee, in the matcher's words
        problems.append(str(exc))
        return
    ctx["matches"] = [_match_view(m, tr) for m in matches]
    where = place_label(data, place.ags) if place else None
    ctx["summary"] = tr("sme.summary_in", n=len(matches), place=where) if where else tr("sme.summary", n=len(matches))
    if not any(r.factor in ("topic", "service") and r.contribution > 0 and not (r.parts or {}).get("weak")
               for m in matches for r in m.reasons):
        ctx["notice"] = tr("sme.no_topics_found")
    elif place is None:
        ctx["notice"] = tr("sme.no_place")
    ctx["map_svg"] = _map(data, tr, place, matches)
    link = urlencode([(k, v) for k, v in ctx["params"].multi_items() if v])
    ctx["json_url"] = "/web/match.json?" + link if len(link) <= _MAX_URL else None


def _place_option(params: QueryParams, data: WebData, ags: str) -> dict[str, str]:
    items = [(k, v) for k, v in params.multi_items() if k != "municipality"] + [("municipality", ags)]
    return {"label": place_label(data, ags), "url": "/?" + urlencode(items)}


def _close_places(params: QueryParams, data: WebData, typed: str) -> list[dict[str, str]]:
    from service.web._names import fold

    names: dict[str, str] = {}
    for r in data.regions.values():
        if r.kind == "municipality":
            names.setdefault(fold(short_name(r.name)), r.ags)
    close = difflib.get_close_matches(fold(typed), list(names), n=4, cutoff=0.75)
    return [_place_option(params, data, names[c]) for c in close]


def _match_view(m: Any, tr: Translator) -> dict[str, Any]:
    c = m.centre
    where = c.municipality_name or c.country or tr("sme.no_location")
    if c.district_name and c.municipality_name and c.district_name not in c.municipality_name:
        where += f" ({c.district_name})"
    topics = ", ".join(
        f"{e.label_de if tr.lang == 'de' else e.label_en} ({tr('level_short', level=e.level)})" for e in c.topics[:3]
    )
    return {
        "id": c.id, "name": c.name, "type": centre_type(c.centre_type, tr.lang),
        "scope": scope_label(c.scope, tr.lang), "where": where,
        "distance": tr.km(m.distance_km) if m.distance_km is not None else "",
        "score": tr.num(m.score, 2), "topics": topics,
        "reasons": [reason_text(r, tr.lang) for r in m.reasons],
        "website": c.website if (c.website or "").startswith(("http://", "https://")) else None,
    }


def _map(data: WebData, tr: Translator, place: Any, matches: list[Any]) -> Any:
    markers = [Marker(m.centre.lon, m.centre.lat, str(i), f"{i}. {m.centre.name}")
               for i, m in enumerate(matches, start=1) if m.centre.lon is not None and m.centre.lat is not None]
    if place is not None and place.lon is not None and place.lat is not None:
        markers.append(Marker(place.lon, place.lat, "", tr("sme.map_home", place=short_name(place.name)), "home"))
    if not markers:
        return None
    # the firm and its three nearest listed centres set the frame; far national centres stay off the map
    home = [mk for mk in markers if mk.kind == "home"]
    located = [(m.distance_km if m.distance_km is not None else 1e9, mk)
               for m, mk in zip((m for m in matches if m.centre.lon is not None and m.centre.lat is not None), markers)]
    nearest = [mk for _, mk in sorted(located, key=lambda x: x[0])[:3]]
    frame = home + nearest if home else markers
    bbox = bbox_of([(mk.lon, mk.lat) for mk in frame])
    shown = [mk for mk in markers if bbox[0] <= mk.lon <= bbox[2] and bbox[1] <= mk.lat <= bbox[3]]
    home_ags = place.ags[:5] if place is not None else None
    fills = {s.ags: "#dde5ec" for s in shapes("districts") if place is not None and s.ags[:2] == place.ags[:2]}
    if home_ags:
        fills[home_ags] = "#f6d28b"
    layers: list[Any] = [(shapes("districts"), fills, "#eef2f5")]
    if place is not None and place.kind == "municipality" and place.ags.startswith("15"):
        layers.append(([s for s in shapes("st-municipalities") if s.ags == place.ags], {place.ags: "#e8a33d"}, "#e8a33d"))
    return render_map(layers, title=tr("sme.map_title"), bbox=bbox, width=560, markers=shown)


@router.get("/web/match.json")
def match_json(request: Request) -> JSONResponse:
    """The result page's matches as JSON (the same document ``regiomatch match --json`` prints)."""
    from graph.errors import RegiomatchError
    from matching.query import MatchQuery

    data = web_data(request)
    form = _form(request.query_params)
    place = data.resolve_place(form["municipality"]).region if form["municipality"] else None
    sector = data.resolve_sector(form["sector"]) if form["sector"] else None
    try:
        query = MatchQuery(text=form["need"][: MAX_NEED + 1], municipality=place.ags if place else None,
                           sector=sector.key if sector else None, topics=tuple(form["topics"]))
        matches = data.match(query, K)
    except RegiomatchError as exc:
        return JSONResponse({"error": {"code": "invalid_input", "message": str(exc), "details": {}}}, status_code=422)
    return JSONResponse({"matches": [m.to_dict() for m in matches]})
