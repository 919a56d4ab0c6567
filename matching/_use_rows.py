"""The token rows of USE's single-text path, kept between texts (private to :mod:`matching._use_fast`,
whose docstring says what a row holds): a pinned part that a warm-up fills once, a bounded ring for
tokens met later, and the exact float16 -> float32 widening a text's rows go through."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__: list[str] = []  # private module

# rows filled by a warm-up (6.7 kB each in float16: 220 MB at most; the default data's words take
# ~60 MB, the service's 10,000 common German and English words ~110 MB more)
PINNED = 32_768
RING = 4_096  # rows for tokens met later, reused oldest first (27 MB at most)


class TokenRows:
    """Remembered per-token rows (see the module docstring): ``pin`` fills rows that stay,
    tokens met by ``get`` later take the oldest of :data:`RING` ring rows. ``compute`` makes
    float32 rows of token ids; they are kept in float16 (the vectors stay within cosine
    0.99999). Memory is reserved lazily: untouched rows cost nothing."""

    def __init__(self, compute: Any, width: int, pinned: int = PINNED, ring: int = RING) -> None:
        self.compute, self.width = compute, width
        self.pinned_capacity, self.ring_capacity = pinned, ring
        self.data = np.zeros((pinned + ring, width), dtype=np.float16)
        self.slot: dict[int, int] = {}
        self.pinned = 0
        self.ring_owner = [-1] * ring
        self.ring_next = 0

    def pin(self, ids: list[int]) -> int:
        new = [t for t in dict.fromkeys(ids) if t not in self.slot or self.slot[t] >= self.pinned_capacity]
        new = new[: self.pinned_capacity - self.pinned]
        for start in range(0, len(new), 512):
            batch = new[start : start + 512]
            at = self.pinned
            self.data[at : at + len(batch)] = self.compute(batch)
            for k, token in enumerate(batch):
                old = self.slot.get(token)
                if old is not None:  # it had a ring row: free it
                    self.ring_owner[old - self.pinned_capacity] = -1
                self.slot[token] = at + k
            self.pinned += len(batch)
        return self.pinned

    def get(self, ids: list[int]) -> np.ndarray:
        """``(len(ids), width)`` float16 rows of ``ids``, computing the missing ones."""
        slot = self.slot
        distinct = dict.fromkeys(ids)
        missing = [t for t in distinct if t not in slot]
        if len(missing) > self.ring_capacity // 4 or len(distinct) > self.ring_capacity // 2:
            # a long text (of rare tokens): not worth keeping, and the ring could not hold it
            fresh = self.compute(missing).astype(np.float16)
            index = {t: k for k, t in enumerate(missing)}
            out = np.empty((len(ids), self.width), dtype=np.float16)
            for pos, t in enumerate(ids):
                out[pos] = fresh[index[t]] if t in index else self.data[slot[t]]
            return out
        if missing:
            fresh = self.compute(missing)
            for k, token in enumerate(missing):
                while True:  # the oldest ring row that this text does not use (at most half of them are)
                    ring = self.ring_next
                    self.ring_next = (ring + 1) % self.ring_capacity
                    owner = self.ring_owner[ring]
                    if owner not in distinct:
                        break
                if owner >= 0:
                    del slot[owner]
                self.ring_owner[ring] = token
                slot[token] = self.pinned_capacity + ring
                self.data[self.pinned_capacity + ring] = fresh[k]
        return self.data[[slot[t] for t in ids]]


def widen(half: np.ndarray) -> np.ndarray:
    """``half`` (float16, no infinities or NaN) as float32, exactly as ``astype`` makes it, in a
    third of its time: numpy's own cast takes the scalar path here, the bit moves are vectorised
    (the magnitude's bits land in a float32 whose exponent is 112 short; one product restores it,
    subnormal halves included)."""
    bits = half.view(np.uint16).astype(np.uint32)
    sign = bits & 0x8000
    bits &= 0x7FFF
    bits <<= 13
    out = bits.view(np.float32)
    out *= np.float32(2.0**112)
    sign <<= 16
    bits |= sign
    return out
