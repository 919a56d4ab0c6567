"""Builders of the default dataset from the reference facts in ``shared/data``."""

__all__: list[str] = []
