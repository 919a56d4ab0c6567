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


def test_json_snapshot_reads_back_the_same_catalogue(default_store) -> None:
    import pytest

    cat = Catalogue.from_store(default_store, region_details=False)
    back = Catalogue.from_json(cat.to_json())
    assert back.centres == cat.centres and back.concepts == cat.concepts and back.regions == cat.regions
    assert back.district_adjacency == cat.district_adjacency
    assert isinstance(back.centres[0].topics, tuple) and isinstance(back.concepts[0].alt_en, tuple)
    with pytest.raises(ValueError, match="not a catalogue snapshot|another version"):
        Catalogue.from_json(b'{"format": 1, "fields": {}}')
