"""Facts we curated by hand for the default dataset, each with where it came from.

* ``SCOPE``: centres of the EU catalogue in Germany that are not regional. Thematic
  Mittelstand-Digital centres (a trade, a topic, a kind of region) and labs with a
  Germany-wide remit are ``national``; EU platforms and projects are
  ``international``. Every other German centre is ``regional``.
* ``SAME_AS_HUB``: Saxony-Anhalt support organisations that the EU catalogue lists
  too. They keep the catalogue's ``hub_id`` as their one identifier (no second node);
  the ``centres/st`` graph repeats the hub's core facts, so either graph stands alone,
  and adds what only the Saxony-Anhalt facts say (funding).
* ``GRANTS``: funding, hand-extracted from the ``facts`` column of
  ``st_support_organisations.csv``; ``quote`` is the part of the facts text it rests
  on and the build checks it is still there. Amounts in EUR, dates ISO 8601.
* ``SERVES_ONLY``: catalogue centres whose mandate is one trade (a concept of
  ``ontologies/schemes/trade.ttl``), as their own catalogue description says; ``quote``
  is the part of the description it rests on and the build checks it is still there.
* ``DERIVED_TAGS``: Saxony-Anhalt organisations without catalogue tags get
  technologies / services / sectors **derived by us** from their facts text:
  level 3 = named as the centre's focus, 2 = mentioned or implied by its work.
  These are our reading of the facts, not catalogue data.
"""

from __future__ import annotations

__all__ = ["SCOPE", "SAME_AS_HUB", "SERVES_ONLY", "GRANTS", "PROGRAMMES", "DERIVED_TAGS", "ST_PROGRAMME"]

ST_PROGRAMME = "st-digitalisierungszentren"

SCOPE: dict[str, tuple[str, str]] = {
    "edihcat-006": ("national", "Mittelstand-Digital Zentrum Handwerk: the crafts, Germany-wide"),
    "edihcat-047": ("national", "Digital Hub Logistics: a national hub of the Digital Hub Initiative"),
    "edihcat-066": ("international", "EPoSS: European Technology Platform on Smart Systems"),
    "edihcat-072": ("national", "Frankfurt School Blockchain Center: thematic, no regional focus"),
    "edihcat-104": ("national", "MIRO Innovation Lab: medical robotics lab, no regional focus"),
    "edihcat-130": ("national", "Smart Data Innovation Lab: national big-data research platform"),
    "edihcat-143": ("international", "TETRAMAX: EU project, multinational experiments"),
    "edihcat-227": ("national", "Mittelstand-Digital Zentrum WertNetzWerke: thematic"),
    "edihcat-244": ("national", "Transferstelle Cybersicherheit im Mittelstand: thematic"),
    "edihcat-249": ("national", "Mittelstand-Digital Zentrum Handel: retail, Germany-wide"),
    "edihcat-259": ("national", "Mittelstand-Digital Zentrum Bau: construction, Germany-wide"),
    "edihcat-329": ("national", "Mittelstand-Digital Zentrum Tourismus: thematic"),
    "edihcat-350": ("national", "Mittelstand-Digital Zentrum Zukunftskultur: thematic"),
    "edihcat-351": ("national", "Mittelstand-Digital Zentrum Fokus Mensch: thematic"),
    "edihcat-352": ("national", "Mittelstand-Digital Zentrum Smarte Kreisläufe: thematic"),
    "edihcat-354": ("national", "Mittelstand-Digital Zentrum Ländliche Regionen: rural regions"),
}

SERVES_ONLY: dict[str, tuple[str, str]] = {  # hub id -> (trade key, the description's words)
    "edihcat-006": ("crafts", "supporting craft businesses and craft organizations"),
    "edihcat-249": ("retail-wholesale", "the sector-specific contact point for small and medium-sized retail and "
                    "wholesale companies"),
    "edihcat-259": ("construction-real-estate", "small and medium-sized companies in the construction and real "
                    "estate industry"),
    "edihcat-329": ("tourism-hospitality", "supports small and medium-sized enterprises in the tourism industry"),
    "edihcat-374": ("health-care", "two target groups: SMEs in the healthcare sector and healthcare providers"),
}

SAME_AS_HUB: dict[str, str] = {
    "st-mdz-magdeburg": "edihcat-260",
    "st-elbfabrik-iff": "edihcat-145",
}

PROGRAMMES: dict[str, str] = {
    ST_PROGRAMME: "Förderung Regionaler Digitalisierungszentren (Sachsen-Anhalt, Digitale Agenda)",
    "mittelstand-digital": "Mittelstand-Digital (Bundesministerium für Wirtschaft)",
}

GRANTS: dict[str, list[dict[str, object]]] = {
    "st-rdz-haldensleben": [{
        "amount": 170000, "programme": ST_PROGRAMME,
        "funder": "Ministerium für Wirtschaft, Wissenschaft und Digitalisierung Sachsen-Anhalt",
        "start": "2019-04-15", "end": "2020-12-31", "approximate": True,
        "quote": "Funding notice ~170,000 EUR",
        "note": "start = start of work (15 April 2019); end = 'initially until end of 2020'",
    }],
    "st-rdz-salzlandkreis": [{
        "amount": 192000, "programme": ST_PROGRAMME,
        "funder": "Ministerium für Wirtschaft, Wissenschaft und Digitalisierung Sachsen-Anhalt",
        "start": None, "end": "2021-03-31", "approximate": True,
        "quote": "funding notice ~192,000 EUR",
        "note": "end = 'project runs until end of March 2021'; start not stated",
    }],
    "st-mdz-magdeburg": [{
        "amount": 3600000, "programme": "mittelstand-digital",
        "funder": "Bundesministerium für Wirtschaft und Energie",
        "start": "2017-08-29", "end": None, "approximate": False,
        "quote": "3.6 M EUR federal funding",
        "note": "granted to the predecessor Kompetenzzentrum Mittelstand 4.0 Magdeburg, "
                "opened 29.08.2017",
    }],
}

DERIVED_TAGS: dict[str, dict[str, list[tuple[str, int]]]] = {
    # "after the funded phase ... continued by the city with focus on digital administration";
    # operated by RKW (a support body for SMEs) for the town.
    "st-rdz-haldensleben": {
        "technology": [("Internet Services & Applications", 2)],
        "service": [("Public sector innovation", 3), ("SME support", 2),
                    ("Regional development", 2)],
        "sector": [("Public administration", 3)],
    },
    # "planned project 'Vernetzte Bushaltestelle/Vernetzter Bus'", set up by the district.
    "st-rdz-salzlandkreis": {
        "technology": [("Internet of Things", 3), ("Mobility", 3)],
        "service": [("Public sector innovation", 2), ("Field trial", 2),
                    ("Regional development", 2)],
        "sector": [("Transport & Mobility", 3), ("Public administration", 2), ("Smart City", 2)],
    },
    # "planned focus: Artificial Intelligence (administration and economy)"; a consortium of
    # competence centres, universities and a technology park.
    "st-dih-saxony-anhalt": {
        "technology": [("Artificial Intelligence & Decision support", 3)],
        "service": [("Ecosystem building", 3), ("SME support", 2), ("Knowledge transfer", 2)],
        "sector": [("Public administration", 2)],
    },
}
