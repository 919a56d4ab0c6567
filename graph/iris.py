"""The one place where regiomatch IRIs are minted.

Layout (``BASE`` = ``https://w3id.org/regiomatch/``):

    BASE id/region/{ags}                    state (2 digits), district (5), municipality (8)
    BASE id/centre/{id}                     e.g. edihcat-005, st-rdz-haldensleben
    BASE id/centre/{id}/{kind}/{slug}       a centre's engagement with a concept
    BASE id/centre/{id}/grant/{n}           a grant a centre received
    BASE id/company/{id}                    e.g. sme-000042
    BASE id/programme/{slug}                a funding programme
    BASE id/outcome/{id}                    a recorded referral outcome
    BASE id/activity/{id}                   a write through the API (its provenance record)
    BASE id/agent/{id}                      who wrote: an API key, by its id
    BASE id/dataset/indicators-{level}      a qb:DataSet of indicators (municipality, district)
    BASE id/dataset/indicators-{level}/structure[/{key}]   its structure and component specs
    BASE id/observation/{ags}/{period}      a qb:Observation (period: ISO 8601, '/' written '--')
    BASE concept/indicator[/{key}]          the indicator scheme and its concepts
    BASE concept/code/{list}[/{code}]       a BBSR code list (e.g. regiostar7) and its codes
    BASE concept/{scheme}                   a SKOS concept scheme (technology, service, sector, nace, trade)
    BASE concept/{scheme}/{slug}            a concept; NACE uses its code (C, 25)
    BASE graph/{name}                       a named graph (one per source)

Every function validates its key and raises :class:`graph.errors.InvalidKey`
naming the bad value and the expected form.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from graph.errors import InvalidKey, shown
from graph.text import ascii_fold

__all__ = [
    "BASE",
    "SCHEMES",
    "ENGAGEMENT_KINDS",
    "CORE_GRAPHS",
    "region",
    "centre",
    "engagement",
    "grant",
    "company",
    "programme",
    "outcome",
    "activity",
    "agent",
    "indicator_dataset",
    "indicator_structure",
    "indicator_component",
    "observation",
    "observation_area",
    "indicator_scheme",
    "indicator",
    "code_list",
    "code",
    "INDICATOR_LEVELS",
    "scheme",
    "concept",
    "nace",
    "named_graph",
    "graph_name",
    "slugify",
    "key_of",
    "normalise_ags",
    "normalise_nace",
]

BASE = "https://w3id.org/regiomatch/"
SCHEMES = ("technology", "service", "sector", "nace", "trade")
ENGAGEMENT_KINDS = ("technology", "service", "sector")

INDICATOR_LEVELS = ("municipality", "district")

_PERIOD = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")
_KEY = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
_AGS = re.compile(r"^\d{2}(\d{3}(\d{3})?)?$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_NACE = re.compile(r"^([A-U]|\d{2})$")
_GRAPH = re.compile(r"^[a-z0-9][a-z0-9._/-]{0,127}$")


def slugify(text: str) -> str:
    """Turn a label into an IRI slug: ASCII, lower case, words joined by '-'."""
    ascii_ = ascii_fold(text)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    if not slug:
        raise InvalidKey(f"cannot make an identifier from {shown(text)}: it has no letters or digits")
    return slug


def normalise_ags(ags: str | int) -> str:
    """Return an AGS as a string of 2, 5 or 8 digits, or raise ``InvalidKey``."""
    s = str(ags).strip()
    if not _AGS.match(s):
        raise InvalidKey(
            f"invalid AGS {shown(ags)}: expected 2 digits (state), 5 (district) or 8 "
            "(municipality), with leading zeros, e.g. '15', '15083', '15083270'"
        )
    return s


def normalise_nace(code: str) -> str:
    """Return a NACE Rev. 2 section (``C``) or division (``25``) code, or raise."""
    s = str(code).strip().upper()
    if len(s) == 3 and s[0].isalpha() and s[1:].isdigit():
        s = s[1:]  # 'C25' is how people write division 25 of section C
    if not _NACE.match(s):
        raise InvalidKey(
            f"invalid NACE code {shown(code)}: expected a section letter A-U or a two-digit "
            "division such as '25' (also accepted: 'C25')"
        )
    return s


def _check_id(value: str, what: str) -> str:
    s = str(value).strip()
    if not _ID.match(s):
        raise InvalidKey(
            f"invalid {what} id {shown(value)}: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return s


def region(ags: str | int) -> URIRef:
    return URIRef(f"{BASE}id/region/{normalise_ags(ags)}")


def centre(centre_id: str) -> URIRef:
    return URIRef(f"{BASE}id/centre/{_check_id(centre_id, 'centre')}")


def engagement(centre_id: str, kind: str, concept_slug: str) -> URIRef:
    if kind not in ENGAGEMENT_KINDS:
        raise InvalidKey(f"invalid engagement kind {shown(kind)}: expected one of {ENGAGEMENT_KINDS}")
    return URIRef(f"{centre(centre_id)}/{kind}/{_check_slug(concept_slug)}")


def grant(centre_id: str, n: int = 1) -> URIRef:
    if not isinstance(n, int) or n < 1:
        raise InvalidKey(f"invalid grant number {shown(n)}: expected a positive integer")
    return URIRef(f"{centre(centre_id)}/grant/{n}")


def company(company_id: str) -> URIRef:
    return URIRef(f"{BASE}id/company/{_check_id(company_id, 'company')}")


def programme(slug: str) -> URIRef:
    return URIRef(f"{BASE}id/programme/{_check_slug(slug)}")


def outcome(outcome_id: str) -> URIRef:
    return URIRef(f"{BASE}id/outcome/{_check_id(outcome_id, 'outcome')}")


def activity(activity_id: str) -> URIRef:
    return URIRef(f"{BASE}id/activity/{_check_id(activity_id, 'activity')}")


def agent(agent_id: str) -> URIRef:
    return URIRef(f"{BASE}id/agent/{_check_id(agent_id, 'agent')}")


def _check_level(level: str) -> str:
    if level not in INDICATOR_LEVELS:
        raise InvalidKey(f"unknown indicator level {level!r}: expected one of {', '.join(INDICATOR_LEVELS)}")
    return level


def _key_slug(key: str) -> str:
    if not _KEY.match(str(key)):
        raise InvalidKey(f"invalid indicator key {key!r}: expected lower-case words joined by '_', "
                         "e.g. 'broadband_1000_pct'")
    return str(key).replace("_", "-")


def indicator_dataset(level: str) -> URIRef:
    return URIRef(f"{BASE}id/dataset/indicators-{_check_level(level)}")


def indicator_structure(level: str) -> URIRef:
    return URIRef(f"{indicator_dataset(level)}/structure")


def indicator_component(level: str, key: str) -> URIRef:
    """The component specification of one measure (or ``ref-area`` / ``ref-period``) in a structure."""
    return URIRef(f"{indicator_structure(level)}/{_key_slug(key)}")


def observation(ags: str, period: str) -> URIRef:
    """One region's observation for one reference period (``2022-06``, ``2017/2022``)."""
    if not _PERIOD.match(str(period)):
        raise InvalidKey(f"invalid reference period {period!r}: expected an ISO 8601 date, year-month, "
                         "year or interval such as '2025-06-30', '2022-06', '2021', '2017/2022'")
    return URIRef(f"{BASE}id/observation/{normalise_ags(ags)}/{str(period).replace('/', '--')}")


