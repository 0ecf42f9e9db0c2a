"""The referral export, a public contract (core: pure).

The models below are the JSON document case systems take in; ``screening schema referral``
publishes their JSON Schema. Field names and outcome codes change only with a new
``schema_version`` and a CHANGELOG entry.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StrictFloat,
    StrictInt,
    StrictStr,
    with_config,
)

from screening import __version__
from screening.evaluate import is_special
from screening.i18n import t, tn, ui_language
from screening.model import Questionnaire, text_for
from screening.scoring import Assessment

if sys.version_info >= (3, 12):
    from typing import TypedDict
else:  # pydantic takes a TypedDict from typing_extensions only, before 3.12
    from typing_extensions import TypedDict

SCHEMA_VERSION: Literal["1.0"] = "1.0"

UtcTime = Annotated[
    datetime,
    PlainSerializer(
        lambda value: value.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        return_type=str,
        when_used="json",
    ),
    Field(description="RFC 3339 time in UTC.", json_schema_extra={"format": "date-time"}),
]

AnswerValue = Annotated[
    StrictStr | StrictInt | StrictFloat | Annotated[list[StrictStr], Strict()],
    Field(union_mode="left_to_right"),  # exact types, tried in order: the first that fits wins
]
ConsentStatus = Literal["granted", "declined", "not_asked", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class QuestionnaireRef(_Model):
    """Which questionnaire, exactly, produced the referral."""

    id: str
    version: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file's bytes.")


class Generator(_Model):
    """The program that wrote the document."""

    name: Literal["screening"] = "screening"
    version: str


class Consent(_Model):
    """Consent as recorded in the interview."""

    referral: ConsentStatus = "not_asked"
    support: ConsentStatus = "not_asked"
    data_sharing: ConsentStatus = "not_asked"
    explained_by: str | None = None
    language: str | None = Field(None, description="The language consent was explained in.")
    child_override: bool = Field(
        False, description="True for a child: referral does not depend on consent."
    )


# The repeated parts of the document are typed dicts, not models: they are validated the same
# way (extra keys refused), and validating one costs about half as much as building a model.


@with_config(ConfigDict(extra="forbid"))
class ExportedAnswer(TypedDict):
    """One answer. Special answers are explicit values: "dont_know" or "declined"."""

    question_id: str
    value: AnswerValue
    status: Literal["answered", "dont_know", "declined"]
    pii: NotRequired[Annotated[bool, Field(json_schema_extra={"default": False})]]
    notes: NotRequired[list[str]]


@with_config(ConfigDict(extra="forbid"))
class ExportedIndicator(TypedDict):
    """An observed indicator with the evidence behind it."""

    id: str
    title: str
    dimension: str
    phase: str
    strength: Literal["strong", "medium", "weak"]
    evidence: Annotated[list[str], Field(description='Question ids, or "checklist".')]


@with_config(ConfigDict(extra="forbid"))
class ExportedDimension(TypedDict):
    """Counts of observed indicators by strength, and whether the dimension is positive."""

    id: str
    positive: bool
    strong: Annotated[int, Field(ge=0)]
    medium: Annotated[int, Field(ge=0)]
    weak: Annotated[int, Field(ge=0)]


@with_config(ConfigDict(extra="forbid"))
class ExportedFlag(TypedDict):
    """A raised urgent flag and what to do."""

    id: str
    title: str
    action: str


@with_config(ConfigDict(extra="forbid"))
class Gap(TypedDict):
    """A question that applies but has no usable answer."""

    question_id: str
    reason: Literal["unanswered", "dont_know", "declined"]


class Recommendation(_Model):
    """What the first responder should do, and why."""

    outcome: str
    title: str
    urgent: bool
    action: str
    category: str
    referral_target: str | None = None
    refer: bool
    rationale: list[str]
    threshold: str | None = None


@with_config(ConfigDict(extra="forbid"))
class ExportedNote(TypedDict):
    """The officer's notes on a question that has no answer in the document."""

    question_id: str
    notes: list[str]


