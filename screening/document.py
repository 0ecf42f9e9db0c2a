"""The referral document built from a scoring result, as plain data (core: pure).

One builder: :func:`referral_document` lays out the export from what scoring found
(:class:`~screening.scoring.PlanScore`, in the terms of the questionnaire's plan). The referral
model (:mod:`screening.referral`) validates this very document into a ``Referral``; a single
``screening score`` call writes it as it is (:func:`dumps`), without loading the model. Both
write the same bytes: the tests build every worked scenario both ways and compare.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from screening import __version__
from screening.evaluate import is_special
from screening.i18n import t, tn, ui_language
from screening.plan import Plan, text_for
from screening.records import Record

if TYPE_CHECKING:
    from screening.scoring import Assessment, PlanScore

SCHEMA_VERSION = "1.0"
"""The referral schema's version (``Referral.schema_version``)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


def utc_text(value: datetime) -> str:
    """A time as the document writes it: RFC 3339 in UTC, ``Z`` for the zone."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ExportContext(Record):
    """What a referral needs besides the assessment; clock and ids are injectable.

    ``redact`` leaves out every answer marked pii and every note; the one redaction is
    :func:`screening.referral.redact_referral`, applied to the document once it is built.
    """

    _fields = (
        "case_id", "language", "officer", "sha256", "redact", "notes", "audit_head", "clock",
        "new_id",
    )  # fmt: skip
    __slots__ = _fields

    case_id: str | None
    language: str | None
    officer: str | None
    sha256: str
    redact: bool
    notes: dict[str, list[str]]
    audit_head: str | None
    clock: Callable[[], datetime]
    new_id: Callable[[], str]

    def __init__(
        self,
        case_id: str | None = None,
        language: str | None = None,
        officer: str | None = None,
        sha256: str = "0" * 64,
        redact: bool = False,
        notes: dict[str, list[str]] | None = None,
        audit_head: str | None = None,
        clock: Callable[[], datetime] = _now,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self.case_id = case_id
        self.language = language
        self.officer = officer
        self.sha256 = sha256
        self.redact = redact
        self.notes = {} if notes is None else notes
        self.audit_head = audit_head
        self.clock = clock
        self.new_id = new_id


CONSENT_VALUES: dict[Any, str] = {
    "granted": "granted",
    "refused": "declined",
    "declined": "declined",  # the person declined to answer: no consent was given
    "not_asked": "not_asked",
}
"""Answers to a consent question, as the export's consent status (anything else: unknown)."""


def _consent(q: Plan, scored: PlanScore, language: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "referral": "not_asked",
        "support": "not_asked",
        "data_sharing": "not_asked",
        "explained_by": None,
        "language": language,
        "child_override": scored.child,
    }
    spec = q.consent
    if spec is not None:
        for name in ("referral", "support", "data_sharing"):
            qid = getattr(spec, name)
            if qid is None:
                continue
            # Unanswered, the consent is not known: "not_asked" is for an officer who says so.
            values[name] = CONSENT_VALUES.get(scored.answers.get(qid), "unknown")
        source = q.question(spec.explained_by) if spec.explained_by is not None else None
        if source is not None:
            explained = scored.answers.get(source.id)
            if isinstance(explained, str) and not is_special(explained):
                values["explained_by"] = explained
    return values


def redaction_sentence(language: str, answers: int, notes: int) -> str:
    """The rationale's last sentence when personal data was removed: how many answers, notes."""
    return t(
        "rationale.redacted",
        language,
        answers=tn("rationale.redacted.answers", answers, language),
        notes=tn("rationale.redacted.notes", notes, language),
    )


def rationale(assessment: Assessment | PlanScore, language: str) -> list[str]:
    """The sentences that say why the outcome is what it is, in ``language``."""
    scored: PlanScore = getattr(assessment, "scored", assessment)  # type: ignore[arg-type]
    q = scored.plan
    lang = ui_language(language)
    out: list[str] = []
    for flag_id in scored.flags:
        flag = q.flag(flag_id)
        if flag is not None:
            out.append(t("rationale.urgent", lang, title=text_for(flag.title, language)))
    out.append(t("rationale.outcome", lang, title=text_for(scored.outcome.title, language)))
    if scored.child:
        out.append(t("rationale.child", lang))
    positive = [d for d in scored.dimensions if d.positive]
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
    if scored.indicators:
        if not positive:
            out.append(t("rationale.no_dimension", lang))
        out.append(t("rationale.indicators", lang, count=len(scored.indicators)))
        ticked = sum(1 for o in scored.indicators if "checklist" in o.evidence)
        if ticked:
            out.append(t("rationale.checklist", lang, count=ticked))
    else:
        out.append(t("rationale.no_indicators", lang))
    if not scored.complete:
        reasons = [g.reason for g in scored.gaps]
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


def _indicator_parts(language: str) -> Callable[[Plan], dict[str, dict[str, str]]]:
    """Each indicator's exported fields but its evidence, in ``language``, by indicator id."""

    def build(q: Plan) -> dict[str, dict[str, str]]:
        parts: dict[str, dict[str, str]] = {}
        for i in q.indicators:
            dimension = q.dimension(i.dimension)
            parts[i.id] = {
                "id": i.id,
                "title": text_for(i.title, language),
                "dimension": i.dimension,
                "phase": dimension.phase if dimension is not None else "other",
                "strength": i.strength.value,
            }
        return parts

    return build


