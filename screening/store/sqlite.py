"""The embedded case store: one SQLite database file, written with the standard library.

Every write is one ``BEGIN IMMEDIATE`` transaction, committed with ``synchronous=FULL`` in WAL
mode before the method returns, so an answer that was acknowledged survives ``kill -9`` and a
power cut, and two processes writing at once take turns instead of losing each other's rows.
The change and its audit event are written in the same transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from screening.errors import StoreError
from screening.store.audit import AuditEvent, canonical_json, chain_hash, verify_chain
from screening.store.model import (
    GENESIS_HASH,
    AnswerRecord,
    Case,
    CaseStatus,
    CaseSummary,
    Clock,
    EventType,
    JSONInput,
    JSONValue,
    VerifyResult,
)
from screening.store.paths import DATABASE_NAME, default_home, prepare_home

__all__ = ["APPLICATION_ID", "DEFAULT_BUSY_TIMEOUT", "MIGRATIONS", "SqliteStore", "open_store"]

APPLICATION_ID: Final = 0x5343524E
"""Stored in the database header ("SCRN") so that a foreign SQLite file is never taken for ours."""

DEFAULT_BUSY_TIMEOUT: Final = 5.0
"""Seconds a write waits for another session's transaction before giving up."""

_V1: Final = (
    """
    CREATE TABLE cases (
        id TEXT PRIMARY KEY COLLATE NOCASE,
        status TEXT NOT NULL CHECK (status IN ('draft', 'complete')),
        questionnaire_id TEXT NOT NULL,
        questionnaire_version TEXT NOT NULL,
        questionnaire_sha256 TEXT NOT NULL,
        language TEXT NOT NULL,
        ui_language TEXT NOT NULL,
        officer TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        exported_at TEXT,
        referral_json TEXT
    )
    """,
    "CREATE INDEX cases_by_updated_at ON cases (updated_at)",
    """
    CREATE TABLE answers (
        seq INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        value_json TEXT NOT NULL,
        officer TEXT,
        recorded_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX answers_by_case ON answers (case_id, question_id, seq)",
    """
    CREATE TABLE notes (
        seq INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        text TEXT NOT NULL,
        officer TEXT,
        recorded_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX notes_by_case ON notes (case_id, seq)",
    """
    CREATE TABLE acknowledged_flags (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        flag_id TEXT NOT NULL,
        officer TEXT,
        acknowledged_at TEXT NOT NULL,
        PRIMARY KEY (case_id, flag_id)
    )
    """,
    """
    CREATE TABLE case_meta (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        PRIMARY KEY (case_id, key)
    )
    """,
    """
    CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        officer TEXT,
        event TEXT NOT NULL,
        case_id TEXT NOT NULL,
        question_id TEXT,
        flag_id TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )
    """,
    "CREATE INDEX audit_events_by_case ON audit_events (case_id)",
    """
    CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    """
    CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    """
    CREATE TABLE chain_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        events INTEGER NOT NULL,
        head TEXT NOT NULL
    )
    """,
    # hex(zeroblob(32)) is 64 zeros, the genesis hash; a migration never reads Python constants.
    "INSERT INTO chain_state (id, events, head) VALUES (1, 0, hex(zeroblob(32)))",
)

MIGRATIONS: list[tuple[str, ...]] = [_V1]
"""The schema's history: entry ``n`` takes a store from ``user_version`` n to n + 1.

Append to this list, never edit an entry: stores in the field were built by the old entries.
"""

_STAMP: Final = "%Y-%m-%dT%H:%M:%S.%fZ"
# Ambiguous characters (0/O, 1/I/L) and U are left out so that an id read aloud or copied by
# hand comes back right.
_ID_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_SUFFIX_LENGTH: Final = 6
_CASE_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_HEAD: Final = re.compile(r"[0-9a-fA-F]{64}")

# Primary SQLite result codes (the low byte of ``sqlite_errorcode``).
_SQLITE_PERM: Final = 3
_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_READONLY: Final = 8
_SQLITE_IOERR: Final = 10
_SQLITE_CORRUPT: Final = 11
_SQLITE_FULL: Final = 13
_SQLITE_CANTOPEN: Final = 14
_SQLITE_AUTH: Final = 23
_SQLITE_NOTADB: Final = 26

# Errors raised without a result code (by wrappers or older builds) are known by their text.
_MESSAGE_CODES: Final = {
    "database or disk is full": _SQLITE_FULL,
    "database is locked": _SQLITE_BUSY,
    "database table is locked": _SQLITE_LOCKED,
    "attempt to write a readonly database": _SQLITE_READONLY,
    "unable to open database file": _SQLITE_CANTOPEN,
    "disk I/O error": _SQLITE_IOERR,
    "database disk image is malformed": _SQLITE_CORRUPT,
    "file is not a database": _SQLITE_NOTADB,
}

_KEPT: Final = "everything saved before is kept"


def open_store(
    home: Path | str | None = None,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    clock: Clock | None = None,
) -> SqliteStore:
    """Open the case store in ``home``, creating or upgrading it as needed.

    The directory is created with mode 0700 when missing; an existing one is never re-moded,
    and is refused when it belongs to another user or others may write in it (see
    :func:`~screening.store.paths.prepare_home`). The database files get 0600.

    Args:
        home: The store's directory; :func:`~screening.store.paths.default_home` when omitted.
        busy_timeout: Seconds a write waits for another session before failing.
        clock: Returns the current, timezone-aware time; the system clock when omitted.

    Returns:
        The open store; close it, or use it as a context manager.

    Raises:
        StoreError: The directory cannot be created or written, the file is damaged or not a
            case store, it was created by a newer version, or it stayed locked too long.

    Example:
        >>> with open_store() as store:  # doctest: +SKIP
        ...     case_id = store.create_case(questionnaire_id="ilo-2009", ...)
    """
    directory = default_home() if home is None else Path(home).expanduser().absolute()
    return SqliteStore.open(directory, busy_timeout=busy_timeout, clock=clock)


def _system_clock() -> datetime:
    return datetime.now(UTC).astimezone()


class SqliteStore:
    """The embedded case store (see :class:`~screening.store.CaseStore` for the contract).

    One object holds one connection and must be used from the thread that opened it; open one
    store per thread or process. Other processes may use the same file at the same time.
    """

    def __init__(
        self, connection: sqlite3.Connection, path: Path, *, busy_timeout: float, clock: Clock
    ) -> None:
        """Wrap an open, migrated connection; use :func:`open_store` instead."""
        self._conn: sqlite3.Connection | None = connection
        self.path = path
        self.busy_timeout = busy_timeout
        self._clock = clock

    @classmethod
    def open(
        cls,
        home: Path,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Clock | None = None,
    ) -> Self:
        """Open or create the store in directory ``home`` (see :func:`open_store`)."""
        path = home / DATABASE_NAME
        prepare_home(home)
        # SQLite creates the database, -wal and -shm files with the process umask: keep them
        # private from the first byte rather than fixing the mode afterwards. The umask is
        # process-wide, so this window is kept as short as the creation itself.
        previous = os.umask(0o077)
        try:
            connection = _connect(path, busy_timeout)
        finally:
            os.umask(previous)
        try:
            for name in (path, _sidecar(path, "-wal"), _sidecar(path, "-shm")):
                _tighten(name, directory=False)
        except StoreError:
            connection.close()
            raise
        return cls(connection, path, busy_timeout=busy_timeout, clock=clock or _system_clock)

    # -- context manager -----------------------------------------------------------------

    def __enter__(self) -> Self:
        """The store itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()

    def close(self) -> None:
        """Close the connection; calling it again does nothing."""
        if self._conn is not None:
            connection, self._conn = self._conn, None
            connection.close()

    # -- writes ----------------------------------------------------------------------------

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
    ) -> str:
        """Start a draft case.

        Args:
            questionnaire_id: The questionnaire's id.
            questionnaire_version: Its version.
            questionnaire_sha256: The hash of the questionnaire file, so that a resumed
                interview can tell whether the file changed.
            language: The interview's language.
            ui_language: The language of the officer's interface.
            officer: Who opened the case.
            case_id: An id of your own (letters, digits, ``.``, ``_``, ``-``); a new one like
                ``C-2026-11-29-7KQ3M2`` when omitted.
            now: The time of creation; the store's clock when omitted.

        Returns:
            The case id.

        Raises:
            StoreError: The id is malformed or taken, or the store cannot be written.
        """
        moment = self._moment(now)
        at = _stamp(moment)
        if case_id is not None and not _CASE_ID.fullmatch(case_id):
            raise StoreError(
                f"{_show(case_id)} is not a valid case id",
                hint="Use up to 64 letters, digits, '.', '_' or '-', starting with a letter "
                "or digit, or leave the id out to get a new one.",
            )
        with self._write("create a case") as conn:
            if case_id is None:
                new_id = self._fresh_case_id(conn, moment.date())
            else:
                if self._find(conn, case_id) is not None:
                    raise StoreError(
                        f"a case {case_id} exists already in {self.path}",
                        hint="Choose another id, or leave it out to get a new one.",
                    )
                new_id = case_id
            conn.execute(
                "INSERT INTO cases (id, status, questionnaire_id, questionnaire_version,"
                " questionnaire_sha256, language, ui_language, officer, created_at, updated_at)"
                " VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id,
                    questionnaire_id,
                    questionnaire_version,
                    questionnaire_sha256,
                    language,
                    ui_language,
                    officer,
                    at,
                    at,
                ),
            )
            _append_event(conn, at, officer, EventType.CASE_CREATED, new_id)
        return new_id

    def record_answer(
        self,
        case_id: str,
        question_id: str,
        value: JSONInput,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> None:
        """Save an answer; it is committed to disk when this returns.

        A different value for an answered question is kept as a new record (the history stays);
        the same value again changes nothing.

        Args:
            case_id: The case.
            question_id: The question answered.
            value: The answer, anything JSON can hold.
            officer: Who recorded it.
            now: The time; the store's clock when omitted.

        Raises:
            StoreError: Unknown or completed case, or the store cannot be written.
            TypeError: ``value`` is None or cannot be written as JSON.
        """
        if value is None:
            raise TypeError(f"None is not an answer to question {question_id}; use clear_answer")
        value_json = _dump(value, f"the answer to question {question_id}")
        action = f"save the answer to question {question_id} of case {_show(case_id)}"
        self._append_answer(case_id, question_id, value_json, officer, now, action)

    def clear_answer(
        self,
        case_id: str,
        question_id: str,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> bool:
        """Withdraw the answer to a question; it is committed to disk when this returns.

        The earlier answers stay in the history, followed by a record with no value; the
        question is then unanswered.

        Args:
            case_id: The case.
            question_id: The question whose answer is withdrawn.
            officer: Who withdrew it.
            now: The time; the store's clock when omitted.

        Returns:
            Whether there was an answer to withdraw.

        Raises:
            StoreError: Unknown or completed case, or the store cannot be written.
        """
        action = f"clear the answer to question {question_id} of case {_show(case_id)}"
        return self._append_answer(case_id, question_id, _CLEARED, officer, now, action)

    def _append_answer(
        self,
        case_id: str,
        question_id: str,
        value_json: str,
        officer: str | None,
        now: datetime | None,
        action: str,
    ) -> bool:
        """Add an answer record (``_CLEARED``: a withdrawal) unless it is the current one."""
        at = _stamp(self._moment(now))
        with self._write(action) as conn:
            cid = self._draft(conn, case_id, action)
            row = conn.execute(
                "SELECT value_json FROM answers WHERE case_id = ? AND question_id = ?"
                " ORDER BY seq DESC LIMIT 1",
                (cid, question_id),
            ).fetchone()
            if (_CLEARED if row is None else row[0]) == value_json:
                return False
            conn.execute(
                "INSERT INTO answers (case_id, question_id, value_json, officer, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (cid, question_id, value_json, officer, at),
            )
            if value_json == _CLEARED:
                event = EventType.ANSWER_CLEARED
            else:
                event = EventType.QUESTION_ANSWERED if row is None else EventType.ANSWER_CHANGED
            _append_event(conn, at, officer, event, cid, question_id=question_id)
            _touch(conn, cid, at)
        return True

    def record_note(
        self,
        case_id: str,
        question_id: str,
        text: str,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> None:
        """Add the officer's note to a question; notes accumulate.

        Args:
            case_id: The case.
            question_id: The question the note is about.
            text: The note.
            officer: Who wrote it.
            now: The time; the store's clock when omitted.

        Raises:
            StoreError: Unknown or completed case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        action = f"save the note on question {question_id} of case {_show(case_id)}"
        with self._write(action) as conn:
            cid = self._draft(conn, case_id, action)
            conn.execute(
                "INSERT INTO notes (case_id, question_id, text, officer, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (cid, question_id, text, officer, at),
            )
            _append_event(conn, at, officer, EventType.NOTE_ADDED, cid, question_id=question_id)
            _touch(conn, cid, at)

    def acknowledge_flag(
        self, case_id: str, flag_id: str, *, officer: str | None, now: datetime | None = None
    ) -> None:
        """Record that the officer saw a safety flag; acknowledging it again changes nothing.

        Args:
            case_id: The case.
            flag_id: The flag's id.
            officer: Who acknowledged it.
            now: The time; the store's clock when omitted.

        Raises:
            StoreError: Unknown or completed case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        action = f"save the acknowledgement of flag {flag_id} in case {_show(case_id)}"
        with self._write(action) as conn:
            cid = self._draft(conn, case_id, action)
            inserted = conn.execute(
                "INSERT OR IGNORE INTO acknowledged_flags"
                " (case_id, flag_id, officer, acknowledged_at) VALUES (?, ?, ?, ?)",
                (cid, flag_id, officer, at),
            ).rowcount
            if inserted:
                _append_event(conn, at, officer, EventType.FLAG_ACKNOWLEDGED, cid, flag_id=flag_id)
                _touch(conn, cid, at)

    def set_meta(
        self, case_id: str, key: str, value: JSONInput, *, now: datetime | None = None
    ) -> None:
        """Set one item of case metadata (consent, position in the interview, ...).

        Allowed on completed cases too. Not an audit event.

        Args:
            case_id: The case.
            key: The item's name.
            value: Its value, anything JSON can hold.
            now: The time, kept as the case's last update; the store's clock when omitted.

        Raises:
            StoreError: Unknown case, or the store cannot be written.
            TypeError: ``value`` cannot be written as JSON.
        """
        value_json = _dump(value, f"the case metadata {key!r}")
        at = _stamp(self._moment(now))
        with self._write(f"save the metadata of case {_show(case_id)}") as conn:
            cid, _ = self._require(conn, case_id)
            conn.execute(
                "INSERT INTO case_meta (case_id, key, value_json) VALUES (?, ?, ?)"
                " ON CONFLICT (case_id, key) DO UPDATE SET value_json = excluded.value_json",
                (cid, key, value_json),
            )
            _touch(conn, cid, at)

    def complete(
        self,
        case_id: str,
        referral_json: str,
        *,
        officer: str | None,
        now: datetime | None = None,
    ) -> None:
        """Mark a draft complete and store its referral document.

        After this the case's answers, notes and flags no longer change.

        Args:
            case_id: The case.
            referral_json: The referral document, kept byte for byte.
            officer: Who completed it.
            now: The time; the store's clock when omitted.

        Raises:
            StoreError: Unknown or already completed case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        action = f"complete case {_show(case_id)}"
        with self._write(action) as conn:
            cid = self._draft(conn, case_id, action)
            conn.execute(
                "UPDATE cases SET status = 'complete', referral_json = ?, completed_at = ?,"
                " updated_at = ? WHERE id = ?",
                (referral_json, at, at, cid),
            )
            _append_event(conn, at, officer, EventType.CASE_COMPLETED, cid)

    def mark_exported(
        self, case_id: str, *, officer: str | None, now: datetime | None = None
    ) -> None:
        """Record that a case's referral was exported (a draft's too: personal data left).

        The export is an audit event; it does not count as a change to the case, so it leaves
        ``updated_at`` (and with it the retention clock of ``purge``) as it was.

        Args:
            case_id: The case.
            officer: Who exported it.
            now: The time; the store's clock when omitted.

        Raises:
            StoreError: Unknown case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        with self._write(f"record the export of case {_show(case_id)}") as conn:
            cid, _status = self._require(conn, case_id)
            conn.execute("UPDATE cases SET exported_at = ? WHERE id = ?", (at, cid))
            _append_event(conn, at, officer, EventType.CASE_EXPORTED, cid)

    def delete_case(
        self, case_id: str, *, officer: str | None, now: datetime | None = None
    ) -> None:
        """Delete a case with its answers, notes, flags and metadata; the audit log keeps a
        ``case_deleted`` event.

        Deleted content is overwritten in the database file (``secure_delete``) and the
        write-ahead log is emptied afterwards when no other session is reading.

        Args:
            case_id: The case.
            officer: Who deleted it.
            now: The time; the store's clock when omitted.

        Raises:
            StoreError: Unknown case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        with self._write(f"delete case {_show(case_id)}") as conn:
            cid, _ = self._require(conn, case_id)
            conn.execute("DELETE FROM cases WHERE id = ?", (cid,))
            _append_event(conn, at, officer, EventType.CASE_DELETED, cid)
        self._scrub_wal()

    def purge(
        self,
        older_than: timedelta,
        *,
        now: datetime | None = None,
        officer: str | None = None,
    ) -> list[str]:
        """Delete every case not updated for ``older_than``, in one transaction.

        Args:
            older_than: The retention period; cases whose last update is earlier than
                ``now - older_than`` go.
            now: The time; the store's clock when omitted.
            officer: Who purged.

        Returns:
            The deleted case ids, sorted.

        Raises:
            StoreError: The store cannot be written.
            ValueError: ``older_than`` is negative.
        """
        if older_than < timedelta(0):
            raise ValueError("the retention period must not be negative")
        moment = self._moment(now)
        at = _stamp(moment)
        cutoff = _stamp(moment - older_than)
        with self._write("purge old cases") as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM cases WHERE updated_at < ? ORDER BY id", (cutoff,)
                )
            ]
            for cid in ids:
                conn.execute("DELETE FROM cases WHERE id = ?", (cid,))
                _append_event(conn, at, officer, EventType.CASE_PURGED, cid)
        if ids:
            self._scrub_wal()
        return ids

    # -- reads -----------------------------------------------------------------------------

    def get_case(self, case_id: str) -> Case:
        """Everything recorded for a case, read in one consistent snapshot.

        Args:
            case_id: The case id (letter case does not matter).

        Returns:
            The case.

        Raises:
            StoreError: Unknown case, or the store cannot be read.
        """
        with self._read(f"read case {_show(case_id)}") as conn:
            cid, _ = self._require(conn, case_id)
            row = conn.execute(
                "SELECT id, status, questionnaire_id, questionnaire_version,"
                " questionnaire_sha256, language, ui_language, officer, created_at, updated_at,"
                " completed_at, exported_at, referral_json FROM cases WHERE id = ?",
                (cid,),
            ).fetchone()
            history = tuple(
                AnswerRecord(
                    question_id=qid,
                    value=json.loads(value_json),
                    officer=officer,
                    recorded_at=_parse(recorded_at),
                )
                for qid, value_json, officer, recorded_at in conn.execute(
                    "SELECT question_id, value_json, officer, recorded_at FROM answers"
                    " WHERE case_id = ? ORDER BY seq",
                    (cid,),
                )
            )
            notes: dict[str, list[str]] = {}
            for qid, text in conn.execute(
                "SELECT question_id, text FROM notes WHERE case_id = ? ORDER BY seq", (cid,)
            ):
                notes.setdefault(qid, []).append(text)
            flags = frozenset(
                flag
                for (flag,) in conn.execute(
                    "SELECT flag_id FROM acknowledged_flags WHERE case_id = ?", (cid,)
                )
            )
            meta: dict[str, JSONValue] = {
                key: json.loads(value_json)
                for key, value_json in conn.execute(
                    "SELECT key, value_json FROM case_meta WHERE case_id = ? ORDER BY key",
                    (cid,),
                )
            }
        answers: dict[str, JSONValue] = {}
        for record in history:
            if record.value is None:  # cleared
                answers.pop(record.question_id, None)
            else:
                answers[record.question_id] = record.value
        return Case(
            id=row[0],
            status=CaseStatus(row[1]),
            questionnaire_id=row[2],
            questionnaire_version=row[3],
            questionnaire_sha256=row[4],
            language=row[5],
            ui_language=row[6],
            officer=row[7],
            created_at=_parse(row[8]),
            updated_at=_parse(row[9]),
            completed_at=_parse_optional(row[10]),
            exported_at=_parse_optional(row[11]),
            answers=answers,
            answer_history=history,
            notes=notes,
            acknowledged_flags=flags,
            meta=meta,
            referral_json=row[12],
        )

    def list_cases(self, status: CaseStatus | str | None = None) -> list[CaseSummary]:
        """The cases, most recently updated first, without any answer content.

        Args:
            status: Only cases with this status (``draft`` or ``complete``).

        Returns:
            One summary per case.

        Raises:
            StoreError: Unknown status, or the store cannot be read.
        """
        query = (
            "SELECT c.id, c.status, c.questionnaire_id, c.questionnaire_version, c.created_at,"
            " c.updated_at, c.officer,"
            " (SELECT COUNT(*) FROM answers a WHERE a.case_id = c.id AND a.value_json <> 'null'"
            "  AND a.seq = (SELECT MAX(b.seq) FROM answers b"
            "   WHERE b.case_id = a.case_id AND b.question_id = a.question_id))"
            " FROM cases c"
        )
        params: tuple[str, ...] = ()
        if status is not None:
            try:
                wanted = CaseStatus(status)
            except ValueError:
                raise StoreError(
                    f"{_show(str(status))} is not a case status",
                    hint="Use one of: " + ", ".join(s.value for s in CaseStatus) + ".",
                ) from None
            query += " WHERE c.status = ?"
            params = (wanted.value,)
        query += " ORDER BY c.updated_at DESC, c.id"
        with self._read("list the cases") as conn:
            rows = conn.execute(query, params).fetchall()
        return [
            CaseSummary(
                id=row[0],
                status=CaseStatus(row[1]),
                questionnaire_id=row[2],
                questionnaire_version=row[3],
                created_at=_parse(row[4]),
                updated_at=_parse(row[5]),
                officer=row[6],
                answers=row[7],
            )
            for row in rows
        ]

    def audit_head(self) -> str:
        """The hash of the latest audit event (64 zeros for an empty log).

        Raises:
            StoreError: The store cannot be read.
        """
        with self._read("read the audit log") as conn:
            return _chain_state(conn)[1]

    def verify(self, expected_head: str | None = None) -> VerifyResult:
        """Check the database file and recompute the audit chain.

        Args:
            expected_head: A head recorded earlier elsewhere (an exported referral carries
                one); when given, it must still be in the log, which catches a truncated or
                rewritten log even when its recorded state was rewritten too.

        Returns:
            The verdict, naming the first broken link.

        Raises:
            StoreError: ``expected_head`` is not a hash, or the store cannot be read.
        """
        if expected_head is not None and not _HEAD.fullmatch(expected_head):
            raise StoreError(
                f"{_show(expected_head)} is not an audit head",
                hint="A head is 64 hexadecimal digits, as printed in an exported referral.",
            )
        with self._read("verify the audit log") as conn:
            damage = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if damage != ["ok"]:
                return VerifyResult(
                    ok=False,
                    events=0,
                    head=GENESIS_HASH,
                    first_broken=None,
                    message=f"the database file {self.path} is damaged (integrity check failed)",
                )
            events = [
                AuditEvent(*row)
                for row in conn.execute(
                    "SELECT seq, at, officer, event, case_id, question_id, flag_id,"
                    " prev_hash, hash FROM audit_events ORDER BY seq"
                )
            ]
            recorded_events, recorded_head = _chain_state(conn)
        return verify_chain(
            events,
            recorded_events=recorded_events,
            recorded_head=recorded_head,
            expected_head=expected_head,
        )

    # -- internals -------------------------------------------------------------------------

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the case store at {self.path} is closed")
        return self._conn

    def _moment(self, now: datetime | None) -> datetime:
        return self._clock() if now is None else now

    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads first and
        # writes later can fail with SQLITE_BUSY_SNAPSHOT in WAL mode, which no timeout cures.
        with self._transaction("BEGIN IMMEDIATE", action) as conn:
            yield conn

    @contextlib.contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._transaction("BEGIN", action) as conn:
            yield conn

    @contextlib.contextmanager
    def _transaction(self, begin: str, action: str) -> Iterator[sqlite3.Connection]:
        conn = self._live()
        try:
            conn.execute(begin)
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise _translate(exc, action, self.path, self.busy_timeout) from exc
        except BaseException:
            _rollback(conn)
            raise

    def _find(self, conn: sqlite3.Connection, case_id: str) -> tuple[str, CaseStatus] | None:
        row = conn.execute("SELECT id, status FROM cases WHERE id = ?", (case_id,)).fetchone()
        return None if row is None else (row[0], CaseStatus(row[1]))

    def _require(self, conn: sqlite3.Connection, case_id: str) -> tuple[str, CaseStatus]:
        found = self._find(conn, case_id)
        if found is None:
            raise StoreError(
                f"no case {_show(case_id)} in {self.path}",
                hint="Run `screening cases list` to see the cases in this store.",
            )
        return found

    def _draft(self, conn: sqlite3.Connection, case_id: str, action: str) -> str:
        cid, status = self._require(conn, case_id)
        if status is CaseStatus.COMPLETE:
            raise StoreError(
                f"cannot {action}: case {cid} is complete and its referral was issued",
                hint="Start a new case to record more.",
            )
        return cid

    def _fresh_case_id(self, conn: sqlite3.Connection, today: date) -> str:
        while True:
            suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_SUFFIX_LENGTH))
            candidate = f"C-{today:%Y-%m-%d}-{suffix}"
            if self._find(conn, candidate) is None:
                return candidate

    def _scrub_wal(self) -> None:
        # The write-ahead log still holds the old pages of a deleted case until a checkpoint
        # copies the new pages back and truncates it. Another session reading at the same time
        # makes this partial; the next checkpoint finishes it, so failure here is not an error.
        with contextlib.suppress(sqlite3.Error):
            self._live().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


