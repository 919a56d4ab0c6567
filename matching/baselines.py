"""Baseline rankers: what the hybrid ``CentreMatcher`` has to beat.

Same interface as ``CentreMatcher`` (scikit-learn style: ``fit(catalogue)`` returns
``self``, learned attributes end in ``_``, ``match(query, k) -> list[Match]``):

- :class:`RandomRanker` — a random order, reproducible per query (seeded by
  ``seed`` and the query text).
- :class:`NearestRanker` — by great-circle distance from the query's municipality
  (or district centroid) to each centre's municipality; centres without a location
  follow in random order. Without a query location the whole order is random.
- :class:`TfidfRanker` — scikit-learn ``TfidfVectorizer`` cosine of the query text
  against the centres' profile texts, nothing else.
- :class:`EmbeddingRanker` — encoder cosine of the query text against the
  centres' profile texts, nothing else.
- :class:`TopicOnlyRanker` — the centres' engagement level with the need's
  detected topic(s) (technology areas and service types), nothing else: the
  topics the query names, else those whose labels the text names, else the one
  concept the topic linker scores highest; ties in random order.

The profile texts are the hybrid matcher's own (``matching.ranker.centre_profile``),
so the text baselines differ from the hybrid only in what the hybrid adds.
"""

from __future__ import annotations

import os
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import UnknownEntity
from matching._base import Estimator, check_k, encode_cached, resolve_encoder
from matching._geo import haversine_km
from matching.query import Match, MatchQuery, Reason

if TYPE_CHECKING:
    from graph.records import Centre
    from matching.catalogue import Catalogue
    from matching.encoder import Encoder

__all__ = [
    "RandomRanker", "NearestRanker", "TfidfRanker", "EmbeddingRanker", "TopicOnlyRanker", "default_baselines",
]

def _profiles(centres: tuple[Centre, ...]) -> list[str]:
    from matching.ranker import centre_profile

    return [centre_profile(c) for c in centres]


def _query_rng(seed: int, query: MatchQuery) -> np.random.Generator:
    # Seeded by the text too, so each query gets its own (reproducible) order.
    return np.random.default_rng([seed, zlib.crc32(query.text.encode("utf-8"))])


def _top(centres: tuple[Centre, ...], scores: np.ndarray, k: int, factor: str,
         km: np.ndarray | None = None, why: str = "") -> list[Match]:
    order = np.argsort(-scores, kind="stable")[:k]
    out = []
    for i in order:
        d = None if km is None or np.isnan(km[i]) else round(float(km[i]), 1)
        score = round(float(scores[i]), 4)
        out.append(Match(centres[i], score, d, (Reason(factor, score, why),)))
    return out


class RandomRanker(Estimator):
    """Centres in a random order (seeded; the same query always gets the same order)."""

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed

    def fit(self, catalogue: Catalogue) -> RandomRanker:
        self.centres_ = tuple(catalogue.centres)
        return self

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        self._check_fitted("centres_")
        k = check_k(k)
        scores = _query_rng(self.seed, query).random(len(self.centres_))
        return _top(self.centres_, scores, k, "random", why="random order (baseline)")


