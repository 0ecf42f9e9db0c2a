"""From an answer set to its assessment and referral: the one path every referral takes.

Every referral the program writes is built here (:func:`build`) and redacted here
(:func:`redact`): `screening score` for every record of every answers file
(:func:`score_one`), the interview when it is finished, and `screening cases export` for a
draft (a stored referral is only redacted). The tests and the case store's checks run it too,
so that what is exported is what was scored.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from screening.answers import AnswerSet, InvalidRecord, check_answer_set, not_applicable_problem
from screening.i18n import t, ui_language
from screening.referral import ExportContext, Referral, build_referral, redact_referral
from screening.scoring import Assessment, assess

if TYPE_CHECKING:
    from screening.questionnaires import LoadedQuestionnaire

__all__ = ["build", "redact", "score_one"]


def build(assessment: Assessment, context: ExportContext, *, draft: bool = False) -> Referral:
    """The referral of an assessment, validated by its model.

    Args:
        assessment: What was scored.
        context: Case id, language, officer, the questionnaire file's hash, notes, clock, ids;
            ``context.redact`` leaves out every answer marked pii and every note
            (:func:`redact`).
        draft: The interview was not finished: the rationale ends by saying so (before the
            sentence that reports a redaction).

    Returns:
        The referral.
    """
    referral = build_referral(assessment, dataclasses.replace(context, redact=False))
    if draft:
        document = referral.model_dump()
        sentence = t("casefile.draft", ui_language(referral.language))
        document["recommendation"]["rationale"] = [*referral.recommendation.rationale, sentence]
        referral = Referral.model_validate(document)
    return redact(referral) if context.redact else referral


def redact(referral: Referral, language: str | None = None) -> Referral:
    """A referral without the answers marked pii and without notes, saying so in its rationale
    (in ``language``, else the referral's own); redacting it again changes nothing."""
    return redact_referral(referral, language or referral.language)


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
    return assessment, build(assessment, context)
