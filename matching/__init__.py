"""Matchmaking over the graph's records: encoders, vector caches, topic linking and the
hybrid centre ranker with reasons, weights learned from outcomes, and the network
analytics (peers, typology, partners, gaps, the centre network).

Importing ``matching`` loads no model and reads no store: encoders load on first use,
matchers do their work in ``fit``.
"""

from __future__ import annotations

from matching.analytics_data import AnalyticsData
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
from matching.fca import two_step_fca
from matching.gaps import GapAnalyser, GapReport
from matching.learn import TrainingResult, WeightsComparison, compare_weights, fit_weights, train_weights
from matching.network import CentreNetwork, NetworkSummary
from matching.partners import PartnerFinder, PartnerSuggestion, RegionSuggestion
from matching.peers import Peer, PeerFinder, PeerResult
from matching.query import Match, MatchQuery, Reason
from matching.ranker import CentreMatcher, centre_profile
from matching.topic_model import TopicModel, load_topic_model
from matching.topics import TopicSuggester, TopicSuggestion
from matching.typology import RegionType, RegionTypology
from matching.weights import DEFAULT_WEIGHTS, FACTORS, ExpertiseRule, load_weights, save_weights, weights_path

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
    "ExpertiseRule",
    "centre_profile",
    "fit_weights",
    "compare_weights",
    "WeightsComparison",
    "train_weights",
    "TrainingResult",
    "save_weights",
    "load_weights",
    "weights_path",
    "AnalyticsData",
    "PeerFinder",
    "Peer",
    "PeerResult",
    "RegionTypology",
    "RegionType",
    "PartnerFinder",
    "PartnerSuggestion",
    "RegionSuggestion",
    "GapAnalyser",
    "GapReport",
    "CentreNetwork",
    "NetworkSummary",
    "two_step_fca",
]