class NearestRanker(Estimator):
    """Centres by distance from the query's location; random order where unknown.

    ``needs_location``: ``evaluate`` does not score it on queries that give no location.
    """

    needs_location = True

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed

    def fit(self, catalogue: Catalogue) -> NearestRanker:
        self.centres_ = tuple(catalogue.centres)
        self.regions_ = catalogue.regions
        self.lat_ = np.radians([np.nan if c.lat is None else c.lat for c in self.centres_])
        self.lon_ = np.radians([np.nan if c.lon is None else c.lon for c in self.centres_])
        return self

    def distances(self, municipality: str) -> np.ndarray:
        """Great-circle km ``(n_centres,)`` from an AGS's centre point; NaN where unknown."""
        self._check_fitted("centres_")
        region = self.regions_.get(municipality)
        if region is None:
            raise UnknownEntity(
                f"no municipality or district with AGS {municipality!r} in the catalogue "
                "(expected 8 digits for a municipality, 5 for a district)"
            )
        if region.lat is None or region.lon is None:
            return np.full(len(self.centres_), np.nan)
        return haversine_km(np.radians(region.lat), np.radians(region.lon), self.lat_, self.lon_)

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        self._check_fitted("centres_")
        k = check_k(k)
        tie = _query_rng(self.seed, query).random(len(self.centres_))  # in [0, 1)
        if query.municipality is None:
            return _top(self.centres_, tie, k, "distance", why="no location given: random order")
        km = self.distances(query.municipality)
        # Located centres score in (1, 2], nearer higher; unlocated ones in [0, 1).
        with np.errstate(invalid="ignore"):
            near = np.where(np.isnan(km), tie, 2.0 - km / (km[~np.isnan(km)].max(initial=0.0) + 1.0))
        return _top(self.centres_, near, k, "distance", km=km, why="nearest centre (baseline)")


class TfidfRanker(Estimator):
    """TF-IDF cosine of the query text against the centres' profile texts."""

    def __init__(self, *, ngram_range: tuple[int, int] = (1, 2), sublinear_tf: bool = True) -> None:
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf

    def fit(self, catalogue: Catalogue) -> TfidfRanker:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.centres_ = tuple(catalogue.centres)
        self.vectorizer_ = TfidfVectorizer(
            ngram_range=tuple(self.ngram_range), sublinear_tf=self.sublinear_tf, strip_accents="unicode"
        )
        self.matrix_ = self.vectorizer_.fit_transform(_profiles(self.centres_))
        return self

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        self._check_fitted("matrix_")
        k = check_k(k)
        q = self.vectorizer_.transform([query.text])
        scores = np.asarray((self.matrix_ @ q.T).todense()).ravel()
        return _top(self.centres_, scores, k, "text", why="TF-IDF similarity of texts (baseline)")


class EmbeddingRanker(Estimator):
    """Encoder cosine of the query text against the centres' profile texts."""

    def __init__(
        self,
        *,
        encoder: str | Encoder = "onnx-int8",
        model: str | None = None,
        model_cache_dir: str | None = None,
        vector_cache: str | os.PathLike[str] | None = None,
    ) -> None:
        self.encoder = encoder
        self.model = model
        self.model_cache_dir = model_cache_dir
        self.vector_cache = vector_cache

    def fit(self, catalogue: Catalogue, *, encoder: Encoder | None = None) -> EmbeddingRanker:
        """Embed the centre profiles; ``encoder`` shares an already loaded model."""
        self.centres_ = tuple(catalogue.centres)
        self.encoder_ = encoder or resolve_encoder(self.encoder, self.model, self.model_cache_dir)
        self.vectors_ = encode_cached(_profiles(self.centres_), self.encoder_, self.vector_cache)
        return self

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        self._check_fitted("vectors_")
        k = check_k(k)
        q = np.asarray(self.encoder_.encode([query.text]), dtype=np.float32)[0]
        scores = self.vectors_ @ q
        return _top(self.centres_, scores, k, "text", why="embedding similarity of texts (baseline)")


