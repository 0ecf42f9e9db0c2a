"""The shared register on PostgreSQL: roles enforced by the database, and every fault as one line.

The behaviour shared with SQLite is tested once for both backends (the ``location`` and
``store`` fixtures of test_store.py); here is what only a server has: roles and row-level
security, logins, a server that goes away.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from conftest import as_user
from pgcluster import PASSWORD_USER, Cluster
from test_store import PRIVATE, assert_clean, new_case

import screening
from screening.errors import StoreError
from screening.store import open_store
from screening.store.postgres import PostgresStore

REPO = Path(screening.__file__).resolve().parent.parent


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`screening ARGS` in a process of its own: what a user sees, exit code and all."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "screening", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        check=False,
    )


def one_error(run: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit 1, a `screening: error:` line and its hint, no traceback."""
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith("screening: error: "), run.stderr
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stderr
    first = run.stderr.splitlines()[0]
    for text in expected:
        assert text in first, first


# -- store init ------------------------------------------------------------------------------


def test_store_init_creates_roles_and_policies_once(pg_cluster: Cluster) -> None:
    database = pg_cluster.new_database()
    url = pg_cluster.url(database)
    first = cli("store", "init", "--store", url)
    assert first.returncode == 0, first.stderr
    assert "schema version 1" in first.stdout
    assert "schema version 2" in first.stdout
    assert "policy officer_own_cases on cases" in first.stdout
    assert "policy officer_own_answers on answers" in first.stdout
    assert "row-level security on answers" in first.stdout
    again = cli("store", "init", "--store", url)
    assert again.returncode == 0, again.stderr
    assert "nothing created" in again.stdout
    assert "policy" not in again.stdout
    roles = pg_cluster.sql(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'screening\\_%' ORDER BY 1"
    )
    assert ("screening_auditor",) in roles
    assert ("screening_officer",) in roles
    assert ("screening_supervisor",) in roles
    policies = pg_cluster.sql("SELECT count(*) FROM pg_policies", database=database)
    assert policies == [(16,)]


def test_store_init_needs_a_url() -> None:
    run = cli("store", "init", "--store", "/tmp/somewhere")
    assert run.returncode == 2
    assert "needs the URL of a PostgreSQL database" in run.stderr


# -- roles proved apart by the database ----------------------------------------------------------


