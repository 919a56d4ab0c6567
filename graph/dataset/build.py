"""Build the compact default data in ``graph/dataset/data/`` from the shared source facts.

    python -m graph.dataset.build [--shared PATH] [--out DIR]

``--shared`` defaults to ``../shared/data`` next to the repository root. The output
is deterministic (sorted keys, gzip with mtime 0), so rebuilding from the same
sources reproduces the committed files byte for byte:

* ``regions.json.gz`` — 16 states, 400 districts, the political municipalities
  (gemeindefreie Gebiete dropped), district and municipality adjacency (pairs whose
  ends no longer exist in 2023 dropped); tables are column lists + rows;
* ``centres.json.gz`` — the German hubs of the EU catalogue (tags parsed by
  :mod:`graph.edih`, cross-checked against the long-format files) and the
  Saxony-Anhalt support organisations with the curated facts of
  :mod:`graph.dataset._curated`, each located by :class:`MunicipalityLocator`;
* ``geometry.json.gz`` — district polygons (1e-4 degree grid) and Saxony-Anhalt's
  municipality polygons (1e-5 grid) as delta-encoded integer rings;
* ``indicators.json.gz`` — official indicators per municipality and district
  (:mod:`graph.dataset._indicators` says what each column means) as column lists +
  rows, ``null`` where the source has no value, and the German labels of the BBSR
  code lists;
* ``meta.json`` — source date, provenance per named graph, counts, unlocated centres.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from graph.dataset import _curated
from graph.dataset._indicators import CODE_LABELS_EN, INDICATORS, LEVELS
from graph.dataset._provenance import PROVENANCE, SOURCE_DATE
from graph.dataset.locate import MunicipalityLocator
from graph.edih import CatalogueTerms, EdihHub, parse_term_levels, read_edih_csv, trade_keys
from graph.errors import InvalidInput, UnreadableInput

__all__ = ["build", "main", "DATA_DIR", "DEFAULT_SHARED"]

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
_UNINHABITED = ("gemeindefreies Gebiet",)

MUNICIPALITY_COLUMNS = ["ags", "name", "type", "district", "area_km2", "population", "plz",
                        "lat", "lon", "degurba"]
DISTRICT_COLUMNS = ["ags", "name", "type", "seat", "state", "nuts3", "area_km2", "population",
                    "lat", "lon"]
STATE_COLUMNS = ["ags", "name", "seat", "nuts1", "area_km2", "population"]


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise UnreadableInput(f"source file {path} is missing")
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _num(s: str) -> float | int:
    f = float(s)
    return int(f) if f.is_integer() and "." not in s else f


def build_regions(shared: Path) -> dict[str, Any]:
    """States, districts, municipalities and both adjacencies (areas km², coordinates WGS84)."""
    de = shared / "germany"
    states = [[r["ags"], r["name"], r["seat"], r["nuts1"], float(r["area_km2"]), int(r["population"])]
              for r in _rows(de / "de_laender.csv")]
    districts: list[list[Any]] = [
        [r["ags"], r["name"], r["type"], r["seat"], r["land_ags"], r["nuts3"], float(r["area_km2"]),
         int(r["population"]), float(r["centroid_lat"]), float(r["centroid_lon"])]
        for r in _rows(de / "de_kreise.csv")
    ]
    municipalities: list[list[Any]] = [
        [r["ags"], r["name"], r["type"], r["kreis_ags"], float(r["area_km2"]), int(r["population"]),
         r["plz"], float(r["lat"]), float(r["lon"]), int(r["degurba_code"])]
        for r in _rows(de / "de_gemeinden.csv")
        if not r["type"].startswith(_UNINHABITED)
    ]
    known_m = {m[0] for m in municipalities}
    known_d = {d[0] for d in districts}
    for m in municipalities:
        if m[3] not in known_d or m[0][:5] != m[3]:
            raise InvalidInput(f"municipality {m[0]} names district {m[3]!r}, which is not in the data")
    return {
        "states": {"columns": STATE_COLUMNS, "rows": sorted(states)},
        "districts": {"columns": DISTRICT_COLUMNS, "rows": sorted(districts)},
        "municipalities": {"columns": MUNICIPALITY_COLUMNS, "rows": sorted(municipalities)},
        "district_adjacency": _pairs(_rows(de / "de_kreise_adjacency.csv"), known_d),
        "municipality_adjacency": _pairs(_rows(de / "de_gemeinden_adjacency.csv"), known_m),
    }


def _pairs(rows: Iterable[dict[str, str]], known: set[str]) -> list[list[str]]:
    """Undirected pairs (a < b) whose both ends exist, sorted."""
    pairs = {tuple(sorted((r["ags_a"], r["ags_b"]))) for r in rows
             if r["ags_a"] in known and r["ags_b"] in known}
    return [list(p) for p in sorted(pairs)]


def _encode_rings(geometry: dict[str, Any], scale: int) -> list[list[list[int]]]:
    """Polygon or MultiPolygon → polygons → rings as flat delta-encoded ints [x0, y0, dx, dy, ...]."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    out = []
    for poly in polys:
        rings = []
        for ring in poly:
            flat: list[int] = []
            px = py = 0
            for x, y in ring:
                ix, iy = round(x * scale), round(y * scale)
                flat += [ix - px, iy - py]
                px, py = ix, iy
            rings.append(flat)
        out.append(rings)
    return out


