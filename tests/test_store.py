"""The case store: durability, permissions, the audit chain and every failure's message."""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import screening
from screening.errors import StoreError
from screening.store import (
    DATABASE_NAME,
    GENESIS_HASH,
    CaseStatus,
    CaseStore,
    EventType,
    SqliteStore,
    default_home,
    open_store,
)
from screening.store import sqlite as sqlite_store
from screening.store.postgres import PostgresStore, _Connection

REPO = Path(screening.__file__).resolve().parent.parent
SHA = "ab" * 32
START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PRIVATE = "my employer keeps my passport"  # stands for answer content that must never leak
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions and signals")


class TickingClock:
    """A clock that moves one second each time it is read."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(path))
    return path


@pytest.fixture
def store(location: str) -> Iterator[SqliteStore]:
    """An empty store, once on each backend."""
    with open_store(location, clock=TickingClock()) as opened:
        yield opened


@pytest.fixture
def sqlite_only(home: Path) -> Iterator[SqliteStore]:
    with open_store(clock=TickingClock()) as opened:
        yield opened


def is_postgres(store: CaseStore) -> bool:
    return isinstance(store, PostgresStore)


def new_case(store: CaseStore, **overrides: str) -> str:
    fields = {
        "questionnaire_id": "ilo-2009",
        "questionnaire_version": "1.0",
        "questionnaire_sha256": SHA,
        "language": "en",
        "ui_language": "en",
        "officer": "officer-1",
    }
    fields.update(overrides)
    return store.create_case(**fields)  # type: ignore[arg-type]


def raw(home: Path) -> sqlite3.Connection:
    """A plain connection that goes around the store, as a tamperer would."""
    return sqlite3.connect(home / DATABASE_NAME, isolation_level=None)


@contextmanager
def around(store: SqliteStore) -> Iterator[sqlite_store.Conn]:
    """A plain connection to a store's database, on either backend (``?`` placeholders),
    that goes around the store as a tamperer would (the database's superuser on PostgreSQL)."""
    if isinstance(store, PostgresStore):
        import psycopg

        with psycopg.connect(store.url, autocommit=True) as conn:
            yield _Connection(conn)
    else:
        conn = sqlite3.connect(store.path, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()


def assert_clean(error: StoreError, *others: str) -> None:
    """A store error shows one message and a hint, and never what was answered."""
    text = "\n".join(error.lines())
    for private in (PRIVATE, *others):
        assert private not in text
    assert error.hint


# -- where the store lives ----------------------------------------------------------------


def test_default_home_prefers_screening_home() -> None:
    env = {"SCREENING_HOME": "/srv/cases", "XDG_DATA_HOME": "/x", "HOME": "/home/a"}
    assert default_home(env, platform="linux") == Path("/srv/cases")


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"HOME": "/home/a", "XDG_DATA_HOME": "/data"}, "linux", "/data/screening"),
        ({"HOME": "/home/a"}, "linux", "/home/a/.local/share/screening"),
        ({"HOME": "/home/a", "XDG_DATA_HOME": "rel"}, "linux", "/home/a/.local/share/screening"),
        ({"HOME": "/Users/a"}, "darwin", "/Users/a/Library/Application Support/screening"),
        ({"HOME": "/home/a", "APPDATA": "/appdata"}, "win32", "/appdata/screening"),
        ({"HOME": "/home/a", "SCREENING_HOME": "  "}, "linux", "/home/a/.local/share/screening"),
    ],
)
def test_default_home_per_platform(env: dict[str, str], platform: str, expected: str) -> None:
    assert default_home(env, platform=platform) == Path(expected)


def test_default_home_reads_the_environment(home: Path) -> None:
    assert default_home() == home


@POSIX_ONLY
def test_new_store_is_private(home: Path) -> None:
    with open_store() as store:
        store.record_answer(new_case(store), "q1", True, officer=None)
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        for name in (DATABASE_NAME, DATABASE_NAME + "-wal", DATABASE_NAME + "-shm"):
            assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name


@POSIX_ONLY
def test_an_existing_folder_keeps_its_mode_and_loose_files_are_tightened(home: Path) -> None:
    open_store().close()
    home.chmod(0o755)  # readable by others, writable by its owner only: usable as it is
    (home / DATABASE_NAME).chmod(0o644)
    with open_store():
        assert stat.S_IMODE(home.stat().st_mode) == 0o755
        assert stat.S_IMODE((home / DATABASE_NAME).stat().st_mode) == 0o600


