"""Peers, partners, typology, gaps and the centre network for the pages.

The one place that calls ``matching``'s analytics (``PeerFinder``, ``RegionTypology``,
``PartnerFinder``, ``GapAnalyser``, ``CentreNetwork``). They are fitted once per
:class:`~service.web.data.WebData`, on first use, from ``AnalyticsData.from_store``.
Each function returns view dicts for a template, or None when this build or this
store has no analytics (the page then leaves the section out and says so).
The analytics word their reasons in English; pages mark them ``lang="en"``.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from service.web._messages import MESSAGES
from service.web.i18n import Translator

__all__ = ["available", "warm", "partners", "peers", "gaps", "network", "network_graph"]

_LOG = logging.getLogger("regiomatch.web")
_LOCK = threading.Lock()


def available() -> bool:
    try:
        import matching.gaps  # noqa: F401
        import matching.network  # noqa: F401
        import matching.partners  # noqa: F401
        import matching.peers  # noqa: F401
    except ImportError:
        return False
    return True


def _fitted(data: Any, name: str) -> Any:
    """The fitted estimator ``name`` of ``data`` (None if the analytics cannot be built)."""
    cache = data.__dict__.setdefault("_analytics", {})
    if name in cache:
        return cache[name]
    if not available():
        return None
    with _LOCK:
        if name in cache:
            return cache[name]
        try:
            cache[name] = _fit(data, name, cache)
        except Exception as exc:  # e.g. a store built without the indicators graph
            _LOG.warning("web: %s analytics unavailable: %s", name, exc)
            cache[name] = None
    return cache[name]


def _fit(data: Any, name: str, cache: dict[str, Any]) -> Any:
    if "data" not in cache:
        from matching.analytics_data import AnalyticsData

        cache["data"] = AnalyticsData.from_store(data.store, municipality_adjacency=True)
    source = cache["data"]
    if name == "data":
        return source
    if name == "peers":
        from matching.peers import PeerFinder

        return PeerFinder().fit(source)
    if name == "typology":
        from matching.typology import RegionTypology

        return RegionTypology(n_bootstrap=0).fit(source)  # the pages show types, not their stability
    if name == "partners":
        from matching.partners import PartnerFinder

        return PartnerFinder().fit(source)
    if name == "gaps":
        from matching.gaps import GapAnalyser

        return GapAnalyser().fit(source)
    if name == "network":
        from matching.network import CentreNetwork

        return CentreNetwork().fit(source)
    raise KeyError(name)


def warm(data: Any) -> threading.Thread | None:
    """Fit every analytics estimator in a background thread, so the first page need not wait."""
    if not available():
        return None

    def run() -> None:
        for name in ("gaps", "network", "partners", "peers", "typology"):
            _fitted(data, name)
        found = gaps(data, None, None)
        if found is not None:
            network(data, found[1])

    thread = threading.Thread(target=run, name="regiomatch-web-analytics", daemon=True)
    thread.start()
    return thread


def _num(x: float | None, tr: Translator, digits: int = 0) -> str:
    return tr.num(x, digits) if x is not None else "–"


# --------------------------------------------------------------------------- centres


def partners(data: Any, centre: Any, tr: Translator, k: int = 5) -> list[dict[str, Any]] | None:
    """Similar and complementary centres and the regions to reach, each with its reasons."""
    finder = _fitted(data, "partners")
    if finder is None or centre.id not in getattr(finder, "index_", {}):
        return None
    groups = []
    for mode in ("similar", "complementary", "regions"):
        try:
            found = finder.partners(centre.id, k=k, mode=mode)
        except Exception as exc:  # one mode failing must not hide the others
            _LOG.warning("web: partners %s for %s: %s", mode, centre.id, exc)
            continue
        items = []
        for s in found:
            url = f"/regions/{s.ags}" if mode == "regions" else f"/centres/{s.id}"
            items.append({"url": url, "name": s.name, "score": _num(s.score, tr, 2), "reasons": list(s.reasons)})
        groups.append({"mode": mode, "title": tr(f"partners.{mode}"), "entries": items})
    return groups


# --------------------------------------------------------------------------- regions


def peers(data: Any, ags: str, tr: Translator, k: int = 8) -> dict[str, Any] | None:
    """The region's type (municipalities) and its peers with what makes them alike."""
    if len(ags) not in (5, 8):
        return None
    finder = _fitted(data, "peers")
    if finder is None:
        return None
    out: dict[str, Any] = {"type": None, "type_text": None, "peers": []}
    if len(ags) == 8:
        typology = _fitted(data, "typology")
        rtype = typology.type_of(ags) if typology is not None else None
        if rtype is not None:
            out["type"] = rtype.name_de if tr.lang == "de" else rtype.name_en
            out["type_text"] = rtype.description_de if tr.lang == "de" else rtype.description_en
    try:
        result = finder.peers(ags, k=k)
    except Exception as exc:
        _LOG.warning("web: peers of %s: %s", ags, exc)
        return out if out["type"] else None
    for p in result.peers:
        out["peers"].append({
            "ags": p.ags, "name": p.name, "score": _num(p.similarity, tr, 2),
            "alike": [_comparison(c, tr) for c in p.alike], "differences": [_comparison(c, tr) for c in p.differences],
        })
    out["missing"] = list(result.missing)
    return out


_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?")
_DE_SEPARATORS = str.maketrans(",.", ".,")


def _comparison(c: Any, tr: Translator) -> str:
    """"Breitband ≥ 1 Gbit/s 62 % gegenüber 37 %": a peer comparison in the page's language."""
    if tr.lang != "de":
        return f"{c.label} {c.value} vs {c.peer_value}"
    key = f"feature.{c.feature}"
    label = tr(key) if key in MESSAGES else c.label

    def de(value: str) -> str:
        value = _NUMBER.sub(lambda m: m.group().translate(_DE_SEPARATORS), value)
        return value.replace("/yr", "/Jahr").replace("k EUR", " Tsd. EUR").replace("n/a", "k. A.")

    return f"{label} {de(c.value)} gegenüber {de(c.peer_value)}"


# --------------------------------------------------------------------------- gaps


def gaps(data: Any, region: str | None, topic: str | None) -> tuple[Any, Any] | None:
    """``(GapReport, GapAnalyser)`` for a region (None: Germany) and topic, or None (reports are memoised)."""
    analyser = _fitted(data, "gaps")
    if analyser is None:
        return None
    reports = data.__dict__.setdefault("_gap_reports", {})
    key = (region, topic)
    if key not in reports:
        if len(reports) >= 64:
            reports.clear()
        reports[key] = analyser.report(region=region, topic=topic)
    return reports[key], analyser


def network(data: Any, analyser: Any) -> Any:
    """The centre network's summary with suggested links (None when unavailable; computed once)."""
    cache = data.__dict__.setdefault("_analytics", {})
    if "summary" in cache:
        return cache["summary"]
    net = _fitted(data, "network")
    if net is None:
        return None
    try:
        from matching.gaps import unmet_by_state

        summary = net.summary(suggestions=10, unmet=unmet_by_state(analyser))
    except Exception as exc:
        _LOG.warning("web: network summary: %s", exc)
        summary = net.summary(suggestions=10)
    cache["summary"] = summary
    return summary


def network_graph(data: Any) -> tuple[dict[str, Any], list[tuple[str, str]]] | None:
    """The network's nodes (id → centre) and links (pairs of ids), for drawing it."""
    net = _fitted(data, "network")
    if net is None:
        return None
    return dict(net.centres_), [(a, b) for a, b in net.graph_.edges()]
