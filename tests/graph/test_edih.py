"""The edih-csv import format: reading any country's hubs, clear errors, mapping to RDF."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib import namespace as ns

from graph import iris
from graph.edih import (
    EDIH_COLUMNS,
    CatalogueTerms,
    MunicipalityLocator,
    centre_type_of,
    edih_hubs_to_graph,
    parse_term_levels,
    read_edih_csv,
)
from graph.errors import InvalidInput, UnreadableInput
from graph.vocab import RM

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CATALOGUE = SHARED / "centres" / "edih_catalogue.csv"


@pytest.fixture(scope="module")
def terms(require_shared) -> CatalogueTerms:
    """The catalogue vocabularies: from the SKOS schemes, else the shared term lists."""
    try:
        return CatalogueTerms.from_schemes()
    except UnreadableInput:
        cls = require_shared(SHARED / "classification")
        return CatalogueTerms.from_labels({
            kind: [r[kind] for r in csv.DictReader(open(cls / f"edih_{plural}_terms.csv", encoding="utf-8"))]
            for kind, plural in (("technology", "technologies"), ("service", "services"),
                                 ("sector", "sectors"))
        })


def _write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = EDIH_COLUMNS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


GOOD = {"hub_id": "x-001", "name": "Hub X", "country": "Germany", "hub_type": "EDIH",
        "postcode_parsed": "39106", "city_parsed": "Magdeburg",
        "technologies": "Cybersecurity - 5, Internet of Things - 4",
        "services": "SME support - 5", "sectors": "Retail, wholesale or distribution - 3"}


def test_terms_with_commas_and_dashes_parse(terms: CatalogueTerms) -> None:
    tags = parse_term_levels(
        "Micro- and nanoelectronics, optoelectronics - 3, "
        "New technologies for Audio-Visual sector - Media - 2, Cybersecurity - 5",
        "technology", terms)
    assert [(t.slug, t.level) for t in tags] == [
        ("micro-and-nanoelectronics-optoelectronics", 3),
        ("new-technologies-for-audio-visual-sector-media", 2), ("cybersecurity", 5)]


def test_a_repeated_term_keeps_its_highest_level(terms: CatalogueTerms) -> None:
    tags = parse_term_levels("Energy - 3, Energy - 4", "sector", terms)
    assert [(t.slug, t.level) for t in tags] == [("energy", 4)]


def test_reads_the_whole_catalogue_of_every_country(terms: CatalogueTerms, require_shared) -> None:
    require_shared(CATALOGUE)
    hubs = read_edih_csv(CATALOGUE, terms)
    assert len(hubs) == 367
    assert len({h.country for h in hubs}) > 30
    assert sum(h.country == "Germany" for h in hubs) == 57
    assert sum(bool(h.technologies) for h in hubs) == 210


def test_missing_required_column_lists_expected_columns(tmp_path: Path, terms: CatalogueTerms) -> None:
    path = _write(tmp_path / "h.csv", [GOOD], columns=("hub_id", "country", "technologies"))
    with pytest.raises(InvalidInput, match="missing required column.*name") as err:
        read_edih_csv(path, terms)
    assert "expected columns: hub_id, name, title" in str(err.value)


@pytest.mark.parametrize("column, value, message", [
    ("technologies", "Cybersecurity - 5, Telepathy - 3", r"row 3, column 'technologies': 'Telepathy'"),
    ("services", "SME support - 7", r"row 3, column 'services': level '7' of 'SME support'"),
    ("sectors", "Energy - high", r"row 3, column 'sectors': level 'high'"),
    ("technologies", "Cybersecurity", r"row 3, column 'technologies': 'Cybersecurity' has no level"),
    ("hub_id", "", r"row 3, column 'hub_id': value is empty"),
    ("name", "  ", r"row 3, column 'name': value is empty"),
    ("hub_id", "bad id!", r"row 3, column 'hub_id': .*'bad id!'"),
])
def test_bad_values_name_file_row_column_and_value(
    tmp_path: Path, terms: CatalogueTerms, column: str, value: str, message: str
) -> None:
    path = _write(tmp_path / "h.csv", [GOOD, {**GOOD, "hub_id": "x-002", column: value}])
    with pytest.raises(InvalidInput, match=message) as err:
        read_edih_csv(path, terms)
    assert str(err.value).startswith(f"{path}: row 3, column ")


def test_serves_only_names_a_trade_of_the_scheme(tmp_path: Path, terms: CatalogueTerms) -> None:
    columns = (*EDIH_COLUMNS, "serves_only")
    hubs = read_edih_csv(_write(tmp_path / "h.csv", [{**GOOD, "serves_only": "crafts"}], columns), terms)
    assert hubs[0].serves_only == "crafts"
    g = edih_hubs_to_graph(hubs, MunicipalityLocator([]).locate)
    assert (iris.centre("x-001"), RM.servesOnly, iris.concept("trade", "crafts")) in g
    path = _write(tmp_path / "bad.csv", [{**GOOD, "serves_only": "bakers"}], columns)
    with pytest.raises(InvalidInput, match=r"row 2, column 'serves_only': 'bakers' is not a trade; expected one of "
                                           r"construction-real-estate, crafts, health-care"):
        read_edih_csv(path, terms)


def test_unknown_term_error_lists_valid_terms(tmp_path: Path, terms: CatalogueTerms) -> None:
    path = _write(tmp_path / "h.csv", [{**GOOD, "technologies": "Telepathy - 3"}])
    with pytest.raises(InvalidInput, match="valid: .*cybersecurity"):
        read_edih_csv(path, terms)


def test_duplicate_hub_id_is_rejected(tmp_path: Path, terms: CatalogueTerms) -> None:
    path = _write(tmp_path / "h.csv", [GOOD, GOOD])
    with pytest.raises(InvalidInput, match="row 3, column 'hub_id': 'x-001' already used in row 2") as err:
        read_edih_csv(path, terms)
    assert str(err.value).startswith(f"{path}: ")


def test_missing_or_binary_file_is_unreadable(tmp_path: Path, terms: CatalogueTerms) -> None:
    with pytest.raises(UnreadableInput, match="no such file"):
        read_edih_csv(tmp_path / "nope.csv", terms)
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(UnreadableInput):
        read_edih_csv(tmp_path / "bin.csv", terms)


def test_hubs_map_to_rdf_with_their_id_location_and_concepts(tmp_path: Path, terms: CatalogueTerms) -> None:
    foreign = {**GOOD, "hub_id": "x-002", "country": "Italy", "city_parsed": "Torino",
               "postcode_parsed": "10121", "hub_type": "DIH"}
    hubs = read_edih_csv(_write(tmp_path / "h.csv", [GOOD, foreign]), terms)
    locator = MunicipalityLocator([("15003000", "Magdeburg, Landeshauptstadt", "39104")])
    g = edih_hubs_to_graph(hubs, locator.locate)
    x1, x2 = iris.centre("x-001"), iris.centre("x-002")
    assert (x1, ns.DCTERMS.identifier, Literal("x-001")) in g
    assert (x1, ns.SDO.location, iris.region("15003000")) in g
    assert (x1, ns.SDO.areaServed, iris.region("15")) in g
    assert (x1, RM.centreType, RM.EuropeanDigitalInnovationHub) in g
    e = iris.engagement("x-001", "technology", "cybersecurity")
    assert (x1, RM.hasTopic, e) in g and (e, RM.concept, iris.concept("technology", "cybersecurity")) in g
    assert g.value(e, RM.level).toPython() == 5
    assert g.value(x2, ns.SDO.location) is None and g.value(x2, ns.SDO.areaServed) is None
    assert (x2, RM.centreType, RM.OtherCentre) in g


def test_locator_handles_suffixes_umlauts_and_ambiguity() -> None:
    loc = MunicipalityLocator([
        ("15089030", "Bernburg (Saale), Stadt", "06406"),
        ("05315000", "Köln, Stadt", "50667"),
        ("03403000", "Oldenburg (Oldenburg), Stadt", "26122"),
        ("01055033", "Oldenburg in Holstein, Stadt", "23758"),
        ("09188144", "Weßling", "82234"),
        ("16055000", "Weimar, Stadt", "99423"),
        ("06533016", "Weimar (Lahn)", "35096"),
    ])
    assert loc.locate(None, "Bernburg", "Germany") == "15089030"
    assert loc.locate("50825", "KOELN", "Germany") == "05315000"
    assert loc.locate("26121", "Oldenburg", "Germany") == "03403000"
    assert loc.locate(None, "Oberpfaffenhofen-wessling", "Germany") == "09188144"
    assert loc.locate("99423", "Weimar", "Germany") == "16055000"
    assert loc.locate(None, "Weimar", "Germany") is None  # ambiguous without a postcode
    assert loc.locate("82234", None, "Germany") == "09188144"
    assert loc.locate("50825", "Köln", "Italy") is None


def test_centre_types(terms: CatalogueTerms) -> None:
    from graph.edih import EdihHub

    def t(name: str, hub_type: str = "DIH", title: str = "") -> object:
        return centre_type_of(EdihHub(hub_id="a", name=name, country="Germany", title=title,
                                      hub_type=hub_type))

    assert t("EDIH Saxony", "EDIH") == RM.EuropeanDigitalInnovationHub
    assert t("MDZT", title="Mittelstand Digital Zentrum Tourismus") == RM.MittelstandDigitalCentre
    assert t("Regionales Digitalisierungszentrum Haldensleben", "") == RM.RegionalDigitalisationCentre
    assert t("Smart Data Innovation Lab") == RM.OtherCentre
