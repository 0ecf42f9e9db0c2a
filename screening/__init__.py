"""screening: first-responder screening for human trafficking.

The names in ``__all__`` are the public, stable Python API (docs/api.md); they are imported on
first use, so that ``import screening`` (and ``screening --help``) stays fast. Everything else
is internal.

Example:
    >>> import screening
    >>> referral = screening.score({"answers": {"age": 15}})
    >>> referral.recommendation.urgent
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
"""The package's version (semantic versioning; docs/api.md#compatibility)."""

if TYPE_CHECKING:
    from screening.api import (
        Scored,
        assess_answers,
        load_questionnaire,
        redact,
        score,
        score_stream,
        to_json,
        validate_referral,
    )
    from screening.errors import (
        AnswersError,
        ExitStatus,
        Problem,
        QuestionnaireError,
        ReferralError,
        ScreeningError,
        UsageError,
    )
    from screening.model import (
        Dimension,
        Flag,
        Indicator,
        Outcome,
        Question,
        Questionnaire,
        Section,
    )
    from screening.questionnaires import LoadedQuestionnaire
    from screening.referral import SCHEMA_VERSION as REFERRAL_SCHEMA_VERSION
    from screening.referral import Referral
    from screening.schemas import questionnaire_schema, referral_schema
    from screening.scoring import Assessment

_EXPORTS: dict[str, tuple[str, str]] = {
    # functions
    "load_questionnaire": ("screening.api", "load_questionnaire"),
    "score": ("screening.api", "score"),
    "assess_answers": ("screening.api", "assess_answers"),
    "score_stream": ("screening.api", "score_stream"),
    "Scored": ("screening.api", "Scored"),
    "redact": ("screening.api", "redact"),
    "to_json": ("screening.api", "to_json"),
    "validate_referral": ("screening.api", "validate_referral"),
    "questionnaire_schema": ("screening.schemas", "questionnaire_schema"),
    "referral_schema": ("screening.schemas", "referral_schema"),
    # models
    "LoadedQuestionnaire": ("screening.questionnaires", "LoadedQuestionnaire"),
    "Questionnaire": ("screening.model", "Questionnaire"),
    "Section": ("screening.model", "Section"),
    "Question": ("screening.model", "Question"),
    "Dimension": ("screening.model", "Dimension"),
    "Indicator": ("screening.model", "Indicator"),
    "Flag": ("screening.model", "Flag"),
    "Outcome": ("screening.model", "Outcome"),
    "Assessment": ("screening.scoring", "Assessment"),
    "Referral": ("screening.referral", "Referral"),
    "REFERRAL_SCHEMA_VERSION": ("screening.referral", "SCHEMA_VERSION"),
    # errors
    "ScreeningError": ("screening.errors", "ScreeningError"),
    "UsageError": ("screening.errors", "UsageError"),
    "QuestionnaireError": ("screening.errors", "QuestionnaireError"),
    "AnswersError": ("screening.errors", "AnswersError"),
    "ReferralError": ("screening.errors", "ReferralError"),
    "Problem": ("screening.errors", "Problem"),
    "ExitStatus": ("screening.errors", "ExitStatus"),
}

__all__ = [
    "QUESTIONNAIRE_FORMAT_VERSION",
    "REFERRAL_SCHEMA_VERSION",
    "AnswersError",
    "Assessment",
    "Dimension",
    "ExitStatus",
    "Flag",
    "Indicator",
    "LoadedQuestionnaire",
    "Outcome",
    "Problem",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Referral",
    "ReferralError",
    "Scored",
    "ScreeningError",
    "Section",
    "UsageError",
    "__version__",
    "assess_answers",
    "load_questionnaire",
    "questionnaire_schema",
    "redact",
    "referral_schema",
    "score",
    "score_stream",
    "to_json",
    "validate_referral",
]

QUESTIONNAIRE_FORMAT_VERSION = "2.1.0"
"""The version of the questionnaire format this release reads (docs/questionnaire-format.md)."""


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'screening' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