_OBSERVATION = re.compile(rf"^{re.escape(BASE)}id/observation/(\d{{2}}(?:\d{{3}}(?:\d{{3}})?)?)/[0-9-]+$")


def observation_area(iri: str) -> str | None:
    """The AGS in an observation IRI minted by :func:`observation`, else ``None``."""
    m = _OBSERVATION.match(str(iri))
    return m.group(1) if m else None


def indicator_scheme() -> URIRef:
    return URIRef(f"{BASE}concept/indicator")


def indicator(key: str) -> URIRef:
    """The SKOS concept of an indicator; ``key`` is its column name (``broadband_1000_pct``)."""
    return URIRef(f"{indicator_scheme()}/{_key_slug(key)}")


def code_list(name: str) -> URIRef:
    """A BBSR code list as a SKOS scheme; ``name`` is the indicator key (``regiostar7``)."""
    return URIRef(f"{BASE}concept/code/{_key_slug(name)}")


def code(name: str, value: int) -> URIRef:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidKey(f"invalid code {value!r} of {name}: expected a non-negative integer")
    return URIRef(f"{code_list(name)}/{value}")


def scheme(name: str) -> URIRef:
    if name not in SCHEMES:
        raise InvalidKey(f"unknown concept scheme {shown(name)}: expected one of {SCHEMES}")
    return URIRef(f"{BASE}concept/{name}")


def concept(scheme_name: str, slug: str) -> URIRef:
    if scheme_name == "nace":
        return nace(slug)
    return URIRef(f"{scheme(scheme_name)}/{_check_slug(slug)}")


def nace(code: str) -> URIRef:
    return URIRef(f"{scheme('nace')}/{normalise_nace(code)}")


def named_graph(name: str) -> URIRef:
    s = str(name).strip()
    if s.startswith(f"{BASE}graph/"):
        s = s[len(f"{BASE}graph/") :]
    if not _GRAPH.match(s):
        raise InvalidKey(
            f"invalid graph name {shown(name)}: use lower-case letters, digits, '.', '_', '-', '/' "
            "(e.g. 'regions', 'centres/edih', 'my-import')"
        )
    return URIRef(f"{BASE}graph/{s}")


# the named graphs `regiomatch init` writes; `load` may write any other name
CORE_GRAPHS = (
    "ontology",
    "schemes",
    "regions",
    "centres/edih-de",
    "centres/st",
    "companies/synthetic",
    "indicators",
    "provenance",
)


def graph_name(iri: str) -> str:
    """The name of one of our named graphs (``centres/st``), the inverse of ``named_graph``."""
    return str(iri).removeprefix(f"{BASE}graph/")


def key_of(iri: str) -> str:
    """The last path segment of one of our IRIs (the AGS, id, slug or code)."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def _check_slug(slug: str) -> str:
    if not _SLUG.match(str(slug)):
        raise InvalidKey(f"invalid slug {shown(slug)}: expected lower-case words joined by '-'")
    return str(slug)
