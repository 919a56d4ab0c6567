"""Fixtures of the ranker and learning tests: the hand-made catalogue (``ranker_catalogue``)
and a matcher fitted on it with the meaning-free hashing encoder."""

from __future__ import annotations

import pytest

from matching import Catalogue, CentreMatcher, HashingEncoder
from tests.matching.ranker_catalogue import CENTRES, CONCEPTS, REGIONS


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(
        centres=CENTRES, concepts=CONCEPTS, regions={r.ags: r for r in REGIONS},
        district_adjacency=(("15003", "15083"),),
    )


@pytest.fixture(scope="module")
def matcher(catalogue: Catalogue) -> CentreMatcher:
    return CentreMatcher(encoder=HashingEncoder()).fit(catalogue)

