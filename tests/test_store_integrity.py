"""The case store against a tamperer: the audit chain covers the data, the anchor file holds the
head outside the database, deletion leaves no question ids behind, foreign and newer files are
left byte for byte as they were, a locked store is waited for, a read-only store can be read."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import SMALL, Run, write
from test_store import POSIX_ONLY, TickingClock, new_case, unprivileged_dir

from screening.errors import StoreError
from screening.store import (
    DATABASE_NAME,
    GENESIS_HASH,
    SqliteStore,
    anchor_path,
    open_store,
)
from screening.store import sqlite as sqlite_store
from screening.store.audit import AuditEvent, chain_hash, record_digest

Cli = Callable[..., Run]
SECRET = "worker said yes to self-harm"  # noqa: S105 - stands for answer content, never shown
FOLLOW_UP = "self_harm_plan"  # a follow-up question: its id alone says the gateway was "yes"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(path))
    monkeypatch.delenv("SCREENING_UI_LANG", raising=False)
    monkeypatch.delenv("SCREENING_RTL", raising=False)
    return path


@pytest.fixture
def store(home: Path) -> Iterator[SqliteStore]:
    with open_store(clock=TickingClock()) as opened:
        yield opened


def filled(store: SqliteStore) -> tuple[str, str]:
    """A draft with answers, a changed answer, a note and a flag; a completed, exported case."""
    draft = new_case(store)
    store.record_answer(draft, "self_harm", "yes", officer="officer-1")
    store.record_answer(draft, FOLLOW_UP, SECRET, officer="officer-1")
    store.record_answer(draft, "age", 30, officer="officer-1")
    store.record_answer(draft, "age", 31, officer="officer-1")
    store.record_note(draft, FOLLOW_UP, SECRET, officer="officer-1")
    store.acknowledge_flag(draft, "self_harm_risk", officer="officer-1")
    store.set_meta(draft, "interview", {"redact": False})
    done = new_case(store)
    store.record_answer(done, "q1", "no", officer="officer-2")
    store.complete(done, json.dumps({"case": done}), officer="officer-2")
    store.mark_exported(done, officer="officer-2")
    assert store.verify().ok
    return draft, done


def tamper(home: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Change the database around the store, as someone with the file would."""
    conn = sqlite3.connect(home / DATABASE_NAME, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER IF EXISTS audit_events_append_only_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_events_append_only_delete")
        for statement in statements:
            conn.execute(statement, params if "?" in statement else ())
    finally:
        conn.close()


def refused(cli: Cli, *expected: str) -> str:
    """`cases verify` exits 1 and says each expected thing; returns stderr."""
    run = cli("cases", "verify")
    assert run.code == 1, run.err
    assert run.out == ""
    assert "screening: error: the case store is not intact" in run.err
    for text in expected:
        assert text in run.err, run.err
    assert SECRET not in run.err
    assert "Traceback" not in run.err
    return run.err


def answer_seq(home: Path, case_id: str, question_id: str) -> int:
    with sqlite3.connect(home / DATABASE_NAME) as conn:
        return int(
            conn.execute(
                "SELECT MAX(seq) FROM answers WHERE case_id = ? AND question_id = ?",
                (case_id, question_id),
            ).fetchone()[0]
        )


# -- the chain covers the data ---------------------------------------------------------------


def test_an_intact_store_verifies_with_its_anchor(cli: Cli, store: SqliteStore) -> None:
    filled(store)
    run = cli("cases", "verify")
    assert run.code == 0, run.err
    assert store.audit_head() in run.out
    assert "the anchor file matches the head" in run.err
    result = store.verify()
    assert result.ok
    assert result.anchor is not None


def test_an_edited_answer_is_named(cli: Cli, store: SqliteStore, home: Path) -> None:
    draft, _ = filled(store)
    seq = answer_seq(home, draft, "self_harm")
    tamper(home, "UPDATE answers SET value_json = '\"no\"' WHERE seq = ?", params=(seq,))
    refused(
        cli,
        f"the answer to question self_harm of case {draft} (answer record {seq}) does not match "
        "audit event",
        "changed outside screening",
    )


def test_an_edited_note_is_named(cli: Cli, store: SqliteStore, home: Path) -> None:
    draft, _ = filled(store)
    tamper(home, "UPDATE notes SET text = 'nothing to note'")
    refused(cli, f"the note on question {FOLLOW_UP} of case {draft} (note record 1)")


def test_an_edited_timestamp_is_named(cli: Cli, store: SqliteStore, home: Path) -> None:
    # Moving updated_at forward would keep a case from the retention purge.
    draft, done = filled(store)
    tamper(
        home,
        "UPDATE cases SET updated_at = '2099-01-01T00:00:00.000000Z' WHERE id = ?",
        params=(done,),
    )
    refused(cli, f"the fields of case {done} (status, times, officer, referral or metadata)")
    assert draft


def test_edited_metadata_is_named(cli: Cli, store: SqliteStore, home: Path) -> None:
    draft, _ = filled(store)
    tamper(home, "UPDATE case_meta SET value_json = '{\"redact\":true}'")
    refused(cli, f"the metadata of case {draft}")


def test_an_answer_added_outside_screening_is_named(
    cli: Cli, store: SqliteStore, home: Path
) -> None:
    draft, _ = filled(store)
    tamper(
        home,
        "INSERT INTO answers (case_id, question_id, value_json, officer, recorded_at)"
        " VALUES (?, 'self_harm', '\"no\"', 'officer-1', '2026-11-29T09:00:59.000000Z')",
        params=(draft,),
    )
    refused(cli, f"the answer to question self_harm of case {draft}", "has no audit event")


def test_a_removed_answer_is_named(cli: Cli, store: SqliteStore, home: Path) -> None:
    draft, _ = filled(store)
    seq = answer_seq(home, draft, "age")
    tamper(home, "DELETE FROM answers WHERE seq = ?", params=(seq,))
    refused(cli, f"wrote an answer in case {draft} that is no longer in the store")


def test_a_truncated_log_is_named(cli: Cli, store: SqliteStore, home: Path) -> None:
    filled(store)
    events = store.verify().events
    tamper(home, "DELETE FROM audit_events WHERE seq > ?", params=(events - 2,))
    refused(cli, f"events {events - 1} to {events} were removed")


def test_last_events_cut_and_chain_state_rewritten_are_caught_by_the_anchor(
    cli: Cli, store: SqliteStore, home: Path
) -> None:
    filled(store)
    events = store.verify().events
    keep = events - 2
    tamper(
        home,
        "DELETE FROM audit_events WHERE seq > ?",
        "UPDATE chain_state SET events = ?1, head = (SELECT hash FROM audit_events WHERE seq = ?1)",
        params=(keep,),
    )
    refused(
        cli,
        f"the anchor file {anchor_path(home / DATABASE_NAME)} records {events} audit events "
        f"but the log has {keep}: events {keep + 1} to {events} were removed",
    )


def test_a_consistently_rehashed_chain_is_caught_by_the_anchor(
    cli: Cli, store: SqliteStore, home: Path
) -> None:
    """The careful tamperer: an answer changed, its digest and every hash after it recomputed,
    the state rewritten. The database agrees with itself; only the anchor file disagrees."""
    draft, _ = filled(store)
    seq = answer_seq(home, draft, "self_harm")
    conn = sqlite3.connect(home / DATABASE_NAME, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_events_append_only_update")
        (salt,) = conn.execute("SELECT salt FROM cases WHERE id = ?", (draft,)).fetchone()
        qid, officer, at, event_seq = conn.execute(
            "SELECT question_id, officer, recorded_at, event_seq FROM answers WHERE seq = ?",
            (seq,),
        ).fetchone()
        conn.execute("UPDATE answers SET value_json = '\"no\"' WHERE seq = ?", (seq,))
        digest = record_digest(
            salt, "answer", case_id=draft, question_id=qid, value='"no"', officer=officer, at=at
        )
        conn.execute("UPDATE audit_events SET data_hash = ? WHERE seq = ?", (digest, event_seq))
        prev = GENESIS_HASH
        for row in conn.execute(
            "SELECT seq, at, officer, event, case_id, question_id, flag_id, prev_hash, hash,"
            " data_hash, case_hash FROM audit_events ORDER BY seq"
        ).fetchall():
            event = AuditEvent(*row)
            new_hash = chain_hash(prev, event.canonical())
            conn.execute(
                "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?",
                (prev, new_hash, event.seq),
            )
            prev = new_hash
        conn.execute("UPDATE chain_state SET head = ?", (prev,))
    finally:
        conn.close()
    err = refused(cli, "differs from the head recorded in the anchor file", "was rewritten")
    assert "does not match audit event" not in err  # the data agrees with the forged chain
    # Without the anchor file nothing inside the database shows it, which is why the anchor
    # is kept: a missing anchor file is itself a finding.
    anchor_path(home / DATABASE_NAME).unlink()
    refused(cli, "is missing")


def test_a_deleted_case_row_is_named(cli: Cli, store: SqliteStore, home: Path) -> None:
    draft, done = filled(store)
    tamper(home, "DELETE FROM cases WHERE id = ?", params=(done,))
    refused(cli, f"case {done} is not in the store but the audit log has no deletion event")
    assert draft


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE cases SET salt = 'not hex'",
        "UPDATE chain_state SET events = 'many'",
        "UPDATE answers SET event_seq = 'x'",
    ],
)
def test_values_of_the_wrong_form_are_reported_not_crashed_on(
    cli: Cli, store: SqliteStore, home: Path, statement: str
) -> None:
    filled(store)
    tamper(home, statement)
    refused(cli)


