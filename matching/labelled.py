"""Labelled queries: needs with graded judgments of the centres (and topics) that fit them.

:func:`load_queries` reads them from JSON lines (see ``matching/data/README.md``):
``text`` and ``relevant`` ({centre id: grade 1–3}) are required; ``municipality``,
``sector``, ``topics``, ``relevant_topics``, ``paraphrase``, ``id``, ``lang`` and ``note``
optional.
A bad line raises naming the file, the line number and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import InvalidInput, UnreadableInput

if TYPE_CHECKING:
    from matching.query import MatchQuery

__all__ = ["LabelledQuery", "load_queries"]

_FIELDS = (
    "id", "lang", "text", "municipality", "sector", "topics", "relevant", "relevant_topics", "paraphrase", "note",
)


@dataclass(frozen=True)
class LabelledQuery:
    """A need with its judgments: ``relevant`` maps centre ids to grades 1–3."""

    text: str
    relevant: Mapping[str, int] = field(default_factory=dict)
    municipality: str | None = None
    sector: str | None = None
    topics: tuple[str, ...] = ()
    relevant_topics: Mapping[str, int] = field(default_factory=dict)
    id: str = ""
    lang: str | None = None
    paraphrase: bool = False  # phrased without any label word of its topics (the fair set)
    line: int = 0

    def to_match_query(self) -> MatchQuery:
        """The query a ranker sees: text, location, sector and ticked topics — no judgments."""
        from matching.query import MatchQuery

        return MatchQuery(
            text=self.text, municipality=self.municipality, sector=self.sector,
            topics=self.topics, id=self.id or None,
        )


# --------------------------------------------------------------------------- loading


def load_queries(path: str | Path) -> list[LabelledQuery]:
    """Read labelled queries from a JSON-lines file (blank lines and ``#`` lines skipped)."""
    p = Path(path)
    if not p.is_file():
        raise UnreadableInput(f"{p}: no such file")
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    out: list[LabelledQuery] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise UnreadableInput(f"{p}:{n}: not valid JSON: {exc.msg} (column {exc.colno})") from exc
        q = _parse_line(data, f"{p}:{n}", n)
        if q.id:
            if q.id in seen:
                raise InvalidInput(f"{p}:{n}: field 'id': {q.id!r} already used on line {seen[q.id]}")
            seen[q.id] = n
        out.append(q)
    if not out:
        raise InvalidInput(f"{p}: no labelled queries in the file")
    return out


def _parse_line(data: Any, where: str, line: int) -> LabelledQuery:
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise InvalidInput(f"{where}: unknown field(s) {', '.join(unknown)}; valid: {', '.join(_FIELDS)}")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"{where}: field 'text' must be a non-empty string, got {text!r:.60}")
    relevant = _grades(data.get("relevant", {}), where, "relevant")
    relevant_topics = _grades(data.get("relevant_topics", {}), where, "relevant_topics")
    if not relevant and not relevant_topics:
        raise InvalidInput(
            f"{where}: field 'relevant' is missing or empty: give {{centre id: grade 1-3}} "
            "(or 'relevant_topics' for topic queries)"
        )
    opt = {}
    for name in ("municipality", "sector", "id", "lang"):
        v = data.get(name)
        if v is not None and not isinstance(v, str):
            raise InvalidInput(f"{where}: field {name!r} must be a string, got {v!r}")
        opt[name] = v.strip() if isinstance(v, str) and v.strip() else None
    if opt["municipality"] is not None and not (opt["municipality"].isdigit() and len(opt["municipality"]) in (5, 8)):
        raise InvalidInput(
            f"{where}: field 'municipality' must be an AGS of 8 digits (municipality) "
            f"or 5 (district), got {opt['municipality']!r}"
        )
    paraphrase = data.get("paraphrase", False)
    if not isinstance(paraphrase, bool):
        raise InvalidInput(f"{where}: field 'paraphrase' must be true or false, got {paraphrase!r}")
    topics = data.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
        raise InvalidInput(f"{where}: field 'topics' must be a list of non-empty strings, got {topics!r}")
    return LabelledQuery(
        text=text.strip(), relevant=relevant, municipality=opt["municipality"], sector=opt["sector"],
        topics=tuple(topics), relevant_topics=relevant_topics, id=opt["id"] or "", lang=opt["lang"],
        paraphrase=paraphrase, line=line,
    )


def _grades(value: Any, where: str, name: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: field {name!r} must be an object {{id: grade}}, got {value!r:.60}")
    out = {}
    for key, grade in value.items():
        if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 3:
            raise InvalidInput(f"{where}: field {name!r}: grade of {key!r} must be 1, 2 or 3, got {grade!r}")
        out[str(key)] = grade
    return out
