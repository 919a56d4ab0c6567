"""The documents regiomatch answers with: one pydantic model per result.

``regiomatch <command> --json`` prints ``Model.model_dump(mode="json")`` of these
models, and the HTTP API returns the same models, so a command's JSON and the API's
response body are one document. The ``of`` class methods build a model from the
domain's frozen records (``graph.records``, ``matching``); domain code never builds
JSON itself.
"""

from __future__ import annotations

from service.schemas.graph import (
    BuildResult,
    CentrePublic,
    CentresPage,
    CompanyPublic,
    EngagementPublic,
    IndicatorPublic,
    LoadResult,
    RegionPublic,
    StoreStats,
    ValidationFailedResult,
    ValidationPassed,
    ViolationPublic,
)
from service.schemas.matching import (
    BatchError,
    BatchMatchLine,
    BatchTopicsLine,
    EvaluationReport,
    EvaluationTable,
    HeldOut,
    MatchPublic,
    MatchRequest,
    MatchResult,
    RankerScoresPublic,
    Reason,
    TopicEvaluation,
    TopicLevel,
    TopicSuggestion,
    TopicSuggestions,
    TrainingReport,
)

__all__ = [
    "MatchRequest",
    "Reason",
    "TopicLevel",
    "MatchPublic",
    "MatchResult",
    "BatchMatchLine",
    "BatchError",
    "TopicSuggestion",
    "TopicSuggestions",
    "BatchTopicsLine",
    "HeldOut",
    "TrainingReport",
    "RankerScoresPublic",
    "EvaluationTable",
    "TopicEvaluation",
    "EvaluationReport",
    "EngagementPublic",
    "CentrePublic",
    "CentresPage",
    "CompanyPublic",
    "RegionPublic",
    "IndicatorPublic",
    "BuildResult",
    "LoadResult",
    "ViolationPublic",
    "ValidationPassed",
    "ValidationFailedResult",
    "StoreStats",
]
