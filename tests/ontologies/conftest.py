"""Fixtures for the ontology tests: the packaged Turtle files, parsed once per session.

pytest's default ("prepend") import mode puts ``tests/`` on ``sys.path`` because of
``tests/conftest.py``; ``tests/ontologies/`` then shadows the ``ontologies`` package as
an empty namespace package and ``importlib.resources`` finds no Turtle files there.
Putting the repository root first makes the real package win. (Project-wide, the
same is achieved by ``pythonpath = ["."]`` in ``[tool.pytest.ini_options]``.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
_shadowed = sys.modules.get("ontologies")
if _shadowed is not None and getattr(_shadowed, "__file__", None) is None:
    del sys.modules["ontologies"]


@pytest.fixture(scope="session")
def shapes() -> Graph:
    from graph.validate import load_shapes

    return load_shapes()


@pytest.fixture(scope="session")
def ontology() -> Graph:
    from graph.validate import load_ontology

    return load_ontology()


@pytest.fixture(scope="session")
def schemes() -> Graph:
    from graph.validate import load_schemes

    return load_schemes()
