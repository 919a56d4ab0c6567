"""Fixtures of the analytics tests (the hand-made world is in ``analytics_toy``)."""

from __future__ import annotations

import pytest
from analytics_toy import toy_data_world

from matching.analytics_data import AnalyticsData


@pytest.fixture()
def toy_data() -> AnalyticsData:
    """Cities A (01001) and D (02000) are alike; villages B1, B2, C1 are alike; district 01003
    (far south-east) has no centre."""
    return toy_data_world()
