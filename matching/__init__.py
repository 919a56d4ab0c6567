"""Matchmaking over the graph's records: encoders, vector caches, topic linking and the
hybrid centre ranker with reasons, weights learned from outcomes, and the network
analytics (peers, typology, partners, gaps, the centre network).

Importing ``matching`` loads no model and reads no store: encoders load on first use,
matchers do their work in ``fit``. Names are imported on first use (PEP 562), so
the command line's match path does not pay for the analytics modules it never touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from matching.weights import (
        DEFAULT_WEIGHTS,
        FACTORS,
        ExpertiseRule,
        load_weights,
        save_weights,
        weights_path,
    )

# public name -> the module that defines it
_WHERE = {
    "Encoder": "matching.encoder",
    "OnnxEncoder": "matching.encoder",
    "SentenceTransformerEncoder": "matching.encoder",
    "HashingEncoder": "matching.encoder",
    "make_encoder": "matching.encoder",
    "VectorCache": "matching.cache",
    "CacheStats": "matching.cache",
    "Catalogue": "matching.catalogue",
    "TopicSuggester": "matching.topics",
    "TopicSuggestion": "matching.topics",
    "ConceptLinker": "matching.concept_linking",
    "ConceptLink": "matching.concept_linking",
    "TopicModel": "matching.topic_model",
    "load_topic_model": "matching.topic_model",
    "CentreMatcher": "matching.ranker",
    "MatchQuery": "matching.query",
    "Match": "matching.query",
    "Reason": "matching.query",
    "FACTORS": "matching.weights",
    "DEFAULT_WEIGHTS": "matching.weights",
    "ExpertiseRule": "matching.weights",
    "centre_profile": "matching.ranker",
    "fit_weights": "matching.learn",
    "compare_weights": "matching.learn",
    "WeightsComparison": "matching.learn",
    "train_weights": "matching.learn",
    "TrainingResult": "matching.learn",
    "save_weights": "matching.weights",
    "load_weights": "matching.weights",
    "weights_path": "matching.weights",
    "AnalyticsData": "matching.analytics_data",
    "PeerFinder": "matching.peers",
    "Peer": "matching.peers",
    "PeerResult": "matching.peers",
    "RegionTypology": "matching.typology",
    "RegionType": "matching.typology",
    "PartnerFinder": "matching.partners",
    "PartnerSuggestion": "matching.partners",
    "RegionSuggestion": "matching.partners",
    "GapAnalyser": "matching.gaps",
    "GapReport": "matching.gaps",
    "CentreNetwork": "matching.network",
    "NetworkSummary": "matching.network",
    "two_step_fca": "matching.fca",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'matching' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
