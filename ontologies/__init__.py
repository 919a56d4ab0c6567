"""The regiomatch vocabulary, SKOS schemes, SHACL shapes and examples, as package data.

Data, not code: read the Turtle files with ``importlib.resources`` (see
``graph.validate.load_ontology``, ``load_schemes`` and ``load_shapes``).
"""

__all__: list[str] = []
