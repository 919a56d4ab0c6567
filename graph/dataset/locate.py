"""Find the German municipality a centre sits in, from its postcode and town.

The municipality data carries one postcode per municipality (the postcode of its
administrative seat), so a big city's other postcodes are unknown to us. The
rules, in order:

1. the town name, normalised (case, umlauts and ``ß`` ignored; official suffixes
   such as ``", Stadt"`` and parenthesised qualifiers such as ``"(Saale)"``
   optional), names exactly one municipality → that one;
2. it names several (``Oldenburg``, ``Neustadt``) → the one whose seat postcode
   equals the given postcode, else the one sharing the longest postcode prefix;
3. it names none → each part of a hyphenated or slashed town
   (``Oberpfaffenhofen-Wessling`` → ``Wessling``) is tried the same way;
4. still nothing → the municipality whose seat postcode equals the given
   postcode, if exactly one has it.

Only hubs in Germany are located; for any other country ``locate`` returns None.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from graph.text import ascii_fold

__all__ = ["MunicipalityLocator", "normalise_town", "GERMANY_NAMES"]

GERMANY_NAMES = frozenset({"germany", "deutschland", "de", "deu"})

_PAREN = re.compile(r"\s*\([^)]*\)")


def normalise_town(text: str) -> str:
    """Lower-case ASCII form of a town name: umlauts folded, ``ß`` → ``ss``, punctuation → space."""
    s = text.strip().lower().replace("ß", "ss")
    s = ascii_fold(s)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def _name_keys(name: str) -> set[str]:
    """Every normalised form under which a municipality's official name can be looked up."""
    base = name.split(",", 1)[0]  # "Halle (Saale), Stadt" -> "Halle (Saale)"
    keys = {normalise_town(name), normalise_town(base), normalise_town(_PAREN.sub("", base))}
    return {k for k in keys if k}


def _town_keys(town: str) -> list[str]:
    """Normalised forms of a town as people write it (also ``Koeln`` for ``Köln``)."""
    keys = [normalise_town(town), normalise_town(_PAREN.sub("", town.split(",", 1)[0]))]
    folded = re.sub(r"(?<=[a-z])([aou])e", r"\1", keys[0])
    return list(dict.fromkeys(k for k in [*keys, folded] if k))


class MunicipalityLocator:
    """Resolves (postcode, town, country) to an 8-digit municipality AGS; see the module docstring."""

    def __init__(self, municipalities: Iterable[tuple[str, str, str | None]]) -> None:
        """``municipalities``: (ags, official name, seat postcode) for each municipality."""
        self._by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._by_plz: dict[str, list[str]] = defaultdict(list)
        for ags, name, plz in municipalities:
            for key in _name_keys(name):
                self._by_name[key].append((ags, plz or ""))
            if plz:
                self._by_plz[plz].append(ags)

    def locate(self, postcode: str | None, city: str | None, country: str | None) -> str | None:
        """The AGS of the municipality, or None when the country is not Germany or nothing fits."""
        if normalise_town(country or "") not in GERMANY_NAMES:
            return None
        postcode = (postcode or "").strip() or None
        town = (city or "").strip()
        if town:
            found = self._by_town(town, postcode)
            if found is None:
                parts = [p for p in re.split(r"[-/]", town) if p.strip()]
                for part in parts if len(parts) > 1 else ():
                    found = self._by_town(part, postcode)
                    if found:
                        break
            if found:
                return found
        if postcode and len(self._by_plz.get(postcode, ())) == 1:
            return self._by_plz[postcode][0]
        return None

    def _by_town(self, town: str, postcode: str | None) -> str | None:
        for key in _town_keys(town):
            candidates = sorted(set(self._by_name.get(key, ())))
            if len(candidates) == 1:
                return candidates[0][0]
            if candidates and postcode:
                best = max(candidates, key=lambda c: (_common_prefix(c[1], postcode), c[0]))
                if _common_prefix(best[1], postcode) >= 2:  # same postal region (Leitregion)
                    return best[0]
        return None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
