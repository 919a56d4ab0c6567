"""Centres for one trade only (``matching.trades``): ranked last for firms of other trades.

Hand-made centres with the hashing encoder first; the last test uses the real model on the
default store (``-m model``), whose crafts, retail, construction, tourism and health-care
centres carry ``rm:servesOnly`` from the dataset build.
"""

from __future__ import annotations

import pytest

from graph.records import Centre, Concept, Engagement
from matching import Catalogue, CentreMatcher, HashingEncoder, MatchQuery

B = "https://w3id.org/regiomatch/"
NACE = f"{B}concept/nace/"


def _nace(key: str, en: str, broader: str | None = None) -> Concept:
    return Concept(iri=f"{NACE}{key}", scheme="nace", key=key, label_en=en, label_de=en,
                   broader=(f"{NACE}{broader}",) if broader else ())


CONCEPTS = (
    Concept(iri=f"{B}concept/technology/internet-services", scheme="technology", key="internet-services",
            label_en="Internet Services", label_de="Internetdienste", alt_de=("Webshop",)),
    Concept(iri=f"{B}concept/trade/crafts", scheme="trade", key="crafts", label_en="Crafts", label_de="Handwerk",
            alt_de=("Bäckerei", "Tischlerei"), alt_en=("bakery",),
            close_match=(f"{NACE}10", f"{NACE}43")),
    _nace("C", "Manufacturing"), _nace("F", "Construction"), _nace("J", "Information and communication"),
    _nace("10", "Food products", "C"), _nace("43", "Specialised construction", "F"),
    _nace("62", "Computer programming", "J"),
)


def _centre(cid: str, *, serves_only: str | None = None, level: int = 5) -> Centre:
    web = CONCEPTS[0]
    return Centre(iri=f"{B}id/centre/{cid}", id=cid, name=cid, centre_type="mittelstand-digital", scope="national",
                  description="Webshop Beratung", serves_only=serves_only,
                  topics=(Engagement(web.iri, "technology", level, web.label_en, web.label_de),))


CENTRES = (
    _centre("crafts-centre", serves_only=f"{B}concept/trade/crafts", level=5),  # the best tagged, for crafts only
    _centre("open-a", level=2),
    _centre("open-b", level=1),
)
NEED = "Wir wollen einen Webshop aufbauen"


@pytest.fixture(scope="module")
def matcher() -> CentreMatcher:
    return CentreMatcher(encoder=HashingEncoder()).fit(Catalogue(centres=CENTRES, concepts=CONCEPTS))


def _order(matches) -> list[str]:
    return [m.centre.id for m in matches]


@pytest.mark.parametrize(("sector", "text", "last"), [
    ("62", NEED, True),                                   # a software house: not a craft business
    ("J", NEED, True),                                    # a section without any crafts division
    (None, NEED, True),                                   # nothing says the asker is a craft business
    ("43", NEED, False),                                  # a crafts division
    ("F", NEED, False),                                   # a section holding a crafts division
    (None, "Unsere Bäckereikette will einen Webshop", False),  # the need names the trade (inside a compound)
    ("62", "We are a bakery and want a webshop", False),  # the text wins over an odd sector
])
def test_a_centre_for_one_trade_ranks_last_for_other_trades(matcher, sector, text, last) -> None:
    out = matcher.match(MatchQuery(text, sector=sector), k=3)
    order = _order(out)
    assert (order[-1] == "crafts-centre") is last, order
    crafts = out[order.index("crafts-centre")]
    cut = [r for r in crafts.reasons if r.factor == "sector" and r.contribution < 0]
    if last:
        assert len(cut) == 1 and cut[0].text.startswith("serves crafts firms only"), crafts.reasons
        assert cut[0].parts["serves_only"]["key"] == "crafts"
        assert crafts.score == pytest.approx(sum(r.contribution for r in crafts.reasons), abs=2e-3)
    else:
        assert not cut and order[0] == "crafts-centre", (order, crafts.reasons)


def test_scores_and_the_ranking_agree(matcher) -> None:
    q = MatchQuery(NEED, sector="62")
    scores = dict(zip((c.id for c in matcher.centres_), matcher.scores(q)))
    assert scores["crafts-centre"] < min(scores["open-a"], scores["open-b"])


def test_the_rule_can_be_switched_off() -> None:
    plain = CentreMatcher(encoder=HashingEncoder(), trade_first=False).fit(Catalogue(centres=CENTRES, concepts=CONCEPTS))
    assert _order(plain.match(MatchQuery(NEED, sector="62"), k=3))[0] == "crafts-centre"


def test_without_trade_centres_nothing_changes() -> None:
    open_only = Catalogue(centres=CENTRES[1:], concepts=CONCEPTS)
    on = CentreMatcher(encoder=HashingEncoder()).fit(open_only)
    off = CentreMatcher(encoder=HashingEncoder(), trade_first=False).fit(open_only)
    q = MatchQuery(NEED, sector="62")
    assert list(on.scores(q)) == pytest.approx(list(off.scores(q)))
    assert not on.trades_.active


# ------------------------------------------------------------------ the real model on the default store


@pytest.fixture(scope="session")
def real_matcher(default_store) -> CentreMatcher:
    from matching.encoder import make_encoder

    return CentreMatcher(encoder=make_encoder("use-multilingual")).fit(Catalogue.from_store(default_store))


TRADE_CENTRES = {"edihcat-006", "edihcat-249", "edihcat-259", "edihcat-329", "edihcat-374"}


@pytest.mark.model
def test_default_trade_centres_leave_a_software_house_alone_and_serve_their_trade(real_matcher) -> None:
    assert {c.id for c in real_matcher.centres_ if c.serves_only} == TRADE_CENTRES
    software = real_matcher.match(MatchQuery("We want to move our customer data into a cloud CRM",
                                             municipality="15003000", sector="62"), k=10)
    assert not TRADE_CENTRES & set(_order(software)), _order(software)
    for text, sector, centre, why in (
        ("Unsere Bäckerei möchte Bestellungen online annehmen", None, "edihcat-006", "your need says Bäckerei"),
        ("We want online bookings for our rooms", "55", "edihcat-329", "your sector NACE I55 is one of its trades"),
    ):
        out = real_matcher.match(MatchQuery(text, sector=sector), k=10)
        assert centre in _order(out), _order(out)  # the crafts / tourism centre, credited for the trade
        own = [r for r in out[_order(out).index(centre)].reasons if r.factor == "sector" and r.contribution > 0]
        assert own and own[0].text.endswith(why), own
        assert not (TRADE_CENTRES - {centre}) & set(_order(out)), _order(out)  # the other trades' centres are not
