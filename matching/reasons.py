"""Reasons: each factor's contribution to a match, said in words a user can check.

Examples: "offers Cybersecurity at level 5 — your need mentions
Verschlüsselungstrojaner, IT-Sicherheit", "offers Robotics at level 4 (related to
Sensors & Vision Processing Systems)", "works with NACE C25 firms (Manufacturing
and processing, level 5)", "serves your district Börde, 41 km away". The
contributions of a match's reasons add up to its score.

Each reason also carries ``parts``, the facts of its sentence as values:

* ``text``: ``similarity`` (cosine, 0–1);
* ``topic`` / ``service``: ``offered`` and ``need`` (``{"key", "en", "de"}``; the
  need's concept differs when credit came through a related concept), ``level``,
  ``evidence`` (the need's words that named it), ``how`` (``mentions`` |
  ``named`` | ``reads_like``);
* ``sector``: ``nace`` (e.g. ``C25``), ``sector`` (``{"key", "en", "de"}``), ``level``;
* ``geography``: ``places`` (``[(relation, name), ...]`` with relations from
  ``matching._geo.RELATIONS``) and ``km`` (None when unknown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from matching._geo import geo_text
from matching.query import Reason

if TYPE_CHECKING:
    from matching._concepts import ConceptFit
    from matching._resolve import Prepared
    from matching.ranker import CentreMatcher
    from matching.topics import TextAnalysis

__all__ = ["explain"]

_MIN = 5e-4  # contributions below this are noise, not reasons


def explain(m: CentreMatcher, p: Prepared, i: int, f: np.ndarray, ctx: dict[str, Any]) -> tuple[Reason, ...]:
    """The reasons of centre ``i`` for prepared query ``p``, largest contribution first."""
    w = m.weights_
    out: list[Reason] = []
    if w["text"] * f[0] > _MIN:
        out.append(Reason(
            "text", _r(w["text"] * f[0]), f"its profile is similar to your need ({f[0]:.2f})",
            {"similarity": round(float(f[0]), 4)},
        ))
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
            sector = m.sector_fit_.sectors[s]
            level = _level(m.centres_[i].sectors, sector.iri)
            out.append(Reason(
                "sector", _r(w["sector"] * f[3]),
                f"works with NACE {p.nace_label} firms ({sector.label_en}, level {level})",
                {"nace": p.nace_label, "sector": _labels(sector), "level": level},
            ))
    if p.place is not None and w["geography"] * f[4] > _MIN:
        km = float(ctx["km"][i])
        places = m.geo_.explain_parts(i, m.centres_[i], p.place)
        distance = None if np.isnan(km) else round(km, 1)
        out.append(Reason(
            "geography", _r(w["geography"] * f[4]), geo_text(places, km),
            {"places": places, "km": distance},
        ))
    return tuple(sorted(out, key=lambda r: -r.contribution))


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
        }
        out.append(Reason(factor, _r(contribution), text, parts))
    return out


def _labels(c: Any) -> dict[str, str]:
    return {"key": c.key, "en": c.label_en, "de": c.label_de or c.label_en}


def _level(engagements: tuple[Any, ...], iri: str) -> int:
    return next((e.level for e in engagements if e.concept == iri), 0)


def _r(x: float) -> float:
    return round(float(x), 4)
