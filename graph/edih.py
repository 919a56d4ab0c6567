"""The ``edih-csv`` import format: hubs of the EU EDIH catalogue export, any country.

Columns (as in the Commission's catalogue export, one row per hub)::

    hub_id, name, title, hub_type, country, address, postcode_parsed, city_parsed,
    website, description, technologies, services, sectors   [, scope, serves_only]

``hub_id``, ``name`` and ``country`` are required, the rest optional. The last three
hold ``"Term - level"`` items joined by ``", "`` (``"Cybersecurity - 5, Internet of
Things - 4"``); a term must be a concept of the matching SKOS scheme
(``ontologies/schemes/{technology,service,sector}.ttl``, matched on its slug,
``prefLabel`` or ``altLabel``) and a level a whole number 1..5 (5 = highest). A
term listed twice keeps its highest level (the catalogue export does this).
``scope`` (``national`` / ``regional`` / ``international``) and ``serves_only`` (the key of the
one trade a centre is limited to, a concept of ``ontologies/schemes/trade.ttl`` such as
``crafts``) are our extensions.

Errors name the file, the row (the header is row 1), the column and the bad value.

Mapping rules (shared by every importer of centres, including the default dataset):

* centre type: ``hub_type`` EDIH → ``rm:EuropeanDigitalInnovationHub``; a name or
  title containing "Mittelstand-Digital" → ``rm:MittelstandDigitalCentre``;
  "Regionales Digitalisierungszentrum" → ``rm:RegionalDigitalisationCentre``;
  anything else → ``rm:OtherCentre``;
* served regions (German centres only): regional digitalisation centres serve their
  district, other regional centres their state, national and international ones all
  16 states;
* the description's language is guessed (de or en) from common function words; a
  description holding two language versions separated by a ``____`` line becomes two
  lang-tagged literals.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SDO, SKOS, XSD

from graph import iris
from graph.dataset.locate import GERMANY_NAMES, MunicipalityLocator, normalise_town
from graph.errors import InvalidInput, InvalidKey, UnreadableInput
from graph.vocab import RM

__all__ = [
    "EDIH_COLUMNS",
    "REQUIRED_COLUMNS",
    "TermLevel",
    "EdihHub",
    "CatalogueTerms",
    "MunicipalityLocator",
    "read_edih_csv",
    "parse_term_levels",
    "centre_type_of",
    "served_regions",
    "edih_hubs_to_graph",
    "guess_language",
    "trade_keys",
]

EDIH_COLUMNS = (
    "hub_id", "name", "title", "hub_type", "country", "address", "postcode_parsed",
    "city_parsed", "website", "description", "technologies", "services", "sectors",
)
REQUIRED_COLUMNS = ("hub_id", "name", "country")
_KIND_OF_COLUMN = {"technologies": "technology", "services": "service", "sectors": "sector"}
_ENGAGEMENT_PROPERTY = {"technology": RM.hasTopic, "service": RM.hasService, "sector": RM.hasSector}
_SCOPES = ("national", "regional", "international")
STATES = tuple(f"{i:02d}" for i in range(1, 17))  # the 16 Länder, AGS 01..16
Locate = Callable[[str | None, str | None, str], str | None]


@dataclass(frozen=True)
class TermLevel:
    """One catalogue tag: the concept's slug in its scheme, the level 1..5, the term as written."""

    slug: str
    level: int
    term: str = ""


@dataclass(frozen=True)
class EdihHub:
    """One hub (or other centre) as read from an ``edih-csv`` row."""

    hub_id: str
    name: str
    country: str
    title: str = ""
    hub_type: str = ""
    address: str = ""
    postcode: str | None = None
    city: str | None = None
    website: str | None = None
    description: str = ""
    technologies: tuple[TermLevel, ...] = ()
    services: tuple[TermLevel, ...] = ()
    sectors: tuple[TermLevel, ...] = ()
    scope: str | None = None
    serves_only: str | None = None  # trade key (concept/trade/{key})


@dataclass(frozen=True)
class CatalogueTerms:
    """Valid terms per scheme: ``lookup[kind][slugify(label)] = concept slug``."""

    lookup: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def from_labels(cls, labels: Mapping[str, Iterable[str]]) -> CatalogueTerms:
        """From English catalogue terms per kind; each term's slug is its concept's slug."""
        return cls({k: {iris.slugify(t): iris.slugify(t) for t in ts} for k, ts in labels.items()})

    @classmethod
    def from_schemes(cls) -> CatalogueTerms:
        """Read the technology, service and sector schemes shipped in ``ontologies/schemes``."""
        lookup: dict[str, dict[str, str]] = {}
        for kind in _KIND_OF_COLUMN.values():
            g, concepts = _scheme_concepts(kind)
            parents = set(g.objects(None, SKOS.broader))  # grouping concepts are not terms
            concepts = [c for c in concepts if c not in parents]
            table: dict[str, str] = {iris.key_of(c): iris.key_of(c) for c in concepts}
            for p in (SKOS.prefLabel, SKOS.altLabel):  # preferred labels win over synonyms
                for c in concepts:
                    for label in sorted(cast("Iterable[Literal]", g.objects(c, p))):
                        try:
                            table.setdefault(iris.slugify(str(label)), iris.key_of(c))
                        except InvalidKey:
                            pass
            lookup[kind] = table
        return cls(lookup)

    def resolve(self, kind: str, term: str) -> str | None:
        try:
            return self.lookup.get(kind, {}).get(iris.slugify(term))
        except InvalidKey:
            return None


