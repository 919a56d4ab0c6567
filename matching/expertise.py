"""Expertise before proximity: how the ranker treats a need whose topic is clearly named.

A topic is *clearly named* when the query gives it (``topics``) or the text names one
of its labels outright (lexical evidence of at least ``min_evidence``, 0.8: a
prefLabel or altLabel, also inside a compound; see ``matching._text``) and the rest of
the need does not contradict it: a technology's combined score (label, embedding and
need classifier) must reach ``min_named_technology`` (0.2), so "Bildschirm" (screen) in
a ransomware need does not make Displays the need's named topic. Topics only
suggested by embeddings are not clear and change nothing here.

For a need with clearly named topics:

- A *specialist* offers one of them at level >= ``specialist_level`` (4) and can
  serve the asker: with a location, it has national or international scope, sits in
  the asker's state, or is at most ``reach_km`` (150 km) away; without a location,
  every centre can.
- A centre *without the expertise* is tagged in the scheme(s) of the named topics
  (technology, service) yet offers none of them (with a location), or at most at
  level ``weak_level_unlocated`` (1) when no location is given, and is not a centre
  for the asker's trade (its sector fit is below ``trade_fit``, 0.8). Centres without
  tags in a scheme are left alone: what they do is known only from their
  description, which the text factor reads.
- A centre without the expertise keeps ``proximity_share`` (0.9) of its geography
  credit when it offers none of the topics: being near makes it the nearest point of
  contact, not an expert.
- A centre without the expertise never outranks a specialist: when specialists
  exist, its score is lowered to just below the lowest specialist's, and the cut is
  shown as a negative topic reason ("does not offer Cybersecurity; 3 specialists
  within reach rank first").

Then, for every need: a centre that serves one trade only, not the asker's
(``matching.trades``), ranks after every centre open to the asker.

The numbers (``matching.weights.ExpertiseRule``) were chosen on the dev half of the fair set (``matching/data/``) by
coordinate search, keeping the two older labelled sets at least as good; the test
half was not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from matching._lru import LRU
from matching.trades import TradeRead
from matching.weights import ExpertiseRule

if TYPE_CHECKING:
    from graph.records import Centre, Concept
    from matching._geo import Place
    from matching._resolve import Prepared

__all__ = ["ExpertiseRule", "ExpertiseIndex", "Assessment"]

_EPS = 1e-4  # how far below the lowest specialist a centre without the expertise lands


@dataclass(frozen=True)
class Assessment:
    """What the rule found for one query: the named topics and, per centre, its role.

    ``named`` are the clearly named concepts (labels, English); ``level`` ``(n,)``
    is each centre's best level (0-5) in any of them; ``specialist``, ``without``
    (no expertise, capped below the specialists) and ``nearest_contact`` (geography
    shared down) are boolean masks ``(n,)``.
    """

    named: tuple[str, ...] = ()
    level: np.ndarray = field(default_factory=lambda: np.zeros(0))
    specialist: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    without: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    nearest_contact: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    trade: TradeRead | None = None  # what the trade rule read (``matching.trades``); None: not applied

    @property
    def active(self) -> bool:
        return bool(self.named)

    def cap(self, total: np.ndarray) -> np.ndarray:
        """Scores with every centre without the expertise below the lowest specialist, and every
        centre for another trade below every centre open to the asker."""
        return self.cap_steps(total)[1]

    def cap_steps(self, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The scores after the expertise cut, and after the trade cut as well (``cap``)."""
        first = total
        if self.active and self.specialist.any() and self.without.any():
            floor = float(total[self.specialist].min()) - _EPS
            first = np.where(self.without, np.minimum(total, floor), total).astype(total.dtype)
        other = self.trade.other if self.trade is not None else None
        if other is None or not other.any() or other.all():
            return first, first
        floor = float(first[~other].min()) - _EPS
        return first, np.where(other, np.minimum(first, floor), first).astype(total.dtype)


_NOTHING_NAMED = Assessment()  # what the rule finds for a need without clearly named topics (shared, empty)


