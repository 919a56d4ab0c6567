"""``Catalogue.from_store``: a self-contained snapshot, with full or compact region records."""

from __future__ import annotations

from matching import Catalogue


def test_compact_regions_hold_what_the_matchers_use(default_store) -> None:
    full = Catalogue.from_store(default_store)
    compact = Catalogue.from_store(default_store, region_details=False)
    assert set(compact.regions) == set(full.regions) and len(compact.regions) > 10_000
    for ags, region in full.regions.items():
        small = compact.regions[ags]
        assert (small.iri, small.name, small.kind, small.state_ags, small.district_ags, small.lat, small.lon) == (
            region.iri, region.name, region.kind, region.state_ags, region.district_ags, region.lat, region.lon
        )
    assert compact.regions["15083270"].population is None and full.regions["15083270"].population
    assert isinstance(compact.regions, dict)  # a plain mapping: nothing reads the store later
    assert compact.centres == full.centres and compact.district_adjacency == full.district_adjacency
