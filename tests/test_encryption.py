"""Encryption at rest: what a stolen copy of the store shows, tampering, keys, rotation."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Run

from screening.errors import StoreError
from screening.files import write_private
from screening.keys import (
    Holders,
    init_keys,
    read_key_file,
    reencrypt,
    rotate_keys,
    unlock,
)
from screening.store import SqliteStore, open_store
from screening.store.crypto import KeyUnavailable, WrongKey
from screening.store.postgres import PostgresStore

Cli = Callable[..., Run]

SHA = "ab" * 32
PASSPHRASE = "correct horse battery staple"  # noqa: S105 - a test passphrase
START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions and signals")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _marker() -> str:
    # Unique per test: the PostgreSQL cluster (and its files) is shared by the whole run.
    return "MARKER-" + secrets.token_hex(8)


def _encrypt(store: SqliteStore, key_file: Path, *, passphrase: str | None = PASSPHRASE) -> str:
    """Encrypt ``store`` (fast scrypt for tests) with a passphrase, a recovery key and a key
    file; the recovery key."""
    recovery = init_keys(
        store,
        Holders(passphrase=passphrase, key_file=key_file, kdf_time=0.01),
        write_key_file=write_private,
    )
    assert recovery is not None
    return recovery


def _with_key_file(store: SqliteStore, key_file: Path) -> SqliteStore:
    _store_id, secret = read_key_file(key_file)
    store.set_unlocker(lambda s: unlock(s, key_file=secret))
    return store


def _fill(
    store: SqliteStore, marker: str, *, complete: bool = True, sector: str = "domestic"
) -> str:
    """A case with the marker in every kind of text the store keeps: a free-text answer (the
    worker's account), a pii answer, a choice value, a list of choices, a nested value, notes,
    metadata and the referral."""
    cid = store.create_case(
        questionnaire_id="small",
        questionnaire_version="1",
        questionnaire_sha256=SHA,
        language="en",
        ui_language="en",
        officer="epc-017",
        meta={"consent": {"given": True, "by": marker}},
    )
    store.record_answer(cid, "account", f"My account: {marker} took my passport", officer="o")
    store.record_answer(cid, "name", f"{marker} Perera", officer="o")
    store.record_answer(cid, "passport_when", marker, officer="o")
    store.record_answer(cid, "problems", ["unpaid", marker], officer="o")
    store.record_answer(cid, "extra", {"where": marker, "n": 3}, officer="o")
    store.record_answer(cid, "name", f"{marker} corrected", officer="o")  # history
    store.record_answer(cid, "sector", sector, officer="o")
    # Choice values the statistics count: a nationality carrying the marker.
    store.record_answer(cid, "nationality", f"N{marker}", officer="o")
    store.record_note(cid, "account", f"note: {marker} cried", officer="o")
    store.acknowledge_flag(cid, "immediate_danger", officer="o")
    store.set_meta(cid, "position", {"question": "name", "said": marker})
    if complete:
        referral = {
            "recommendation": {"outcome": "monitor"},
            "answers": [{"value": marker}],
            "indicators": [{"id": f"I{marker}"}],
            "flags": [{"id": f"F{marker}"}],
        }
        store.complete(cid, json.dumps(referral), officer="o")
    return cid


def _assert_facts_counted(store: SqliteStore, marker: str) -> None:
    """With the key, the statistics count the sector, nationality, indicator and flag that
    the files do not show: one completed case and one draft filled by :func:`_fill`."""
    counts = store.case_counts()
    assert counts.sealed == 0
    assert dict(counts.sectors) == {f"S{marker}": 2}
    assert dict(counts.nationalities) == {f"N{marker}": 2}
    assert sorted(counts.items) == [("flag", f"F{marker}", 1), ("indicator", f"I{marker}", 1)]


def _store_files(home: Path) -> Iterator[Path]:
    for path in sorted(home.iterdir()):
        if path.is_file():
            yield path


def _raw_rows(location: str) -> bytes:
    """Every row of every table of the store, as a database superuser reads them."""
    import psycopg

    with psycopg.connect(location, autocommit=True) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return repr(
            [conn.execute(f"SELECT * FROM {table}").fetchall() for table in tables]  # noqa: S608
        ).encode("utf-8")


def _table_files(location: str) -> list[Path]:
    """The files of the store's tables and their TOAST tables, after a checkpoint."""
    import psycopg

    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        data = Path(str(conn.execute("SHOW data_directory").fetchone()[0]))  # type: ignore[index]
        relations = conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't')"
            " AND pg_relation_filepath(c.oid) IS NOT NULL"
        ).fetchall()
    files = []
    for (relative,) in relations:
        base = data / str(relative)
        files += [p for p in base.parent.glob(base.name + "*") if p.is_file()]
    assert files
    return files