def test_every_problem_is_listed(cli: Cli, store: SqliteStore, home: Path) -> None:
    draft, done = filled(store)
    tamper(
        home,
        "UPDATE notes SET text = 'x'",
        "UPDATE cases SET updated_at = '2099-01-01T00:00:00.000000Z'",
    )
    err = refused(cli, "more problem", f"case {draft}", f"case {done}")
    assert err.count("screening: ") >= 3


# -- the anchor file and the external anchor log ---------------------------------------------


@POSIX_ONLY
def test_the_anchor_file_is_private_and_follows_each_commit(store: SqliteStore, home: Path) -> None:
    anchor = anchor_path(home / DATABASE_NAME)
    assert oct(anchor.stat().st_mode & 0o777) == "0o600"
    cid = new_case(store)
    store.record_answer(cid, "q1", 1, officer=None)
    assert anchor.read_text(encoding="ascii").split() == [
        "screening-audit-anchor",
        "1",
        f"{store.verify().events:020d}",
        store.audit_head(),
    ]


def test_the_anchor_never_goes_back_to_an_earlier_head(store: SqliteStore, home: Path) -> None:
    # Two sessions commit events 5 and 6; the one with event 5 reaches the anchor file last.
    path = anchor_path(home / DATABASE_NAME)
    fd = sqlite_store._open_anchor(path)
    assert fd is not None
    try:
        sqlite_store._write_anchor(fd, 6, "6" * 64)
        sqlite_store._write_anchor(fd, 5, "5" * 64)
    finally:
        os.close(fd)
    assert sqlite_store._read_anchor(path) == (6, "6" * 64)