# -- module helpers ------------------------------------------------------------------------


def _tighten(path: Path, *, directory: bool) -> None:
    """Remove group and other permissions from ``path`` if it exists."""
    if os.name == "nt":
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(
            f"cannot open the case store: {path} cannot be read ({exc.strerror or exc})",
            hint="Check its permissions, or set SCREENING_HOME to a directory of your own.",
        ) from exc
    if mode & 0o077:
        try:
            os.chmod(path, mode & 0o700)
        except OSError as exc:
            wanted = "700" if directory else "600"
            raise StoreError(
                f"{path} can be read by other users and its permissions cannot be tightened"
                f" ({exc.strerror or exc})",
                hint=f"Run `chmod {wanted} {path}` as its owner, or set SCREENING_HOME to a "
                "directory of your own.",
            ) from exc


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    action = "open the case store"
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise _translate(exc, action, path, busy_timeout) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(
                f"cannot open the case store: {path} does not support write-ahead logging",
                hint="Set SCREENING_HOME to a directory on a local disk (not a network share).",
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, path)
    except sqlite3.Error as exc:
        _rollback(conn)
        conn.close()
        raise _translate(exc, action, path, busy_timeout) from exc
    except BaseException:
        _rollback(conn)
        conn.close()
        raise
    return conn