# -- what a stolen copy shows ------------------------------------------------------------------


def test_a_marker_typed_everywhere_is_absent_from_the_sqlite_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key_file = tmp_path / "store.key"
    marker = _marker()
    with open_store(home, clock=Clock()) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        cid = _fill(store, marker, sector=f"S{marker}")
        draft = _fill(store, marker, complete=False, sector=f"S{marker}")
        # While the store is open the write-ahead log holds every page just written.
        files = list(_store_files(home))
        assert {p.name for p in files} >= {"cases.sqlite3", "cases.sqlite3-wal"}
        for path in files:
            assert marker.encode() not in path.read_bytes(), path.name
        assert store.verify().ok
    for path in _store_files(home):
        assert marker.encode() not in path.read_bytes(), path.name
    # In rollback-journal mode too (a journal beside the file during a write).
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(home / "cases.sqlite3") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    assert marker.encode() not in copy.read_bytes()
    with open_store(home) as store:
        _with_key_file(store, key_file)
        case = store.get_case(cid)
        assert case.answers["passport_when"] == marker
        assert case.answers["problems"] == ["unpaid", marker]
        assert case.answers["extra"] == {"where": marker, "n": 3}
        assert marker in str(case.answers["account"])
        assert [r.value for r in case.answer_history if r.question_id == "name"] == [
            f"{marker} Perera",
            f"{marker} corrected",
        ]
        assert case.notes == {"account": [f"note: {marker} cried"]}
        assert case.meta["consent"] == {"given": True, "by": marker}
        assert case.referral_json is not None
        assert marker in case.referral_json
        assert store.get_case(draft).meta["position"] == {"question": "name", "said": marker}
        _assert_facts_counted(store, marker)


@pytest.mark.parametrize("location", ["postgresql"], indirect=True)
def test_a_marker_typed_everywhere_is_absent_from_the_register(
    location: str, tmp_path: Path, pg_cluster: object
) -> None:
    marker = _marker()
    key_file = tmp_path / "store.key"
    with open_store(location) as store:
        assert isinstance(store, PostgresStore)
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        cid = _fill(store, marker, sector=f"S{marker}")
        _fill(store, marker, complete=False, sector=f"S{marker}")
        assert store.get_case(cid).answers["passport_when"] == marker
        _assert_facts_counted(store, marker)
    assert marker.encode() not in _raw_rows(location)
    # The server's own files: the tables, their TOAST, the write-ahead log.
    from pgcluster import Cluster

    assert isinstance(pg_cluster, Cluster)
    pg_cluster.sql("CHECKPOINT")
    seen = 0
    for path in pg_cluster.data.rglob("*"):
        if path.is_file() and path.stat().st_size < 64 * 1024 * 1024:
            assert marker.encode() not in path.read_bytes(), path
            seen += 1
    assert seen > 100


def test_cases_list_and_stats_work_without_the_key(
    location: str, tmp_path: Path, cli: object
) -> None:
    key_file = tmp_path / "store.key"
    marker = _marker()
    with open_store(location) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        cid = _fill(store, marker)
    with open_store(location) as store:
        [summary] = store.list_cases()
        assert summary.id == cid
        assert summary.answers == 7
        assert store.case_counts().outcomes == (("monitor", False, True, 1),)
        with pytest.raises(KeyUnavailable, match="no terminal to type its passphrase"):
            store.get_case(cid)
        result = store.verify()
        assert result.ok
        assert "no key was given" in result.message


