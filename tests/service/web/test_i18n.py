"""Language choice, number formats and reasons worded from their parts."""

from __future__ import annotations

from matching.query import Reason
from service.web.i18n import day, negotiate, number
from service.web.wording import reason_text


def test_numbers_follow_the_language():
    assert number(1234.5, "de", 1) == "1.234,5"
    assert number(1234.5, "en", 1) == "1,234.5"
    assert number(100_000, "de") == "100.000"
    assert number(None, "en") == "–"


def test_dates_follow_the_language():
    assert day("2023-11-30", "de") == "30.11.2023"
    assert day("2023-11-30", "en") == "30 Nov 2023"


def test_language_is_the_switch_then_the_cookie_then_accept_language_else_german():
    assert negotiate(None, None, None) == "de"
    assert negotiate(None, None, "en-GB,en;q=0.9") == "en"
    assert negotiate(None, None, "fr-FR, en;q=0.5, de;q=0.8") == "de"
    assert negotiate(None, "en", "de") == "en"
    assert negotiate("de", "en", "en") == "de"
    assert negotiate("xx", None, "en") == "en"  # an unknown choice is ignored


def _topic_reason(how: str, evidence: tuple[str, ...] = ("IT-Sicherheit",), need_key: str = "cybersecurity") -> Reason:
    return Reason("topic", 0.15, "offers Cybersecurity at level 5 — …", {
        "offered": {"key": "cybersecurity", "en": "Cybersecurity", "de": "Cybersicherheit"},
        "need": {"key": need_key, "en": "Data security", "de": "Datensicherheit"},
        "level": 5, "evidence": evidence, "how": how,
    })


def test_topic_reason_in_german_and_english():
    r = _topic_reason("mentions")
    assert reason_text(r, "de") == "bietet Cybersicherheit auf Stufe 5 — Ihr Bedarf nennt IT-Sicherheit"
    assert reason_text(r, "en") == "offers Cybersecurity at level 5 — your need mentions IT-Sicherheit"
    close = _topic_reason("reads_like", (), need_key="data-security")
    assert reason_text(close, "de") == (
        "bietet Cybersicherheit auf Stufe 5 (verwandt mit Datensicherheit) — Ihr Bedarf klingt nach Datensicherheit"
    )


def test_geography_and_sector_reasons_in_german():
    geo = Reason("geography", 0.4, "…", {"places": (("serves-district", "Börde"),), "km": 41.2})
    assert reason_text(geo, "de") == "betreut Ihren Kreis Börde, 41 km entfernt"
    sector = Reason("sector", 0.05, "…", {"nace": "C25", "level": 5,
                                          "sector": {"key": "m", "en": "Manufacturing", "de": "Produktion"}})
    assert reason_text(sector, "de") == "arbeitet mit Betrieben der Branche NACE C25 (Produktion, Stufe 5)"


def test_a_reason_without_parts_keeps_its_text():
    assert reason_text(Reason("text", 0.1, "its profile is similar to your need (0.20)"), "de").startswith("its profile")


def test_the_matcher_gives_reasons_with_parts(default_store):
    from matching.catalogue import Catalogue
    from matching.query import MatchQuery
    from matching.ranker import CentreMatcher

    matcher = CentreMatcher(encoder="hashing").fit(Catalogue.from_store(default_store))
    matches = matcher.match(MatchQuery(text="Wir wollen unsere IT-Sicherheit verbessern", municipality="15083270"), k=5)
    reasons = [r for m in matches for r in m.reasons]
    topic = [r for r in reasons if r.factor == "topic" and not r.parts.get("cut")]
    assert topic and all(r.parts["offered"]["de"] and r.parts["level"] >= 1 for r in topic)
    assert any("IT-Sicherheit" in r.parts["evidence"] for r in topic)
    geo = [r for r in reasons if r.factor == "geography"]
    assert geo and all("places" in r.parts for r in geo)
    assert "Ihr Bedarf nennt IT-Sicherheit" in " ".join(reason_text(r, "de") for r in topic)


def test_every_message_exists_in_german_and_english_and_templates_use_only_known_ones():
    import re
    from pathlib import Path

    from service.web._messages import MESSAGES

    assert all(entry.get("de") and entry.get("en") for entry in MESSAGES.values())
    for key, entry in MESSAGES.items():  # the same {fields} in both languages
        assert set(re.findall(r"{(\w+)}", entry["de"])) == set(re.findall(r"{(\w+)}", entry["en"])), key
    templates = Path(__file__).resolve().parents[3] / "service" / "web" / "templates"
    used = {k for f in templates.glob("*.html") for k in re.findall(r"_\('([\w.-]+)'", f.read_text(encoding="utf-8"))}
    whole = {k for k in used if not k.endswith((".", "_"))}  # others are prefixes completed in the template
    assert whole and whole <= set(MESSAGES)
    assert all(any(m.startswith(k) for m in MESSAGES) for k in used - whole)


def test_expertise_cut_and_nearest_contact_in_german():
    named = [{"en": "Cybersecurity", "de": "Cybersicherheit"}, {"en": "Cloud Services", "de": "Cloud-Dienste"}]
    cut = Reason("topic", -0.2, "…", {"cut": True, "named": named, "level": 0, "specialists": 3, "located": True})
    assert reason_text(cut, "de") == (
        "bietet Cybersicherheit oder Cloud-Dienste nicht: nach den 3 Spezialisten in Reichweite eingeordnet"
    )
    assert reason_text(cut, "en") == (
        "does not offer Cybersecurity or Cloud Services: ranked after the 3 specialists within reach"
    )
    geo = Reason("geography", 0.4, "…", {"places": (("in-district", "Börde"),), "km": 3.0, "contact_for": named[:1]})
    assert reason_text(geo, "de") == "nächste Anlaufstelle, bietet Cybersicherheit nicht: in Ihrem Kreis Börde, 3 km entfernt"
