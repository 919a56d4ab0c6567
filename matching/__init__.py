"""Matchmaking over the graph's records: encoders, vector caches, topic linking and the
hybrid centre ranker with reasons, and weights learned from outcomes.

Importing ``matching`` loads no model and reads no store: encoders load on first use,
matchers do their work in ``fit``.
"""

from __future__ import annotations

from matching.cache import CacheStats, VectorCache
from matching.catalogue import Catalogue
from matching.concept_linking import ConceptLink, ConceptLinker
from matching.encoder import (
    Encoder,
    HashingEncoder,
    OnnxEncoder,
    SentenceTransformerEncoder,
    make_encoder,
)
from matching.learn import TrainingResult, WeightsComparison, compare_weights, fit_weights, train_weights
from matching.query import Match, MatchQuery, Reason
from matching.ranker import CentreMatcher, centre_profile
from matching.topic_model import TopicModel, load_topic_model
from matching.topics import TopicSuggester, TopicSuggestion
from matching.weights import DEFAULT_WEIGHTS, FACTORS, load_weights, save_weights, weights_path

__all__ = [
    "Encoder",
    "OnnxEncoder",
    "SentenceTransformerEncoder",
    "HashingEncoder",
    "make_encoder",
    "VectorCache",
    "CacheStats",
    "Catalogue",
    "TopicSuggester",
    "TopicSuggestion",
    "ConceptLinker",
    "ConceptLink",
    "TopicModel",
    "load_topic_model",
    "CentreMatcher",
    "MatchQuery",
    "Match",
    "Reason",
    "FACTORS",
    "DEFAULT_WEIGHTS",
    "centre_profile",
    "fit_weights",
    "compare_weights",
    "WeightsComparison",
    "train_weights",
    "TrainingResult",
    "save_weights",
    "load_weights",
    "weights_path",
]