def build_geometry(shared: Path) -> dict[str, Any]:
    """District polygons and Saxony-Anhalt municipality polygons, compactly encoded."""
    layers = {"districts": (shared / "germany" / "de_kreise_vg5000.geojson", 10_000),
              "st-municipalities": (shared / "saxony_anhalt" / "st_gemeinden_vg5000.geojson", 100_000)}
    out: dict[str, Any] = {}
    for kind, (path, scale) in layers.items():
        if not path.is_file():
            raise UnreadableInput(f"source file {path} is missing")
        fc = json.loads(path.read_text(encoding="utf-8"))
        feats = [{"ags": f["properties"]["ags"], "name": f["properties"]["name"],
                  "bez": f["properties"]["bez"], "polygons": _encode_rings(f["geometry"], scale)}
                 for f in fc["features"]]
        out[kind] = {"scale": scale, "features": sorted(feats, key=lambda f: f["ags"])}
    return out


def _catalogue_terms(shared: Path) -> CatalogueTerms:
    cls = shared / "classification"
    return CatalogueTerms.from_labels({
        "technology": [r["technology"] for r in _rows(cls / "edih_technologies_terms.csv")],
        "service": [r["service"] for r in _rows(cls / "edih_services_terms.csv")],
        "sector": [r["sector"] for r in _rows(cls / "edih_sectors_terms.csv")],
    })


def _hub_record(hub: EdihHub, ags: str | None) -> dict[str, Any]:
    return {
        "hub_id": hub.hub_id, "name": hub.name, "title": hub.title, "hub_type": hub.hub_type,
        "country": hub.country, "address": hub.address, "postcode": hub.postcode,
        "city": hub.city, "website": hub.website, "description": hub.description,
        "scope": hub.scope, "serves_only": hub.serves_only, "ags": ags,
        "technologies": [[t.slug, t.level] for t in hub.technologies],
        "services": [[t.slug, t.level] for t in hub.services],
        "sectors": [[t.slug, t.level] for t in hub.sectors],
    }


def _check_long_format(shared: Path, hubs: Sequence[EdihHub], terms: CatalogueTerms) -> None:
    """The long-format tag files must say what the catalogue strings say."""
    for kind, col, attr in (("technology", "technology", "technologies"),
                            ("service", "service", "services"), ("sector", "sector", "sectors")):
        best: dict[tuple[str, str | None], int] = {}
        for r in _rows(shared / "centres" / f"edih_hub_{attr}.csv"):
            if r["country"] == "Germany":
                key = (r["hub_id"], terms.resolve(kind, r[col]))
                best[key] = max(best.get(key, 0), int(r["level"]))
        long = {(h, s, lvl) for (h, s), lvl in best.items()}
        parsed = {(h.hub_id, t.slug, t.level) for h in hubs for t in getattr(h, attr)}
        if long != parsed:
            raise InvalidInput(f"edih_hub_{attr}.csv disagrees with the catalogue strings for "
                               f"{len(long ^ parsed)} German tag(s), e.g. {sorted(long ^ parsed)[:3]}")


