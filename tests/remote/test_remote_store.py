"""The remote backend against a real Oxigraph server, compared with the embedded store built alike."""

from __future__ import annotations

import json

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from graph import iris
from graph.errors import InvalidInput, StoreError
from graph.store import open_store

COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def remote(remote_default):
    st = open_store(remote_default.query_url, update_url=remote_default.update_url)
    yield st
    st.close()


def _counts(store) -> dict[str, int]:
    return {str(r["g"]): int(r["n"]) for r in store.select(COUNT_PER_GRAPH)}


def test_init_writes_the_same_graphs_as_the_embedded_build(remote, default_store):
    counts = _counts(remote)
    assert counts == _counts(default_store)
    assert {"regions", "indicators", "companies/synthetic", "provenance"} <= {iris.graph_name(g) for g in counts}
    assert remote.named_graphs() == default_store.named_graphs()


def test_views_read_the_same(remote, default_store):
    from graph.views import stats
    from service.records_view import find_record

    assert stats(remote) == stats(default_store)
    for key in ("15083270", "15083", "st-rdz-haldensleben", "sme-000001"):
        assert find_record(remote, key) == find_record(default_store, key), key


def test_union_default_graph_is_queried(remote):
    # regions and centres live in different named graphs; a join across them needs the union
    q = """PREFIX schema: <https://schema.org/> PREFIX rm: <https://w3id.org/regiomatch/ontology#>
    ASK { ?c a rm:Centre ; schema:location ?m . ?m a rm:Municipality }"""
    assert remote.ask(q) is True


def test_select_ask_construct_match_embedded(remote, default_store):
    sel = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } ORDER BY ?s ?l LIMIT 50"
    assert remote.select(sel) == default_store.select(sel)
    ask = "ASK { ?s a <https://w3id.org/regiomatch/ontology#Company> }"
    assert remote.ask(ask) is default_store.ask(ask) is True
    con = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/regiomatch/graph/centres/st> { ?s ?p ?o } }"
    got = remote.construct(con)
    assert len(got) == 186 and isomorphic(got, default_store.construct(con))


def test_serialised_results_pass_through(remote):
    res = remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/regiomatch/ontology#State> }", fmt="json")
    assert res.kind == "select" and res.media_type == "application/sparql-results+json"
    assert json.loads(res.data)["results"]["bindings"][0]["n"]["value"] == "16"
    csv = remote.query("SELECT ?x WHERE { VALUES ?x { 1 } }", fmt="csv")
    assert csv.data.decode().split() == ["x", "1"]
    ttl = remote.query("CONSTRUCT { <http://e/a> <http://e/b> 1 } WHERE {}", fmt="json", graph_fmt="ttl")
    assert ttl.kind == "graph" and len(Graph().parse(data=ttl.data, format="turtle")) == 1


