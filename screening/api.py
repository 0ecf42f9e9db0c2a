"""The public Python API: load a questionnaire, score answers, build and check referrals.

Everything here is re-exported by :mod:`screening` (``from screening import score``); the names
in ``screening.__all__`` are the stable API, documented in docs/api.md with its compatibility
policy. Other modules are internal and may change in any release.

No function here prints, reads a terminal or writes a file; the only reading is of the
questionnaire file a caller names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import AnswersError, ReferralError
from screening.i18n import tn

if TYPE_CHECKING:
    from screening.questionnaires import LoadedQuestionnaire
    from screening.referral import Referral
    from screening.scoring import Assessment

__all__ = [
    "Scored",
    "assess_answers",
    "load_questionnaire",
    "redact",
    "score",
    "score_stream",
    "to_json",
    "validate_referral",
]


def load_questionnaire(ref: str | PathLike[str] | None = None) -> LoadedQuestionnaire:
    """Load and check a questionnaire by bundled id, ``ID@VERSION`` or file path.

    A loaded questionnaire is cached for the life of the process: loading the same reference
    twice returns the same object.

    Args:
        ref: A bundled id (``"ilo_adult_labour"``, the newest bundled version), an id with a
            version (``"ilo_adult_labour@1.0.0"``), or the path of a questionnaire YAML file.
            ``None`` loads the default questionnaire.

    Returns:
        The checked questionnaire (``.questionnaire``), where it came from (``.path``) and the
        SHA-256 of its file's bytes (``.sha256``).

    Raises:
        UsageError: ``ref`` is neither a file nor a bundled id, or names a version not bundled.
        QuestionnaireError: the questionnaire is invalid; ``.problems`` locates each problem.

    Example:
        >>> import screening
        >>> loaded = screening.load_questionnaire("ilo_adult_labour@1.0.0")
        >>> loaded.questionnaire.version
        '1.0.0'
    """
    from screening.questionnaires import resolve

    if ref is None or isinstance(ref, str):
        return resolve(ref)
    return resolve(str(Path(ref)))


def _loaded(questionnaire: LoadedQuestionnaire | str | PathLike[str] | None) -> LoadedQuestionnaire:
    from screening.questionnaires import LoadedQuestionnaire

    if isinstance(questionnaire, LoadedQuestionnaire):
        return questionnaire
    return load_questionnaire(questionnaire)


def _checked(
    record: Mapping[str, Any],
    questionnaire: LoadedQuestionnaire | str | PathLike[str] | None,
    *,
    redact: bool,
    language: str | None,
    label: str,
) -> tuple[Assessment, Referral]:
    from screening.answers import InvalidRecord, answer_set_from_mapping
    from screening.pipeline import score_one

    loaded = _loaded(questionnaire)
    try:
        answer_set = answer_set_from_mapping(dict(record), label)
        named = answer_set.questionnaire
        ident = loaded.questionnaire
        if named is not None and named not in (ident.id, f"{ident.id}@{ident.version}"):
            raise InvalidRecord(
                [
                    f"the record names questionnaire '{named}' but is scored on "
                    f"'{ident.id}' (version {ident.version})"
                ]
            )
        return score_one(answer_set, loaded, redact=redact, language=language)
    except InvalidRecord as bad:
        raise AnswersError(
            f"{label}: {'; '.join(bad.problems)}", problems=list(bad.problems)
        ) from None


def score(
    record: Mapping[str, Any],
    questionnaire: LoadedQuestionnaire | str | PathLike[str] | None = None,
    *,
    redact: bool = False,
    language: str | None = None,
) -> Referral:
    """Score one answer set and build its referral, exactly as ``screening score`` does.

    Args:
        record: An answer set in the answers-file shape: ``{"answers": {question id: value},
            "case_id": ..., "language": ..., "officer": ..., "indicators": [...], "notes":
            {...}}``; every key but ``answers`` is optional. A ``questionnaire`` key, when
            present, must name the questionnaire it is scored on.
        questionnaire: A loaded questionnaire, or what :func:`load_questionnaire` takes
            (``None``: the default questionnaire).
        redact: Leave out every answer marked ``pii`` and every note.
        language: The language of the referral's texts (default: the record's, else the
            questionnaire's first).

    Returns:
        The referral, validated by its model; :func:`to_json` serialises it.

    Raises:
        AnswersError: the record does not fit the questionnaire; ``.problems`` lists each
            problem (question ids, never the answers themselves).
        UsageError, QuestionnaireError: as :func:`load_questionnaire`.

    Example:
        >>> import screening
        >>> referral = screening.score({"case_id": "C-1", "answers": {"age": 30}})
        >>> referral.case_id, referral.recommendation.outcome
        ('C-1', 'no_indicators')
    """
    return _checked(record, questionnaire, redact=redact, language=language, label="record")[1]


def assess_answers(
    record: Mapping[str, Any],
    questionnaire: LoadedQuestionnaire | str | PathLike[str] | None = None,
) -> Assessment:
    """Score one answer set and return the assessment itself (no referral built).

    The assessment holds the observed indicators with their evidence, every dimension's counts,
    the raised flags, the outcome and the gaps, in the questionnaire's own terms.

    Args:
        record: An answer set, as for :func:`score`.
        questionnaire: As for :func:`score`.

    Returns:
        The assessment.

    Raises:
        AnswersError: the record does not fit the questionnaire.

    Example:
        >>> import screening
        >>> assessment = screening.assess_answers({"answers": {"age": 15}})
        >>> assessment.child, assessment.urgent
        (True, True)
    """
    return _checked(record, questionnaire, redact=False, language=None, label="record")[0]


@dataclass(frozen=True)
class Scored:
    """One record of a stream, scored or refused.

    Attributes:
        number: The record's number in the stream, from 1.
        referral: The referral, or ``None`` when the record was refused.
        problems: Why the record was refused (empty when it was scored).
    """

    number: int
    referral: Referral | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the record was scored."""
        return self.referral is not None