class Redaction(_Model):
    """Whether personal data was left out: which answers, and how many notes.

    Notes are free text and may name anyone, so ``--redact`` leaves every note out.
    """

    redacted: bool = False
    removed_questions: list[str] = Field(default_factory=list)
    removed_notes: int = Field(0, ge=0)


class Referral(_Model):
    """A referral recommendation, as exported to a referral or case-management system."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    referral_id: str
    case_id: str
    created_at: UtcTime
    questionnaire: QuestionnaireRef
    generator: Generator
    language: str
    language_status: Literal["draft", "reviewed"] | None = Field(
        None,
        description="The review status the questionnaire declares for its text in `language`: "
        "`draft` (a translation not yet reviewed) or `reviewed`; null when the language is not "
        "one the questionnaire declares, and in documents written before it was recorded.",
    )
    officer: str | None = None
    consent: Consent
    child: bool = Field(description="Treated as a child (under 18 or age disputed).")
    complete: bool = Field(description="Every question that applies has a usable answer.")
    gaps: list[Gap]
    answers: list[ExportedAnswer]
    other_notes: list[ExportedNote] = Field(
        default_factory=list,
        description="Notes on questions without an answer here (unanswered, not applying, or notes).",
    )
    redaction: Redaction
    indicators: list[ExportedIndicator]
    dimensions: list[ExportedDimension]
    flags: list[ExportedFlag]
    recommendation: Recommendation
    audit_head: str | None = Field(
        None, description="Head of the case store's audit chain when the referral was written."
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class ExportContext:
    """What a referral needs besides the assessment; clock and ids are injectable.

    ``redact`` leaves out every answer marked pii and every note; the one redaction is
    :func:`redact_referral`, applied to the document once it is built.
    """

    case_id: str | None = None
    language: str | None = None
    officer: str | None = None
    sha256: str = "0" * 64
    redact: bool = False
    notes: dict[str, list[str]] = field(default_factory=dict)
    audit_head: str | None = None
    clock: Callable[[], datetime] = _now
    new_id: Callable[[], str] = _new_id


CONSENT_VALUES: dict[Any, ConsentStatus] = {
    "granted": "granted",
    "refused": "declined",
    "declined": "declined",  # the person declined to answer: no consent was given
    "not_asked": "not_asked",
}
"""Answers to a consent question, as the export's consent status (anything else: unknown)."""


def _consent(q: Questionnaire, assessment: Assessment, language: str) -> dict[str, Any]:
    values: dict[str, Any] = {"language": language, "child_override": assessment.child}
    spec = q.consent
    if spec is not None:
        for name in ("referral", "support", "data_sharing"):
            qid = getattr(spec, name)
            if qid is None:
                continue
            # Unanswered, the consent is not known: "not_asked" is for an officer who says so.
            values[name] = CONSENT_VALUES.get(assessment.answers.get(qid), "unknown")
        source = q.question(spec.explained_by) if spec.explained_by is not None else None
        if source is not None:
            explained = assessment.answers.get(source.id)
            if isinstance(explained, str) and not is_special(explained):
                values["explained_by"] = explained
    return values  # validated with the whole referral


_OLD_REDACTION_SENTENCES = (
    "Personal data was removed from this document ({count} answer(s), {notes} note(s)).",
    "حُذفت البيانات الشخصية من هذه الوثيقة (عدد الإجابات: {count}، وعدد الملاحظات: {notes}).",
)
"""The redaction sentence as earlier versions wrote it, recognised when redacting again."""


def redaction_sentence(language: str, answers: int, notes: int) -> str:
    """The rationale's last sentence when personal data was removed: how many answers, notes."""
    return t(
        "rationale.redacted",
        language,
        answers=tn("rationale.redacted.answers", answers, language),
        notes=tn("rationale.redacted.notes", notes, language),
    )


