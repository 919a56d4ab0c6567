"""Network access and runaway queries (issue 6): no SERVICE call leaves the machine,
every query has a time and a row limit, syntax errors point into the user's query."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from typer.testing import CliRunner

from graph.errors import InvalidInput, LimitExceeded
from graph.namespaces import PREFIXES
from graph.store import QueryLimits, run_query
from service.cli import app

runner = CliRunner()


class _Listener:
    """A loopback TCP listener that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(65536) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHELLO")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener():
    lst = _Listener()
    yield lst
    lst.close()


def test_listener_sees_a_real_connection(listener):
    # the check below is only meaningful if the listener notices a client
    with socket.create_connection(("127.0.0.1", listener.port)) as c:
        c.sendall(b"ping")
    deadline = time.monotonic() + 2
    while not listener.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.received == [b"ping"]


def test_no_service_query_reaches_the_network(default_store_dir, listener):
    url = f"http://127.0.0.1:{listener.port}"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE<{url}/x>{{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}/> SELECT * WHERE {{ SERVICE :x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a a rm:State OPTIONAL {{ SERVICE SILENT <{url}/> {{ ?a ?p ?o }} }} }}",
        f"select * {{ ?a a rm:State . {{ service   silent\n<{url}/y> {{ ?a ?p ?o }} }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}/> {{ ?s ?p ?o }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}/> {{ ?s ?p ?o }} }} }}",
    ]
    for q in queries:
        res = runner.invoke(app, ["sparql", q, "--store", default_store_dir])
        assert res.exit_code == 2, (q, res.output)
        assert "SERVICE are refused" in res.stderr, q
        assert "HELLO" not in res.output
    time.sleep(0.3)
    assert listener.received == []


def test_a_runaway_query_is_stopped_at_the_time_limit(default_store_dir):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a a rm:Municipality . ?b a rm:Municipality . ?c a rm:Municipality }"
    t0 = time.monotonic()
    res = runner.invoke(app, ["sparql", q, "--store", default_store_dir, "--timeout", "2"])
    assert time.monotonic() - t0 < 15
    assert res.exit_code == 2
    assert "time limit of 2 s" in res.stderr and "--timeout" in res.stderr


def test_too_many_rows_is_an_error_not_a_cut(default_store_dir):
    q = "SELECT ?r WHERE { ?r a rm:District }"
    res = runner.invoke(app, ["sparql", q, "--store", default_store_dir, "--limit", "399"])
    assert res.exit_code == 2 and "row limit of 399 rows" in res.stderr and "--limit" in res.stderr
    res = runner.invoke(app, ["sparql", q, "--store", default_store_dir, "--limit", "400", "--format", "csv"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 401


def test_construct_counts_triples_against_the_limit(default_store_dir):
    q = "CONSTRUCT WHERE { ?r a rm:State }"
    with pytest.raises(LimitExceeded, match="row limit of 15"):
        run_query(default_store_dir, q, limits=QueryLimits(rows=15), prefixes=PREFIXES)
    kind, g = run_query(default_store_dir, q, limits=QueryLimits(rows=16), prefixes=PREFIXES)
    assert kind == "graph" and len(g) == 16


def test_run_query_serialises_for_an_endpoint(default_store_dir):
    res = run_query(default_store_dir, "SELECT ?r WHERE { ?r a rm:State }", prefixes=PREFIXES, fmt="csv")
    assert res.media_type == "text/csv" and res.data.count(b"\n") == 17
    res = run_query(default_store_dir, "ASK { ?r a rm:State }", prefixes=PREFIXES, fmt="json")
    assert b'"boolean":true' in res.data
    res = run_query(default_store_dir, "CONSTRUCT WHERE { ?r a rm:State }", prefixes=PREFIXES, fmt="json")
    assert res.media_type == "text/turtle" and res.data.count(b"State") == 16


def test_limits_must_be_positive():
    with pytest.raises(InvalidInput, match="time limit"):
        QueryLimits(timeout=0)
    with pytest.raises(InvalidInput, match="row limit"):
        QueryLimits(rows=0)


def test_syntax_error_points_into_the_users_query(default_store_dir):
    res = runner.invoke(app, ["sparql", "SELECT * WHERE { ?s ?p ?o ", "--store", default_store_dir])
    assert res.exit_code == 2
    assert "line 1, column 27" in res.stderr  # not line 15: the prefix block is not counted
    assert "SELECT * WHERE { ?s ?p ?o" in res.stderr


def test_undeclared_prefix_is_named(default_store_dir):
    res = runner.invoke(app, ["sparql", "SELECT * WHERE {\n  ?s foo:bar ?o }", "--store", default_store_dir])
    assert res.exit_code == 2
    assert "undeclared prefix 'foo:' at line 2, column 6" in res.stderr
    assert "PREFIX foo:" in res.stderr and "rm:" in res.stderr
    assert "\\u{00B7}" not in res.stderr  # no grammar dump
