"""Folding names for search: "München" is found as muenchen, munchen and MÜNCHEN."""

from __future__ import annotations

from graph.text import ascii_fold

__all__ = ["folds", "fold"]

_SPELT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case with umlauts spelt out (ä → ae, ß → ss) and accents dropped."""
    return ascii_fold(text.casefold().translate(_SPELT))


def folds(text: str) -> tuple[str, str]:
    """``text`` folded two ways: umlauts spelt out (ä → ae) and umlauts dropped (ä → a)."""
    return fold(text), ascii_fold(text.casefold().replace("ß", "ss"))
