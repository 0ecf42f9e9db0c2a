"""Reading stored cases back: their questionnaire, live assessment and referral (core).

The ``screening cases`` commands are a veneer over these functions. Nothing here prints: what
the user should know (a questionnaire that changed since the interview, answers that no longer
fit it) comes back as warnings, in the officer's language (the messages are in
:mod:`screening.cases_messages`), which name cases, questionnaires and question ids, never
answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from screening.cases_messages import count_unit
from screening.errors import ScreeningError, UsageError
from screening.i18n import t, tn, ui_language
from screening.store import Case, CaseStatus, CaseStore, CaseSummary, JSONValue

if TYPE_CHECKING:
    from screening.questionnaires import LoadedQuestionnaire
    from screening.referral import Referral
    from screening.scoring import Assessment

__all__ = [
    "DURATION_FORMS",
    "AnswerRow",
    "CaseExport",
    "LiveCase",
    "answer_rows",
    "case_document",
    "describe_duration",
    "draft_referral",
    "export_case",
    "is_pii",
    "live_case",
    "parse_duration",
    "purge_candidates",
    "stamp",
    "stored_referral",
    "summary_document",
    "with_audit_head",
]


DURATION_FORMS: Final = (
    "a whole number and a unit: 36h (hours), 90d (days), 12w (weeks), 6m (months of 30 days) "
    "or 1y (years of 365 days)"
)
"""The forms :func:`parse_duration` accepts, for help texts and messages."""

_DURATION: Final = re.compile(r"\s*(\d{1,9})\s*([hdwmy])\s*", re.IGNORECASE)
_UNIT_HOURS: Final = {"h": 1, "d": 24, "w": 7 * 24, "m": 30 * 24, "y": 365 * 24}
_LONGEST_HOURS: Final = 100 * 365 * 24


def parse_duration(text: str) -> timedelta:
    """Read a retention period such as ``90d``.

    Args:
        text: A whole number and a unit: ``h`` hours, ``d`` days, ``w`` weeks, ``m`` months of
            30 days, ``y`` years of 365 days (``36h``, ``90d``, ``12w``, ``6m``, ``1y``).

    Returns:
        The period.

    Raises:
        ValueError: Not one of the forms, zero, or longer than 100 years; the message shows
            the forms.
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration; use {DURATION_FORMS}")
    number, unit = int(match[1]), match[2].lower()
    if number == 0:
        raise ValueError(f"{text!r} is zero; use {DURATION_FORMS}")
    hours = number * _UNIT_HOURS[unit]
    if hours > _LONGEST_HOURS:
        raise ValueError(f"{text!r} is longer than 100 years; use {DURATION_FORMS}")
    period = timedelta(hours=hours)
    return period


