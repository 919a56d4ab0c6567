"""Matchmaking: encoders, vector caches and (later) recommenders over the graph's records."""

from __future__ import annotations

from matching.cache import CacheStats, VectorCache
from matching.encoder import (
    Encoder,
    HashingEncoder,
    OnnxEncoder,
    SentenceTransformerEncoder,
    make_encoder,
)

__all__ = [
    "Encoder",
    "OnnxEncoder",
    "SentenceTransformerEncoder",
    "HashingEncoder",
    "make_encoder",
    "VectorCache",
    "CacheStats",
]
