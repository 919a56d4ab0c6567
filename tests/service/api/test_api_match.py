"""``POST /match`` (the CLI's --json document), ``/match/batch`` and the rate limit."""

from __future__ import annotations

import json

NEED = {"text": "Wir wollen unsere IT-Sicherheit verbessern", "municipality": "15083270", "sector": "C25", "k": 3}


def test_match_answers_the_same_document_as_the_cli(client, api_store):
    from typer.testing import CliRunner

    from service.cli import app

    r = client.post("/match", json=NEED)
    assert r.status_code == 200
    cli = CliRunner().invoke(
        app,
        ["match", NEED["text"], "--municipality", "15083270", "--sector", "C25", "-k", "3",
         "--encoder", "hashing", "--store", api_store, "--json"],
        env={"REGIOMATCH_CACHE_DIR": str(client.app.state.rm.settings.cache_dir)},
    )
    assert cli.exit_code == 0, cli.output
    assert r.json() == json.loads(cli.stdout)
    assert len(r.json()["matches"]) == 3  # ranking quality is not judged with the hashing fake
    assert all(m["reasons"] for m in r.json()["matches"])


def test_match_refuses_bad_input_with_clear_messages(client, assert_error):
    assert "empty" in assert_error(client.post("/match", json={"text": " "}), 422, "invalid_input")["message"]
    err = assert_error(client.post("/match", json={"text": "KI", "municipality": "99999999"}), 404, "not_found")
    assert "99999999" in err["message"]
    err = assert_error(client.post("/match", json={"text": "KI", "k": 1000}), 422, "invalid_request")
    assert err["details"][0]["location"] == "body.k"
    assert_error(client.post("/match", json={"text": "KI", "colour": "red"}), 422, "invalid_request")
    assert_error(client.post("/match", content=b"{not json", headers={"content-type": "application/json"}), 422)


def test_batch_streams_one_line_per_input_line(client):
    lines = [
        json.dumps({"id": "a", "text": "IT-Sicherheit", "municipality": "15083270"}),
        "",
        json.dumps({"id": "b", "text": ""}),
        "this is not json",
        json.dumps({"text": "Cloud", "colour": "red"}),
    ]
    r = client.post("/match/batch?k=2", content="\n".join(lines).encode(), headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(line) for line in r.text.splitlines()]
    assert [o["line"] for o in out] == [1, 3, 4, 5]
    assert out[0]["id"] == "a" and len(out[0]["matches"]) == 2
    assert "empty" in out[1]["error"] and "JSON" in out[2]["error"] and "colour" in out[3]["error"]


def test_rate_limit_answers_429_with_retry_after(client, state, assert_error):
    from service.api.ratelimit import RateLimiter

    saved = state.limiter
    state.limiter = RateLimiter(6)  # bursts of 5
    try:
        codes = [client.post("/match", json={"text": "KI", "k": 1}).status_code for _ in range(7)]
        assert codes[:5] == [200] * 5 and codes[-1] == 429
        r = client.post("/match", json={"text": "KI", "k": 1})
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["retry-after"]) >= 1
        assert client.get("/regions/15").status_code == 200  # reads are not limited
    finally:
        state.limiter = saved


def test_body_size_limit(client, state, assert_error):
    r = client.post("/match", content=b'{"text": "' + b"x" * (state.settings.max_body_bytes + 10) + b'"}',
                    headers={"content-type": "application/json"})
    assert_error(r, 413, "body_too_large")
