"""The web app in a real (headless) Chromium against a running server."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from tests.service.web._browser import (
    axe_violations,
    overflows_horizontally,
    request_hosts,
    screenshot,
    wait_for,
)

NEEDS = {
    "de": ("Wir wollen unsere IT-Sicherheit verbessern", "IT-Sicherheit", "Passende Zentren finden"),
    "en": ("We want to improve our IT security", "IT security", "Find matching centres"),
}


def _expected_order(server_url: str, text: str, ags: str, default_store) -> list[str]:
    """The same query answered by the JSON API when it exists, else by the matcher in this process."""
    if _have("service.api.main"):
        r = httpx.post(server_url + "/match", json={"text": text, "municipality": ags, "k": 10}, timeout=60)
        assert r.status_code == 200, r.text
        return [m["id"] for m in r.json()["matches"]]
    from matching.catalogue import Catalogue
    from matching.query import MatchQuery
    from matching.ranker import CentreMatcher

    matcher = CentreMatcher(encoder="hashing").fit(Catalogue.from_store(default_store))
    return [m.centre.id for m in matcher.match(MatchQuery(text=text, municipality=ags), k=10)]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_sme_journey(browser, server_url, default_store, output_dir, lang):
    from selenium.webdriver.common.by import By

    need, need_words, submit_label = NEEDS[lang]
    browser.get(f"{server_url}/?lang={lang}")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    browser.find_element(By.ID, "need").send_keys(need)
    place = browser.find_element(By.ID, "municipality")
    place.send_keys("Haldensl")
    option = wait_for(browser, "#municipality-suggestions [role=option]")
    assert option.text == "Haldensleben (Börde)"
    assert place.get_attribute("aria-expanded") == "true"
    if lang == "de":
        option.click()
    else:  # by keyboard alone
        from selenium.webdriver.common.keys import Keys

        place.send_keys(Keys.ARROW_DOWN)
        assert place.get_attribute("aria-activedescendant") == option.get_attribute("id")
        place.send_keys(Keys.ENTER)
    assert place.get_attribute("value") == "Haldensleben (Börde)"
    button = browser.find_element(By.CSS_SELECTOR, "button.primary")
    assert button.text == submit_label
    button.click()
    wait_for(browser, "ol.matches")
    assert "municipality=Haldensleben" in browser.current_url  # a shareable GET URL
    ids = [a.get_attribute("href").rsplit("/", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, ".match h3 a")]
    assert len(ids) == 10
    reasons = " | ".join(li.text for li in browser.find_elements(By.CSS_SELECTOR, ".reasons li"))
    assert need_words in reasons
    if lang == "de":
        assert "Ihr Bedarf nennt IT-Sicherheit" in reasons and "Stufe" in reasons
    else:
        assert "your need mentions IT security" in reasons and "level" in reasons
    assert browser.find_elements(By.CSS_SELECTOR, "svg.map circle.centre")
    assert ids == _expected_order(server_url, need, "15083270", default_store)
    assert request_hosts(browser) == {"127.0.0.1"}
    screenshot(browser, output_dir / f"sme-results-{lang}-1280.png", 1280)
    screenshot(browser, output_dir / f"sme-results-{lang}-360.png", 360)


def test_script_in_need_is_shown_as_text(browser, server_url):
    from selenium.webdriver.common.by import By

    payload = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"
    browser.get(f"{server_url}/?" + urlencode({"need": payload + " IT-Sicherheit", "municipality": "15083270"}))
    wait_for(browser, "ol.matches")
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_element(By.ID, "need").get_attribute("value").startswith(payload)
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")


def test_language_switch_is_remembered(browser, server_url):
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{server_url}/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    browser.find_element(By.CSS_SELECTOR, "a.lang").click()
    wait_for(browser, "h1")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.get(f"{server_url}/search?q=Halle")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Search"
    browser.delete_all_cookies()


PAGES = {
    "start": "/",
    "results": "/?" + urlencode({"need": "Wir wollen Maschinendaten auswerten und die Produktion vernetzen",
                                 "municipality": "Halle", "sector": "C25"}),
    "search": "/search?q=Magdeburg",
    "centre": "/centres/st-rdz-haldensleben",
    "region": "/regions/15083270",
    "district": "/regions/15083",
    "gaps": "/gaps?region=15",
    "not-found": "/regions/99999999",
}


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_page_is_local_accessible_and_fits_a_phone(browser, server_url, output_dir, name, lang):
    from selenium.webdriver.common.by import By

    path = PAGES[name]
    browser.get(server_url + path + ("&" if "?" in path else "?") + f"lang={lang}")
    wait_for(browser, "h1")
    assert browser.find_element(By.TAG_NAME, "footer").text.count("GeoBasis-DE") == 1
    assert request_hosts(browser) == {"127.0.0.1"}
    assert axe_violations(browser) == []
    screenshot(browser, output_dir / f"{name}-{lang}-1280.png", 1280)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    try:
        assert not overflows_horizontally(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    screenshot(browser, output_dir / f"{name}-{lang}-360.png", 360)


def _have(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package does not exist either
        return False


def test_centre_page_shows_profile_funding_and_partners(browser, server_url):
    from selenium.webdriver.common.by import By

    browser.get(f"{server_url}/centres/st-rdz-haldensleben?lang=de")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Regionales Digitalisierungszentrum Haldensleben"
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Technologiethemen" in text and "Förderung" in text and "170.000 EUR" in text
    assert browser.find_element(By.CSS_SELECTOR, 'a[href="/regions/15083"]').text == "Börde"
    if _have("matching.partners"):
        groups = browser.find_elements(By.CSS_SELECTOR, "ol.partners")
        assert len(groups) == 3 and all(g.find_elements(By.TAG_NAME, "li") for g in groups[:2])


def test_municipality_page_shows_centres_indicators_and_peers(browser, server_url):
    from selenium.webdriver.common.by import By

    browser.get(f"{server_url}/regions/15083270?lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Haldensleben, Stadt"
    assert browser.find_elements(By.CSS_SELECTOR, 'a[href="/centres/st-rdz-haldensleben"]')
    assert browser.find_elements(By.CSS_SELECTOR, "svg.map path")
    if _have("graph.indicators"):
        assert browser.find_elements(By.CSS_SELECTOR, "#indicators ~ .bars svg.bar")
        assert "District median" in browser.find_element(By.TAG_NAME, "main").text
    if _have("matching.peers"):
        peers = browser.find_elements(By.CSS_SELECTOR, "ol.peers > li a")
        assert len(peers) >= 5
        assert all(a.get_attribute("href").rsplit("/", 1)[-1].isdigit() for a in peers)


def test_policymaker_page_shows_map_gaps_network_and_csv(browser, server_url, output_dir):
    from selenium.webdriver.common.by import By

    if not _have("matching.gaps"):
        browser.get(f"{server_url}/gaps")
        assert browser.find_element(By.CSS_SELECTOR, ".note[role=status]").text
        pytest.skip("this build has no gap analysis (matching.gaps)")
    browser.get(f"{server_url}/gaps?region=15&lang=de")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map ~ figure svg.map path")) >= 200  # municipalities
    assert browser.find_elements(By.CSS_SELECTOR, "#table-top_gaps tbody tr td a")
    assert browser.find_elements(By.CSS_SELECTOR, "#network ~ figure svg.map line")
    link = browser.find_element(By.CSS_SELECTOR, ".table-wrap:has(#table-top_gaps) + p a.csv")
    r = httpx.get(link.get_attribute("href"), timeout=120)
    assert r.status_code == 200 and r.text.startswith("district_ags,district,topic")
    browser.find_element(By.CSS_SELECTOR, "select#topic option[value=cybersecurity]").click()
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait_for(browser, "h1")
    assert "topic=cybersecurity" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "select#topic").get_attribute("value") == "cybersecurity"


def test_sme_journey_works_without_javascript(browser, server_url, default_store):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(f"{server_url}/?lang=de")
        browser.find_element(By.ID, "need").send_keys("Wir wollen unsere IT-Sicherheit verbessern")
        browser.find_element(By.ID, "municipality").send_keys("Haldensleben")
        assert not browser.find_elements(By.CSS_SELECTOR, "[role=listbox]")  # the script did not run
        browser.find_element(By.CSS_SELECTOR, "button.primary").click()
        wait_for(browser, "ol.matches")
        ids = [a.get_attribute("href").rsplit("/", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, ".match h3 a")]
        assert ids == _expected_order(server_url, "Wir wollen unsere IT-Sicherheit verbessern", "15083270", default_store)
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_keyboard_focus_is_visible(browser, server_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{server_url}/?lang=en")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to content"
    style = browser.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];"
    )
    assert style[0] != "none" and style[1] != "0px"
