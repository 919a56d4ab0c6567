"""The topic-only baseline and the fair set's extra fields (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.records import Centre, Concept, Engagement
from matching.baselines import TopicOnlyRanker
from matching.catalogue import Catalogue
from matching.encoder import HashingEncoder
from matching.evaluate import DATA_DIR, LabelledQuery, evaluate, load_queries
from matching.query import MatchQuery

T = "https://w3id.org/regiomatch/id/concept/technology/"
CONCEPTS = tuple(
    Concept(iri=T + slug, scheme="technology", key=slug, label_en=en, label_de=de)
    for slug, en, de in (("cybersecurity", "Cybersecurity", "Cybersicherheit"),
                         ("internet-of-things", "Internet of Things", "Internet der Dinge"),
                         ("robotics", "Robotics", "Robotik"))
)


def _centre(cid: str, *topics: tuple[str, int]) -> Centre:
    return Centre(iri=f"https://w3id.org/regiomatch/id/centre/{cid}", id=cid, name=cid, centre_type="edih",
                  description="Digitalisation for SMEs",
                  topics=tuple(Engagement(T + slug, "technology", lvl, slug, slug) for slug, lvl in topics))


CENTRES = (_centre("cyber", ("cybersecurity", 5)), _centre("iot-a", ("internet-of-things", 4)),
           _centre("iot-b", ("internet-of-things", 4), ("robotics", 1)), _centre("robots", ("robotics", 5)))


def test_topic_only_ranks_by_level_of_the_named_topic_and_reports_paraphrase() -> None:
    r = TopicOnlyRanker(encoder=HashingEncoder()).fit(Catalogue(centres=CENTRES, concepts=CONCEPTS))
    # both IoT centres at level 4 (random order between them), then the rest
    top = [m.centre.id for m in r.match(MatchQuery("Wir wollen unser Lager mit dem Internet der Dinge vernetzen"))]
    assert set(top[:2]) == {"iot-a", "iot-b"}
    assert [m.centre.id for m in r.match(MatchQuery("", topics=("robotics",)), k=2)] == ["robots", "iot-b"]
    queries = [LabelledQuery("Cybersicherheit", {"cyber": 3}, lang="de", paraphrase=False),
               LabelledQuery("Robotik für die Fertigung", {"robots": 3}, lang="de", paraphrase=True)]
    report = evaluate({"topic-only": r}, queries, k=2)
    assert report.rankers["topic-only"].paraphrase == pytest.approx(1.0)
    assert "paraphr." in report.table()


def test_load_queries_reads_the_fair_sets_extra_fields(tmp_path: Path) -> None:
    line = {"id": "f1", "text": "Wo sind unsere Lieferwagen?", "lang": "de", "paraphrase": True,
            "relevant": {"c-farm": 2}, "relevant_topics": {"location-based-applications": 3}, "note": "n"}
    p = tmp_path / "q.jsonl"
    p.write_text(json.dumps({"text": "x", "relevant": {"a": 1}}) + "\n" + json.dumps(line) + "\n", encoding="utf-8")
    plain, fair = load_queries(p)
    assert fair.paraphrase is True and fair.relevant_topics == {"location-based-applications": 3}
    assert plain.paraphrase is False


def test_shipped_fair_halves_load_with_every_line_judged() -> None:
    for half in ("dev", "test"):
        qs = load_queries(DATA_DIR / f"queries_fair_{half}.jsonl")
        assert len(qs) >= 100 and all(q.relevant for q in qs)
        assert 0 < sum(q.paraphrase for q in qs) < len(qs)
