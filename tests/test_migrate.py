"""`screening cases migrate`: an SQLite store moved into the shared register, chain intact."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from test_store import PRIVATE, new_case
from test_store_postgres import cli, one_error

from screening.errors import StoreError
from screening.store import CaseStatus, open_store
from screening.store.migrate import migrate_cases
from screening.store.postgres import PostgresStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def filled_sqlite(home: Path) -> list[str]:
    """Three cases: a draft with changes, a withdrawal, notes and a flag; a completed and
    exported case; a bare draft."""
    at = [T0 + timedelta(minutes=n) for n in range(30)]
    with open_store(home) as store:
        first = new_case(store, officer="epc-017")
        store.set_meta(first, "consent", {"given": True}, now=at[1])
        store.record_answer(first, "q1", "no", officer="epc-017", now=at[2])
        store.record_note(first, "q1", PRIVATE, officer="epc-017", now=at[3])
        store.record_answer(first, "q1", "yes", officer="epc-020", now=at[4])
        store.record_answer(first, "q2", {"months": 3}, officer="epc-017", now=at[5])
        store.clear_answer(first, "q2", officer="epc-017", now=at[6])
        store.acknowledge_flag(first, "minor", officer="epc-017", now=at[7])
        store.set_meta(first, "position", "q3", now=at[8])
        second = new_case(store, officer="epc-020")
        store.record_answer(second, "q1", 42, officer="epc-020", now=at[10])
        store.complete(second, '{"referral": 1}', officer="epc-020", now=at[11])
        store.mark_exported(second, officer="epc-001", now=at[12])
        third = new_case(store, officer=None)
        assert store.verify().ok
    return [first, second, third]


def test_migrate_copies_every_case_with_its_history_once(tmp_path: Path, pg_url: str) -> None:
    home = tmp_path / "home"
    ids = filled_sqlite(home)
    run = cli("cases", "migrate", "--store", str(home), "--to", pg_url)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["copied"] == 3
    assert report["skipped"] == []
    assert (report["answers"], report["notes"], report["flags"]) == (5, 1, 1)
    assert "both audit chains verify" in run.stderr
    assert PRIVATE not in run.stdout + run.stderr
    with open_store(home) as source, open_store(pg_url) as target:
        assert isinstance(target, PostgresStore)
        for case_id in ids:
            old, new = source.get_case(case_id), target.get_case(case_id)
            assert new.id == old.id
            assert (new.status, new.officer, new.referral_json) == (
                old.status,
                old.officer,
                old.referral_json,
            )
            assert (new.created_at, new.completed_at, new.exported_at, new.updated_at) == (
                old.created_at,
                old.completed_at,
                old.exported_at,
                old.updated_at,
            )
            assert new.answers == old.answers
            assert new.answer_history == old.answer_history
            assert new.notes == old.notes
            assert new.acknowledged_flags == old.acknowledged_flags
            migrated = dict(new.meta)
            assert migrated.pop("migrated_from") == {
                "backend": "sqlite",
                "audit_head": source.audit_head(),
            }
            assert migrated == old.meta
        assert target.get_case(ids[1]).status is CaseStatus.COMPLETE
        result = target.verify()
        assert result.ok, result.message
        assert result.events == report["target"]["events"]
        with psycopg.connect(pg_url) as conn:
            rows = conn.execute(
                "SELECT event, officer, at FROM audit_events WHERE case_id = %s ORDER BY seq",
                (ids[0],),
            ).fetchall()
        assert [(event, officer) for event, officer, _ in rows][:7] == [
            ("case_created", "epc-017"),
            ("question_answered", "epc-017"),
            ("note_added", "epc-017"),
            ("answer_changed", "epc-020"),
            ("question_answered", "epc-017"),
            ("answer_cleared", "epc-017"),
            ("flag_acknowledged", "epc-017"),
        ]
        assert rows[1][2] == "2026-03-01T09:02:00.000000Z"  # the times of the history
    again = cli("cases", "migrate", "--store", str(home), "--to", pg_url)
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert (second["copied"], sorted(second["skipped"])) == (0, sorted(ids))
    assert second["events"] == 0
    assert second["target"] == report["target"]


def test_migrate_refuses_a_source_that_does_not_verify(tmp_path: Path, pg_url: str) -> None:
    import sqlite3

    home = tmp_path / "home"
    filled_sqlite(home)
    with sqlite3.connect(home / "cases.sqlite3") as conn:
        conn.execute("UPDATE answers SET value_json = '\"maybe\"' WHERE seq = 1")
    conn.close()
    run = cli("cases", "migrate", "--store", str(home), "--to", pg_url)
    one_error(run, "does not verify")
    assert "nothing was copied" in run.stderr
    with open_store(pg_url) as target:
        assert target.list_cases() == []


def test_a_case_cut_short_leaves_nothing(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    ids = filled_sqlite(home)
    calls = 0
    original = PostgresStore.record_note

    def failing(self: PostgresStore, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        raise StoreError("the server went away")

    monkeypatch.setattr(PostgresStore, "record_note", failing)
    with open_store(home) as source, open_store(pg_url) as target:
        assert isinstance(target, PostgresStore)
        with pytest.raises(StoreError, match="went away"):
            migrate_cases(source, target)
        assert target.list_cases() == []  # the first case was rolled back whole
        monkeypatch.setattr(PostgresStore, "record_note", original)
        report = migrate_cases(source, target)
        assert report.cases == 3
        assert {c.id for c in target.list_cases()} == set(ids)
        assert target.verify().ok
    assert calls == 1


def test_migrate_needs_a_url_and_an_sqlite_source(tmp_path: Path, pg_url: str) -> None:
    run = cli("cases", "migrate", "--to", str(tmp_path))
    assert run.returncode == 2
    assert "is not a postgresql:// URL" in run.stderr
    run = cli("cases", "migrate", "--store", pg_url, "--to", pg_url)
    assert run.returncode == 2