def _header(conn: sqlite3.Connection) -> tuple[int, int, int]:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    application = conn.execute("PRAGMA application_id").fetchone()[0]
    objects = conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()[0]
    return int(version), int(application), int(objects)


def _check_header(path: Path, version: int, application: int, objects: int) -> None:
    empty = version == 0 and application == 0 and objects == 0
    if application != APPLICATION_ID and not empty:
        raise StoreError(
            f"cannot open the case store: {path} is an SQLite database of another program",
            hint="Set SCREENING_HOME to another directory; the file was not changed.",
        )
    if version > len(MIGRATIONS):
        raise StoreError(
            f"cannot open the case store: {path} was created by a newer version of screening; "
            f"upgrade (the store has schema {version}, this version reads up to "
            f"{len(MIGRATIONS)})",
            hint=f"Install the newer screening to use this store; {_KEPT}.",
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version, application, objects = _header(conn)
    _check_header(path, version, application, objects)
    if version == len(MIGRATIONS):
        return
    conn.execute("BEGIN IMMEDIATE")
    # Another process may have created or upgraded the store while this one waited.
    version, application, objects = _header(conn)
    _check_header(path, version, application, objects)
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    conn.execute("COMMIT")


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _translate(exc: sqlite3.Error, action: str, path: Path, busy_timeout: float) -> StoreError:
    """One clear error for a failed SQLite call; never the statement or its values."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = _MESSAGE_CODES.get(str(exc)) if code is None else code & 0xFF
    if primary == _SQLITE_FULL:
        return StoreError(
            f"cannot {action}: the disk holding {path} is full",
            hint=f"Free some disk space, then try again; {_KEPT}.",
        )
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreError(
            f"cannot {action}: {path} stayed locked by another screening session for more "
            f"than {busy_timeout:g} s",
            hint=f"Let the other session finish its write, then try again; {_KEPT}.",
        )
    if primary in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM, _SQLITE_AUTH):
        return StoreError(
            f"cannot {action}: {path} or its directory is not writable",
            hint=f"Make {path.parent} and the files in it writable by you, or set "
            f"SCREENING_HOME to a writable directory; {_KEPT}.",
        )
    if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
        return StoreError(
            f"cannot {action}: {path} is damaged or is not a screening case store",
            hint="Move the file aside (keep it: it may be recoverable) and restore it from a "
            "backup; with the file moved away, the next run starts an empty store.",
        )
    if primary == _SQLITE_IOERR:
        return StoreError(
            f"cannot {action}: reading or writing {path} failed (disk error)",
            hint=f"Check the disk and the file system, then try again; {_KEPT}.",
        )
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return StoreError(
        f"cannot {action}: the case store at {path} failed ({name})",
        hint="Run `screening cases verify` to check the store.",
    )


def _append_event(
    conn: sqlite3.Connection,
    at: str,
    officer: str | None,
    event: EventType,
    case_id: str,
    *,
    question_id: str | None = None,
    flag_id: str | None = None,
) -> None:
    events, head = _chain_state(conn)
    seq = events + 1
    digest = chain_hash(
        head,
        canonical_json(
            seq=seq,
            at=at,
            officer=officer,
            event=event.value,
            case_id=case_id,
            question_id=question_id,
            flag_id=flag_id,
        ),
    )
    conn.execute(
        "INSERT INTO audit_events (seq, at, officer, event, case_id, question_id, flag_id,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, officer, event.value, case_id, question_id, flag_id, head, digest),
    )
    conn.execute("UPDATE chain_state SET events = ?, head = ? WHERE id = 1", (seq, digest))


def _chain_state(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT events, head FROM chain_state WHERE id = 1").fetchone()
    if row is None:
        raise StoreError(
            "the audit log's state is missing from the case store",
            hint="Run `screening cases verify` and restore the store from a backup.",
        )
    return int(row[0]), str(row[1])


def _touch(conn: sqlite3.Connection, case_id: str, at: str) -> None:
    conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (at, case_id))


_CLEARED = "null"
"""The stored value of a withdrawn answer (JSON null is never an answer)."""


def _dump(value: JSONInput, what: str) -> str:
    try:
        return json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError):
        # json's own message can quote the value, which may be personal data.
        raise TypeError(f"{what} cannot be stored as JSON") from None


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times given to the case store must be timezone-aware")
    return moment.astimezone(UTC).strftime(_STAMP)


def _parse(text: str) -> datetime:
    return datetime.strptime(text, _STAMP).replace(tzinfo=UTC)


def _parse_optional(text: str | None) -> datetime | None:
    return None if text is None else _parse(text)


def _show(text: str) -> str:
    """A user-typed id, fit for a one-line message: printable and short."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= 64 else cleaned[:63] + "…"
