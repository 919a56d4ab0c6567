"""Reasons: each factor's contribution to a match, said in words a user can check.

Examples: "offers Cybersecurity at level 5 — your need mentions
Verschlüsselungstrojaner, IT-Sicherheit", "offers Robotics at level 4 (related to
Sensors & Vision Processing Systems)", "works with NACE C25 firms (Manufacturing
and processing, level 5)", "serves your district Börde, 41 km away". The
contributions of a match's reasons add up to its score; when the expertise rule
(``matching.expertise``) ranks a centre after the specialists, the cut is a negative
topic reason ("does not offer Cybersecurity: ranked after the 3 specialists within
reach"); when the trade rule (``matching.trades``) ranks a centre for another trade last, a
negative sector reason ("serves crafts firms only: your sector NACE C28 is not one of them").

Each reason also carries ``parts``, the facts of its sentence as values:

* ``text``: ``similarity`` (cosine, 0–1);
* ``topic`` / ``service``: ``offered`` and ``need`` (``{"key", "en", "de"}``; the
  need's concept differs when credit came through a related concept), ``level``,
  ``evidence`` (the need's words that named it), ``how`` (``mentions`` |
  ``named`` | ``reads_like``); the expertise cut instead: ``cut`` (True), ``named``
  (``[{"en", "de"}, ...]``), ``level``, ``specialists`` (how many), ``located``;
* ``sector``: ``nace`` (e.g. ``C25``), ``sector`` (``{"key", "en", "de"}``), ``level``; for a centre of
  the asker's own trade ``serves_only``, ``nace`` and ``evidence`` (the need's words that named the
  trade; empty when the sector did); the trade cut
  (``matching.trades``) instead: ``cut`` (True), ``serves_only`` (the centre's trade, ``{"key", "en",
  "de"}``), ``nace`` (the asker's sector or None);
* ``geography``: ``places`` (``[(relation, name), ...]`` with relations from
  ``matching._geo.RELATIONS``), ``km`` (None when unknown) and, for the nearest point
  of contact without the named expertise, ``contact_for`` (``[{"en", "de"}, ...]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from matching._geo import geo_text
from matching.expertise import Assessment
from matching.query import Reason
from matching.weights import FACTORS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graph.records import Centre
    from matching._concepts import ConceptFit, SectorFit
    from matching._geo import GeoIndex
    from matching._resolve import Prepared
    from matching.topics import TextAnalysis
    from matching.trades import TradeIndex

__all__ = ["FactorRow", "QueryContext", "ReasonWriter"]

_MIN = 5e-4  # contributions below this are noise, not reasons
Hits = list[tuple[int, int, float]]  # (need concept, offered concept, share of the fit): ConceptFit.explain_need


@dataclass(frozen=True)
class FactorRow:
    """One centre's factor values (each in [0, 1]) for one query, and its distance in km (NaN: unknown)."""

    text: float
    topic: float
    service: float
    sector: float
    geography: float
    km: float
    cut: float = 0.0  # what the expertise rule took off the weighted sum (``matching.expertise``)
    # each factor's share of the score, in ``FACTORS`` order (None: weight x value)
    contributions: tuple[float, ...] | None = None
    trade_cut: float = 0.0  # what the trade rule took off after that (``matching.trades``)

    @classmethod
    def of(cls, values: np.ndarray, km: float, cut: float = 0.0, contributions: np.ndarray | None = None) -> FactorRow:
        """The row from a ``(len(FACTORS),)`` vector in ``FACTORS`` order."""
        shares = None if contributions is None else tuple(float(c) for c in contributions)
        return cls(**{f: float(v) for f, v in zip(FACTORS, values, strict=True)}, km=float(km), cut=float(cut),
                   contributions=shares)

    @classmethod
    def many(
        cls, values: np.ndarray, km: np.ndarray, cut: np.ndarray, contributions: np.ndarray,
        trade_cut: np.ndarray | None = None,
    ) -> list[FactorRow]:
        """:meth:`of` for ``k`` centres at once: ``values`` and ``contributions`` ``(k, len(FACTORS))``,
        ``km``, ``cut`` and ``trade_cut`` ``(k,)``."""
        trade = trade_cut.tolist() if trade_cut is not None else [0.0] * len(cut)
        return [
            cls(*v, d, c, tuple(s), t)  # type: ignore[arg-type]  # the factors are the first fields, in FACTORS order
            for v, d, c, s, t in zip(values.tolist(), km.tolist(), cut.tolist(), contributions.tolist(), trade,
                                     strict=True)
        ]

    def weights(self, defaults: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
        """Per factor, the weight that turns its value into its contribution, and what a zero
        value leaves over (a learned ranking credits facts beside the factor's value, e.g. a
        specialist within reach)."""
        if self.contributions is None:
            return dict(defaults), {}
        w, rest = {}, {}
        for f, c in zip(FACTORS, self.contributions, strict=True):
            value = getattr(self, f)
            w[f] = c / value if value > 1e-6 else 0.0
            if value <= 1e-6 and c > _MIN:
                rest[f] = c
        return w, rest


@dataclass(frozen=True)
class QueryContext:
    """What the ranker derived from a prepared query, shared by every centre's reasons:
    the query's weight on each technology and service concept, and on each sector (None: no sector),
    and what the expertise rule found (``matching.expertise``)."""

    prepared: Prepared
    topic_weights: np.ndarray
    service_weights: np.ndarray
    sector_weights: np.ndarray | None
    expertise: Assessment = field(default_factory=Assessment)
    # the learned ranking's weights of the need's main technology then service concepts (None: not used)
    main_concepts: np.ndarray | None = None
    # whether the need's concepts are known (named, a label found, a sure classification), not guessed
    sure: bool = True

    @cached_property
    def specialists(self) -> int:
        """How many specialists the expertise rule found (worked out once)."""
        return int(self.expertise.specialist.sum())

    @cached_property
    def topic_need(self) -> _Need:
        """The topic weights as the reasons of every centre read them (worked out once)."""
        return _Need.of(self.topic_weights, self.prepared.topic_rows)

    @cached_property
    def service_need(self) -> _Need:
        """The service weights as the reasons of every centre read them (worked out once)."""
        return _Need.of(self.service_weights, self.prepared.service_rows)


@dataclass(frozen=True)
class _Need:
    """A query's concept weights reduced to what ``ConceptFit.explain_need`` reads, and the
    concepts the query named explicitly."""

    rows: np.ndarray  # the nonzero rows
    weights: np.ndarray  # their weights
    total: float
    explicit: frozenset[int]

    @classmethod
    def of(cls, q: np.ndarray, explicit: tuple[int, ...]) -> _Need:
        rows = np.flatnonzero(q)
        return cls(rows, q[rows], float(q.sum()), frozenset(explicit))


@dataclass(frozen=True, eq=False)
class ReasonWriter:
    """Turns factor rows into reasons; built once by ``CentreMatcher.fit`` from its fitted parts."""

    weights: Mapping[str, float]
    centres: tuple[Centre, ...]
    topic_fit: ConceptFit
    service_fit: ConceptFit
    sector_fit: SectorFit
    geo: GeoIndex
    trades: TradeIndex | None = None

    @cached_property
    def _levels(self) -> np.ndarray:
        """``(n_centres, n_technologies + n_services)`` levels / 5, technology then service concepts."""
        return np.concatenate([self.topic_fit.levels, self.service_fit.levels], axis=1)

    @cached_property
    def _german(self) -> dict[str, str]:
        """Each technology and service concept's German label by its English one."""
        return {c.label_en: c.label_de or c.label_en for fit in (self.topic_fit, self.service_fit) for c in fit.concepts}

    def _both(self, names: tuple[str, ...]) -> list[dict[str, str]]:
        """The named concepts' English labels with their German ones."""
        de = self._german
        return [{"en": n, "de": de.get(n, n)} for n in names]

    def _other(self, factor: str, contribution: float, i: int, ctx: QueryContext) -> Reason:
        """A reason for a learned credit whose factor value is 0: for topics, the main concept of the
        need the centre offers best; otherwise the factor's name."""
        main = ctx.main_concepts
        if factor == "topic" and main is not None and main.any():
            levels = self._levels[i]
            j = int(np.argmax(main * levels))
            n_topics = len(self.topic_fit.concepts)
            concept = self.topic_fit.concepts[j] if j < n_topics else self.service_fit.concepts[j - n_topics]
            level = int(round(5 * float(levels[j])))
            if level:
                text = f"offers {concept.label_en} at level {level}, which your need reads like"
                parts = {"offered": _labels(concept), "need": _labels(concept), "level": level, "evidence": [],
                         "how": "reads_like", "weak": not ctx.sure}
                return Reason("topic", _r(contribution), text, parts)
        return Reason(factor, _r(contribution), f"fits by {factor}", {})

    def explain(self, ctx: QueryContext, i: int, row: FactorRow) -> tuple[Reason, ...]:
        """The reasons of centre ``i``, largest contribution first."""
        return self.explain_many(ctx, [i], [row])[0]

    def explain_many(self, ctx: QueryContext, centres: Sequence[int], rows: Sequence[FactorRow]) -> list[tuple[Reason, ...]]:
        """:meth:`explain` for several centres (the k a match returns), their concept credits read at once."""
        idx = np.asarray(centres, dtype=np.intp)
        fits = ((self.topic_fit, ctx.topic_need), (self.service_fit, ctx.service_need))
        hits = [fit.explain_many(idx, need.rows, need.weights, need.total) if need.rows.size else None
                for fit, need in fits]
        sectors = (None if ctx.sector_weights is None else self.sector_fit.explain_many(idx, ctx.sector_weights))
        return [self._explain(ctx, int(i), row, *(None if h is None else h[n] for h in hits),
                              None if sectors is None else sectors[n])
                for n, (i, row) in enumerate(zip(centres, rows, strict=True))]

    def _explain(
        self, ctx: QueryContext, i: int, row: FactorRow, topic_hits: Hits | None, service_hits: Hits | None,
        sector_hit: tuple[int, float] | None,
    ) -> tuple[Reason, ...]:
        w, rest = row.weights(self.weights)
        p, centre = ctx.prepared, self.centres[i]
        out: list[Reason] = [self._other(f, c, i, ctx) for f, c in rest.items()]
        if w["text"] * row.text > _MIN:
            out.append(Reason(
                "text", _r(w["text"] * row.text), f"its profile is similar to your need ({row.text:.2f})",
                {"similarity": round(row.text, 4)},
            ))
        out += _concept_reasons(
            "topic", w["topic"], self.topic_fit, i, ctx.topic_need, p.topics, "offers", ctx.sure, topic_hits
        )
        out += _concept_reasons(
            "service", w["service"], self.service_fit, i, ctx.service_need, p.services, "offers the service", ctx.sure,
            service_hits,
        )
        a = ctx.expertise
        read = a.trade
        own = self.trades.trade_of(i) if self.trades is not None and read is not None and read.own[i] else None
        if own is not None and read is not None and w["sector"] * row.sector > _MIN:
            how = f"your need says {', '.join(read.words)}" if read.words else (
                f"your sector NACE {p.nace_label} is one of its trades")
            text = f"a centre for {own.label_en.lower()} firms, as yours is: {how}"
            parts = {"serves_only": _labels(own), "nace": p.nace_label or None, "evidence": list(read.words)}
            out.append(Reason("sector", _r(w["sector"] * row.sector), text, parts))
        elif ctx.sector_weights is not None and w["sector"] * row.sector > _MIN:
            hit = sector_hit
            if hit is not None:
                sector = self.sector_fit.sectors[hit[0]]
                level = _level(centre.sectors, sector.iri)
                text = f"works with NACE {p.nace_label} firms ({sector.label_en}, level {level})"
                parts: dict[str, Any] = {"nace": p.nace_label, "sector": _labels(sector), "level": level}
                out.append(Reason("sector", _r(w["sector"] * row.sector), text, parts))
        if p.place is not None and w["geography"] * row.geography > _MIN:
            places = self.geo.explain_parts(i, centre, p.place)
            text = geo_text(places, row.km)
            parts = {"places": places, "km": None if math.isnan(row.km) else round(row.km, 1)}
            if a.active and a.nearest_contact[i]:
                text = f"nearest point of contact, does not offer {_named(a.named)}: {text}"
                parts["contact_for"] = self._both(a.named)
            out.append(Reason("geography", _r(w["geography"] * row.geography), text, parts))
        if row.cut > _MIN:
            n = ctx.specialists
            where = "within reach" if p.place is not None else "for it"
            level = int(a.level[i])
            offer = f"offers {_named(a.named)} only at level {level}" if level else f"does not offer {_named(a.named)}"
            text = f"{offer}: ranked after the {n} specialist{'s' if n != 1 else ''} {where}"
            parts = {"cut": True, "named": self._both(a.named), "level": level, "specialists": n,
                     "located": p.place is not None}
            out.append(Reason("topic", _r(-row.cut), text, parts))
        trade = self.trades.trade_of(i) if self.trades is not None and row.trade_cut > _MIN else None
        if trade is not None:
            asker = f"your sector NACE {p.nace_label} is not one of them" if p.nace_label else (
                "your need names no sector and not this trade")
            text = f"serves {trade.label_en.lower()} firms only: {asker}; ranked after the centres open to you"
            parts = {"cut": True, "serves_only": _labels(trade), "nace": p.nace_label or None}
            out.append(Reason("sector", _r(-row.trade_cut), text, parts))
        return tuple(sorted(out, key=lambda r: -r.contribution))


def _labels(c: Any) -> dict[str, str]:
    return {"key": c.key, "en": c.label_en, "de": c.label_de or c.label_en}


def _named(labels: tuple[str, ...]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _concept_reasons(
    factor: str,
    weight: float,
    fit: ConceptFit,
    i: int,
    wanted: _Need,
    analysis: TextAnalysis,
    verb: str,
    sure: bool = True,
    hits: Hits | None = None,
) -> list[Reason]:
    """``hits``: ``fit.explain_need`` for centre ``i`` and the ``wanted`` concepts, if already read."""
    if weight <= 0 or not wanted.rows.size:
        return []
    explicit = wanted.explicit
    out = []
    if hits is None:
        hits = fit.explain_need(i, wanted.rows, wanted.weights, wanted.total)
    for j, c, share in hits:
        contribution = weight * share
        if contribution <= _MIN:
            continue
        need, offered = fit.concepts[j], fit.concepts[c]
        level = round(float(fit.levels[i, c]) * 5)
        text = f"{verb} {offered.label_en} at level {level}"
        if c != j:
            text += f" (close to {need.label_en})"
        evidence = analysis.evidence[j]
        if evidence:
            how = "mentions"
            text += f" — your need mentions {', '.join(evidence)}"
        elif j in explicit:
            how = "named"
            text += f" — you named {need.label_en}"
        else:
            how = "reads_like"
            text += f" — your need reads like {need.label_en}"
        parts = {
            "offered": _labels(offered), "need": _labels(need), "level": level,
            "evidence": tuple(evidence), "how": how,
            "weak": how == "reads_like" and not sure,  # only guessed from the text
        }
        out.append(Reason(factor, _r(contribution), text, parts))
    return out


def _level(engagements: tuple[Any, ...], iri: str) -> int:
    return next((e.level for e in engagements if e.concept == iri), 0)


def _r(x: float) -> float:
    return round(float(x), 4)
