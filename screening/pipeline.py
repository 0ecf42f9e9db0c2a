"""From an answer set to its assessment and referral: the one path every input takes (core).

`screening score` runs it for every record of every answers file; the tests and the case
store's checks run it too, so that what is exported is what was scored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.answers import AnswerSet, InvalidRecord, check_answer_set, not_applicable_problem
from screening.referral import ExportContext, Referral, build_referral
from screening.scoring import Assessment, assess

if TYPE_CHECKING:
    from screening.questionnaires import LoadedQuestionnaire


def score_one(
    answer_set: AnswerSet,
    loaded: LoadedQuestionnaire,
    *,
    redact: bool = False,
    language: str | None = None,
) -> tuple[Assessment, Referral]:
    """Check, score and build the referral of one answer set.

    Raises:
        InvalidRecord: the answers do not fit the questionnaire.
    """
    checked = check_answer_set(loaded.questionnaire, answer_set, applicability=False)
    assessment = assess(loaded.questionnaire, checked.answers, checked.indicators)
    if assessment.not_applicable:
        raise InvalidRecord([not_applicable_problem(qid) for qid in assessment.not_applicable])
    context = ExportContext(
        case_id=checked.case_id,
        language=language or checked.language,
        officer=checked.officer,
        sha256=loaded.sha256,
        redact=redact,
        notes=checked.notes,
    )
    return assessment, build_referral(assessment, context)