def test_sqlite_store_is_a_case_store(store: SqliteStore) -> None:
    assert isinstance(store, CaseStore)


def test_pragmas(sqlite_only: SqliteStore) -> None:
    store = sqlite_only
    conn = store._conn
    assert conn is not None
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert conn.execute("PRAGMA secure_delete").fetchone() == (1,)
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    # a short first wait, then a message and the rest of the 30 s (see the lock tests)
    assert conn.execute("PRAGMA busy_timeout").fetchone() == (500,)
    assert store.busy_timeout == 30.0


def test_busy_timeout_is_configurable(home: Path) -> None:
    with open_store(busy_timeout=0.25) as store:
        assert store._conn is not None
        assert store._conn.execute("PRAGMA busy_timeout").fetchone() == (250,)


# -- round trips ---------------------------------------------------------------------------


def test_round_trip_of_every_method(store: SqliteStore) -> None:
    t0 = datetime(2026, 11, 29, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    cid = store.create_case(
        questionnaire_id="ilo-2009",
        questionnaire_version="1.0",
        questionnaire_sha256=SHA,
        language="ar",
        ui_language="en",
        officer="officer-1",
        now=t0,
    )
    at = [t0 + timedelta(minutes=n) for n in range(10)]
    store.record_answer(cid, "q1", "yes", officer="officer-1", now=at[1])
    store.record_answer(cid, "q2", {"months": 3, "paid": [1, 2.5, None]}, officer="o2", now=at[2])
    store.record_note(cid, "q1", "hesitated", officer="officer-1", now=at[3])
    store.record_note(cid, "q1", "looked at the door", officer="officer-1", now=at[4])
    store.acknowledge_flag(cid, "child", officer="officer-1", now=at[5])
    store.set_meta(cid, "consent", {"given": True}, now=at[6])
    store.set_meta(cid, "position", "q3", now=at[6])

    case = store.get_case(cid)
    assert case.id == cid
    assert case.status is CaseStatus.DRAFT
    assert (case.questionnaire_id, case.questionnaire_version) == ("ilo-2009", "1.0")
    assert case.questionnaire_sha256 == SHA
    assert (case.language, case.ui_language, case.officer) == ("ar", "en", "officer-1")
    assert case.created_at == t0
    assert case.created_at.tzinfo == UTC
    assert case.updated_at == at[6]
    assert case.answers == {"q1": "yes", "q2": {"months": 3, "paid": [1, 2.5, None]}}
    assert [r.officer for r in case.answer_history] == ["officer-1", "o2"]
    assert case.answer_history[1].recorded_at == at[2]
    assert case.notes == {"q1": ["hesitated", "looked at the door"]}
    assert case.acknowledged_flags == {"child"}
    assert case.meta == {"consent": {"given": True}, "position": "q3"}
    assert case.referral_json is None
    assert case.completed_at is None

    referral = '{"referral": {"outcome": "refer"}}'
    store.complete(cid, referral, officer="officer-1", now=at[7])
    store.mark_exported(cid, officer="officer-1", now=at[8])
    case = store.get_case(cid)
    assert case.status is CaseStatus.COMPLETE
    assert case.referral_json == referral
    assert (case.completed_at, case.exported_at, case.updated_at) == (at[7], at[8], at[7])

    (summary,) = store.list_cases()
    assert (summary.id, summary.status, summary.answers) == (cid, CaseStatus.COMPLETE, 2)
    assert (summary.questionnaire_id, summary.officer) == ("ilo-2009", "officer-1")
    assert (summary.created_at, summary.updated_at) == (t0, at[7])


def test_history_is_kept_and_the_latest_answer_wins(store: SqliteStore) -> None:
    cid = new_case(store)
    store.record_answer(cid, "q1", "no", officer="a")
    store.record_answer(cid, "q2", 3, officer="a")
    store.record_answer(cid, "q1", "yes", officer="b")
    store.record_answer(cid, "q1", "yes", officer="b")  # the same again: not a change
    case = store.get_case(cid)
    assert case.answers == {"q1": "yes", "q2": 3}
    assert list(case.answers) == ["q1", "q2"]
    assert [(r.question_id, r.value) for r in case.answer_history] == [
        ("q1", "no"),
        ("q2", 3),
        ("q1", "yes"),
    ]
    assert _events(store) == [
        EventType.CASE_CREATED,
        EventType.QUESTION_ANSWERED,
        EventType.QUESTION_ANSWERED,
        EventType.ANSWER_CHANGED,
    ]


def test_a_cleared_answer_leaves_the_answers_and_stays_in_the_history(store: SqliteStore) -> None:
    cid = new_case(store)
    assert store.clear_answer(cid, "q1", officer="a") is False  # nothing to clear
    store.record_answer(cid, "q1", PRIVATE, officer="a")
    store.record_answer(cid, "q2", 3, officer="a")
    assert store.list_cases()[0].answers == 2
    assert store.clear_answer(cid, "q1", officer="b") is True
    assert store.clear_answer(cid, "q1", officer="b") is False  # already cleared: no event
    case = store.get_case(cid)
    assert case.answers == {"q2": 3}
    assert [(r.question_id, r.value, r.officer) for r in case.answer_history] == [
        ("q1", PRIVATE, "a"),
        ("q2", 3, "a"),
        ("q1", None, "b"),
    ]
    assert store.list_cases()[0].answers == 1
    store.record_answer(cid, "q1", "again", officer="a")
    assert store.get_case(cid).answers == {"q2": 3, "q1": "again"}
    assert store.list_cases()[0].answers == 2
    assert _events(store) == [
        EventType.CASE_CREATED,
        EventType.QUESTION_ANSWERED,
        EventType.QUESTION_ANSWERED,
        EventType.ANSWER_CLEARED,
        EventType.ANSWER_CHANGED,
    ]
    assert store.verify().ok
    with pytest.raises(TypeError, match="None is not an answer"):
        store.record_answer(cid, "q2", None, officer="a")
    store.complete(cid, "{}", officer=None)
    with pytest.raises(StoreError):
        store.clear_answer(cid, "q2", officer="a")


def test_flag_acknowledged_twice_is_one_event(store: SqliteStore) -> None:
    cid = new_case(store)
    store.acknowledge_flag(cid, "danger", officer=None)
    store.acknowledge_flag(cid, "danger", officer=None)
    assert store.get_case(cid).acknowledged_flags == {"danger"}
    assert _events(store).count(EventType.FLAG_ACKNOWLEDGED) == 1


def test_case_ids_are_short_typable_and_unique(store: SqliteStore) -> None:
    ids = {new_case(store) for _ in range(50)}
    assert len(ids) == 50
    for cid in ids:
        prefix, year, month, day, suffix = cid.split("-")
        assert (prefix, year, month, day) == ("C", "2026", "11", "29")
        assert len(suffix) == 6
        assert not set(suffix) & set("01ILOU")


def test_case_id_date_follows_the_clock_timezone(store: SqliteStore) -> None:
    late_evening_utc = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)
    bahrain = late_evening_utc.astimezone(timezone(timedelta(hours=3)))
    cid = store.create_case(
        questionnaire_id="q",
        questionnaire_version="1",
        questionnaire_sha256=SHA,
        language="en",
        ui_language="en",
        officer=None,
        now=bahrain,
    )
    assert cid.startswith("C-2026-11-30-")


