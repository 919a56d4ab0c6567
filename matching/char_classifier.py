"""The need classifier's second reader: character n-grams of the need's own words.

The embedding classifier (``matching.concept_classifier``) reads a need through its
sentence vector; this one reads its spelling: TF-IDF over the character 3- to 5-grams
inside words (scikit-learn's ``char_wb`` analyser, sublinear term frequency, L2 norm) and
a softmax regression over the same concepts, trained on the same texts (labels,
definitions, example needs). German compounds and inflections share n-grams with the
training words ("Tourenplanung", "Lagerbestand", "verschlüsselt"), which a sentence
vector may blur. ``TopicSuggester`` mixes the two (``CHAR_WEIGHT``) when it has the need's
text.

At run time it is plain Python and numpy: the analyser works word by word, so each word's
known n-gram columns are looked up once and remembered (a bounded dict); a need's columns
are its words' together, counted, weighted and multiplied with the rows of the weights they
hit (about 300 of 31,000): the same numbers scikit-learn gives (tested), in about 50 µs. Stored as gzip'd JSON (vocabulary,
idf, intercept) followed by the float16 weights, with no timestamp.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput
from matching._files import load_artefact

__all__ = ["CharNgramClassifier", "DEFAULT_CHAR_CLASSIFIER", "load_char_classifier", "train_char_classifier"]

DEFAULT_CHAR_CLASSIFIER = Path(__file__).resolve().parent / "data" / "char_classifier.bin.gz"
_FORMAT = "regiomatch-char-classifier-1"
_NGRAMS = (3, 5)
_SPACES = re.compile(r"\s\s+")
_WORDS = 100_000  # remembered words (their n-gram columns)


def char_ngrams(text: str, low: int = _NGRAMS[0], high: int = _NGRAMS[1]) -> list[str]:
    """The n-grams scikit-learn's ``char_wb`` analyser makes of ``text`` (lower-cased): within each
    word padded with one space on either side; a word shorter than ``n`` counts once, whole."""
    return [g for word in _words(text) for g in _word_ngrams(word, low, high)]


def _words(text: str) -> list[str]:
    return _SPACES.sub(" ", text.lower()).split()


def _word_ngrams(word: str, low: int = _NGRAMS[0], high: int = _NGRAMS[1]) -> list[str]:
    w = f" {word} "
    size = len(w)
    out: list[str] = []
    for n in range(low, high + 1):
        if size <= n:
            out.append(w)
            break
        out.extend(w[i : i + n] for i in range(size - n + 1))
    return out


@dataclass(frozen=True, eq=False)
class CharNgramClassifier:
    """Softmax regression over TF-IDF character n-grams: ``vocab`` the n-grams in column order,
    ``idf`` ``(n_features,)``, ``coef`` ``(n_features, n_keys)``, ``intercept`` ``(n_keys,)`` over
    concept ``keys`` (``scheme:key``); ``figures`` what the build measured."""

    keys: tuple[str, ...]
    vocab: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n, k = len(self.vocab), len(self.keys)
        if self.idf.shape != (n,) or self.coef.shape != (n, k) or self.intercept.shape != (k,):
            raise InvalidInput(
                f"char classifier shapes disagree: {n} n-grams, idf {self.idf.shape}, coef {self.coef.shape}, "
                f"intercept {self.intercept.shape}, {k} keys"
            )

    @functools.cached_property
    def _column(self) -> dict[str, int]:
        return {g: j for j, g in enumerate(self.vocab)}

    @functools.cached_property
    def _word_columns(self) -> dict[str, np.ndarray]:
        return {}  # word -> its known n-grams' columns, filled as needs are read

    def _columns(self, word: str) -> np.ndarray:
        cols = self._word_columns.get(word)
        if cols is None:
            col = self._column
            cols = np.array([j for j in map(col.get, _word_ngrams(word)) if j is not None], dtype=np.intp)
            if len(self._word_columns) >= _WORDS:
                self._word_columns.clear()
            self._word_columns[word] = cols
        return cols

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The columns of ``text``'s known n-grams and their TF-IDF weights (sublinear tf, L2 norm)."""
        parts = [self._columns(w) for w in _words(text)]
        found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
        if not found.size:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        idx, counts = np.unique(found, return_counts=True)
        w = (1.0 + np.log(counts)) * self.idf[idx]
        return idx, (w / np.sqrt(w @ w)).astype(np.float32)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(concept | text) ``(n, n_keys)``; rows sum to 1 (a text without a known n-gram gets the
        intercept's distribution)."""
        z = np.tile(self.intercept.astype(np.float64), (len(texts), 1))
        for r, text in enumerate(texts):
            idx, w = self.features(text)
            if idx.size:
                z[r] += w @ self.coef[idx]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def to_bytes(self) -> bytes:
        """gzip (no timestamp) of a JSON header and the float16 weights: byte-for-byte reproducible."""
        header = json.dumps({
            "format": _FORMAT, "keys": list(self.keys), "vocab": list(self.vocab),
            "idf": [round(float(v), 6) for v in self.idf], "intercept": [round(float(v), 6) for v in self.intercept],
            "figures": self.figures,
        }, sort_keys=True, ensure_ascii=False).encode("utf-8")
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as f:
            f.write(struct.pack("<I", len(header)) + header + self.coef.astype("<f2").tobytes())
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "char classifier") -> CharNgramClassifier:
        try:
            raw = gzip.decompress(data)
            (size,) = struct.unpack("<I", raw[:4])
            doc = json.loads(raw[4 : 4 + size])
            if doc.get("format") != _FORMAT:
                raise ValueError(f"format {doc.get('format')!r}, expected {_FORMAT!r}")
            keys, vocab = tuple(doc["keys"]), tuple(doc["vocab"])
            # float32 in memory: a need reads ~200 rows, and widening float16 rows per need costs more than they save
            coef = np.frombuffer(raw[4 + size :], dtype="<f2").reshape(len(vocab), len(keys)).astype(np.float32)
            return cls(keys, vocab, np.asarray(doc["idf"], dtype=np.float32), coef,
                       np.asarray(doc["intercept"], dtype=np.float32), dict(doc.get("figures", {})))
        except (OSError, ValueError, KeyError, TypeError, struct.error, EOFError) as exc:
            raise UnreadableInput(
                f"{source} is not a regiomatch char classifier ({exc}); "
                "rebuild it with python -m matching.build_concept_classifier"
            ) from None


