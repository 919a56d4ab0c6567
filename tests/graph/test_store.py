"""The store: persistence, atomic graph writes, queries, export, remote endpoint."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.errors import InvalidInput, StoreError, UnknownFormat
from graph.store import open_store

G1 = URIRef("https://w3id.org/regiomatch/graph/test")
DATA = """
@prefix ex: <http://example.org/> .
ex:a ex:name "Äpfel"@de ; ex:n 5 ; ex:knows ex:b .
ex:b ex:name "b" .
"""


def _graph(data: str = DATA) -> Graph:
    return Graph().parse(data=data, format="turtle")


def test_data_survives_reopening(tmp_path):
    with open_store(tmp_path / "s") as st:
        st.put_graph(G1, _graph(), replace=False)
    with open_store(tmp_path / "s", read_only=True) as st:
        rows = st.select("SELECT ?o WHERE { <http://example.org/a> <http://example.org/name> ?o }")
        assert rows == [{"o": Literal("Äpfel", lang="de")}]
        assert st.named_graphs() == [str(G1)]


def test_replace_swaps_graph_content(tmp_path):
    with open_store(tmp_path / "s") as st:
        st.put_graph(G1, _graph(), replace=False)
        st.put_graph(G1, _graph('<http://x/1> <http://x/p> "new" .'), replace=True)
        rows = st.select("SELECT * WHERE { ?s ?p ?o }")
        assert len(rows) == 1 and rows[0]["o"] == Literal("new")


def test_failed_update_writes_nothing(tmp_path):
    with open_store(tmp_path / "s") as st:
        st.put_graph(G1, _graph(), replace=False)
        with pytest.raises(InvalidInput):
            st.update(f"DROP GRAPH <{G1}> ; INSERT DATA {{ this is not sparql }}")
        assert len(st.select("SELECT * WHERE { ?s ?p ?o }")) == 4


def test_export_roundtrips(tmp_path):
    with open_store(tmp_path / "s") as st:
        st.put_graph(G1, _graph(), replace=False)
        for fmt in ("ttl", "nt", "jsonld"):
            back = Graph().parse(data=st.export(fmt, G1), format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
            assert isomorphic(back, _graph()), fmt
        assert b"<https://w3id.org/regiomatch/graph/test>" in st.export("nq")
        with pytest.raises(UnknownFormat, match="'xls'.*ttl"):
            st.export("xls")


def test_bad_query_is_invalid_input(tmp_path):
    with open_store(tmp_path / "s") as st:
        with pytest.raises(InvalidInput, match="SPARQL"):
            st.select("SELEKT nothing")
        with pytest.raises(InvalidInput, match="not a SPARQL query"):
            st.raw_query("hello")


def test_read_only_missing_store_says_run_init(tmp_path):
    with pytest.raises(StoreError, match="regiomatch init"):
        open_store(tmp_path / "nothing", read_only=True)


class _Endpoint(BaseHTTPRequestHandler):
    """A SPARQL 1.1 protocol endpoint over an embedded store, for the remote backend."""

    store = None

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if "update" in form:
            self.store.update(form["update"])
            self.send_response(204)
            self.end_headers()
            return
        # the store serialises the result itself, as an HTTP SPARQL endpoint does
        res = self.store.query(form["query"], fmt="json", graph_fmt="nt")
        self.send_response(200)
        self.send_header("Content-Type", res.media_type)
        self.send_header("Content-Length", str(len(res.data)))
        self.end_headers()
        self.wfile.write(res.data)

    def log_message(self, *args):
        pass


def test_remote_sparql_endpoint_speaks_the_same(tmp_path):
    backing = open_store(tmp_path / "backing")
    _Endpoint.store = backing
    server = HTTPServer(("127.0.0.1", 0), _Endpoint)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        remote = open_store(f"http://127.0.0.1:{server.server_port}/sparql")
        remote.put_graph(G1, _graph(), replace=False)
        assert remote.named_graphs() == [str(G1)]
        rows = remote.select("SELECT ?o WHERE { <http://example.org/a> <http://example.org/n> ?o }")
        assert int(rows[0]["o"]) == 5
        assert isomorphic(Graph().parse(data=remote.export("nt", G1), format="nt"), _graph())
        remote.close()
    finally:
        server.shutdown()
        backing.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent ?endpoint { ?s ?p ?o } }",
        # no space after the keyword, a prefixed name, nested in OPTIONAL: all found in the parse
        "SELECT * WHERE { SERVICE<http://127.0.0.1:9/x>{ ?s ?p ?o } }",
        "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { ?a ?b ?c SERVICE :x { ?s ?p ?o } }",
        "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        # right after punctuation, and next to a name that merely contains the word
        "SELECT * WHERE { ?a ?b ?c .SERVICE<http://127.0.0.1:9/x>{ ?s ?p ?o } }",
        "PREFIX rm: <http://x/> SELECT * WHERE { ?c rm:hasService ?e }SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
        "SELECT * WHERE { ?a ?b 1 SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        # SPARQL applies \\u escapes before parsing
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    ],
)
def test_service_queries_are_refused(tmp_path, query):
    with open_store(tmp_path / "s") as st, pytest.raises(InvalidInput, match="SERVICE"):
        st.select(query)


def test_a_name_containing_service_is_no_keyword(tmp_path, monkeypatch):
    """``rm:hasService`` in every centre query must not send it through rdflib's slow SPARQL parser."""
    import graph.store.safety as safety

    calls = []
    monkeypatch.setattr(safety, "_parse", lambda parser, text: calls.append(text))
    q = ("PREFIX rm: <http://x/> SELECT ?e WHERE { VALUES ?s { <http://x/scheme/service> } "
         "?c rm:hasService ?e ; rm:serviceLevel ?l ; rm:Services ?s }")
    assert safety.check_query(q) == "select"
    assert calls == []