def test_case_ids_are_found_in_any_letter_case(store: SqliteStore) -> None:
    cid = new_case(store)
    store.record_answer(cid.lower(), "q1", 1, officer=None)
    assert store.get_case(cid.lower()).id == cid


def test_own_case_id_is_checked(store: SqliteStore) -> None:
    assert new_case(store, case_id="EPC-0042") == "EPC-0042"
    with pytest.raises(StoreError, match="exists already"):
        new_case(store, case_id="epc-0042")
    with pytest.raises(StoreError, match="not a valid case id"):
        new_case(store, case_id="no spaces/slashes")


def test_unknown_case_names_the_id_and_the_command(store: SqliteStore) -> None:
    with pytest.raises(StoreError) as caught:
        store.get_case("C-2000-01-01-ZZZZZZ")
    assert "C-2000-01-01-ZZZZZZ" in caught.value.message
    assert "screening cases list" in caught.value.hint
    with pytest.raises(StoreError, match="no case"):
        store.record_answer("C-2000-01-01-ZZZZZZ", "q1", PRIVATE, officer=None)


def test_a_completed_case_is_frozen(store: SqliteStore) -> None:
    cid = new_case(store)
    store.record_answer(cid, "q1", "yes", officer=None)
    store.complete(cid, "{}", officer=None)
    writes: list[Callable[[], None]] = [
        lambda: store.record_answer(cid, "q1", PRIVATE, officer=None),
        lambda: store.record_note(cid, "q1", PRIVATE, officer=None),
        lambda: store.acknowledge_flag(cid, "f", officer=None),
        lambda: store.complete(cid, "{}", officer=None),
    ]
    for write in writes:
        with pytest.raises(StoreError, match="is complete") as caught:
            write()
        assert_clean(caught.value)
    store.set_meta(cid, "exported_to", "nrm")
    assert store.get_case(cid).answers == {"q1": "yes"}


