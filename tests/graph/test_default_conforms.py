"""The default dataset conforms to the shapes it ships with (what `load` would demand)."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from graph import iris
from graph.loader import referenced_types
from graph.validate import validate


def _graph(store, name: str) -> Graph:
    return Graph().parse(data=store.export("nt", iris.named_graph(name)), format="nt")


@pytest.mark.parametrize("name", ["centres/edih-de", "centres/st", "companies/synthetic"])
def test_default_graph_conforms(default_store, name):
    g = _graph(default_store, name)
    assert len(g) > 100
    validate(g, source=name, context=referenced_types(default_store, g))


def test_saxony_anhalt_regions_conform(default_store):
    """All of state 15 (218 municipalities, 14 districts, the state), neighbours as context."""
    regions = _graph(default_store, "regions")
    prefix = f"{iris.BASE}id/region/15"
    part = Graph()
    for s, p, o in regions:
        if isinstance(s, URIRef) and str(s).startswith(prefix):
            part.add((s, p, o))
    assert 218 * 8 < len(part) < len(regions)
    validate(part, source="regions of Saxony-Anhalt", context=referenced_types(default_store, part))


def test_indicators_conform(default_store):
    """Data sets, structures, indicator and code-list concepts, and the observations of Saxony-Anhalt."""
    from rdflib.namespace import QB, RDF

    from graph.vocab import SDMX_DIMENSION

    g = _graph(default_store, "indicators")
    st_prefix = f"{iris.BASE}id/region/15"
    keep = {o for o in g.subjects(RDF.type, QB.Observation)
            if str(g.value(o, SDMX_DIMENSION.refArea)).startswith(st_prefix)}
    observations = set(g.subjects(RDF.type, QB.Observation))
    part = Graph()
    for s, p, o in g:
        if s not in observations or s in keep:
            part.add((s, p, o))
    assert len(keep) > 218 * 4 and len(part) < len(g)
    validate(part, source="indicators of Saxony-Anhalt", context=referenced_types(default_store, part))

