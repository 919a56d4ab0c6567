"""The HTTP API (FastAPI): REST resources, the SPARQL endpoint and linked-data pages.

``create_app(settings)`` builds the app; ``regiomatch serve`` runs it with uvicorn.
Importing this package starts nothing and opens nothing.
"""

from __future__ import annotations

from service.api.main import create_app

__all__ = ["create_app"]
