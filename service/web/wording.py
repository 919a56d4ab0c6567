"""The matcher's reasons said in plain German or English, from their structured parts.

"bietet Cybersicherheit auf Stufe 5 — Ihr Bedarf nennt IT-Sicherheit" is built
from ``Reason.parts`` (``matching.reasons``); a reason without parts (e.g. one
read back from JSON) keeps its English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.web.i18n import number, t

__all__ = ["reason_text", "centre_type", "scope_label"]


def _label(labels: Mapping[str, str] | None, lang: str) -> str:
    if not labels:
        return ""
    return labels.get(lang) or labels.get("en") or ""


def reason_text(reason: Any, lang: str) -> str:
    """One reason as a sentence in ``lang``."""
    parts: Mapping[str, Any] = getattr(reason, "parts", None) or {}
    if not parts:
        return str(reason.text)
    factor = reason.factor
    if factor == "text":
        return t(lang, "reason.text", similarity=number(parts["similarity"], lang, 2))
    if factor in ("topic", "service"):
        offered = _label(parts["offered"], lang)
        need = _label(parts["need"], lang)
        text = t(lang, f"reason.{factor}", topic=offered, level=parts["level"])
        if parts["need"].get("key") != parts["offered"].get("key"):
            text += " " + t(lang, "reason.close_to", topic=need)
        how = parts.get("how")
        if how == "mentions":
            text += " — " + t(lang, "reason.mentions", words=", ".join(parts["evidence"]))
        elif how == "named":
            text += " — " + t(lang, "reason.named", topic=need)
        else:
            text += " — " + t(lang, "reason.reads_like", topic=need)
        return text
    if factor == "sector":
        return t(lang, "reason.sector", nace=parts["nace"], sector=_label(parts["sector"], lang), level=parts["level"])
    if factor == "geography":
        words = [t(lang, f"geo.{rel}", name=name) for rel, name in parts.get("places", ())]
        if parts.get("km") is not None:
            words.append(t(lang, "geo.km", km=number(parts["km"], lang)))
        return ", ".join(words) or t(lang, "geo.far")
    return str(reason.text)


def centre_type(kind: str | None, lang: str) -> str:
    """"Regionales Digitalisierungszentrum", "EDIH", … for a centre's type key."""
    key = f"centre_type.{kind}"
    try:
        return t(lang, key)
    except KeyError:
        return t(lang, "centre_type.other")


def scope_label(scope: str | None, lang: str) -> str:
    if not scope:
        return ""
    try:
        return t(lang, f"scope.{scope.lower()}")
    except KeyError:
        return scope
