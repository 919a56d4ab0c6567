"""Encoders: the contract every backend keeps, and agreement of the fast paths with the reference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graph.errors import InvalidInput
from matching._probe_sentences import PROBE_SENTENCES
from matching.encoder import (
    ENCODER_KINDS,
    Encoder,
    HashingEncoder,
    OnnxEncoder,
    SentenceTransformerEncoder,
    make_encoder,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


# -- fixtures: the real model, loaded once per session ------------------------------------


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def reference() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder()


@pytest.fixture(scope="session")
def onnx_fp32(onnx_cache: Path) -> OnnxEncoder:
    return OnnxEncoder(cache_dir=onnx_cache, quantize=False)


@pytest.fixture(scope="session")
def onnx_int8(onnx_cache: Path) -> OnnxEncoder:
    return OnnxEncoder(cache_dir=onnx_cache, quantize=True)


@pytest.fixture(scope="session")
def reference_vectors(reference: SentenceTransformerEncoder) -> np.ndarray:
    return reference.encode(PROBE_SENTENCES)


@pytest.fixture(
    scope="session", params=["sentence-transformers", "onnx", "onnx-int8"]
)
def model_encoder(request: pytest.FixtureRequest) -> Encoder:
    name = {"sentence-transformers": "reference", "onnx": "onnx_fp32", "onnx-int8": "onnx_int8"}
    return request.getfixturevalue(name[request.param])


def _assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# -- the contract, for every real backend ---------------------------------------------------


@pytest.mark.model
def test_real_encoders_return_unit_rows_of_model_width(model_encoder: Encoder) -> None:
    assert isinstance(model_encoder, Encoder)
    assert model_encoder.dim == 384
    _assert_unit_rows(model_encoder.encode(["Hallo Welt", "ransomware attack", "x"]), 3, 384)


@pytest.mark.model
def test_real_encoders_return_empty_matrix_for_no_texts(model_encoder: Encoder) -> None:
    assert model_encoder.encode([]).shape == (0, 384)


@pytest.mark.model
def test_real_encoders_rank_by_meaning(model_encoder: Encoder) -> None:
    query, cyber, agri = model_encoder.encode(["ransomware attack", "Cybersecurity", "Agriculture"])
    assert query @ cyber > query @ agri + 0.1
    robots, automation, health = model_encoder.encode(
        ["robots for assembly lines", "Robotics and automation", "Health care"]
    )
    assert robots @ automation > robots @ health + 0.1
    # No German pair here on purpose: all-MiniLM-L6-v2 is an English model and
    # ranks German paraphrases unreliably (e.g. "Hackerangriff" is nearer to
    # "Ackerbau" than to "IT-Sicherheit"); German profiles need a multilingual model.


@pytest.mark.model
def test_model_ids_distinguish_backends(
    reference: Encoder, onnx_fp32: Encoder, onnx_int8: Encoder
) -> None:
    # Vector caches key on the id: int8 vectors must never be served for fp32 ones.
    assert len({reference.model_id, onnx_fp32.model_id, onnx_int8.model_id}) == 3


# -- agreement with the reference -----------------------------------------------------------


@pytest.mark.model
def test_onnx_fp32_matches_reference(onnx_fp32: OnnxEncoder, reference_vectors: np.ndarray) -> None:
    cosines = np.sum(onnx_fp32.encode(PROBE_SENTENCES) * reference_vectors, axis=1)
    assert cosines.min() > 0.9999


@pytest.mark.model
def test_onnx_int8_stays_close_to_reference(
    onnx_int8: OnnxEncoder, reference_vectors: np.ndarray
) -> None:
    cosines = np.sum(onnx_int8.encode(PROBE_SENTENCES) * reference_vectors, axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= 0.98, (PROBE_SENTENCES[worst], cosines[worst])
    assert cosines.mean() >= 0.99


@pytest.mark.model
def test_onnx_vectors_do_not_depend_on_batching(onnx_fp32: OnnxEncoder) -> None:
    texts = list(PROBE_SENTENCES[:40])
    together = onnx_fp32.encode(texts)
    alone = np.vstack([onnx_fp32.encode([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


@pytest.mark.model
def test_onnx_truncates_like_the_reference(
    onnx_fp32: OnnxEncoder, reference: SentenceTransformerEncoder
) -> None:
    long_text = "Industrie 4.0 " * 400  # far beyond 256 word pieces
    longer = long_text + "und ganz andere Landwirtschaft am Ende"
    a, b = onnx_fp32.encode([long_text, longer])
    assert a @ b > 0.99999  # the tail past the limit is cut off
    assert float(a @ reference.encode([long_text])[0]) > 0.9999


# -- export and loading ---------------------------------------------------------------------


@pytest.mark.model
def test_export_happens_once_per_weights(onnx_int8: OnnxEncoder, onnx_cache: Path) -> None:
    path = onnx_int8.onnx_path
    assert path.is_file() and path.parent.parent.parent == onnx_cache
    mtime = path.stat().st_mtime_ns
    again = OnnxEncoder(cache_dir=onnx_cache, quantize=True)
    assert again.onnx_path == path and path.stat().st_mtime_ns == mtime
    assert not list(path.parent.glob("*.tmp"))


@pytest.mark.model
def test_onnx_encoder_runs_without_torch_or_transformers(
    onnx_int8: OnnxEncoder, onnx_cache: Path
) -> None:
    onnx_int8.encode(["warm the export"])  # make sure the file exists
    code = (
        "import sys\n"
        "from matching.encoder import OnnxEncoder\n"
        f"v = OnnxEncoder(cache_dir={str(onnx_cache)!r}).encode(['KI für KMU'])\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]\n"
        "print(v.shape, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(1, 384) []"


# -- the fake and the factory ---------------------------------------------------------------


def test_hashing_encoder_is_deterministic_across_processes() -> None:
    texts = ["Cybersicherheit für KMU", "", "  x  "]
    here = HashingEncoder().encode(texts)
    _assert_unit_rows(here, 3, 384)
    code = (
        "from matching.encoder import HashingEncoder\n"
        f"print(HashingEncoder().encode({texts!r}).tobytes().hex())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert bytes.fromhex(out.stdout.strip()) == here.tobytes()


def test_hashing_encoder_reflects_shared_characters_only() -> None:
    a, b, c = HashingEncoder(dim=256).encode(["digital innovation hub", "Digital Innovation Hubs", "Ackerbau"])
    assert a @ b > a @ c
    assert HashingEncoder(dim=16).encode([]).shape == (0, 16)


def test_encoders_reject_a_bare_string() -> None:
    with pytest.raises(InvalidInput, match="not one string"):
        HashingEncoder().encode("one text")  # type: ignore[arg-type]


def test_make_encoder_names_the_bad_kind_and_the_valid_ones() -> None:
    with pytest.raises(InvalidInput) as info:
        make_encoder("word2vec")
    message = str(info.value)
    assert "'word2vec'" in message
    assert all(kind in message for kind in ENCODER_KINDS)


def test_make_encoder_builds_without_loading() -> None:
    assert isinstance(make_encoder("hashing"), HashingEncoder)
    encoder = make_encoder("onnx-int8")
    assert isinstance(encoder, OnnxEncoder) and encoder.quantize
    assert encoder._state is None  # nothing loaded until first use


@pytest.mark.parametrize("backend", [SentenceTransformerEncoder, OnnxEncoder])
def test_unknown_model_is_reported_by_name(backend: type) -> None:
    with pytest.raises(InvalidInput, match="no/such-model"):
        backend("no/such-model").encode(["x"])
