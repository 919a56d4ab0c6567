"""Official regional indicators (the ``indicators`` graph) as typed records.

The graph is W3C RDF Data Cube (see :mod:`graph.dataset._indicator_rdf`): one
``qb:Observation`` per region and reference period, one ``rm:`` measure property per
indicator, each indicator a ``skos:Concept`` with unit, period, source and labels,
BBSR classifications as integer codes with SKOS code lists.

* :func:`indicator_definitions` — what the indicators are (:class:`Indicator`);
* :func:`indicator_table` — every region of a level with its values, in one query
  (about 118,000 values for the 10,773 municipalities);
* :func:`region_indicators` — one region's values (:class:`IndicatorValue`);
* :func:`indicator_records` / :func:`indicator_lines` — the same for ``regiomatch show``
  (JSON-ready dicts, and text lines).

A value the source does not have is absent: never 0, never imputed.
"""

from __future__ import annotations

from graph import iris
from graph.errors import InvalidInput, UnknownEntity
from graph.namespaces import sparql_prefixes
from graph.records import Indicator, IndicatorValue
from graph.store import Store

__all__ = ["LEVELS", "indicator_definitions", "indicator_table", "region_indicators",
           "indicator_records", "indicator_lines"]

LEVELS = iris.INDICATOR_LEVELS
_CLASS = {"municipality": "rm:Municipality", "district": "rm:District"}
_LEVEL_OF_CLASS = {"Municipality": "municipality", "District": "district"}
_LEVEL_OF_LENGTH = {8: "municipality", 5: "district"}
_WHOLE_UNITS = ("count", "persons", "code")
_UNIT_TEXT = {"percent": " %", "percent per year": " % per year", "count": ""}


def _check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise InvalidInput(f"unknown indicator level {level!r}: expected one of {', '.join(LEVELS)}")


def indicator_definitions(store: Store, level: str | None = None) -> list[Indicator]:
    """The indicators of one level (or both), municipality ones first, in the data set's order."""
    _check_level(level)
    classes = " ".join(_CLASS[lv] for lv in ([level] if level else LEVELS))
    rows = store.select_values(sparql_prefixes() + f"""
SELECT ?m ?key ?unit ?period ?source ?cls ?en ?de ?order WHERE {{
  VALUES ?cls {{ {classes} }}
  ?c skos:inScheme {iris.indicator_scheme().n3()} ; skos:notation ?key ; rm:unit ?unit ;
     dcterms:temporal ?period ; dcterms:source ?source ; rm:measuredFor ?cls ;
     skos:prefLabel ?en , ?de .
  FILTER (LANG(?en) = "en" && LANG(?de) = "de")
  ?m qb:concept ?c .
  OPTIONAL {{ ?spec qb:measure ?m ; qb:order ?order }}
}}""")
    codes: dict[str, dict[str, tuple[str, str]]] = {}
    for r in store.select_values(sparql_prefixes() + f"""
SELECT ?m ?code ?de ?en WHERE {{
  ?m qb:concept/skos:inScheme {iris.indicator_scheme().n3()} ; qb:codeList ?list .
  ?k skos:inScheme ?list ; skos:notation ?code ; skos:prefLabel ?de , ?en .
  FILTER (LANG(?de) = "de" && LANG(?en) = "en")
}}"""):
        codes.setdefault(r["m"], {})[r["code"]] = (r["de"], r["en"])
    out: dict[str, tuple[tuple[int, int, str], Indicator]] = {}
    for r in rows:
        lv = _LEVEL_OF_CLASS[r["cls"].rsplit("#", 1)[-1]]
        ind = Indicator(key=r["key"], iri=r["m"], level=lv, unit=r["unit"], label_en=r["en"],
                        label_de=r["de"], ref_period=r["period"], source=r["source"],
                        codes=dict(sorted(codes.get(r["m"], {}).items(), key=lambda kv: int(kv[0]))))
        out[ind.key] = ((LEVELS.index(lv), int(r.get("order", 10_000)), ind.key), ind)
    return [ind for _, ind in sorted(out.values(), key=lambda x: x[0])]


