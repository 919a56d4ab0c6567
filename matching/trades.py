"""Centres for one trade only: not the answer for firms of another trade.

A few centres are limited to one trade by their own mandate (``rm:servesOnly``, a
concept of ``ontologies/schemes/trade.ttl``): the crafts, retail, construction and
tourism centres of Mittelstand-Digital, a health-care hub. Their topic levels are
high and most are nationwide, so without this rule they rank near the top for any
need, although a software house or a chemicals plant is not their audience.

The asker belongs to a trade when its NACE sector is one of the trade's divisions
(``skos:closeMatch``; a bare section counts when it holds one of them) or when its
need names the trade in everyday words (the trade's labels, found as
``matching._text`` finds topic labels: "Bäckerei", "Pflegedienst", "hotel"). A centre
for another trade ranks after every centre open to the asker; so does a trade
centre when the asker gives no sector and its text names no trade (nothing says the
asker is one of the trade's firms). The cut is shown as a negative sector reason. A
centre for the asker's own trade gets the full sector factor (1.0: it exists for firms
like the asker's), said as a sector reason ("a centre for crafts firms, as yours is:
your need says Bäckerei").

Measured on the three dev sets before it was kept (README): nDCG@10 rose on each of
them and on the older default set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graph import iris
from matching._text import LabelIndex

if TYPE_CHECKING:
    from graph.records import Centre, Concept
    from matching._resolve import Prepared

__all__ = ["TradeIndex", "TradeRead"]

_NAMED = 0.8  # label evidence that names a trade: a pref- or altLabel, also inside a compound


@dataclass(frozen=True)
class TradeRead:
    """What the trade rule found for one query: per centre ``(n,)`` whether it serves one trade
    only, not the asker's (``other``), or exactly the asker's (``own``), and the words of the
    need that named the asker's trade (empty: known from the sector, or unknown)."""

    other: np.ndarray
    own: np.ndarray
    words: tuple[str, ...] = ()


class TradeIndex:
    """Which centres serve one trade only, and which trades an asker belongs to; built at ``fit``."""

    def __init__(self, centres: Sequence[Centre], trades: Sequence[Concept], nace: Sequence[Concept]) -> None:
        self.trades = tuple(trades)
        row = {c.iri: j for j, c in enumerate(self.trades)}
        # each centre's trade (-1: open to every firm, also for a trade the catalogue does not hold)
        self.centre_trade = np.array([row.get(c.serves_only or "", -1) for c in centres], dtype=np.int16)
        section_of = {c.key: iris.key_of(b) for c in nace for b in c.broader}
        self.divisions = tuple(
            frozenset(iris.key_of(m) for m in t.close_match if m.startswith(f"{iris.scheme('nace')}/"))
            for t in self.trades
        )
        self.sections = tuple(frozenset(section_of[d] for d in divs if d in section_of) for divs in self.divisions)
        self.index = LabelIndex([
            [(t.label_en, 1.0), (t.label_de, 1.0), *((a, 0.9) for a in (*t.alt_en, *t.alt_de))] for t in self.trades
        ])
        # read-only masks shared by every read: who serves one trade only, and each trade's centres
        self._serves = self.centre_trade >= 0
        self._of = [self.centre_trade == j for j in range(len(self.trades))]
        self._none = np.zeros_like(self._serves)
        for a in (self._serves, self._none, *self._of):
            a.flags.writeable = False
        self.active = bool(self._serves.any())  # whether any centre serves one trade only

    def read(self, p: Prepared) -> TradeRead:
        """The centres for another trade and for the asker's own (see :class:`TradeRead`)."""
        mine, words = self._asker(p)
        if not mine:  # most needs: every trade centre is for another trade
            return TradeRead(other=self._serves, own=self._none, words=words)
        own = np.logical_or.reduce([self._of[j] for j in mine])
        return TradeRead(other=self._serves & ~own, own=own, words=words)

    def _asker(self, p: Prepared) -> tuple[set[int], tuple[str, ...]]:
        """Rows of the trades the asker of ``p`` belongs to, by its NACE sector (a division, or a bare
        section holding one of the trade's divisions) or by a trade its text names; and those words."""
        keys = p.nace_keys
        division = next((k for k in keys if k.isdigit()), None)
        out = set()
        for j in range(len(self.trades)):
            if division is not None:
                if division in self.divisions[j]:
                    out.add(j)
            elif keys and keys[0] in self.sections[j]:
                out.add(j)
        words: dict[str, None] = {}
        if p.text and self.trades:
            for hit in self.index.find(p.text):
                if hit.strength >= _NAMED:
                    out.add(hit.concept)
                    words[hit.surface] = None
        return out, tuple(words)

    def trade_of(self, i: int) -> Concept | None:
        """The trade centre ``i`` is limited to, if any."""
        j = int(self.centre_trade[i])
        return self.trades[j] if j >= 0 else None
