"""Evaluation: the labelled-query loader, evaluate() and the baselines on a tiny
hand-made catalogue; then, with the real model, the hybrid matcher against every
baseline on both shipped labelled sets, and topic suggestion against the
catalogue's own tags.

Run ``pytest -s -m model tests/matching/test_evaluate.py`` to see the figures.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from graph.errors import InvalidInput, NotFitted, UnknownEntity, UnreadableInput
from graph.records import Centre, Engagement, Region
from matching.baselines import EmbeddingRanker, NearestRanker, RandomRanker, TfidfRanker
from matching.catalogue import Catalogue
from matching.evaluate import (
    DATA_DIR,
    LabelledQuery,
    evaluate,
    evaluate_topics,
    load_queries,
)
from matching.query import Match, MatchQuery, Reason

T = "https://w3id.org/regiomatch/id/concept/technology/"

# --------------------------------------------------------------------------- a tiny catalogue


def _centre(cid: str, name: str, desc: str, ags: str | None, lat: float | None, lon: float | None,
            topics: tuple[tuple[str, int], ...] = ()) -> Centre:
    return Centre(
        iri=f"https://w3id.org/regiomatch/id/centre/{cid}", id=cid, name=name, centre_type="edih",
        description=desc, municipality_ags=ags, lat=lat, lon=lon, state_ags=ags[:2] if ags else None,
        topics=tuple(Engagement(T + slug, "technology", lvl, slug, slug) for slug, lvl in topics),
    )


CENTRES = (
    _centre("c-cyber", "Cyber Hub", "Cybersecurity, ransomware defence and IT security for SMEs.",
            "11000000", 52.52, 13.40, (("cybersecurity", 5),)),
    _centre("c-farm", "Agri Hub", "Digital farming: sensors in fields and barns, agriculture data.",
            "03403000", 53.14, 8.21, (("internet-of-things", 4), ("big-data", 3))),
    _centre("c-magdeburg", "Magdeburg Centre", "Production, digital twins and sensors for manufacturing.",
            "15003000", 52.13, 11.62, (("digital-twins", 5), ("internet-of-things", 4))),
    _centre("c-abroad", "Foreign Hub", "Robotics and automation for factories.", None, None, None,
            (("robotics", 5),)),
)
REGIONS = {
    "15083270": Region("r1", "15083270", "Haldensleben", "municipality", "15", "15083", lat=52.29, lon=11.41),
    "11000000": Region("r2", "11000000", "Berlin", "municipality", "11", "11000", lat=52.52, lon=13.40),
}


@pytest.fixture()
def tiny() -> Catalogue:
    return Catalogue(centres=CENTRES, regions=REGIONS)


def _write(tmp_path: Path, *lines: str) -> Path:
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


GOOD = json.dumps({"id": "q1", "text": "ransomware", "relevant": {"c-cyber": 3}})

# --------------------------------------------------------------------------- loader


def test_load_queries_reads_fields_and_skips_blank_and_comment_lines(tmp_path: Path) -> None:
    p = _write(tmp_path, "# a comment", GOOD, "",
               json.dumps({"text": "Sensoren", "municipality": "15083270", "sector": "25",
                           "topics": ["internet-of-things"], "lang": "de",
                           "relevant": {"c-magdeburg": 3, "c-farm": 1}}))
    qs = load_queries(p)
    assert [q.id for q in qs] == ["q1", ""]
    assert qs[1].municipality == "15083270" and qs[1].sector == "25" and qs[1].lang == "de"
    assert qs[1].topics == ("internet-of-things",) and qs[1].line == 4
    mq = qs[1].to_match_query()
    assert (mq.text, mq.municipality, mq.sector) == ("Sensoren", "15083270", "25")


@pytest.mark.parametrize(
    ("line", "exc", "fragment"),
    [
        ('{"text": "x", "relevant": {"a": 1}', UnreadableInput, ":2: not valid JSON"),
        ('["text"]', InvalidInput, ":2: expected a JSON object"),
        ('{"relevant": {"a": 1}}', InvalidInput, ":2: field 'text'"),
        ('{"text": "  ", "relevant": {"a": 1}}', InvalidInput, ":2: field 'text'"),
        ('{"text": "x"}', InvalidInput, ":2: field 'relevant' is missing"),
        ('{"text": "x", "relevant": {"a": 4}}', InvalidInput, "grade of 'a' must be 1, 2 or 3"),
        ('{"text": "x", "relevant": ["a"]}', InvalidInput, "field 'relevant' must be an object"),
        ('{"text": "x", "relevant": {"a": 1}, "municipality": "Magdeburg"}', InvalidInput, "field 'municipality'"),
        ('{"text": "x", "relevant": {"a": 1}, "topics": "iot"}', InvalidInput, "field 'topics'"),
        ('{"text": "x", "relevant": {"a": 1}, "relevance": {}}', InvalidInput, "unknown field(s) relevance"),
        ('{"id": "q1", "text": "x", "relevant": {"a": 1}}', InvalidInput, "'q1' already used on line 1"),
        ('{"text": "x", "relevant": {"a": 1}, "paraphrase": "yes"}', InvalidInput, "field 'paraphrase'"),
    ],
)
def test_load_queries_names_line_and_field(tmp_path: Path, line: str, exc: type, fragment: str) -> None:
    p = _write(tmp_path, GOOD, line)
    with pytest.raises(exc) as err:
        load_queries(p)
    assert fragment in str(err.value)
    assert str(p) in str(err.value)


def test_load_queries_refuses_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="no such file"):
        load_queries(tmp_path / "nope.jsonl")
    with pytest.raises(InvalidInput, match="no labelled queries"):
        load_queries(_write(tmp_path, "", "# only a comment"))


# --------------------------------------------------------------------------- shipped sets


def test_default_set_has_30_german_and_30_english_queries_on_real_centres(require_shared) -> None:
    qs = load_queries(DATA_DIR / "queries_default.jsonl")
    assert len(qs) >= 60
    langs = Counter(q.lang for q in qs)
    assert langs["de"] >= 30 and langs["en"] >= 30
    from graph.dataset import _curated  # the default dataset's ids: 57 hubs + Saxony-Anhalt orgs

    shared = require_shared(Path(__file__).resolve().parents[3] / "shared" / "data" / "centres")
    ids = {r["hub_id"] for r in csv.DictReader((shared / "edih_catalogue.csv").open(encoding="utf-8"))
           if r["country"] == "Germany"}
    ids |= {r["org_id"] for r in csv.DictReader((shared / "st_support_organisations.csv").open(encoding="utf-8"))
            if r["org_id"] not in _curated.SAME_AS_HUB}
    for q in qs:
        assert set(q.relevant) <= ids, (q.id, set(q.relevant) - ids)
        assert max(q.relevant.values()) >= 2, q.id


def test_catalogue_set_judges_hubs_of_its_fixture() -> None:
    qs = load_queries(DATA_DIR / "queries_catalogue.jsonl")
    assert len(qs) >= 30
    with (DATA_DIR / "eval_catalogue_hubs.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hubs = {r["hub_id"] for r in rows}
    assert len({r["country"] for r in rows}) >= 10
    for q in qs:
        assert set(q.relevant) <= hubs, (q.id, set(q.relevant) - hubs)


# --------------------------------------------------------------------------- evaluate()


class _Fixed:
    """A stand-in ranker that returns a fixed order of centre ids."""

    def __init__(self, order: list[str]) -> None:
        self.order = order

    def fit(self, catalogue: Catalogue) -> _Fixed:
        self.by_id = {c.id: c for c in catalogue.centres}
        return self

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        return [Match(self.by_id[i], 1.0, None, (Reason("fixed", 1.0, ""),)) for i in self.order[:k]]


def test_evaluate_scores_rankers_side_by_side(tiny: Catalogue) -> None:
    qs = [LabelledQuery("ransomware", {"c-cyber": 3, "c-magdeburg": 1}, id="a", lang="en"),
          LabelledQuery("nur Themen", relevant_topics={"x": 1}, id="b")]
    report = evaluate({
        "perfect": _Fixed(["c-cyber", "c-magdeburg", "c-farm"]).fit(tiny),
        "worst": _Fixed(["c-farm", "c-abroad"]).fit(tiny),
        "second": _Fixed(["c-farm", "c-cyber"]).fit(tiny),
    }, qs, k=2)
    assert report.n_queries == 1 and report.n_skipped == 1
    perfect, worst, second = (report.rankers[n] for n in ("perfect", "worst", "second"))
    assert (perfect.ndcg, perfect.mrr, perfect.recall) == (pytest.approx(1.0), 1.0, 1.0)
    assert (worst.ndcg, worst.mrr, worst.recall) == (0.0, 0.0, 0.0)
    assert second.mrr == 0.5 and second.recall == 0.5
    assert perfect.by_lang == {"en": pytest.approx(1.0)}
    assert report.best("ndcg") == "perfect"
    assert "perfect" in report.table() and "nDCG@2" in report.table()


def test_nearest_baseline_is_not_scored_on_queries_without_locations(tiny: Catalogue) -> None:
    # Without a location the nearest baseline falls back to random order: its
    # numbers would measure nothing, so the report says n/a instead.
    rankers = {"perfect": _Fixed(["c-cyber"]).fit(tiny), "nearest": NearestRanker().fit(tiny)}
    report = evaluate(rankers, [LabelledQuery("ransomware", {"c-cyber": 3})], k=2)
    assert set(report.rankers) == {"perfect"} and report.not_applicable == {"nearest": "no locations"}
    assert "nearest         n/a (no locations)" in report.table()
    located = [LabelledQuery("ransomware", {"c-cyber": 3}), LabelledQuery("x", {"c-magdeburg": 1}, municipality="15083270")]
    report = evaluate(rankers, located, k=2)
    assert set(report.rankers) == {"perfect", "nearest"} and not report.not_applicable
    with pytest.raises(InvalidInput, match="none of the rankers applies.*nearest: no locations"):
        evaluate({"nearest": NearestRanker().fit(tiny)}, [LabelledQuery("x", {"c-cyber": 1})])


def test_evaluate_refuses_bad_arguments(tiny: Catalogue) -> None:
    q = [LabelledQuery("x", {"c-cyber": 1})]
    with pytest.raises(InvalidInput, match="k must be"):
        evaluate({"r": _Fixed([]).fit(tiny)}, q, k=0)
    with pytest.raises(InvalidInput, match="no rankers"):
        evaluate({}, q)
    with pytest.raises(InvalidInput, match="no query has centre judgments"):
        evaluate({"r": _Fixed([]).fit(tiny)}, [LabelledQuery("x", relevant_topics={"t": 1})])


# --------------------------------------------------------------------------- baselines


def test_random_ranker_is_reproducible_per_query(tiny: Catalogue) -> None:
    r = RandomRanker(seed=3).fit(tiny)
    a = [m.centre.id for m in r.match(MatchQuery("a need"), k=4)]
    assert a == [m.centre.id for m in RandomRanker(seed=3).fit(tiny).match(MatchQuery("a need"), k=4)]
    assert sorted(a) == sorted(c.id for c in CENTRES)


def test_nearest_ranker_orders_by_distance_and_puts_unlocated_last(tiny: Catalogue) -> None:
    got = NearestRanker().fit(tiny).match(MatchQuery("anything", municipality="15083270"), k=4)
    assert [m.centre.id for m in got] == ["c-magdeburg", "c-cyber", "c-farm", "c-abroad"]
    assert got[0].distance_km == pytest.approx(22, abs=5)
    assert got[-1].distance_km is None


def test_nearest_ranker_without_location_is_random_and_unknown_ags_is_named(tiny: Catalogue) -> None:
    r = NearestRanker(seed=1).fit(tiny)
    assert len(r.match(MatchQuery("anything"), k=10)) == 4
    with pytest.raises(UnknownEntity, match="99999999"):
        r.match(MatchQuery("anything", municipality="99999999"))


def test_text_baselines_find_the_centre_by_words(tiny: Catalogue) -> None:
    from matching.encoder import HashingEncoder

    tfidf = TfidfRanker().fit(tiny)
    assert tfidf.match(MatchQuery("ransomware and IT security"), k=1)[0].centre.id == "c-cyber"
    emb = EmbeddingRanker(encoder=HashingEncoder()).fit(tiny)
    assert emb.match(MatchQuery("cybersecurity ransomware defence"), k=1)[0].centre.id == "c-cyber"


def test_baselines_check_fitted_and_k(tiny: Catalogue) -> None:
    with pytest.raises(NotFitted):
        TfidfRanker().match(MatchQuery("x"))
    with pytest.raises(InvalidInput, match="k must be"):
        RandomRanker().fit(tiny).match(MatchQuery("x"), k=0)


# --------------------------------------------------------------------------- topics


class _Suggest:
    """A stand-in suggester returning fixed concept IRIs."""

    def __init__(self, iris: list[str]) -> None:
        self.iris = iris

    def suggest(self, text: str, k: int = 5) -> list[object]:
        return [type("S", (), {"iri": i})() for i in self.iris[:k]]


def test_evaluate_topics_grades_by_tag_level_against_leave_one_out_frequency() -> None:
    perfect = _Suggest([T + "internet-of-things", T + "digital-twins", T + "big-data", T + "cybersecurity"])
    report = evaluate_topics(perfect, CENTRES, k=2)
    assert report.n_hubs == 4
    # c-magdeburg: suggester ranks iot(4), twins(5): DCG = 15 + 31/log2(3); ideal 31 + 15/log2(3)
    by_hub = {h: (s, b) for h, s, b in report.per_hub}
    assert by_hub["c-magdeburg"][0] == pytest.approx((15 + 31 / 1.5849625) / (31 + 15 / 1.5849625))
    assert 0 <= report.baseline_ndcg <= 1 and "most-frequent" in report.table()


def test_topic_baseline_counts_other_hubs_only() -> None:
    hubs = [_centre(f"h{i}", "h", "text", None, None, None, (("internet-of-things", 3),)) for i in range(3)]
    hubs.append(_centre("h-cyber", "h", "text", None, None, None, (("cybersecurity", 5),)))
    by_hub = {h: b for h, _, b in evaluate_topics(_Suggest([]), hubs, k=2).per_hub}
    assert by_hub["h0"] == pytest.approx(1.0)  # IoT is the most frequent tag of the others
    assert by_hub["h-cyber"] == 0.0  # its own cybersecurity tag must not make it "frequent"


def test_evaluate_topics_needs_tagged_hubs() -> None:
    bare = _centre("x", "x", "", None, None, None)
    with pytest.raises(InvalidInput, match="description and technology tags"):
        evaluate_topics(_Suggest([]), [bare])


# --------------------------------------------------------------------------- the real model
# The hybrid must beat every baseline on nDCG@10 on both shipped sets; topic suggestion
# must beat the most-frequent-topics baseline on nDCG@5. Figures are printed (pytest -s)
# and repeated in the assertion messages.


@pytest.fixture(scope="session")
def model_encoder():
    from matching.encoder import make_encoder

    return make_encoder("use-multilingual")


@pytest.fixture(scope="session")
def default_catalogue(default_store) -> Catalogue:  # default_store: tests/conftest.py
    return Catalogue.from_store(default_store)


@pytest.fixture(scope="session")
def eu_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    """The catalogue fixture imported as ``init --bare`` + ``load --format edih-csv`` would."""
    from graph.build import build_store
    from graph.loader import load_files
    from graph.store import open_store

    path = str(tmp_path_factory.mktemp("eu") / "store")
    build_store(path, bare=True)
    with open_store(path) as st:
        load_files(st, [DATA_DIR / "eval_catalogue_hubs.csv"], fmt="edih-csv")
        return Catalogue.from_store(st)


def _report(catalogue: Catalogue, encoder, queries_file: str):
    from matching.baselines import default_baselines
    from matching.ranker import CentreMatcher

    hybrid = CentreMatcher(encoder=encoder).fit(catalogue)
    rankers = {"hybrid": hybrid, **default_baselines(catalogue, encoder=encoder)}
    report = evaluate(rankers, load_queries(DATA_DIR / queries_file), k=10)
    print(f"\n{queries_file} ({len(catalogue.centres)} centres)\n{report.table()}")
    return report


def _assert_hybrid_beats_baselines(report) -> None:
    hybrid = report.rankers["hybrid"]
    behind = [name for name, r in report.rankers.items() if name != "hybrid" and r.ndcg >= hybrid.ndcg]
    assert not behind, (
        f"the hybrid (nDCG@10 {hybrid.ndcg:.3f}) does not beat {', '.join(behind)}:\n{report.table()}"
    )


@pytest.mark.model
def test_hybrid_beats_every_baseline_on_the_default_set(default_catalogue, model_encoder) -> None:
    report = _report(default_catalogue, model_encoder, "queries_default.jsonl")
    assert report.n_queries >= 60
    _assert_hybrid_beats_baselines(report)


@pytest.mark.model
def test_hybrid_beats_every_baseline_on_the_fair_dev_half(default_catalogue, model_encoder) -> None:
    report = _report(default_catalogue, model_encoder, "queries_fair_dev.jsonl")
    _assert_hybrid_beats_baselines(report)
    assert report.rankers["hybrid"].paraphrase is not None


@pytest.mark.model
def test_hybrid_beats_every_baseline_on_the_catalogue_set(eu_catalogue, model_encoder) -> None:
    report = _report(eu_catalogue, model_encoder, "queries_catalogue.jsonl")
    assert report.n_queries >= 30
    _assert_hybrid_beats_baselines(report)


@pytest.mark.model
@pytest.mark.parametrize("which", ["default", "eu"])
def test_topic_suggestion_against_most_frequent_topics(which, request) -> None:
    from matching.encoder import make_encoder
    from matching.topics import TopicSuggester

    # hub descriptions are read with the encoder the hub topic model was trained with
    model_encoder = make_encoder("onnx-int8")
    catalogue = request.getfixturevalue({"default": "default_catalogue", "eu": "eu_catalogue"}[which])
    # Catalogue hubs only: the Saxony-Anhalt organisations' tags were derived by us from their texts.
    hubs = [c for c in catalogue.centres if c.id.startswith("edihcat-")]
    report = evaluate_topics(TopicSuggester(encoder=model_encoder).fit(catalogue), hubs, k=5)
    print(f"\ntopics on the {which} hubs\n{report.table()}")
    if which == "eu":
        assert report.suggester_ndcg > report.baseline_ndcg, report.table()
    else:
        # Almost every German hub is tagged with AI, big data and IoT, so the
        # most-frequent list is hard to beat there (measured: 0.715 vs 0.714 with the
        # prior fitted leave-one-out). Falling clearly below it is a regression.
        assert report.suggester_ndcg >= report.baseline_ndcg - 0.01, report.table()


def test_evaluate_command_names_the_bad_line_before_loading_a_model(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    p = _write(tmp_path, GOOD, '{"text": "x", "relevant": {"a": 9}}')
    result = CliRunner().invoke(app, ["evaluate", str(p), "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert f"{p}:2: field 'relevant'" in result.output
