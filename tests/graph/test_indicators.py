"""Official indicators in the graph, read back through graph.indicators, against the source CSVs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib.namespace import DCTERMS

from graph import iris
from graph.errors import InvalidInput, InvalidKey, UnknownEntity
from graph.indicators import (
    indicator_definitions,
    indicator_lines,
    indicator_records,
    indicator_table,
    region_indicators,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "germany" / "indicators"
UNITS = {"percent", "percent per year", "EUR per inhabitant", "1000 EUR per inhabitant", "count", "persons",
         "code"}


def _csv(require_shared, name: str) -> dict[str, dict[str, str]]:
    require_shared(SHARED)
    with open(SHARED / name, encoding="utf-8", newline="") as fh:
        return {r["ags"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def municipalities_csv(require_shared):
    return _csv(require_shared, "de_gemeinden_indicators.csv")


@pytest.fixture(scope="module")
def municipality_table(default_store):
    return indicator_table(default_store, "municipality")


def test_halle_has_the_csv_values(default_store, municipalities_csv):
    row = municipalities_csv["15002000"]
    got = {v.indicator.key: v.value for v in region_indicators(default_store, "15002000")}
    assert got["broadband_1000_pct"] == 37.38 == float(row["broadband_1000_pct"])
    assert got["broadband_50_pct"] == float(row["broadband_50_pct"])
    assert got["regiostar7"] == 72 and got["central_place"] == 1
    assert got == {k: float(v) for k, v in row.items() if k != "ags" and v != ""}


def test_whole_table_equals_the_source_and_missing_stays_missing(default_store, municipality_table,
                                                                 municipalities_csv):
    """Every municipality's values as in the CSV; an empty cell is no value, never 0."""
    expected = {a: {k: float(v) for k, v in r.items() if k != "ags" and v != ""}
                for a, r in municipalities_csv.items()}
    expected = {a: v for a, v in expected.items() if v}
    assert municipality_table == expected
    # Ellhöft has no 5G value in the source, Jahnatal (formed 2023) no Deutschlandatlas value
    assert municipalities_csv["01054027"]["mobile_5g_area_pct"] == ""
    assert "mobile_5g_area_pct" not in municipality_table["01054027"]
    assert "mobile_4g_area_pct" in municipality_table["01054027"]
    assert "broadband_1000_pct" not in municipality_table["14522275"]
    assert {v.indicator.key for v in region_indicators(default_store, "01054027")} == set(
        municipality_table["01054027"])


def test_district_establishments_add_up(default_store, require_shared):
    source = _csv(require_shared, "de_kreise_indicators.csv")
    table = indicator_table(default_store, "district")
    assert len(table) == 400
    boerde = table["15083"]
    sizes = ("establishments_0_9", "establishments_10_49", "establishments_50_249", "establishments_250_plus")
    assert sum(boerde[k] for k in sizes) == boerde["establishments_total"] == float(
        source["15083"]["establishments_total"])
    assert all(sum(r[k] for k in sizes) == r["establishments_total"] for r in table.values())
    # Kyffhäuserkreis: an IT occupation cell is blank in the BA table, so no IT count and no share
    assert "sv_employees_it" not in table["16065"] and "it_employee_share_pct" not in table["16065"]


def test_definitions_have_units_periods_and_both_labels(default_store):
    defs = indicator_definitions(default_store)
    assert [d.level for d in defs] == ["municipality"] * 11 + ["district"] * 13
    assert defs == indicator_definitions(default_store, "municipality") + indicator_definitions(
        default_store, "district")
    by_key = {d.key: d for d in defs}
    bb = by_key["broadband_1000_pct"]
    assert (bb.unit, bb.ref_period, bb.level) == ("percent", "2022-06", "municipality")
    assert bb.label_en == "households with broadband ≥ 1,000 Mbit/s"
    assert bb.label_de == "Haushalte mit Breitband ≥ 1.000 Mbit/s"
    assert bb.iri == "https://w3id.org/regiomatch/ontology#broadband1000Pct"
    assert by_key["population_change_pct_per_year"].ref_period == "2017/2022"
    assert by_key["sv_employees_total"].ref_period == "2025-06-30"
    assert by_key["establishments_0_9"].unit == "count"
    assert all(d.unit in UNITS and d.label_en and d.label_de and d.source for d in defs)
    assert by_key["regiostar7"].codes["72"] == ("Stadtregion - Regiopole und Großstadt",
                                                "urban region – regiopolis and large city")
    assert set(by_key["bbsr_district_type"].codes) == {"1", "2", "3", "4"}
    assert all(bool(d.codes) == (d.unit == "code") for d in defs)


def test_every_code_in_the_data_has_labels(default_store, municipality_table):
    for d in indicator_definitions(default_store, "municipality"):
        if d.unit == "code":
            used = {str(int(r[d.key])) for r in municipality_table.values() if d.key in r}
            assert used <= set(d.codes), d.key
            assert all(de and en for de, en in d.codes.values())


def test_unknown_and_malformed_keys(default_store):
    with pytest.raises(UnknownEntity, match="15099999"):
        region_indicators(default_store, "15099999")
    with pytest.raises(UnknownEntity, match="15999"):
        region_indicators(default_store, "15999")
    with pytest.raises(InvalidInput, match="a state"):
        region_indicators(default_store, "15")
    with pytest.raises(InvalidKey, match="1500"):
        region_indicators(default_store, "1500")
    with pytest.raises(InvalidInput, match="state"):
        indicator_table(default_store, "state")


def test_records_and_lines_for_show(default_store):
    recs = indicator_records(default_store, "15002000")
    rs7 = next(r for r in recs if r["key"] == "regiostar7")
    assert rs7["value"] == 72 and rs7["code_label_de"] == "Stadtregion - Regiopole und Großstadt"
    lines = indicator_lines(recs)
    assert "households with broadband ≥ 1,000 Mbit/s: 37.38 %  [2022-06, Deutschlandatlas / Breitbandatlas]" in lines
    district = indicator_lines(indicator_records(default_store, "15002"))
    assert any(line.startswith("establishments with 0–9 employees: 6,453  [2021,") for line in district)


def test_indicators_graph_has_provenance(default_store):
    from rdflib import Graph

    prov = Graph().parse(data=default_store.export("nt", iris.named_graph("provenance")), format="nt")
    g = iris.named_graph("indicators")
    sources = " ".join(str(s) for s in prov.objects(g, DCTERMS.source))
    for name in ("Regionaldatenbank", "Bundesagentur für Arbeit", "Deutschlandatlas", "Breitbandatlas",
                 "BBSR"):
        assert name in sources
    assert (g, DCTERMS.license, None) in prov