def test_service_is_refused_before_reaching_the_server(remote_default):
    seen: list[str] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(500)

    st = open_store(remote_default.query_url, client=httpx.Client(transport=httpx.MockTransport(spy)))
    with pytest.raises(InvalidInput, match="SERVICE"):
        st.select("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    with pytest.raises(InvalidInput, match="SERVICE"):
        st.update("INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    assert seen == []


def test_export_of_a_graph_is_byte_for_byte_the_embedded_one(remote, default_store):
    # nq and trig of one graph used to crash in rdflib ('NQuads serialization only makes sense for
    # context-aware stores'), and Turtle wrote decimals as 3600000.0 where the embedded store keeps 3600000
    name = iris.named_graph("centres/st")
    for fmt in ("ttl", "nt", "nq", "trig", "jsonld"):
        assert remote.export(fmt, name) == default_store.export(fmt, name), fmt
    assert len(Graph().parse(data=remote.export("ttl", name), format="turtle")) == 186


def test_syntax_error_is_invalid_input(remote):
    with pytest.raises(InvalidInput, match="rejected"):
        remote.select("SELECT ?s WHERE { ?s ?p }")


def test_replace_swaps_a_graph_with_its_provenance(remote_bare):
    st = open_store(remote_bare.query_url, update_url=remote_bare.update_url)
    name, prov = iris.named_graph("imports/t"), iris.named_graph("provenance")
    old, new = Graph(), Graph()
    old.add((URIRef("http://e/a"), RDFS.label, Literal("old")))
    new.add((URIRef("http://e/b"), RDFS.label, Literal("new")))

    def record(text: str) -> Graph:
        g = Graph()
        g.add((name, RDFS.comment, Literal(text)))
        return g

    st.put_graph(name, old, replace=False, provenance=record("v1"), provenance_graph=prov)
    st.put_graph(name, new, replace=True, provenance=record("v2"), provenance_graph=prov)
    assert isomorphic(Graph().parse(data=st.export("nt", name), format="nt"), new)
    rows = st.select(f"SELECT ?c WHERE {{ GRAPH <{prov}> {{ <{name}> <{RDFS.comment}> ?c }} }}")
    assert [str(r["c"]) for r in rows] == ["v2"]
    st.close()


def test_update_at_the_query_url_names_the_update_setting(remote_bare):
    # Oxigraph takes updates at /update only; sending them to /query used to fail with
    # the server's bare 'The URL query parameter query must be set'
    st = open_store(remote_bare.query_url)
    with pytest.raises(InvalidInput, match="REGIOMATCH_UPDATE_URL"):
        st.drop_graph(iris.named_graph("schemes"))
    st.close()


def test_update_timeout_is_named_as_such():
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    st = open_store("http://127.0.0.1:9/query", client=httpx.Client(transport=httpx.MockTransport(slow)))
    with pytest.raises(StoreError, match=r"did not answer the update within 1800 s .* may still complete"):
        st.drop_graph(iris.named_graph("x"))
    with pytest.raises(StoreError, match=r"did not answer the query within 60 s"):
        st.ask("ASK {}")


def test_bulk_load_replaces_each_graph_and_writes_provenance_last(remote_bare):
    st = open_store(remote_bare.query_url, update_url=remote_bare.update_url)
    a, prov = "https://w3id.org/regiomatch/graph/a", "https://w3id.org/regiomatch/graph/provenance"
    st.bulk_load(f"<http://e/old> <http://e/p> \"1\" <{a}> .\n".encode())
    nq = (
        f'<{a}> <http://e/p> "first" <{prov}> .\n'
        f"<http://e/s> <http://e/p> \"2\" <{a}> .\n"
        f'<{a}> <http://e/p> "second" <{prov}> .\n'
    )
    st.bulk_load(nq.encode())
    assert st.select(f"SELECT ?s WHERE {{ GRAPH <{a}> {{ ?s ?p ?o }} }}") == [{"s": URIRef("http://e/s")}]
    rows = st.select(f"SELECT ?o WHERE {{ GRAPH <{prov}> {{ ?s ?p ?o }} }} ORDER BY ?o")
    assert [str(r["o"]) for r in rows] == ["first", "second"]
    with pytest.raises(InvalidInput, match="named graphs only"):
        st.bulk_load(b"<http://e/s> <http://e/p> \"3\" .\n")
    with pytest.raises(InvalidInput, match="invalid N-Quads"):
        st.bulk_load(b"<http://e/s> <http://e/p> <bad iri> <http://e/g> .\n")
    st.close()


def test_whole_export_is_the_embedded_dataset(remote, default_store):
    # used to build rdflib terms for every row of one huge SELECT (minutes); now graph by graph
    assert sorted(remote.export("nq").splitlines()) == sorted(default_store.export("nq").splitlines())


def test_named_graphs_lists_only_graphs_with_triples(remote_bare):
    st = open_store(remote_bare.query_url, update_url=remote_bare.update_url)
    before = st.named_graphs()
    st.update("INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> <http://e/o> } }")
    assert st.named_graphs() == sorted([*before, "http://e/g"])
    st.update("CLEAR GRAPH <http://e/g>")  # Oxigraph keeps the emptied graph's name
    assert st.named_graphs() == before
    st.close()


def test_an_update_failing_half_way_changes_nothing(remote_bare):
    # what the per-graph atomicity of put_graph/bulk_load relies on: the server runs one
    # update request in one transaction
    st = open_store(remote_bare.query_url, update_url=remote_bare.update_url)
    schemes = iris.named_graph("schemes")
    before = _counts(st)
    with pytest.raises(StoreError):
        st.update(
            f"DROP GRAPH <{schemes}> ; INSERT DATA {{ GRAPH <{schemes}> {{ <http://e/s> <http://e/p> 1 }} }} ;"
            " DROP GRAPH <http://e/no-such-graph>"
        )
    assert _counts(st) == before
    st.close()