def rationale(assessment: Assessment, language: str) -> list[str]:
    """The sentences that say why the outcome is what it is, in ``language``."""
    q = assessment.questionnaire
    lang = ui_language(language)
    out: list[str] = []
    for flag_id in assessment.flags:
        flag = q.flag(flag_id)
        if flag is not None:
            out.append(t("rationale.urgent", lang, title=text_for(flag.title, language)))
    out.append(t("rationale.outcome", lang, title=text_for(assessment.outcome.title, language)))
    if assessment.child:
        out.append(t("rationale.child", lang))
    positive = [d for d in assessment.dimensions if d.positive]
    for d in positive:
        out.append(
            t(
                "rationale.dimension_positive",
                lang,
                dimension=text_for(d.dimension.title, language),
                strong=d.strong,
                medium=d.medium,
                weak=d.weak,
                count=d.strong + d.medium + d.weak,
            )
        )
    if assessment.indicators:
        if not positive:
            out.append(t("rationale.no_dimension", lang))
        out.append(t("rationale.indicators", lang, count=len(assessment.indicators)))
        ticked = sum(1 for o in assessment.indicators if "checklist" in o.evidence)
        if ticked:
            out.append(t("rationale.checklist", lang, count=ticked))
    else:
        out.append(t("rationale.no_indicators", lang))
    if not assessment.complete:
        reasons = [g.reason for g in assessment.gaps]
        out.append(
            t(
                "rationale.incomplete",
                lang,
                unanswered=reasons.count("unanswered"),
                dont_know=reasons.count("dont_know"),
                declined=reasons.count("declined"),
            )
        )
    return out


def _phase(q: Questionnaire, dimension_id: str) -> str:
    dimension = q.dimension(dimension_id)
    return dimension.phase if dimension is not None else "other"


def _indicator_parts(language: str) -> Callable[[Questionnaire], dict[str, dict[str, str]]]:
    """Each indicator's exported fields but its evidence, in ``language``, by indicator id."""

    def build(q: Questionnaire) -> dict[str, dict[str, str]]:
        return {
            i.id: {
                "id": i.id,
                "title": text_for(i.title, language),
                "dimension": i.dimension,
                "phase": _phase(q, i.dimension),
                "strength": i.strength.value,
            }
            for i in q.indicators
        }

    return build


def _language_status(q: Questionnaire, language: str) -> str | None:
    """The declared review status of a language of the questionnaire (``reviewed`` unless said);
    None for a language it does not declare."""
    declared = q.language(language)
    return None if declared is None else declared.status


def build_referral(assessment: Assessment, context: ExportContext) -> Referral:
    """Build the export document of an assessment.

    Args:
        assessment: The scored answers.
        context: Case id, language, officer, the questionnaire file's hash, redaction, clock.

    Returns:
        The referral, validated by its model; with ``context.redact``, as
        :func:`redact_referral` leaves it.
    """
    referral = _full_referral(assessment, context)
    return redact_referral(referral, referral.language) if context.redact else referral


def _full_referral(assessment: Assessment, context: ExportContext) -> Referral:
    """The referral with every answer and note (``context.redact`` is not read here)."""
    q = assessment.questionnaire
    language = context.language or q.default_language
    answers: list[dict[str, Any]] = []
    pii_of = q.pii_marks()  # every answerable question: whether it identifies a person
    notes = context.notes
    exported: set[str] = set()
    for qid, value in assessment.answers.items():
        pii = pii_of.get(qid)
        if pii is None:  # a note, or no such question
            continue
        exported.add(qid)
        texts = notes.get(qid)
        answers.append(
            {
                "question_id": qid,
                "value": value,
                "status": value if is_special(value) else "answered",
                "pii": pii,
                "notes": list(texts) if texts else [],
            }
        )
    other_notes = [
        {"question_id": qid, "notes": list(texts)}
        for qid, texts in notes.items()
        if texts and qid not in exported
    ]
    described = q.derived(("referral.indicators", language), _indicator_parts(language))
    indicators = [
        {**described[o.indicator.id], "evidence": list(o.evidence)} for o in assessment.indicators
    ]
    dimensions = [
        {
            "id": d.dimension.id,
            "positive": d.positive,
            "strong": d.strong,
            "medium": d.medium,
            "weak": d.weak,
        }
        for d in assessment.dimensions
    ]
    flags = [
        {
            "id": flag.id,
            "title": text_for(flag.title, language),
            "action": text_for(flag.action, language),
        }
        for flag in (q.flag(flag_id) for flag_id in assessment.flags)
        if flag is not None
    ]
    outcome = assessment.outcome
    action = text_for(outcome.action, language)
    if flags:
        # urgent actions come first, whatever the outcome
        action = " ".join([*(f["action"] for f in flags), action])
    recommendation = {
        "outcome": outcome.code,
        "title": text_for(outcome.title, language),
        "urgent": assessment.urgent,
        "action": action,
        "category": outcome.category,
        "referral_target": text_for(outcome.referral_target, language)
        if outcome.referral_target
        else None,
        "refer": outcome.refer,
        "rationale": rationale(assessment, language),
        "threshold": text_for(q.threshold, language) if q.threshold else None,
    }
    # One validation of the whole document, from plain data.
    return Referral.model_validate(
        {
            "referral_id": context.new_id(),
            "case_id": context.case_id or context.new_id(),
            "created_at": context.clock(),
            "questionnaire": {"id": q.id, "version": q.version, "sha256": context.sha256},
            "generator": {"version": __version__},
            "language": language,
            "language_status": _language_status(q, language),
            "officer": context.officer,
            "consent": _consent(q, assessment, language),
            "child": assessment.child,
            "complete": assessment.complete,
            "gaps": [{"question_id": g.question_id, "reason": g.reason} for g in assessment.gaps],
            "answers": answers,
            "other_notes": other_notes,
            "redaction": {"redacted": False, "removed_questions": [], "removed_notes": 0},
            "indicators": indicators,
            "dimensions": dimensions,
            "flags": flags,
            "recommendation": recommendation,
            "audit_head": context.audit_head,
        }
    )


