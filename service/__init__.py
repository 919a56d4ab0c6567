"""The edges of regiomatch: the command line (and, later, the HTTP API).

Thin: it calls ``graph/`` and ``matching/`` and translates their errors.
"""

from __future__ import annotations

__all__: list[str] = []
