"""One matcher for every edge: ``match`` and ``evaluate`` rank with the same one, and a
fitted matcher needs no open store."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.records import Centre
from matching.evaluate import evaluate, load_queries
from matching.query import Match, MatchQuery
from matching.weights import DEFAULT_WEIGHTS, save_weights, weights_path
from service.cli import app
from service.runtime import runtime
from service.schemas import MatchRequest

runner = CliRunner()
LABELLED = Path(__file__).resolve().parents[2] / "matching" / "data" / "queries_default.jsonl"
LEARNED = {"text": 0.6, "topic": 0.1, "service": 0.1, "sector": 0.1, "geography": 0.1}


class _Replay:
    """A ranker that answers with the rankings ``regiomatch match`` printed."""

    def __init__(self, ranked: dict[str, list[str]]) -> None:
        self.ranked = ranked

    def fit(self, catalogue):  # noqa: ANN001 - the Ranker protocol
        return self

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        ids = self.ranked[query.id or ""][:k]
        return [Match(Centre(iri=i, id=i, name=i, centre_type="other"), 0.0, None, ()) for i in ids]


@pytest.fixture(scope="module")
def store_with_learned_weights(default_store_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the default store whose learned weights differ from the defaults."""
    store = tmp_path_factory.mktemp("learned") / "store"
    shutil.copytree(default_store_dir, store)
    save_weights(LEARNED, weights_path(store))
    return store