def test_an_officer_sees_only_their_own_cases_even_through_psql(
    centre: tuple[Cluster, str],
) -> None:
    cluster, database = centre
    with open_store(as_user(cluster, database, "officer_a")) as a:
        mine = new_case(a, officer="someone-else")  # the officer id is the database user
        a.record_answer(mine, "q1", PRIVATE, officer="free text")
        a.record_note(mine, "q1", PRIVATE, officer=None)
        assert a.get_case(mine).officer == "officer_a"
        assert a.get_case(mine).answer_history[0].officer == "officer_a"
    with open_store(as_user(cluster, database, "officer_b")) as b:
        assert b.list_cases() == []
        with pytest.raises(StoreError, match="no case"):
            b.get_case(mine)
        with pytest.raises(StoreError, match="no case"):
            b.record_answer(mine, "q2", "x", officer=None)
        theirs = new_case(b)
        b.record_answer(theirs, "q1", "b's answer", officer=None)
    # psql, as officer B: another officer's answers are not there at all
    psql = cluster.bindir / "psql"
    seen = subprocess.run(
        [
            str(psql),
            as_user(cluster, database, "officer_b"),
            "-At",
            "-c",
            "SELECT case_id, value_json FROM answers",
            "-c",
            "SELECT count(*) FROM cases",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert PRIVATE not in seen.stdout
    assert seen.stdout.splitlines() == [f'{theirs}|"b\'s answer"', "1"]
    # and officer B cannot write a row into A's case around the tool either
    with psycopg.connect(as_user(cluster, database, "officer_b"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO answers (case_id, question_id, value_json, recorded_at)"
                " VALUES (%s, 'q9', '1', 'x')",
                (mine,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM cases")
        assert (
            conn.execute("UPDATE cases SET officer = 'officer_b' WHERE id = %s", (mine,)).rowcount
            == 0
        )


def test_a_supervisor_sees_exports_and_purges_every_case(centre: tuple[Cluster, str]) -> None:
    cluster, database = centre
    with open_store(as_user(cluster, database, "officer_a")) as a:
        first = new_case(a)
        a.record_answer(first, "q1", "yes", officer=None)
    with open_store(as_user(cluster, database, "officer_b")) as b:
        second = new_case(b)
        with pytest.raises(StoreError, match="no right") as caught:
            b.delete_case(second, officer=None)
        assert_clean(caught.value)
    with open_store(as_user(cluster, database, "supervisor_s")) as s:
        assert {c.id for c in s.list_cases()} == {first, second}
        assert s.get_case(first).answers == {"q1": "yes"}
        s.mark_exported(first, officer=None)
        s.delete_case(second, officer=None)
        result = s.verify()
        assert result.ok, result.message
        assert "chain only" not in result.message
    listed = cli(
        "cases", "list", "--format", "json", "--store", as_user(cluster, database, "supervisor_s")
    )
    assert listed.returncode == 0, listed.stderr
    assert [case["id"] for case in json.loads(listed.stdout)] == [first]
    assert json.loads(listed.stdout)[0]["officer"] == "officer_a"


def test_an_auditor_verifies_the_chain_and_sees_no_answers(centre: tuple[Cluster, str]) -> None:
    cluster, database = centre
    with open_store(as_user(cluster, database, "officer_a")) as a:
        cid = new_case(a)
        a.record_answer(cid, "q1", PRIVATE, officer=None)
    with open_store(as_user(cluster, database, "auditor_x")) as auditor:
        result = auditor.verify()
        assert result.ok, result.message
        assert result.events == 2
        assert "chain only" in result.message
        with pytest.raises(StoreError, match="no right"):
            auditor.list_cases()
    with psycopg.connect(as_user(cluster, database, "auditor_x"), autocommit=True) as conn:
        for table in ("answers", "notes", "cases", "case_meta"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {table}")  # noqa: S608
    run = cli("cases", "verify", "--store", as_user(cluster, database, "auditor_x"))
    assert run.returncode == 0, run.stderr


# -- faults: one line each, exit 1, nothing lost -----------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["postgresql://user:secret@host/db?nonsense=1", "postgresql://user:secret@%zz/db"],
)
def test_a_malformed_url(url: str) -> None:
    run = cli("cases", "list", "--store", url)
    one_error(run, "is not a valid PostgreSQL URL")
    assert "secret" not in run.stderr


def test_an_unknown_host(pg_cluster: Cluster) -> None:
    run = cli("cases", "list", "--store", "postgresql://u:secret@host.invalid:notaport/db")
    one_error(run, "cannot be reached")
    assert "secret" not in run.stderr


def test_a_server_that_is_not_running(pg_cluster: Cluster) -> None:
    url = f"postgresql://postgres@/db?host={pg_cluster.socket_dir}&port=1"
    run = cli("cases", "list", "--store", url)
    one_error(run, "cannot be reached")


def test_a_refused_login(pg_cluster: Cluster) -> None:
    pg_cluster.role(PASSWORD_USER, password="right-one")
    url = pg_cluster.url("postgres", PASSWORD_USER, "wrong-one")
    run = cli("cases", "list", "--store", url)
    one_error(run, "refused the login", "authentication failed")
    assert "wrong-one" not in run.stderr


def test_a_database_that_does_not_exist(pg_cluster: Cluster) -> None:
    run = cli("cases", "list", "--store", pg_cluster.url("no_such_database"))
    one_error(run, "does not exist")


def test_a_role_without_rights(centre: tuple[Cluster, str]) -> None:
    cluster, database = centre
    run = cli("cases", "list", "--store", as_user(cluster, database, "nobody_in_particular"))
    one_error(run, "no right")
    assert "screening_officer" in run.stderr


def test_an_empty_database_for_an_officer_says_to_run_init(pg_cluster: Cluster) -> None:
    database = pg_cluster.new_database()
    pg_cluster.role("plain_user")
    run = cli("cases", "list", "--store", pg_cluster.url(database, "plain_user"))
    one_error(run)
    assert "screening store init" in run.stderr


def test_a_schema_from_a_newer_version_is_refused_untouched(pg_url: str) -> None:
    with open_store(pg_url) as store:
        cid = new_case(store)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO screening_schema (version) VALUES (99)")
    run = cli("cases", "list", "--store", pg_url)
    one_error(run, "newer version of screening", "schema 99")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT id FROM cases").fetchall() == [(cid,)]


def test_another_programs_tables_are_refused(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE cases (id int)")
    with pytest.raises(StoreError, match="tables of another program"):
        open_store(pg_url)


def test_a_server_restarted_between_answers_loses_nothing(pg_cluster: Cluster, pg_url: str) -> None:
    with open_store(pg_url) as store:
        cid = new_case(store)
        store.record_answer(cid, "q1", "before", officer=None)
        pg_cluster.restart()
        # the connection broke with the restart: the next write connects again by itself
        store.record_answer(cid, "q2", "after", officer=None)
        pg_cluster.stop()
        try:
            with pytest.raises(StoreError) as caught:
                store.record_answer(cid, "q3", PRIVATE, officer=None)
        finally:
            pg_cluster.start()
        assert_clean(caught.value)
        assert "cannot be reached" in caught.value.message
        assert "everything saved before is kept" in caught.value.hint
        store.record_answer(cid, "q3", "once back", officer=None)
        case = store.get_case(cid)
        assert case.answers == {"q1": "before", "q2": "after", "q3": "once back"}
        assert store.verify().ok


def test_the_url_shown_has_no_password(pg_cluster: Cluster) -> None:
    pg_cluster.role(PASSWORD_USER, password="right-one")
    store = PostgresStore(pg_cluster.url("postgres", PASSWORD_USER, "right-one"))
    assert "right-one" not in store.where
    assert store.where.startswith(f"postgresql://{PASSWORD_USER}@/postgres?host=")


# -- one writer at a time ----------------------------------------------------------------------


def test_a_write_waits_for_another_writer_says_so_and_gives_up_at_the_limit(pg_url: str) -> None:
    said: list[str] = []
    with open_store(pg_url, busy_timeout=0.8, on_wait=said.append) as store:
        cid = new_case(store)
        with psycopg.connect(pg_url) as holder:  # a transaction holding the chain's row
            holder.execute("SELECT events FROM chain_state WHERE id = 1 FOR UPDATE")
            with pytest.raises(StoreError) as caught:
                store.record_answer(cid, "q1", PRIVATE, officer=None)
            holder.rollback()
        assert len(said) == 1
        assert said[0].startswith("waiting for the case store: another screening session")
        assert "stayed locked by another screening session for more than 0.8 s" in (
            caught.value.message
        )
        assert_clean(caught.value)
        store.record_answer(cid, "q1", "after", officer=None)
        assert store.get_case(cid).answers == {"q1": "after"}
        assert store.verify().ok


def test_a_write_waits_until_the_other_writer_commits(pg_url: str) -> None:
    import threading

    said: list[str] = []
    with open_store(pg_url, on_wait=said.append) as store:
        cid = new_case(store)
        holder = psycopg.connect(pg_url)
        holder.execute("SELECT events FROM chain_state WHERE id = 1 FOR UPDATE")
        release = threading.Timer(1.0, holder.rollback)
        release.start()
        try:
            store.record_answer(cid, "q1", "waited", officer=None)
        finally:
            release.join()
            holder.close()
        assert len(said) == 1
        assert store.get_case(cid).answers == {"q1": "waited"}


def test_the_sql_of_store_init_is_documented() -> None:
    from screening.store.postgres import GRANTS, POLICIES

    doc = (REPO / "docs" / "storage.md").read_text(encoding="utf-8")
    for statement in [*GRANTS, *(policy for _, _, policy in POLICIES)]:
        assert statement + ";" in doc, statement


def test_an_officer_cannot_type_another_officer_id(centre: tuple[Cluster, str]) -> None:
    from screening.cli.interview import _officer_of
    from screening.errors import UsageError
    from screening.ui.interview import InterviewSettings

    cluster, database = centre
    with open_store(as_user(cluster, database, "officer_a")) as store:
        assert _officer_of(store, InterviewSettings()).officer == "officer_a"
        assert _officer_of(store, InterviewSettings(officer="officer_a")).officer == "officer_a"
        with pytest.raises(UsageError, match="your officer id is your database user, officer_a"):
            _officer_of(store, InterviewSettings(officer="epc-099"))


# -- the interview while the server goes away --------------------------------------------------


def test_the_interview_waits_for_the_server_and_loses_nothing(
    pg_cluster: Cluster, pg_url: str, tmp_path: Path
) -> None:
    from test_engine import INTERVIEW_YAML
    from test_interview import MAIN, Run, Stop, settings_for
    from test_lease import Hook, hooked

    from screening.errors import Interrupted

    questionnaire = tmp_path / "interview_test.yaml"
    questionnaire.write_text(INTERVIEW_YAML, encoding="utf-8")
    slept: list[float] = []

    def server_back(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 2:  # down for two tries
            pg_cluster.start()

    with open_store(pg_url) as store:
        run = Run(store, tmp_path, settings_for(questionnaire), [])
        run.interview.sleep = server_back
        run.prompter.check = lambda: None
        hooked(run, [*MAIN[:10], Hook(pg_cluster.stop), *MAIN[10:12], Stop(KeyboardInterrupt())])
        try:
            with pytest.raises(Interrupted):
                run.run()
        finally:
            pg_cluster.start() if len(slept) < 2 else None
        assert slept == [2.0, 4.0]
        assert run.screen.count("The answer on screen is kept and not yet saved") == 2
        assert "cannot be reached" in run.screen
        [summary] = store.list_cases()
        case = store.get_case(summary.id)
        assert case.answers["passport_taken"] == "here"  # the answer given while it was down
        assert case.answers["arrived"] == "2024-01-31"  # and the one after
        assert store.verify().ok


def test_ctrl_c_while_waiting_for_the_server_gives_the_resume_command(
    pg_cluster: Cluster, pg_url: str, tmp_path: Path
) -> None:
    from test_engine import INTERVIEW_YAML
    from test_interview import MAIN, Run, settings_for
    from test_lease import Hook, hooked

    from screening.errors import ExitStatus, Interrupted

    questionnaire = tmp_path / "interview_test.yaml"
    questionnaire.write_text(INTERVIEW_YAML, encoding="utf-8")

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    with open_store(pg_url) as store:
        run = Run(store, tmp_path, settings_for(questionnaire), [])
        run.interview.sleep = interrupted
        run.prompter.check = lambda: None
        hooked(run, [*MAIN[:10], Hook(pg_cluster.stop), *MAIN[10:12]])
        try:
            with pytest.raises(Interrupted) as caught:
                run.run()
        finally:
            pg_cluster.start()
        assert caught.value.exit_code is ExitStatus.INTERRUPTED
        assert "screening interview --resume" in caught.value.hint
        [summary] = store.list_cases()
        case = store.get_case(summary.id)
        assert case.answers["passport"] == "no"  # everything before the outage is there
        assert "passport_taken" not in case.answers
        assert store.verify().ok


def test_a_register_of_schema_1_is_upgraded_with_its_roles_rights(
    centre: tuple[Cluster, str],
) -> None:
    cluster, database = centre
    url = cluster.url(database)
    with open_store(as_user(cluster, database, "officer_a")) as officer:
        cid = new_case(officer)
        officer.complete(cid, json.dumps({"recommendation": {"outcome": "monitor"}}), officer=None)
    with psycopg.connect(url, autocommit=True) as conn:  # as the schema 1 register had it
        conn.execute("DROP TABLE case_fact_items, case_facts")
        conn.execute("DROP INDEX cases_by_status")
        conn.execute("DROP TABLE store_settings, store_keys")
        conn.execute("ALTER TABLE cases DROP COLUMN key_gen")
        conn.execute("DELETE FROM screening_schema WHERE version >= 2")
    with open_store(url) as owner:  # the owner's first connection upgrades it
        assert isinstance(owner, PostgresStore)
        assert owner.schema_version() == 3
        assert owner.case_counts().outcomes == (("monitor", False, True, 1),)
    with open_store(as_user(cluster, database, "officer_a")) as officer:
        second = new_case(officer)
        officer.complete(
            second, json.dumps({"recommendation": {"outcome": "monitor"}}), officer=None
        )
        assert officer.case_counts().outcomes == (("monitor", False, True, 2),)
    with open_store(as_user(cluster, database, "officer_b")) as other:
        assert other.case_counts().outcomes == ()


def test_a_supervisor_reassigns_and_an_officer_cannot(centre: tuple[Cluster, str]) -> None:
    cluster, database = centre
    with open_store(as_user(cluster, database, "officer_a")) as a:
        cid = new_case(a)
        a.record_answer(cid, "q1", "yes", officer=None)
        with pytest.raises(StoreError, match="no right"):
            a.reassign(cid, "officer_b", by=None)
    run = cli(
        "cases", "reassign", cid, "--to", "officer_b",
        "--store", as_user(cluster, database, "supervisor_s"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"case {cid} now belongs to officer officer_b (was officer_a)" in run.stderr
    with open_store(as_user(cluster, database, "officer_a")) as a:
        assert a.list_cases() == []
    with open_store(as_user(cluster, database, "officer_b")) as b:
        assert b.get_case(cid).answers == {"q1": "yes"}
        b.record_answer(cid, "q2", "resumed by b", officer=None)
    with open_store(as_user(cluster, database, "supervisor_s")) as s:
        assert s.verify().ok


# -- the interview in a terminal, on the register --------------------------------------------


def test_an_officer_interviews_pauses_and_resumes_on_the_register(
    centre: tuple[Cluster, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pexpect
    from test_interview_e2e import QUESTIONNAIRE, answer, checked, finish, spawn

    cluster, database = centre
    questionnaire = tmp_path / "e2e.yaml"
    questionnaire.write_text(QUESTIONNAIRE, encoding="utf-8")
    monkeypatch.setenv("SCREENING_STORE", as_user(cluster, database, "officer_a"))
    home = tmp_path / "home"
    out = tmp_path / "referral.json"
    # no --officer: on the register the officer id is the database user, never asked
    child = spawn(home, "-q", str(questionnaire), "--lang", "en", "--out", str(out))
    child.expect_exact("Confirm")
    child.send(" " + "\x1b[B " * 4 + "\r")  # the five entries of the checklist, one by one
    answer(child, "How old are you?", "41\r")
    answer(child, "Are you in danger right now?", "\x03")  # Ctrl-C
    child.expect(r"interview paused: 1 answer saved in case (C-[0-9A-Z-]+)")
    case_id = child.match.group(1)
    child.expect_exact(f"Resume with: screening interview --resume {case_id}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    refused = spawn(home, "--resume", case_id, "--officer", "epc-099")
    refused.expect(pexpect.EOF)
    refused.close()
    assert refused.exitstatus == 2
    assert "your officer id is your database user, officer_a" in refused.before
    child = spawn(home, "--resume", case_id)
    answer(child, "Are you in danger right now?", "2\r")
    answer(child, "Do you keep your passport?", "1\r")
    assert finish(child) == out
    document = checked(out)
    assert (document["case_id"], document["officer"]) == (case_id, "officer_a")
    with open_store(as_user(cluster, database, "officer_b")) as other:
        assert other.list_cases() == []
    with open_store(as_user(cluster, database, "supervisor_s")) as supervisor:
        case = supervisor.get_case(case_id)
        assert case.officer == "officer_a"
        assert case.answers == {"age": 41, "in_danger": "no", "passport": "yes"}
        assert supervisor.verify().ok