def test_exporting_a_draft_is_audited_and_keeps_the_retention_clock(store: SqliteStore) -> None:
    cid = new_case(store)
    before = store.get_case(cid)
    events = store.verify().events
    store.mark_exported(cid, officer="officer-9")
    after = store.get_case(cid)
    assert after.status is CaseStatus.DRAFT
    assert after.exported_at is not None
    assert after.updated_at == before.updated_at
    assert store.verify().events == events + 1


def test_list_cases_filters_and_orders(store: SqliteStore) -> None:
    first, second = new_case(store), new_case(store)
    store.record_answer(first, "q1", PRIVATE, officer=None)
    store.complete(second, "{}", officer=None)
    assert [c.id for c in store.list_cases()] == [second, first]
    assert [c.id for c in store.list_cases("draft")] == [first]
    assert [c.id for c in store.list_cases(CaseStatus.COMPLETE)] == [second]
    assert PRIVATE not in repr(store.list_cases())
    with pytest.raises(StoreError, match="not a case status"):
        store.list_cases("open")


def test_delete_removes_content_and_leaves_an_event(store: SqliteStore) -> None:
    cid, other = new_case(store), new_case(store)
    store.record_answer(cid, "q1", PRIVATE, officer=None)
    store.record_note(cid, "q1", PRIVATE, officer=None)
    store.acknowledge_flag(cid, "f1", officer=None)
    store.set_meta(cid, "consent", True)
    store.record_answer(other, "q1", "kept", officer=None)
    store.delete_case(cid, officer="officer-2")
    with pytest.raises(StoreError, match="no case"):
        store.get_case(cid)
    assert store.get_case(other).answers == {"q1": "kept"}
    with around(store) as conn:
        for table in ("answers", "notes", "acknowledged_flags", "case_meta", "cases"):
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
            assert all(cid not in map(str, row) for row in rows), table
        last = conn.execute(
            "SELECT event, case_id, officer FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert last == (EventType.CASE_DELETED, cid, "officer-2")
    store.close()
    if not is_postgres(store):
        # secure_delete and the checkpoint leave no trace of the content in the files on disk.
        for path in store.path.parent.iterdir():
            assert PRIVATE.encode() not in path.read_bytes(), path.name
    with open_store(os.environ["SCREENING_STORE"]) as reopened:
        assert reopened.verify().ok


def test_reassign_gives_the_case_to_another_officer(store: SqliteStore) -> None:
    from screening.errors import LeaseError

    cid = new_case(store)
    store.record_answer(cid, "q1", PRIVATE, officer="officer-1")
    assert store.reassign(cid.lower(), "officer-2", by="supervisor", now=START) == "officer-1"
    case = store.get_case(cid)
    assert (case.officer, case.updated_at) == ("officer-2", START)
    assert case.answers == {"q1": PRIVATE}
    assert _events(store)[-1] == EventType.CASE_UPDATED
    assert store.verify().ok
    with pytest.raises(StoreError, match="not an officer id"):
        store.reassign(cid, "", by=None)
    with open_store(os.environ["SCREENING_STORE"]) as other:
        other.acquire_lease(cid, officer="officer-2")
        with pytest.raises(LeaseError, match="open in another terminal"):
            store.reassign(cid, "officer-3", by=None)


def test_purge_by_last_update(store: SqliteStore) -> None:
    old = new_case(store)
    store.record_answer(old, "q1", 1, officer=None, now=START - timedelta(days=40))
    recent = new_case(store)
    store.record_answer(recent, "q1", 1, officer=None, now=START - timedelta(days=5))
    deleted = store.purge(timedelta(days=30), now=START, officer="admin")
    assert deleted == [old]
    assert [c.id for c in store.list_cases()] == [recent]
    assert _events(store)[-1] == EventType.CASE_PURGED
    assert store.purge(timedelta(days=30), now=START) == []
    with pytest.raises(ValueError, match="negative"):
        store.purge(timedelta(days=-1))


def test_bad_arguments_are_refused_without_content(store: SqliteStore) -> None:
    cid = new_case(store)
    with pytest.raises(TypeError) as caught:
        store.record_answer(cid, "q1", {PRIVATE: {1, 2}}, officer=None)  # type: ignore[dict-item]
    assert PRIVATE not in str(caught.value)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_answer(cid, "q1", "x", officer=None, now=datetime(2026, 1, 1))
    assert store.get_case(cid).answers == {}


def test_a_closed_store_says_so(home: Path) -> None:
    store = open_store()
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.list_cases()


# -- the audit log ---------------------------------------------------------------------------


def _events(store: SqliteStore) -> list[str]:
    with around(store) as conn:
        return [row[0] for row in conn.execute("SELECT event FROM audit_events ORDER BY seq")]


def _filled(store: SqliteStore) -> str:
    cid = new_case(store)
    for n in range(5):
        store.record_answer(cid, f"q{n}", f"{PRIVATE} {n}", officer="officer-1")
    store.record_note(cid, "q1", PRIVATE, officer="officer-1")
    store.acknowledge_flag(cid, "f1", officer="officer-1")
    store.complete(cid, json.dumps({"secret": PRIVATE}), officer="officer-1")
    store.mark_exported(cid, officer="officer-1")
    return cid


def test_audit_events_record_who_what_when_and_no_content(store: SqliteStore) -> None:
    cid = _filled(store)
    with around(store) as conn:
        rows = conn.execute(
            "SELECT seq, at, officer, event, case_id, question_id, flag_id, prev_hash, hash"
            " FROM audit_events ORDER BY seq"
        ).fetchall()
    assert [r[0] for r in rows] == list(range(1, 11))
    assert [r[3] for r in rows] == [
        "case_created",
        *["question_answered"] * 5,
        "note_added",
        "flag_acknowledged",
        "case_completed",
        "case_exported",
    ]
    assert {r[4] for r in rows} == {cid}
    # question and flag ids stay with the records (they go when the case is deleted)
    assert {r[5] for r in rows} == {r[6] for r in rows} == {None}
    assert rows[0][7] == GENESIS_HASH
    assert all(rows[n][7] == rows[n - 1][8] for n in range(1, len(rows)))
    assert rows[0][1] == "2026-11-29T09:00:01.000000Z"
    assert all(PRIVATE not in str(row) for row in rows)
    assert store.audit_head() == rows[-1][8]
    result = store.verify()
    assert (result.ok, result.events, result.head, result.first_broken) == (
        True,
        10,
        rows[-1][8],
        None,
    )


def test_empty_log(store: SqliteStore) -> None:
    assert store.audit_head() == GENESIS_HASH
    assert store.verify().ok


def test_the_log_is_append_only_in_the_database(store: SqliteStore) -> None:
    import psycopg

    _filled(store)
    refused = (sqlite3.IntegrityError, psycopg.errors.RaiseException)
    with around(store) as conn, pytest.raises(refused, match="append-only"):
        conn.execute("UPDATE audit_events SET officer = 'x' WHERE seq = 2")
    with around(store) as conn, pytest.raises(refused, match="append-only"):
        conn.execute("DELETE FROM audit_events WHERE seq = 2")
    if is_postgres(store):
        with around(store) as conn, pytest.raises(refused, match="append-only"):
            conn.execute("TRUNCATE audit_events")
    assert store.verify().ok


def _tamper(store: SqliteStore, *statements: str) -> None:
    with around(store) as conn:
        if is_postgres(store):
            conn.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        else:
            conn.execute("DROP TRIGGER audit_events_append_only_update")
            conn.execute("DROP TRIGGER audit_events_append_only_delete")
        for statement in statements:
            conn.execute(statement)


def test_verify_names_an_edited_event(store: SqliteStore) -> None:
    _filled(store)
    _tamper(store, "UPDATE audit_events SET officer = 'someone else' WHERE seq = 4")
    result = store.verify()
    assert (result.ok, result.first_broken) == (False, 4)
    assert "event 4 was altered" in result.message


def test_verify_names_an_edited_link(store: SqliteStore) -> None:
    _filled(store)
    _tamper(store, "UPDATE audit_events SET prev_hash = hash WHERE seq = 6")
    result = store.verify()
    assert (result.ok, result.first_broken) == (False, 6)
    assert "does not link" in result.message


def test_verify_names_a_deleted_middle_event(store: SqliteStore) -> None:
    _filled(store)
    _tamper(store, "DELETE FROM audit_events WHERE seq = 3")
    result = store.verify()
    assert (result.ok, result.first_broken) == (False, 3)
    assert "event 3 is missing" in result.message


def test_verify_detects_a_truncated_tail(store: SqliteStore) -> None:
    _filled(store)
    _tamper(store, "DELETE FROM audit_events WHERE seq > 7")
    result = store.verify()
    assert (result.ok, result.events, result.first_broken) == (False, 7, 8)
    assert "events 8 to 10 were removed" in result.message


def test_verify_against_an_exported_head(store: SqliteStore) -> None:
    cid = _filled(store)
    exported_head = store.audit_head()
    store.record_answer(new_case(store), "q1", 1, officer=None)
    assert store.verify(exported_head).ok  # later events do not matter
    assert store.verify(exported_head.upper()).ok
    # A careful tamperer cuts the tail and rewrites the recorded state to match: only a head
    # kept elsewhere shows it.
    _tamper(
        store,
        "DELETE FROM audit_events WHERE seq >= 8",
        "UPDATE chain_state SET events = 7, head = (SELECT hash FROM audit_events WHERE seq = 7)",
    )
    # The anchor file beside an SQLite store shows it, and so does the exported head.
    alone = store.verify()
    if not is_postgres(store):
        assert not alone.ok
        assert any("anchor file" in problem for problem in alone.problems)
    result = store.verify(exported_head)
    assert not result.ok
    assert any("truncated or rewritten" in problem for problem in result.problems)
    assert cid
    with pytest.raises(StoreError, match="not an audit head"):
        store.verify("abc")
    with pytest.raises(StoreError, match="empty audit log"):
        store.verify(GENESIS_HASH)


def test_events_after_a_tampered_tail_still_show_the_gap(store: SqliteStore) -> None:
    cid = new_case(store)
    store.record_answer(cid, "q1", 1, officer=None)
    store.record_answer(cid, "q2", 1, officer=None)
    _tamper(store, "DELETE FROM audit_events WHERE seq = 3")
    store.record_answer(cid, "q3", 1, officer=None)
    result = store.verify()
    assert (result.ok, result.first_broken) == (False, 3)


# -- schema versions -------------------------------------------------------------------------


def test_new_store_has_the_latest_schema(home: Path) -> None:
    open_store().close()
    with raw(home) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(sqlite_store.MIGRATIONS),)
        assert conn.execute("PRAGMA application_id").fetchone() == (sqlite_store.APPLICATION_ID,)


