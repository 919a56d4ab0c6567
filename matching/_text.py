"""Lexical matching of SKOS labels in German and English free text.

The embedding model is English-only, so German needs are found through the
concepts' labels: every ``prefLabel`` and ``altLabel`` (de and en) is indexed, and
a text matches a label when all of the label's content words occur in the text
close together. Words are compared after folding case, umlauts (ä→ae, ß→ss) and
accents, and after stripping common German/English inflection endings, so
"Sensoren" matches "sensors" and "vernetzen" matches "vernetzte". German compounds
are handled by substring matching: a label word of 6+ letters matches inside a
longer text word ("Verschlüsselungstrojaner" in "Verschlüsselungstrojanern",
"Roboter" in "Industrieroboter"); 4–5 letter label words only at the start or
end of a compound ("Cloud" in "Cloudlösung"); shorter words (KI, IoT, 5G) only
as whole words. A label word found inside a longer label word of the same text
word does not count ("Daten" in "Datenbrillen", which is the VR label "Datenbrille").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["fold", "tokens", "passages", "LabelHit", "LabelIndex"]

_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Longest first; a stem keeps at least 4 letters.
_SUFFIXES = ("ungen", "ung", "ern", "ten", "te", "en", "er", "es", "em", "e", "n", "s")
_STOP = frozenset(
    "a an and & for of the in on to with der die das den dem des und mit von im in zur zum "
    "fuer fur bei auf fuer ein eine einer".split()
)
_WINDOW_SLACK = 3  # extra words allowed between the words of a multi-word label
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def fold(text: str) -> str:
    """Lower-case ``text`` and fold umlauts, ß and accents to ASCII where possible."""
    if text.isascii():
        return text.lower()  # what the steps below give for ASCII text
    s = text.casefold().translate(_FOLD)
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Folded words of ``text`` with their character spans: ``[(word, start, end), ...]``."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    # memoised: a query's text is read once per scheme (technology, service)
    return tuple((fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text))


@dataclass(frozen=True)
class LabelHit:
    """One label found in a text: which concept, how strongly, and the words that matched."""

    concept: int  # row of the concept in the index
    label: str
    strength: float  # 1.0 prefLabel, 0.9 altLabel; x0.9 when found inside a compound
    surface: str  # the words of the text that matched, as written


@dataclass(frozen=True)
class _Label:
    concept: int
    text: str
    words: tuple[str, ...]  # stems of the content words
    weight: float


class LabelIndex:
    """All labels of a list of concepts, ready to be found in texts.

    ``labels[i]`` is an iterable of ``(label, weight)`` pairs for concept ``i``.
    """

    def __init__(self, labels: Sequence[Iterable[tuple[str, float]]]) -> None:
        self.n_concepts = len(labels)
        self._labels: list[_Label] = []
        seen: set[tuple[int, tuple[str, ...]]] = set()
        written: dict[str, set[str]] = defaultdict(set)  # each label stem's words as the labels write them
        for i, pairs in enumerate(labels):
            for label, weight in sorted(pairs, key=lambda p: -p[1]):
                kept = [w for w, _, _ in tokens(label) if w not in _STOP]
                for w in kept:
                    written[_stem(w)].add(w)
                words = tuple(_stem(w) for w in kept)
                if not words or (i, words) in seen:
                    continue
                seen.add((i, words))
                self._labels.append(_Label(i, label, words, weight))
        self._stems = {w for lab in self._labels for w in lab.words}
        # a 4-5 letter stem heads a compound only as its label word is written: "Datenschutz" has
        # "daten", "Dateien" only the stem "date"; "Medizintechnik" is not "Medien"
        self._heads = {w: tuple(sorted(written[w])) for w in self._stems if 4 <= len(w) <= 5}
        self._by_word: dict[str, list[int]] = defaultdict(list)
        for n, lab in enumerate(self._labels):
            self._by_word[lab.words[0]].append(n)
        self._words: dict[str, tuple[str, tuple[str, ...]]] = {}  # see _label_words
        self._longest = max((len(w) for w in self._stems), default=0)

    def find(self, text: str) -> list[LabelHit]:
        """Every label found in ``text``, at most one hit per (concept, label)."""
        toks = _tokens(text)
        if not toks:
            return []
        positions: dict[str, list[tuple[int, bool]]] = defaultdict(list)  # only words of labels
        known = self._words
        for pos, (word, _, _) in enumerate(toks):
            whole, parts = known.get(word) or self._label_words(word)
            if whole:
                positions[whole].append((pos, False))
            for part in parts:
                positions[part].append((pos, True))
        hits = []
        for n in sorted({n for w in positions for n in self._by_word.get(w, ())}):
            lab = self._labels[n]
            found = self._locate(lab.words, positions)
            if found is None:
                continue
            where, compound = found
            strength = lab.weight * (0.9 if compound else 1.0)
            hits.append(LabelHit(lab.concept, lab.text, strength, _surface(text, toks, where)))
        return hits

    def _label_words(self, word: str) -> tuple[str, tuple[str, ...]]:
        """The stem of text word ``word`` if some label has it ("" if none) and the label stems inside
        it as part of a compound (memoised per word)."""
        stem = _stem(word)
        found = (stem if stem in self._stems else "", self._compound_parts(word, stem))
        if len(self._words) < 100_000:
            self._words[word] = found
        return found

    def _compound_parts(self, word: str, stem: str) -> tuple[str, ...]:
        """Label stems that occur inside ``word`` as part of a compound (``_label_words`` keeps them)."""
        found = set()
        n = len(word)
        for i in range(n - 5):  # label stems of 6+ letters anywhere inside the word
            for j in range(i + 6, min(n, i + self._longest) + 1):
                if (j - i) < n and word[i:j] in self._stems:
                    found.add(word[i:j])
        for size in (4, 5):  # 4-5 letters only as the head (as written) or tail of a compound
            if n >= size + 3:
                head, tail = word[:size], stem[-size:]
                if head in self._stems and word.startswith(self._heads[head]):
                    found.add(head)
                if tail in self._stems:
                    found.add(tail)
        found.discard(stem)
        # A part inside a longer label word of the same text word is not evidence of
        # its own: "Datenbrillen" is smart glasses (VR), not "Daten" (data).
        longer = found | ({stem} if stem in self._stems else set())
        return tuple(sorted(p for p in found if not any(p != q and p in q for q in longer)))

    @staticmethod
    def _locate(
        words: tuple[str, ...], positions: dict[str, list[tuple[int, bool]]]
    ) -> tuple[list[int], bool] | None:
        """Positions of ``words`` close together in the text, and whether any was a compound."""
        lists = [positions.get(w) for w in words]
        if not all(lists):
            return None
        window = len(words) + _WINDOW_SLACK
        for first, comp in lists[0]:  # type: ignore[union-attr]
            chosen, compound = [first], comp
            for other in lists[1:]:
                near = [(p, c) for p, c in other if abs(p - first) <= window]  # type: ignore[union-attr]
                if not near:
                    break
                p, c = min(near, key=lambda pc: abs(pc[0] - first))
                chosen.append(p)
                compound = compound or c
            else:
                return sorted(set(chosen)), compound
        return None


def _surface(text: str, toks: Sequence[tuple[str, int, int]], where: list[int]) -> str:
    if where[-1] - where[0] + 1 == len(where):  # consecutive words: quote the span as written
        return text[toks[where[0]][1] : toks[where[-1]][2]]
    return " ".join(text[toks[p][1] : toks[p][2]] for p in where)


def passages(text: str, size: int = 400) -> list[str]:
    """``text`` cut at sentence ends into passages of up to about ``size`` characters."""
    out: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > size:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out
