"""The matcher's memory of recent query vectors and places (``matching._lru``)."""

from __future__ import annotations

from graph.records import Centre, Concept, Engagement, Region
from matching import Catalogue, CentreMatcher, HashingEncoder, MatchQuery
from matching._lru import LRU

B = "https://w3id.org/regiomatch/"
CYBER = Concept(iri=f"{B}concept/technology/cybersecurity", scheme="technology", key="cybersecurity",
                label_en="Cybersecurity", label_de="Cybersicherheit", alt_de=("IT-Sicherheit",))
CENTRES = tuple(
    Centre(iri=f"{B}id/centre/{cid}", id=cid, name=cid, centre_type="edih", description=desc,
           municipality_ags="15083270", state_ags="15", district_ags="15083", lat=52.29, lon=11.41,
           topics=(Engagement(CYBER.iri, "technology", level, "Cybersecurity", "Cybersicherheit"),))
    for cid, desc, level in (("a", "IT-Sicherheit", 5), ("b", "Robotik", 2))
)
REGIONS = {"15083270": Region(f"{B}id/region/15083270", "15083270", "Haldensleben", "municipality", "15", "15083",
                              lat=52.29, lon=11.41)}
NEED = "Wir wollen unsere IT-Sicherheit verbessern"


def test_lru_keeps_the_most_recent_entries() -> None:
    cache: LRU[int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    off: LRU[int] = LRU(0)
    off.put("a", 1)
    assert off.get("a") is None and len(off) == 0


class _Counting(HashingEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return super().encode(texts)


def _fitted(size: int) -> tuple[CentreMatcher, _Counting]:
    enc = _Counting()
    m = CentreMatcher(encoder=enc, query_cache_size=size).fit(Catalogue(centres=CENTRES, concepts=(CYBER,), regions=REGIONS))
    enc.texts.clear()
    return m, enc


def test_a_repeated_need_is_not_encoded_again_and_ranks_the_same() -> None:
    m, enc = _fitted(8)
    q = MatchQuery(NEED, municipality="15083270")
    first = m.match(q, k=5)
    again = m.match(q, k=5)
    assert enc.texts == [NEED]
    assert [(x.centre.id, x.score, x.reasons) for x in first] == [(x.centre.id, x.score, x.reasons) for x in again]
    m.match_many([q, MatchQuery("Robotik"), MatchQuery("Robotik", municipality="15083270")], k=2)
    assert enc.texts == [NEED, "Robotik"]  # one new text, encoded once


def test_without_a_cache_every_match_encodes() -> None:
    m, enc = _fitted(0)
    for _ in range(2):
        m.match(MatchQuery(NEED), k=1)
    assert enc.texts == [NEED, NEED]
