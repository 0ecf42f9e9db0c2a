"""The referral export, a public contract (core: pure).

The models below are the JSON document case systems take in; ``screening schema referral``
publishes their JSON Schema. Field names and outcome codes change only with a new
``schema_version`` and a CHANGELOG entry.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal, NotRequired

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

# re-exported: the document is built without the models (screening.document)
from screening.document import CONSENT_VALUES as CONSENT_VALUES
from screening.document import ExportContext as ExportContext
from screening.document import rationale as rationale
from screening.document import redact_document, referral_document, utc_text

if TYPE_CHECKING:
    from screening.scoring import Assessment

if sys.version_info >= (3, 12):
    from typing import TypedDict
else:  # pydantic takes a TypedDict from typing_extensions only, before 3.12
    from typing_extensions import TypedDict

SCHEMA_VERSION: Literal["1.0"] = "1.0"

UtcTime = Annotated[
    datetime,
    PlainSerializer(
        utc_text,
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


def build_referral(assessment: Assessment, context: ExportContext) -> Referral:
    """Build the export document of an assessment.

    Args:
        assessment: The scored answers.
        context: Case id, language, officer, the questionnaire file's hash, redaction, clock.

    Returns:
        The referral, validated by its model; with ``context.redact``, as
        :func:`redact_referral` leaves it.
    """
    # One validation of the whole document, from plain data.
    referral = Referral.model_validate(referral_document(assessment.scored, context))
    return redact_referral(referral, referral.language) if context.redact else referral


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
    return Referral.model_validate(redact_document(referral.model_dump(), language))
