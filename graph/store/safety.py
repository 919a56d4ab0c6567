"""What the store refuses to write or run: one set of rules for every backend.

- :func:`check_terms` — every IRI and language tag written is well formed, so an
  IRI cannot end early inside a SPARQL update and smuggle SPARQL into it;
- :func:`check_query` / :func:`check_update` — the kind of a query (SELECT, ASK,
  CONSTRUCT/DESCRIBE) and no ``SERVICE`` anywhere, so a query cannot make the
  store call out to the network. ``SERVICE`` is found in the parsed query (rdflib's
  SPARQL parser), not by a text match: ``SERVICE<…>``, prefixed names and
  ``SERVICE SILENT`` nested in ``OPTIONAL`` are all caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.errors import InvalidInput

__all__ = [
    "QUERY_KINDS",
    "check_terms",
    "check_iri",
    "check_query",
    "check_update",
    "query_kind",
    "syntax_error_message",
]

QUERY_KINDS = ("select", "ask", "graph")
# RFC 3987 excludes these from IRIs; any of them could end an IRI inside a SPARQL update
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
# a lone UTF-16 surrogate (e.g. from "\uD800") is no Unicode character: UTF-8 cannot store it
_SURROGATE = re.compile("[\ud800-\udfff]")
# SPARQL applies \u escapes to the whole query text before parsing, so a keyword can hide behind one.
# SERVICE is looked for as a word: not inside a name such as rm:hasService or an IRI path segment
# (.../scheme/service>, #service: a comment), which the views' queries name (parsing those with rdflib
# cost the command line ~0.4 s), but anywhere else it might be the keyword.
_MAY_CALL_OUT = re.compile(r"(?i)(?<![A-Za-z_:/#])service(?![A-Za-z0-9_:-])|\\u|\\U")
_PARSED_KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}
_SERVICE_REFUSED = (
    "queries with SERVICE are refused: regiomatch does not call other SPARQL endpoints; "
    "load their data with 'regiomatch load' instead"
)


def check_iri(iri: str) -> str:
    """``<iri>`` for a SPARQL text; ``InvalidInput`` if ``iri`` is not a well-formed IRI."""
    if not _IRI.match(str(iri)):
        raise InvalidInput(f"invalid IRI {str(iri)[:200]!r}")
    return f"<{iri}>"


def check_terms(triples: Iterable[tuple[Node, Node, Node]]) -> None:
    """Raise ``InvalidInput`` naming the first IRI or language tag that is not well formed.

    rdflib accepts IRIs with spaces or ``>`` (e.g. from Turtle ``\\u003E`` escapes) and
    writes them raw; written into a SPARQL update they would end the IRI early.
    """
    for triple in triples:
        for term in triple:
            _check_term(term, triple)


def _check_term(term: Node, triple: tuple[Node, Node, Node]) -> None:
    if bad := _SURROGATE.search(str(term)):
        raise InvalidInput(
            f"{'IRI' if isinstance(term, URIRef) else 'literal'} '{_visible(str(term))}' holds a lone surrogate "
            f"(U+{ord(bad.group()):04X}) in triple {_visible(_short_triple(triple))}: that is not a Unicode "
            "character and cannot be stored; write a character beyond U+FFFF as one \\U escape "
            "(e.g. \\U0001F600), not as two \\u halves"
        )
    if isinstance(term, URIRef):
        if not _IRI.match(str(term)):
            raise InvalidInput(
                f"invalid IRI {str(term)[:200]!r} in triple {_short_triple(triple)}: an IRI needs a scheme "
                "(e.g. https:) and may not contain spaces or any of <>\"{}|^`\\"
            )
    elif isinstance(term, Literal):
        if term.datatype is not None and not _IRI.match(str(term.datatype)):
            raise InvalidInput(f"invalid datatype IRI {str(term.datatype)[:200]!r} in triple {_short_triple(triple)}")
        if term.language is not None and not _LANG.match(term.language):
            raise InvalidInput(
                f"invalid language tag {term.language[:40]!r} in triple {_short_triple(triple)}: "
                "expected a BCP 47 tag such as 'de' or 'en-GB'"
            )


def _short_triple(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(str(t)[:80] for t in triple)


def _visible(text: str) -> str:
    """``text`` cut to 80 characters with surrogates shown as escapes (printable on any terminal)."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text[:80])


