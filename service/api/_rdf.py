"""RDF responses with content negotiation: Turtle, JSON-LD, N-Triples, RDF/XML, HTML.

Resources answer directly (no 303) with ``Vary: Accept`` and a ``Link: rel=alternate``
per format; ``?format=ttl|jsonld|nt|rdfxml|html`` picks one explicitly (the target
of those links). Anything else is 406 naming what is available.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request, Response

from service.api._http import READ_CACHE, etag_response, negotiate
from service.api.errors import ApiError

__all__ = ["RDF_MEDIA", "FORMAT_NAMES", "choose_format", "rdf_response"]

RDF_MEDIA = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
FORMAT_NAMES = {**RDF_MEDIA, "html": "text/html"}


def choose_format(request: Request, html: bool = True) -> str:
    """The format for this request: ``?format=`` if given, else by the Accept header."""
    offered = dict(FORMAT_NAMES) if html else dict(RDF_MEDIA)
    explicit = request.query_params.get("format")
    if explicit is not None:
        if explicit not in offered:
            raise ApiError(
                406, "not_acceptable", f"unknown format {explicit[:40]!r}: expected one of {', '.join(offered)}",
                details={"available": list(offered)},
            )
        return explicit
    media = negotiate(request, list(offered.values()), default="text/turtle")
    return next(k for k, v in offered.items() if v == media)


def rdf_response(request: Request, fmt: str, render: Callable[[str], bytes], html: bool = True,
                 cache: str = READ_CACHE) -> Response:
    """``render(fmt)`` as the response, with Vary, alternate links, ETag and Cache-Control."""
    offered = FORMAT_NAMES if html else RDF_MEDIA
    path = request.url.path
    links = ", ".join(f'<{path}?format={k}>; rel="alternate"; type="{v}"' for k, v in offered.items())
    media = offered[fmt] + ("; charset=utf-8" if fmt in ("ttl", "html", "nt") else "")
    return etag_response(request, render(fmt), media, cache, headers={"Vary": "Accept", "Link": links})