def test_older_store_is_migrated_keeping_its_data(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store() as store:
        cid = new_case(store)
        store.record_answer(cid, "q1", "kept", officer=None)
    later = [*sqlite_store.MIGRATIONS, ("ALTER TABLE cases ADD COLUMN centre TEXT",)]
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", later)
    with open_store() as store:
        assert store.get_case(cid).answers == {"q1": "kept"}
        assert store.verify().ok
    with raw(home) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(later),)
        assert "centre" in {row[1] for row in conn.execute("PRAGMA table_info(cases)")}


def test_newer_store_is_refused_untouched(home: Path) -> None:
    with open_store() as store:
        cid = new_case(store)
        store.record_answer(cid, "q1", "kept", officer=None)
    with raw(home) as conn:
        conn.execute(f"PRAGMA user_version = {len(sqlite_store.MIGRATIONS) + 1}")
    before = (home / DATABASE_NAME).read_bytes()
    with pytest.raises(StoreError) as caught:
        open_store()
    assert "created by a newer version of screening; upgrade" in caught.value.message
    assert str(home / DATABASE_NAME) in caught.value.message
    assert (home / DATABASE_NAME).read_bytes() == before


def test_another_programs_database_is_refused(home: Path) -> None:
    home.mkdir(mode=0o700)
    with raw(home) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(StoreError, match="another program"):
        open_store()


