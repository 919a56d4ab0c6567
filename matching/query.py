"""What a user asks and what the matcher answers: ``MatchQuery``, ``Match``, ``Reason``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.errors import InvalidInput, shown
from matching._base import check_k, check_text

if TYPE_CHECKING:
    from graph.records import Centre, Company

__all__ = ["MatchQuery", "Match", "Reason", "check_k", "check_text"]  # the checks, for the edges


@dataclass(frozen=True)
class MatchQuery:
    """An SME's need: free text (German or English), where it is, what it does.

    ``municipality`` is an AGS in the store: 8 digits (municipality) or 5
    (district). ``sector`` is a NACE Rev. 2 section letter (``C``), a division
    (``25``) or both (``C25``). ``topics`` are technology or service concepts
    named by IRI, key (``cybersecurity``) or label (``Cybersicherheit``). Text may
    be empty only when topics are given. ``id`` is echoed back in batch output.
    """

    text: str = ""
    municipality: str | None = None
    sector: str | None = None
    topics: tuple[str, ...] = ()
    id: str | None = None

    def __post_init__(self) -> None:
        topics = (self.topics,) if isinstance(self.topics, str) else tuple(self.topics or ())
        for t in topics:
            if not isinstance(t, str) or not t.strip():
                raise InvalidInput(f"a topic must be a non-empty string, got {shown(t)}")
        object.__setattr__(self, "topics", tuple(t.strip() for t in topics))
        text = check_text(self.text, required=not self.topics)
        object.__setattr__(self, "text", text.strip())
        for name in ("municipality", "sector"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str | int):
                raise InvalidInput(f"{name} must be a string, got {type(value).__name__} {shown(value)}")
            if value is not None:
                value = str(value).strip() or None
            object.__setattr__(self, name, value)

    @classmethod
    def for_company(cls, company: Company) -> MatchQuery:
        """The query of a stored company: its need text, municipality, NACE division and needs."""
        return cls(
            text=company.need_description,
            municipality=company.municipality_ags or None,
            sector=company.nace,
            topics=company.needs,
            id=company.id,
        )

    @classmethod
    def from_dict(cls, data: Any) -> MatchQuery:
        """A query from a JSON object (``text``, ``municipality``, ``sector``, ``topics``, ``id``)."""
        if not isinstance(data, dict):
            raise InvalidInput(f"expected a JSON object with a 'text' field, got {type(data).__name__}")
        unknown = set(data) - {"text", "municipality", "sector", "topics", "id"}
        if unknown:
            raise InvalidInput(
                f"unknown field(s) {', '.join(sorted(unknown))}; "
                "valid: text, municipality, sector, topics, id"
            )
        topics = data.get("topics") or ()
        if not isinstance(topics, list | tuple | str):
            raise InvalidInput(f"topics must be a list of strings, got {shown(topics)}")
        ident = data.get("id")
        return cls(
            text=data.get("text") or "",
            municipality=data.get("municipality"),
            sector=data.get("sector"),
            topics=tuple(topics) if not isinstance(topics, str) else (topics,),
            id=None if ident is None else str(ident),
        )


@dataclass(frozen=True)
class Reason:
    """One factor's share of a match's score, in words.

    ``factor`` is one of ``CentreMatcher.FACTORS``; ``contribution`` is the part
    of the score it adds (weight x factor value); ``text`` says why, e.g.
    "offers Cybersecurity at level 5 — your need mentions Verschlüsselungstrojaner".
    ``parts`` holds the same facts as structured values (concept labels in German
    and English, levels, evidence words, place names, km), so an edge can say
    them in another language; see ``matching.reasons`` for the keys per factor.
    """

    factor: str
    contribution: float
    text: str
    parts: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Match:
    """A centre for a query: its score (sum of the reasons' contributions), distance, reasons."""

    centre: Centre
    score: float
    distance_km: float | None
    reasons: tuple[Reason, ...]
