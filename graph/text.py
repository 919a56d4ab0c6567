"""Text folding shared by IRI slugs and place-name lookup."""

from __future__ import annotations

import unicodedata

__all__ = ["ascii_fold"]


def ascii_fold(text: str) -> str:
    """``text`` with accents and umlauts reduced to their ASCII base letter (``Köln`` → ``Koln``).

    Characters without an ASCII base (``ß``, CJK) are dropped: callers that want
    ``ß`` → ``ss`` replace it first.
    """
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
