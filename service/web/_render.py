"""Rendering a page: language, common context (footer, switch link), templates, 404s."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.web.attribution import ATTRIBUTION
from service.web.data import web_data
from service.web.i18n import COOKIE, LANGS, Translator, negotiate

__all__ = ["lang_of", "render", "not_found", "url_with"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"

_SOURCE_LABELS = {"regions": "source.regions", "centres/edih-de": "source.edih", "centres/st": "source.st",
                  "indicators": "source.indicators"}


_PERIODS = re.compile(r"reference periods (\d{4}) to (\d{4})")


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def lang_of(request: Request) -> str:
    return negotiate(
        request.query_params.get("lang"), request.cookies.get(COOKIE), request.headers.get("accept-language")
    )


def url_with(request: Request, **changes: Any) -> str:
    """The request's path and query with ``changes`` applied (None removes a parameter)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for k, v in changes.items():
        if v is not None:
            items += [(k, x) for x in v] if isinstance(v, list | tuple) else [(k, v)]
    query = urlencode(items)
    return request.url.path + (f"?{query}" if query else "")


def _sources(tr: Translator, request: Request) -> list[dict[str, Any]]:
    try:
        found = web_data(request).sources
    except Exception:  # the footer must not take an error page down with it
        return []
    out = []
    for s in found:
        key = _SOURCE_LABELS.get(s.graph)
        span = _PERIODS.search(s.title)
        if key and span:  # a data set of several reference periods: say which
            out.append({"label": tr(key), "when": f"{span[1]}–{span[2]}"})
        elif key and s.reference_date:
            out.append({"label": tr(key), "when": tr.day(s.reference_date)})
    return out


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render ``template`` in the request's language; remembers an explicit ``?lang=`` in a cookie."""
    lang = lang_of(request)
    tr = Translator(lang)
    other = next(x for x in LANGS if x != lang)
    ctx = {
        "lang": lang,
        "other_lang": other,
        "_": tr,
        "num": tr.num,
        "km": tr.km,
        "day": tr.day,
        "switch_url": url_with(request, lang=other),
        "attribution": ATTRIBUTION,
        "sources": _sources(tr, request),
        "title": "regiomatch",
        **context,
    }
    html = _env().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status)
    explicit = request.query_params.get("lang")
    if explicit in LANGS:
        response.set_cookie(COOKIE, explicit, max_age=365 * 24 * 3600, samesite="lax")
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return response


def not_found(request: Request, message_key: str, **values: Any) -> HTMLResponse:
    """The friendly 404 page in the request's language."""
    tr = Translator(lang_of(request))
    return render(
        request,
        "error.html",
        {"title": tr("error.not_found"), "heading": tr("error.not_found"), "message": tr(message_key, **values)},
        status=404,
    )