def test_stats_breakdowns_need_the_key_and_equal_the_clear_stores(
    location: str, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_stats import fill

    with open_store(location, clock=Clock()) as store:
        fill(store)  # sectors, nationalities, indicators and flags, kept in the clear
    clear = cli("cases", "stats", "--format", "json", "--exact")
    assert clear.code == 0, clear.err
    assert json.loads(clear.out)["indicator"]
    key_file = tmp_path / "store.key"
    with open_store(location) as store:
        _encrypt(store, key_file)  # an existing store, encrypted in place
    # What the statistics keep in clear is the outcome, urgency and completeness only.
    assert _fetch(location, "SELECT COUNT(*) FROM case_fact_items") == 0
    assert (
        _fetch(
            location,
            "SELECT COUNT(*) FROM case_facts WHERE sector IS NOT NULL OR nationality IS NOT NULL",
        )
        == 0
    )
    if not location.startswith("postgresql"):
        for path in _store_files(Path(location)):
            for value in (b"domestic_work", b"documents_taken", b"locked_in"):
                assert value not in path.read_bytes(), (path.name, value)
    # Without the key: the counts by outcome, status and time; one line for the rest.
    locked = cli("cases", "stats", "--format", "json", "--exact")
    assert locked.code == 0, locked.err
    report = json.loads(locked.out)
    expected = json.loads(clear.out)
    for key in ("cases", "complete", "drafts", "incomplete", "urgent", "outcome", "month"):
        assert report[key] == expected[key], key
    for key in ("sector", "nationality", "indicator", "flag"):
        assert key not in report
    assert report["needs_key"] == ["nationality", "sector", "indicator", "flag"]
    [line] = locked.err.splitlines()
    assert "by nationality, sector, indicator and flag need the store's key" in line
    table = cli("cases", "stats")
    assert table.code == 0, table.err
    assert "Cases by outcome" in table.out
    assert "Cases by sector" not in table.out
    assert "need the store's key" in table.err
    # With the key, unlocked as other commands do: every figure of the clear store.
    monkeypatch.setenv("SCREENING_KEY_FILE", str(key_file))
    unlocked = cli("cases", "stats", "--format", "json", "--exact")
    assert unlocked.code == 0, unlocked.err
    assert json.loads(unlocked.out) == expected
    assert unlocked.err == ""
    unlocked_csv = cli("cases", "stats", "--format", "csv", "--by", "week")
    assert "sector,domestic_work,5" in unlocked_csv.out
    # A rotation keeps them so.
    with open_store(location) as store:
        _with_key_file(store, key_file)
        new_file = tmp_path / "new.key"
        rotate_keys(
            store,
            Holders(passphrase=None, key_file=new_file, kdf_time=0.01),
            write_key_file=write_private,
            batch=2,
        )
    monkeypatch.setenv("SCREENING_KEY_FILE", str(new_file))
    assert json.loads(cli("cases", "stats", "--format", "json", "--exact").out) == expected
    assert _fetch(location, "SELECT COUNT(*) FROM case_fact_items") == 0


def test_a_register_encrypted_by_its_owner_is_counted_by_a_supervisor(
    centre: tuple[object, str], tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import as_user
    from pgcluster import Cluster
    from test_stats import fill

    cluster, database = centre
    assert isinstance(cluster, Cluster)
    with open_store(as_user(cluster, database, "officer_a")) as store:
        fill(store)
    supervisor = as_user(cluster, database, "supervisor_s")
    clear = cli("cases", "stats", "--format", "json", "--exact", "--store", supervisor)
    assert clear.code == 0, clear.err
    key_file = tmp_path / "store.key"
    with open_store(cluster.url(database)) as store:  # the tables' owner rewrites the rows
        _encrypt(store, key_file)
    assert _fetch(cluster.url(database), "SELECT COUNT(*) FROM case_fact_items") == 0
    locked = cli("cases", "stats", "--format", "json", "--exact", "--store", supervisor)
    assert locked.code == 0, locked.err
    assert "need the store's key" in locked.err
    assert json.loads(locked.out)["outcome"] == json.loads(clear.out)["outcome"]
    monkeypatch.setenv("SCREENING_KEY_FILE", str(key_file))
    unlocked = cli("cases", "stats", "--format", "json", "--exact", "--store", supervisor)
    assert unlocked.code == 0, unlocked.err
    assert json.loads(unlocked.out) == json.loads(clear.out)


# -- keys ----------------------------------------------------------------------------------


def test_each_holder_unlocks_and_a_wrong_one_does_not(location: str, tmp_path: Path) -> None:
    key_file = tmp_path / "store.key"
    with open_store(location) as store:
        recovery = _encrypt(store, key_file)
        _with_key_file(store, key_file)
        cid = _fill(store, _marker())
    with open_store(location) as store:
        for keyring in (
            unlock(store, secret=PASSPHRASE),
            unlock(store, secret=recovery.lower().replace("-", " ")),
            unlock(store, key_file=read_key_file(key_file)[1]),
        ):
            store.unlock(keyring)
            assert store.get_case(cid).answers["sector"] == "domestic"
        with pytest.raises(WrongKey, match="the passphrase does not unlock") as wrong:
            unlock(store, secret="not the passphrase")
        assert "not the passphrase" not in str(wrong.value)
        with pytest.raises(WrongKey, match="the recovery key does not unlock"):
            unlock(store, secret="SCRN-RK-" + "AAAA-" * 12 + "AAAA")


def test_the_passphrase_is_stretched_with_recorded_scrypt_parameters(tmp_path: Path) -> None:
    with open_store(tmp_path / "home") as store:
        _encrypt(store, tmp_path / "k")
        [kdf] = [row[4] for row in store.key_holders() if row[1] == "passphrase"]
    params = json.loads(str(kdf))
    assert params["kdf"] == "scrypt"
    assert params["r"] == 8
    assert params["p"] == 1
    assert params["n"] >= 2**10
    assert len(params["salt"]) >= 16


@POSIX_ONLY
def test_the_key_file_is_0600_and_one_others_may_read_is_refused(
    tmp_path: Path, cli: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    key_file = tmp_path / "store.key"
    with open_store(home) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        cid = _fill(store, _marker())
    assert key_file.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.setenv("SCREENING_KEY_FILE", str(key_file))
    run = cli("cases", "verify")  # type: ignore[operator]
    assert run.code == 0, run.err
    assert "no key was given" not in run.out + run.err  # the data was compared too
    key_file.chmod(0o644)
    run = cli("cases", "verify")  # type: ignore[operator]
    assert run.code == 1
    assert "may be read or written by others (mode 0644)" in run.err
    assert run.err.count("screening: error:") == 1
    link = tmp_path / "link.key"
    key_file.chmod(0o600)
    link.symlink_to(key_file)
    monkeypatch.setenv("SCREENING_KEY_FILE", str(link))
    run = cli("cases", "verify")  # type: ignore[operator]
    assert run.code == 1
    assert "symbolic link" in run.err
    del cid


def test_a_wrong_passphrase_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        _encrypt(store, tmp_path / "k")
    env = {**os.environ, "SCREENING_HOME": str(home)}
    env.pop("SCREENING_KEY_FILE", None)
    env.pop("SCREENING_STORE", None)
    result = subprocess.run(
        [sys.executable, "-m", "screening", "keys", "add", "--recovery-key"],
        input="wrong passphrase\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"screening: error: the passphrase does not unlock the case store {home}/cases.sqlite3;"
        " check it and try again"
    ]
    assert "Traceback" not in result.stderr
    assert "wrong passphrase" not in result.stderr + result.stdout


def test_keys_cli_init_add_list_remove(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "SCREENING_HOME": str(home)}
    for name in ("SCREENING_KEY_FILE", "SCREENING_STORE"):
        env.pop(name, None)

    def screening(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "screening", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    with open_store(home) as store:
        cid = _fill(store, "before encryption")
    refused = screening("keys", "init", stdin=PASSPHRASE + "\n")
    assert refused.returncode == 2
    assert "copy it before encrypting" in refused.stderr
    backup = tmp_path / "before.sqlite3"
    done = screening(
        "keys", "init", "--kdf-time", "0.01", "--backup", str(backup), stdin=PASSPHRASE + "\n"
    )
    assert done.returncode == 0, done.stderr
    recovery = done.stdout.strip()
    assert recovery.startswith("SCRN-RK-")
    assert "shown only this once" in done.stderr
    assert backup.stat().st_mode & 0o777 == 0o600
    assert b"before encryption" in backup.read_bytes()  # the backup is the clear copy
    assert b"before encryption" not in (home / "cases.sqlite3").read_bytes()
    added = screening(
        "keys", "add", "--kdf-time", "0.01", "--label", "epc020",
        stdin=f"{recovery}\nanother passphrase here\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = screening("keys", "list")
    assert "encrypted (key generation 1)" in listed.stdout
    assert "key 1: passphrase" in listed.stdout
    assert "(epc020)" in listed.stdout
    assert PASSPHRASE not in listed.stdout
    assert recovery not in listed.stdout
    removed = screening("keys", "remove", "1")
    assert removed.returncode == 0, removed.stderr
    with open_store(home) as store:
        with pytest.raises(WrongKey):
            unlock(store, secret=PASSPHRASE)
        store.unlock(unlock(store, secret="another passphrase here"))
        assert store.get_case(cid).notes["account"] == ["note: before encryption cried"]
        assert store.verify().ok
        holders = [row[0] for row in store.key_holders()]
        for holder in holders[:-1]:
            store.remove_holder(holder)
        with pytest.raises(StoreError, match="is the last key"):
            store.remove_holder(holders[-1])


def test_keys_init_checks_the_passphrase_before_it_writes_the_backup(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.delenv("SCREENING_STORE", raising=False)
    with open_store(home) as store:
        _fill(store, "before encryption")
    backup = tmp_path / "before.sqlite3"
    anchor = tmp_path / "before.sqlite3.anchor"
    args = ("keys", "init", "--kdf-time", "0.01", "--backup", str(backup))
    refused = cli(*args, stdin=b"short\n")
    assert refused.code == 2
    assert "at least 8 characters" in refused.err
    assert not backup.exists()
    assert not anchor.exists()
    done = cli(*args, stdin=PASSPHRASE.encode() + b"\n")
    assert done.code == 0, done.err
    assert backup.exists()
    assert anchor.exists()


def test_keys_init_failing_before_the_keys_are_installed_removes_its_backup(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.delenv("SCREENING_STORE", raising=False)
    with open_store(home) as store:
        _fill(store, "before encryption")
    backup = tmp_path / "before.sqlite3"
    args = ("keys", "init", "--kdf-time", "0.01", "--no-passphrase", "--backup", str(backup))
    key_file = tmp_path / "store.key"

    def fail(*_args: object, **_kwargs: object) -> None:
        raise StoreError("cannot set up the case store's keys: the disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(SqliteStore, "install_keys", fail)
        failed = cli(*args, "--key-file", str(key_file))
    assert failed.code == 1
    assert f"removed the backup {backup}" in failed.err
    assert not backup.exists()
    assert not Path(str(backup) + ".anchor").exists()
    with open_store(home) as store:
        assert not store.encrypted
    assert not key_file.exists()  # written before the keys, whose key was never installed
    again = cli(*args, "--key-file", str(key_file))
    assert again.code == 0, again.err
    assert backup.exists()


def test_keys_init_failing_once_the_keys_are_installed_says_where_its_clear_backup_is(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.delenv("SCREENING_STORE", raising=False)
    with open_store(home) as store:
        _fill(store, "before encryption")
    backup = tmp_path / "before.sqlite3"
    key_file = tmp_path / "store.key"

    def fail(*_args: object, **_kwargs: object) -> int:
        raise StoreError("cannot encrypt the case store: the disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(SqliteStore, "reencrypt_batch", fail)
        failed = cli(
            "keys", "init", "--kdf-time", "0.01", "--no-passphrase",
            "--key-file", str(key_file), "--backup", str(backup),
        )  # fmt: skip
    assert failed.code == 1
    # The store is half encrypted: the backup is its clear copy, kept and named.
    assert backup.exists()
    assert f"the backup {backup} (and {backup}.anchor) is kept" in failed.err
    assert "clear text" in failed.err
    assert "screening keys rotate --resume" in failed.err
    monkeypatch.setenv("SCREENING_KEY_FILE", str(key_file))
    resumed = cli("keys", "rotate", "--resume")
    assert resumed.code == 0, resumed.err


# -- an existing store upgraded in place ---------------------------------------------------------


def test_an_existing_store_is_encrypted_in_place_and_its_chain_still_verifies(
    location: str, tmp_path: Path
) -> None:
    marker = _marker()
    with open_store(location, clock=Clock()) as store:
        complete = _fill(store, marker)
        draft = _fill(store, marker, complete=False)
        before = {cid: store.get_case(cid) for cid in (complete, draft)}
        head = store.audit_head()
        key_file = tmp_path / "k"
        _encrypt(store, key_file)
        assert store.audit_head() == head  # the digests cover the clear text: unchanged
        assert store.verify().ok
    if not location.startswith("postgresql"):
        for path in _store_files(Path(location)):
            assert marker.encode() not in path.read_bytes(), path.name
    else:
        # The rows as a superuser reads them, and the tables' files after the old row
        # versions were vacuumed away (the server's write-ahead log still has them: see
        # docs/storage.md).
        assert marker.encode() not in _raw_rows(location)
        for path in _table_files(location):
            assert marker.encode() not in path.read_bytes(), path
    with open_store(location) as store:
        _with_key_file(store, key_file)
        for cid, case in before.items():
            assert store.get_case(cid) == case
        store.record_answer(draft, "hours", 14, officer="o")
        assert store.verify(expected_head=head).ok


# -- tampering -----------------------------------------------------------------------------------


def _execute(location: str, statement: str, parameters: tuple[object, ...] = ()) -> None:
    if location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute(statement.replace("?", "%s"), parameters)
    else:
        with sqlite3.connect(Path(location) / "cases.sqlite3") as conn:
            conn.execute(statement, parameters)


def _fetch(location: str, statement: str, parameters: tuple[object, ...] = ()) -> object:
    if location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            row = conn.execute(statement.replace("?", "%s"), parameters).fetchone()
    else:
        with sqlite3.connect(Path(location) / "cases.sqlite3") as conn:
            row = conn.execute(statement, parameters).fetchone()
    assert row is not None
    return row[0]


def _flip(stored: str) -> str:
    prefix, _, body = stored.partition(":")
    import base64

    raw = bytearray(base64.b64decode(body))
    raw[-20] ^= 0x01  # one bit of the ciphertext
    return prefix + ":" + base64.b64encode(bytes(raw)).decode("ascii")


@pytest.mark.parametrize(
    "tampering", ["moved to another case", "moved to another question", "one bit flipped"]
)
def test_tampered_ciphertext_fails_clearly_and_verify_reports_it(
    location: str, tmp_path: Path, tampering: str
) -> None:
    key_file = tmp_path / "k"
    with open_store(location) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        victim = _fill(store, "victim", complete=False)
        other = _fill(store, "other", complete=False)
    if tampering == "moved to another case":
        value = _fetch(
            location,
            "SELECT value_json FROM answers WHERE case_id = ? AND question_id = 'sector'",
            (other,),
        )
    elif tampering == "moved to another question":
        value = _fetch(
            location,
            "SELECT value_json FROM answers WHERE case_id = ? AND question_id = 'passport_when'",
            (victim,),
        )
    else:
        value = _flip(
            str(
                _fetch(
                    location,
                    "SELECT value_json FROM answers WHERE case_id = ? AND question_id = 'sector'",
                    (victim,),
                )
            )
        )
    _execute(
        location,
        "UPDATE answers SET value_json = ? WHERE case_id = ? AND question_id = 'sector'",
        (value, victim),
    )
    with open_store(location) as store:
        _with_key_file(store, key_file)
        with pytest.raises(StoreError) as failure:
            store.get_case(victim)
        message = str(failure.value)
        assert f"the answer to question sector of case {victim} does not decrypt" in message
        assert "victim" not in message.replace(victim, "")
        assert store.get_case(other).answers["sector"] == "domestic"
        result = store.verify()
        assert not result.ok
        assert any(
            f"the answer to question sector of case {victim} does not decrypt" in problem
            for problem in result.problems
        )


def test_a_case_secret_or_referral_moved_is_reported_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key_file = tmp_path / "k"
    with open_store(home) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        one = _fill(store, "one")
        two = _fill(store, "two")
    location = str(home)
    referral = _fetch(location, "SELECT referral_json FROM cases WHERE id = ?", (two,))
    _execute(location, "UPDATE cases SET referral_json = ? WHERE id = ?", (referral, one))
    with open_store(home) as store:
        _with_key_file(store, key_file)
        result = store.verify()
    assert not result.ok
    assert f"the referral of case {one} does not decrypt" in result.message


# -- rotation ------------------------------------------------------------------------------------


def test_rotation_replaces_every_holder_and_keeps_every_case(location: str, tmp_path: Path) -> None:
    old_file, new_file = tmp_path / "old.key", tmp_path / "new.key"
    with open_store(location) as store:
        _encrypt(store, old_file)
        _with_key_file(store, old_file)
        ids = [_fill(store, f"case {n}", complete=n % 2 == 0) for n in range(5)]
        before = {cid: store.get_case(cid) for cid in ids}
        head = store.audit_head()
        recovery = rotate_keys(
            store,
            Holders(passphrase="a brand new passphrase", key_file=new_file, kdf_time=0.01),
            write_key_file=write_private,
            batch=2,
        )
        assert recovery is not None
        assert store.get_case(ids[0]) == before[ids[0]]
    with open_store(location) as store:
        with pytest.raises(WrongKey):
            unlock(store, key_file=read_key_file(old_file)[1])
        with pytest.raises(WrongKey):
            unlock(store, secret=PASSPHRASE)
        store.unlock(unlock(store, secret="a brand new passphrase"))
        assert {cid: store.get_case(cid) for cid in ids} == before
        assert store.key_settings(fresh=True)["key_gen"] == "2"
        assert "rotating" not in store.key_settings()
        assert store.verify(expected_head=head).ok
        assert {row[3] for row in store.key_holders()} == {2}


def test_a_store_unlocked_before_a_rotation_keeps_writing_during_it(
    location: str, tmp_path: Path
) -> None:
    key_file = tmp_path / "k"
    with open_store(location) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        ids = [_fill(store, f"case {n}", complete=False) for n in range(3)]
    with open_store(location) as officer, open_store(location) as supervisor:
        _with_key_file(officer, key_file)
        officer.record_answer(ids[0], "hours", 10, officer="o")  # unlocked with generation 1
        _with_key_file(supervisor, key_file)
        supervisor.require_key()
        # A rotation stopped after its first batch (as a crash would leave it).
        keyring = supervisor.keyring
        assert keyring is not None
        from screening import keys

        original = keys.reencrypt
        keys.reencrypt = lambda store, **kw: 0  # type: ignore[assignment]
        try:
            rotate_keys(
                supervisor,
                Holders(key_file=tmp_path / "k2", recovery=False, kdf_time=0.01),
                write_key_file=write_private,
            )
        finally:
            keys.reencrypt = original
        supervisor.reencrypt_batch(1)
        for cid in ids:
            officer.record_answer(cid, "hours", 13, officer="o")  # old and new generation
        new = officer.create_case(
            questionnaire_id="small",
            questionnaire_version="1",
            questionnaire_sha256=SHA,
            language="en",
            ui_language="en",
            officer="o",
        )
        officer.record_note(new, "q", "written under the new key", officer="o")
        reencrypt(supervisor)
        assert officer.get_case(new).notes == {"q": ["written under the new key"]}
        assert all(officer.get_case(cid).answers["hours"] == 13 for cid in ids)
        assert supervisor.verify().ok


_ROTATE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from screening.files import write_private
    from screening.keys import Holders, read_key_file, rotate_keys, unlock
    from screening.store import open_store

    location, old, new, hold = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "hold"
    with open_store(location) as store:
        secret = read_key_file(Path(old))[1]
        store.set_unlocker(lambda s: unlock(s, key_file=secret))

        def progress(done, total):
            print(done, flush=True)
            if done == 5 and hold:
                sys.stdin.readline()  # held here until the test kills the process

        rotate_keys(
            store,
            Holders(key_file=Path(new), recovery=False, kdf_time=0.01),
            write_key_file=write_private,
            on_progress=progress,
            batch=1,
        )
    print("finished", flush=True)
    """
)


@POSIX_ONLY
@pytest.mark.parametrize("moment", ["between two batches", "while it writes"])
def test_a_rotation_killed_with_sigkill_loses_nothing_and_resumes(
    location: str, tmp_path: Path, moment: str
) -> None:
    old_file, new_file = tmp_path / "old.key", tmp_path / "new.key"
    with open_store(location) as store:
        _encrypt(store, old_file)
        _with_key_file(store, old_file)
        ids = [_fill(store, f"case {n}", complete=n % 3 == 0) for n in range(40)]
        before = {cid: store.get_case(cid) for cid in ids}
        head = store.audit_head()
    script = tmp_path / "rotate.py"
    script.write_text(_ROTATE, encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            str(script),
            location,
            str(old_file),
            str(new_file),
            "hold" if moment == "between two batches" else "go on",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:  # bounded by the 40 cases; killed after 5 batches
            if line.strip() == "5":
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL
    with open_store(location) as store:
        pending = store.pending_cases()
        if moment == "between two batches":
            assert pending == 35  # five batches of one case committed, no more
        else:  # killed wherever it was after the fifth batch: each batch whole or not at all
            assert pending <= 35
        rotating = "rotating" in store.key_settings(fresh=True)
        assert rotating or moment == "while it writes"  # (it may have ended before the kill)
        if rotating:
            # Either generation's holder unlocks both keys until the rotation ends.
            store.unlock(unlock(store, key_file=read_key_file(old_file)[1]))
            assert {cid: store.get_case(cid) for cid in ids} == before
        store.unlock(unlock(store, key_file=read_key_file(new_file)[1]))
        assert {cid: store.get_case(cid) for cid in ids} == before
        assert reencrypt(store) == pending
        assert store.pending_cases() == 0
        assert {cid: store.get_case(cid) for cid in ids} == before
        assert store.verify(expected_head=head).ok
    with open_store(location) as store, pytest.raises(WrongKey):
        unlock(store, key_file=read_key_file(old_file)[1])


def test_rotate_resume_on_the_command_line(
    tmp_path: Path, cli: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening import keys

    home = tmp_path / "home"
    key_file, new_file = tmp_path / "k", tmp_path / "k2"
    with open_store(home) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        ids = [_fill(store, f"case {n}") for n in range(3)]
        with monkeypatch.context() as patch:  # the rotation stops before its batches
            patch.setattr(keys, "reencrypt", lambda store, **kw: 0)
            rotate_keys(
                store,
                Holders(key_file=new_file, recovery=False, kdf_time=0.01),
                write_key_file=write_private,
            )
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.setenv("SCREENING_KEY_FILE", str(new_file))
    run: Run = cli("keys", "list")  # type: ignore[operator]
    assert "3 cases are not yet under the current key" in run.out
    run = cli("keys", "rotate")  # type: ignore[operator]
    assert run.code == 1
    assert "keys rotate --resume" in run.err
    run = cli("keys", "rotate", "--resume")  # type: ignore[operator]
    assert run.code == 0, run.err
    assert "3 cases brought under the current key" in run.err
    with open_store(home) as store:
        assert store.pending_cases() == 0
        _with_key_file(store, new_file)
        assert [store.get_case(cid).answers["sector"] for cid in ids] == ["domestic"] * 3


def test_cases_migrate_copies_an_encrypted_store_with_its_notes_readable(
    tmp_path: Path, pg_url: str
) -> None:
    from screening.store.migrate import migrate_cases

    home = tmp_path / "home"
    key_file = tmp_path / "k"
    with open_store(home) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        cid = _fill(store, "migrated")
        before = store.get_case(cid)
    with open_store(home) as source, open_store(pg_url) as target:
        assert isinstance(target, PostgresStore)
        _with_key_file(source, key_file)
        report = migrate_cases(source, target)
        assert report.notes == 1
        copied = target.get_case(cid)
    assert copied.notes == before.notes == {"account": ["note: migrated cried"]}
    assert copied.answers == before.answers
    assert copied.referral_json == before.referral_json


def test_a_case_whose_key_generation_was_edited_is_reported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key_file = tmp_path / "k"
    with open_store(home) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        cid = _fill(store, "x")
    _execute(str(home), "UPDATE cases SET key_gen = 7 WHERE id = ?", (cid,))
    with open_store(home) as store:
        _with_key_file(store, key_file)
        result = store.verify()
    assert not result.ok
    assert f"case {cid} names key generation 7" in result.message


def test_a_case_secret_moved_to_another_case_is_reported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key_file = tmp_path / "k"
    with open_store(home) as store:
        _encrypt(store, key_file)
        _with_key_file(store, key_file)
        one = _fill(store, "one", complete=False)
        two = _fill(store, "two")
    salt = _fetch(str(home), "SELECT salt FROM cases WHERE id = ?", (two,))
    _execute(str(home), "UPDATE cases SET salt = ? WHERE id = ?", (salt, one))
    with open_store(home) as store:
        _with_key_file(store, key_file)
        result = store.verify()
        assert not result.ok
        assert f"the secret of case {one} does not decrypt" in result.message
        with pytest.raises(StoreError, match=f"the secret of case {one} does not decrypt"):
            store.record_answer(one, "late", "x", officer="o")
