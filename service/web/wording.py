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
    if parts.get("cut"):
        return _trade_cut_text(parts, lang) if "serves_only" in parts else _cut_text(parts, lang)
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
    if factor == "sector" and "serves_only" in parts:  # a centre for the asker's own trade
        how = (t(lang, "reason.trade_words", words=", ".join(parts["evidence"])) if parts.get("evidence")
               else t(lang, "reason.trade_nace", nace=parts["nace"]))
        return t(lang, "reason.own_trade", trade=_trade(parts, lang)) + ": " + how
    if factor == "sector":
        return t(lang, "reason.sector", nace=parts["nace"], sector=_label(parts["sector"], lang), level=parts["level"])
    if factor == "geography":
        words = [t(lang, f"geo.{rel}", name=name) for rel, name in parts.get("places", ())]
        if parts.get("km") is not None:
            words.append(t(lang, "geo.km", km=number(parts["km"], lang)))
        text = ", ".join(words) or t(lang, "geo.far")
        if parts.get("contact_for"):
            text = t(lang, "geo.contact", topics=_one_of(parts["contact_for"], lang)) + ": " + text
        return text
    return str(reason.text)


def _one_of(labels: list[Mapping[str, str]], lang: str) -> str:
    """"Cybersicherheit, Cloud oder KI": named concepts joined with the language's "or"."""
    names = [_label(x, lang) for x in labels]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + t(lang, "or") + names[-1]


def _cut_text(parts: Mapping[str, Any], lang: str) -> str:
    """The expertise rule's cut: "bietet Cybersicherheit nicht: nach den 3 Spezialisten in Reichweite eingeordnet"."""
    topics = _one_of(parts["named"], lang)
    offer = (t(lang, "cut.low", topics=topics, level=parts["level"]) if parts.get("level")
             else t(lang, "cut.none", topics=topics))
    n = int(parts.get("specialists", 0))
    where = t(lang, "cut.within_reach" if parts.get("located") else "cut.for_it")
    after = t(lang, "cut.after_one" if n == 1 else "cut.after_many", n=n, where=where)
    return f"{offer}: {after}"


def _trade(parts: Mapping[str, Any], lang: str) -> str:
    name = _label(parts["serves_only"], lang)
    return name.lower() if lang == "en" else name


def _trade_cut_text(parts: Mapping[str, Any], lang: str) -> str:
    """The trade rule's cut: "serves crafts firms only: your sector NACE J62 is not one of them; ranked after …"."""
    why = t(lang, "cut.trade_nace", nace=parts["nace"]) if parts.get("nace") else t(lang, "cut.trade_unknown")
    return f"{t(lang, 'cut.trade', trade=_trade(parts, lang))}: {why}; {t(lang, 'cut.trade_after')}"


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
