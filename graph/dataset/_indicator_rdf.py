"""The ``indicators`` named graph: official regional statistics as W3C RDF Data Cube.

* one ``qb:DataSet`` per level (``id/dataset/indicators-municipality`` and
  ``-district``), each with a ``qb:DataStructureDefinition`` whose components are the
  dimensions ``sdmx-dimension:refArea`` and ``sdmx-dimension:refPeriod`` and one
  ``qb:MeasureProperty`` per indicator (``rm:broadband1000Pct`` ...);
* one ``qb:Observation`` per region and reference period, carrying the measures that
  share that period (a municipality has up to five: 2022-06 broadband, 2017/2022
  population change, 2022 tax capacity, 2024-01 mobile coverage, 2019-12-31 BBSR
  classes). A value the source lacks is simply absent — never imputed — and a region
  with no value for a period has no observation for it. This multi-measure form keeps
  the graph small (about 3 triples per value); the price is that the Data Cube's
  integrity constraint IC-14 ("every measure on every observation") does not hold;
* ``refPeriod`` is an ISO 8601 string: a date, a year-month, a year or ``start/end``;
* every indicator is a ``skos:Concept`` in ``concept/indicator`` (German and English
  labels, ``skos:notation`` = the CSV column name, ``rm:unit``, ``dcterms:temporal``,
  ``dcterms:source``, ``rm:measuredFor``), linked from its measure by ``qb:concept``;
* BBSR classifications are integer codes; their labels live in SKOS code lists
  ``concept/code/{key}`` (German verbatim from BBSR, English by regiomatch), linked
  from the measure by ``qb:codeList``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, QB, RDF, SKOS, XSD
from rdflib.term import Node

from graph import iris
from graph.dataset import compact
from graph.dataset._indicators import CODE_LABELS_EN, INDICATORS, LEVELS, IndicatorDef
from graph.vocab import RM, SDMX_DIMENSION

__all__ = ["indicator_triples"]

Triple = tuple[Node, Node, Node]
_INTEGER_UNITS = ("count", "persons", "code")
_LEVEL_CLASS = {"municipality": RM.Municipality, "district": RM.District}
_TITLES = {
    "municipality": ("Official indicators per municipality", "Amtliche Indikatoren je Gemeinde"),
    "district": ("Official indicators per district", "Amtliche Indikatoren je Kreis"),
}


def _value(d: IndicatorDef, v: float | int) -> Literal:
    if d.unit in _INTEGER_UNITS:
        return Literal(int(v), datatype=XSD.integer)
    return Literal(repr(float(v)) if isinstance(v, float) else str(v), datatype=XSD.decimal)


def _scheme_triples(codes: dict[str, list[list[Any]]]) -> Iterator[Triple]:
    scheme = iris.indicator_scheme()
    yield (scheme, RDF.type, SKOS.ConceptScheme)
    yield (scheme, SKOS.prefLabel, Literal("Regional indicators", lang="en"))
    yield (scheme, SKOS.prefLabel, Literal("Regionalindikatoren", lang="de"))
    for d in INDICATORS:
        c, m = iris.indicator(d.key), RM[d.measure]
        yield from (
            (c, RDF.type, SKOS.Concept), (c, SKOS.inScheme, scheme), (c, SKOS.topConceptOf, scheme),
            (c, SKOS.prefLabel, Literal(d.label_en, lang="en")),
            (c, SKOS.prefLabel, Literal(d.label_de, lang="de")),
            (c, SKOS.notation, Literal(d.key)), (c, RM.unit, Literal(d.unit)),
            (c, DCTERMS.temporal, Literal(d.ref_period)), (c, DCTERMS.source, Literal(d.source)),
            (c, RM.measuredFor, _LEVEL_CLASS[d.level]), (m, QB.concept, c),
        )
        if d.unit == "code":
            cl = iris.code_list(d.key)
            yield from (
                (m, QB.codeList, cl), (cl, RDF.type, SKOS.ConceptScheme),
                (cl, SKOS.prefLabel, Literal(d.label_en, lang="en")),
                (cl, SKOS.prefLabel, Literal(d.label_de, lang="de")),
            )
            for code, label_de in codes[d.key]:
                k = iris.code(d.key, code)
                yield from (
                    (k, RDF.type, SKOS.Concept), (k, SKOS.inScheme, cl), (k, SKOS.notation, Literal(str(code))),
                    (k, SKOS.prefLabel, Literal(label_de, lang="de")),
                    (k, SKOS.prefLabel, Literal(CODE_LABELS_EN[d.key][code], lang="en")),
                )


def _structure_triples(level: str, defs: list[IndicatorDef]) -> Iterator[Triple]:
    ds, dsd = iris.indicator_dataset(level), iris.indicator_structure(level)
    title_en, title_de = _TITLES[level]
    yield from (
        (ds, RDF.type, QB.DataSet), (ds, QB.structure, dsd),
        (ds, DCTERMS.title, Literal(title_en, lang="en")), (ds, DCTERMS.title, Literal(title_de, lang="de")),
        (dsd, RDF.type, QB.DataStructureDefinition),
    )
    parts: list[tuple[str, URIRef, URIRef]] = [
        ("ref_area", QB.dimension, SDMX_DIMENSION.refArea),
        ("ref_period", QB.dimension, SDMX_DIMENSION.refPeriod),
    ] + [(d.key, QB.measure, RM[d.measure]) for d in defs]
    for order, (key, kind, prop) in enumerate(parts, start=1):
        cs = iris.indicator_component(level, key)
        yield from (
            (dsd, QB.component, cs), (cs, RDF.type, QB.ComponentSpecification), (cs, kind, prop),
            (cs, QB.order, Literal(order, datatype=XSD.integer)),
        )


def _observation_triples(level: str, defs: list[IndicatorDef], table: dict[str, Any]) -> Iterator[Triple]:
    ds = iris.indicator_dataset(level)
    cols = table["columns"]
    by_period: dict[str, list[tuple[int, IndicatorDef, URIRef]]] = {}
    for d in defs:
        by_period.setdefault(d.ref_period, []).append((cols.index(d.key), d, RM[d.measure]))
    periods = [(Literal(p), members) for p, members in by_period.items()]
    literals: dict[tuple[bool, float | int], Literal] = {}  # values repeat a lot (codes, 100.0)
    # namespace attribute look-ups cost more than the rest of the loop: resolve them once
    a, obs, in_ds, ref_area, ref_period = (RDF.type, QB.Observation, QB.dataSet, SDMX_DIMENSION.refArea,
                                           SDMX_DIMENSION.refPeriod)
    for row in table["rows"]:
        ags = row[0]
        area = iris.region(ags)
        for period, members in periods:
            values = [(d, m, row[i]) for i, d, m in members if row[i] is not None]
            if not values:
                continue
            o = iris.observation(ags, str(period))
            yield from ((o, a, obs), (o, in_ds, ds), (o, ref_area, area), (o, ref_period, period))
            for d, m, v in values:
                k = (d.unit in _INTEGER_UNITS, v)
                lit = literals.get(k)
                if lit is None:
                    lit = literals[k] = _value(d, v)
                yield (o, m, lit)


def indicator_triples() -> Iterator[Triple]:
    """Every statement of the ``indicators`` graph (see module docstring)."""
    data = compact.indicators()
    yield from _scheme_triples(data["codes"])
    for level in LEVELS:
        defs = [d for d in INDICATORS if d.level == level]
        yield from _structure_triples(level, defs)
        yield from _observation_triples(level, defs, data[level])
