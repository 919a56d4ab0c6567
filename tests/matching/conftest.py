"""Fixtures of the matching tests: the hand-made catalogue of the ranker and learning tests
(``ranker_catalogue``) with a matcher fitted on it, and the hand-made world of the analytics
tests (``analytics_toy``)."""

from __future__ import annotations

import pytest

from matching import Catalogue, CentreMatcher, HashingEncoder
from matching.analytics_data import AnalyticsData
from tests.matching.analytics_toy import toy_data_world
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


@pytest.fixture()
def toy_data() -> AnalyticsData:
    """Cities A (01001) and D (02000) are alike; villages B1, B2, C1 are alike; district 01003
    (far south-east) has no centre."""
    return toy_data_world()
