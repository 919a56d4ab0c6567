"""Reasons: each factor's contribution to a match, said in words a user can check.

Examples: "offers Cybersecurity at level 5 — your need mentions
Verschlüsselungstrojaner, IT-Sicherheit", "offers Robotics at level 4 (related to
Sensors & Vision Processing Systems)", "works with NACE C25 firms (Manufacturing
and processing, level 5)", "serves your district Börde, 41 km away". The
contributions of a match's reasons add up to its score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from matching.query import Reason

if TYPE_CHECKING:
    from matching._concepts import ConceptFit
    from matching._resolve import Prepared
    from matching.ranker import CentreMatcher
    from matching.topics import TextAnalysis

__all__ = ["explain"]

_MIN = 5e-4  # contributions below this are noise, not reasons


def explain(
    m: CentreMatcher, p: Prepared, i: int, f: np.ndarray, ctx: dict[str, Any], cut: float = 0.0
) -> tuple[Reason, ...]:
    """The reasons of centre ``i`` for prepared query ``p``, largest contribution first.

    ``cut`` is what the expertise rule took off the score (``matching.expertise``); it
    appears as a negative topic reason, so the contributions still add up to the score.
    """
    w = m.weights_
    out: list[Reason] = []
    if w["text"] * f[0] > _MIN:
        out.append(Reason("text", _r(w["text"] * f[0]), f"its profile is similar to your need ({f[0]:.2f})"))
    out += _concept_reasons(
        "topic", w["topic"], m.topic_fit_, i, ctx["q_topic"], p.topics, set(p.topic_rows), m, "offers"
    )
    out += _concept_reasons(
        "service", w["service"], m.service_fit_, i, ctx["q_service"], p.services, set(p.service_rows), m,
        "offers the service",
    )
    if ctx["m_sector"] is not None and w["sector"] * f[3] > _MIN:
        hit = m.sector_fit_.explain(i, ctx["m_sector"])
        if hit is not None:
            s, _ = hit
            label = m.sector_fit_.sectors[s].label_en
            level = _level(m.centres_[i].sectors, m.sector_fit_.sectors[s].iri)
            out.append(
                Reason("sector", _r(w["sector"] * f[3]), f"works with NACE {p.nace_label} firms ({label}, level {level})")
            )
    if p.place is not None and w["geography"] * f[4] > _MIN:
        km = float(ctx["km"][i])
        text = m.geo_.explain(i, m.centres_[i], p.place, km)
        a = ctx["expertise"]
        if a.active and a.nearest_contact[i]:
            text = f"nearest point of contact, does not offer {_named(a.named)}: {text}"
        out.append(Reason("geography", _r(w["geography"] * f[4]), text))
    if cut > _MIN:
        a = ctx["expertise"]
        n = int(a.specialist.sum())
        where = "within reach" if p.place is not None else "for it"
        level = int(a.level[i])
        offer = f"offers {_named(a.named)} only at level {level}" if level else f"does not offer {_named(a.named)}"
        out.append(Reason("topic", _r(-cut), f"{offer}: ranked after the {n} specialist{'s' if n != 1 else ''} {where}"))
    return tuple(sorted(out, key=lambda r: -r.contribution))


def _named(labels: tuple[str, ...]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _concept_reasons(
    factor: str,
    weight: float,
    fit: ConceptFit,
    i: int,
    q: np.ndarray,
    analysis: TextAnalysis,
    explicit: set[int],
    m: CentreMatcher,
    verb: str,
) -> list[Reason]:
    if weight <= 0 or not q.any():
        return []
    centre = m.centres_[i]
    engagements = centre.topics if fit.kind == "technology" else centre.services
    out = []
    for j, c, share in fit.explain(i, q):
        contribution = weight * share
        if contribution <= _MIN:
            continue
        need, offered = fit.concepts[j], fit.concepts[c]
        level = _level(engagements, offered.iri)
        text = f"{verb} {offered.label_en} at level {level}"
        if c != j:
            text += f" (close to {need.label_en})"
        evidence = analysis.evidence[j]
        if evidence:
            text += f" — your need mentions {', '.join(evidence)}"
        elif j in explicit:
            text += f" — you named {need.label_en}"
        else:
            text += f" — your need reads like {need.label_en}"
        out.append(Reason(factor, _r(contribution), text))
    return out


def _level(engagements: tuple[Any, ...], iri: str) -> int:
    return next((e.level for e in engagements if e.concept == iri), 0)


def _r(x: float) -> float:
    return round(float(x), 4)