def load_char_classifier(path: str | Path | None = None) -> CharNgramClassifier | None:
    """The classifier at ``path`` (default: the committed one; None when that file is absent), read
    once per process while the file is unchanged."""
    return load_artefact(path, DEFAULT_CHAR_CLASSIFIER, "char classifier", CharNgramClassifier.from_bytes)


def train_char_classifier(
    texts: Sequence[str], labels: Sequence[int], keys: Sequence[str], *, c: float = 10.0, min_df: int = 2
) -> CharNgramClassifier:
    """Fit TF-IDF over character n-grams and the softmax regression on ``texts`` whose concept is
    ``keys[labels[i]]`` (scikit-learn, training only)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels)
    if len(texts) != y.shape[0] or y.size == 0:
        raise InvalidInput(f"{len(texts)} texts and {y.shape[0]} labels disagree (or are none)")
    if set(np.unique(y)) != set(range(len(keys))):
        raise InvalidInput("every concept needs at least one training text")
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=_NGRAMS, sublinear_tf=True, min_df=min_df, lowercase=True)
    x = vec.fit_transform(list(texts))
    m = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    vocab = tuple(sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__))
    # rounded as the file keeps them, so the trained classifier and the one read back are the same
    idf, intercept = (np.round(a, 6).astype(np.float32) for a in (vec.idf_, m.intercept_))
    coef = m.coef_.T.astype(np.float16).astype(np.float32)  # the values the file keeps
    return CharNgramClassifier(tuple(keys), vocab, idf, coef, intercept,
                               {"c": c, "min_df": min_df, "texts": len(texts)})