def _evaluate_json(store: Path, *extra: str) -> dict:
    res = runner.invoke(app, ["evaluate", str(LABELLED), "--store", str(store), "--encoder", "hashing", "--json", *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["report"]["rankers"]["hybrid"]


def test_evaluate_scores_the_rankings_match_prints(store_with_learned_weights: Path, tmp_path: Path) -> None:
    store = store_with_learned_weights
    queries = load_queries(LABELLED)
    batch = tmp_path / "labelled.jsonl"
    batch.write_text(
        "".join(MatchRequest.of(q.to_match_query()).model_dump_json() + "\n" for q in queries), encoding="utf-8"
    )
    res = runner.invoke(app, ["match", "--batch", str(batch), "-k", "10", "--store", str(store), "--encoder", "hashing"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert all("matches" in line for line in lines), [line for line in lines if "error" in line]
    ranked = {line["id"]: [m["id"] for m in line["matches"]] for line in lines}

    printed = evaluate({"hybrid": _Replay(ranked)}, queries, k=10).rankers["hybrid"]
    scored = _evaluate_json(store)
    assert (scored["ndcg"], scored["mrr"], scored["recall"]) == (
        round(printed.ndcg, 4), round(printed.mrr, 4), round(printed.recall, 4)
    )
    # the learned weights matter here, so a matcher built without them would be caught
    defaults = tmp_path / "defaults.json"
    save_weights(dict(DEFAULT_WEIGHTS), defaults)
    assert _evaluate_json(store, "--weights", str(defaults))["ndcg"] != scored["ndcg"]


def test_runtime_matcher_uses_the_store_weights_and_vector_cache(store_with_learned_weights: Path) -> None:
    rt = runtime(store=str(store_with_learned_weights), encoder="hashing")
    matcher = rt.matcher(rt.catalogue())
    assert matcher.weights_ == LEARNED
    assert matcher.vector_cache == str(store_with_learned_weights / "vectors")
    assert rt.matcher(rt.catalogue(), weights=None).weights_ == LEARNED  # None: the store's file


def test_a_fitted_matcher_needs_no_open_store_and_serves_threads(default_store_dir: str) -> None:
    rt = runtime(store=default_store_dir, encoder="hashing")
    matcher = rt.matcher(rt.catalogue())  # the store is closed again here
    query = MatchQuery(text="IT-Sicherheit nach einem Angriff", municipality="15083270", sector="C25")
    expected = [(m.centre.id, m.score) for m in matcher.match(query, k=5)]
    assert expected and matcher.match(query, k=1)[0].distance_km is not None

    results: list[list[tuple[str, float]]] = []

    def work() -> None:
        for _ in range(5):
            results.append([(m.centre.id, m.score) for m in matcher.match(query, k=5)])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20 and all(r == expected for r in results)


def test_settings_and_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from service.settings import Settings

    rt = runtime(settings=Settings(store=str(tmp_path / "s"), cache_dir=str(tmp_path / "c"), encoder="onnx"))
    assert rt.location == str(tmp_path / "s") and not rt.remote
    assert rt.model_options()["encoder"] == "onnx"
    assert rt.model_options()["model_cache_dir"] == str(tmp_path / "c" / "models")
    assert rt.weights_file == tmp_path / "s" / "matching-weights.json"
    assert runtime(store="x", encoder="hashing", settings=rt.settings).settings.encoder == "hashing"
    remote = runtime(store="http://example.org/sparql", settings=rt.settings)
    assert remote.remote and remote.vector_cache == tmp_path / "c" / "vectors"
    assert remote.weights_file.parent == tmp_path / "c"


def test_catalogue_snapshot_is_reused_until_the_store_changes(
    default_store_dir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rdflib import Graph, URIRef

    from matching.catalogue import Catalogue

    store = tmp_path / "store"
    shutil.copytree(default_store_dir, store, ignore=shutil.ignore_patterns("vectors"))
    rt = runtime(str(store))
    first = rt.catalogue()
    assert len(list((store / "vectors").glob("catalogue-*.json"))) == 1

    def no_store_read(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError("the store was read although its snapshot is current")

    with monkeypatch.context() as m:
        m.setattr(Catalogue, "from_store", no_store_read)
        again = rt.catalogue()
    assert again.centres == first.centres and again.regions == first.regions

    # a write to the store makes the snapshot stale: the new centre is seen, one snapshot is kept
    g = Graph().parse(format="turtle", data="""
        @prefix rm: <https://w3id.org/regiomatch/ontology#> . @prefix schema: <https://schema.org/> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <https://w3id.org/regiomatch/id/centre/zz-new> a rm:Centre ; dcterms:identifier "zz-new" ;
            schema:name "A centre added after the snapshot" .""")
    with rt.open_store(writable=True) as st:
        st.put_graph(URIRef("https://w3id.org/regiomatch/graph/imports/zz"), g, replace=False)
    after = rt.catalogue()
    assert [c.id for c in after.centres if c.id == "zz-new"] == ["zz-new"]
    assert len(after.centres) == len(first.centres) + 1
    assert len(list((store / "vectors").glob("catalogue-*.json"))) == 1


@pytest.mark.model
def test_descriptions_are_read_with_the_hub_topic_models_encoder_and_needs_with_the_default(
    default_store_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGIOMATCH_ENCODER", raising=False)
    rt = runtime(store=default_store_dir)
    catalogue = rt.catalogue(regions=False)
    centre = rt.suggester(catalogue, centre=True)
    assert centre.model_ is not None  # the hub topic model is used, with the encoder it was trained with
    need = rt.suggester(catalogue)
    assert need.model_ is None and need.classifier_ is not None  # needs: the need classifier, no hub model
    explicit = runtime(store=default_store_dir, encoder="hashing").suggester(catalogue, centre=True)
    assert explicit.encoder_.model_id != centre.encoder_.model_id  # an explicit encoder is kept


def test_apply_blas_threads_sets_the_process_count_and_zero_leaves_it() -> None:
    """In a fresh interpreter: the BLAS count is process-wide, and other tests' apps may set it
    from their background warm-up while this one runs."""
    import subprocess
    import sys

    pytest.importorskip("threadpoolctl")
    code = """
import json, numpy, threadpoolctl
from service.runtime import apply_blas_threads
def count():
    return sorted({i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"})
threadpoolctl.threadpool_limits(limits=2, user_api="blas")
out = [count(), apply_blas_threads(0), count(), apply_blas_threads(1), count()]
print(json.dumps(out))
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert json.loads(res.stdout) == [[2], None, [2], 1, [1]]  # 0 leaves it; 1 sets it and it stays