# -- failures: one clear error, nothing saved is lost ---------------------------------------


def _saved(home: Path) -> str:
    with open_store() as store:
        cid = new_case(store)
        for n in range(3):
            store.record_answer(cid, f"q{n}", f"{PRIVATE} {n}", officer=None)
    return cid


def _still_there(home: Path, cid: str) -> None:
    with open_store() as store:
        assert store.get_case(cid).answers == {f"q{n}": f"{PRIVATE} {n}" for n in range(3)}
        assert store.verify().ok


def test_corrupt_file_is_refused_and_left_as_is(home: Path) -> None:
    home.mkdir(mode=0o700)
    garbage = os.urandom(8192)
    (home / DATABASE_NAME).write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        open_store()
    assert "is damaged or is not a screening case store" in caught.value.message
    assert str(home / DATABASE_NAME) in caught.value.message
    assert "Move the file aside" in caught.value.hint
    assert_clean(caught.value)
    assert (home / DATABASE_NAME).read_bytes() == garbage


def test_damaged_pages_give_one_clear_error(home: Path) -> None:
    cid = _saved(home)
    path = home / DATABASE_NAME
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)  # keep the header, ruin every page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged") as caught, open_store() as store:
        store.get_case(cid)
    assert_clean(caught.value)


def test_disk_full_keeps_what_was_saved(home: Path) -> None:
    cid = _saved(home)
    with open_store() as store:
        conn = store._conn
        assert conn is not None
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

        def fill() -> None:
            for n in range(100):
                store.record_answer(cid, f"big{n}", PRIVATE * 500, officer=None)

        with pytest.raises(StoreError) as caught:
            fill()
        assert "is full" in caught.value.message
        assert str(home / DATABASE_NAME) in caught.value.message
        assert "Free some disk space" in caught.value.hint
        assert_clean(caught.value)
        assert not conn.in_transaction
    with open_store() as store:
        case = store.get_case(cid)
        assert {f"q{n}" for n in range(3)} <= set(case.answers)
        assert store.verify().ok


