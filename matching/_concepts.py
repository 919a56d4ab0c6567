"""Topic, service and sector fit as matrix products over the centres' engagements.

A centre's engagement with concept ``c`` at level ``l`` is worth ``l / 5``. A query
concept ``j`` is credited at centre ``i`` with the best of its engagements, each
discounted by how close its concept is to ``j`` in the SKOS scheme:

=====================================  =====
the same concept                       1.0
``skos:broader`` / narrower            0.6
``skos:related``                       0.5
siblings (a shared broader concept)    0.3
=====================================  =====

``credit_[i, j] = max_c level[i, c] / 5 * closeness[c, j]`` is computed once in
``__init__``; a query's fit is then ``credit_ @ q / sum(q)`` for its concept
weights ``q`` — a weighted mean of credits in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graph.records import Centre, Concept, Engagement

__all__ = ["ConceptFit", "SectorFit", "engagements", "level_share", "normalised", "prior_counts"]

SAME, BROADER, RELATED, SIBLING = 1.0, 0.6, 0.5, 0.3


def engagements(centre: Centre, kind: str) -> tuple[Engagement, ...]:
    """A centre's engagements of one kind (scheme): technology, service or sector."""
    return {"technology": centre.topics, "service": centre.services, "sector": centre.sectors}[kind]


def level_share(level: int) -> float:
    """An engagement level 0-5 as a share of the top level (clipped to [0, 1])."""
    return min(max(level, 0), 5) / 5.0


def _levels(centres: Sequence[Centre], kind: str, row: dict[str, int]) -> np.ndarray:
    levels = np.zeros((len(centres), len(row)), dtype=np.float32)
    for i, centre in enumerate(centres):
        for e in engagements(centre, kind):
            j = row.get(e.concept)
            if j is not None:
                levels[i, j] = max(levels[i, j], level_share(e.level))
    return levels


def closeness(concepts: Sequence[Concept]) -> np.ndarray:
    """``(n, n)`` credit of offering concept ``c`` (row) for a need of concept ``j`` (column)."""
    row = {c.iri: i for i, c in enumerate(concepts)}
    n = len(concepts)
    out = np.zeros((n, n), dtype=np.float32)
    for i, c in enumerate(concepts):
        for b in c.broader:
            for k, other in enumerate(concepts):
                if k != i and b in other.broader:
                    out[i, k] = max(out[i, k], SIBLING)
    for i, c in enumerate(concepts):
        for r in c.related:
            if r in row:
                out[i, row[r]] = out[row[r], i] = max(out[i, row[r]], RELATED)
        for b in c.broader:
            if b in row:
                out[i, row[b]] = out[row[b], i] = max(out[i, row[b]], BROADER)
    np.fill_diagonal(out, SAME)
    return out


class ConceptFit:
    """Fit of each centre to weighted query concepts of one scheme (technology or service)."""

    def __init__(self, centres: Sequence[Centre], concepts: Sequence[Concept], kind: str) -> None:
        self.kind = kind
        self.concepts = tuple(concepts)
        self.row = {c.iri: i for i, c in enumerate(concepts)}
        self.closeness = closeness(concepts)
        levels = _levels(centres, kind, self.row)
        credit = np.zeros_like(levels)
        for c in np.flatnonzero(levels.any(axis=0)):
            np.maximum(credit, levels[:, c : c + 1] * self.closeness[c], out=credit)
        self.levels = levels
        self.credit = credit
        self._credit_t = np.ascontiguousarray(credit.T)  # (n_concepts, n_centres): rows slice cheaply
        # best[i, j]: the concept whose offer gives centre i its credit for need j (for reasons)
        self.best = np.zeros(levels.shape, dtype=np.int32)
        for j in range(levels.shape[1]):
            self.best[:, j] = np.argmax(levels * self.closeness[:, j], axis=1)

    def scores(self, q: np.ndarray) -> np.ndarray:
        """``(n_centres,)`` weighted mean credit for concept weights ``q`` ``(n_concepts,)``."""
        total = float(q.sum())
        if total <= 0:
            return np.zeros(self.credit.shape[0], dtype=np.float32)
        nz = np.flatnonzero(q)
        return (np.einsum("ij,i->j", self._credit_t[nz], q[nz]) / total).astype(np.float32)

    def explain(self, i: int, q: np.ndarray) -> list[tuple[int, int, float]]:
        """For centre ``i``: ``(query concept j, offered concept c, share of the fit)`` per need."""
        nz = np.flatnonzero(q)
        return self.explain_need(i, nz, q[nz], float(q.sum()))

    def explain_need(self, i: int, nz: np.ndarray, q_nz: np.ndarray, total: float) -> list[tuple[int, int, float]]:
        """:meth:`explain` with the query's nonzero rows ``nz``, their weights and the weights'
        sum worked out once per query (the reasons of k centres share them)."""
        return self.explain_many(np.array([i]), nz, q_nz, total)[0]

    def explain_many(
        self, centres: np.ndarray, nz: np.ndarray, q_nz: np.ndarray, total: float
    ) -> list[list[tuple[int, int, float]]]:
        """:meth:`explain_need` for each of ``centres`` (the k a match returns) in one go."""
        credit = self.credit[centres][:, nz]
        shares = (q_nz * credit / total).tolist()
        best = self.best[centres][:, nz].tolist()
        rows = nz.tolist()
        out = []
        for keep, share, offered in zip((credit > 0).tolist(), shares, best, strict=True):
            hits = [(j, c, s) for j, k, c, s in zip(rows, keep, offered, share, strict=True) if k]
            out.append(sorted(hits, key=lambda t: -t[2]))
        return out


class SectorFit:
    """Fit of each centre to a NACE code through its sector concepts' ``skos:closeMatch``.

    A sector concept matching the query's division or section counts fully; one
    matching another division of the query's section counts half.
    """

    def __init__(self, centres: Sequence[Centre], sectors: Sequence[Concept], nace: Sequence[Concept]) -> None:
        self.sectors = tuple(sectors)
        self.row = {c.iri: i for i, c in enumerate(sectors)}
        self.levels = _levels(centres, "sector", self.row)
        self._levels_t = np.ascontiguousarray(self.levels.T)
        key_of = {c.iri: c.key for c in nace}
        self.section_of = {c.key: key_of.get(b, "") for c in nace for b in c.broader}
        self._weights: dict[tuple[str, ...], np.ndarray] = {}
        self.matches: list[set[str]] = [
            {key_of.get(m, m.rstrip("/").rsplit("/", 1)[-1]) for m in s.close_match} for s in sectors
        ]

    def weights(self, keys: tuple[str, ...]) -> np.ndarray:
        """``(n_sectors,)`` credit of each sector concept for NACE ``keys`` (division and/or section);
        remembered per ``keys`` (there are a few hundred NACE codes), read-only."""
        hit = self._weights.get(keys)
        if hit is None:
            hit = self._weights_of(keys)
            hit.flags.writeable = False
            self._weights[keys] = hit
        return hit

    def _weights_of(self, keys: tuple[str, ...]) -> np.ndarray:
        wanted = set(keys)
        sections = {k if k.isalpha() else self.section_of.get(k, "") for k in keys} - {""}
        out = np.zeros(len(self.sectors), dtype=np.float32)
        for s, matched in enumerate(self.matches):
            if matched & wanted:
                out[s] = 1.0
            elif any((m if m.isalpha() else self.section_of.get(m)) in sections for m in matched):
                out[s] = 0.5
        return out

    def scores(self, m: np.ndarray) -> np.ndarray:
        """``(n_centres,)`` best sector engagement weighted by ``m`` ``(n_sectors,)``."""
        if not m.any() or self.levels.shape[1] == 0:
            return np.zeros(self.levels.shape[0], dtype=np.float32)
        nz = np.flatnonzero(m)
        return (self._levels_t[nz] * m[nz, None]).max(axis=0).astype(np.float32)

    def explain(self, i: int, m: np.ndarray) -> tuple[int, float] | None:
        """The sector concept that gave centre ``i`` its fit, and the fit; None if none."""
        return self.explain_many(np.array([i]), m)[0]

    def explain_many(self, centres: np.ndarray, m: np.ndarray) -> list[tuple[int, float] | None]:
        """:meth:`explain` for each of ``centres`` in one go."""
        if not m.any() or self.levels.shape[1] == 0:
            return [None] * len(centres)
        vals = self.levels[centres] * m
        best = np.argmax(vals, axis=1)
        fit = vals[np.arange(len(best)), best].tolist()
        return [(s, v) if v > 0 else None for s, v in zip(best.tolist(), fit, strict=True)]


def prior_counts(centres: Sequence[Centre], scheme: str, row: dict[str, int]) -> np.ndarray:
    """``(n_concepts,)`` level-weighted count of centres engaging with each concept."""
    prior = np.zeros(len(row), dtype=np.float32)
    for centre in centres:
        for e in engagements(centre, scheme):
            if e.concept in row:
                prior[row[e.concept]] += level_share(e.level)
    return prior


def normalised(prior: np.ndarray) -> np.ndarray:
    """Scale to a maximum of 1 (all zeros stay zeros)."""
    return (prior / prior.max()).astype(np.float32) if prior.any() else prior
