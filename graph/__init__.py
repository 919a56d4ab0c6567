"""The knowledge graph: IRIs, vocabulary, store, ingest, validation and views.

Owns RDF; no embeddings, no HTTP. Modules are imported by their full name
(``graph.store``, ``graph.views`` ...) so that light commands stay light.
"""

from __future__ import annotations

__all__ = [
    "errors",
    "iris",
    "vocab",
    "namespaces",
    "records",
    "store",
    "views",
    "indicators",
    "loader",
    "validate",
    "build",
    "text",
]