class ExpertiseIndex:
    """Per-centre facts the rule needs, built once at ``fit``: exact levels, tags, scope, state."""

    def __init__(
        self,
        centres: Sequence[Centre],
        technology: Sequence[Concept],
        technology_levels: np.ndarray,
        services: Sequence[Concept],
        service_levels: np.ndarray,
        rule: ExpertiseRule,
    ) -> None:
        self.rule = rule
        self.technology = tuple(technology)
        self.services = tuple(services)
        self.technology_levels = np.rint(technology_levels * 5).astype(np.int8)  # ConceptFit stores level / 5
        self.service_levels = np.rint(service_levels * 5).astype(np.int8)
        self.tech_tagged = np.array([bool(c.topics) for c in centres], dtype=bool)
        self.service_tagged = np.array([bool(c.services) for c in centres], dtype=bool)
        self.wide = np.array([(c.scope or "").lower() in ("national", "international") for c in centres], dtype=bool)
        self.state = np.array([int(c.state_ags) if (c.state_ags or "").isdigit() else -1 for c in centres])
        # (n_concepts, n_centres): a need's few named concepts are rows, read contiguously
        self._technology_t = np.ascontiguousarray(self.technology_levels.T)
        self._service_t = np.ascontiguousarray(self.service_levels.T)
        self._reach: LRU[np.ndarray] = LRU(256)  # per recent place: who can serve it

    def named_rows(
        self,
        p: Prepared,
        candidates: tuple[np.ndarray, np.ndarray],
        scores: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the clearly named technology and service concepts of a prepared query; with the
        need's combined ``scores`` per scheme, a label found in the text whose concept scores below
        the rule's ``min_named_*`` is an incidental mention and names nothing."""
        r = self.rule
        out = []
        for analysis, explicit, cand, score, floor in (
            (p.topics, p.topic_rows, candidates[0], scores[0], r.min_named_technology),
            (p.services, p.service_rows, candidates[1], scores[1], r.min_named_service),
        ):
            mask = (analysis.lexical >= r.min_evidence) & cand if p.text else np.zeros(len(cand), dtype=bool)
            if score is not None and floor > 0:
                mask &= score >= floor
            mask[list(explicit)] = True
            out.append(np.flatnonzero(mask))
        return out[0], out[1]

    def _reach_of(self, place: Place, km: np.ndarray) -> np.ndarray:
        """Centres that can serve an asker at ``place`` (``km`` from it), kept per recent place (read-only)."""
        reach = self._reach.get(place)
        if reach is None:
            state = int(place.state_ags) if place.state_ags.isdigit() else -2
            with np.errstate(invalid="ignore"):
                reach = self.wide | (self.state == state) | (km <= self.rule.reach_km)  # NaN km: False
            reach.flags.writeable = False
            self._reach.put(place, reach)
        return reach

    def assess(
        self,
        p: Prepared,
        candidates: tuple[np.ndarray, np.ndarray],
        sector_fit: np.ndarray,
        km: np.ndarray,
        scores: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
        trade: TradeRead | None = None,
    ) -> Assessment:
        """Who is a specialist and who lacks the expertise for prepared query ``p`` (``scores``: the
        need's combined technology and service scores, see ``named_rows``; ``trade``: what the trade
        rule read, ``matching.trades``, carried along for the ranking and the reasons)."""
        tech, serv = self.named_rows(p, candidates, scores)
        if not len(tech) and not len(serv):
            return _NOTHING_NAMED if trade is None else Assessment(trade=trade)
        r = self.rule
        n = self.tech_tagged.shape[0]
        level = np.zeros(n, dtype=np.int8)
        if len(tech):
            level = np.maximum(level, self._technology_t[tech].max(axis=0))
        if len(serv):
            level = np.maximum(level, self._service_t[serv].max(axis=0))
        if p.place is not None:
            reach = self._reach_of(p.place, km)
            weak = 0
        else:
            reach = np.ones(n, dtype=bool)
            weak = r.weak_level_unlocated
        # known to lack the topics: tagged in every scheme a named topic comes from, not the asker's trade
        known = np.ones(n, dtype=bool)
        if len(tech):
            known &= self.tech_tagged
        if len(serv):
            known &= self.service_tagged
        lacking = known & (sector_fit < r.trade_fit)
        named = tuple(
            [self.technology[j].label_en for j in tech] + [self.services[j].label_en for j in serv]
        )
        return Assessment(
            named=named,
            level=level,
            specialist=reach & (level >= r.specialist_level),
            without=lacking & (level <= weak),
            nearest_contact=lacking & (level == 0) if p.place is not None else np.zeros(n, dtype=bool),
            trade=trade,
        )
