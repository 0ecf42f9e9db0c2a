"""The embedded case store: one SQLite database file, written with the standard library.

Every write is one ``BEGIN IMMEDIATE`` transaction, committed with ``synchronous=FULL`` in WAL
mode before the method returns, so an answer that was acknowledged survives ``kill -9`` and a
power cut, and two processes writing at once take turns instead of losing each other's rows.
The change and its audit event (with the digests of what it changed) are written in the same
transaction, which also checks that this store still holds the case's lease (one writer per
case). After each commit the audit head is written to the anchor file beside the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import socket
import sqlite3
import stat
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Protocol, Self

from screening.errors import LeaseError, StoreError
from screening.i18n import tn

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: anchor writes are not locked there
    fcntl = None  # type: ignore[assignment]
from screening.store.audit import (
    AuditEvent,
    CaseRow,
    RecordRow,
    canonical_json,
    case_digest,
    chain_hash,
    group_digest,
    keyed_digest,
    meta_digest,
    record_digest,
    verify_chain,
    verify_data,
)
from screening.store.crypto import Keyring, KeyUnavailable, SealedValueError
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
from screening.store.paths import DATABASE_NAME, check_home, default_home, prepare_home

__all__ = [
    "ANCHOR_SUFFIX",
    "APPLICATION_ID",
    "DEFAULT_BUSY_TIMEOUT",
    "MIGRATIONS",
    "NOTICE_AFTER",
    "STORE_VARIABLE",
    "SqliteStore",
    "anchor_path",
    "open_store",
]

APPLICATION_ID: Final = 0x5343524E
"""Stored in the database header ("SCRN") so that a foreign SQLite file is never taken for ours."""

DEFAULT_BUSY_TIMEOUT: Final = 30.0
"""Seconds a write waits for another session's transaction before giving up."""

NOTICE_AFTER: Final = 0.5
"""Seconds a write waits for the lock before the store says that it is waiting."""

ANCHOR_SUFFIX: Final = ".anchor"
"""The anchor file is the database's name with this suffix, beside it."""

_ANCHOR_MAGIC: Final = "screening-audit-anchor 1"
_ANCHOR_LENGTH: Final = len(_ANCHOR_MAGIC) + 1 + 20 + 1 + 64 + 1

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


def _seal_earlier_cases(conn: Conn) -> None:
    """Give every case of a schema 1 store its secret and one event sealing its records.

    Schema 1 events carry no digests of the data; from here on every record points to the
    event that wrote it, and the records written before point to the case's ``case_upgraded``
    event, whose digest covers them all.
    """
    at = _stamp(datetime.now(UTC))
    for (cid,) in conn.execute("SELECT id FROM cases ORDER BY created_at, id").fetchall():
        salt = secrets.token_hex(32)
        conn.execute("UPDATE cases SET salt = ? WHERE id = ?", (salt, cid))
        _store_meta_hash(conn, cid, salt)
        records = _records(conn, cid)
        events, _head = _chain_state(conn)
        digest = group_digest(salt, (r.digest(salt) for r in records))
        for table, rows in (
            ("answers", [r.seq for r in records if r.kind == "answer"]),
            ("notes", [r.seq for r in records if r.kind == "note"]),
        ):
            conn.executemany(
                f"UPDATE {table} SET event_seq = ? WHERE seq = ?",  # noqa: S608 - table names above
                [(events + 1, seq) for seq in rows],
            )
        conn.executemany(
            "UPDATE acknowledged_flags SET event_seq = ? WHERE case_id = ? AND flag_id = ?",
            [(events + 1, cid, r.subject) for r in records if r.kind == "flag"],
        )
        state = _load_case(conn, cid, codec=_LEGACY)
        assert state is not None
        _append_event(
            conn, at, None, EventType.CASE_UPGRADED, cid, data=digest, case=state.digest()
        )


_V2: Final = (
    "ALTER TABLE cases ADD COLUMN salt TEXT",
    "ALTER TABLE cases ADD COLUMN meta_hash TEXT",
    "ALTER TABLE answers ADD COLUMN event_seq INTEGER",
    "ALTER TABLE notes ADD COLUMN event_seq INTEGER",
    "ALTER TABLE acknowledged_flags ADD COLUMN event_seq INTEGER",
    "ALTER TABLE audit_events ADD COLUMN data_hash TEXT",
    "ALTER TABLE audit_events ADD COLUMN case_hash TEXT",
    # Each answer rewrote a page of each of these two indexes in its commit; nothing reads the
    # events by case any more, and the few thousand cases of a store scan fast by time.
    "DROP INDEX audit_events_by_case",
    "DROP INDEX cases_by_updated_at",
    """
    CREATE TABLE leases (
        case_id TEXT PRIMARY KEY COLLATE NOCASE REFERENCES cases (id) ON DELETE CASCADE,
        token TEXT NOT NULL,
        officer TEXT,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        since TEXT NOT NULL
    )
    """,
    _seal_earlier_cases,
)

Migration = tuple["str | Callable[[Conn], None]", ...]


def _fill_case_facts(conn: Conn) -> None:
    """Keep the statistics' facts of the cases there before they were kept."""
    for cid, referral in conn.execute("SELECT id, referral_json FROM cases").fetchall():
        answers = _fact_answers(conn, str(cid))
        summary = None if referral is None else _referral_summary(str(referral), answers)
        if summary is not None:
            _write_facts(conn, str(cid), summary)
            continue
        for question_id, value in answers.items():
            _write_answer_fact(conn, str(cid), question_id, json.dumps(value))


_V3: Final = (
    # What `cases stats` counts, one narrow row per completed case (and one per indicator and
    # flag), so that 100,000 cases are counted by the database in a fraction of a second. They
    # are derived from the referral (covered by the chain) and its metadata summary.
    """
    CREATE TABLE case_facts (
        case_id TEXT PRIMARY KEY COLLATE NOCASE REFERENCES cases (id) ON DELETE CASCADE,
        outcome TEXT,
        urgent INTEGER,
        complete INTEGER,
        sector TEXT,
        nationality TEXT
    )
    """,
    """
    CREATE TABLE case_fact_items (
        case_id TEXT NOT NULL COLLATE NOCASE REFERENCES cases (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        item TEXT NOT NULL,
        PRIMARY KEY (case_id, kind, item)
    )
    """,
    # Each count reads one of these indexes, in order, instead of sorting the table; they are
    # written when a case is completed (and by nothing an answer writes).
    "CREATE INDEX case_facts_by_outcome ON case_facts (outcome, urgent, complete)",
    "CREATE INDEX case_facts_by_sector ON case_facts (sector)",
    "CREATE INDEX case_facts_by_nationality ON case_facts (nationality)",
    "CREATE INDEX case_fact_items_by_item ON case_fact_items (kind, item)",
    "CREATE INDEX cases_by_status ON cases (status, created_at)",
    _fill_case_facts,
)