@POSIX_ONLY
def test_an_anchor_file_that_is_a_link_is_not_followed(
    cli: Cli, store: SqliteStore, home: Path, tmp_path: Path
) -> None:
    anchor = anchor_path(home / DATABASE_NAME)
    target = tmp_path / "elsewhere"
    target.write_text("untouched")
    anchor.unlink()
    anchor.symlink_to(target)
    cid = new_case(store)
    store.record_answer(cid, "q1", 1, officer=None)
    assert target.read_text() == "untouched"
    refused(cli, "is not a regular file")


def test_anchor_to_appends_and_checks_an_external_log(
    cli: Cli, store: SqliteStore, home: Path, tmp_path: Path
) -> None:
    filled(store)
    log = tmp_path / "usb" / "heads.log"
    log.parent.mkdir()
    first = cli("cases", "verify", "--anchor-to", str(log))
    assert first.code == 0, first.err
    head = store.audit_head()
    lines = log.read_text(encoding="ascii").splitlines()
    assert len(lines) == 1
    assert lines[0].split()[1:] == [str(store.verify().events), head]
    new_case(store)
    assert cli("cases", "verify", "--anchor-to", str(log)).code == 0
    assert len(log.read_text(encoding="ascii").splitlines()) == 2
    # The tamperer rewrites the chain and the anchor file beside it; the log elsewhere stays.
    events = store.verify().events
    tamper(
        home,
        "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)",
        "UPDATE chain_state SET events = ?,"
        " head = (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1)",
        params=(events - 1,),
    )
    sqlite_store._create_anchor(anchor_path(home / DATABASE_NAME), events - 1, head)
    run = cli("cases", "verify", "--anchor-to", str(log))
    assert run.code == 1
    assert f"{log}:2:" in run.err
    assert "were removed" in run.err
    assert len(log.read_text(encoding="ascii").splitlines()) == 2  # nothing appended


# -- deletion leaves kinds and times, not question ids ---------------------------------------