def test_the_word_service_elsewhere_is_fine(tmp_path):
    with open_store(tmp_path / "s") as st:
        st.put_graph(G1, _graph('<http://x/concept/service/a> <http://x/p> "SERVICE <x>" .'), replace=False)
        q = 'PREFIX c: <http://x/concept/> SELECT ?o WHERE { <http://x/concept/service/a> ?p ?o FILTER(?o != "service") }'
        assert len(st.select(q)) == 1


def test_put_graph_refuses_malformed_iris(tmp_path):
    g = Graph()
    g.add((URIRef("http://ex/a> } ; DROP ALL ; INSERT DATA { <http://ex/b"), URIRef("http://ex/p"), Literal("x")))
    with open_store(tmp_path / "s") as st:
        with pytest.raises(InvalidInput, match="invalid IRI"):
            st.put_graph(G1, g, replace=False)
        assert st.named_graphs() == []


def test_service_in_an_update_is_refused(tmp_path):
    with open_store(tmp_path / "s") as st, pytest.raises(InvalidInput, match="SERVICE"):
        st.update("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


@pytest.mark.parametrize(
    ("query", "fmt", "media_type", "expected"),
    [
        ("SELECT ?o WHERE { <http://example.org/b> ?p ?o }", "json", "application/sparql-results+json", b'"value":"b"'),
        ("SELECT ?o WHERE { <http://example.org/b> ?p ?o }", "csv", "text/csv", b"o\r\nb"),
        ("SELECT ?o WHERE { <http://example.org/b> ?p ?o }", "tsv", "text/tab-separated-values", b'?o\n"b"'),
        ("SELECT ?o WHERE { <http://example.org/b> ?p ?o }", "xml", "application/sparql-results+xml", b"<literal>b</literal>"),
        ("ASK { <http://example.org/b> ?p ?o }", "json", "application/sparql-results+json", b'"boolean":true'),
        ("CONSTRUCT WHERE { <http://example.org/b> ?p ?o }", "json", "text/turtle", b'<http://example.org/b> <http://example.org/name> "b"'),
    ],
)
def test_query_returns_serialised_results(tmp_path, query, fmt, media_type, expected):
    with open_store(tmp_path / "s") as st:
        st.put_graph(G1, _graph(), replace=False)
        res = st.query(query, fmt=fmt)
    assert res.media_type == media_type
    assert expected in res.data


def test_unknown_result_format_names_the_choices(tmp_path):
    with open_store(tmp_path / "s") as st, pytest.raises(InvalidInput, match="'yaml'.*json, xml, csv, tsv"):
        st.query("ASK {}", fmt="yaml")


def test_remote_store_takes_its_client_and_update_url():
    import httpx

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        seen.append((str(request.url), sorted(form)))
        if "update" in form:
            return httpx.Response(204)
        body = b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"literal","value":"x","xml:lang":"de"}}]}}'
        return httpx.Response(200, content=body, headers={"Content-Type": "application/sparql-results+json"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    st = open_store("http://sparql.test/query", update_url="http://sparql.test/update", client=client)
    assert st.select("SELECT ?o WHERE { ?s ?p ?o }") == [{"o": Literal("x", lang="de")}]
    st.put_graph(G1, _graph(), replace=True)
    st.close()
    assert seen == [("http://sparql.test/query", ["query"]), ("http://sparql.test/update", ["update"])]
    assert not client.is_closed  # the caller's client stays the caller's
    client.close()


def test_query_dataset_sees_only_the_graphs_given(tmp_path):
    secret = URIRef("https://w3id.org/regiomatch/graph/secret")
    with open_store(tmp_path / "s") as st:
        st.put_graph(G1, _graph(), replace=False)
        st.put_graph(secret, _graph('<http://x/s> <http://x/p> "hidden" .'), replace=False)

        def values(query: str, default: list[str], named: list[str]) -> set[str]:
            return {t.value for sol in st.query_dataset(query, default_graphs=default, named_graphs=named)
                    for t in sol if t is not None}

        assert "hidden" in values("SELECT ?o WHERE { ?s ?p ?o }", [str(secret)], [])
        # FROM / FROM NAMED / GRAPH ?g cannot reach a graph outside the dataset given
        for q in (f"SELECT ?o FROM <{secret}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT ?o FROM NAMED <{secret}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                  "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
            seen = values(q, [str(G1)], [str(G1)])
            assert "hidden" not in seen and seen, q
        with pytest.raises(InvalidInput, match="not an iri"):
            st.query_dataset("ASK {}", default_graphs=["not an iri"], named_graphs=[])
        with pytest.raises(InvalidInput, match="SERVICE"):
            st.query_dataset("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                             default_graphs=[], named_graphs=[])
    with pytest.raises(StoreError, match="closed"):
        st.query_dataset("ASK {}", default_graphs=[], named_graphs=[])