def check_query(query: str, prefixes: Mapping[str, str] | None = None) -> str:
    """The kind of ``query`` ('select', 'ask' or 'graph'); ``InvalidInput`` if it is not a
    query or would call another endpoint (``SERVICE``). ``prefixes`` are the ones the
    engine predeclares."""
    kind = query_kind(query)
    if _MAY_CALL_OUT.search(query):
        from rdflib.plugins.sparql.parser import parseQuery

        block = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())
        tree = _parse(parseQuery, block + query)
        if tree is None:
            _refuse_service_text(query)
        else:
            if _has_service(tree):
                raise InvalidInput(_SERVICE_REFUSED)
            kind = _PARSED_KINDS.get(getattr(tree[1], "name", ""), kind)
    return kind


def check_update(update: str) -> None:
    """``InvalidInput`` if the SPARQL update would call another endpoint (``SERVICE``)."""
    if _MAY_CALL_OUT.search(update):
        from rdflib.plugins.sparql.parser import parseUpdate

        tree = _parse(parseUpdate, update)
        if tree is None:
            _refuse_service_text(update)
        elif _has_service(tree):
            raise InvalidInput(_SERVICE_REFUSED)


def _parse(parser: Any, text: str) -> Any:
    """rdflib's parse tree, or None when rdflib cannot parse what the engine may accept."""
    try:
        return parser(text)
    except Exception:  # noqa: BLE001 - pyparsing and rdflib raise many types; the engine reports syntax
        return None


def _has_service(node: Any) -> bool:
    """True if the parse tree holds a ``SERVICE`` pattern anywhere."""
    from pyparsing import ParseResults  # only a parse tree needs it (0.1 s of a cold command otherwise)

    stack = [node]
    while stack:
        n = stack.pop()
        if getattr(n, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(n, dict):
            stack.extend(n.values())
        if isinstance(n, list | tuple | ParseResults):
            stack.extend(n)
    return False


def _refuse_service_text(text: str) -> None:
    """Fallback when rdflib cannot parse ``text``: refuse any SERVICE keyword outside strings and IRIs."""
    body = _strip_iris_strings_comments(text)
    if re.search(r"(?i)(?<![:\w])SERVICE(?![\w:-])|\\u|\\U", body):
        raise InvalidInput(_SERVICE_REFUSED)


def _strip_iris_strings_comments(query: str) -> str:
    body = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'', '""', query)
    body = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', body)
    body = re.sub(r"<[^<>\s]*>", "<>", body)
    return re.sub(r"#[^\n]*", "", body)


def query_kind(query: str) -> str:
    """'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE); ``InvalidInput`` for anything else."""
    body = _strip_iris_strings_comments(query)
    body = re.sub(r"(?i)\b(prefix\s+[\w-]*:\s*<>|base\s+<>)", "", body)
    m = re.search(r"(?i)\b(select|ask|construct|describe)\b", body)
    if not m:
        raise InvalidInput(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE "
            f"(got {query.strip()[:60]!r})"
        )
    return {"select": "select", "ask": "ask"}.get(m.group(1).lower(), "graph")


_POSITION = re.compile(r"error at (\d+):(\d+)")


def syntax_error_message(engine_message: str, query: str, prefixes: Mapping[str, str] | None = None) -> str:
    """A readable message for the engine's SPARQL syntax error in ``query``.

    Names an undeclared prefix instead of dumping the grammar, and shows the
    offending line with a caret at the position the engine reports.
    """
    m = _POSITION.search(engine_message)
    if not m:
        return f"invalid SPARQL query: {engine_message.splitlines()[0][:300] if engine_message else 'syntax error'}"
    line_no, col = int(m.group(1)), int(m.group(2))
    lines = query.splitlines() or [""]
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    where = f"line {line_no}, column {col}"
    snippet = f"\n  {line[:200]}\n  {' ' * min(max(col - 1, 0), 200)}^"
    if "Prefix not found" in engine_message:
        name = re.search(r"([A-Za-z][\w.-]*)?:[^\s:]*$", line[: max(col - 1, 0)])
        prefix = (name.group(1) or "") if name else "?"
        if name:  # point at the prefixed name, not past it
            col = name.start() + 1
            where = f"line {line_no}, column {col}"
            snippet = f"\n  {line[:200]}\n  {' ' * min(col - 1, 200)}^"
        known = ", ".join(f"{p}:" for p in (prefixes or {}))
        return (
            f"undeclared prefix '{prefix}:' at {where}: declare it with PREFIX {prefix}: <…>"
            + (f" (predeclared: {known})" if known else "")
            + snippet
        )
    expected = engine_message[m.end():].strip(" :")
    expected = " ".join(expected.split())
    if len(expected) > 160:
        expected = expected[:160] + " …"
    return f"invalid SPARQL query at {where}: {expected}{snippet}"
