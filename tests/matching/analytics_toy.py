"""Builders of a small hand-made world for the analytics tests: two states, four districts, a few
municipalities, three centres and a handful of companies with recorded needs."""

from __future__ import annotations

from graph.records import Centre, Company, Engagement, Region
from matching.analytics_data import AnalyticsData

T = "https://w3id.org/regiomatch/concept/technology/"
AI, CYBER, CLOUD = T + "ai", T + "cybersecurity", T + "cloud"


def muni(ags: str, name: str, pop: int, area: float, lat: float, lon: float) -> Region:
    return Region(iri=f"urn:r:{ags}", ags=ags, name=name, kind="municipality", state_ags=ags[:2],
                  district_ags=ags[:5], population=pop, area_km2=area, lat=lat, lon=lon)


def district(ags: str, name: str, pop: int, area: float) -> Region:
    return Region(iri=f"urn:r:{ags}", ags=ags, name=name, kind="district", state_ags=ags[:2],
                  district_ags=ags, population=pop, area_km2=area)


def eng(concept: str, level: int, label: str) -> Engagement:
    return Engagement(concept, "technology", level, label, label)


def centre(cid: str, ags: str, lat: float, lon: float, topics: tuple[Engagement, ...], served: tuple[str, ...],
           scope: str = "regional", ctype: str = "regional") -> Centre:
    return Centre(iri=f"urn:c:{cid}", id=cid, name=f"Centre {cid}", centre_type=ctype, scope=scope,
                  municipality_ags=ags, district_ags=ags[:5], state_ags=ags[:2], lat=lat, lon=lon,
                  served_ags=served, topics=topics)


def _muni_ind(bb50: float, bb1000: float, change: float, tax: float, rs7: int, btype: int, cp: int) -> dict[str, float]:
    return {"broadband_50_pct": bb50, "broadband_1000_pct": bb1000, "population_change_pct_per_year": change,
            "tax_revenue_capacity_eur_per_inhabitant": tax, "mobile_4g_area_pct": 99.0, "mobile_5g_area_pct": 90.0,
            "regiostar7": rs7, "bbsr_municipality_type": btype, "central_place": cp}


def _district_ind(e09: int, e1049: int, e50: int, it: float, old: float, gdp: float, dtype: int) -> dict[str, float]:
    return {"establishments_0_9": e09, "establishments_10_49": e1049, "establishments_50_249": e50,
            "establishments_250_plus": 5, "it_employee_share_pct": it, "share_65plus_pct": old,
            "gdp_per_inhabitant_keur": gdp, "bbsr_district_type": dtype}


def toy_data_world() -> AnalyticsData:
    """Cities A (01001) and D (02000) are alike; villages B1, B2, C1 are alike; district 01003
    (far south-east) has no centre."""
    munis = (
        muni("01001000", "City A", 200_000, 100.0, 54.0, 10.0),
        muni("01002001", "Village B1", 800, 20.0, 54.0, 10.5),
        muni("01002002", "Village B2", 900, 25.0, 54.1, 10.5),
        muni("01002003", "Town B3", 20_000, 60.0, 54.0, 10.7),
        muni("01003001", "Village C1", 700, 15.0, 53.0, 12.0),
        muni("01003002", "Town C2", 30_000, 80.0, 53.1, 12.0),
        muni("02000000", "City D", 180_000, 90.0, 53.55, 10.0),
    )
    districts = (
        district("01001", "District A", 200_000, 100.0),
        district("01002", "District B", 21_700, 105.0),
        district("01003", "District C", 30_700, 95.0),
        district("02000", "District D", 180_000, 90.0),
    )
    mind = {
        "01001000": _muni_ind(98, 80, 0.3, 1200, 72, 10, 1),
        "01002001": _muni_ind(60, 5, -0.5, 700, 77, 50, 0),
        "01002002": {k: v for k, v in _muni_ind(62, 4, -0.4, 720, 77, 50, 0).items() if k != "broadband_1000_pct"},
        "01002003": _muni_ind(90, 30, 0.0, 900, 76, 30, 2),
        "01003001": _muni_ind(55, 2, -0.6, 680, 77, 50, 0),
        "01003002": _muni_ind(88, 25, -0.1, 950, 76, 30, 2),
        "02000000": _muni_ind(99, 85, 0.4, 1300, 72, 10, 1),
    }
    dind = {
        "01001": _district_ind(9000, 1500, 400, 3.0, 20.0, 45.0, 1),
        "01002": _district_ind(800, 150, 40, 0.8, 28.0, 30.0, 4),
        "01003": _district_ind(1000, 200, 50, 0.7, 29.0, 29.0, 4),
        "02000": _district_ind(8000, 1400, 350, 3.2, 19.0, 50.0, 1),
    }
    centres = (
        centre("c-a", "01001000", 54.0, 10.0, (eng(AI, 5, "AI"), eng(CYBER, 1, "Cybersecurity")), ("01001",)),
        centre("c-d", "02000000", 53.55, 10.0, (eng(AI, 5, "AI"), eng(CYBER, 5, "Cybersecurity")), ("02",)),
        centre("c-x", "02000000", 53.55, 10.0, (eng(CLOUD, 5, "Cloud"),), ("01", "02"), scope="national",
               ctype="other"),
    )
    companies = tuple(
        Company(iri=f"urn:co:{i}", id=f"co-{i}", name=f"Firm {i}", municipality_ags=a, needs=n)
        for i, (a, n) in enumerate([
            ("01001000", (AI,)), ("01001000", (CYBER,)), ("01002001", (CYBER,)), ("01003002", (CYBER, CLOUD)),
        ])
    )
    return AnalyticsData(
        municipalities=munis, districts=districts, centres=centres, companies=companies,
        states=(Region(iri="urn:r:01", ags="01", name="State 1", kind="state", state_ags="01"),
                Region(iri="urn:r:02", ags="02", name="State 2", kind="state", state_ags="02")),
        municipality_indicators=mind, district_indicators=dind,
        district_adjacency=(("01001", "01002"), ("01002", "01003")),
        municipality_adjacency=(("01002001", "01002002"), ("01002002", "01002003")),
    )