def build_centres(shared: Path, locator: MunicipalityLocator) -> dict[str, Any]:
    """German catalogue hubs and Saxony-Anhalt organisations, located, with curated facts."""
    terms = _catalogue_terms(shared)
    hubs = [h for h in read_edih_csv(shared / "centres" / "edih_catalogue.csv", terms)
            if h.country == "Germany"]
    _check_long_format(shared, hubs, terms)
    records = []
    for hub in hubs:
        scope = _curated.SCOPE.get(hub.hub_id, ("regional", ""))[0]
        trade, quote = _curated.SERVES_ONLY.get(hub.hub_id, (None, ""))
        if trade is not None and trade not in trade_keys():
            raise InvalidInput(f"{hub.hub_id}: SERVES_ONLY names {trade!r}, not a trade of ontologies/schemes/trade.ttl")
        if quote and quote not in hub.description:
            raise InvalidInput(f"{hub.hub_id}: the description no longer says {quote!r}; re-check SERVES_ONLY")
        hub = EdihHub(**{**hub.__dict__, "scope": scope, "serves_only": trade})
        records.append(_hub_record(hub, locator.locate(hub.postcode, hub.city, hub.country)))
    by_id = {r["hub_id"]: r for r in records}
    orgs = []
    for r in _rows(shared / "centres" / "st_support_organisations.csv"):
        oid = r["org_id"]
        ags = locator.locate(None, r["town"], "Germany") if r["town"] else None
        if ags != (r["gemeinde_ags"] or None):
            raise InvalidInput(f"{oid}: located in {ags}, but the source says {r['gemeinde_ags']!r}")
        hub_id = _curated.SAME_AS_HUB.get(oid)
        if hub_id is not None and by_id[hub_id]["ags"] != ags:
            raise InvalidInput(f"{oid} and its catalogue record {hub_id} are located differently")
        grants = _curated.GRANTS.get(oid, [])
        for g in grants:
            if str(g["quote"]) not in r["facts"]:
                raise InvalidInput(f"{oid}: the facts no longer say {g['quote']!r}; re-check GRANTS")
        tags = {kind: [[t.slug, t.level] for t in parse_term_levels(
                    ", ".join(f"{term} - {lvl}" for term, lvl in pairs), kind, terms,
                    column=f"DERIVED_TAGS[{oid}]")]
                for kind, pairs in _curated.DERIVED_TAGS.get(oid, {}).items()}
        orgs.append({
            "org_id": oid, "id": hub_id or oid, "same_as_hub": hub_id, "name": r["name"],
            "org_type": r["org_type"], "town": r["town"] or None, "ags": ags,
            "district": r["kreis_ags"] or None, "facts": r["facts"],
            "source_urls": [u.strip() for u in r["source_urls"].split(" ; ") if u.strip()],
            "technologies": tags.get("technology", []), "services": tags.get("service", []),
            "sectors": tags.get("sector", []), "grants": grants, "scope": "regional",
        })
    return {"hubs": records, "st_organisations": orgs, "programmes": _curated.PROGRAMMES}


_INDICATOR_FILES = {"municipality": "de_gemeinden_indicators.csv", "district": "de_kreise_indicators.csv"}


def _indicator_value(raw: str, unit: str, where: str) -> float | int | None:
    if raw == "":
        return None  # missing stays missing
    try:
        v = _num(raw)
    except ValueError:
        raise InvalidInput(f"{where}: {raw!r} is not a number") from None
    if unit in ("count", "persons", "code") and not isinstance(v, int):
        raise InvalidInput(f"{where}: {raw!r} is not a whole number, but the unit is {unit!r}")
    return v


