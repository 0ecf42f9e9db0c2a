"""What the case store hands back: cases, summaries, answers and the audit log's state.

These are plain frozen dataclasses with no storage behind them, so every backend (the embedded
SQLite store today, a shared server database later) returns the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeAlias

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
"""A value as read back from the store (``json.loads`` output)."""

JSONInput: TypeAlias = (
    "bool | int | float | str | Sequence[JSONInput] | Mapping[str, JSONInput] | None"
)
"""A value the store accepts: anything ``json.dumps`` turns into the same value read back."""

Clock: TypeAlias = Callable[[], datetime]
"""Returns the current time, timezone-aware."""

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first audit event, and the head of an empty log."""


class CaseStatus(StrEnum):
    """Where a case is in its life."""

    DRAFT = "draft"
    COMPLETE = "complete"


class EventType(StrEnum):
    """The kinds of audit event. The values are stored and hashed: never change one."""

    CASE_CREATED = "case_created"
    QUESTION_ANSWERED = "question_answered"
    ANSWER_CHANGED = "answer_changed"
    ANSWER_CLEARED = "answer_cleared"
    NOTE_ADDED = "note_added"
    FLAG_ACKNOWLEDGED = "flag_acknowledged"
    CASE_COMPLETED = "case_completed"
    CASE_EXPORTED = "case_exported"
    CASE_DELETED = "case_deleted"
    CASE_PURGED = "case_purged"
    CASE_UPDATED = "case_updated"
    """The case's metadata (interview settings, checklist, ...) was set."""
    CASE_UPGRADED = "case_upgraded"
    """The records of a case written before the audit chain covered data were sealed."""


@dataclass(frozen=True)
class AnswerRecord:
    """One answer as it was given; a changed answer is a later record for the same question.

    A ``value`` of None records that the answer was cleared (None is never an answer).
    """

    question_id: str
    value: JSONValue
    officer: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class Case:
    """A case with everything recorded for it.

    Attributes:
        answers: The current answer to each question (the latest record), in the order the
            questions were first answered.
        answer_history: Every answer record, oldest first.
        notes: The officer's notes by question id, oldest first.
        acknowledged_flags: Ids of the safety flags the officer acknowledged.
        meta: Small case metadata such as consent or the position in the interview.
        referral_json: The referral document stored on completion, byte for byte.
    """

    id: str
    status: CaseStatus
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_sha256: str
    language: str
    ui_language: str
    officer: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    exported_at: datetime | None = None
    answers: dict[str, JSONValue] = field(default_factory=dict)
    answer_history: tuple[AnswerRecord, ...] = ()
    notes: dict[str, list[str]] = field(default_factory=dict)
    acknowledged_flags: frozenset[str] = frozenset()
    meta: dict[str, JSONValue] = field(default_factory=dict)
    referral_json: str | None = None


@dataclass(frozen=True)
class CaseSummary:
    """One line of a case list: no answer content."""

    id: str
    status: CaseStatus
    questionnaire_id: str
    questionnaire_version: str
    created_at: datetime
    updated_at: datetime
    answers: int
    officer: str | None


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a case open for writing (one writer per case): no answer content.

    Attributes:
        officer: The officer's id, when known.
        host: The computer's name.
        pid: The process id on that computer.
        since: When the case was taken.
    """

    officer: str | None
    host: str
    pid: int
    since: datetime

    def describe(self) -> str:
        """``officer epc-017 on host desk-3, process 4242, since 2026-11-29 10:02 UTC``."""
        who = f"officer {self.officer} " if self.officer else ""
        when = self.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{who}on host {self.host}, process {self.pid}, since {when}"


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of recomputing the audit chain.

    Attributes:
        ok: True when every event links to the previous one and nothing is missing.
        events: The number of events in the log.
        head: The hash of the last event that checked out (64 zeros for an empty log).
        first_broken: The sequence number of the first missing or altered event, if any.
        message: One sentence for the user, naming the first broken link.
        problems: Every problem found, first one first (``message`` is the first).
        anchor: What the comparison with the anchor file found, when there is one.
    """

    ok: bool
    events: int
    head: str
    first_broken: int | None
    message: str
    problems: tuple[str, ...] = ()
    anchor: str | None = None


@dataclass(frozen=True)
class CaseCounts:
    """What ``cases stats`` counts, already grouped by the store: no names, answers or notes.

    Attributes:
        days: (status, day opened ``YYYY-MM-DD`` in UTC, cases).
        outcomes: Completed cases: (outcome, urgent, every question answered, cases).
        sectors: (the current answer to ``sector`` when it is a choice value, else None, cases).
        nationalities: Likewise for ``nationality``.
        items: Completed cases: (``indicator`` or ``flag``, its id, cases).
        sealed: Cases of an encrypted store whose sector, nationality, indicators and flags
            were not counted because its key is not unlocked (they are not kept in clear).
    """

    days: tuple[tuple[str, str, int], ...] = ()
    outcomes: tuple[tuple[str, bool, bool, int], ...] = ()
    sectors: tuple[tuple[str | None, int], ...] = ()
    nationalities: tuple[tuple[str | None, int], ...] = ()
    items: tuple[tuple[str, str, int], ...] = ()
    sealed: int = 0