def _scheme_concepts(kind: str) -> tuple[Graph, list[URIRef]]:
    """The scheme ``ontologies/schemes/{kind}.ttl`` as a graph, and its concepts' IRIs, sorted."""
    res = resources.files("ontologies").joinpath("schemes", f"{kind}.ttl")
    if not res.is_file():
        raise UnreadableInput(f"the {kind} scheme ontologies/schemes/{kind}.ttl is missing")
    g = Graph().parse(data=res.read_text(encoding="utf-8"), format="turtle")
    prefix = f"{iris.scheme(kind)}/"
    return g, sorted(cast(URIRef, c) for c in set(g.subjects(RDF.type, SKOS.Concept)) if str(c).startswith(prefix))


@functools.lru_cache(maxsize=1)
def trade_keys() -> tuple[str, ...]:
    """Keys of the trade scheme's concepts (``ontologies/schemes/trade.ttl``), sorted."""
    return tuple(sorted(iris.key_of(c) for c in _scheme_concepts("trade")[1]))


def parse_term_levels(
    text: str, kind: str, terms: CatalogueTerms, *, row: int = 0, column: str = ""
) -> tuple[TermLevel, ...]:
    """Parse ``"Term - 5, Other term - 3"``; terms may themselves contain commas and dashes."""
    where = f"row {row}, column {column!r}" if row else f"column {column!r}"
    items: list[str] = []
    buf = ""
    for piece in (text or "").split(","):
        buf = f"{buf},{piece}" if buf else piece
        if re.search(r"\s-\s*[^\s,-]+\s*$", buf):
            items.append(buf.strip())
            buf = ""
    if buf.strip():
        raise InvalidInput(f"{where}: {buf.strip()!r} has no level; write items as 'Term - level'")
    out: dict[str, TermLevel] = {}
    for item in items:
        term, _, raw = item.rpartition(" -")
        term, raw = term.strip(), raw.strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 5:
            raise InvalidInput(f"{where}: level {raw!r} of {term!r} is not a whole number 1..5")
        slug = terms.resolve(kind, term)
        if slug is None:
            known = sorted(terms.lookup.get(kind, {}).values())
            raise InvalidInput(
                f"{where}: {term!r} is not a term of the {kind} scheme; valid: "
                + ", ".join(sorted(set(known)))
            )
        if slug in out and out[slug].level >= int(raw):
            continue  # the export repeats some tags, a few with two levels: keep the highest
        out[slug] = TermLevel(slug, int(raw), term)
    return tuple(out.values())


def read_edih_csv(path: str | Path, terms: CatalogueTerms | None = None) -> list[EdihHub]:
    """Read an ``edih-csv`` file (UTF-8, header row); raise with row, column and value on bad input."""
    terms = terms if terms is not None else CatalogueTerms.from_schemes()
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise InvalidInput(
                    f"{path}: missing required column(s) {', '.join(missing)}; "
                    f"expected columns: {', '.join(EDIH_COLUMNS)} (required: "
                    f"{', '.join(REQUIRED_COLUMNS)})"
                )
            rows = [{(k or "").strip(): (v or "") for k, v in r.items()} for r in reader]
    except FileNotFoundError as exc:
        raise UnreadableInput(f"{path}: no such file") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableInput(f"{path}: not a readable UTF-8 CSV file ({exc})") from exc
    try:
        return _hubs_from_rows(rows, terms)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc}") from None


def _hubs_from_rows(rows: list[dict[str, str]], terms: CatalogueTerms) -> list[EdihHub]:
    hubs: list[EdihHub] = []
    seen: dict[str, int] = {}
    for n, r in enumerate(rows, start=2):
        hubs.append(_hub_from_row(r, n, terms))
        if hubs[-1].hub_id in seen:
            raise InvalidInput(
                f"row {n}, column 'hub_id': {hubs[-1].hub_id!r} already used in row "
                f"{seen[hubs[-1].hub_id]}"
            )
        seen[hubs[-1].hub_id] = n
    return hubs


