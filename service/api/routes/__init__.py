"""One APIRouter per resource; ``ROUTERS`` in the order they appear in the docs."""

from __future__ import annotations

from service.api.routes import (
    analytics,
    centres,
    companies,
    health,
    linked_data,
    match,
    outcomes,
    regions,
    sparql,
    topics,
)

__all__ = ["ROUTERS"]

ROUTERS = [
    health.router,
    regions.router,
    centres.router,
    topics.router,
    match.router,
    companies.router,
    outcomes.router,
    sparql.router,
    analytics.router,
    linked_data.router,
]