def to_json(referral: Referral, *, indent: int | None = 2) -> str:
    """Serialise a referral (UTF-8 text, non-ASCII kept as is).

    A ``Referral`` only comes into being through validation (``build_referral``,
    ``redact_referral``, or reading a stored document), so what is written is a validated
    document; the tests also check written documents against the published JSON Schema.
    """
    return referral.model_dump_json(indent=indent)


def redact_referral(referral: Referral, language: str) -> Referral:
    """Leave out every answer marked ``pii`` and every note, and say so in the document.

    The one redaction: building with ``ExportContext(redact=True)`` builds the whole referral,
    then redacts it here; a referral built without it (a stored one, say) is redacted the same
    way. Redacting a redacted referral changes nothing.

    Args:
        referral: The referral to redact.
        language: The language of the rationale sentence that reports the redaction.

    Returns:
        A new referral, validated by its model: ``redaction.redacted`` is true,
        ``redaction.removed_questions`` lists every answer left out (the ones left out before
        first), and the rationale ends with the ``rationale.redacted`` sentence when any answer
        was left out.
    """
    lang = ui_language(language)
    before = list(referral.redaction.removed_questions)
    dropped = [a["question_id"] for a in referral.answers if a.get("pii")]
    removed = before + [qid for qid in dropped if qid not in before]
    notes = (
        referral.redaction.removed_notes
        + sum(len(a.get("notes", ())) for a in referral.answers)
        + sum(len(n["notes"]) for n in referral.other_notes)
    )
    sentences = list(referral.recommendation.rationale)
    if referral.redaction.redacted:
        # The sentence counts what was removed; replace the earlier count, never add a second.
        earlier = {
            redaction_sentence(lang, len(before), referral.redaction.removed_notes),
            *(
                old.format(count=len(before), notes=referral.redaction.removed_notes)
                for old in _OLD_REDACTION_SENTENCES
            ),
        }
        sentences = [s for s in sentences if s not in earlier]
    if removed or notes:
        sentences.append(redaction_sentence(lang, len(removed), notes))
    document = referral.model_dump()
    document["answers"] = [a | {"notes": []} for a in referral.answers if not a.get("pii")]
    document["other_notes"] = []
    explained = referral.consent.explained_by
    if explained is not None and any(
        a.get("pii") and a["value"] == explained for a in referral.answers
    ):
        document["consent"]["explained_by"] = None
    document["redaction"] = {"redacted": True, "removed_questions": removed, "removed_notes": notes}
    document["recommendation"]["rationale"] = sentences
    return Referral.model_validate(document)