@pytest.mark.parametrize("how", ["delete", "purge"])
def test_deletion_leaves_no_question_ids(store: SqliteStore, home: Path, how: str) -> None:
    draft, _ = filled(store)
    if how == "delete":
        store.delete_case(draft, officer="officer-9")
    else:
        later = datetime(2027, 6, 1, tzinfo=UTC)
        assert draft in store.purge(timedelta(days=30), now=later)
    result = store.verify()
    assert result.ok, result.message
    with sqlite3.connect(home / DATABASE_NAME) as conn:
        kinds = [
            row[0]
            for row in conn.execute(
                "SELECT event FROM audit_events WHERE case_id = ? ORDER BY seq", (draft,)
            )
        ]
        dump = "\n".join(conn.iterdump())
    assert kinds[-1] == ("case_deleted" if how == "delete" else "case_purged")
    assert kinds.count("question_answered") == 3  # the kinds and times stay
    for revealing in (FOLLOW_UP, "self_harm_risk", SECRET):
        assert revealing not in dump
    store.close()
    for name in (DATABASE_NAME, DATABASE_NAME + "-wal"):
        path = home / name
        if path.exists():
            assert FOLLOW_UP.encode() not in path.read_bytes(), name


# -- the file: checked before anything changes -----------------------------------------------


def test_another_programs_database_is_left_byte_for_byte(home: Path) -> None:
    home.mkdir(mode=0o700)
    path = home / DATABASE_NAME
    with sqlite3.connect(path) as conn:  # rollback journal, as most programs leave it
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('someone')")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program") as caught:
        open_store()
    assert "was not changed" in caught.value.hint
    assert path.read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == [DATABASE_NAME]


def test_another_programs_database_in_wal_mode_gets_nothing_beside_it(home: Path) -> None:
    home.mkdir(mode=0o700)
    path = home / DATABASE_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        open_store()
    assert path.read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == [DATABASE_NAME]


def test_a_newer_store_in_rollback_mode_is_left_byte_for_byte(home: Path) -> None:
    with open_store() as store:
        new_case(store)
    path = home / DATABASE_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA user_version = {len(sqlite_store.MIGRATIONS) + 1}")
    conn.close()
    before = path.read_bytes()
    assert before[18:20] == b"\x01\x01"  # rollback journal
    with pytest.raises(StoreError, match="newer version of screening"):
        open_store()
    assert path.read_bytes() == before
    assert not (home / (DATABASE_NAME + "-wal")).exists()


def test_a_version_1_store_is_upgraded_and_verifies(home: Path) -> None:
    """A store written before the chain covered data: its records are sealed on upgrade."""
    home.mkdir(mode=0o700)
    conn = sqlite3.connect(home / DATABASE_NAME, isolation_level=None)
    for statement in sqlite_store._V1:
        assert isinstance(statement, str)
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {sqlite_store.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    at = "2026-11-01T09:00:00.000000Z"
    conn.execute(
        "INSERT INTO cases (id, status, questionnaire_id, questionnaire_version,"
        " questionnaire_sha256, language, ui_language, officer, created_at, updated_at)"
        " VALUES ('OLD-1', 'draft', 'q', '1', ?, 'en', 'en', 'o', ?, ?)",
        ("ab" * 32, at, at),
    )
    conn.execute(
        "INSERT INTO answers (case_id, question_id, value_json, officer, recorded_at)"
        " VALUES ('OLD-1', 'q1', '\"kept\"', 'o', ?)",
        (at,),
    )
    conn.execute(
        "INSERT INTO notes (case_id, question_id, text, officer, recorded_at)"
        " VALUES ('OLD-1', 'q1', 'a note', 'o', ?)",
        (at,),
    )
    prev = GENESIS_HASH
    for seq, (event, qid) in enumerate(
        [("case_created", None), ("question_answered", "q1"), ("note_added", "q1")], start=1
    ):
        legacy = AuditEvent(seq, at, "o", event, "OLD-1", qid, None, prev, "")
        digest = chain_hash(prev, legacy.canonical())
        conn.execute(
            "INSERT INTO audit_events VALUES (?, ?, 'o', ?, 'OLD-1', ?, NULL, ?, ?)",
            (seq, at, event, qid, prev, digest),
        )
        prev = digest
    conn.execute("UPDATE chain_state SET events = 3, head = ?", (prev,))
    conn.close()
    with open_store() as store:
        assert store.get_case("OLD-1").answers == {"q1": "kept"}
        result = store.verify(prev)
        assert result.ok, result.message
        assert result.events == 4  # the three old events and the seal
        store.record_answer("OLD-1", "q2", "new", officer="o")
        assert store.verify().ok
    tamper(home, "UPDATE notes SET text = 'changed'")
    with open_store() as store:
        result = store.verify()
    assert not result.ok
    assert "the records of case OLD-1 sealed by audit event 4" in result.message


# -- a locked store: waited for, visibly --------------------------------------------------------


def test_a_write_waits_for_the_lock_and_says_so(home: Path) -> None:
    with open_store() as store:
        cid = new_case(store)
    holder = sqlite3.connect(home / DATABASE_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    env = {**os.environ, "SCREENING_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "screening", "cases", "delete", cid, "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # blocks until the message (bounded by wait below)
        assert "waiting for the case store" in line
        assert str(home / DATABASE_NAME) in line
        holder.execute("ROLLBACK")
        _out, err = process.communicate(timeout=60)
    finally:
        holder.close()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert f"deleted case {cid}" in err


def test_a_write_gives_up_after_the_limit_with_one_message(home: Path) -> None:
    with open_store() as store:
        cid = new_case(store)
    said: list[str] = []
    with open_store(busy_timeout=1.0, on_wait=said.append) as store:
        holder = sqlite3.connect(home / DATABASE_NAME, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError) as caught:
                store.record_answer(cid, "q1", SECRET, officer=None)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert len(said) == 1
        assert said[0].startswith("waiting for the case store")
        assert "stayed locked by another screening session for more than 1 s" in str(caught.value)
        assert SECRET not in str(caught.value)
        store.record_answer(cid, "q1", "after", officer=None)  # usable again
        assert store.verify().ok


# -- create_case and the interview's settings: one transaction --------------------------------


def test_a_case_is_created_with_its_settings_and_lease_in_one_commit(
    store: SqliteStore, home: Path
) -> None:
    before = store.verify().events
    cid = store.create_case(
        questionnaire_id="q",
        questionnaire_version="1",
        questionnaire_sha256="ab" * 32,
        language="en",
        ui_language="en",
        officer="officer-1",
        meta={"interview": {"redact": True}},
        lease=True,
    )
    assert store.verify().events == before + 1  # one event, one commit
    assert store.get_case(cid).meta == {"interview": {"redact": True}}
    holder = store.lease_holder(cid)
    assert holder is not None
    assert holder.pid == os.getpid()


# -- a read-only store ----------------------------------------------------------------------------


def _read_commands(cli: Cli, done: str) -> tuple[Run, Run, Run, Run]:
    return (
        cli("cases", "list", "--format", "json"),
        cli("cases", "show", done, "--format", "json"),
        cli("cases", "export", done),
        cli("cases", "verify"),
    )


@POSIX_ONLY
def test_a_read_only_store_can_be_listed_shown_exported_and_verified(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from test_cases_cli import PRIVATE, complete_case

    # Once as the test's own user first: every module is imported before the switch to an
    # ordinary user, who may not read the interpreter's own folder.
    monkeypatch.setenv("SCREENING_HOME", str(tmp_path / "warm"))
    with open_store() as store:
        warm = complete_case(store, write(tmp_path, "small.yaml", SMALL))
    assert all(run.code == 0 for run in _read_commands(cli, warm))
    with unprivileged_dir() as base:
        home = base / "home"
        monkeypatch.setenv("SCREENING_HOME", str(home))
        small = write(base, "small.yaml", SMALL)
        with open_store() as store:
            cid = new_case(store)
            store.record_answer(cid, "q1", "kept", officer=None)
            done = complete_case(store, small)
            head = store.audit_head()
        for path in home.iterdir():
            path.chmod(0o400)
        home.chmod(0o500)
        before = {p.name: p.read_bytes() for p in home.iterdir()}
        listed, shown, exported, verified = _read_commands(cli, done)
        assert listed.code == 0, listed.err
        assert sorted(case["id"] for case in json.loads(listed.out)) == sorted([cid, done])
        assert shown.code == 0, shown.err
        assert PRIVATE in shown.out
        assert exported.code == 0, exported.err
        assert json.loads(exported.out)["audit_head"] == head
        assert "read-only: this export is not recorded in its audit log" in exported.err
        assert verified.code == 0, verified.err
        assert head in verified.out
        with open_store(allow_read_only=True) as store:
            assert store.read_only
            assert store.get_case(cid).answers == {"q1": "kept"}
            with pytest.raises(StoreError, match="read-only"):
                store.record_answer(cid, "q2", SECRET, officer=None)
        with pytest.raises(StoreError, match="not writable"):
            open_store()  # a command that writes is refused, as before
        assert {p.name: p.read_bytes() for p in home.iterdir()} == before
        home.chmod(0o700)
