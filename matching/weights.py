"""The ranker's factor weights: the factors, their defaults, checking, and the weights file.

With explicit weights ``CentreMatcher`` scores a centre as the weighted sum of ``FACTORS``
(see ``matching.ranker``; by default it uses the learned ranking of
``matching.rank_model`` instead). ``DEFAULT_WEIGHTS`` are the hand-tuned weights:

==========  =======
factor      weight
==========  =======
text        0.33
topic       0.12
service     0.12
sector      0.05
geography   0.38
==========  =======

``matching.learn`` learns new ones from recorded outcomes (``regiomatch train``), and
``matching.learn`` learns new ones from recorded outcomes. Weights are kept as a
small JSON file (``{"weights": {...}, "outcomes": n, "created": ...}``), by default in
the store directory (``weights_path``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from graph.errors import InvalidInput, UnreadableInput
from graph.store import is_remote
from matching._files import read_json, write_atomic

__all__ = [
    "FACTORS",
    "DEFAULT_WEIGHTS",
    "ExpertiseRule",
    "WEIGHTS_FILE",
    "check_weights",
    "resolve_weights",
    "load_weights",
    "save_weights",
    "weights_path",
]

FACTORS = ("text", "topic", "service", "sector", "geography")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "text": 0.33,
    "topic": 0.12,
    "service": 0.12,
    "sector": 0.05,
    "geography": 0.38,
}
WEIGHTS_FILE = "matching-weights.json"


@dataclass(frozen=True)
class ExpertiseRule:
    """Settings of the expertise-before-proximity rule (``matching.expertise``), chosen on the fair
    set's dev half with the older labelled sets kept at least as good (README)."""

    min_evidence: float = 0.8
    specialist_level: int = 4
    reach_km: float = 150.0
    weak_level_unlocated: int = 1
    trade_fit: float = 0.8
    proximity_share: float = 0.9
    # a technology label found in the text names its topic only when the topic's combined score (label,
    # embedding and need classifier, ``TopicSuggester.scores``) reaches this: below it the rest of the need
    # contradicts the word ("Bildschirm" in a ransomware need), an incidental mention. Services: none (a
    # service label word was never incidental enough to drop on the dev sets: "pilot" → Field trial)
    min_named_technology: float = 0.2
    min_named_service: float = 0.0

    def __post_init__(self) -> None:
        for name in ("min_evidence", "trade_fit", "proximity_share", "min_named_technology", "min_named_service"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
                raise InvalidInput(f"expertise rule: {name} must be a number in [0, 1], got {v!r}")
        for name, lo, hi in (("specialist_level", 1, 5), ("weak_level_unlocated", 0, 5)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise InvalidInput(f"expertise rule: {name} must be a whole level {lo}-{hi}, got {v!r}")
        if isinstance(self.reach_km, bool) or not isinstance(self.reach_km, int | float) or self.reach_km < 0:
            raise InvalidInput(f"expertise rule: reach_km must be a non-negative number, got {self.reach_km!r}")


def check_weights(weights: object) -> dict[str, float]:
    """A complete factor → weight dict from a mapping (missing factors 0); ``InvalidInput``
    for unknown factors, negative or non-numeric weights, or weights that are all zero."""
    if not isinstance(weights, Mapping):
        raise InvalidInput(f"weights must be a dict of factor -> weight or a file path, got {weights!r}")
    unknown = set(weights) - set(FACTORS)
    if unknown:
        raise InvalidInput(f"unknown factor(s) {', '.join(sorted(unknown))} in weights; valid: {', '.join(FACTORS)}")
    out = {}
    for f in FACTORS:
        w = weights.get(f, 0.0)
        if isinstance(w, bool) or not isinstance(w, int | float) or not np.isfinite(w) or w < 0:
            raise InvalidInput(f"weight of {f!r} must be a non-negative number, got {w!r}")
        out[f] = float(w)
    if sum(out.values()) <= 0:
        raise InvalidInput(f"weights {dict(weights)!r} are all zero: give at least one factor a positive weight")
    return out


def resolve_weights(weights: Mapping[str, float] | str | os.PathLike[str] | None) -> dict[str, float]:
    """What ``CentreMatcher(weights=...)`` means: None the defaults, a path a weights file, a dict checked."""
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    if isinstance(weights, str | os.PathLike):
        return load_weights(weights)
    return check_weights(weights)


def weights_path(store_location: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the learned weights of a store live: inside an embedded store's directory,
    or (for a SPARQL endpoint URL) in ``cache_dir`` under a name derived from the URL."""
    loc = os.fspath(store_location)
    if is_remote(loc):
        if cache_dir is None:
            raise InvalidInput(f"a remote store ({loc}) needs a cache directory for its weights")
        return Path(cache_dir) / f"weights-{hashlib.sha256(loc.encode()).hexdigest()[:12]}.json"
    return Path(loc).expanduser() / WEIGHTS_FILE


def save_weights(weights: dict[str, float], path: str | os.PathLike[str], **meta: Any) -> Path:
    """Write ``weights`` (and ``meta``, e.g. the number of outcomes) as JSON; atomic replace."""
    path = Path(path)
    doc = {"weights": weights, "created": datetime.now(UTC).isoformat(timespec="seconds"), **meta}
    write_atomic(path, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
    return path


def load_weights(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read a weights file written by :func:`save_weights` (checked like ``weights=`` dicts)."""
    doc = read_json(path, "weights file", f"no weights file at {os.fspath(path)!r}: run 'regiomatch train' first")
    weights = doc.get("weights") if isinstance(doc, dict) else None
    if not isinstance(weights, dict):
        raise UnreadableInput(
            f"{os.fspath(path)!r} is not a weights file: expected {{\"weights\": {{{', '.join(FACTORS)}}}}}"
        )
    return check_weights(weights)
