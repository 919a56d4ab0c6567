"""Helpers shared by the view modules: the prefix block and value conversion."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib.term import Node

from graph.namespaces import sparql_prefixes

__all__ = ["P", "REGION_KINDS", "opt_str", "opt_float", "opt_int"]

P = sparql_prefixes()
REGION_KINDS = {"state": "rm:State", "district": "rm:District", "municipality": "rm:Municipality"}


def opt_str(row: Mapping[str, Node | str], key: str) -> str | None:
    """The row's value for ``key`` as text, or None when unbound."""
    v = row.get(key)
    return None if v is None else str(v)


def opt_float(row: Mapping[str, Node | str], key: str) -> float | None:
    """The row's value for ``key`` as a float, or None when unbound."""
    v = row.get(key)
    return None if v is None else float(str(v))


def opt_int(row: Mapping[str, Node | str], key: str) -> int | None:
    """The row's value for ``key`` as an int, or None when unbound."""
    v = row.get(key)
    return None if v is None else int(float(str(v)))