def test_disk_full_on_commit_keeps_what_was_saved(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = _saved(home)
    with open_store() as store:
        real = store._conn
        assert real is not None

        class FullDisk:
            """Forwards to the real connection but fails every COMMIT like a full disk."""

            def __getattr__(self, name: str) -> object:
                return getattr(real, name)

            def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
                if sql == "COMMIT":
                    raise sqlite3.OperationalError("database or disk is full")
                assert real is not None
                return real.execute(sql, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(store, "_conn", FullDisk())
        with pytest.raises(StoreError, match="is full"):
            store.record_answer(cid, "q9", PRIVATE, officer=None)
        assert not real.in_transaction
    _still_there(home, cid)


def test_locked_past_the_timeout(home: Path) -> None:
    cid = _saved(home)
    with open_store(busy_timeout=0.2) as store, raw(home) as other:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            store.record_answer(cid, "q9", PRIVATE, officer=None)
        assert time.monotonic() - started >= 0.15  # waited about the timeout, not forever
        assert "locked by another screening session for more than 0.2 s" in caught.value.message
        assert str(home / DATABASE_NAME) in caught.value.message
        assert_clean(caught.value)
        assert store.get_case(cid).answers["q0"] == f"{PRIVATE} 0"  # readers are not blocked
        other.execute("ROLLBACK")
        store.record_answer(cid, "q9", "after", officer=None)
    with open_store() as store:
        assert store.get_case(cid).answers["q9"] == "after"
        assert store.verify().ok


NOBODY = 65534


@contextmanager
def unprivileged_dir() -> Iterator[Path]:
    """A scratch directory used as an ordinary user: root would ignore every permission."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    # As root, the scratch directory must be reachable by `nobody`: /tmp is, $TMPDIR may not be.
    parent = "/tmp" if root and os.path.isdir("/tmp") else None
    base = Path(tempfile.mkdtemp(prefix="screening-store-", dir=parent))
    try:
        if root:
            base.chmod(0o755)
            os.chown(base, NOBODY, NOBODY)
            os.setegid(NOBODY)
            os.seteuid(NOBODY)
        try:
            yield base
        finally:
            if root:
                os.seteuid(0)
                os.setegid(0)
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir():
                path.chmod(0o700)
        shutil.rmtree(base)


@POSIX_ONLY
def test_directory_not_writable(monkeypatch: pytest.MonkeyPatch) -> None:
    with unprivileged_dir() as base:
        home = base / "home"
        monkeypatch.setenv("SCREENING_HOME", str(home))
        cid = _saved(home)
        home.chmod(0o500)
        with pytest.raises(StoreError) as caught:
            open_store()
        assert f"the directory {home} is not writable" in caught.value.message
        assert "SCREENING_HOME" in caught.value.hint
        assert_clean(caught.value)
        # Without the early check, SQLite itself cannot create its -wal file.
        with monkeypatch.context() as patched:
            patched.setattr(os, "access", lambda *args, **kwargs: True)
            with pytest.raises(StoreError, match="not writable"):
                open_store().get_case(cid)
        home.chmod(0o700)
        _still_there(home, cid)


@POSIX_ONLY
def test_store_directory_cannot_be_created(monkeypatch: pytest.MonkeyPatch) -> None:
    with unprivileged_dir() as base:
        parent = base / "locked"
        parent.mkdir(mode=0o500)
        with pytest.raises(StoreError) as caught:
            open_store(parent / "home")
        assert f"cannot create the case store directory {parent / 'home'}" in str(caught.value)
        assert "SCREENING_HOME" in caught.value.hint


@POSIX_ONLY
def test_read_only_database_file(monkeypatch: pytest.MonkeyPatch) -> None:
    with unprivileged_dir() as base:
        home = base / "home"
        monkeypatch.setenv("SCREENING_HOME", str(home))
        cid = _saved(home)
        (home / DATABASE_NAME).chmod(0o400)
        with pytest.raises(StoreError, match="not writable") as caught, open_store() as store:
            store.record_answer(cid, "q9", PRIVATE, officer=None)
        assert_clean(caught.value)
        (home / DATABASE_NAME).chmod(0o600)
        _still_there(home, cid)


def test_home_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match="not a directory"):
        open_store(tmp_path / "file")


# -- several writers, and kill -9 ----------------------------------------------------------

WRITER = """
import sys
from screening.store import open_store
home, case_id, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open_store(home, busy_timeout=30) as store:
    for n in range(count):
        question = f"{prefix}{n:04d}"
        store.record_answer(case_id, question, f"answer {question}", officer=prefix)
        store.record_answer(case_id, "shared", f"{prefix} {n}", officer=prefix)
        print(question, flush=True)
"""


def _writer(home: Path | str, cid: str, prefix: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), cid, prefix, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _check_interleaved(home: Path | str, cid: str, prefixes: list[str], count: int) -> None:
    with open_store(str(home)) as store:
        case = store.get_case(cid)
        for prefix in prefixes:
            for n in range(count):
                assert case.answers[f"{prefix}{n:04d}"] == f"answer {prefix}{n:04d}"
        shared = [r for r in case.answer_history if r.question_id == "shared"]
        assert len(shared) == len(prefixes) * count
        result = store.verify()
        assert result.ok, result.message
        assert result.events == 1 + len(prefixes) * count * 2


def test_two_threads_writing_at_once(location: str) -> None:
    home = location
    with open_store(location) as store:
        cid = new_case(store)
    count = 150
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(prefix: str) -> None:
        try:
            with open_store(location, busy_timeout=30) as mine:
                barrier.wait()
                for n in range(count):
                    question = f"{prefix}{n:04d}"
                    mine.record_answer(cid, question, f"answer {question}", officer=prefix)
                    mine.record_answer(cid, "shared", f"{prefix} {n}", officer=prefix)
        except BaseException as exc:  # handed to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    _check_interleaved(home, cid, ["a", "b"], count)


def test_two_processes_writing_at_once(location: str) -> None:
    home = location
    with open_store(location) as store:
        cid = new_case(store)
    count = 100
    writers = [_writer(home, cid, prefix, count) for prefix in ("a", "b")]
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        assert len(out.split()) == count
    _check_interleaved(home, cid, ["a", "b"], count)


@POSIX_ONLY
@pytest.mark.parametrize("round_", range(6))
def test_kill_9_loses_no_committed_answer(location: str, round_: int) -> None:
    home = location
    seed = secrets.randbits(32)
    rng = random.Random(seed)  # noqa: S311 (timing jitter, reproducible from the seed)
    with open_store(location) as store:
        cid = new_case(store)
    writer = _writer(home, cid, "q", 100_000)
    assert writer.stdout is not None
    printed: list[str] = []
    if round_ % 2:
        # Kill at a random moment, possibly before the first answer or during start-up.
        time.sleep(rng.uniform(0, 0.5))
    else:
        # Kill a random short time after a random answer, usually inside the next transaction.
        target = rng.randrange(1, 300)
        while len(printed) < target and (line := writer.stdout.readline()):
            printed.append(line.strip())
        time.sleep(rng.uniform(0, 0.003))
    writer.send_signal(signal.SIGKILL)
    rest, _ = writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL, f"seed {seed}"
    printed += rest.split()
    with open_store(location) as store:
        case = store.get_case(cid)
        for question in printed:
            assert case.answers.get(question) == f"answer {question}", f"seed {seed}"
        result = store.verify()
        assert result.ok, f"seed {seed}: {result.message}"
