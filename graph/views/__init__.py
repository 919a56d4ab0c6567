"""SPARQL views: the store's content as typed records (``graph.records``).

Everything outside ``graph/`` reads the graph through these functions. Each runs a
handful of SELECT queries (not one per entity), so reading all 10k regions or all
centres takes well under a second on the embedded store. One module per kind:
regions, centres, companies, concepts, outcomes, stats.
"""

from __future__ import annotations

from graph.views._centres import centre, centres
from graph.views._common import REGION_KINDS
from graph.views._companies import companies, company
from graph.views._concepts import concepts
from graph.views._outcomes import outcomes
from graph.views._regions import adjacency, municipality_keys, region, region_links, region_places, regions
from graph.views._stats import stats

__all__ = [
    "regions",
    "region",
    "region_links",
    "region_places",
    "adjacency",
    "municipality_keys",
    "centres",
    "centre",
    "companies",
    "company",
    "concepts",
    "outcomes",
    "stats",
    "REGION_KINDS",
]