class TopicOnlyRanker(Estimator):
    """Centres by their engagement level (1–5) with the need's detected topic(s).

    The need's concepts, technology and service alike: those the query names
    (``topics``), else those whose labels its text names (lexical evidence over
    0.5, as the hybrid counts them), else the single concept the topic linker
    (labels and embeddings) scores highest. A centre scores the mean of its
    levels / 5 over these, weighted by how strongly each was found; exact
    concepts only, no credit for related ones. Equal scores are ordered at random
    (seeded per query).
    """

    def __init__(self, *, encoder: str | Encoder = "onnx-int8", model: str | None = None,
                 model_cache_dir: str | None = None, vector_cache: str | os.PathLike[str] | None = None,
                 seed: int = 0) -> None:
        self.encoder = encoder
        self.model = model
        self.model_cache_dir = model_cache_dir
        self.vector_cache = vector_cache
        self.seed = seed

    def fit(self, catalogue: Catalogue, *, encoder: Encoder | None = None) -> TopicOnlyRanker:
        """Index the schemes' labels and the centres' levels; ``encoder`` shares a loaded model."""
        from matching._concepts import ConceptFit
        from matching._resolve import QueryResolver
        from matching.topics import TopicSuggester

        self.centres_ = tuple(catalogue.centres)
        self.encoder_ = encoder or resolve_encoder(self.encoder, self.model, self.model_cache_dir)
        # the need's topics found as CentreMatcher finds them by default: from the need alone
        common = dict(encoder=self.encoder_, vector_cache=self.vector_cache, prior_weight=0.0, model_weight=0.0,
                      definition_weight=0.0)
        self.suggesters_ = tuple(
            TopicSuggester(scheme=scheme, **common).fit(catalogue, encoder=self.encoder_)  # type: ignore[arg-type]
            for scheme in ("technology", "service")
        )
        self.levels_ = tuple(ConceptFit(self.centres_, s.concepts_, s.scheme).levels for s in self.suggesters_)
        self.resolver_ = QueryResolver(catalogue, *self.suggesters_)
        return self

    def topic_weights(self, query: MatchQuery) -> tuple[np.ndarray, np.ndarray]:
        """The need's weight on each technology and each service concept (see the class docstring)."""
        self._check_fitted("levels_")
        p = self.resolver_.prepare(query)
        weights = []
        for s, rows, analysis in zip(self.suggesters_, (p.topic_rows, p.service_rows), (p.topics, p.services)):
            q = np.where((analysis.lexical > 0.5) & s.candidates_, analysis.lexical, 0.0).astype(np.float32)
            q[list(rows)] = 1.0
            weights.append(q)
        if p.text and not any(q.any() for q in weights):
            vector = np.asarray(self.encoder_.encode([p.text]), dtype=np.float32)[0]
            scores = [np.where(s.candidates_, s.scores(a, vector), -1.0)
                      for s, a in zip(self.suggesters_, (p.topics, p.services))]
            best = max(range(len(scores)), key=lambda n: float(scores[n].max(initial=-1.0)))
            j = int(np.argmax(scores[best]))
            weights[best][j] = max(float(scores[best][j]), 1e-3)
        return weights[0], weights[1]

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        self._check_fitted("levels_")
        k = check_k(k)
        weights = self.topic_weights(query)
        total = sum(float(q.sum()) for q in weights)
        fit = np.zeros(len(self.centres_), dtype=np.float64)
        if total > 0:
            fit = sum(levels @ q for levels, q in zip(self.levels_, weights)) / total
        tie = _query_rng(self.seed, query).random(len(self.centres_))
        scores = np.round(fit, 6) + 1e-7 * tie  # the level decides; chance only among equals
        return _top(self.centres_, scores, k, "topic", why="engagement level with the need's topics (baseline)")


def default_baselines(catalogue: Catalogue, *, encoder: Encoder | None = None, seed: int = 0,
                      **embedding: Any) -> dict[str, Estimator]:
    """The five baselines, fitted on ``catalogue`` (``encoder`` shared with the hybrid)."""
    return {
        "random": RandomRanker(seed=seed).fit(catalogue),
        "nearest": NearestRanker(seed=seed).fit(catalogue),
        "tfidf": TfidfRanker().fit(catalogue),
        "embedding": EmbeddingRanker(**embedding).fit(catalogue, encoder=encoder),
        "topic-only": TopicOnlyRanker(seed=seed, **embedding).fit(catalogue, encoder=encoder),
    }
