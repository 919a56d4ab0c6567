"""One record with its links, for ``regiomatch show`` (and later the API)."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from graph import iris, views
from graph.errors import UnknownEntity, shown
from graph.indicators import indicator_records
from graph.store import Store

__all__ = ["find_record"]


def find_record(store: Store, key: str) -> tuple[str, dict[str, Any]]:
    """(kind, record) for an AGS, a centre id or a company id; ``UnknownEntity`` otherwise."""
    k = key.strip()
    if re.fullmatch(r"\d{2}|\d{5}|\d{8}", k):
        return "region", _region(store, k)
    if re.fullmatch(r"\d+", k):
        iris.normalise_ags(k)  # raises with the expected AGS forms
    for kind, fn in (("centre", views.centres), ("company", views.companies)):
        found = fn(store, k)
        if found:
            rec = asdict(found[0])
            if kind == "centre":
                for field in ("topics", "services", "sectors"):
                    rec[field] = [
                        {"concept": e["label_en"] or iris.key_of(e["concept"]), "level": e["level"]}
                        for e in rec[field]
                    ]
            return kind, rec
    raise UnknownEntity(
        f"nothing with key {shown(key)}: expected an AGS (2, 5 or 8 digits, e.g. 15083270), "
        "a centre id (e.g. edihcat-005) or a company id (e.g. sme-000001)"
    )


def _region(store: Store, ags: str) -> dict[str, Any]:
    reg = views.region(store, ags)
    links = views.region_links(store, ags)
    rec = asdict(reg)
    rec["part_of"] = [f"{x.name} ({x.key})" for x in links.part_of]
    if links.parts is not None:
        rec["parts"] = links.parts
    for field in ("neighbours", "centres_located", "centres_serving"):
        rec[field] = [f"{x.name} ({x.key})" for x in getattr(links, field)]
    if reg.kind in ("municipality", "district"):
        rec["indicators"] = indicator_records(store, ags)
    return rec
