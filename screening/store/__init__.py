"""The case store: every answer saved as it is given, with a tamper-evident audit log.

The rest of the program talks to :class:`CaseStore` only. The embedded implementation is
:class:`~screening.store.sqlite.SqliteStore` (one SQLite file, see :func:`open_store`); a shared
server database for a whole centre is meant to implement the same protocol with the same
behaviour: every write is one committed transaction before the method returns, each change is
written with its audit event (which carries keyed digests of what it changed) after checking
the case's lease (one writer per case), the chain's head is kept outside the database too, and
every failure is a :class:`~screening.errors.StoreError` whose message carries no answer
content.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

from screening.store.audit import AuditEvent, chain_hash, verify_chain
from screening.store.model import (
    GENESIS_HASH,
    AnswerRecord,
    Case,
    CaseCounts,
    CaseStatus,
    CaseSummary,
    Clock,
    EventType,
    JSONInput,
    JSONValue,
    LeaseHolder,
    VerifyResult,
)
from screening.store.paths import DATABASE_NAME, HOME_VARIABLE, default_home
from screening.store.sqlite import SqliteStore, anchor_path, check_head, open_store

if TYPE_CHECKING:
    from screening.store.postgres import PostgresStore

__all__ = [
    "DATABASE_NAME",
    "GENESIS_HASH",
    "HOME_VARIABLE",
    "AnswerRecord",
    "AuditEvent",
    "Case",
    "CaseCounts",
    "CaseStatus",
    "CaseStore",
    "CaseSummary",
    "Clock",
    "EventType",
    "JSONInput",
    "JSONValue",
    "LeaseHolder",
    "SqliteStore",
    "VerifyResult",
    "anchor_path",
    "chain_hash",
    "check_head",
    "default_home",
    "open_store",
    "verify_chain",
]


@runtime_checkable
class CaseStore(Protocol):
    """What the interview and the ``cases`` commands need from a case store.

    Times are timezone-aware; each ``now`` defaults to the store's clock. Every method raises
    :class:`~screening.errors.StoreError` when the store cannot be read or written, naming the
    store and what to do, and leaves everything committed before intact.
    """

    def create_case(
        self,
        *,
        questionnaire_id: str,
        questionnaire_version: str,
        questionnaire_sha256: str,
        language: str,
        ui_language: str,
        officer: str | None,
        case_id: str | None = None,
        now: datetime | None = None,
        meta: Mapping[str, JSONInput] | None = None,
        lease: bool = False,
    ) -> str:
        """Start a draft case and return its id (new and human-typable when not given).

        ``meta`` and the lease (``lease=True``) are written in the same transaction.
        """
        ...

    def record_answer(
        self,
        case_id: str,
        question_id: str,
        value: JSONInput,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> None:
        """Save an answer durably; a changed answer is added to the history."""
        ...

    def clear_answer(
        self,
        case_id: str,
        question_id: str,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> bool:
        """Withdraw an answer durably (the history keeps it); whether there was one."""
        ...

    def record_note(
        self,
        case_id: str,
        question_id: str,
        text: str,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> None:
        """Add the officer's note to a question."""
        ...

    def acknowledge_flag(
        self, case_id: str, flag_id: str, *, officer: str | None, now: datetime | None = None
    ) -> None:
        """Record that the officer acknowledged a safety flag."""
        ...

    def set_meta(
        self, case_id: str, key: str, value: JSONInput, *, now: datetime | None = None
    ) -> None:
        """Set one item of case metadata (consent, position in the interview, ...)."""
        ...

    def complete(
        self,
        case_id: str,
        referral_json: str,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> None:
        """Mark a draft complete and store its referral document; it is frozen from then on."""
        ...

    def mark_exported(
        self, case_id: str, *, officer: str | None, now: datetime | None = None
    ) -> str:
        """Record that a case's referral was exported; return the audit head after it."""
        ...

    def acquire_lease(
        self,
        case_id: str,
        *,
        officer: str | None,
        take_over: bool = False,
        now: datetime | None = None,
    ) -> LeaseHolder | None:
        """Take the case for this store (one writer per case); the holder taken over, if any.

        A second store asking for a held case gets a :class:`~screening.errors.LeaseError`
        naming the holder, unless ``take_over`` is true or the holder's process has ended on
        this computer. Every later write by the store that lost the lease fails with a
        ``LeaseError``, in the same transaction as the write.
        """
        ...

    def release_lease(self, case_id: str) -> None:
        """Give the case back if this store still holds it."""
        ...

    def lease_holder(self, case_id: str) -> LeaseHolder | None:
        """Who holds the case open for writing, if anyone (no answer content)."""
        ...

    def get_case(self, case_id: str) -> Case:
        """Everything recorded for one case."""
        ...

    def list_cases(self, status: CaseStatus | str | None = None) -> list[CaseSummary]:
        """Summaries of the cases, most recently updated first, without answer content."""
        ...

    def delete_case(
        self, case_id: str, *, officer: str | None, now: datetime | None = None
    ) -> None:
        """Delete a case's content; the audit log keeps that it was deleted."""
        ...

    def reassign(
        self, case_id: str, officer: str, *, by: str | None, now: datetime | None = None
    ) -> str | None:
        """Give a case to another officer; return the officer it belonged to."""
        ...

    def purge(
        self,
        older_than: timedelta,
        *,
        now: datetime | None = None,
        officer: str | None = None,
    ) -> list[str]:
        """Delete the cases not updated for ``older_than``; return their ids."""
        ...

    def verify(
        self, expected_head: str | None = None, *, anchor_log: Path | None = None
    ) -> VerifyResult:
        """Recompute the audit chain, compare the data and the anchors with it, and name every
        problem (the first in ``message``)."""
        ...

    def case_counts(self) -> CaseCounts:
        """What the statistics count, grouped (outcome, sector, nationality, ...; no names)."""
        ...

    def audit_head(self) -> str:
        """The hash of the latest audit event."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...

    def __enter__(self) -> Self:
        """The store itself."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        ...


def _conforms(store: SqliteStore) -> CaseStore:
    # Never called: makes mypy prove that SqliteStore implements the whole protocol.
    return store


def _conforms_postgres(store: PostgresStore) -> CaseStore:
    # Never called: the same proof for the PostgreSQL store.
    return store
