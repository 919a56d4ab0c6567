"""The pages over HTTP against the running server: bad input, 404s, languages, suggestions, CSV."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


def get(server_url: str, path: str, accept_language: str = "de", **params):
    headers = dict(HTML, **{"Accept-Language": accept_language})
    return httpx.get(server_url + path, params=params, headers=headers, timeout=120)


def test_empty_need_gets_a_helpful_message(server_url):
    r = get(server_url, "/", need="", municipality="Haldensleben")
    assert r.status_code == 200
    assert "Bitte beschreiben Sie Ihren Bedarf" in r.text
    assert 'class="matches"' not in r.text


def test_the_form_posts_and_lands_on_a_shareable_link(server_url):
    r = httpx.post(server_url + "/", data={"need": "IT-Sicherheit", "municipality": "Haldensleben", "sector": ""},
                   headers=HTML, timeout=60)
    assert r.status_code == 303
    assert r.headers["location"] == "/?need=IT-Sicherheit&municipality=Haldensleben"


def test_a_pasted_100000_character_need_is_refused_politely(server_url):
    r = httpx.post(server_url + "/", data={"need": "x" * 100_000, "municipality": "Haldensleben"},
                   headers=dict(HTML, **{"Accept-Language": "en"}), timeout=60)
    assert r.status_code == 200
    assert "Your text has 100,000 characters; please shorten it to at most 10,000 characters." in r.text
    assert 'class="matches"' not in r.text
    assert len(r.content) < 500_000


def test_unknown_municipality_names_what_was_typed_and_suggests(server_url):
    r = get(server_url, "/", need="IT-Sicherheit", municipality="Haldenslebn")
    assert "Wir kennen keine Gemeinde namens „Haldenslebn“" in r.text
    assert "Haldensleben (Börde)" in r.text  # did you mean
    assert 'class="matches"' not in r.text


def test_unknown_sector_is_named(server_url):
    r = get(server_url, "/", "en", need="IT security", sector="basket weaving on the moon")
    assert "We know no sector “basket weaving on the moon”" in r.text


def test_halle_means_halle_saale_and_says_which_others_exist(server_url):
    r = get(server_url, "/", need="Künstliche Intelligenz", municipality="Halle")
    assert "Halle (Saale)" in r.text and 'class="matches"' in r.text
    assert "Wir haben Halle (Saale) genommen" in r.text and "Halle (Westf.)" in r.text


def test_nonsense_need_still_ranks_but_says_why(server_url):
    r = get(server_url, "/", need="qwertzuiop asdfghjkl", municipality="15083270")
    assert 'class="matches"' in r.text
    assert "kein bekanntes Digitalisierungsthema erkannt" in r.text


@pytest.mark.parametrize(("path", "lang", "words"), [
    ("/centres/no-such-centre", "de", "Es gibt kein Zentrum mit der Kennung „no-such-centre“"),
    ("/centres/no-such-centre", "en", "There is no centre with the id “no-such-centre”"),
    ("/regions/99999999", "de", "Es gibt keine Region mit dem Gemeindeschlüssel „99999999“"),
    ("/regions/99999999", "en", "There is no region with the AGS “99999999”"),
])
def test_unknown_centre_or_region_is_a_friendly_404_in_the_language(server_url, path, lang, words):
    r = get(server_url, path, lang)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert words in r.text
    assert f'<html lang="{lang}">' in r.text


def test_pages_and_json_share_urls(server_url):
    page = get(server_url, "/centres/st-rdz-haldensleben")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    data = httpx.get(server_url + "/centres/st-rdz-haldensleben", headers={"Accept": "application/json"}, timeout=30)
    assert not data.headers.get("content-type", "").startswith("text/html")


def test_language_cookie_is_set_by_the_switch(server_url):
    r = get(server_url, "/", "de", lang="en")
    assert '<html lang="en">' in r.text
    assert "regiomatch_lang=en" in r.headers["set-cookie"]
    again = httpx.get(server_url + "/search", headers=HTML, cookies={"regiomatch_lang": "en"}, timeout=30)
    assert '<html lang="en">' in again.text


@pytest.mark.parametrize(("q", "first"), [
    ("Halle", "Halle (Saale)"),
    ("haldensl", "Haldensleben (Börde)"),
    ("Muenchen", "München"),
    ("Gröningen", "Gröningen (Börde)"),
])
def test_place_suggestions_fold_umlauts_and_prefer_the_big_place(server_url, q, first):
    items = httpx.get(server_url + "/web/suggest", params={"q": q}, timeout=30).json()["items"]
    assert items and items[0]["value"] == first


def test_sector_suggestions_find_german_and_english_names(server_url):
    de = httpx.get(server_url + "/web/suggest", params={"q": "Metallerzeugnisse", "kind": "sector"}, timeout=30).json()
    en = httpx.get(server_url + "/web/suggest", params={"q": "fabricated metal", "kind": "sector", "lang": "en"},
                   timeout=30).json()
    assert de["items"][0]["key"] == "25" and en["items"][0]["key"] == "25"
    r = get(server_url, "/", need="Schweißroboter", sector=de["items"][0]["value"], municipality="15083270")
    assert 'class="matches"' in r.text and "Wir kennen keine Branche" not in r.text


def test_search_finds_regions_centres_and_topics(server_url):
    r = get(server_url, "/search", q="Haldensleben")
    assert 'href="/regions/15083270"' in r.text and 'href="/centres/st-rdz-haldensleben"' in r.text
    t = get(server_url, "/search", "en", q="Cybersecurity")
    assert "/?topic=cybersecurity" in t.text


def test_gaps_csv_matches_the_table_on_the_page(server_url):
    page = get(server_url, "/gaps", region="15")
    if "table-top_gaps" not in page.text:
        pytest.skip("this build has no gap analysis (matching.gaps)")
    r = httpx.get(server_url + "/web/gaps.csv", params={"table": "top_gaps", "region": "15"}, timeout=120)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["district_ags", "district", "topic"]
    shown = page.text.split('id="table-top_gaps"', 1)[1].split("</tbody>", 1)[0].count("<tr>") - 1
    assert len(rows) - 1 == shown > 0
    assert all(row[0].startswith("15") for row in rows[1:])
    bad = httpx.get(server_url + "/web/gaps.csv", params={"table": "nope"}, timeout=30)
    assert bad.status_code == 404 and "valid: districts, coverage" in bad.text