def referral_document(scored: PlanScore, context: ExportContext) -> dict[str, Any]:
    """The referral of a scoring result, as plain data, every field in the model's order.

    Every answer and note is in it (``context.redact`` is read by the callers, which redact
    the validated referral); ``created_at`` is a ``datetime`` (see :func:`dumps`).
    """
    q = scored.plan
    language = context.language or q.default_language
    answers: list[dict[str, Any]] = []
    pii_of = q.pii_marks()  # every answerable question: whether it identifies a person
    notes = context.notes
    exported: set[str] = set()
    for qid, value in scored.answers.items():
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
        {**described[o.indicator.id], "evidence": list(o.evidence)} for o in scored.indicators
    ]
    dimensions = [
        {
            "id": d.dimension.id,
            "positive": d.positive,
            "strong": d.strong,
            "medium": d.medium,
            "weak": d.weak,
        }
        for d in scored.dimensions
    ]
    flags = [
        {
            "id": flag.id,
            "title": text_for(flag.title, language),
            "action": text_for(flag.action, language),
        }
        for flag in (q.flag(flag_id) for flag_id in scored.flags)
        if flag is not None
    ]
    outcome = scored.outcome
    action = text_for(outcome.action, language)
    if flags:
        # urgent actions come first, whatever the outcome
        action = " ".join([*(f["action"] for f in flags), action])
    declared = q.language(language)
    return {
        "schema_version": SCHEMA_VERSION,
        "referral_id": context.new_id(),
        "case_id": context.case_id or context.new_id(),
        "created_at": context.clock(),
        "questionnaire": {"id": q.id, "version": q.version, "sha256": context.sha256},
        "generator": {"name": "screening", "version": __version__},
        "language": language,
        "language_status": None if declared is None else declared.status,
        "officer": context.officer,
        "consent": _consent(q, scored, language),
        "child": scored.child,
        "complete": scored.complete,
        "gaps": [{"question_id": g.question_id, "reason": g.reason} for g in scored.gaps],
        "answers": answers,
        "other_notes": other_notes,
        "redaction": {"redacted": False, "removed_questions": [], "removed_notes": 0},
        "indicators": indicators,
        "dimensions": dimensions,
        "flags": flags,
        "recommendation": {
            "outcome": outcome.code,
            "title": text_for(outcome.title, language),
            "urgent": scored.urgent,
            "action": action,
            "category": outcome.category,
            "referral_target": text_for(outcome.referral_target, language)
            if outcome.referral_target
            else None,
            "refer": outcome.refer,
            "rationale": rationale(scored, language),
            "threshold": text_for(q.threshold, language) if q.threshold else None,
        },
        "audit_head": context.audit_head,
    }


_OLD_REDACTION_SENTENCES = (
    "Personal data was removed from this document ({count} answer(s), {notes} note(s)).",
    "حُذفت البيانات الشخصية من هذه الوثيقة (عدد الإجابات: {count}، وعدد الملاحظات: {notes}).",
)
"""The redaction sentence as earlier versions wrote it, recognised when redacting again."""


def redact_document(document: dict[str, Any], language: str) -> dict[str, Any]:
    """A referral document without the answers marked ``pii`` and without notes, saying so
    (the one redaction: :func:`screening.referral.redact_referral` validates what it gives).

    Redacting a redacted document changes nothing. ``redaction.removed_questions`` lists every
    answer left out (the ones left out before first), and the rationale ends with the
    ``rationale.redacted`` sentence, in ``language``, when anything was left out.
    """
    lang = ui_language(language)
    redaction = document["redaction"]
    answers = document["answers"]
    before = list(redaction["removed_questions"])
    dropped = [a["question_id"] for a in answers if a.get("pii")]
    removed = before + [qid for qid in dropped if qid not in before]
    notes = (
        redaction["removed_notes"]
        + sum(len(a.get("notes", ())) for a in answers)
        + sum(len(n["notes"]) for n in document["other_notes"])
    )
    sentences = list(document["recommendation"]["rationale"])
    if redaction["redacted"]:
        # The sentence counts what was removed; replace the earlier count, never add a second.
        earlier = {
            redaction_sentence(lang, len(before), redaction["removed_notes"]),
            *(
                old.format(count=len(before), notes=redaction["removed_notes"])
                for old in _OLD_REDACTION_SENTENCES
            ),
        }
        sentences = [s for s in sentences if s not in earlier]
    if removed or notes:
        sentences.append(redaction_sentence(lang, len(removed), notes))
    consent = dict(document["consent"])
    explained = consent.get("explained_by")
    if explained is not None and any(a.get("pii") and a["value"] == explained for a in answers):
        consent["explained_by"] = None
    return {
        **document,
        "consent": consent,
        "answers": [a | {"notes": []} for a in answers if not a.get("pii")],
        "other_notes": [],
        "redaction": {"redacted": True, "removed_questions": removed, "removed_notes": notes},
        "recommendation": {**document["recommendation"], "rationale": sentences},
    }


def dumps(document: dict[str, Any], *, indent: int | None = 2) -> str:
    """A referral document as JSON text (UTF-8, non-ASCII kept as is), byte for byte what
    :func:`screening.referral.to_json` writes of the same document once validated: the same
    writer (pydantic-core's) formats every number and string."""
    from pydantic_core import to_json

    data = {**document, "created_at": utc_text(document["created_at"])}
    return to_json(data, indent=indent).decode("utf-8")


__all__ = [
    "SCHEMA_VERSION",
    "ExportContext",
    "dumps",
    "rationale",
    "redact_document",
    "redaction_sentence",
    "referral_document",
    "utc_text",
]
