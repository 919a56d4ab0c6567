"""Loading files: validate first, write all or nothing, clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidKey, UnknownFormat, UnreadableInput, ValidationFailed
from graph.loader import load_files, read_file
from graph.store import open_store

PREFIXES = """
@prefix rm: <https://w3id.org/regiomatch/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rmid: <https://w3id.org/regiomatch/id/> .
@prefix rmc: <https://w3id.org/regiomatch/concept/> .
"""

GOOD_COMPANY = PREFIXES + """
rmid:company\\/acme-1 a rm:Company ;
    dcterms:identifier "acme-1" ;
    schema:name "Acme Metallbau GmbH" ;
    schema:location rmid:region\\/15083270 ;
    rm:naceSector rmc:nace\\/25 ;
    rm:sizeClass rm:Small ;
    schema:numberOfEmployees 23 ;
    rm:needs rmc:technology\\/cybersecurity ;
    rm:needDescription "Wir wollen unsere IT absichern."@de ;
    rm:synthetic false .
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _count(store_dir: str) -> int:
    with open_store(store_dir, read_only=True) as st:
        return int(st.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])


def test_valid_company_lands_in_its_named_graph(default_store_dir, tmp_path):
    import shutil

    work = tmp_path / "store"
    shutil.copytree(default_store_dir, work)
    f = _write(tmp_path, "acme.ttl", GOOD_COMPANY)
    with open_store(work) as st:
        rep = load_files(st, [f], graph="companies/acme")
        assert rep.triples == 10
        rows = st.select(
            "SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/regiomatch/id/company/acme-1> ?p ?o } }"
        )
        assert {str(r["g"]) for r in rows} == {"https://w3id.org/regiomatch/graph/companies/acme"}
        prov = st.select(
            "SELECT ?src WHERE { GRAPH <https://w3id.org/regiomatch/graph/provenance> { "
            "<https://w3id.org/regiomatch/graph/companies/acme> <http://purl.org/dc/terms/source> ?src } }"
        )
        assert [str(r["src"]) for r in prov] == ["acme.ttl"]


def test_violation_names_node_property_and_writes_nothing(default_store_dir, tmp_path):
    import shutil

    work = tmp_path / "store"
    shutil.copytree(default_store_dir, work)
    before = _count(str(work))
    bad = GOOD_COMPANY.replace("schema:numberOfEmployees 23", "schema:numberOfEmployees 400")
    ok = _write(tmp_path, "ok.ttl", GOOD_COMPANY.replace("acme-1", "acme-2"))
    f = _write(tmp_path, "bad.ttl", bad)
    with open_store(work) as st, pytest.raises(ValidationFailed) as info:
        load_files(st, [ok, f])
    text = str(info.value)
    assert "acme-1" in text and "numberOfEmployees" in text
    assert _count(str(work)) == before


@pytest.mark.parametrize(
    ("name", "content", "fmt", "error", "fragment"),
    [
        ("broken.ttl", "@prefix ex: <http://e/> . ex:a ex:b", "auto", UnreadableInput, "broken.ttl: not valid ttl"),
        ("data.xyz", "x", "auto", UnknownFormat, ".xyz"),
        ("data.ttl", "x", "yaml", UnknownFormat, "'yaml'"),
        ("evil.rdf", '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "auto", UnreadableInput, "ENTITY"),
        ("remote.jsonld", '{"@context": "https://schema.org/", "@id": "http://e/a", "name": "x"}', "auto",
         UnreadableInput, "remote JSON-LD context"),
        ("latin1.ttl", None, "auto", UnreadableInput, "not UTF-8"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path, name, content, fmt, error, fragment):
    p = tmp_path / name
    if content is None:
        p.write_bytes('<http://e/a> <http://e/b> "Gr\xfc\xdfe" .'.encode("latin-1"))
    else:
        p.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=fragment.replace(".", r"\.").replace("(", r"\(")):
        read_file(p, fmt)


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableInput, match="no such file"):
        read_file(tmp_path / "nope.ttl")


def test_bad_graph_name_is_rejected_before_anything(fresh_store_dir, tmp_path):
    f = _write(tmp_path, "a.ttl", "<http://e/a> <http://e/b> <http://e/c> .")
    with open_store(fresh_store_dir) as st, pytest.raises(InvalidKey, match="graph name"):
        load_files(st, [f], graph="Bad Name!")


INJECTION = (
    '<http://ex/a> <http://ex/p> "x"^^<http://ex/dt\\u003E\\u0020\\u007D\\u0020\\u007D\\u0020;\\u0020'
    "DROP\\u0020SILENT\\u0020GRAPH\\u0020\\u003Chttps://w3id.org/regiomatch/graph/centres/st\\u003E"
    "\\u0020;\\u0020INSERT\\u0020DATA\\u0020{\\u0020GRAPH\\u0020\\u003Chttp://ex/g\\u003E\\u0020{\\u0020"
    "\\u003Chttp://ex/a\\u003E\\u0020\\u003Chttp://ex/p\\u003E\\u0020\\u003Chttp://ex/dt> .\n"
)


@pytest.mark.parametrize(
    "content",
    [INJECTION, '<http://ex/a\\u003E> <http://ex/p> "x" .\n', '<http://ex/a\\u0020b> <http://ex/p> "x" .\n'],
    ids=["datatype-injection", "iri-with-gt", "iri-with-space"],
)
def test_iris_that_could_escape_an_update_are_refused(default_store_dir, tmp_path, content):
    import shutil

    work = tmp_path / "store"
    shutil.copytree(default_store_dir, work)
    before = _count(str(work))
    f = _write(tmp_path, "inject.ttl", content)
    with open_store(work) as st, pytest.raises(UnreadableInput, match="invalid (datatype )?IRI"):
        load_files(st, [f])
    assert _count(str(work)) == before


def test_json_ld_import_is_refused(tmp_path):
    f = _write(tmp_path, "imp.jsonld", '{"@context": {"@import": "http://127.0.0.1:9/ctx"}, "@id": "http://e/a"}')
    with pytest.raises(UnreadableInput, match="@import|imports the JSON-LD context"):
        read_file(f)


def test_directory_is_not_a_regular_file(tmp_path):
    with pytest.raises(UnreadableInput, match="not a regular file"):
        read_file(tmp_path)
