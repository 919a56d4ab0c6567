"""``/topics``: the concept schemes (German and English labels) and topic suggestion."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from service.api._http import cached_json
from service.api.deps import StateDep
from service.api.models import ConceptPublic, SuggestRequest, TopicsPublic
from service.schemas import TopicSuggestion, TopicSuggestions

__all__ = ["router"]

router = APIRouter(prefix="/topics", tags=["topics"])


@router.get("", response_model=TopicsPublic)
def list_topics(
    request: Request,
    state: StateDep,
    scheme: Annotated[Literal["technology", "service", "sector", "nace", "trade"] | None, Query()] = None,
) -> Response:
    """The concepts of each scheme (or of one), with German and English labels."""
    out: dict[str, list[ConceptPublic]] = {}
    for c in state.concepts():
        if scheme and c.scheme != scheme:
            continue
        out.setdefault(c.scheme, []).append(
            ConceptPublic(
                iri=c.iri,
                scheme=c.scheme,
                key=c.key,
                label_en=c.label_en,
                label_de=c.label_de,
                alt_en=list(c.alt_en),
                alt_de=list(c.alt_de),
                definition=c.definition,
                broader=list(c.broader),
                notation=c.notation,
            )
        )
    return cached_json(request, TopicsPublic(schemes=out))


@router.post("/suggest", response_model=TopicSuggestions)
def suggest(state: StateDep, body: SuggestRequest) -> TopicSuggestions:
    """The technology topics a text is about, with the words that gave them away."""
    text = body.text
    found = state.suggester().suggest(text, body.k)  # checks the text (empty, lone surrogates)
    return TopicSuggestions(text=text, scheme="technology", topics=[TopicSuggestion.of(s) for s in found])