def describe_duration(period: timedelta, language: str = "en") -> str:
    """A period in words for messages: ``2 years``, ``90 days``, ``36 hours``.

    Args:
        period: A whole number of hours.
        language: The language of the words (English when it has no translation).
    """
    ui = ui_language(language)
    hours = int(period.total_seconds() // 3600)
    if hours % 24:
        return count_unit(hours, "hour", ui)
    days = hours // 24
    if days % 365 == 0:
        return count_unit(days // 365, "year", ui)
    return count_unit(days, "day", ui)


def purge_candidates(
    summaries: Sequence[CaseSummary], older_than: timedelta, now: datetime
) -> list[CaseSummary]:
    """The cases :meth:`CaseStore.purge` deletes for the same ``older_than`` and ``now``.

    Args:
        summaries: The store's cases.
        older_than: The retention period.
        now: The time the purge is run at (timezone-aware).

    Returns:
        The cases last updated before ``now - older_than``, sorted by id as ``purge`` does.
    """
    cutoff = now - older_than
    return sorted((s for s in summaries if s.updated_at < cutoff), key=lambda s: s.id)


def stamp(moment: datetime | None) -> str | None:
    """A time as RFC 3339 in UTC (``2026-11-29T09:00:02.000000Z``), the referral's form."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def summary_document(summary: CaseSummary) -> dict[str, JSONValue]:
    """One case of ``cases list --format json``: metadata and counts, no answer content."""
    return {
        "id": summary.id,
        "status": summary.status.value,
        "questionnaire_id": summary.questionnaire_id,
        "questionnaire_version": summary.questionnaire_version,
        "created_at": stamp(summary.created_at),
        "updated_at": stamp(summary.updated_at),
        "answers": summary.answers,
        "officer": summary.officer,
    }


@dataclass(frozen=True)
class LiveCase:
    """A stored case scored against its questionnaire as it is now.

    Attributes:
        case: The case as stored.
        loaded: The questionnaire the case was scored with.
        assessment: The outcome of the current answers.
        unfit: Ids of answered questions left out of the scoring: the questionnaire no longer
            has the question, or the answer no longer fits it.
        warnings: Sentences for the user about the above and a changed questionnaire.
    """

    case: Case
    loaded: LoadedQuestionnaire
    assessment: Assessment
    unfit: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def questionnaire_changed(self) -> bool:
        """The questionnaire file differs from the one the case was started with."""
        return self.loaded.sha256 != self.case.questionnaire_sha256


def _looks_like_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml", ".json"))


def _case_ref(case: Case) -> str:
    """How to find the questionnaire a case was screened with: a bundled id with the case's
    version (a case started on 1.0.0 stays on 1.0.0 when 2.0.0 is bundled), else its id."""
    from screening.questionnaires import is_bundled

    if is_bundled(case.questionnaire_id, case.questionnaire_version):
        return f"{case.questionnaire_id}@{case.questionnaire_version}"
    return case.questionnaire_id


def _questionnaire(case: Case, ref: str | None) -> LoadedQuestionnaire:
    from screening.questionnaires import resolve

    if ref is not None:
        loaded = resolve(ref)
        if loaded.questionnaire.id != case.questionnaire_id and not _looks_like_path(
            case.questionnaire_id
        ):
            raise ScreeningError(
                f"--questionnaire {ref} is the questionnaire '{loaded.questionnaire.id}', but "
                f"case {case.id} was screened with '{case.questionnaire_id}'",
                hint=f"Give the file of questionnaire '{case.questionnaire_id}'.",
            )
        return loaded
    try:
        return resolve(_case_ref(case))
    except UsageError:
        # Not the user's typing but the stored data: exit 1, and say how to point at the file.
        raise ScreeningError(
            f"case {case.id} was screened with the questionnaire '{case.questionnaire_id}', "
            "which is neither a bundled questionnaire nor a file here",
            hint="Give its file with --questionnaire PATH.",
        ) from None


def live_case(case: Case, *, questionnaire: str | None = None, language: str = "en") -> LiveCase:
    """Score a stored case's current answers against its questionnaire.

    Answers to questions that no longer apply (the officer changed an earlier answer) stay
    out of the scoring, as in the interview. Answers that no longer fit the questionnaire (a
    question removed, a choice renamed) are left out and reported.

    Args:
        case: The stored case.
        questionnaire: A questionnaire file or bundled id to use instead of the case's own
            ``questionnaire_id`` (which is found as a bundled id or a path).
        language: The language of the warnings (the officer's; English when it has no
            translation).

    Returns:
        The case with its questionnaire, assessment and warnings.

    Raises:
        ScreeningError: The questionnaire cannot be found, or is another one.
        QuestionnaireError: The questionnaire file is invalid.
    """
    from screening.answers import normalize_value
    from screening.scoring import assess

    ui = ui_language(language)
    loaded = _questionnaire(case, questionnaire)
    q = loaded.questionnaire
    warnings: list[str] = []
    if loaded.sha256 != case.questionnaire_sha256:
        version = (
            t("cases.warn.version_changed", ui, old=case.questionnaire_version, new=q.version)
            if case.questionnaire_version != q.version
            else t("cases.warn.version", ui, version=q.version)
        )
        warnings.append(
            t(
                "cases.warn.changed",
                ui,
                questionnaire=q.id,
                path=loaded.path,
                case_id=case.id,
                version=version,
                old=case.questionnaire_sha256[:12],
                new=loaded.sha256[:12],
            )
        )
    answers: dict[str, Any] = {}
    unfit: list[str] = []
    for qid, value in case.answers.items():
        question = q.question(qid)
        if question is None:
            unfit.append(qid)
            continue
        stored, problem = normalize_value(question, value)
        if problem:
            unfit.append(qid)
        else:
            answers[qid] = stored
    if unfit:
        warnings.append(
            t("cases.warn.unfit", ui, count=len(unfit), case_id=case.id, ids=", ".join(unfit))
        )
    return LiveCase(
        case=case,
        loaded=loaded,
        assessment=assess(q, answers),
        unfit=tuple(unfit),
        warnings=tuple(warnings),
    )


def draft_referral(
    live: LiveCase,
    *,
    audit_head: str,
    clock: Callable[[], datetime] | None = None,
) -> Referral:
    """Build the referral of a draft from its current answers, as ``score`` would.

    The rationale ends by saying that the interview was not finished (and, when questions are
    unanswered, that the screening is incomplete).

    Args:
        live: The scored case.
        audit_head: The store's audit head, carried by the document.
        clock: The time of the document; now when omitted.

    Returns:
        The referral, validated by its model.
    """
    from screening.pipeline import build
    from screening.referral import ExportContext

    case = live.case
    context = ExportContext(
        case_id=case.id,
        language=case.language,
        officer=case.officer,
        sha256=live.loaded.sha256,
        notes={qid: list(texts) for qid, texts in case.notes.items()},
        audit_head=audit_head,
    )
    if clock is not None:
        context.clock = clock
    return build(live.assessment, context, draft=True)


def stored_referral(case: Case) -> Referral:
    """The referral document stored when the case was completed, validated by its model.

    Raises:
        ScreeningError: The case is a draft, or its stored document is not a valid referral
            (the message names where, never a value).
    """
    from pydantic import ValidationError

    from screening.referral import Referral

    if case.referral_json is None:
        raise ScreeningError(f"case {case.id} has no stored referral")
    try:
        return Referral.model_validate_json(case.referral_json)
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_input=False, include_context=False)
        where = ".".join(str(part) for part in problems[0]["loc"]) if problems else "?"
        raise ScreeningError(
            f"the referral stored with case {case.id} is not a valid referral document "
            f"({tn('count.problems', len(problems), 'en')}, the first at '{where}')",
            hint="It may have been written by another version of screening; the case is unchanged.",
        ) from None


@dataclass(frozen=True)
class CaseExport:
    """A referral ready to be written.

    Attributes:
        document: The JSON text, ending with a newline.
        referral: The same document as a model.
        warnings: Sentences for the user (a changed questionnaire, answers left out).
    """

    document: str
    referral: Referral
    warnings: tuple[str, ...] = ()


def export_case(
    store: CaseStore,
    case: Case,
    *,
    redact: bool = False,
    questionnaire: str | None = None,
    clock: Callable[[], datetime] | None = None,
    language: str = "en",
) -> CaseExport:
    """The referral of a case: the stored one when complete, else built from the answers.

    A complete case's document is returned byte for byte unless it is redacted; it needs no
    questionnaire. A draft's is built from its current answers (see :func:`draft_referral`).

    Args:
        store: The store holding the case (for the audit head of a draft's document).
        case: The case.
        redact: Leave out every answer marked pii and say so in the document.
        questionnaire: For a draft, a questionnaire to use instead of the case's own.
        clock: For a draft, the time of the document.
        language: The language of the warnings (the officer's, not the document's).

    Returns:
        The export.

    Raises:
        ScreeningError: The questionnaire cannot be found, or the stored document is invalid.
    """
    from screening import pipeline
    from screening.referral import to_json

    warnings: tuple[str, ...] = ()
    if case.status is CaseStatus.COMPLETE:
        referral = stored_referral(case)
        if not redact:
            text = case.referral_json or ""
            return CaseExport(text if text.endswith("\n") else text + "\n", referral)
    else:
        live = live_case(case, questionnaire=questionnaire, language=language)
        warnings = live.warnings
        referral = draft_referral(live, audit_head=store.audit_head(), clock=clock)
    if redact:
        referral = pipeline.redact(referral)
    return CaseExport(to_json(referral) + "\n", referral, warnings)


def with_audit_head(export: CaseExport, audit_head: str) -> CaseExport:
    """The same export carrying another audit head: the store's head when it is written.

    An export made from the store carries the head at the moment it left (after its own
    ``case_exported`` event), so that ``screening cases verify --expected-head`` checks the log
    against the latest export, not against the head of the day the case was completed. Every
    other byte of a stored referral is kept.
    """
    from screening.referral import to_json

    if export.referral.audit_head == audit_head:
        return export
    updated = export.referral.model_copy(update={"audit_head": audit_head})
    return CaseExport(to_json(updated) + "\n", updated, export.warnings)


@dataclass(frozen=True)
class AnswerRow:
    """One current answer of a case, as ``cases show`` lists it.

    Attributes:
        question_id: The question.
        value: The answer as stored.
        pii: The question is marked pii (true, to be safe, for a question the questionnaire
            no longer has).
        applies: The answer counts in the outcome; false when its question no longer applies
            or the answer no longer fits the questionnaire.
        unfit: The answer no longer fits the questionnaire.
    """

    question_id: str
    value: JSONValue
    pii: bool
    applies: bool
    unfit: bool


def is_pii(live: LiveCase, question_id: str) -> bool:
    """Whether answers and notes on a question are personal data.

    True for a question marked ``pii``, and, to be safe, for one the questionnaire no longer
    has.
    """
    question = live.loaded.questionnaire.question(question_id)
    return question is None or bool(getattr(question, "pii", False))


def answer_rows(live: LiveCase) -> list[AnswerRow]:
    """The case's current answers in questionnaire order; unknown questions come last."""
    case, q = live.case, live.loaded.questionnaire
    order = {qid: index for index, qid in enumerate(q.questions())}
    ids = sorted(case.answers, key=lambda qid: order.get(qid, len(order)))
    rows: list[AnswerRow] = []
    for qid in ids:
        rows.append(
            AnswerRow(
                question_id=qid,
                value=case.answers[qid],
                pii=is_pii(live, qid),
                applies=qid in live.assessment.answers,
                unfit=qid in live.unfit,
            )
        )
    return rows


def case_document(live: LiveCase) -> dict[str, JSONValue]:
    """``cases show --format json``: the case, its answers, notes, flags and live outcome.

    Answers are listed as by :func:`answer_rows`.
    """
    case, assessment = live.case, live.assessment
    answers: list[JSONValue] = [
        {"question_id": r.question_id, "value": r.value, "pii": r.pii, "applies": r.applies}
        for r in answer_rows(live)
    ]
    return {
        "id": case.id,
        "status": case.status.value,
        "questionnaire": {
            "id": case.questionnaire_id,
            "version": case.questionnaire_version,
            "sha256": case.questionnaire_sha256,
            "current_sha256": live.loaded.sha256,
            "changed": live.questionnaire_changed,
        },
        "language": case.language,
        "ui_language": case.ui_language,
        "officer": case.officer,
        "created_at": stamp(case.created_at),
        "updated_at": stamp(case.updated_at),
        "completed_at": stamp(case.completed_at),
        "exported_at": stamp(case.exported_at),
        "answers": answers,
        "notes": {qid: list(texts) for qid, texts in case.notes.items()},
        "acknowledged_flags": [*sorted(case.acknowledged_flags)],
        "meta": dict(case.meta),
        "outcome": {
            "code": assessment.outcome.code,
            "category": assessment.outcome.category,
            "refer": assessment.outcome.refer,
            "urgent": assessment.urgent,
            "child": assessment.child,
            "complete": assessment.complete,
            "flags": list(assessment.flags),
            "indicators": [
                {
                    "id": o.indicator.id,
                    "dimension": o.indicator.dimension,
                    "strength": o.indicator.strength.value,
                    "evidence": list(o.evidence),
                }
                for o in assessment.indicators
            ],
            "dimensions": [
                {
                    "id": d.dimension.id,
                    "positive": d.positive,
                    "strong": d.strong,
                    "medium": d.medium,
                    "weak": d.weak,
                }
                for d in assessment.dimensions
            ],
            "gaps": [{"question_id": g.question_id, "reason": g.reason} for g in assessment.gaps],
        },
    }
