"""``GET /gaps/report``: the HTML gap report over HTTP, the page ``regiomatch gaps --html`` writes."""

from __future__ import annotations

import re
from html import escape

from service.report_html import ATTRIBUTION

# an attribute or CSS rule that makes a browser fetch something from elsewhere
_EXTERNAL = re.compile(r"""(?:\b(?:src|href|srcset|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//)"""
                       r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|@import""", re.IGNORECASE)


def test_gaps_report_is_the_self_contained_page_the_cli_writes(client, api_store, tmp_path):
    from typer.testing import CliRunner

    from service.cli import app

    r = client.get("/gaps/report", params={"region": "15"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["cache-control"].startswith("public") and r.headers["etag"]
    page = r.text
    assert page.startswith("<!DOCTYPE html>") and "Sachsen-Anhalt" in page
    assert page.count("<svg") == 4 and "<path d=" in page  # two maps, the gap bars, the network
    assert all(escape(line) in page for line in ATTRIBUTION)
    assert "© GeoBasis-DE / BKG 2021" in page
    assert "<script" not in page.lower() and "<link" not in page.lower() and "<img" not in page.lower()
    assert not _EXTERNAL.search(page), _EXTERNAL.search(page)

    out = tmp_path / "gaps.html"
    res = CliRunner().invoke(app, ["gaps", "--region", "15", "--html", str(out), "--store", api_store])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8") == page

    browser = client.get("/gaps/report", params={"region": "15"}, headers={"Accept": "text/html"})
    assert browser.status_code == 200 and browser.headers["etag"] == r.headers["etag"]  # not the /gaps web page
    again = client.get("/gaps/report", params={"region": "15"}, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content


def test_gaps_report_for_one_topic_differs_from_all_topics(client):
    everything = client.get("/gaps/report", params={"region": "15"})
    topic = client.get("/gaps", params={"region": "15"}).json()["topics"][0]
    one = client.get("/gaps/report", params={"region": "15", "topic": topic["topic"]})
    assert one.status_code == 200 and one.headers["etag"] != everything.headers["etag"]
    assert escape(f"topic “{topic['label']}”") in one.text


def test_gaps_report_errors_are_the_api_error_shape(client, assert_error):
    err = assert_error(client.get("/gaps/report", params={"region": "99999999"}), 404)
    assert "99999999" in err["message"]
    err = assert_error(client.get("/gaps/report", params={"topic": "quantenschaum"}), 422)
    assert "quantenschaum" in err["message"]
    assert_error(client.get("/gaps/report", params={"region": "1" * 9}), 422)
