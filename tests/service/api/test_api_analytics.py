"""Network analytics over HTTP: the documents ``regiomatch peers|partners|gaps --json`` print."""

from __future__ import annotations

import json


def _cli(args):
    from typer.testing import CliRunner

    from service.cli import app

    r = CliRunner().invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_peers_partners_and_gaps_are_the_cli_documents(client, api_store):
    peers = client.get("/regions/15083270/peers", params={"k": 3})
    assert peers.status_code == 200 and len(peers.json()["peers"]) == 3
    assert peers.json() == _cli(["peers", "15083270", "-k", "3", "--store", api_store])
    partners = client.get("/centres/edihcat-260/partners", params={"k": 3, "mode": "complementary"})
    assert partners.json() == _cli(["partners", "edihcat-260", "-k", "3", "--mode", "complementary", "--store", api_store])
    gaps = client.get("/gaps", params={"region": "15"})
    assert gaps.status_code == 200 and gaps.json() == _cli(["gaps", "--region", "15", "--store", api_store])


def test_analytics_errors(client, assert_error):
    assert_error(client.get("/regions/99999999/peers"), 404)
    assert_error(client.get("/centres/nope/partners"), 404)
    assert_error(client.get("/gaps", params={"topic": "quantenschaum"}), 422)
