"""A small hand-made catalogue: concepts, regions (Sachsen-Anhalt and a few others) and centres.

Shared by the ranker and learning tests through ``tests/matching/conftest.py``.
"""

from __future__ import annotations

from graph.records import Centre, Concept, Engagement, Region

B = "https://w3id.org/regiomatch/"


def _c(scheme: str, key: str, en: str, de: str, alt_de=(), broader=(), related=(), close=()) -> Concept:
    return Concept(
        iri=f"{B}concept/{scheme}/{key}", scheme=scheme, key=key, label_en=en, label_de=de,
        alt_de=tuple(alt_de), broader=tuple(f"{B}concept/{scheme}/{b}" for b in broader),
        related=tuple(f"{B}concept/{scheme}/{r}" for r in related),
        close_match=tuple(f"{B}concept/nace/{m}" for m in close),
    )


CONCEPTS = (
    _c("technology", "connectivity-iot", "Connectivity & IoT", "Vernetzung & IoT"),
    _c("technology", "cybersecurity", "Cybersecurity", "Cybersicherheit",
       alt_de=["IT-Sicherheit", "Verschlüsselungstrojaner"]),
    _c("technology", "internet-of-things", "Internet of Things", "Internet der Dinge",
       alt_de=["Maschinenvernetzung"], broader=["connectivity-iot"], related=["sensors"]),
    _c("technology", "sensors", "Sensors", "Sensorik", alt_de=["Sensoren"], broader=["connectivity-iot"],
       related=["internet-of-things"]),
    _c("technology", "artificial-intelligence", "Artificial Intelligence", "Künstliche Intelligenz",
       alt_de=["KI", "maschinelles Lernen"]),
    _c("service", "training", "Training", "Schulung", alt_de=["Weiterbildung"]),
    _c("sector", "manufacturing", "Manufacturing", "Produktion", close=["C"]),
    _c("sector", "retail", "Retail", "Handel", close=["47"]),
    _c("nace", "C", "Manufacturing", "Verarbeitendes Gewerbe"),
    _c("nace", "25", "Manufacture of fabricated metal products", "Herstellung von Metallerzeugnissen",
       broader=["C"]),
    _c("nace", "G", "Trade", "Handel"),
    _c("nace", "47", "Retail trade", "Einzelhandel", broader=["G"]),
)


def _e(kind: str, key: str, level: int) -> Engagement:
    c = next(c for c in CONCEPTS if c.key == key)
    return Engagement(c.iri, kind, level, c.label_en, c.label_de)


def _region(ags: str, name: str, kind: str, lat=None, lon=None) -> Region:
    return Region(f"{B}id/region/{ags}", ags, name, kind, ags[:2], ags[:5] if len(ags) > 2 else None, lat=lat, lon=lon)


REGIONS = [
    _region("15", "Sachsen-Anhalt", "state"),
    _region("15083", "Börde", "district", 52.2, 11.3),
    _region("15003", "Magdeburg", "district", 52.13, 11.62),
    _region("15083270", "Haldensleben", "municipality", 52.29, 11.41),
    _region("15083999", "Elsewhere-in-Börde", "municipality", 52.05, 11.2),
    _region("15003000", "Magdeburg", "municipality", 52.13, 11.62),
    _region("09", "Bayern", "state"),
    _region("09162", "München", "district", 48.14, 11.58),
    _region("09162000", "München", "municipality", 48.14, 11.58),
    _region("11", "Berlin", "state"),
    _region("11000", "Berlin", "district", 52.52, 13.40),
    _region("11000000", "Berlin", "municipality", 52.52, 13.40),
]


def _centre(cid: str, ags: str | None, *, scope="regional", served=(), topics=(), services=(), sectors=(),
            description="", country="Germany") -> Centre:
    region = {r.ags: r for r in REGIONS}.get(ags or "")
    district = {r.ags: r for r in REGIONS}.get((ags or "")[:5])
    return Centre(
        iri=f"{B}id/centre/{cid}", id=cid, name=cid.replace("-", " ").title(), centre_type="regional",
        description=description, country=country, scope=scope,
        municipality_ags=ags, municipality_name=region.name if region else None,
        district_ags=ags[:5] if ags else None, district_name=district.name if district else None,
        state_ags=ags[:2] if ags else None, lat=region.lat if region else None, lon=region.lon if region else None,
        served_ags=tuple(served), topics=tuple(_e("technology", k, v) for k, v in topics),
        services=tuple(_e("service", k, v) for k, v in services),
        sectors=tuple(_e("sector", k, v) for k, v in sectors),
    )


CENTRES = (
    _centre("haldensleben", "15083270", served=["15083"], topics=[("cybersecurity", 5)],
            description="Digitalisierungszentrum für Unternehmen in der Börde"),
    _centre("cyber-national", "11000000", scope="national", served=["09", "11", "15"],
            topics=[("cybersecurity", 5)], description="Cybersecurity for SMEs across Germany"),
    _centre("munich-ai", "09162000", topics=[("artificial-intelligence", 5), ("cybersecurity", 2)],
            sectors=[("manufacturing", 5)], services=[("training", 4)],
            description="AI for manufacturing companies"),
    _centre("magdeburg-iot", "15003000", topics=[("internet-of-things", 5), ("sensors", 4)],
            sectors=[("retail", 3)], description="Vernetzung in der Produktion"),
    _centre("paris-hub", None, scope="international", topics=[("cybersecurity", 5), ("sensors", 5)],
            country="France", description="European hub for cybersecurity"),
)
