"""Backups: `cases backup` for SQLite (the online backup API), pg_dump for the register."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from conftest import Run
from pgcluster import Cluster
from test_store import new_case

from screening.store import open_store


def test_backup_and_restore_an_sqlite_store(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.delenv("SCREENING_STORE", raising=False)
    with open_store() as store:
        ids = [new_case(store) for _ in range(3)]
        store.record_answer(ids[0], "q1", "kept", officer=None)
        # a writer holding the store open does not stop the backup
        store.record_answer(ids[1], "q1", "also kept", officer=None)
        run: Run = cli("cases", "backup", str(tmp_path / "backup.sqlite3"))
        assert run.code == 0, run.err
        head = run.out.strip()
        assert head == store.audit_head()
    assert "backed up 3 cases and 5 audit events" in run.err
    backup = tmp_path / "backup.sqlite3"
    anchor = tmp_path / "backup.sqlite3.anchor"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    again = cli("cases", "backup", str(backup))
    assert again.code == 1
    assert "--force" in again.err
    # restore into an empty folder
    restored = tmp_path / "restored"
    restored.mkdir(mode=0o700)
    (restored / "cases.sqlite3").write_bytes(backup.read_bytes())
    (restored / "cases.sqlite3.anchor").write_bytes(anchor.read_bytes())
    (restored / "cases.sqlite3").chmod(0o600)
    (restored / "cases.sqlite3.anchor").chmod(0o600)
    monkeypatch.setenv("SCREENING_HOME", str(restored))
    checked = cli("cases", "verify", "--expected-head", head)
    assert checked.code == 0, checked.err
    with open_store(restored) as store:
        assert store.get_case(ids[0]).answers == {"q1": "kept"}
        result = store.verify(head)
        assert result.ok, result.message
        assert result.anchor == "the anchor file matches the head (5 events)"


def test_backup_of_a_register_points_to_pg_dump(cli, pg_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("cases", "backup", str(tmp_path / "x.sqlite3"), "--store", pg_url)
    assert run.code == 1
    assert "pg_dump" in run.err
    assert not (tmp_path / "x.sqlite3").exists()


def test_a_register_restored_from_pg_dump_verifies(
    pg_cluster: Cluster, pg_url: str, tmp_path: Path
) -> None:
    with open_store(pg_url) as store:
        cid = new_case(store)
        store.record_answer(cid, "q1", "kept", officer=None)
        head = store.audit_head()
    dump = tmp_path / "screening.dump"
    subprocess.run(
        [str(pg_cluster.bindir / "pg_dump"), "-Fc", "-f", str(dump), pg_url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    target = pg_cluster.new_database()
    subprocess.run(
        [str(pg_cluster.bindir / "pg_restore"), "-d", pg_cluster.url(target), str(dump)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with open_store(pg_cluster.url(target)) as restored:
        assert restored.get_case(cid).answers == {"q1": "kept"}
        result = restored.verify(head)
        assert result.ok, result.message


def test_a_backup_file_name_reaches_the_terminal_neutralised(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SCREENING_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SCREENING_STORE", raising=False)
    with open_store() as store:
        new_case(store)
    name = tmp_path / "b\x1b]0;owned\x07.sqlite3"
    run: Run = cli("cases", "backup", str(name))
    assert run.code == 0, run.err
    assert "\x1b" not in run.err
    assert "\x07" not in run.err
    assert "b␛]0;owned␇.sqlite3" in run.err
    assert name.exists()  # the file itself has the name as given
