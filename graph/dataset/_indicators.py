"""What each column of ``shared/data/germany/indicators/`` means (see ``shared/data/SOURCES.md``).

One entry per indicator, in display order: the CSV column (``key``), the measure
property's local name in ``rm:``, its level, unit, reference period (ISO 8601: a
date, a year-month, a year or an interval ``start/end``), short source name, and
German and English labels. ``CODE_LABELS_EN`` translates the German labels of the
BBSR code lists (``bbsr_regiostar_labels.csv``), which are kept verbatim.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["IndicatorDef", "INDICATORS", "UNITS", "CODE_LABELS_EN", "LEVELS"]

LEVELS = ("municipality", "district")
UNITS = ("percent", "percent per year", "EUR per inhabitant", "1000 EUR per inhabitant", "count",
         "persons", "code")


class IndicatorDef(NamedTuple):
    key: str
    measure: str  # local name of the rm: measure property
    level: str
    unit: str
    ref_period: str
    source: str
    label_en: str
    label_de: str


_DA = "Deutschlandatlas"
_BBSR = "BBSR Referenz Gemeinden, Kreise, NUTS"
_UR = "Unternehmensregister (Regionaldatenbank 52111-01-02-4)"
_BA = "Statistik der Bundesagentur für Arbeit"

INDICATORS: tuple[IndicatorDef, ...] = (
    # ------------------------------------------------------------ municipalities
    IndicatorDef("broadband_50_pct", "broadband50Pct", "municipality", "percent", "2022-06",
                 f"{_DA} / Breitbandatlas", "households with broadband ≥ 50 Mbit/s",
                 "Haushalte mit Breitband ≥ 50 Mbit/s"),
    IndicatorDef("broadband_1000_pct", "broadband1000Pct", "municipality", "percent", "2022-06",
                 f"{_DA} / Breitbandatlas", "households with broadband ≥ 1,000 Mbit/s",
                 "Haushalte mit Breitband ≥ 1.000 Mbit/s"),
    IndicatorDef("population_change_pct_per_year", "populationChangePctPerYear", "municipality",
                 "percent per year", "2017/2022", _DA, "average annual population change",
                 "durchschnittliche jährliche Bevölkerungsentwicklung"),
    IndicatorDef("tax_revenue_capacity_eur_per_inhabitant", "taxRevenueCapacityEurPerInhabitant",
                 "municipality", "EUR per inhabitant", "2022", _DA, "tax revenue capacity",
                 "Steuereinnahmekraft"),
    IndicatorDef("mobile_4g_area_pct", "mobile4gAreaPct", "municipality", "percent", "2024-01",
                 f"{_DA} / Breitbandatlas", "area with 4G (LTE) coverage", "Fläche mit LTE-Versorgung"),
    IndicatorDef("mobile_5g_area_pct", "mobile5gAreaPct", "municipality", "percent", "2024-01",
                 f"{_DA} / Breitbandatlas", "area with 5G coverage", "Fläche mit 5G-Versorgung"),
    IndicatorDef("regiostar7", "regiostar7", "municipality", "code", "2019-12-31", _BBSR,
                 "RegioStaR 7 regional type", "Regionalstatistischer Raumtyp RegioStaR 7"),
    IndicatorDef("regiostar17", "regiostar17", "municipality", "code", "2019-12-31", _BBSR,
                 "RegioStaR 17 regional type", "Regionalstatistischer Raumtyp RegioStaR 17"),
    IndicatorDef("bbsr_municipality_type", "bbsrMunicipalityType", "municipality", "code",
                 "2019-12-31", _BBSR, "city and municipality type", "Stadt- und Gemeindetyp"),
    IndicatorDef("bbsr_growth_type", "bbsrGrowthType", "municipality", "code", "2019-12-31", _BBSR,
                 "growing or shrinking municipality", "wachsende und schrumpfende Gemeinde"),
    IndicatorDef("central_place", "centralPlace", "municipality", "code", "2019-12-31", _BBSR,
                 "central-place status", "zentralörtliche Einstufung"),
    # ------------------------------------------------------------ districts
    IndicatorDef("establishments_total", "establishmentsTotal", "district", "count", "2021", _UR,
                 "establishments in the company register", "Niederlassungen im Unternehmensregister"),
    IndicatorDef("establishments_0_9", "establishments0To9", "district", "count", "2021", _UR,
                 "establishments with 0–9 employees", "Niederlassungen mit 0–9 Beschäftigten"),
    IndicatorDef("establishments_10_49", "establishments10To49", "district", "count", "2021", _UR,
                 "establishments with 10–49 employees", "Niederlassungen mit 10–49 Beschäftigten"),
    IndicatorDef("establishments_50_249", "establishments50To249", "district", "count", "2021", _UR,
                 "establishments with 50–249 employees", "Niederlassungen mit 50–249 Beschäftigten"),
    IndicatorDef("establishments_250_plus", "establishments250Plus", "district", "count", "2021", _UR,
                 "establishments with 250 or more employees",
                 "Niederlassungen mit 250 und mehr Beschäftigten"),
    IndicatorDef("sv_employees_total", "svEmployeesTotal", "district", "persons", "2025-06-30", _BA,
                 "employees subject to social insurance at the workplace (lower bound)",
                 "sozialversicherungspflichtig Beschäftigte am Arbeitsort (Untergrenze)"),
    IndicatorDef("sv_employees_it", "svEmployeesIt", "district", "persons", "2025-06-30", _BA,
                 "employees in IT occupations (KldB 431–434)",
                 "Beschäftigte in IT-Berufen (KldB 431–434)"),
    IndicatorDef("it_employee_share_pct", "itEmployeeSharePct", "district", "percent", "2025-06-30",
                 _BA, "share of employees in IT occupations", "Anteil der Beschäftigten in IT-Berufen"),
    IndicatorDef("sv_blank_cells", "svBlankCells", "district", "count", "2025-06-30", _BA,
                 "occupation groups left blank in the employment table",
                 "in der Beschäftigtentabelle leere Berufsgruppen"),
    IndicatorDef("share_65plus_pct", "share65PlusPct", "district", "percent", "2022-12-31", _DA,
                 "share of the population aged 65 or over", "Anteil der Bevölkerung ab 65 Jahren"),
    IndicatorDef("gdp_per_inhabitant_keur", "gdpPerInhabitantKeur", "district",
                 "1000 EUR per inhabitant", "2021", "INKAR (BBSR)", "GDP per inhabitant",
                 "Bruttoinlandsprodukt je Einwohner"),
    IndicatorDef("household_income_per_inhabitant_keur", "householdIncomePerInhabitantKeur",
                 "district", "1000 EUR per inhabitant", "2021", _DA,
                 "disposable household income per inhabitant",
                 "verfügbares Einkommen der privaten Haushalte je Einwohner"),
    IndicatorDef("bbsr_district_type", "bbsrDistrictType", "district", "code", "2019-12-31", _BBSR,
                 "settlement-structure district type", "Siedlungsstruktureller Kreistyp"),
)

CODE_LABELS_EN: dict[str, dict[int, str]] = {
    "bbsr_district_type": {
        1: "district-free large city", 2: "urban district",
        3: "rural district with signs of densification", 4: "sparsely populated rural district",
    },
    "bbsr_growth_type": {
        1: "shrinking strongly", 2: "shrinking", 3: "no clear trend", 4: "growing",
        5: "growing strongly",
    },
    "bbsr_municipality_type": {
        10: "large city", 20: "medium-sized town", 30: "larger small town", 40: "small town",
        50: "rural municipality",
    },
    "central_place": {
        0: "no central-place status", 1: "regional centre (Oberzentrum) or higher",
        2: "middle-order centre (Mittelzentrum)", 3: "basic centre (Grundzentrum) or lower",
    },
    "regiostar17": {
        111: "metropolitan urban region – metropolis",
        112: "metropolitan urban region – large city",
        113: "metropolitan urban region – medium-sized town",
        114: "metropolitan urban region – urban area",
        115: "metropolitan urban region – small-town, village area",
        121: "regiopolitan urban region – regiopolis",
        123: "regiopolitan urban region – medium-sized town",
        124: "regiopolitan urban region – urban area",
        125: "regiopolitan urban region – small-town, village area",
        211: "rural region near urban regions – central city",
        213: "rural region near urban regions – medium-sized town",
        214: "rural region near urban regions – urban area",
        215: "rural region near urban regions – small-town, village area",
        221: "peripheral rural region – central city",
        223: "peripheral rural region – medium-sized town",
        224: "peripheral rural region – urban area",
        225: "peripheral rural region – small-town, village area",
    },
    "regiostar7": {
        71: "urban region – metropolis",
        72: "urban region – regiopolis and large city",
        73: "urban region – medium-sized towns, urban area",
        74: "urban region – small-town, village area",
        75: "rural region – central city",
        76: "rural region – medium-sized towns, urban area",
        77: "rural region – small-town, village area",
    },
}
