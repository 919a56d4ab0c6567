"""The centre journey at ``/centres/{id}``: profile, funding, partners, the demand around it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.web import analytics
from service.web._render import lang_of, not_found, render
from service.web.data import WebData, web_data
from service.web.i18n import Translator
from service.web.wording import centre_type, scope_label

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _eng(engagements: tuple[Any, ...], tr: Translator) -> list[dict[str, Any]]:
    return [{"label": e.label_de if tr.lang == "de" else e.label_en, "level": e.level, "key": e.concept}
            for e in engagements]


def _demand(data: WebData, centre: Any, tr: Translator) -> dict[str, Any] | None:
    """Recorded SME needs in the centre's district (else state), counted per topic, beside its own level.

    Only counts of at least five firms are shown, never a single company's record.
    """
    counts: Counter[str] = Counter()
    firms, area = 0, ""
    for area in (a for a in (centre.district_ags, centre.state_ags) if a):
        counts.clear()
        firms = 0
        for company in data.companies:
            if company.municipality_ags.startswith(area):
                firms += 1
                counts.update(set(company.needs))
        if firms >= 5:  # fewer firms would say too much about each of them
            break
    if firms < 5:
        return None
    own = {e.concept: e.level for e in centre.topics}
    labels = {c.iri: (c.label_de if tr.lang == "de" else c.label_en) for c in data.catalogue.concepts}
    rows = [{"label": labels.get(iri, iri), "count": n, "share": tr.num(100 * n / firms), "level": own.get(iri, 0)}
            for iri, n in counts.most_common(8)]
    region = data.regions.get(area)
    return {"area": region.name if region else area, "firms": firms, "rows": rows}


@router.get("/_web/centres/{centre_id}", response_class=HTMLResponse)
def centre_page(request: Request, centre_id: str) -> HTMLResponse:
    from graph.funding import grants

    data = web_data(request)
    tr = Translator(lang_of(request))
    c = data.centres.get(centre_id)
    if c is None:
        return not_found(request, "error.no_centre", id=centre_id[:100])
    served = [data.regions[a] for a in c.served_ags if a in data.regions]
    funding = [{"programme": g.programme or "–", "funder": g.funder or "–",
                "amount": f"{tr.num(g.amount)} {g.currency or ''}".strip() if g.amount is not None else "–",
                "period": f"{tr.day(g.start) if g.start else '…'} – {tr.day(g.end) if g.end else '…'}"}
               for g in grants(data.store, c.id)]
    ctx = {
        "page": "centre", "title": c.name, "c": c,
        "type": centre_type(c.centre_type, tr.lang), "scope": scope_label(c.scope, tr.lang),
        "topics": _eng(c.topics, tr), "services": _eng(c.services, tr), "sectors": _eng(c.sectors, tr),
        "served": served, "funding": funding, "demand": _demand(data, c, tr),
        "partners": analytics.partners(data, c, tr),
        "website": c.website if (c.website or "").startswith(("http://", "https://")) else None,
    }
    return render(request, "centre.html", ctx)