def indicator_table(store: Store, level: str) -> dict[str, dict[str, float]]:
    """AGS → {indicator key: value} for every region of ``level`` that has a value.

    Missing values are absent from the inner dict, and a region without any value is
    absent. One query returns one row per observation with its values concatenated:
    returning a row per value, or joining each observation to its ``refArea``, costs
    several times more on Oxigraph (decoding every IRI) — see ``bench/bench_indicators.py``.
    The region comes from the observation IRI (:func:`graph.iris.observation_area`);
    observations with other IRIs (loaded from elsewhere) are joined to their ``refArea``.
    """
    if level not in LEVELS:
        raise InvalidInput(f"unknown indicator level {level!r}: expected one of {', '.join(LEVELS)}")
    defs = indicator_definitions(store, level)
    if not defs:
        return {}
    values = " ".join(f"(<{d.iri}> {i})" for i, d in enumerate(defs))
    rows = store.select_values(sparql_prefixes() + f"""
SELECT ?o (GROUP_CONCAT(CONCAT(STR(?k), "=", STR(?v)); separator=" ") AS ?vals) WHERE {{
  VALUES (?p ?k) {{ {values} }}
  ?o ?p ?v .
}} GROUP BY ?o""")
    out: dict[str, dict[str, float]] = {}
    foreign: dict[str, str] = {}
    for r in rows:
        ags = iris.observation_area(r["o"])
        if ags is None:
            foreign[r["o"]] = r["vals"]
            continue
        _add_values(out.setdefault(ags, {}), r["vals"], defs)
    if foreign:
        areas = _areas(store, list(foreign))
        for o, vals in foreign.items():
            if o in areas:
                _add_values(out.setdefault(areas[o], {}), vals, defs)
    return {a: v for a, v in out.items() if len(a) == (8 if level == "municipality" else 5)}


def _add_values(row: dict[str, float], concatenated: str, defs: list[Indicator]) -> None:
    for pair in concatenated.split(" "):
        k, _, v = pair.partition("=")
        row[defs[int(k)].key] = float(v)


def _areas(store: Store, observations: list[str], chunk: int = 500) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(observations), chunk):
        values = " ".join(f"<{o}>" for o in observations[i : i + chunk])
        for r in store.select_values(sparql_prefixes() + f"""
SELECT ?o ?ags WHERE {{ VALUES ?o {{ {values} }} ?o sdmx-dimension:refArea/rm:ags ?ags }}"""):
            out[r["o"]] = r["ags"]
    return out


def _level_of(ags: str) -> tuple[str, str]:
    a = iris.normalise_ags(ags)
    level = _LEVEL_OF_LENGTH.get(len(a))
    if level is None:
        raise InvalidInput(f"no indicators for AGS {a} (a state): indicators exist for municipalities "
                           "(8 digits, e.g. 15002000) and districts (5 digits, e.g. 15083)")
    return a, level


def region_indicators(store: Store, ags: str) -> list[IndicatorValue]:
    """One municipality's (8-digit AGS) or district's (5-digit) indicator values, in definition order.

    Raises ``UnknownEntity`` if no such region is in the store; a region the sources
    say nothing about gets an empty list.
    """
    a, level = _level_of(ags)
    region = iris.region(a).n3()
    if not store.ask(sparql_prefixes() + f"ASK {{ {region} a {_CLASS[level]} }}"):
        raise UnknownEntity(f"no {level} with AGS {a} in the store (check the key, or run `regiomatch init`)")
    defs = indicator_definitions(store, level)
    if not defs:
        return []
    # every property of the region's observations, filtered here: binding the measures
    # with VALUES makes Oxigraph scan all observations (seconds instead of milliseconds)
    measures = {d.iri for d in defs}
    got = {r["p"]: float(r["v"]) for r in store.select_values(sparql_prefixes() + f"""
SELECT ?p ?v WHERE {{ ?o sdmx-dimension:refArea {region} ; ?p ?v . }}""") if r["p"] in measures}
    return [IndicatorValue(d, got[d.iri]) for d in defs if d.iri in got]


def indicator_records(store: Store, ags: str) -> list[dict[str, object]]:
    """One region's values as JSON-ready dicts (key, labels, value, unit, period, source, code labels)."""
    out: list[dict[str, object]] = []
    for iv in region_indicators(store, ags):
        d = iv.indicator
        rec: dict[str, object] = {
            "key": d.key, "label_en": d.label_en, "label_de": d.label_de,
            "value": int(iv.value) if d.unit in _WHOLE_UNITS else iv.value,
            "unit": d.unit, "ref_period": d.ref_period, "source": d.source,
        }
        if d.unit == "code":
            label_de, label_en = d.codes.get(str(int(iv.value)), ("", ""))
            rec["code_label_de"], rec["code_label_en"] = label_de, label_en
        out.append(rec)
    return out


def indicator_lines(records: list[dict[str, object]]) -> list[str]:
    """Text lines for :func:`indicator_records`: label, value with unit (or code label), period."""
    lines = []
    for r in records:
        if r["unit"] == "code":
            shown = f"{r['value']} {r.get('code_label_en', '')} ({r.get('code_label_de', '')})"
        else:
            value = r["value"]
            num = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
            shown = num + _UNIT_TEXT.get(str(r["unit"]), f" {r['unit']}")
        lines.append(f"{r['label_en']}: {shown}  [{r['ref_period']}, {r['source']}]")
    return lines
