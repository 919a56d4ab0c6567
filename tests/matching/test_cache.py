"""VectorCache: restarts re-encode nothing, a changed text is encoded alone."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from graph.errors import InvalidInput, UnreadableInput
from matching.cache import CacheStats, VectorCache
from matching.encoder import HashingEncoder


class CountingEncoder:
    """Wraps an encoder and records every text it is asked to encode."""

    def __init__(self, inner: HashingEncoder | None = None) -> None:
        self.inner = inner or HashingEncoder(dim=32)
        self.model_id = self.inner.model_id
        self.dim = self.inner.dim
        self.seen: list[str] = []
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.seen.extend(texts)
        return self.inner.encode(texts)


PROFILES = [
    "Maschinenbau, Schwaben, 120 Beschäftigte",
    "Bakery in Görlitz selling bread online",
    "Cybersecurity checks for craft businesses",
]


def test_returns_the_encoders_vectors_in_input_order(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    cache = VectorCache(tmp_path, encoder.model_id)
    texts = [PROFILES[2], PROFILES[0], PROFILES[2]]
    np.testing.assert_array_equal(cache.encode(texts, encoder), encoder.inner.encode(texts))
    assert encoder.seen == [PROFILES[2], PROFILES[0]]  # the repeat is encoded once
    assert cache.stats() == CacheStats(hits=1, misses=2, size=2)


def test_second_call_is_served_from_the_cache(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    cache = VectorCache(tmp_path, encoder.model_id)
    first = cache.encode(PROFILES, encoder)
    second = cache.encode(PROFILES, encoder)
    np.testing.assert_array_equal(first, second)
    assert encoder.calls == 1
    assert cache.stats() == CacheStats(hits=3, misses=3, size=3)


def test_restart_reencodes_nothing(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    VectorCache(tmp_path, encoder.model_id).encode(PROFILES, encoder)

    fresh_encoder = CountingEncoder()
    reopened = VectorCache(tmp_path, fresh_encoder.model_id)
    vectors = reopened.encode(PROFILES, fresh_encoder)
    assert fresh_encoder.seen == []
    np.testing.assert_array_equal(vectors, encoder.inner.encode(PROFILES))
    assert reopened.stats() == CacheStats(hits=3, misses=0, size=3)


def test_only_a_changed_text_is_reencoded(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    VectorCache(tmp_path, encoder.model_id).encode(PROFILES, encoder)

    edited = [PROFILES[0], PROFILES[1] + " and cakes", PROFILES[2]]
    after_restart = CountingEncoder()
    cache = VectorCache(tmp_path, after_restart.model_id)
    cache.encode(edited, after_restart)
    assert after_restart.seen == [edited[1]]
    assert cache.stats().size == 4  # the old version stays until pruned
    assert cache.prune(edited) == 1
    assert VectorCache(tmp_path, encoder.model_id).stats().size == 3


def test_encodes_missing_texts_in_batches(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    cache = VectorCache(tmp_path, encoder.model_id, batch_size=4)
    cache.encode([f"profile {i}" for i in range(10)], encoder)
    assert encoder.calls == 3


def test_without_autosave_nothing_is_written_until_flush(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    cache = VectorCache(tmp_path, encoder.model_id, autosave=False)
    cache.encode(PROFILES, encoder)
    assert VectorCache(tmp_path, encoder.model_id).stats().size == 0
    cache.flush()
    assert VectorCache(tmp_path, encoder.model_id).stats().size == 3


def test_model_ids_are_kept_apart(tmp_path: Path) -> None:
    small, large = CountingEncoder(HashingEncoder(dim=16)), CountingEncoder(HashingEncoder(dim=48))
    VectorCache(tmp_path, small.model_id).encode(PROFILES, small)
    vectors = VectorCache(tmp_path, large.model_id).encode(PROFILES, large)
    assert vectors.shape == (3, 48) and large.seen == PROFILES


def test_rejects_an_encoder_of_another_model(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, "some-other-model")
    with pytest.raises(InvalidInput, match="some-other-model"):
        cache.encode(PROFILES, HashingEncoder())


def test_empty_input_gives_an_empty_matrix(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    assert VectorCache(tmp_path, encoder.model_id).encode([], encoder).shape == (0, 32)


def test_two_writers_do_not_lose_each_others_vectors(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    one = VectorCache(tmp_path, encoder.model_id)
    two = VectorCache(tmp_path, encoder.model_id)
    assert one.stats().size == two.stats().size == 0  # both have read the (empty) file
    one.encode(PROFILES[:1], encoder)
    two.encode(PROFILES[1:], encoder)  # saves over one's file: must merge, not replace
    assert VectorCache(tmp_path, encoder.model_id).stats().size == 3


def test_concurrent_threads_share_one_cache(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    cache = VectorCache(tmp_path, encoder.model_id)
    texts = [f"company {i}" for i in range(200)]
    expected = encoder.inner.encode(texts)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            order = texts[offset:] + texts[:offset]
            got = cache.encode(order, encoder)
            np.testing.assert_array_equal(got, np.roll(expected, -offset, axis=0))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k * 25,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert VectorCache(tmp_path, encoder.model_id).stats().size == 200


def test_a_corrupt_file_is_reported_not_silently_dropped(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    cache = VectorCache(tmp_path, encoder.model_id)
    cache.encode(PROFILES, encoder)
    cache.path.write_bytes(b"not a numpy file")
    with pytest.raises(UnreadableInput, match=cache.path.name):
        VectorCache(tmp_path, encoder.model_id).stats()


def test_unwritable_directory_keeps_vectors_in_memory_and_warns_once(tmp_path: Path, monkeypatch) -> None:
    import errno
    import tempfile

    from matching.cache import CacheNotWritable

    def refuse(*args, **kwargs):  # a read-only store (file modes do not bind root, so simulated)
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    encoder = CountingEncoder()
    cache = VectorCache(tmp_path / "vectors", encoder.model_id)
    with pytest.warns(CacheNotWritable, match="not writable") as record:
        first = cache.encode(PROFILES[:2], encoder)
        second = cache.encode(PROFILES, encoder)
    assert len(record) == 1
    np.testing.assert_array_equal(first, second[:2])
    assert encoder.seen == PROFILES  # served from memory after the failed write
    assert not list((tmp_path / "vectors").glob("*.npz"))
