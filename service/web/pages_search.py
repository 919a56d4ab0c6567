"""The site search: any region, centre or topic by name."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.web._render import lang_of, render
from service.web.data import web_data
from service.web.i18n import Translator
from service.web.wording import centre_type

__all__ = ["router", "region_kind"]

router = APIRouter(include_in_schema=False)


def region_kind(r: Any, tr: Translator) -> str:
    return tr(f"kind.{r.kind}")


@router.get("/_web/search", response_class=HTMLResponse)
def search(request: Request, q: str = "") -> HTMLResponse:
    tr = Translator(lang_of(request))
    q = q.strip()[:200]
    found = web_data(request).search(q) if q else {"regions": [], "centres": [], "topics": []}
    return render(request, "search.html", {
        "title": tr("search.heading"), "search_q": q, "found": found,
        "kind": lambda r: region_kind(r, tr), "ctype": lambda k: centre_type(k, tr.lang),
        "label": lambda c: c.label_de if tr.lang == "de" else c.label_en,
    })
