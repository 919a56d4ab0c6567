"""Rank centres for an SME's need: a hybrid of text, topics, services, sector and place.

``CentreMatcher(...).fit(catalogue).match(MatchQuery(...), k=10)`` returns
:class:`~matching.query.Match` objects. Five factors, each in [0, 1], describe a centre
for a need: **text** (cosine of the need's embedding with the centre's profile),
**topic** and **service** (the centre's engagement, level / 5, with the need's concepts:
given ones, labels found in the text, or those suggested from it; related, broader and
sibling concepts earn partial credit, ``matching._concepts``), **sector** (NACE through
the sector concepts' ``skos:closeMatch``) and **geography** (``matching._geo``).

By default the score is the learned ranking of ``matching.rank_model``: a non-negative
weighted sum of features that each belong to one factor (expertise within reach, the
state's general centre, ...), fitted on judged needs, so reasons stay per factor and add
up to the score. With explicit ``weights`` (a dict, or a weights file that ``regiomatch
train`` learned from outcomes) it is the plain weighted sum of the five factors
(``matching.weights``). Either way the expertise rule (``matching.expertise``) then keeps
centres without the named topic below the specialists within reach, and the trade rule
(``matching.trades``) centres for one trade only below every centre open to the asker's.

The need's text is encoded once; its vector is mixed with the vectors of
"(Topics: <English label>)" for the topics whose labels it names outright, weighted by
word counts (close to encoding the text with the labels appended, but the label vectors
are computed once at ``fit``). Text longer than 10,000 characters is refused
(``InvalidInput``), never silently cut.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.errors import InvalidInput, RegiomatchError
from matching._base import Estimator, check_k, encode_cached, matvec, resolve_encoder
from matching._concepts import ConceptFit, SectorFit
from matching._geo import GeoIndex
from matching._lru import LRU
from matching._resolve import Prepared, QueryResolver
from matching.expertise import Assessment, ExpertiseIndex
from matching.query import Match, MatchQuery
from matching.rank_features import RankFeatures, concept_scores, levels_for_ranking, need_is_sure
from matching.rank_model import DEFAULT_RANK_MODEL, RankModel, load_rank_model
from matching.reasons import FactorRow, QueryContext, ReasonWriter
from matching.topics import NEED_CLASSIFIER_WEIGHT, TopicSuggester
from matching.trades import TradeIndex
from matching.weights import DEFAULT_WEIGHTS, FACTORS, ExpertiseRule, resolve_weights

if TYPE_CHECKING:
    from graph.records import Centre
    from matching.catalogue import Catalogue
    from matching.encoder import Encoder

__all__ = ["CentreMatcher", "FACTORS", "DEFAULT_WEIGHTS", "centre_profile"]

def centre_profile(c: Centre) -> str:
    """The text a centre is embedded from; labels first so long descriptions cannot crowd them out."""
    parts = [c.name]
    if c.title and c.title != c.name:
        parts.append(c.title)
    for head, engagements in (("Topics", c.topics), ("Services", c.services), ("Sectors", c.sectors)):
        if engagements:
            labels = [
                e.label_en + (f" ({e.label_de})" if e.label_de and e.label_de != e.label_en else "")
                for e in engagements
            ]
            parts.append(f"{head}: {', '.join(labels)}")
    if c.description:
        parts.append(c.description)
    return ". ".join(parts)


class CentreMatcher(Estimator):
    """Hybrid ranker of centres for SME needs; see the module docstring.

    Hyper-parameters (keyword only, stored as given): ``encoder`` (kind name for
    ``make_encoder`` or an Encoder instance), ``model``, ``model_cache_dir``,
    ``vector_cache`` (directory of the persistent vector cache; None: encode in
    memory), ``weights`` (None: ``DEFAULT_WEIGHTS``; a dict of factor → weight,
    missing factors 0; or a path to a weights file written by
    ``matching.learn.save_weights``), ``distance_scale_km`` (distance decay),
    ``suggest_k`` and ``min_topic_score`` (how many suggested topics, and how
    sure, count as the need's topics when none are given), ``lexical_weight``,
    ``expertise_first`` (apply ``matching.expertise``'s rule; False: the plain
    weighted sum), ``trade_first`` (rank centres for another trade last, ``matching.trades``),
    ``query_cache_size`` (recent query texts whose vectors are kept, so none is encoded twice; 0: none),
    ``rank_model`` (``"default"``: the committed learned ranking; a path or RankModel; None:
    the weighted sum), ``definition_weight`` (share of definition linking in the topic scores, see
    ``matching.topics``; 0 keeps the tuned label-and-embedding topics).

    Fitted attributes: ``centres_``, ``centre_vectors_`` ``(n_centres, dim)``,
    ``weights_``, ``topic_suggester_``, ``service_suggester_``, ``encoder_``,
    ``expertise_``, ``query_vectors_`` (the recent query vectors).
    """

    FACTORS = FACTORS

    def __init__(
        self,
        *,
        encoder: str | Encoder = "use-multilingual",
        model: str | None = None,
        model_cache_dir: str | None = None,
        vector_cache: str | os.PathLike[str] | None = None,
        weights: Mapping[str, float] | str | os.PathLike[str] | None = None,
        distance_scale_km: float = 100.0,
        suggest_k: int = 3,
        definition_weight: float = 0.0,
        min_topic_score: float = 0.25,
        lexical_weight: float = 0.5,
        expertise_first: bool = True,
        trade_first: bool = True,
        query_cache_size: int = 1024,
        rank_model: str | os.PathLike[str] | RankModel | None = "default",
    ) -> None:
        self.encoder = encoder
        self.model = model
        self.model_cache_dir = model_cache_dir
        self.vector_cache = vector_cache
        self.weights = weights
        self.distance_scale_km = distance_scale_km
        self.suggest_k = suggest_k
        self.definition_weight = definition_weight
        self.min_topic_score = min_topic_score
        self.lexical_weight = lexical_weight
        self.expertise_first = expertise_first
        self.trade_first = trade_first
        self.query_cache_size = query_cache_size
        self.rank_model = rank_model

    # ------------------------------------------------------------------ fit

    def fit(self, catalogue: Catalogue) -> CentreMatcher:
        """Encode the centres and precompute every per-centre matrix; returns ``self``."""
        if not catalogue.centres:
            raise InvalidInput("the catalogue has no centres: build or load a store with centres first")
        if not float(self.distance_scale_km) > 0:
            raise InvalidInput(f"distance_scale_km must be positive, got {self.distance_scale_km!r}")
        weights = resolve_weights(self.weights)
        encoder = resolve_encoder(self.encoder, self.model, self.model_cache_dir)
        common = dict(
            encoder=encoder, vector_cache=self.vector_cache, lexical_weight=self.lexical_weight,
            prior_weight=0.0, model_weight=0.0,  # a need's topics come from the need, not from hub statistics
            classifier_weight=NEED_CLASSIFIER_WEIGHT,
            definition_weight=self.definition_weight,
        )
        topics = TopicSuggester(scheme="technology", **common).fit(catalogue, encoder=encoder)  # type: ignore[arg-type]
        services = TopicSuggester(scheme="service", **common).fit(catalogue, encoder=encoder)  # type: ignore[arg-type]
        centres = tuple(catalogue.centres)
        self.encoder_ = encoder
        self.weights_ = weights
        self.weight_vector_ = np.array([weights[f] for f in FACTORS], dtype=np.float32)
        self.topic_suggester_ = topics
        self.service_suggester_ = services
        self.centres_ = centres
        self.centre_row_ = {c.iri: i for i, c in enumerate(centres)}
        self.centre_vectors_ = encode_cached([centre_profile(c) for c in centres], encoder, self.vector_cache)
        self.topic_label_vectors_ = encode_cached(
            [_topic_label_text(c.label_en) for c in topics.concepts_], encoder, self.vector_cache
        )
        self.topic_label_words_ = np.array(
            [len(_topic_label_text(c.label_en).split()) for c in topics.concepts_], dtype=np.float32
        )
        self.topic_fit_ = ConceptFit(centres, topics.concepts_, "technology")
        self.service_fit_ = ConceptFit(centres, services.concepts_, "service")
        self.sector_fit_ = SectorFit(centres, catalogue.concepts_of("sector"), catalogue.concepts_of("nace"))
        self.geo_ = GeoIndex(centres, catalogue.neighbours("district"), self.distance_scale_km)
        self.resolver_ = QueryResolver(catalogue, topics, services)
        self.query_vectors_: LRU[np.ndarray] = LRU(self.query_cache_size)
        self.places_: LRU[tuple[np.ndarray, np.ndarray]] = LRU(256)
        self.trades_ = TradeIndex(centres, catalogue.concepts_of("trade"), catalogue.concepts_of("nace"))
        self.expertise_ = ExpertiseIndex(
            centres, topics.concepts_, self.topic_fit_.levels, services.concepts_, self.service_fit_.levels,
            ExpertiseRule(),
        )
        self.rank_model_ = self._load_rank_model()
        self.rank_features_ = RankFeatures(centres, self._levels_for_ranking(centres))
        fits = (self.topic_fit_, self.service_fit_, self.sector_fit_)
        self.reasons_ = ReasonWriter(weights, centres, *fits, self.geo_, self.trades_)
        return self

    def warm_up(self) -> int:
        """Prepare the encoder for the words of concepts and centres (a service, once): tokens prepared."""
        from matching.concept_classifier import training_texts
        from matching.multilingual import warm_encoder
        self._check_fitted("centre_vectors_")
        concepts = (*self.topic_suggester_.concepts_, *self.service_suggester_.concepts_)
        texts = [t for c in concepts for t in training_texts(c)] + [centre_profile(c) for c in self.centres_]
        return warm_encoder(self.encoder_, texts)

    def _levels_for_ranking(self, centres: Sequence[Centre]) -> np.ndarray:
        """Levels 0-5 of every centre in every technology then service concept (``levels_for_ranking``)."""
        ts, ss = self.topic_suggester_, self.service_suggester_
        cols = None if ts.classifier_ is None else np.concatenate([ts.classifier_columns_, ss.classifier_columns_])
        return levels_for_ranking(
            centres, 5.0 * np.concatenate([self.topic_fit_.levels, self.service_fit_.levels], axis=1),
            ts.classifier_, cols, self.centre_vectors_,
        )

    def _load_rank_model(self) -> RankModel | None:
        """The learned ranking (``matching.rank_model``) unless explicit weights ask for the weighted sum."""
        if self.weights is not None or self.rank_model is None:
            return None
        if isinstance(self.rank_model, RankModel):
            return self.rank_model
        return load_rank_model(DEFAULT_RANK_MODEL if self.rank_model == "default" else self.rank_model)

    # ------------------------------------------------------------------ ranking

    def match(self, query: MatchQuery, k: int = 10) -> list[Match]:
        """The ``k`` best centres for ``query``, best first, each with its reasons."""
        self._check_fitted("centre_vectors_")
        k = check_k(k)
        prepared = self.resolver_.prepare(query)
        return self._rank(prepared, self._encode([prepared])[0], k)

    def match_many(
        self, queries: Sequence[MatchQuery], k: int = 10, *, return_errors: bool = False
    ) -> list[Any]:
        """``match`` for many queries, encoding their texts in one batch.

        With ``return_errors`` a query that fails yields its ``RegiomatchError`` in
        its place instead of stopping the batch.
        """
        self._check_fitted("centre_vectors_")
        k = check_k(k)
        prepared: list[Prepared | RegiomatchError] = []
        for q in queries:
            try:
                prepared.append(self.resolver_.prepare(q))
            except RegiomatchError as exc:
                if not return_errors:
                    raise
                prepared.append(exc)
        ok = [p for p in prepared if isinstance(p, Prepared)]
        vectors = iter(self._encode(ok))
        return [p if not isinstance(p, Prepared) else self._rank(p, next(vectors), k) for p in prepared]

    def scores(self, query: MatchQuery) -> np.ndarray:
        """``(n_centres,)`` scores of every centre, in ``centres_`` order (as ``match`` ranks them)."""
        self._check_fitted("centre_vectors_")
        prepared = self.resolver_.prepare(query)
        _, _, ctx, contrib, _ = self._factors(prepared, self._encode([prepared])[0])
        return ctx.expertise.cap(contrib.sum(axis=1))

    def factor_matrix(self, query: MatchQuery) -> np.ndarray:
        """``(n_centres, len(FACTORS))`` factor values in [0, 1] for ``query`` (unweighted)."""
        self._check_fitted("centre_vectors_")
        prepared = self.resolver_.prepare(query)
        return self._factors(prepared, self._encode([prepared])[0])[0]

    def feature_matrix(self, query: MatchQuery) -> tuple[np.ndarray, Assessment]:
        """``(n_centres, len(FEATURES))`` features of the learned ranking for ``query`` and what the
        expertise rule found (its ``cap`` turns scores into the ranking's); what
        ``python -m matching.build_rank_model`` fits on."""
        self._check_fitted("centre_vectors_")
        prepared = self.resolver_.prepare(query)
        _, _, ctx, _, x = self._factors(prepared, self._encode([prepared])[0])
        return x, ctx.expertise

    # ------------------------------------------------------------------ internals

    def _encode(self, prepared: Sequence[Prepared]) -> np.ndarray:
        """``(len(prepared), dim)`` query vectors (zeros where there is no text)."""
        dim = self.centre_vectors_.shape[1]
        out = np.zeros((len(prepared), dim), dtype=np.float32)
        cache = self.query_vectors_
        raw: dict[str, np.ndarray] = {}
        for p in prepared:
            if p.text and p.text not in raw:
                v = cache.get(p.text)
                if v is not None:
                    raw[p.text] = v
        missing = list(dict.fromkeys(p.text for p in prepared if p.text and p.text not in raw))
        if missing:
            for text, v in zip(missing, np.asarray(self.encoder_.encode(missing), dtype=np.float32)):
                v.flags.writeable = False
                cache.put(text, v)
                raw[text] = v
        for row, p in enumerate(prepared):
            if p.text:
                out[row] = self._text_vector(p, raw[p.text])
        return out

    def _text_vector(self, p: Prepared, v: np.ndarray) -> np.ndarray:
        """Mix the need's vector with its named topics' label vectors, by word count.

        Mean pooling makes "text (Topics: A, B)" roughly the word-weighted mean of
        its parts, so this approximates encoding the longer text (module docstring).
        """
        if not p.direct_topics:
            return v
        rows = list(p.direct_topics)
        # "(Topics: " is said once, then each label: 2 words + the labels' own words
        label_words = 2.0 + float((self.topic_label_words_[rows] - 2.0).sum())
        labels = self.topic_label_vectors_[rows].mean(axis=0)
        mixed = len(p.text.split()) * v + label_words * labels
        return (mixed / np.linalg.norm(mixed)).astype(np.float32)

    def _factors(
        self, p: Prepared, vector: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, QueryContext, np.ndarray, np.ndarray]:
        """``(n_centres, len(FACTORS))`` factor values, ``(n_centres,)`` distances in km (NaN:
        unknown), what the reasons need to know about the query, ``(n_centres, len(FACTORS))``
        each factor's contribution to the score (they add up to it before the expertise cut) and
        the ``(n_centres, len(FEATURES))`` features of the learned ranking (``matching.rank_model``)."""
        n = len(self.centres_)
        f = np.zeros((n, len(FACTORS)), dtype=np.float32)
        has_text = bool(p.text)
        if has_text:
            f[:, 0] = np.clip(matvec(self.centre_vectors_, vector), 0.0, 1.0)
        ts, ss = self.topic_suggester_, self.service_suggester_
        # the need classifier's probabilities, once per need when both schemes share the classifier
        proba = ts.need_proba(vector, p.text) if has_text else None
        t_scores = ts.scores(p.topics, vector, proba=proba) if has_text else None
        s_scores = (
            ss.scores(p.services, vector, proba=proba if ss.classifier_ is ts.classifier_ else None)
            if has_text and len(ss.concepts_) else None
        )
        q_topic = self._topic_weights(p, t_scores)
        q_service = self._service_weights(p, s_scores)
        f[:, 1] = self.topic_fit_.scores(q_topic)
        f[:, 2] = self.service_fit_.scores(q_service)
        m_sector = self.sector_fit_.weights(p.nace_keys) if p.nace_keys else None
        if m_sector is not None:
            f[:, 3] = self.sector_fit_.scores(m_sector)
        trade = self.trades_.read(p) if self.trade_first and self.trades_.active else None
        if trade is not None and trade.own.any():
            f[trade.own, 3] = 1.0  # a centre for exactly the asker's trade (matching.trades)
        geo, km = self._place_scores(p)
        f[:, 4] = geo
        if not self.expertise_first:
            expertise = Assessment(trade=trade)
        else:
            cands, scores = (ts.candidates_, ss.candidates_), (t_scores, s_scores)
            expertise = self.expertise_.assess(p, cands, f[:, 3], km, scores, trade)
            if expertise.nearest_contact.any():
                f[expertise.nearest_contact, 4] *= self.expertise_.rule.proximity_share
        sure = need_is_sure(ts, p, vector if has_text else None, proba)
        main = self.rank_features_.main_concepts(concept_scores(ts, ss, p, t_scores, s_scores))
        x = self.rank_features_.matrix(f, km, main, p.place, p.text)
        if self.rank_model_ is None:
            contrib = f * self.weight_vector_
        else:
            contrib = self.rank_model_.contributions(x)
        return f, km, QueryContext(p, q_topic, q_service, m_sector, expertise, main, sure), contrib, x

    def _place_scores(self, p: Prepared) -> tuple[np.ndarray, np.ndarray]:
        """The geography factor and distances for the query's place, kept for recent places."""
        if p.place is None:
            return self.geo_.scores(None)
        hit = self.places_.get(p.place)
        if hit is None:
            hit = self.geo_.scores(p.place)
            for a in hit:
                a.flags.writeable = False
            self.places_.put(p.place, hit)
        return hit

    def _topic_weights(self, p: Prepared, scores: np.ndarray | None) -> np.ndarray:
        s = self.topic_suggester_
        q = np.zeros(len(s.concepts_), dtype=np.float32)
        q[list(p.topic_rows)] = 1.0
        if scores is None:
            return q
        lexical = (p.topics.lexical > 0.5) & s.candidates_  # found directly, not via a group label
        q = np.maximum(q, np.where(lexical, scores, 0.0))
        if not p.topic_rows and self.suggest_k > 0:
            ranked = np.argsort(-np.where(s.candidates_, scores, -1.0), kind="stable")[: self.suggest_k]
            keep = ranked[scores[ranked] >= self.min_topic_score]
            q[keep] = np.maximum(q[keep], scores[keep])
        return q

    def _service_weights(self, p: Prepared, scores: np.ndarray | None) -> np.ndarray:
        s = self.service_suggester_
        q = np.zeros(len(s.concepts_), dtype=np.float32)
        q[list(p.service_rows)] = 1.0
        if scores is not None:
            q = np.maximum(q, np.where(p.services.lexical > 0, scores, 0.0))
        return q

    def _rank(self, p: Prepared, vector: np.ndarray, k: int) -> list[Match]:
        f, km, ctx, contrib, _ = self._factors(p, vector)
        plain = contrib.sum(axis=1)
        capped, total = ctx.expertise.cap_steps(plain)
        k = min(k, total.shape[0])
        top = np.argpartition(-total, k - 1)[:k] if k < total.shape[0] else np.arange(total.shape[0])
        top = top[np.lexsort((top, -total[top]))]
        rows = FactorRow.many(f[top], km[top], plain[top] - capped[top], contrib[top], capped[top] - total[top])
        reasons = self.reasons_.explain_many(ctx, top, rows)
        return [
            Match(self.centres_[i], round(score, 4), None if math.isnan(row.km) else round(row.km, 1), why)
            for i, score, row, why in zip(top.tolist(), total[top].tolist(), rows, reasons, strict=True)
        ]


def _topic_label_text(label: str) -> str:
    return f"(Topics: {label})"
