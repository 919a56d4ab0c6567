"""Find things by a typed name: umlaut folding, prefixes, and the bigger place first."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["fold", "NameIndex"]

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPACE = re.compile(r"[\s,;/]+")


def fold(text: str) -> str:
    """Lower case, umlauts spelled out (ä → ae, ß → ss), accents dropped, spaces collapsed."""
    s = text.casefold().translate(_FOLD)
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return _SPACE.sub(" ", s).strip()


def _base(name: str) -> str:
    """A folded name without a trailing bracket: "halle (saale)" → "halle"."""
    return name.split(" (", 1)[0].strip()


class NameIndex:
    """Entries ``(key, names, item, weight)``; ``find`` ranks exact, prefix, word-prefix, substring.

    Within a rank the heavier item (e.g. the more populous place) comes first, so
    "Halle" finds Halle (Saale) before the small Halle (Westf.) and Halle near
    Holzminden.
    """

    def __init__(self, entries: Sequence[tuple[str, Sequence[str], Any, float]]) -> None:
        self._entries = [(key, tuple(fold(n) for n in names if n), item, weight) for key, names, item, weight in entries]
        self._by_key = {e[0]: e for e in self._entries}

    def _rank_names(self, q: str, names: tuple[str, ...]) -> int:
        best = 9
        for n in names:
            if n == q or _base(n) == q:
                return 0
            if n.startswith(q):
                best = min(best, 1)
            elif any(w.startswith(q) for w in n.replace("(", " ").replace("-", " ").split()):
                best = min(best, 2)
            elif q in n:
                best = min(best, 3)
        return best

    def rank(self, text: str, key: str) -> int:
        """How well ``text`` names the entry ``key`` (0 exact … 3 substring, 9 not at all)."""
        entry = self._by_key.get(key)
        return 9 if entry is None else self._rank_names(fold(text), entry[1])

    def find(self, text: str, limit: int = 8) -> list[Any]:
        """The items best named by ``text``, at most ``limit``; [] for blank text."""
        q = fold(text)
        if not q:
            return []
        scored = []
        for key, names, item, weight in self._entries:
            r = self._rank_names(q, names)
            if r < 9:
                scored.append((r, -weight, key, item))
        scored.sort(key=lambda s: s[:3])
        return [s[3] for s in scored[:limit]]