def _hub_from_row(r: Mapping[str, str], n: int, terms: CatalogueTerms) -> EdihHub:
    def cell(col: str) -> str:
        return (r.get(col) or "").strip()

    for col in REQUIRED_COLUMNS:
        if not cell(col):
            raise InvalidInput(f"row {n}, column {col!r}: value is empty; {col} is required")
    try:
        iris.centre(cell("hub_id"))
    except InvalidKey as exc:
        raise InvalidInput(f"row {n}, column 'hub_id': {exc}") from exc
    scope = cell("scope") or None
    if scope is not None and scope not in _SCOPES:
        raise InvalidInput(f"row {n}, column 'scope': {scope!r} is not one of {', '.join(_SCOPES)}")
    serves_only = cell("serves_only") or None
    if serves_only is not None and serves_only not in trade_keys():
        raise InvalidInput(f"row {n}, column 'serves_only': {serves_only!r} is not a trade; expected one of "
                           f"{', '.join(trade_keys())} (ontologies/schemes/trade.ttl) or nothing")
    tags = {
        kind: parse_term_levels(cell(col), kind, terms, row=n, column=col)
        for col, kind in _KIND_OF_COLUMN.items()
    }
    website = cell("website")
    return EdihHub(
        hub_id=cell("hub_id"),
        name=cell("name"),
        country=cell("country"),
        title=cell("title"),
        hub_type=cell("hub_type"),
        address=cell("address"),
        postcode=cell("postcode_parsed") or None,
        city=cell("city_parsed") or None,
        website=website if re.match(r"^https?://\S+$", website) else None,
        description=cell("description"),
        technologies=tags["technology"],
        services=tags["service"],
        sectors=tags["sector"],
        scope=scope,
        serves_only=serves_only,
    )


def centre_type_of(hub: EdihHub) -> URIRef:
    """The ``rm:CentreType`` of a hub; see the module docstring."""
    text = normalise_town(f"{hub.name} {hub.title}")
    if hub.hub_type.strip().upper() == "EDIH":
        return RM.EuropeanDigitalInnovationHub
    if "mittelstand digital" in text:
        return RM.MittelstandDigitalCentre
    if "regionales digitalisierungszentrum" in text:
        return RM.RegionalDigitalisationCentre
    return RM.OtherCentre


def served_regions(hub: EdihHub, ags: str | None) -> tuple[str, ...]:
    """AGS of the regions a German centre serves (empty for foreign or unlocated regional ones)."""
    if normalise_town(hub.country) not in GERMANY_NAMES:
        return ()
    if hub.scope in ("national", "international"):
        return STATES
    if ags is None:
        return ()
    if centre_type_of(hub) == RM.RegionalDigitalisationCentre:
        return (ags[:5],)
    return (ags[:2],)


_DE_WORDS = frozenset("der die das und ist wir mit für von den im zu auf unternehmen sie ein eine".split())
_EN_WORDS = frozenset("the and is we with for of to in on companies they a an our".split())


def guess_language(text: str) -> str:
    """``"de"`` or ``"en"``: whichever language's common function words occur more often."""
    words = re.findall(r"[a-zäöüß]+", text.lower())
    de = sum(w in _DE_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return "de" if de > en else "en"


def _description_parts(text: str) -> list[str]:
    """A description split where the catalogue separates language versions by a ``____`` line."""
    return [p.strip() for p in re.split(r"\n\s*_{3,}\s*\n", text or "") if p.strip()]


def edih_hubs_to_graph(
    hubs: Iterable[EdihHub], locate: Locate, identifier: URIRef | None = None
) -> Graph:
    """RDF for ``hubs`` following ``ontologies/README.md``; ``locate(postcode, city, country)``
    returns the municipality AGS a hub sits in (or None). ``identifier`` names the graph."""
    g = Graph(identifier=identifier)
    add = g.add
    for hub in hubs:
        c = iris.centre(hub.hub_id)
        add((c, RDF.type, RM.Centre))
        add((c, DCTERMS.identifier, Literal(hub.hub_id)))
        add((c, SDO.name, Literal(hub.name)))
        if hub.title and hub.title != hub.name:
            add((c, SDO.alternateName, Literal(hub.title)))
        for part in _description_parts(hub.description):
            add((c, SDO.description, Literal(part, lang=guess_language(part))))
        if hub.website:
            add((c, SDO.url, Literal(hub.website, datatype=XSD.anyURI)))
        if hub.address:
            add((c, SDO.address, Literal(hub.address)))
        add((c, SDO.addressCountry, Literal(hub.country)))
        add((c, RM.centreType, centre_type_of(hub)))
        if hub.scope:
            add((c, RM.scope, Literal(hub.scope)))
        if hub.serves_only:
            add((c, RM.servesOnly, iris.concept("trade", hub.serves_only)))
        ags = locate(hub.postcode, hub.city, hub.country)
        if ags is not None:
            add((c, SDO.location, iris.region(ags)))
        for served in served_regions(hub, ags):
            add((c, SDO.areaServed, iris.region(served)))
        for kind, tags in (("technology", hub.technologies), ("service", hub.services),
                           ("sector", hub.sectors)):
            for tag in tags:
                e = iris.engagement(hub.hub_id, kind, tag.slug)
                add((c, _ENGAGEMENT_PROPERTY[kind], e))
                add((e, RDF.type, RM.Engagement))
                add((e, RM.concept, iris.concept(kind, tag.slug)))
                add((e, RM.level, Literal(tag.level, datatype=XSD.integer)))
    return g
