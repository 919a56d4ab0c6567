"""The default dataset: compact reference data shipped with regiomatch, and its RDF.

``python -m graph.dataset.build`` turns the shared source facts into the compact
files in ``graph/dataset/data/``; :func:`graph.dataset.rdf.default_dataset` turns
those (plus synthetic companies) into one ``rdflib.Graph`` per named graph.
Nothing is read or built at import time.
"""

from __future__ import annotations

__all__: list[str] = []
