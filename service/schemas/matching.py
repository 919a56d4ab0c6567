"""Result models of matching: ``match``, ``topics suggest``, ``train``, ``evaluate``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from service.schemas._base import Model as _Model

if TYPE_CHECKING:
    from matching.evaluate import EvalReport, RankerScores, TopicEvalReport
    from matching.learn import TrainingResult
    from matching.query import Match, MatchQuery
    from matching.topics import TopicSuggestion as Suggestion

__all__ = [
    "MatchRequest", "Reason", "TopicLevel", "MatchPublic", "MatchResult", "BatchMatchLine", "BatchError",
    "TopicSuggestion", "TopicSuggestions", "BatchTopicsLine", "HeldOut", "TrainingReport",
    "RankerScoresPublic", "EvaluationTable", "TopicEvaluation", "EvaluationReport",
]


# --------------------------------------------------------------------------- match


class MatchRequest(_Model):
    """A need to match: free text (German or English), where the SME is, its NACE code, topics it named."""

    id: str | None = Field(None, description="echoed back with the result")
    text: str = ""
    municipality: str | None = Field(None, description="AGS: 8-digit municipality or 5-digit district")
    sector: str | None = Field(None, description="NACE section (C), division (25) or both (C25)")
    topics: list[str] = Field(default_factory=list, description="technology or service keys or labels")

    @classmethod
    def of(cls, q: MatchQuery) -> MatchRequest:
        return cls(text=q.text, municipality=q.municipality, sector=q.sector, topics=list(q.topics), id=q.id)


class Reason(_Model):
    """One factor's share of a match's score, in words."""

    factor: str
    contribution: float
    text: str
    weak: bool = Field(False, description="a topic or service the need was only guessed to be about: "
                       "no label in its text, no ticked topic and no sure classification")


class TopicLevel(_Model):
    iri: str
    label: str
    level: int


class MatchPublic(_Model):
    """A ranked centre: who it is, where, how far, its score and the reasons for it."""

    id: str
    iri: str
    name: str
    type: str
    scope: str | None
    municipality: str | None
    location: str | None
    district: str | None
    distance_km: float | None
    score: float
    topics: list[TopicLevel]
    reasons: list[Reason]

    @classmethod
    def of(cls, m: Match) -> MatchPublic:
        c = m.centre
        return cls(
            id=c.id, iri=c.iri, name=c.name, type=c.centre_type, scope=c.scope,
            municipality=c.municipality_ags, location=c.municipality_name or c.country,
            district=c.district_name, distance_km=m.distance_km, score=m.score,
            topics=[TopicLevel(iri=e.concept, label=e.label_en, level=e.level) for e in c.topics],
            reasons=[Reason(factor=r.factor, contribution=r.contribution, text=r.text,
                            weak=bool((r.parts or {}).get("weak", False))) for r in m.reasons],
        )


class MatchResult(_Model):
    """``regiomatch match --json``: the query as understood, the weights used, the ranked centres."""

    query: MatchRequest
    weights: dict[str, float]
    matches: list[MatchPublic]


class BatchMatchLine(_Model):
    """One line of ``match --batch`` output: the input line number, its id, its matches."""

    line: int
    id: Any = None  # echoed as the input line gave it
    matches: list[MatchPublic]


class BatchError(_Model):
    """One line of batch output for an input line that failed."""

    line: int
    id: Any = None
    error: str


# --------------------------------------------------------------------------- topics


class TopicSuggestion(_Model):
    """A suggested concept with its score, the words of the text that gave it away, the
    definition phrase the text resembles, and whether the evidence is weak (neither)."""

    iri: str
    key: str
    label_en: str
    label_de: str
    score: float
    evidence: list[str]
    resembles: str = Field("", description="the concept definition's phrase the text is closest to, if confident")
    weak: bool = Field(False, description="no label found and no confident definition link: a guess")

    @classmethod
    def of(cls, s: Suggestion) -> TopicSuggestion:
        return cls(iri=s.iri, key=s.key, label_en=s.label_en, label_de=s.label_de, score=s.score,
                   evidence=list(s.evidence), resembles=s.resembles, weak=s.weak)


class TopicSuggestions(_Model):
    """``regiomatch topics suggest --json``."""

    text: str | None
    scheme: str
    topics: list[TopicSuggestion]


class BatchTopicsLine(_Model):
    line: int
    id: Any = None
    topics: list[TopicSuggestion]


# --------------------------------------------------------------------------- train


class HeldOut(_Model):
    metric: str
    folds: int
    learned: float
    current: float


class TrainingReport(_Model):
    """``regiomatch train --json``: the saved weights, the ones they replace, how both scored."""

    weights: dict[str, float]
    previous: dict[str, float]
    held_out: HeldOut
    outcomes: int
    path: str

    @classmethod
    def of(cls, r: TrainingResult) -> TrainingReport:
        c = r.comparison
        return cls(weights=c.learned, previous=c.current, held_out=HeldOut(**c.held_out()),
                   outcomes=r.outcomes, path=str(r.path))


# --------------------------------------------------------------------------- evaluate


class RankerScoresPublic(_Model):
    ndcg: float
    mrr: float
    recall: float
    queries: int
    ms_per_query: float
    ndcg_by_lang: dict[str, float]
    ndcg_paraphrase: float | None = Field(
        default=None, description="mean nDCG@k over the needs marked as paraphrased (null: none marked)")

    @classmethod
    def of(cls, r: RankerScores) -> RankerScoresPublic:
        return cls(ndcg=round(r.ndcg, 4), mrr=round(r.mrr, 4), recall=round(r.recall, 4), queries=r.n_queries,
                   ms_per_query=round(r.ms_per_query, 2),
                   ndcg_by_lang={k: round(v, 4) for k, v in r.by_lang.items()},
                   ndcg_paraphrase=None if r.paraphrase is None else round(r.paraphrase, 4))


class EvaluationTable(_Model):
    k: int
    queries: int
    skipped: int
    rankers: dict[str, RankerScoresPublic]
    not_applicable: dict[str, str]

    @classmethod
    def of(cls, r: EvalReport) -> EvaluationTable:
        return cls(k=r.k, queries=r.n_queries, skipped=r.n_skipped,
                   rankers={name: RankerScoresPublic.of(s) for name, s in r.rankers.items()},
                   not_applicable=dict(r.not_applicable))


class _Scores(_Model):
    ndcg: float
    recall: float


class TopicEvaluation(_Model):
    k: int
    hubs: int
    suggester: _Scores
    most_frequent: _Scores

    @classmethod
    def of(cls, r: TopicEvalReport) -> TopicEvaluation:
        return cls(
            k=r.k, hubs=r.n_hubs,
            suggester=_Scores(ndcg=round(r.suggester_ndcg, 4), recall=round(r.suggester_recall, 4)),
            most_frequent=_Scores(ndcg=round(r.baseline_ndcg, 4), recall=round(r.baseline_recall, 4)),
        )


class EvaluationReport(_Model):
    """``regiomatch evaluate --json``: centres judged against, the rankers' scores, the setting."""

    centres: int
    report: EvaluationTable
    topics: TopicEvaluation | None = None
    setting: str
