"""A region's official indicators beside the medians of its district and of the country.

Reads ``graph.indicators`` (the Data Cube graph) when this build has it; returns
None otherwise, and the page leaves the section out. Medians are taken over the
regions that have a value (missing values stay missing, never imputed).
"""

from __future__ import annotations

import statistics
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from service.web.i18n import Translator

__all__ = ["indicator_rows", "bar_chart"]

_PERCENT_UNITS = ("percent", "percent per year")


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@lru_cache(maxsize=4)
def _tables(store: Any, version: int) -> dict[str, Any]:
    from graph.indicators import indicator_definitions, indicator_table

    out: dict[str, Any] = {}
    for level in ("municipality", "district"):
        table = indicator_table(store, level)
        defs = {d.key: d for d in indicator_definitions(store, level)}
        country = {k: _median([row[k] for row in table.values() if k in row]) for k in defs}
        out[level] = {"table": table, "defs": defs, "country": country}
    return out


def _fmt(value: float | None, unit: str, tr: Translator) -> str:
    if value is None:
        return "–"
    if unit in ("count", "persons"):
        return tr.num(value)
    digits = 1 if abs(value) < 1000 else 0
    text = tr.num(value, digits)
    return f"{text}\u00a0%" if unit in _PERCENT_UNITS else text


def _unit_label(unit: str, tr: Translator) -> str:
    return {"percent": "%", "percent per year": tr("ind.unit_pct_year")}.get(unit, tr.label(
        {"de": unit.replace("EUR per inhabitant", "EUR je Einwohner").replace("1000 EUR", "1.000 EUR")
         .replace("persons", "Personen").replace("count", "Anzahl"), "en": unit}))


def indicator_rows(data: Any, ags: str, tr: Translator) -> dict[str, Any] | None:
    """View rows: (label, this, district median, country median, unit, period, chart) per indicator."""
    try:
        import graph.indicators  # noqa: F401
    except ImportError:
        return None
    try:
        tables = _tables(data.store, data.version)
    except Exception:  # a store built before indicators existed has no such graph
        return None
    sections = []
    levels = [("municipality", ags), ("district", ags[:5])] if len(ags) == 8 else [("district", ags)]
    for level, key in levels:
        t = tables[level]
        own = t["table"].get(key)
        if not own:
            continue
        peers_in = [row for a, row in t["table"].items() if level == "municipality" and a[:5] == ags[:5]]
        if level == "district":
            peers_in = [row for a, row in t["table"].items() if a[:2] == key[:2]]
        rows = []
        for k, d in t["defs"].items():
            if k not in own:
                continue
            label = d.label_de if tr.lang == "de" else d.label_en
            if d.unit == "code":
                code = str(int(own[k]))
                names = d.codes.get(code)
                shown = (names[0] if tr.lang == "de" else names[1]) if names else code
                rows.append({"label": label, "value": shown, "code": True, "period": d.ref_period, "source": d.source})
                continue
            area = _median([row[k] for row in peers_in if k in row])
            country = t["country"].get(k)
            rows.append({
                "label": label, "code": False, "period": d.ref_period, "source": d.source,
                "value": _fmt(own[k], d.unit, tr), "area": _fmt(area, d.unit, tr), "country": _fmt(country, d.unit, tr),
                "unit": _unit_label(d.unit, tr),
                "chart": bar_chart(label, [(tr("ind.this"), own[k]), (tr(f"ind.area_{level}"), area),
                                           (tr("ind.country"), country)],
                                   lambda v, u=d.unit: _fmt(v, u, tr)),
            })
        region = data.regions.get(key)
        sections.append({"level": level, "name": region.name if region else key, "rows": rows})
    return {"sections": sections} if sections else None


def bar_chart(title: str, bars: list[tuple[str, float | None]], fmt: Any) -> Markup:
    """Three labelled horizontal bars as a small SVG (the table beside it says the same)."""
    values = [abs(v) for _, v in bars if v is not None]
    top = max(values) if values else 1.0
    top = top or 1.0
    width, label_w, row_h = 300, 110, 22
    parts = []
    colours = ("#0b5cad", "#5b6f82", "#5b6f82")
    for n, (name, v) in enumerate(bars):
        y = n * row_h + 4
        w = 0 if v is None else max(1, round((width - label_w - 70) * abs(v) / top))
        parts.append(f'<text x="0" y="{y + 13}">{escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="15" fill="{colours[n]}"/>')
        parts.append(f'<text x="{label_w + w + 4}" y="{y + 13}">{escape(fmt(v))}</text>')
    h = len(bars) * row_h + 6
    return Markup(
        f'<svg class="bar" viewBox="0 0 {width} {h}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )
