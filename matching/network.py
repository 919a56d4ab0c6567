"""The centre network: who is linked to whom, where it is fragile, which links to add.

:class:`CentreNetwork` builds an undirected networkx graph with one node per
centre and an edge where two centres

* share a served region (both regional in scope: national centres serve every
  state and would link everything), or
* are both engaged at level ≥ ``min_level`` in at least ``min_shared_topics``
  topics.

(The vocabulary records no partnerships between centres yet; when it does they
become a third kind of edge.) ``summary()`` reports components, bridges,
articulation points, betweenness, Louvain communities (fixed seed) and isolated
centres; ``suggest_links()`` ranks absent edges by Adamic–Adar (shared
neighbours, weighted by their rarity) combined with complementarity (topics one
centre is strong in, the other lacks, weighted by how much the other's state
needs them).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matching._base import Estimator, check_k
from matching._geo import haversine_km
from matching.analytics_data import AnalyticsData, is_regional_centre

__all__ = ["CentreNetwork", "NetworkSummary", "Community", "LinkSuggestion", "CentreRef"]


@dataclass(frozen=True)
class CentreRef:
    id: str
    name: str


@dataclass(frozen=True)
class Community:
    id: int
    centres: tuple[CentreRef, ...]
    topics: tuple[str, ...]  # the most common strong topics among its members


@dataclass(frozen=True)
class LinkSuggestion:
    a: CentreRef
    b: CentreRef
    score: float
    adamic_adar: float
    complementarity: float
    distance_km: float | None
    reason: str


@dataclass(frozen=True)
class NetworkSummary:
    centres: int
    links: int
    components: tuple[tuple[CentreRef, ...], ...]  # largest first
    bridges: tuple[tuple[CentreRef, CentreRef], ...]
    articulation_points: tuple[CentreRef, ...]
    betweenness: tuple[tuple[CentreRef, float], ...]  # highest first
    communities: tuple[Community, ...]
    isolated: tuple[CentreRef, ...]
    suggestions: tuple[LinkSuggestion, ...] = ()


class CentreNetwork(Estimator):
    """Centres linked by shared served regions and shared strong topics.

    Parameters
    ----------
    min_level : engagement level from which a topic counts as a centre's strength.
    min_shared_topics : shared strong topics needed for a topic link.
    seed : seed of the Louvain community detection.
    """

    def __init__(self, *, min_level: int = 3, min_shared_topics: int = 2, seed: int = 42) -> None:
        self.min_level = min_level
        self.min_shared_topics = min_shared_topics
        self.seed = seed

    def fit(self, data: AnalyticsData) -> CentreNetwork:
        import networkx as nx

        labels = data.topic_labels()
        self.labels_ = {k: v[0] for k, v in labels.items()}
        g = nx.Graph()
        self.centres_ = {c.id: c for c in data.centres}
        self.strong_ = {c.id: {e.concept: e.level for e in c.topics if e.level >= self.min_level} for c in data.centres}
        self.levels_ = {c.id: {e.concept: e.level for e in c.topics} for c in data.centres}
        for c in data.centres:
            g.add_node(c.id, name=c.name, lat=c.lat, lon=c.lon, type=c.centre_type)
        for a, b in itertools.combinations(data.centres, 2):
            topics = sorted(set(self.strong_[a.id]) & set(self.strong_[b.id]))
            regions = sorted(set(a.served_ags) & set(b.served_ags)) if is_regional_centre(a) and is_regional_centre(b) else []
            if regions or len(topics) >= self.min_shared_topics:
                g.add_edge(a.id, b.id, regions=tuple(regions), topics=tuple(topics),
                           weight=len(regions) + len(topics))
        self.graph_ = g
        country, states = data.need_shares()
        self.need_ = {c.id: states.get(c.state_ags or "", country) for c in data.centres}
        return self

    def _ref(self, cid: str) -> CentreRef:
        return CentreRef(cid, self.centres_[cid].name)

    def summary(self, suggestions: int = 10, unmet: Mapping[str, Mapping[str, float]] | None = None) -> NetworkSummary:
        """Structure of the network, and ``suggestions`` new links (0 for none)."""
        import networkx as nx

        self._check_fitted("graph_")
        g = self.graph_
        comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c))
        between = nx.betweenness_centrality(g, normalized=True)
        top_between = sorted(((n, v) for n, v in between.items() if v > 0), key=lambda x: (-x[1], x[0]))[:10]
        communities = []
        for i, com in enumerate(sorted((sorted(c) for c in nx.community.louvain_communities(g, seed=self.seed)
                                        if len(c) > 1), key=lambda c: (-len(c), c))):
            counts = Counter(t for cid in com for t in self.strong_[cid])
            common = [self.labels_.get(t, t) for t, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:3]]
            communities.append(Community(i + 1, tuple(self._ref(c) for c in com), tuple(common)))
        return NetworkSummary(
            centres=g.number_of_nodes(),
            links=g.number_of_edges(),
            components=tuple(tuple(self._ref(c) for c in comp) for comp in comps),
            bridges=tuple(sorted(((self._ref(min(e)), self._ref(max(e))) for e in nx.bridges(g)),
                                 key=lambda e: (e[0].id, e[1].id))),
            articulation_points=tuple(self._ref(c) for c in sorted(nx.articulation_points(g))),
            betweenness=tuple((self._ref(n), round(v, 4)) for n, v in top_between),
            communities=tuple(communities),
            isolated=tuple(self._ref(n) for n in sorted(nx.isolates(g))),
            suggestions=self.suggest_links(suggestions, unmet) if suggestions else (),
        )

    def suggest_links(self, k: int = 10, unmet: Mapping[str, Mapping[str, float]] | None = None) -> tuple[LinkSuggestion, ...]:
        """The ``k`` absent links with the best mix of shared neighbours and complementarity.

        ``unmet`` (state AGS -> topic IRI -> weight, e.g. SMEs with an unmet need from
        the gap analysis) replaces the need shares as the weight of a complementary topic.
        """
        import networkx as nx

        self._check_fitted("graph_")
        k = check_k(k)
        g = self.graph_
        pairs = [(a, b) for a, b in itertools.combinations(sorted(g.nodes), 2) if not g.has_edge(a, b)]
        if not pairs:
            return ()
        aa = {(a, b): s for a, b, s in nx.adamic_adar_index(g, pairs)}
        top_aa = max(aa.values()) or 1.0
        scored = []
        for a, b in pairs:
            comp, why = self._complementarity(a, b, unmet)
            score = 0.5 * aa[(a, b)] / top_aa + 0.5 * comp
            if score > 0:
                scored.append((score, a, b, comp, why))
        scored.sort(key=lambda x: (-x[0], x[1], x[2]))
        out = []
        for score, a, b, comp, why in scored[:k]:
            ca, cb = self.centres_[a], self.centres_[b]
            km = None
            if ca.lat is not None and ca.lon is not None and cb.lat is not None and cb.lon is not None:
                km = round(float(haversine_km(*np.radians([ca.lat, ca.lon, cb.lat, cb.lon]))), 1)
            common = len(list(nx.common_neighbors(g, a, b)))
            parts = [f"{common} shared partners (Adamic–Adar {aa[(a, b)]:.2f})" if common else "no shared partners yet"]
            parts.extend(why)
            if km is not None:
                parts.append(f"{km:.0f} km apart (straight line)")
            out.append(LinkSuggestion(self._ref(a), self._ref(b), round(score, 4), round(aa[(a, b)], 4),
                                      round(comp, 4), km, "; ".join(parts)))
        return tuple(out)

    def _complementarity(self, a: str, b: str, unmet: Mapping[str, Mapping[str, float]] | None) -> tuple[float, list[str]]:
        """In [0, 1]: the need weight of topics one is strong in and the other lacks (< level 3)."""
        total = 0.0
        why = []
        for x, y in ((a, b), (b, a)):
            cy = self.centres_[y]
            weights = (unmet or {}).get(cy.state_ags or "") if unmet else None
            weights = weights or self.need_.get(y, {})
            denom = sum(weights.values()) or 1.0
            gain = [(weights.get(t, 0.0) / denom, t) for t in self.strong_[x] if t not in self.strong_[y]]
            gain = [g for g in gain if g[0] > 0]
            part = sum(v for v, _ in gain)
            total += part / 2
            if gain:
                best = sorted(gain, reverse=True)[:2]
                topics = ", ".join(f"{self.labels_.get(t, t)} {self.strong_[x][t]}" for _, t in best)
                why.append(f"{self.centres_[x].name} brings {topics}, which {cy.name} lacks")
        return float(np.clip(total, 0.0, 1.0)), why