def build_indicators(shared: Path, known: dict[str, set[str]]) -> dict[str, Any]:
    """Indicator tables per level (rows of known regions only) and the BBSR code lists."""
    folder = shared / "germany" / "indicators"
    codes: dict[str, list[list[Any]]] = {}
    for r in _rows(folder / "bbsr_regiostar_labels.csv"):
        codes.setdefault(r["classification"], []).append([int(r["code"]), r["label_de"]])
    for cls, pairs in codes.items():
        missing = {c for c, _ in pairs} - set(CODE_LABELS_EN.get(cls, {}))
        if missing:
            raise InvalidInput(f"code list {cls}: no English label for code(s) {sorted(missing)}")
    out: dict[str, Any] = {"codes": {k: sorted(v) for k, v in sorted(codes.items())}}
    for level in LEVELS:
        defs = [d for d in INDICATORS if d.level == level]
        fname = _INDICATOR_FILES[level]
        rows = _rows(folder / fname)
        header = list(rows[0]) if rows else []
        if header != ["ags"] + [d.key for d in defs]:
            raise InvalidInput(f"{fname} has columns {header}; graph/dataset/_indicators.py expects "
                               f"{['ags'] + [d.key for d in defs]}")
        table = []
        for r in rows:
            if r["ags"] not in known[level]:
                raise InvalidInput(f"{fname}: {r['ags']} is not a {level} of the region data")
            vals = [_indicator_value(r[d.key], d.unit, f"{fname} {r['ags']} {d.key}") for d in defs]
            for d, v in zip(defs, vals):
                if d.unit == "code" and v is not None and v not in {c for c, _ in codes.get(d.key, [])}:
                    raise InvalidInput(f"{fname} {r['ags']} {d.key}: code {v} is not in bbsr_regiostar_labels.csv")
            table.append([r["ags"], *vals])
        out[level] = {"columns": ["ags"] + [d.key for d in defs], "rows": sorted(table)}
    return out


def build(shared: Path) -> dict[str, bytes]:
    """The compact files (name → bytes) built from the source facts under ``shared``."""
    regions = build_regions(shared)
    m = regions["municipalities"]
    locator = MunicipalityLocator((r[0], r[1], r[6]) for r in m["rows"])
    centres = build_centres(shared, locator)
    indicators = build_indicators(shared, {"municipality": {r[0] for r in m["rows"]},
                                           "district": {r[0] for r in regions["districts"]["rows"]}})
    unlocated = sorted([h["hub_id"] for h in centres["hubs"] if h["ags"] is None]
                       + [o["org_id"] for o in centres["st_organisations"] if o["ags"] is None])
    meta = {
        "source_date": SOURCE_DATE,
        "provenance": PROVENANCE,
        "counts": {"states": len(regions["states"]["rows"]),
                   "districts": len(regions["districts"]["rows"]),
                   "municipalities": len(m["rows"]),
                   "district_adjacency": len(regions["district_adjacency"]),
                   "municipality_adjacency": len(regions["municipality_adjacency"]),
                   "hubs": len(centres["hubs"]),
                   "st_organisations": len(centres["st_organisations"]),
                   "indicator_values": sum(v is not None for level in LEVELS
                                           for row in indicators[level]["rows"] for v in row[1:])},
        "unlocated_centres": unlocated,
    }
    return {
        "regions.json.gz": _gzip_json(regions),
        "centres.json.gz": _gzip_json(centres),
        "geometry.json.gz": _gzip_json(build_geometry(shared)),
        "indicators.json.gz": _gzip_json(indicators),
        "meta.json": (json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode(),
    }


def _gzip_json(obj: Any) -> bytes:
    raw = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graph.dataset.build", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared source data")
    parser.add_argument("--out", type=Path, default=DATA_DIR,
                        help="where to write the compact files")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    files = build(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    meta = json.loads(files["meta.json"])
    total = sum(len(d) for d in files.values())
    took = time.perf_counter() - t0
    print(f"wrote {len(files)} files, {total / 1e6:.2f} MB, to {args.out} in {took:.1f} s")
    print("counts: " + ", ".join(f"{k} {v}" for k, v in meta["counts"].items()))
    print(f"unlocated centres: {len(meta['unlocated_centres'])} {meta['unlocated_centres']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
