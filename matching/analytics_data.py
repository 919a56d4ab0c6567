"""What the network analytics (peers, partners, gaps) learn from, as one plain bundle.

:class:`AnalyticsData` holds typed records and indicator tables; ``from_store``
reads them through ``graph.views`` and ``graph.indicators``, and tests build one
by hand. Derived quantities that several estimators share (SMEs per municipality,
topic shares of recorded needs) are methods here, so they are computed one way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.records import Centre, Company, Concept, Region

if TYPE_CHECKING:
    from graph.store import Store

__all__ = ["AnalyticsData", "SME_COLUMNS", "is_regional_centre", "radians"]

# establishments with 0-249 employees: the district's real number of SMEs
SME_COLUMNS = ("establishments_0_9", "establishments_10_49", "establishments_50_249")
_MIN_STATE_NEEDS = 100  # below this many recorded needs a state uses the country's topic shares


def radians(*degrees: Any) -> tuple[Any, ...]:
    """Degrees to radians for each argument (``haversine_km`` takes radians)."""
    import numpy as np

    return tuple(np.radians(np.asarray(d, dtype=np.float64)) for d in degrees)


def is_regional_centre(centre: Centre) -> bool:
    """A centre meant for the region around it: a regional digitalisation centre, or any
    centre whose scope is regional (not a national or international thematic centre)."""
    return centre.centre_type == "regional" or (centre.scope or "regional") == "regional"


@dataclass(frozen=True, eq=False)
class AnalyticsData:
    """Regions, centres, company needs and indicator tables.

    ``municipality_indicators`` / ``district_indicators`` map AGS to ``{key: value}``
    with missing values absent (never imputed). ``indicators`` optionally carries the
    indicator definitions (``graph.records.Indicator``) for labels and code names.
    """

    municipalities: tuple[Region, ...]
    districts: tuple[Region, ...]
    centres: tuple[Centre, ...] = ()
    companies: tuple[Company, ...] = ()
    states: tuple[Region, ...] = ()
    topics: tuple[Concept, ...] = ()
    municipality_indicators: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    district_indicators: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    district_adjacency: tuple[tuple[str, str], ...] = ()
    municipality_adjacency: tuple[tuple[str, str], ...] = ()
    indicators: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        for name in ("municipalities", "districts", "centres", "companies", "states", "topics",
                     "district_adjacency", "municipality_adjacency", "indicators"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @classmethod
    def from_store(cls, store: Store, *, municipality_adjacency: bool = True) -> AnalyticsData:
        """Read everything the analytics need from ``store`` (a few seconds for Germany)."""
        from graph import indicators, views

        return cls(
            municipalities=tuple(views.regions(store, kind="municipality")),
            districts=tuple(views.regions(store, kind="district")),
            states=tuple(views.regions(store, kind="state")),
            centres=tuple(views.centres(store)),
            companies=tuple(views.companies(store)),
            topics=tuple(views.concepts(store, "technology")),
            municipality_indicators=indicators.indicator_table(store, "municipality"),
            district_indicators=indicators.indicator_table(store, "district"),
            district_adjacency=tuple(views.adjacency(store, "district")),
            municipality_adjacency=(
                tuple(views.adjacency(store, "municipality")) if municipality_adjacency else ()
            ),
            indicators=tuple(indicators.indicator_definitions(store)),
        )

    # ------------------------------------------------------------------ derived

    def region_index(self) -> dict[str, Region]:
        """Every region by AGS (states, districts, municipalities)."""
        return {r.ags: r for r in (*self.states, *self.districts, *self.municipalities)}

    def district_smes(self) -> dict[str, float]:
        """SMEs (establishments with 0-249 employees, real register counts) per district AGS;
        districts with any size class missing are absent."""
        out = {}
        for ags, row in self.district_indicators.items():
            if all(c in row for c in SME_COLUMNS):
                out[ags] = float(sum(row[c] for c in SME_COLUMNS))
        return out

    def municipality_smes(self) -> dict[str, float]:
        """SMEs per municipality: the district's count spread by population share
        (an estimate; the register gives districts only)."""
        pop_by_district: dict[str, float] = defaultdict(float)
        for m in self.municipalities:
            pop_by_district[m.district_ags or m.ags[:5]] += m.population or 0
        smes = self.district_smes()
        out = {}
        for m in self.municipalities:
            d = m.district_ags or m.ags[:5]
            if d in smes and pop_by_district[d] > 0:
                out[m.ags] = smes[d] * (m.population or 0) / pop_by_district[d]
        return out

    def topic_labels(self) -> dict[str, tuple[str, str]]:
        """Technology concept IRI -> (label_en, label_de), from the concepts and engagements."""
        out = {c.iri: (c.label_en, c.label_de) for c in self.topics}
        for centre in self.centres:
            for e in centre.topics:
                out.setdefault(e.concept, (e.label_en or e.concept.rsplit("/", 1)[-1], e.label_de))
        return out

    def need_shares(self) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """Each topic's share of all recorded company needs: ``(country, {state_ags: shares})``.

        A state gets its own shares only when its companies record at least 100
        needs; otherwise it is absent and callers use the country's shares.
        """
        country: Counter[str] = Counter()
        by_state: dict[str, Counter[str]] = defaultdict(Counter)
        for c in self.companies:
            for need in c.needs:
                country[need] += 1
                by_state[c.municipality_ags[:2]][need] += 1

        def norm(counts: Counter[str]) -> dict[str, float]:
            total = sum(counts.values())
            return {k: v / total for k, v in sorted(counts.items())} if total else {}

        states = {s: norm(c) for s, c in by_state.items() if sum(c.values()) >= _MIN_STATE_NEEDS}
        return norm(country), states

    def code_label(self, key: str, code: float | int | str, lang: str = "en") -> str:
        """The label of a coded indicator value (e.g. RegioStaR 77), or the code itself."""
        text = str(int(code)) if isinstance(code, float | int) else str(code)
        for ind in self.indicators:
            if getattr(ind, "key", None) == key:
                codes = getattr(ind, "codes", {}) or {}
                if text in codes:
                    de, en = codes[text]
                    return en if lang == "en" and en else de
        return text