def score_stream(
    records: Iterable[Mapping[str, Any] | str | bytes],
    questionnaire: LoadedQuestionnaire | str | PathLike[str] | None = None,
    *,
    redact: bool = False,
    language: str | None = None,
) -> Iterator[Scored]:
    """Score a stream of answer sets lazily, one result per record, in order.

    Each record is read from ``records`` only when the previous result has been taken, so a
    stream from a socket or a pipe is answered as it arrives. A bad record gives a result with
    its problems; the stream goes on.

    Args:
        records: Answer sets as mappings, or as JSON text (one JSON Lines record each, str or
            UTF-8 bytes; the same strict reading as ``screening score``: no duplicate keys, no
            NaN, bounded length and depth). Blank lines are skipped but counted.
        questionnaire: As for :func:`score`; loaded once, before the first record is read.
        redact: As for :func:`score`.
        language: As for :func:`score`.

    Yields:
        A :class:`Scored` per record that is not blank.

    Raises:
        UsageError, QuestionnaireError: the questionnaire cannot be loaded.

    Example:
        >>> import screening
        >>> lines = ['{"case_id": "a", "answers": {"age": 15}}', "[1]"]
        >>> [(s.number, s.ok) for s in screening.score_stream(lines)]
        [(1, True), (2, False)]
    """
    from screening.answer_files import record_from_line

    loaded = _loaded(questionnaire)
    for number, record in enumerate(records, start=1):
        label = f"record {number}"
        if isinstance(record, str | bytes):
            raw = record.encode("utf-8", "surrogatepass") if isinstance(record, str) else record
            if not raw.strip():
                continue
            data, problem = record_from_line(raw)
            if problem is not None:
                yield Scored(number, None, [problem])
                continue
        else:
            data = record
        if not isinstance(data, Mapping):
            yield Scored(number, None, ["expected a mapping with an 'answers' key"])
            continue
        try:
            referral = _checked(data, loaded, redact=redact, language=language, label=label)[1]
        except AnswersError as error:
            yield Scored(number, None, list(error.problems))
            continue
        yield Scored(number, referral)


def redact(referral: Referral, language: str | None = None) -> Referral:
    """Leave out every answer marked ``pii`` and every note, and say so in the referral.

    Args:
        referral: A referral built without redaction (redacting twice changes nothing).
        language: The language of the sentence that reports the redaction (default: the
            referral's).

    Returns:
        A new, validated referral; ``redaction.removed_questions`` names what was left out.

    Example:
        >>> import screening
        >>> full = screening.score({"answers": {"age": 30}, "notes": {"age": ["Maria's sister"]}})
        >>> "Maria" in screening.to_json(full), "Maria" in screening.to_json(screening.redact(full))
        (True, False)
    """
    from screening import pipeline

    return pipeline.redact(referral, language)


def to_json(referral: Referral, *, indent: int | None = 2) -> str:
    """Serialise a referral as JSON text (UTF-8, non-ASCII kept as is).

    Args:
        referral: The referral.
        indent: Spaces per level, or ``None`` for one line (JSON Lines).

    Returns:
        The JSON document, as ``screening score`` writes it.
    """
    from screening.referral import to_json as dump

    return dump(referral, indent=indent)


def validate_referral(document: Mapping[str, Any] | str | bytes) -> Referral:
    """Check a referral document (one that another system received or stored) and read it.

    Args:
        document: The referral as parsed JSON, or as JSON text.

    Returns:
        The referral.

    Raises:
        ReferralError: not JSON, or not a referral of this schema version; ``.problems`` names
            each field at fault (``recommendation.outcome: ...``).

    Example:
        >>> import screening
        >>> text = screening.to_json(screening.score({"answers": {"age": 30}}))
        >>> screening.validate_referral(text).schema_version
        '1.0'
        >>> screening.validate_referral('{"schema_version": "1.0"}')
        Traceback (most recent call last):
        ...
        screening.errors.ReferralError: not a valid referral: referral_id: Field required (and 15 more problems)
    """
    from pydantic import ValidationError

    from screening.referral import Referral

    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise ReferralError(f"not a valid referral: not JSON ({exc})") from None
    try:
        return Referral.model_validate(document)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']) or '(document)'}: {item['msg']}"
            for item in error.errors(include_url=False, include_input=False)
        ]
        more = (
            " " + tn("errors.more_problems", len(problems) - 1, "en") if len(problems) > 1 else ""
        )
        raise ReferralError(
            f"not a valid referral: {problems[0]}{more}", problems=problems
        ) from None