_V4: Final = (
    # Encryption at rest (`screening keys init`): the store's id and key generation, and the
    # data keys as each holder wraps them; a case's generation (NULL: stored in the clear).
    "CREATE TABLE store_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """
    CREATE TABLE store_keys (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        label TEXT,
        gen INTEGER NOT NULL,
        kdf TEXT,
        wrapped TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "ALTER TABLE cases ADD COLUMN key_gen INTEGER",
)

MIGRATIONS: list[Migration] = [_V1, _V2, _V3, _V4]
"""The schema's history: entry ``n`` takes a store from ``user_version`` n to n + 1.

An entry is SQL statements, or functions given the connection inside the same transaction.
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

STORE_VARIABLE: Final = "SCREENING_STORE"
"""Where the case store is: a folder (as ``SCREENING_HOME``) or a ``postgresql://`` URL."""

_URL: Final = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


class Cursor(Protocol):
    """What the store reads back from a statement (a DB-API cursor)."""

    @property
    def rowcount(self) -> int:
        """The number of rows the statement changed."""
        ...

    def fetchone(self) -> Any:
        """The next row, or None."""
        ...

    def fetchall(self) -> list[Any]:
        """The remaining rows."""
        ...

    def __iter__(self) -> Any:
        """The remaining rows, one by one."""
        ...


class Conn(Protocol):
    """The part of a database connection the store's statements use (``?`` placeholders).

    ``sqlite3.Connection`` is one; the PostgreSQL store wraps its connection to be another, so
    that both backends run the same statements for the same behaviour.
    """

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor:
        """Run one statement."""
        ...

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        """Run one statement for each set of parameters."""
        ...


def open_store(
    home: Path | str | None = None,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    clock: Clock | None = None,
    on_wait: Callable[[str], None] | None = None,
    allow_read_only: bool = False,
) -> SqliteStore:
    """Open the case store in ``home``, creating or upgrading it as needed.

    ``home`` (else ``SCREENING_STORE``, else ``SCREENING_HOME`` or the user's data folder) is
    a folder, or a ``postgresql://`` URL: then the store is the shared database
    (:class:`~screening.store.postgres.PostgresStore`), and the folder options do not apply.

    The directory is created with mode 0700 when missing; an existing one is never re-moded,
    and is refused when it belongs to another user or others may write in it (see
    :func:`~screening.store.paths.prepare_home`). The database files get 0600. The file's
    header (SQLite, this program's ``application_id``, a schema this version knows) is checked
    before anything is changed.

    Args:
        home: The store's directory or URL; :func:`~screening.store.paths.default_home` when
            omitted and ``SCREENING_STORE`` is unset.
        busy_timeout: Seconds a write waits for another session before failing.
        clock: Returns the current, timezone-aware time; the system clock when omitted.
        on_wait: Called with a sentence when a write has waited :data:`NOTICE_AFTER` seconds
            for another session's lock and goes on waiting.
        allow_read_only: For commands that only read: a store that cannot be written (a
            read-only file, directory or medium) is opened for reading instead of refused.

    Returns:
        The open store; close it, or use it as a context manager.

    Raises:
        StoreError: The directory cannot be created or written, the file is damaged or not a
            case store, it was created by a newer version, or it stayed locked too long.

    Example:
        >>> with open_store() as store:  # doctest: +SKIP
        ...     case_id = store.create_case(questionnaire_id="ilo-2009", ...)
    """
    if home is None:
        home = os.environ.get(STORE_VARIABLE, "").strip() or None
    if isinstance(home, str) and _URL.match(home.strip()):
        from screening.store.postgres import PostgresStore

        return PostgresStore.connect(
            home.strip(), busy_timeout=busy_timeout, clock=clock, on_wait=on_wait
        )
    directory = default_home() if home is None else Path(home).expanduser().absolute()
    return SqliteStore.open(
        directory,
        busy_timeout=busy_timeout,
        clock=clock,
        on_wait=on_wait,
        allow_read_only=allow_read_only,
    )


def anchor_path(database: Path) -> Path:
    """The anchor file of a store's database: ``cases.sqlite3.anchor`` beside it."""
    return database.with_name(database.name + ANCHOR_SUFFIX)


def _system_clock() -> datetime:
    return datetime.now(UTC).astimezone()


_PENDING: Final = "(computed from the clear text when needed)"

_FIELD_NAMES: Final = {
    "answer": "the answer to question {subject} of case {case}",
    "note": "a note on question {subject} of case {case}",
    "referral": "the referral of case {case}",
    "meta": "the metadata item {subject} of case {case}",
    "salt": "the secret of case {case}",
}


class _Codec:
    """How a store turns stored values into clear text and back: through the unlocked keyring
    for a case of an encrypted generation, unchanged for a case stored in the clear.

    ``problems``, when given, collects what does not decrypt (``cases verify``) instead of
    raising, and a placeholder that matches no digest stands for the value.
    """

    def __init__(
        self,
        keyring: Keyring | None,
        where: str,
        problems: list[str] | None = None,
        extend: Callable[[Conn], None] | None = None,
    ) -> None:
        self.keyring = keyring
        self.where = where
        self.problems = problems
        self.extend = extend

    def ensure(self, conn: Conn, gen: object) -> None:
        """Before reading a case of generation ``gen``: unwrap that key if a rotation
        started since this store was unlocked."""
        if (
            gen is not None
            and self.keyring is not None
            and self.extend is not None
            and not self.keyring.has(int(str(gen)))
        ):
            self.extend(conn)

    def open(self, gen: int | None, cid: str, name: str, subject: str | None, stored: str) -> str:
        if gen is None:
            return stored
        if self.keyring is not None and not self.keyring.has(gen) and self.problems is not None:
            self.problems.append(
                f"case {cid} names key generation {gen}, which the store's keys do not hold: "
                "it was changed outside screening"
            )
            return _placeholder(name)
        if self.keyring is None or not self.keyring.has(gen):
            raise _locked(self.where)
        try:
            return self.keyring.open(gen, cid, name, subject, stored)
        except SealedValueError:
            what = _FIELD_NAMES[name].format(subject=subject, case=cid)
            message = (
                f"{what} does not decrypt with the store's key: it was altered, or copied "
                "from another case, question or field, outside screening"
            )
            if self.problems is not None:
                self.problems.append(message)
                return _placeholder(name)
            raise StoreError(
                f"cannot read {self.where}: {message}",
                hint="Run `screening cases verify` to list every damaged value, and restore the "
                "store from a backup.",
            ) from None

    def seal(self, gen: int | None, cid: str, name: str, subject: str | None, text: str) -> str:
        if gen is None:
            return text
        if self.keyring is None or not self.keyring.has(gen):
            raise _locked(self.where)
        return self.keyring.seal(gen, cid, name, subject, text)


def _placeholder(name: str) -> str:
    """What stands for a value that does not decrypt, in ``verify``: it matches no digest (a
    secret of zeros, for a case's secret, so that its digests can still be computed)."""
    return "00" * 32 if name == "salt" else "\x00undecryptable"


def _locked(where: str) -> StoreError:
    return StoreError(
        f"the case store {where} is encrypted and its key is not unlocked in this command "
        "(or was changed by `screening keys` while it ran)",
        hint="Run the command again: type the passphrase or recovery key when asked, or set "
        "SCREENING_KEY_FILE to the store's key file.",
    )


_CLEAR: Final = _Codec(None, "the case store")
_LEGACY: Final = _Codec(None, "the case store")  # a store before schema 4 (no key_gen column)


class _CaseState:
    """A case's row read inside a write transaction, with its lease."""

    __slots__ = (
        "_codec",
        "_question",
        "_salt",
        "_stored_salt",
        "chain",
        "fields",
        "gen",
        "last_answer",
        "lease",
        "referral_json",
    )

    def __init__(
        self, row: tuple[object, ...], codec: _Codec | None = None, question: str | None = None
    ) -> None:
        (
            cid,
            status,
            qid,
            version,
            sha,
            language,
            ui_language,
            officer,
            created,
            updated,
            completed,
            exported,
            referral,
            salt,
            meta_hash,
            *rest,
        ) = row
        self._codec = codec or _CLEAR
        self._question = question
        self.referral_json = referral if isinstance(referral, str) else None
        events, head, last, gen = rest[5:]
        self.gen: int | None = None if gen is None else int(str(gen))
        self.fields: dict[str, str | int | None] = {
            "id": str(cid),
            "status": str(status),
            "questionnaire_id": str(qid),
            "questionnaire_version": str(version),
            "questionnaire_sha256": str(sha),
            "language": str(language),
            "ui_language": str(ui_language),
            "officer": None if officer is None else str(officer),
            "created_at": str(created),
            "updated_at": str(updated),
            "completed_at": None if completed is None else str(completed),
            "exported_at": None if exported is None else str(exported),
            "referral_sha256": None,
            "meta_hash": None if meta_hash is None else str(meta_hash),
        }
        self._stored_salt = str(salt) if salt is not None else ""
        self._salt: str | None = self._stored_salt
        if self.gen is not None and self._stored_salt:
            self._salt = None  # decrypted when first needed
        if self.referral_json is not None:
            if self.gen is None:
                self.fields["referral_sha256"] = _referral_sha(self.referral_json)
            else:
                self.fields["referral_sha256"] = _PENDING
        self.lease = tuple(rest[:5])
        if events is None or head is None:
            raise StoreError(
                "the audit log's state is missing from the case store",
                hint="Run `screening cases verify` and restore the store from a backup.",
            )
        self.chain = (int(str(events)), str(head))
        self.last_answer = None if last is None else str(last)
        if self.last_answer is not None and self.last_answer != _CLEARED:
            self.last_answer = self._codec.open(
                self.gen, self.id, "answer", question, self.last_answer
            )

    @property
    def id(self) -> str:
        return str(self.fields["id"])

    @property
    def salt(self) -> str:
        """The case's secret (the key of its digests), decrypted when it is encrypted."""
        if self._salt is None:
            self._salt = self._codec.open(self.gen, self.id, "salt", None, self._stored_salt)
        return self._salt

    def resolve(self) -> None:
        """Fill in what is computed from encrypted fields (the referral's sha256)."""
        if self.fields["referral_sha256"] == _PENDING and self.referral_json is not None:
            self.fields["referral_sha256"] = _referral_sha(
                self._codec.open(self.gen, self.id, "referral", None, self.referral_json)
            )

    def seal(self, name: str, subject: str | None, text: str) -> str:
        """``text`` as this case stores it (encrypted under its generation's key, if any)."""
        return self._codec.seal(self.gen, self.id, name, subject, text)

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(str(self.fields["status"]))

    def digest(self) -> str:
        self.resolve()
        return case_digest(self.salt, self.fields)

    def holder(self) -> LeaseHolder | None:
        token, officer, host, pid, since = self.lease
        if token is None:
            return None
        try:
            moment = _parse(str(since))
        except ValueError:  # edited by hand: show the lease all the same
            moment = datetime.fromtimestamp(0, UTC)
        return LeaseHolder(
            officer=None if officer is None else str(officer),
            host=str(host),
            pid=pid if isinstance(pid, int) else 0,
            since=moment,
        )


_CASE_SELECT: Final = (
    "SELECT c.id, c.status, c.questionnaire_id, c.questionnaire_version,"
    " c.questionnaire_sha256, c.language, c.ui_language, c.officer, c.created_at, c.updated_at,"
    " c.completed_at, c.exported_at, c.referral_json, c.salt, c.meta_hash,"
    " l.token, l.officer, l.host, l.pid, l.since, s.events, s.head,"
    " (SELECT a.value_json FROM answers a WHERE a.case_id = c.id AND a.question_id = ?"
    "  ORDER BY a.seq DESC LIMIT 1), c.key_gen"
    " FROM cases c LEFT JOIN leases l ON l.case_id = c.id"
    " LEFT JOIN chain_state s ON s.id = 1"
)


_CASE_SELECT_V2: Final = _CASE_SELECT.replace(", c.key_gen", ", NULL")


def _load_case(
    conn: Conn, case_id: str, question_id: str | None = None, codec: _Codec | None = None
) -> _CaseState | None:
    """The case's row, lease and the log's state; with the current answer to a question."""
    select = _CASE_SELECT if codec is not _LEGACY else _CASE_SELECT_V2
    row = conn.execute(select + " WHERE c.id = ?", (question_id, case_id)).fetchone()
    if row is None:
        return None
    if codec is not None:
        codec.ensure(conn, row[-1])
    return _CaseState(row, codec, question_id)


def _referral_sha(referral_json: str | None) -> str | None:
    if referral_json is None:
        return None
    return hashlib.sha256(referral_json.encode("utf-8")).hexdigest()


class SqliteStore:
    """The embedded case store (see :class:`~screening.store.CaseStore` for the contract).

    One object holds one connection and must be used from the thread that opened it; open one
    store per thread or process. Other processes may use the same file at the same time.

    Attributes:
        path: The database file.
        read_only: The store was opened for reading only (see ``allow_read_only``).
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        *,
        busy_timeout: float,
        clock: Clock,
        on_wait: Callable[[str], None] | None = None,
        read_only: bool = False,
    ) -> None:
        """Wrap an open, migrated connection; use :func:`open_store` instead."""
        self._conn: sqlite3.Connection | None = connection
        self.path = path
        self.where = str(path)
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self._clock = clock
        self._on_wait = on_wait
        self._leases: dict[str, str] = {}
        self._anchor_fd: int | None = None
        self._anchored: tuple[int, str] | None = None
        self._init_crypto()

    @classmethod
    def open(
        cls,
        home: Path,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Clock | None = None,
        on_wait: Callable[[str], None] | None = None,
        allow_read_only: bool = False,
    ) -> Self:
        """Open or create the store in directory ``home`` (see :func:`open_store`)."""
        path = home / DATABASE_NAME
        clock = clock or _system_clock
        if allow_read_only and _exists(path) and not _writable(home, path):
            check_home(home)  # the same checks, nothing created or changed
            connection = _connect_read_only(path)
            return cls(connection, path, busy_timeout=busy_timeout, clock=clock, read_only=True)
        prepare_home(home)
        # SQLite creates the database, -wal and -shm files with the process umask: keep them
        # private from the first byte rather than fixing the mode afterwards. The umask is
        # process-wide, so this window is kept as short as the creation itself.
        previous = os.umask(0o077)
        try:
            connection, created = _connect(path, busy_timeout)
        finally:
            os.umask(previous)
        try:
            for name in (path, _sidecar(path, "-wal"), _sidecar(path, "-shm")):
                _tighten(name, directory=False)
            if created:
                events, head = _chain_state(connection)
                _create_anchor(anchor_path(path), events, head)
        except StoreError:
            connection.close()
            raise
        return cls(connection, path, busy_timeout=busy_timeout, clock=clock, on_wait=on_wait)

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
        if self._anchor_fd is not None:
            fd, self._anchor_fd = self._anchor_fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
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
        meta: Mapping[str, JSONInput] | None = None,
        lease: bool = False,
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
            meta: Case metadata written in the same transaction (the interview's settings).
            lease: Take the case's lease for this store in the same transaction.

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
        _check_officer("create a case", officer)
        items = [
            (key, _dump(value, f"the case metadata {key!r}")) for key, value in (meta or {}).items()
        ]
        self._need_key()
        with self._write("create a case") as conn:
            if case_id is None:
                new_id = self._fresh_case_id(conn, moment.date())
            else:
                if self._find(conn, case_id) is not None:
                    raise StoreError(
                        f"a case {case_id} exists already in {self.where}",
                        hint="Choose another id, or leave it out to get a new one.",
                    )
                new_id = case_id
            salt = secrets.token_hex(32)
            gen = self._current_gen(conn)
            codec = self._codec()
            codec.ensure(conn, gen)
            conn.execute(
                "INSERT INTO cases (id, status, questionnaire_id, questionnaire_version,"
                " questionnaire_sha256, language, ui_language, officer, created_at, updated_at,"
                " salt, meta_hash, key_gen) VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    codec.seal(gen, new_id, "salt", None, salt),
                    meta_digest(salt, items),
                    gen,
                ),
            )
            conn.executemany(
                "INSERT INTO case_meta (case_id, key, value_json) VALUES (?, ?, ?)",
                [
                    (new_id, key, codec.seal(gen, new_id, "meta", key, value))
                    for key, value in items
                ],
            )
            if lease:
                self._take_lease(conn, new_id, officer, at)
            state = self._state(conn, new_id)
            self._anchored = _append_event(
                conn,
                at,
                officer,
                EventType.CASE_CREATED,
                new_id,
                data=state.fields["meta_hash"],
                case=state.digest(),
                state=state.chain,
            )
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
            LeaseError: Another terminal holds the case, or took it over from this one.
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
            LeaseError: Another terminal holds the case, or took it over from this one.
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
        _check_officer(action, officer)
        at = _stamp(self._moment(now))
        self._need_key()
        with self._write(action) as conn:
            state = self._draft(conn, case_id, action, question_id)
            cid = state.id
            previous = state.last_answer
            if (_CLEARED if previous is None else previous) == value_json:
                return False
            events = state.chain[0]
            stored = (
                value_json
                if value_json == _CLEARED
                else state.seal("answer", question_id, value_json)
            )
            conn.execute(
                "INSERT INTO answers (case_id, question_id, value_json, officer, recorded_at,"
                " event_seq) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, question_id, stored, officer, at, events + 1),
            )
            if question_id in FACT_QUESTIONS and state.gen is None:
                # An encrypted case keeps no choice value in clear: the statistics read it
                # from the encrypted answer when the key is unlocked.
                _write_answer_fact(conn, cid, question_id, value_json)
            if value_json == _CLEARED:
                event = EventType.ANSWER_CLEARED
            else:
                event = (
                    EventType.QUESTION_ANSWERED if previous is None else EventType.ANSWER_CHANGED
                )
            data = record_digest(
                state.salt,
                "answer",
                **_answer_fields(cid, question_id, value_json, officer, at),
            )
            self._touch(conn, state, at, officer, event, data)
        return True

    def _touch(
        self,
        conn: Conn,
        state: _CaseState,
        at: str,
        officer: str | None,
        event: EventType,
        data: str,
    ) -> None:
        """A change to a draft case, in its transaction: the case's ``updated_at`` moved to
        ``at`` and the change's audit event appended, with the digests of the record and of
        the case's fields after it."""
        state.fields["updated_at"] = at
        conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (at, state.id))
        self._anchored = _append_event(
            conn, at, officer, event, state.id, data=data, case=state.digest(), state=state.chain
        )

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
            LeaseError: Another terminal holds the case, or took it over from this one.
        """
        at = _stamp(self._moment(now))
        action = f"save the note on question {question_id} of case {_show(case_id)}"
        _check_officer(action, officer)
        self._need_key()
        with self._write(action) as conn:
            state = self._draft(conn, case_id, action)
            cid = state.id
            events = state.chain[0]
            conn.execute(
                "INSERT INTO notes (case_id, question_id, text, officer, recorded_at, event_seq)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (cid, question_id, state.seal("note", question_id, text), officer, at, events + 1),
            )
            data = record_digest(
                state.salt, "note", **_note_fields(cid, question_id, text, officer, at)
            )
            self._touch(conn, state, at, officer, EventType.NOTE_ADDED, data)

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
            LeaseError: Another terminal holds the case, or took it over from this one.
        """
        at = _stamp(self._moment(now))
        action = f"save the acknowledgement of flag {flag_id} in case {_show(case_id)}"
        _check_officer(action, officer)
        self._need_key()
        with self._write(action) as conn:
            state = self._draft(conn, case_id, action)
            cid = state.id
            events = state.chain[0]
            inserted = conn.execute(
                "INSERT INTO acknowledged_flags"
                " (case_id, flag_id, officer, acknowledged_at, event_seq) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (case_id, flag_id) DO NOTHING",
                (cid, flag_id, officer, at, events + 1),
            ).rowcount
            if inserted:
                data = record_digest(state.salt, "flag", **_flag_fields(cid, flag_id, officer, at))
                self._touch(conn, state, at, officer, EventType.FLAG_ACKNOWLEDGED, data)

    def set_meta(
        self, case_id: str, key: str, value: JSONInput, *, now: datetime | None = None
    ) -> None:
        """Set one item of case metadata (consent, position in the interview, ...).

        Allowed on completed cases too. Recorded as a ``case_updated`` audit event whose
        digests cover the metadata.

        Args:
            case_id: The case.
            key: The item's name.
            value: Its value, anything JSON can hold.
            now: The time, kept as the case's last update; the store's clock when omitted.

        Raises:
            StoreError: Unknown case, or the store cannot be written.
            LeaseError: Another terminal holds the case, or took it over from this one.
            TypeError: ``value`` cannot be written as JSON.
        """
        value_json = _dump(value, f"the case metadata {key!r}")
        at = _stamp(self._moment(now))
        self._need_key()
        with self._write(f"save the metadata of case {_show(case_id)}") as conn:
            state = self._state(conn, case_id)
            self._check_lease(state, f"save the metadata of case {state.id}")
            cid = state.id
            conn.execute(
                "INSERT INTO case_meta (case_id, key, value_json) VALUES (?, ?, ?)"
                " ON CONFLICT (case_id, key) DO UPDATE SET value_json = excluded.value_json",
                (cid, key, state.seal("meta", key, value_json)),
            )
            state.fields["meta_hash"] = _store_meta_hash(
                conn, cid, state.salt, self._codec(), state.gen
            )
            data = keyed_digest(state.salt, canonical_json(key=key, value=value_json))
            self._touch(conn, state, at, None, EventType.CASE_UPDATED, data)

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
            LeaseError: Another terminal holds the case, or took it over from this one.
        """
        at = _stamp(self._moment(now))
        action = f"complete case {_show(case_id)}"
        _check_officer(action, officer)
        self._need_key()
        with self._write(action) as conn:
            state = self._draft(conn, case_id, action)
            cid = state.id
            codec = self._codec()
            conn.execute(
                "UPDATE cases SET status = 'complete', referral_json = ?, completed_at = ?,"
                " updated_at = ? WHERE id = ?",
                (state.seal("referral", None, referral_json), at, at, cid),
            )
            summary = _referral_summary(referral_json, _fact_answers(conn, cid, codec, state.gen))
            if summary is not None:
                # What the statistics read, kept small beside the referral (and covered by
                # the chain, as all metadata is).
                conn.execute(
                    "INSERT INTO case_meta (case_id, key, value_json) VALUES (?, ?, ?)"
                    " ON CONFLICT (case_id, key) DO UPDATE SET value_json = excluded.value_json",
                    (cid, SUMMARY_KEY, state.seal("meta", SUMMARY_KEY, summary)),
                )
                state.fields["meta_hash"] = _store_meta_hash(
                    conn, cid, state.salt, codec, state.gen
                )
                _write_facts(conn, cid, summary, sealed=state.gen is not None)
            state.fields.update(
                status=CaseStatus.COMPLETE.value,
                referral_sha256=_referral_sha(referral_json),
                completed_at=at,
                updated_at=at,
            )
            self._anchored = _append_event(
                conn,
                at,
                officer,
                EventType.CASE_COMPLETED,
                cid,
                data=state.fields["referral_sha256"],
                case=state.digest(),
                state=state.chain,
            )

    def mark_exported(
        self, case_id: str, *, officer: str | None, now: datetime | None = None
    ) -> str:
        """Record that a case's referral was exported (a draft's too: personal data left).

        The export is an audit event; it does not count as a change to the case, so it leaves
        ``updated_at`` (and with it the retention clock of ``purge``) as it was.

        Args:
            case_id: The case.
            officer: Who exported it.
            now: The time; the store's clock when omitted.

        Returns:
            The audit head after the export's event: the head the exported document carries.

        Raises:
            StoreError: Unknown case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        _check_officer(f"record the export of case {_show(case_id)}", officer)
        self._need_key()
        with self._write(f"record the export of case {_show(case_id)}") as conn:
            state = self._state(conn, case_id)
            cid = state.id
            conn.execute("UPDATE cases SET exported_at = ? WHERE id = ?", (at, cid))
            state.fields["exported_at"] = at
            appended = self._anchored = _append_event(
                conn,
                at,
                officer,
                EventType.CASE_EXPORTED,
                cid,
                case=state.digest(),
                data=None,
                state=state.chain,
            )
        return appended[1]

    def delete_case(
        self, case_id: str, *, officer: str | None, now: datetime | None = None
    ) -> None:
        """Delete a case with its answers, notes, flags and metadata; the audit log keeps a
        ``case_deleted`` event.

        Deleted content is overwritten in the database file (``secure_delete``) and the
        write-ahead log is emptied afterwards when no other session is reading. The case's
        secret goes with it, so the digests its events carry can no longer be matched against
        anything; the event records the digest of what was removed.

        Args:
            case_id: The case.
            officer: Who deleted it.
            now: The time; the store's clock when omitted.

        Raises:
            StoreError: Unknown case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        _check_officer(f"delete case {_show(case_id)}", officer)
        self._need_key()
        with self._write(f"delete case {_show(case_id)}") as conn:
            state = self._state(conn, case_id)
            self._anchored = _remove(
                conn, state, at, officer, EventType.CASE_DELETED, self._codec()
            )
            self._leases.pop(state.id.casefold(), None)
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
        _check_officer("purge old cases", officer)
        self._need_key()
        with self._write("purge old cases") as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM cases WHERE updated_at < ? ORDER BY id", (cutoff,)
                )
            ]
            for cid in ids:
                self._anchored = _remove(
                    conn, self._state(conn, cid), at, officer, EventType.CASE_PURGED, self._codec()
                )
                self._leases.pop(cid.casefold(), None)
        if ids:
            self._scrub_wal()
        return ids

    def reassign(
        self, case_id: str, officer: str, *, by: str | None, now: datetime | None = None
    ) -> str | None:
        """Give a case to another officer (its ``officer``), with a ``case_updated`` event.

        Args:
            case_id: The case.
            officer: The officer it now belongs to (on the register: their database user).
            by: Who reassigned it.
            now: The time; the store's clock when omitted.

        Returns:
            The officer it belonged to.

        Raises:
            StoreError: Unknown case, a malformed officer id, or the store cannot be written.
            LeaseError: The case is open in a terminal.
        """
        action = f"reassign case {_show(case_id)}"
        _check_officer(action, officer, by)
        if not officer or len(officer) > 64 or not officer.isprintable():
            raise StoreError(
                f"{_show(officer)} is not an officer id",
                hint="Give 1 to 64 printable characters (on the register: a database user).",
            )
        at = _stamp(self._moment(now))
        self._need_key()
        with self._write(action) as conn:
            state = self._state(conn, case_id)
            self._check_lease(state, action)
            previous = state.fields["officer"]
            conn.execute(
                "UPDATE cases SET officer = ?, updated_at = ? WHERE id = ?",
                (officer, at, state.id),
            )
            state.fields.update(officer=officer, updated_at=at)
            self._anchored = _append_event(
                conn,
                at,
                by,
                EventType.CASE_UPDATED,
                state.id,
                data=keyed_digest(state.salt, canonical_json(key="officer", value=officer)),
                case=state.digest(),
                state=state.chain,
            )
        return None if previous is None else str(previous)

    # -- one writer per case -------------------------------------------------------------

    def acquire_lease(
        self,
        case_id: str,
        *,
        officer: str | None,
        take_over: bool = False,
        now: datetime | None = None,
    ) -> LeaseHolder | None:
        """Take the case for this store: from now on other terminals cannot write to it.

        A lease left by a process that has ended on this computer is taken over at once.

        Args:
            case_id: The case.
            officer: Who takes it (shown to a second terminal).
            take_over: Take it even from a holder that may still be running (the officer has
                confirmed that the other terminal is gone).
            now: The time; the store's clock when omitted.

        Returns:
            The holder whose lease was taken over, or None when the case was free.

        Raises:
            LeaseError: Another terminal holds it and ``take_over`` is false; the message
                names the holder and the command that takes it over.
            StoreError: Unknown case, or the store cannot be written.
        """
        at = _stamp(self._moment(now))
        action = f"open case {_show(case_id)}"
        _check_officer(action, officer)
        with self._write(action) as conn:
            state = self._state(conn, case_id)
            holder = state.holder()
            mine = self._leases.get(state.id.casefold())
            stale = holder is not None and holder.host == _HOST and not _alive(holder.pid)
            if holder is not None and state.lease[0] != mine and not take_over and not stale:
                raise LeaseError(
                    f"case {state.id} is open in another terminal: {holder.describe()}",
                    hint=_take_over_hint(state.id),
                )
            self._take_lease(conn, state.id, officer, at)
        if holder is not None and state.lease[0] == mine:
            return None
        return holder

    def release_lease(self, case_id: str) -> None:
        """Give the case back, if this store still holds it (never someone else's lease).

        Raises:
            StoreError: The store cannot be written.
        """
        token = self._leases.pop(case_id.casefold(), None)
        if token is None or self.read_only:
            return
        with self._write(f"close case {_show(case_id)}") as conn:
            conn.execute("DELETE FROM leases WHERE case_id = ? AND token = ?", (case_id, token))

    def lease_holder(self, case_id: str) -> LeaseHolder | None:
        """Who holds the case open, if anyone.

        Raises:
            StoreError: Unknown case, or the store cannot be read.
        """
        with self._read(f"read case {_show(case_id)}") as conn:
            return self._state(conn, case_id).holder()

    def _take_lease(self, conn: Conn, cid: str, officer: str | None, at: str) -> None:
        token = secrets.token_hex(16)
        conn.execute(
            "INSERT INTO leases (case_id, token, officer, host, pid, since)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET"
            " token = excluded.token, officer = excluded.officer, host = excluded.host,"
            " pid = excluded.pid, since = excluded.since",
            (cid, token, officer, _HOST, os.getpid(), at),
        )
        self._leases[cid.casefold()] = token

    def _check_lease(self, state: _CaseState, action: str) -> None:
        """Refuse a write to a case held by another terminal, or taken over from this one."""
        token = state.lease[0]
        mine = self._leases.get(state.id.casefold())
        if (mine is None and token is None) or token == mine:
            return
        holder = state.holder()
        if mine is None and holder is not None:
            raise LeaseError(
                f"cannot {action}: case {state.id} is open in another terminal: "
                f"{holder.describe()}",
                hint=_take_over_hint(state.id),
            )
        by = f" by {holder.describe()}" if holder is not None else ""
        raise LeaseError(
            f"cannot {action}: case {state.id} was taken over{by}",
            hint=f"Nothing more was saved here; {_KEPT}. Continue in the terminal that took "
            f"it over, or, once it is closed, `screening interview --resume {state.id} "
            "--take-over`.",
        )

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
        self._need_key()
        codec = self._codec()
        with self._read(f"read case {_show(case_id)}") as conn:
            cid, _ = self._require(conn, case_id)
            row = conn.execute(
                "SELECT id, status, questionnaire_id, questionnaire_version,"
                " questionnaire_sha256, language, ui_language, officer, created_at, updated_at,"
                " completed_at, exported_at, referral_json, key_gen FROM cases WHERE id = ?",
                (cid,),
            ).fetchone()
            gen = None if row[13] is None else int(row[13])
            codec.ensure(conn, gen)

            def clear(name: str, subject: str | None, stored: str) -> str:
                if name == "answer" and stored == _CLEARED:
                    return stored
                return codec.open(gen, cid, name, subject, stored)

            history = tuple(
                AnswerRecord(
                    question_id=qid,
                    value=json.loads(clear("answer", qid, value_json)),
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
                notes.setdefault(qid, []).append(clear("note", qid, text))
            flags = frozenset(
                flag
                for (flag,) in conn.execute(
                    "SELECT flag_id FROM acknowledged_flags WHERE case_id = ?", (cid,)
                )
            )
            meta: dict[str, JSONValue] = {
                key: json.loads(clear("meta", key, value_json))
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
            referral_json=None if row[12] is None else clear("referral", None, row[12]),
        )

    def note_records(self, case_id: str) -> list[tuple[str, str, str | None, str, int]]:
        """A case's notes with who wrote them and when, in the order written (decrypted):
        ``(question_id, text, officer, recorded_at, seq)``."""
        self._need_key()
        codec = self._codec()
        with self._read(f"read the notes of case {_show(case_id)}") as conn:
            state = self._state(conn, case_id)
            rows = conn.execute(
                "SELECT question_id, text, officer, recorded_at, seq FROM notes"
                " WHERE case_id = ? ORDER BY seq",
                (state.id,),
            ).fetchall()
        return [
            (
                str(qid),
                codec.open(state.gen, state.id, "note", str(qid), str(text)),
                None if officer is None else str(officer),
                str(at),
                int(seq),
            )
            for qid, text, officer, at, seq in rows
        ]

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

    def case_counts(self) -> CaseCounts:
        """What the statistics count, grouped by the database, over the cases this store
        may read: no names, answers (but the sector and nationality) or notes.

        On an encrypted store the sector, nationality, indicators and flags of its cases are
        not kept in clear: when the key is unlocked (:meth:`require_key`) they are read from
        each case's encrypted summary and answers; otherwise they are left out and
        ``sealed`` says of how many cases.

        Raises:
            StoreError: The store cannot be read.
        """
        # The facts rows of the cases this store may not read are not there for it either
        # (row-level security on the register). Nothing is looked up case by case, but the
        # encrypted cases' facts when the key is unlocked.
        codec = self._codec()
        with self._read("read the cases for the statistics") as conn:
            days = conn.execute(
                "SELECT status, substr(created_at, 1, 10), COUNT(*) FROM cases GROUP BY 1, 2"
            ).fetchall()
            outcomes = conn.execute(
                "SELECT outcome, urgent, complete, COUNT(*) FROM case_facts"
                " WHERE outcome IS NOT NULL GROUP BY 1, 2, 3"
            ).fetchall()
            sectors = conn.execute(
                "SELECT sector, COUNT(*) FROM case_facts WHERE sector IS NOT NULL GROUP BY 1"
            ).fetchall()
            nationalities = conn.execute(
                "SELECT nationality, COUNT(*) FROM case_facts WHERE nationality IS NOT NULL"
                " GROUP BY 1"
            ).fetchall()
            items = conn.execute(
                "SELECT kind, item, COUNT(*) FROM case_fact_items GROUP BY 1, 2"
            ).fetchall()
            sealed = 0
            if self._has_settings(conn):
                sealed = int(
                    conn.execute("SELECT COUNT(*) FROM cases WHERE key_gen IS NOT NULL").fetchone()[
                        0
                    ]
                )
            opened: list[tuple[str | None, str | None, list[str], list[str]]] = []
            if sealed and self._keyring is not None:
                opened = _sealed_facts(conn, codec)
                sealed = 0
        # A case with no facts yet (a draft before the sector or nationality was answered)
        # counts as not answered.
        cases = sum(int(row[-1]) for row in days)
        sector_counts: dict[str | None, int] = {}
        nationality_counts: dict[str | None, int] = {}
        item_counts: dict[tuple[str, str], int] = {
            (str(kind), str(item)): int(n) for kind, item, n in items
        }
        for sector, nationality, indicators, flags in opened:
            sectors.append((sector, 1))
            nationalities.append((nationality, 1))
            for kind, found_items in (("indicator", indicators), ("flag", flags)):
                for item in found_items:
                    item_counts[kind, item] = item_counts.get((kind, item), 0) + 1
        for found, counts in ((sectors, sector_counts), (nationalities, nationality_counts)):
            for value, count in found:
                if value is not None:
                    counts[value] = counts.get(value, 0) + int(count)
            without = cases - sum(counts.values())
            if without > 0 and not sealed:
                counts[None] = without
        return CaseCounts(
            days=tuple((str(status), str(day), int(n)) for status, day, n in days),
            outcomes=tuple(
                (str(outcome), bool(urgent), bool(complete), int(n))
                for outcome, urgent, complete, n in outcomes
            ),
            sectors=tuple(sector_counts.items()),
            nationalities=tuple(nationality_counts.items()),
            items=tuple((kind, item, n) for (kind, item), n in item_counts.items()),
            sealed=sealed,
        )

    def backup(self) -> tuple[bytes, int, str]:
        """A consistent copy of the database, made with SQLite's online backup API while
        other sessions go on writing; with its number of audit events and head.

        Raises:
            StoreError: The store cannot be read.
        """
        conn = self._live()
        copy = sqlite3.connect(":memory:")
        try:
            conn.backup(copy)
            events, head = _chain_state(copy)
            return copy.serialize(), events, head
        except sqlite3.Error as exc:
            raise _translate(exc, "back up the case store", self.path, self.busy_timeout) from exc
        finally:
            copy.close()

    def anchor_record(self, events: int, head: str) -> str:
        """An anchor file's line for a head (see the anchor file beside the store)."""
        return _anchor_record(events, head).decode("ascii")

    def audit_head(self) -> str:
        """The hash of the latest audit event (64 zeros for an empty log).

        Raises:
            StoreError: The store cannot be read.
        """
        with self._read("read the audit log") as conn:
            return _chain_state(conn)[1]

    def verify(
        self, expected_head: str | None = None, *, anchor_log: Path | None = None
    ) -> VerifyResult:
        """Check the database file, the audit chain, the data against it, and the anchor.

        The chain is recomputed from the events; each answer, note, flag acknowledgement,
        case and its metadata is compared with the digests its events carry; the head is
        compared with the anchor file beside the database and with ``expected_head``.

        Args:
            expected_head: A head recorded earlier elsewhere (an exported referral carries
                one); when given, it must still be in the log, which catches a truncated or
                rewritten log even when its recorded state was rewritten too.
            anchor_log: An append-only log of heads kept outside the store's folder (another
                disk, a write-once share): every head it holds must be in the log where it
                says; when all is intact, the current head is appended to it.

        Returns:
            The verdict, naming the first problem (and listing every one).

        Raises:
            StoreError: ``expected_head`` is not a hash (or is the empty log's), or the store
                cannot be read.
        """
        if expected_head is not None:
            check_head(expected_head)
        # The anchor is read before the log: it is written after each commit, so read first it
        # can lag behind what the log holds, never run ahead of it.
        anchor_file = self._anchor_file()
        anchor = None if anchor_file is None else _read_anchor(anchor_file)
        sealed: list[str] = []
        unlocked = True
        if self.encrypted:
            try:
                self._need_key()
            except KeyUnavailable:
                unlocked = False  # the chain alone (an auditor has no key)
        codec = _Codec(self._keyring, self.where, sealed)
        try:
            with self._read("verify the audit log") as conn:
                if self._damaged(conn):
                    return VerifyResult(
                        ok=False,
                        events=0,
                        head=GENESIS_HASH,
                        first_broken=None,
                        message=f"the database file {self.where} is damaged (integrity check "
                        "failed)",
                    )
                events = [
                    AuditEvent(*row)
                    for row in conn.execute(
                        "SELECT seq, at, officer, event, case_id, question_id, flag_id,"
                        " prev_hash, hash, data_hash, case_hash FROM audit_events ORDER BY seq"
                    )
                ]
                recorded_events, recorded_head = _chain_state(conn)
                data = self._sees_all_data() and unlocked
                if data:
                    self._extend_keyring(conn)
                cases = _case_rows(conn, codec) if data else []
                records = _records(conn, None, codec) if data else []
            result = verify_chain(
                events,
                recorded_events=recorded_events,
                recorded_head=recorded_head,
                expected_head=expected_head,
            )
            problems = [result.message] if not result.ok else []
            problems += sealed
            if result.first_broken is None and data:
                problems += verify_data(events, cases, records)
        except (ValueError, TypeError, KeyError, AttributeError):
            # Values of types this program never writes (text for a number, a malformed
            # secret): the file was edited by hand. Nothing of the values is shown.
            return VerifyResult(
                ok=False,
                events=0,
                head=GENESIS_HASH,
                first_broken=None,
                message=f"the case store {self.where} holds values of a form screening never "
                "writes (a number, hash, time or secret of the wrong type): it was changed "
                "outside screening",
            )
        anchored = None if anchor_file is None else _compare_anchor(anchor, events, anchor_file)
        if anchored is not None and not anchored[0]:
            problems.append(anchored[1])
        if anchor_log is not None:
            problems += _check_anchor_log(anchor_log, events)
            if not problems:
                _append_anchor_log(anchor_log, len(events), result.head, self._moment(None))
        if not problems:
            return VerifyResult(
                ok=True,
                events=result.events,
                head=result.head,
                first_broken=None,
                message=result.message
                + (
                    ""
                    if data
                    else " (the chain only: the store is encrypted and no key was given, so "
                    "the data was not compared with it)"
                    if not unlocked
                    else " (the chain only: this role cannot read every case, so the data "
                    "was not compared with it)"
                ),
                anchor=None if anchored is None else anchored[1],
            )
        more = (
            " " + tn("errors.more_problems", len(problems) - 1, "en") if len(problems) > 1 else ""
        )
        return VerifyResult(
            ok=False,
            events=result.events,
            head=result.head,
            first_broken=result.first_broken,
            message=problems[0] + more,
            problems=tuple(problems),
            anchor=None if anchored is None else anchored[1],
        )

    # -- encryption at rest (see screening.keys for the holders' side) -------------------------

    def _init_crypto(self) -> None:
        self._keyring: Keyring | None = None
        self._unlocker: Callable[[SqliteStore], Keyring] | None = None
        self._settings_cache: dict[str, str] | None = None

    def set_unlocker(self, unlocker: Callable[[SqliteStore], Keyring] | None) -> None:
        """How this store gets its keys when it first needs them (once per store object);
        by default :func:`screening.keys.unlock_from_environment`."""
        self._unlocker = unlocker

    def unlock(self, keyring: Keyring) -> None:
        """Use these unlocked data keys from now on."""
        self._keyring = keyring

    @property
    def keyring(self) -> Keyring | None:
        """The unlocked data keys, if any."""
        return self._keyring

    def key_settings(self, *, fresh: bool = False) -> dict[str, str]:
        """The store's encryption settings (``store_id``, ``key_gen``, ``rotating``, and the
        recipients of sealed referrals); empty for a store that was never encrypted."""
        if self._settings_cache is None or fresh:
            with self._read("read the case store's settings") as conn:
                self._settings_cache = _settings(conn) if self._has_settings(conn) else {}
        return dict(self._settings_cache)

    @property
    def encrypted(self) -> bool:
        """Whether ``screening keys init`` encrypted this store."""
        return "store_id" in self.key_settings()

    def key_holders(self) -> list[tuple[int, str, str | None, int, str | None, str, str]]:
        """The wrapped data keys: ``(id, kind, label, gen, kdf, wrapped, created_at)``."""
        with self._read("read the case store's keys") as conn:
            return [
                (int(i), str(k), None if lab is None else str(lab), int(g), kdf, str(w), str(at))
                for i, k, lab, g, kdf, w, at in conn.execute(
                    "SELECT id, kind, label, gen, kdf, wrapped, created_at FROM store_keys"
                    " ORDER BY id"
                )
            ]

    def install_keys(
        self,
        *,
        store_id: str,
        gen: int,
        holders: list[tuple[str, str | None, int, str | None, str]],
        settings: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Start encrypting with generation ``gen``, in one transaction: the settings, and the
        holders' wrapped keys ``(kind, label, gen, kdf, wrapped)``. New cases are written with
        ``gen`` from the commit on; :meth:`reencrypt_batch` brings the others to it."""
        at = _stamp(self._moment(now))
        with self._write("set up the case store's keys") as conn:
            found = _settings(conn)
            if found.get("store_id", store_id) != store_id:
                raise StoreError(f"the keys of {self.where} were changed by another command")
            values = {"store_id": store_id, "key_gen": str(gen), "rotating": str(gen)}
            values.update(settings or {})
            for key, value in values.items():
                _put_setting(conn, key, value)
            _insert_holders(conn, holders, at)
        self._settings_cache = None

    def add_holders(
        self,
        holders: list[tuple[str, str | None, int, str | None, str]],
        *,
        now: datetime | None = None,
    ) -> None:
        """Add wrapped keys ``(kind, label, gen, kdf, wrapped)``."""
        at = _stamp(self._moment(now))
        with self._write("add a key to the case store") as conn:
            _insert_holders(conn, holders, at)

    def remove_holder(self, holder_id: int) -> None:
        """Remove one wrapped key; the last one of the current generation is refused."""
        with self._write("remove a key from the case store") as conn:
            settings = _settings(conn)
            gen = int(settings.get("key_gen", "0"))
            row = conn.execute("SELECT kind, gen FROM store_keys WHERE id = ?", (holder_id,))
            found = row.fetchone()
            if found is None or str(found[0]) in ("next", "previous"):
                raise StoreError(
                    f"no key {holder_id} in {self.where}",
                    hint="Run `screening keys list` to see the store's keys.",
                )
            others = conn.execute(
                "SELECT COUNT(*) FROM store_keys WHERE gen = ? AND id <> ?"
                " AND kind NOT IN ('next', 'previous')",
                (gen, holder_id),
            ).fetchone()[0]
            if int(found[1]) == gen and int(others) == 0:
                raise StoreError(
                    f"key {holder_id} is the last key of {self.where}: without it nobody could "
                    "read the store again",
                    hint="Add another key first (`screening keys add`).",
                )
            conn.execute("DELETE FROM store_keys WHERE id = ?", (holder_id,))

    def pending_cases(self) -> int:
        """How many cases are not yet under the current key (an upgrade or rotation to
        finish)."""
        with self._read("read the case store's keys") as conn:
            gen = int(_settings(conn).get("key_gen", "0"))
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM cases WHERE key_gen IS NULL OR key_gen <> ?", (gen,)
                ).fetchone()[0]
            )

    def reencrypt_batch(self, limit: int = 50) -> int:
        """Encrypt up to ``limit`` cases under the current key (from the clear, or from an
        older key), in one transaction; how many were done (0: none left).

        Each case is rewritten whole in the transaction and its generation set with it, so a
        crash leaves every case readable under the key it names, and running again goes on
        where it stopped. The audit chain's digests cover the clear text: they do not change.
        """
        self._need_key()
        with self._write("encrypt the case store") as conn:
            self._extend_keyring(conn)
            codec = self._codec()
            target = int(_settings(conn)["key_gen"])
            rows = conn.execute(
                "SELECT id, key_gen, salt, referral_json FROM cases"
                " WHERE key_gen IS NULL OR key_gen <> ? ORDER BY id LIMIT ?",
                (target, limit),
            ).fetchall()
            for cid, old_gen, salt, referral in rows:
                cid = str(cid)
                old = None if old_gen is None else int(old_gen)

                def again(name: str, subject: str | None, stored: str) -> str:
                    clear = codec.open(old, cid, name, subject, stored)  # noqa: B023 - used at once
                    return codec.seal(target, cid, name, subject, clear)  # noqa: B023

                if old is None:
                    # The facts the statistics kept in clear: from now on read from the
                    # encrypted summary and answers, when the key is unlocked.
                    conn.execute(
                        "UPDATE case_facts SET sector = NULL, nationality = NULL WHERE case_id = ?",
                        (cid,),
                    )
                    conn.execute("DELETE FROM case_fact_items WHERE case_id = ?", (cid,))
                conn.execute(
                    "UPDATE cases SET salt = ?, referral_json = ?, key_gen = ? WHERE id = ?",
                    (
                        None if salt is None else again("salt", None, str(salt)),
                        None if referral is None else again("referral", None, str(referral)),
                        target,
                        cid,
                    ),
                )
                conn.executemany(
                    "UPDATE answers SET value_json = ? WHERE seq = ?",
                    [
                        (again("answer", str(qid), str(value)), seq)
                        for seq, qid, value in conn.execute(
                            "SELECT seq, question_id, value_json FROM answers WHERE case_id = ?"
                            " AND value_json <> ?",
                            (cid, _CLEARED),
                        ).fetchall()
                    ],
                )
                conn.executemany(
                    "UPDATE notes SET text = ? WHERE seq = ?",
                    [
                        (again("note", str(qid), str(text)), seq)
                        for seq, qid, text in conn.execute(
                            "SELECT seq, question_id, text FROM notes WHERE case_id = ?", (cid,)
                        ).fetchall()
                    ],
                )
                conn.executemany(
                    "UPDATE case_meta SET value_json = ? WHERE case_id = ? AND key = ?",
                    [
                        (again("meta", str(key), str(value)), cid, key)
                        for key, value in conn.execute(
                            "SELECT key, value_json FROM case_meta WHERE case_id = ?", (cid,)
                        ).fetchall()
                    ],
                )
        return len(rows)

    def finish_keys(self) -> None:
        """End an upgrade or rotation once every case is under the current key: the older
        generations' wrapped keys and the cross wraps are removed, and the old pages of the
        write-ahead log are folded in and overwritten."""
        with self._write("finish encrypting the case store") as conn:
            settings = _settings(conn)
            gen = int(settings["key_gen"])
            left = conn.execute(
                "SELECT COUNT(*) FROM cases WHERE key_gen IS NULL OR key_gen <> ?", (gen,)
            ).fetchone()[0]
            if int(left):
                raise StoreError(
                    f"{left} cases of {self.where} are not yet under the current key",
                    hint="Run `screening keys rotate --resume` to go on.",
                )
            conn.execute(
                "DELETE FROM store_keys WHERE gen <> ? OR kind IN ('next', 'previous')", (gen,)
            )
            conn.execute("DELETE FROM store_settings WHERE key = 'rotating'")
        self._settings_cache = None
        self._scrub_wal()
        self._reclaim()

    def _reclaim(self) -> None:
        """After a key change: drop the old versions of rewritten rows where the backend
        keeps them (SQLite overwrites them in place: ``secure_delete``)."""
        return None

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (None: remove) one of the store's settings (the referrals' recipients)."""
        with self._write("save the case store's settings") as conn:
            if value is None:
                conn.execute("DELETE FROM store_settings WHERE key = ?", (key,))
            else:
                _put_setting(conn, key, value)
        self._settings_cache = None

    def require_key(self) -> Keyring | None:
        """Unlock an encrypted store now (asking as :meth:`set_unlocker` says); the keys, or
        None for a store that is not encrypted."""
        self._need_key()
        return self._keyring

    def _need_key(self) -> None:
        """Unlock the store (once) when it is encrypted; outside any transaction, since the
        unlocker may ask a person and derive a key for a while."""
        if self._keyring is not None or not self.encrypted:
            return
        unlocker = self._unlocker
        if unlocker is None:
            from screening.keys import unlock_from_environment

            unlocker = unlock_from_environment
        self._keyring = unlocker(self)

    def _codec(self) -> _Codec:
        return _Codec(self._keyring, self.where, extend=self._extend_keyring)

    def _current_gen(self, conn: Conn) -> int | None:
        gen = _settings(conn).get("key_gen")
        if gen is None:
            return None
        self._extend_keyring(conn)
        return int(gen)

    def _extend_keyring(self, conn: Conn) -> None:
        """Add the keys of the other generation of a rotation, unwrapped with those held (a
        rotation started by another command while this one runs)."""
        if self._keyring is None:
            return
        from screening.keys import cross_unwrap

        rows = conn.execute(
            "SELECT kind, gen, wrapped FROM store_keys WHERE kind IN ('next', 'previous')"
        ).fetchall()
        cross_unwrap(self._keyring, [(str(k), int(g), str(w)) for k, g, w in rows])

    # -- internals -------------------------------------------------------------------------

    def _has_settings(self, conn: Conn) -> bool:
        """Whether the schema has the settings table (a read-only store may be older)."""
        row = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_settings'"
        ).fetchone()
        return row is not None

    def _sees_all_data(self) -> bool:
        """Whether this store may read every case, to compare the data with the chain."""
        return True

    def _damaged(self, conn: Conn) -> bool:
        """Whether the database's own integrity check fails."""
        return [row[0] for row in conn.execute("PRAGMA quick_check")] != ["ok"]

    def _anchor_file(self) -> Path | None:
        """The anchor file kept beside the database, if the backend keeps one."""
        return anchor_path(self.path)

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the case store at {self.where} is closed")
        return self._conn

    def _moment(self, now: datetime | None) -> datetime:
        return self._clock() if now is None else now

    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[Conn]:
        if self.read_only:
            raise StoreError(
                f"cannot {action}: the case store {self.where} is read-only",
                hint="Copy the store to a writable disk, or make its folder and files "
                "writable by you, to change it; it can be listed, shown and exported as it is.",
            )
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads first and
        # writes later can fail with SQLITE_BUSY_SNAPSHOT in WAL mode, which no timeout cures.
        with self._transaction("BEGIN IMMEDIATE", action) as conn:
            yield conn
        self._anchor()

    @contextlib.contextmanager
    def _read(self, action: str) -> Iterator[Conn]:
        # A reader is rarely kept waiting in WAL mode (a checkpoint resetting the log, recovery
        # after a crash), and then at any statement, not at BEGIN: it waits the whole timeout,
        # quietly, as the short first wait of a write is only there to say that it waits.
        conn = self._live()
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        except sqlite3.Error as exc:
            raise _translate(exc, action, self.path, self.busy_timeout) from exc
        try:
            with self._transaction("BEGIN", action) as conn:
                yield conn
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.execute(f"PRAGMA busy_timeout = {_first_wait_ms(self.busy_timeout)}")

    @contextlib.contextmanager
    def _transaction(self, begin: str, action: str) -> Iterator[sqlite3.Connection]:
        conn = self._live()
        try:
            self._begin(conn, begin)
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            self._anchored = None
            raise _translate(exc, action, self.path, self.busy_timeout) from exc
        except BaseException:
            _rollback(conn)
            self._anchored = None
            raise

    def _begin(self, conn: sqlite3.Connection, begin: str) -> None:
        """Start a transaction; after a short wait for the lock, say so and wait on."""
        try:
            conn.execute(begin)
            return
        except sqlite3.OperationalError as exc:
            if _primary(exc) not in (_SQLITE_BUSY, _SQLITE_LOCKED) or (
                self.busy_timeout <= NOTICE_AFTER
            ):
                raise
        if self._on_wait is not None:
            self._on_wait(
                f"waiting for the case store: another screening session is writing to "
                f"{self.where} (up to {self.busy_timeout:g} s)"
            )
        remaining = max(self.busy_timeout - NOTICE_AFTER, 0.0)
        conn.execute(f"PRAGMA busy_timeout = {int(remaining * 1000)}")
        try:
            conn.execute(begin)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {_first_wait_ms(self.busy_timeout)}")

    def _anchor(self) -> None:
        """Write the head of the transaction just committed to the anchor file."""
        anchored, self._anchored = self._anchored, None
        if anchored is None:
            return
        if self._anchor_fd is None:
            self._anchor_fd = _open_anchor(anchor_path(self.path))
        if self._anchor_fd is not None:
            _write_anchor(self._anchor_fd, *anchored)

    def _find(self, conn: Conn, case_id: str) -> tuple[str, CaseStatus] | None:
        row = conn.execute("SELECT id, status FROM cases WHERE id = ?", (case_id,)).fetchone()
        return None if row is None else (row[0], CaseStatus(row[1]))

    def _state(self, conn: Conn, case_id: str, question_id: str | None = None) -> _CaseState:
        state = _load_case(conn, case_id, question_id, self._codec())
        if state is None and case_id.casefold() in self._leases:
            del self._leases[case_id.casefold()]
            raise LeaseError(
                f"case {_show(case_id)} was deleted from {self.where} while it was open here "
                "(`screening cases delete` or `purge`)",
                hint="Nothing more can be saved to it; the audit log records who deleted it.",
            )
        if state is None:
            raise StoreError(
                f"no case {_show(case_id)} in {self.where}",
                hint="Run `screening cases list` to see the cases in this store.",
            )
        return state

    def _require(self, conn: Conn, case_id: str) -> tuple[str, CaseStatus]:
        state = self._state(conn, case_id)
        return state.id, state.status

    def _draft(
        self,
        conn: Conn,
        case_id: str,
        action: str,
        question_id: str | None = None,
    ) -> _CaseState:
        state = self._state(conn, case_id, question_id)
        if state.status is CaseStatus.COMPLETE:
            raise StoreError(
                f"cannot {action}: case {state.id} is complete and its referral was issued",
                hint="Start a new case to record more.",
            )
        self._check_lease(state, action)
        return state

    def _fresh_case_id(self, conn: Conn, today: date) -> str:
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


def _exists(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _writable(home: Path, path: Path) -> bool:
    """Whether the store's folder and file can be written (and the medium is not read-only)."""
    effective = os.access in os.supports_effective_ids
    wanted = os.W_OK
    if not (
        os.access(path, wanted, effective_ids=effective)
        and os.access(home, wanted | os.X_OK, effective_ids=effective)
    ):
        return False
    if hasattr(os, "statvfs"):
        with contextlib.suppress(OSError):
            return not os.statvfs(home).f_flag & os.ST_RDONLY
    return True


def _first_wait_ms(busy_timeout: float) -> int:
    return int(min(busy_timeout, NOTICE_AFTER) * 1000)


def _uri(path: Path, **options: str) -> str:
    from urllib.parse import quote

    query = "&".join(f"{key}={value}" for key, value in options.items())
    return f"file:{quote(str(path))}?{query}"


def _inspect(path: Path) -> int:
    """Check an existing store's header without changing the file; return its schema version.

    Raises:
        StoreError: Not an SQLite file, another program's database, or a newer store.
    """
    action = "open the case store"
    try:
        with open(path, "rb") as file:
            magic = file.read(16)
    except OSError as exc:
        raise StoreError(
            f"cannot open the case store: {path} cannot be read ({exc.strerror or exc})",
            hint="Check its permissions, or set SCREENING_HOME to a directory of your own.",
        ) from exc
    if magic != b"SQLite format 3\x00":
        raise _translate(sqlite3.DatabaseError("file is not a database"), action, path, 0)
    conn: sqlite3.Connection | None = None
    try:
        # Read-only: reading the header must not change the file (no journal mode set,
        # no hot journal rolled back, nothing checkpointed on close).
        # Without a write-ahead log beside it, the file holds everything: read it as immutable,
        # which creates no -wal or -shm file beside another program's database.
        uri = (
            _read_only_uri(path)
            if _exists(_sidecar(path, "-wal"))
            else _uri(path, mode="ro", immutable="1")
        )
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        version, application, objects = _header(conn)
    except sqlite3.Error as exc:
        raise _translate(exc, action, path, 0) from exc
    finally:
        if conn is not None:
            conn.close()
    _check_header(path, version, application, objects)
    return version


def _connect(path: Path, busy_timeout: float) -> tuple[sqlite3.Connection, bool]:
    """Open, check and migrate the store; also whether it was created now."""
    action = "open the case store"
    version = _inspect(path) if _exists(path) else 0
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise _translate(exc, action, path, busy_timeout) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if version == 0:
            # Another process may have created the store since the check above.
            _check_header(path, *_header(conn))
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(
                f"cannot open the case store: {path} does not support write-ahead logging",
                hint="Set SCREENING_HOME to a directory on a local disk (not a network share).",
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        created = _migrate(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {_first_wait_ms(busy_timeout)}")
    except sqlite3.Error as exc:
        _rollback(conn)
        conn.close()
        raise _translate(exc, action, path, busy_timeout) from exc
    except BaseException:
        _rollback(conn)
        conn.close()
        raise
    return conn, created


def _read_only_uri(path: Path) -> str:
    """How to open a database for reading without creating or changing any file.

    A store in WAL mode needs its shared-memory file; in a folder that cannot be written and
    without that file, the store is opened as immutable (no locks, no shared memory), which is
    right for a read-only medium.

    Raises:
        StoreError: The write-ahead log holds changes that cannot be read that way.
    """
    shm, wal = _sidecar(path, "-shm"), _sidecar(path, "-wal")
    effective = os.access in os.supports_effective_ids
    if shm.exists() or os.access(path.parent, os.W_OK, effective_ids=effective):
        return _uri(path, mode="ro")
    if _exists(wal):
        raise StoreError(
            f"cannot open the case store {path} for reading: its write-ahead log holds "
            "changes that cannot be read while the folder is read-only",
            hint=f"Make {path.parent} writable once (any screening command then folds the "
            "log into the store), or copy the folder to a writable disk.",
        )
    return _uri(path, mode="ro", immutable="1")


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a store that cannot be written, for reading; nothing on disk is changed."""
    action = "open the case store"
    version = _inspect(path)
    if version < len(MIGRATIONS):
        raise StoreError(
            f"cannot open the case store: {path} needs an upgrade to schema {len(MIGRATIONS)} "
            "but it is read-only",
            hint="Open it once where it can be written (any screening command upgrades it).",
        )
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, isolation_level=None)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
    except sqlite3.Error as exc:
        raise _translate(exc, action, path, 0) from exc
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
            hint="Install the newer screening to use this store; the file was not changed.",
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> bool:
    """Bring the schema up to date; whether the anchor file is to be (re)started.

    True for a store created now, and for one upgraded from before the anchor file existed.
    """
    version, application, objects = _header(conn)
    _check_header(path, version, application, objects)
    if version == len(MIGRATIONS):
        return False
    conn.execute("BEGIN IMMEDIATE")
    # Another process may have created or upgraded the store while this one waited.
    version, application, objects = _header(conn)
    _check_header(path, version, application, objects)
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            if callable(statement):
                statement(conn)
            else:
                conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    conn.execute("COMMIT")
    return version < 2


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _primary(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return _MESSAGE_CODES.get(str(exc)) if code is None else code & 0xFF


def _translate(exc: sqlite3.Error, action: str, path: Path, busy_timeout: float) -> StoreError:
    """One clear error for a failed SQLite call; never the statement or its values."""
    primary = _primary(exc)
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
    conn: Conn,
    at: str,
    officer: str | None,
    event: EventType,
    case_id: str,
    *,
    data: str | int | None,
    case: str | None,
    state: tuple[int, str] | None = None,
) -> tuple[int, str]:
    """Append an event carrying the digests of what it changed; return the new count and head."""
    events, head = _chain_state(conn) if state is None else state
    seq, digest, data_hash = _chain_link(
        (events, head), at, officer, event, case_id, data=data, case=case
    )
    conn.execute(
        "INSERT INTO audit_events (seq, at, officer, event, case_id, question_id, flag_id,"
        " prev_hash, hash, data_hash, case_hash) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)",
        (seq, at, officer, event.value, case_id, head, digest, data_hash, case),
    )
    conn.execute("UPDATE chain_state SET events = ?, head = ? WHERE id = 1", (seq, digest))
    return seq, digest


def _chain_link(
    state: tuple[int, str],
    at: str,
    officer: str | None,
    event: EventType,
    case_id: str,
    *,
    data: str | int | None,
    case: str | None,
) -> tuple[int, str, str | None]:
    """The next event's number, hash and data digest, after the chain's ``state``."""
    events, head = state
    seq = events + 1
    data_hash = None if data is None else str(data)
    if data_hash is None and case is None:
        data_hash = ""  # every event since schema 2 carries digests, even an empty one
    digest = chain_hash(
        head,
        canonical_json(
            seq=seq,
            at=at,
            officer=officer,
            event=event.value,
            case_id=case_id,
            question_id=None,
            flag_id=None,
            data=data_hash,
            case=case,
        ),
    )
    return seq, digest, data_hash


def _chain_state(conn: Conn) -> tuple[int, str]:
    row = conn.execute("SELECT events, head FROM chain_state WHERE id = 1").fetchone()
    if row is None:
        raise StoreError(
            "the audit log's state is missing from the case store",
            hint="Run `screening cases verify` and restore the store from a backup.",
        )
    return int(row[0]), str(row[1])


def _answer_fields(
    cid: str, question_id: str, value_json: str, officer: str | None, at: str
) -> dict[str, str | int | None]:
    return {
        "case_id": cid,
        "question_id": question_id,
        "value": value_json,
        "officer": officer,
        "at": at,
    }


def _note_fields(
    cid: str, question_id: str, text: str, officer: str | None, at: str
) -> dict[str, str | int | None]:
    return {"case_id": cid, "question_id": question_id, "text": text, "officer": officer, "at": at}


def _flag_fields(
    cid: str, flag_id: str, officer: str | None, at: str
) -> dict[str, str | int | None]:
    return {"case_id": cid, "flag_id": flag_id, "officer": officer, "at": at}


def _records(conn: Conn, case_id: str | None, codec: _Codec = _LEGACY) -> list[RecordRow]:
    """The answers, notes and flag acknowledgements of one case (or of all), in the clear
    (``codec`` decrypts those of an encrypted case; ``_LEGACY``: a store before schema 4)."""
    params = (case_id, case_id)
    gen = "NULL" if codec is _LEGACY else "(SELECT c.key_gen FROM cases c WHERE c.id = r.case_id)"

    def clear(gen: object, cid: str, name: str, qid: str, stored: str) -> str:
        if gen is None or (name == "answer" and stored == _CLEARED):
            return stored
        return codec.open(int(str(gen)), cid, name, qid, stored)

    records = [
        RecordRow(
            "answer",
            seq,
            cid,
            qid,
            _answer_fields(cid, qid, clear(g, cid, "answer", qid, value), officer, at),
            event_seq,
        )
        for seq, cid, qid, value, officer, at, event_seq, g in conn.execute(
            "SELECT seq, case_id, question_id, value_json, officer, recorded_at, event_seq,"  # noqa: S608 - fixed text
            f" {gen} FROM answers r WHERE CAST(? AS TEXT) IS NULL OR case_id = ? ORDER BY seq",
            params,
        )
    ]
    records += [
        RecordRow(
            "note",
            seq,
            cid,
            qid,
            _note_fields(cid, qid, clear(g, cid, "note", qid, text), officer, at),
            event_seq,
        )
        for seq, cid, qid, text, officer, at, event_seq, g in conn.execute(
            "SELECT seq, case_id, question_id, text, officer, recorded_at, event_seq,"  # noqa: S608 - fixed text
            f" {gen} FROM notes r WHERE CAST(? AS TEXT) IS NULL OR case_id = ? ORDER BY seq",
            params,
        )
    ]
    records += [
        RecordRow("flag", seq, cid, fid, _flag_fields(cid, fid, officer, at), event_seq)
        for seq, cid, fid, officer, at, event_seq in conn.execute(
            "SELECT rowid, case_id, flag_id, officer, acknowledged_at, event_seq"
            " FROM acknowledged_flags WHERE CAST(? AS TEXT) IS NULL OR case_id = ? ORDER BY rowid",
            params,
        )
    ]
    return sorted(records, key=lambda r: (r.kind, r.seq))


def _meta_items(
    conn: Conn, cid: str, codec: _Codec = _CLEAR, gen: int | None = None
) -> list[tuple[str, str]]:
    return [
        (str(key), codec.open(gen, cid, "meta", str(key), str(value)))
        for key, value in conn.execute(
            "SELECT key, value_json FROM case_meta WHERE case_id = ?", (cid,)
        )
    ]


def _store_meta_hash(
    conn: Conn, cid: str, salt: str, codec: _Codec = _CLEAR, gen: int | None = None
) -> str:
    digest = meta_digest(salt, _meta_items(conn, cid, codec, gen))
    conn.execute("UPDATE cases SET meta_hash = ? WHERE id = ?", (digest, cid))
    return digest


def _case_rows(conn: Conn, codec: _Codec = _CLEAR) -> list[CaseRow]:
    stored: dict[str, list[tuple[str, str]]] = {}
    for cid, key, value in conn.execute("SELECT case_id, key, value_json FROM case_meta"):
        stored.setdefault(str(cid), []).append((str(key), str(value)))
    rows = []
    for row in conn.execute(_CASE_SELECT, (None,)).fetchall():
        state = _CaseState(row, codec)
        state.resolve()
        meta = {
            state.id: [
                (key, codec.open(state.gen, state.id, "meta", key, value))
                for key, value in stored.get(state.id, ())
            ]
        }
        rows.append(
            CaseRow(
                id=state.id,
                salt=state.salt or "00",
                fields=state.fields,
                meta_hash=None
                if state.fields["meta_hash"] is None
                else str(state.fields["meta_hash"]),
                meta=tuple(meta.get(state.id, ())),
            )
        )
    return rows


def _settings(conn: Conn) -> dict[str, str]:
    return {
        str(key): str(value)
        for key, value in conn.execute("SELECT key, value FROM store_settings").fetchall()
    }


def _put_setting(conn: Conn, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO store_settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _insert_holders(
    conn: Conn, holders: list[tuple[str, str | None, int, str | None, str]], at: str
) -> None:
    conn.executemany(
        "INSERT INTO store_keys (kind, label, gen, kdf, wrapped, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(kind, label, gen, kdf, wrapped, at) for kind, label, gen, kdf, wrapped in holders],
    )


def _remove(
    conn: Conn, state: _CaseState, at: str, officer: str | None, event: EventType, codec: _Codec
) -> tuple[int, str]:
    """Delete a case; its event records the digest of what was removed."""
    digests = [state.digest()] + [r.digest(state.salt) for r in _records(conn, state.id, codec)]
    removed = group_digest(state.salt, digests) if state.salt else ""
    conn.execute("DELETE FROM cases WHERE id = ?", (state.id,))
    return _append_event(
        conn, at, officer, event, state.id, data=removed, case=None, state=state.chain
    )


# -- the lease ---------------------------------------------------------------------------------

_HOST: Final = socket.gethostname() or "localhost"


def _alive(pid: int) -> bool:
    """Whether a process of this computer is still running (when in doubt, yes)."""
    if os.name == "nt" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _take_over_hint(case_id: str) -> str:
    return (
        "Finish or close the interview there. If that terminal is gone (closed, crashed, "
        "another computer switched off), take the case over with "
        f"`screening interview --resume {case_id} --take-over`."
    )


# -- the anchor file ---------------------------------------------------------------------------


def _anchor_record(events: int, head: str) -> bytes:
    return f"{_ANCHOR_MAGIC} {events:020d} {head}\n".encode("ascii")


def _create_anchor(path: Path, events: int, head: str) -> None:
    """Start the anchor file of a new (or newly upgraded) store; never through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise StoreError(
            f"cannot create the anchor file {path}: {exc.strerror or exc}",
            hint="It must be a regular file (not a link) in a folder writable by you.",
        ) from exc
    try:
        os.write(fd, _anchor_record(events, head))
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_anchor(path: Path, *, write: bool = True) -> int | None:
    """The anchor file, open for updates; None when it is missing or not a regular file.

    It is never created here: a store whose anchor file was removed says so in verify
    instead of starting a new one from whatever the log holds now.
    """
    mode = os.O_RDWR if write else os.O_RDONLY
    flags = mode | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _write_anchor(fd: int, events: int, head: str) -> None:
    """Record a head in the anchor file, unless it already holds a later one.

    Written after the commit, under an exclusive lock on the file: two sessions committing at
    once cannot leave the earlier head last (the anchor would then not cover the later event).
    """
    record = _anchor_record(events, head)
    start = len(_ANCHOR_MAGIC) + 1
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            current = os.pread(fd, _ANCHOR_LENGTH, 0)
            recorded = current[start : start + 20]
            if len(current) == _ANCHOR_LENGTH and recorded.isdigit() and int(recorded) >= events:
                return
            os.pwrite(fd, record, 0)
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        pass  # the commit stands; verify reports how far the anchor lags behind it
    except AttributeError:  # pragma: no cover - no pread/pwrite (Windows)
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, record)


def _parse_anchor(data: bytes) -> tuple[int, str] | None:
    if len(data) != _ANCHOR_LENGTH:
        return None
    text = data.decode("ascii", "replace")
    match = re.fullmatch(re.escape(_ANCHOR_MAGIC) + r" (\d{20}) ([0-9a-f]{64})\n", text)
    return None if match is None else (int(match[1]), match[2])


def _read_anchor(path: Path) -> tuple[int, str] | str | None:
    """The anchor's count and head; a sentence when it is unusable; None when missing."""
    fd = _open_anchor(path, write=False)
    if fd is None:
        if path.is_symlink() or path.exists():
            return f"the anchor file {path} is not a regular file"
        return None
    try:
        data = os.read(fd, _ANCHOR_LENGTH + 1)
    finally:
        os.close(fd)
    parsed = _parse_anchor(data)
    return parsed if parsed is not None else f"the anchor file {path} is not an anchor record"


def _compare_anchor(
    anchor: tuple[int, str] | str | None, events: list[AuditEvent], path: Path
) -> tuple[bool, str] | None:
    """Whether the log agrees with the anchor file, and a sentence saying how."""
    if isinstance(anchor, str):
        return False, anchor + ": the audit log cannot be checked against it"
    if anchor is None:
        if not events:
            return None
        return False, (
            f"the anchor file {path} is missing: the audit log's head cannot be checked "
            "against it (was it removed, or the store copied without it?)"
        )
    count, head = anchor
    if count > len(events):
        return False, (
            f"the anchor file {path} records {count} audit events but the log has "
            f"{len(events)}: events {len(events) + 1} to {count} were removed"
        )
    logged = GENESIS_HASH if count == 0 else events[count - 1].hash
    if logged != head:
        return False, (
            f"audit event {count} differs from the head recorded in the anchor file {path}: "
            "the log was rewritten"
        )
    if count < len(events):
        return True, tn("errors.later_events", len(events) - count, "en", event=count)
    return True, f"the anchor file matches the head ({count} events)"


def _check_anchor_log(path: Path, events: list[AuditEvent]) -> list[str]:
    """Compare every head of an external anchor log with the audit log."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(
            f"cannot read the anchor log {path}: {exc.strerror or exc}",
            hint="Give a regular file (not a link) that you can read and append to.",
        ) from exc
    with os.fdopen(fd, "r", encoding="ascii", errors="replace") as file:
        lines = file.read().splitlines()
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit() or not _HEAD.fullmatch(parts[2]):
            problems.append(f"{path}:{number}: not an anchor line (time, event count, head)")
            continue
        count, head = int(parts[1]), parts[2].lower()
        if count > len(events):
            problems.append(
                f"{path}:{number}: {count} audit events were anchored at {parts[0]} but the log "
                f"has {len(events)}: events {len(events) + 1} to {count} were removed"
            )
        elif (GENESIS_HASH if count == 0 else events[count - 1].hash) != head:
            problems.append(
                f"{path}:{number}: audit event {count} differs from the head anchored at "
                f"{parts[0]}: the log was rewritten"
            )
    return problems


def _append_anchor_log(path: Path, events: int, head: str, moment: datetime) -> None:
    flags = (
        os.O_WRONLY
        | os.O_APPEND
        | os.O_CREAT
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        fd = os.open(path, flags, 0o600)
        try:
            os.write(fd, f"{_stamp(moment)} {events} {head}\n".encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(
            f"cannot append to the anchor log {path}: {exc.strerror or exc}",
            hint="Give a regular file (not a link) in a folder you can write to; the store is "
            "intact and unchanged.",
        ) from exc


def check_head(head: str) -> str:
    """An audit head as typed by a user, checked: 64 hex digits, not the empty log's.

    Raises:
        StoreError: Not a head, or the head of an empty log (which every log contains).
    """
    if not _HEAD.fullmatch(head):
        raise StoreError(
            f"{_show(head)} is not an audit head",
            hint="A head is 64 hexadecimal digits, as printed in an exported referral.",
        )
    if head == GENESIS_HASH:
        raise StoreError(
            "64 zeros is the head of an empty audit log, which proves nothing",
            hint="Give the audit_head of an exported referral, or a head printed by "
            "`screening cases verify`.",
        )
    return head.lower()


def _write_facts(conn: Conn, cid: str, summary_json: str, *, sealed: bool = False) -> None:
    """Keep what the statistics count of a completed case (see ``case_facts``); for a case of
    an encrypted store (``sealed``) only its outcome, urgency and completeness: its sector,
    nationality, indicators and flags are read from its encrypted summary when unlocked."""
    summary = json.loads(summary_json)
    if sealed:
        summary = {**summary, "sector": None, "nationality": None, "indicators": [], "flags": []}
    conn.execute(
        "INSERT INTO case_facts (case_id, outcome, urgent, complete, sector, nationality)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET"
        " outcome = excluded.outcome, urgent = excluded.urgent, complete = excluded.complete,"
        " sector = excluded.sector, nationality = excluded.nationality",
        (
            cid,
            str(summary["outcome"]),
            int(bool(summary["urgent"])),
            int(bool(summary["complete"])),
            summary.get("sector"),
            summary.get("nationality"),
        ),
    )
    conn.executemany(
        "INSERT INTO case_fact_items (case_id, kind, item) VALUES (?, ?, ?)"
        " ON CONFLICT (case_id, kind, item) DO NOTHING",
        [(cid, "indicator", item) for item in summary["indicators"]]
        + [(cid, "flag", item) for item in summary["flags"]],
    )


def _sealed_facts(
    conn: Conn, codec: _Codec
) -> list[tuple[str | None, str | None, list[str], list[str]]]:
    """The sector, nationality, indicators and flags of each case of an encrypted
    generation, decrypted: from its summary when it was completed with one, otherwise from its
    current answers (what :func:`_write_facts` and :func:`_write_answer_fact` keep of a case
    stored in the clear)."""
    found: list[tuple[str | None, str | None, list[str], list[str]]] = []
    for cid, gen, stored in conn.execute(
        "SELECT c.id, c.key_gen, m.value_json FROM cases c"
        " LEFT JOIN case_meta m ON m.case_id = c.id AND m.key = ?"
        " WHERE c.key_gen IS NOT NULL ORDER BY c.id",
        (SUMMARY_KEY,),
    ).fetchall():
        cid, gen = str(cid), int(gen)
        codec.ensure(conn, gen)
        summary: dict[str, Any] | None = None
        if stored is not None:
            with contextlib.suppress(ValueError):
                loaded = json.loads(codec.open(gen, cid, "meta", SUMMARY_KEY, str(stored)))
                summary = loaded if isinstance(loaded, dict) else None
        if summary is None:
            answers = _fact_answers(conn, cid, codec, gen)
            found.append((_text(answers.get("sector")), _text(answers.get("nationality")), [], []))
            continue
        found.append(
            (
                _text(summary.get("sector")),
                _text(summary.get("nationality")),
                [str(item) for item in summary.get("indicators", [])],
                [str(item) for item in summary.get("flags", [])],
            )
        )
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _write_answer_fact(conn: Conn, cid: str, question_id: str, value_json: str) -> None:
    """Keep a draft's current answer to a question the statistics count (None: not a choice
    value, or withdrawn)."""
    column = {"sector": "sector", "nationality": "nationality"}[question_id]
    conn.execute(
        f"INSERT INTO case_facts (case_id, {column}) VALUES (?, ?)"  # noqa: S608 - fixed names
        f" ON CONFLICT (case_id) DO UPDATE SET {column} = excluded.{column}",
        (cid, _choice(value_json)),
    )


def _choice(value_json: object) -> str | None:
    """A stored single-choice answer as its value; None for anything else."""
    if not isinstance(value_json, str):
        return None
    with contextlib.suppress(ValueError):
        value = json.loads(value_json)
        if isinstance(value, str):
            return value
    return None


SUMMARY_KEY: Final = "referral_summary"
"""The case metadata item ``complete`` writes: the outcome, urgency, completeness, indicator and
flag ids of the referral, what ``cases stats`` counts without reading whole referrals."""


FACT_QUESTIONS: Final = ("sector", "nationality")
"""The questions whose current answers ``cases stats`` counts (choice values only)."""


def _fact_answers(
    conn: Conn, cid: str, codec: _Codec = _CLEAR, gen: int | None = None
) -> dict[str, JSONInput]:
    """The current answers to :data:`FACT_QUESTIONS`, when they are choice values."""
    found: dict[str, JSONInput] = {}
    for question_id in FACT_QUESTIONS:
        row = conn.execute(
            "SELECT value_json FROM answers WHERE case_id = ? AND question_id = ?"
            " ORDER BY seq DESC LIMIT 1",
            (cid, question_id),
        ).fetchone()
        stored = None if row is None else str(row[0])
        if stored is not None and stored != _CLEARED:
            stored = codec.open(gen, cid, "answer", question_id, stored)
        value = _choice(stored)
        if value is not None:
            found[question_id] = value
    return found


def _referral_summary(
    referral_json: str, answers: Mapping[str, JSONInput] | None = None
) -> str | None:
    """The referral's outcome, urgency, completeness, indicators and flags, and the answers
    the statistics count, as stored JSON; None for a document that is not a referral."""
    try:
        document = json.loads(referral_json)
        recommendation = document["recommendation"]
        summary: dict[str, JSONInput] = {
            "outcome": str(recommendation["outcome"]),
            "urgent": bool(recommendation.get("urgent", False)),
            "complete": bool(document.get("complete", True)),
            "indicators": sorted({str(item["id"]) for item in document.get("indicators", [])}),
            "flags": sorted({str(item["id"]) for item in document.get("flags", [])}),
            **(answers or {}),
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return _dump(summary, "the referral summary")


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


def _check_officer(action: str, *officers: str | None) -> None:
    """Refuse an officer id with control characters before anything is written (see
    :func:`screening.answers.id_problem`)."""
    if all(officer is None or officer.isprintable() for officer in officers):
        return  # the common case, without importing the answers' rules
    from screening.answers import id_problem

    for officer in officers:
        problem = "" if officer is None else id_problem("the officer id", officer)
        if problem:
            raise StoreError(
                f"cannot {action}: {problem}",
                hint="Give the officer id in letters, digits and punctuation.",
            )


def _show(text: str) -> str:
    """A user-typed id, fit for a one-line message: printable and short."""
    if len(text) <= 64 and text.isprintable():
        return text
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= 64 else cleaned[:63] + "…"
