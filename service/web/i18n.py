"""German and English for the web pages: labels, messages, numbers, language choice.

German is the default. A visible switch (``?lang=en``, remembered in a cookie)
overrides ``Accept-Language``; ``t(lang, key, **values)`` fills a message.
Numbers follow the language: 1.234,5 in German, 1,234.5 in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from service.web._messages import MESSAGES

__all__ = ["LANGS", "DEFAULT_LANG", "COOKIE", "negotiate", "t", "number", "km", "day", "Translator"]

LANGS = ("de", "en")
DEFAULT_LANG = "de"
COOKIE = "regiomatch_lang"
_DE_SEPARATORS = str.maketrans(",.", ".,")


def negotiate(query_lang: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=``, then the cookie, then ``Accept-Language`` (by q), else German."""
    for choice in (query_lang, cookie):
        if choice and choice.strip().lower() in LANGS:
            return choice.strip().lower()
    best: tuple[float, int, str] | None = None
    for n, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGS:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if q > 0 and (best is None or (q, -n) > (best[0], best[1])):
            best = (q, -n, base)
    return best[2] if best else DEFAULT_LANG


def t(lang: str, key: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``{name}`` fields filled from ``values``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def number(x: float | int | None, lang: str, digits: int = 0) -> str:
    """``x`` with thousands separators and ``digits`` decimals in the language's style."""
    if x is None:
        return "–"
    s = f"{x:,.{digits}f}"
    if lang == "de":
        s = s.translate(_DE_SEPARATORS)
    return s


def km(x: float | None, lang: str) -> str:
    """A distance in whole kilometres ("24 km"), or a dash when unknown."""
    return "–" if x is None else f"{number(x, lang)}\u00a0km"


def day(d: date | str | None, lang: str) -> str:
    """A date as 30.11.2023 (de) or 30 Nov 2023 (en); ISO strings are accepted."""
    if d is None:
        return "–"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if lang == "de":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    return f"{d.day} {d.strftime('%b')} {d.year}"


class Translator:
    """The helpers bound to one language, as templates see them (``_``, ``num``, ``km``, ``day``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG

    def __call__(self, key: str, /, **values: object) -> str:
        return t(self.lang, key, **values)

    def num(self, x: float | int | None, digits: int = 0) -> str:
        return number(x, self.lang, digits)

    def km(self, x: float | None) -> str:
        return km(x, self.lang)

    def day(self, d: date | str | None) -> str:
        return day(d, self.lang)

    def label(self, labels: Mapping[str, str] | None) -> str:
        """Pick the language's entry of a ``{"de": ..., "en": ...}`` label."""
        if not labels:
            return ""
        return labels.get(self.lang) or labels.get("en") or labels.get("de") or ""
