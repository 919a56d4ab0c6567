"""Synthetic SMEs for demos and tests: deterministic, plausible, and marked as synthetic.

``generate_companies(n, seed, municipalities)`` returns ``n`` companies:

* located in a municipality drawn with probability proportional to its population;
* a NACE Rev. 2 division drawn from a rough German SME mix (trades, shops,
  restaurants, practices and offices dominate; see ``_company_text.DIVISIONS``);
* employees and size class by the EU SME definition: micro (<10, 80 %), small
  (<50, 15 %), medium (<250, 5 %);
* 1-3 technology needs (terms of the EU catalogue's technology vocabulary), drawn
  with weights that depend on the sector (manufacturing → IoT, robotics, digital
  twins; retail → online shop; ...);
* a name such as "Müller Metallbau GmbH" and a one- or two-sentence need
  description in everyday words, German (60 %) or English.

The same ``(n, seed, municipalities)`` gives identical output on every machine
(one ``random.Random(seed)``, inputs sorted by AGS). Ids are ``sme-000001`` ...
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.dataset import _company_text as T
from graph.errors import InvalidInput

__all__ = ["SyntheticCompany", "generate_companies", "SIZE_CLASSES"]

# size class: (share of companies, smallest, largest number of employees)
SIZE_CLASSES: dict[str, tuple[float, int, int]] = {
    "micro": (0.80, 1, 9),
    "small": (0.15, 10, 49),
    "medium": (0.05, 50, 249),
}
_N_NEEDS = ((1, 0.5), (2, 0.35), (3, 0.15))
_GERMAN_SHARE = 0.6


@dataclass(frozen=True)
class SyntheticCompany:
    """One generated SME; ``needs`` are technology terms of the EU catalogue vocabulary."""

    id: str
    name: str
    municipality_ags: str
    nace: str  # two-digit NACE Rev. 2 division
    employees: int
    size_class: str  # "micro" | "small" | "medium"
    needs: tuple[str, ...]
    need_description: str
    language: str  # "de" | "en"
    synthetic: bool = True


def size_class_of(employees: int) -> str:
    """EU SME size class for a head count (0-249); raise for 250 or more."""
    for name, (_, _lo, hi) in SIZE_CLASSES.items():
        if 0 <= employees <= hi:
            return name
    raise InvalidInput(f"{employees!r} employees is not an SME: expected 0-249")


def generate_companies(
    n: int = 3000,
    seed: int = 42,
    municipalities: Iterable[Mapping[str, Any]] | None = None,
) -> list[SyntheticCompany]:
    """``n`` synthetic SMEs; ``municipalities`` are rows with ``ags``, ``name`` and ``population``
    (default: the compact default data)."""
    if not isinstance(n, int) or n < 0 or n > 999_999:
        raise InvalidInput(f"invalid number of companies {n!r}: expected 0-999999")
    if municipalities is None:
        from graph.dataset.compact import municipalities as _load

        municipalities = _load()
    places = sorted(((str(m["ags"]), str(m["name"]), int(m["population"])) for m in municipalities),
                    key=lambda p: p[0])
    places = [p for p in places if p[2] > 0]
    if not places and n:
        raise InvalidInput("no inhabited municipality to place companies in")
    rng = random.Random(seed)
    cum_pop = list(itertools.accumulate(p[2] for p in places))
    divisions = sorted(T.DIVISIONS)
    cum_div = list(itertools.accumulate(T.DIVISIONS[d][0] for d in divisions))
    out = []
    for i in range(1, n + 1):
        ags, mname, _ = places[bisect.bisect_right(cum_pop, rng.random() * cum_pop[-1])]
        town = mname.split(",", 1)[0]
        nace = divisions[bisect.bisect_right(cum_div, rng.random() * cum_div[-1])]
        _, group, trades = T.DIVISIONS[nace]
        trade = rng.choice(trades)
        size = rng.choices(list(SIZE_CLASSES), weights=[v[0] for v in SIZE_CLASSES.values()])[0]
        _, lo, hi = SIZE_CLASSES[size]
        employees = _employees(rng, lo, hi)
        k = rng.choices([c for c, _ in _N_NEEDS], weights=[w for _, w in _N_NEEDS])[0]
        needs = _sample_needs(rng, T.TECH_BY_GROUP[group], k)
        lang = "de" if rng.random() < _GERMAN_SHARE else "en"
        out.append(SyntheticCompany(
            id=f"sme-{i:06d}",
            name=_name(rng, trade, town),
            municipality_ags=ags,
            nace=nace,
            employees=employees,
            size_class=size,
            needs=needs,
            need_description=_description(rng, lang, needs, town, trade, employees, size),
            language=lang,
        ))
    return out


def _employees(rng: random.Random, lo: int, hi: int) -> int:
    """Head count within [lo, hi], skewed towards the small end as real firm sizes are."""
    return min(hi, lo + int((hi - lo + 1) * rng.random() ** 2))


def _sample_needs(rng: random.Random, weights: Mapping[str, float], k: int) -> tuple[str, ...]:
    """``k`` distinct terms drawn with the given weights (without replacement)."""
    pool = dict(weights)
    chosen: list[str] = []
    for _ in range(min(k, len(pool))):
        terms = sorted(pool)
        term = rng.choices(terms, weights=[pool[t] for t in terms])[0]
        chosen.append(term)
        del pool[term]
    return tuple(chosen)


def _name(rng: random.Random, trade: str, town: str) -> str:
    legal = rng.choices([f for f, _ in T.LEGAL_FORMS], weights=[w for _, w in T.LEGAL_FORMS])[0]
    surname = rng.choice(T.SURNAMES)
    pattern = rng.random()
    if pattern < 0.5:
        base = f"{surname} {trade}"
    elif pattern < 0.75:
        base = f"{trade} {surname}"
    elif pattern < 0.9:
        base = f"{trade} {town}"
    else:
        other = rng.choice([s for s in T.SURNAMES if s != surname])
        base = f"{trade} {surname} & {other}"
    return f"{base} {legal}".strip()


def _description(rng: random.Random, lang: str, needs: tuple[str, ...], town: str, trade: str,
                 employees: int, size: str) -> str:
    """One or two sentences in ``lang`` saying what the company needs, in everyday words."""
    de = lang == "de"
    first = rng.choice(T.NEEDS[needs[0]][0 if de else 1])
    if len(needs) > 1:
        phrases = [T.NEEDS[t][2] if de else T.NEEDS[t][3] for t in needs[1:]]
        joined = (" und " if de else " and ").join(phrases)
        second = f"Weitere Themen für uns: {joined}." if de else f"We are also interested in {joined}."
        return f"{first} {second}"
    if rng.random() < 0.5:
        intros: tuple[str, ...] = T.INTROS_DE if de else T.INTROS_EN
        if size != "micro":  # "small firm with little time for IT" only fits micro firms
            intros = tuple(s for s in intros if "klein" not in s and "small" not in s)
        if employees < 3:  # avoid "mit 1 Leuten"
            intros = tuple(s for s in intros if "{n}" not in s)
        intro = rng.choice(intros).format(n=employees, town=town, trade=trade)
        return f"{intro} {first}"
    return first
