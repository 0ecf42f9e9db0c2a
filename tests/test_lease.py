"""One writer per case: a second terminal is refused, a take-over is explicit, and the terminal
that lost the case fails cleanly at its next write without losing what it had saved."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from conftest import Run as CliRun
from test_interview import MAIN, Run, S, Step, Stop, T, settings_for
from test_store import around, new_case

from screening.errors import ExitStatus, Interrupted, LeaseError, StoreError
from screening.store import DATABASE_NAME, CaseStatus, SqliteStore, open_store
from screening.store.sqlite import _HOST
from screening.ui.interview import InterviewSettings

DATE_A = "2024-01-31"
DATE_C = "2023-05-01"


class Hook(Step):
    """Run this function at the next prompt, then go on with the script."""

    def __init__(self, action: Callable[[], None]) -> None:
        super().__init__("hook", action)


def hooked(run: Run, script: Sequence[Step]) -> Run:
    """A run whose script may hold hooks: another terminal acting between two prompts."""
    prompter = run.prompter
    prompter.script = list(script)
    original = prompter._next

    def next_step(kind: str, message: str, labels: list[str]) -> Step:
        while prompter.script and prompter.script[0].kind == "hook":
            action = prompter.script.pop(0).value
            action()
        return original(kind, message, labels)

    prompter._next = next_step  # type: ignore[method-assign]
    return run


@pytest.fixture
def questionnaire(tmp_path: Path) -> Path:
    from test_engine import INTERVIEW_YAML

    path = tmp_path / "interview_test.yaml"
    path.write_text(INTERVIEW_YAML, encoding="utf-8")
    return path


def paused_case(store: SqliteStore, home: Path, questionnaire: Path) -> str:
    """A draft with three answers, paused with Ctrl-C (which gives the case back)."""
    run = Run(store, home, settings_for(questionnaire), [*MAIN[:8], Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    [summary] = store.list_cases()
    assert store.lease_holder(summary.id) is None
    return summary.id


def test_two_terminals_resume_one_case(tmp_path: Path, questionnaire: Path, location: str) -> None:
    home = tmp_path / "home"
    with open_store(location) as a, open_store(location) as b, open_store(location) as c:
        case_id = paused_case(a, home, questionnaire)
        seen: dict[str, BaseException] = {}

        def other_terminals() -> None:
            # Terminal B resumes the case while A has it open: refused (its officer leaves it).
            second = Run(
                b, home, InterviewSettings(resume=case_id, officer="epc-020"), [S("leave")]
            )
            with pytest.raises(LeaseError) as refused:
                second.run()
            seen["refused"] = refused.value
            assert [message for message, _ in second.prompter.prompts] == [
                f"Case {case_id} is open in another terminal ("
                + (a.lease_holder(case_id) or pytest.fail("no holder")).describe()
                + "). Take it over only if that terminal is closed: its next answer will then "
                "be refused."
            ]
            # Terminal C (A's terminal is believed gone) takes it over and answers.
            third = Run(
                c,
                home,
                InterviewSettings(resume=case_id, officer="epc-020", take_over=True),
                [T(DATE_C), Stop(KeyboardInterrupt())],
            )
            with pytest.raises(Interrupted):
                third.run()
            assert "Case taken over from officer epc-017" in third.screen

        first = Run(a, home, InterviewSettings(resume=case_id, officer="epc-017"), [])
        first.prompter.check = lambda: None  # the store changes under it: that is the point
        hooked(first, [S("here"), Hook(other_terminals), T(DATE_A)])
        with pytest.raises(LeaseError) as lost:
            first.run()

    refused = seen["refused"]
    assert refused.exit_code is ExitStatus.ERROR
    assert refused.message.startswith(f"case {case_id} is open in another terminal: ")
    assert "officer epc-017" in refused.message
    assert f"on host {_HOST}, process {os.getpid()}, since " in refused.message
    assert f"screening interview --resume {case_id} --take-over" in refused.hint
    for private in ("Worker is shaking", DATE_A, DATE_C):  # no answers, no notes
        assert private not in refused.message + refused.hint

    error = lost.value
    assert error.exit_code is ExitStatus.ERROR
    assert f"case {case_id} was taken over" in error.message
    assert "everything saved before is kept" in error.hint
    assert "When the store works again" not in error.hint  # not a store failure
    with open_store(location) as store:
        case = store.get_case(case_id)
        assert case.status is CaseStatus.DRAFT
        # A's answers up to the take-over are kept; its refused write left nothing
        assert case.answers["passport_taken"] == "here"
        assert case.answers["age"] == 16
        assert case.answers["arrived"] == DATE_C
        assert DATE_A not in [r.value for r in case.answer_history]
        assert store.lease_holder(case_id) is None  # C gave it back on Ctrl-C
        assert store.verify().ok


def test_a_lease_left_by_an_ended_process_is_taken_over(location: str) -> None:
    with open_store(location) as a, open_store(location) as b:
        case_id = new_case(a)
        a.acquire_lease(case_id, officer="epc-017")
        ended = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        dead = int(ended.stdout)
        with around(a) as conn:
            conn.execute("UPDATE leases SET pid = ?", (dead,))
        previous = b.acquire_lease(case_id, officer="epc-020")
        assert previous is not None
        assert previous.pid == dead
        assert previous.officer == "epc-017"
        b.record_answer(case_id, "q1", "yes", officer="epc-020")
        with pytest.raises(LeaseError, match="was taken over"):
            a.record_answer(case_id, "q1", "no", officer="epc-017")
        assert b.get_case(case_id).answers == {"q1": "yes"}


def test_a_lease_on_another_computer_is_never_taken_silently(location: str) -> None:
    with open_store(location) as a, open_store(location) as b:
        case_id = new_case(a)
        a.acquire_lease(case_id, officer=None)
        with around(a) as conn:
            conn.execute("UPDATE leases SET host = 'desk-7', pid = 999999999")
        with pytest.raises(LeaseError) as caught:
            b.acquire_lease(case_id, officer="epc-020")
        assert "on host desk-7, process 999999999" in caught.value.message
        assert "officer" not in caught.value.message  # no officer id was given
        assert b.acquire_lease(case_id, officer="epc-020", take_over=True) is not None


def test_every_write_checks_the_lease(location: str) -> None:
    with open_store(location) as holder, open_store(location) as other:
        case_id = new_case(holder)
        holder.acquire_lease(case_id, officer="epc-017")
        writes: list[Callable[[], object]] = [
            lambda: other.record_answer(case_id, "q1", "no", officer=None),
            lambda: other.clear_answer(case_id, "q1", officer=None),
            lambda: other.record_note(case_id, "q1", "note", officer=None),
            lambda: other.acknowledge_flag(case_id, "f1", officer=None),
            lambda: other.set_meta(case_id, "interview", {}),
            lambda: other.complete(case_id, "{}", officer=None),
        ]
        for write in writes:
            with pytest.raises(LeaseError, match="open in another terminal"):
                write()
        events = holder.verify().events
        holder.record_answer(case_id, "q1", "yes", officer="epc-017")
        holder.release_lease(case_id)
        other.record_answer(case_id, "q2", "free again", officer=None)
        assert holder.verify().events == events + 2
        # releasing never removes a lease another store took
        other.acquire_lease(case_id, officer=None)
        holder.release_lease(case_id)
        assert holder.lease_holder(case_id) is not None


def test_take_over_needs_resume(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    run = cli("interview", "--take-over")
    assert run.code == 2
    assert "--take-over goes with --resume" in run.err


def test_a_locked_store_is_waited_for_then_the_resume_command_given(
    tmp_path: Path, questionnaire: Path
) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        case_id = paused_case(store, home, questionnaire)
    said: list[str] = []
    with open_store(home, busy_timeout=0.7, on_wait=said.append) as store:
        holder = sqlite3.connect(home / DATABASE_NAME, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            resumed = Run(store, home, InterviewSettings(resume=case_id, officer="epc-017"), [])
            with pytest.raises(StoreError) as caught:
                resumed.run()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert len(said) == 1
    assert said[0].startswith("waiting for the case store")
    assert caught.value.exit_code is ExitStatus.ERROR
    assert "stayed locked by another screening session" in caught.value.message
    assert f"screening interview --resume {case_id}" in caught.value.hint


def test_a_case_deleted_while_open_says_so(location: str) -> None:
    with open_store(location) as interviewing, open_store(location) as other:
        case_id = new_case(interviewing)
        interviewing.acquire_lease(case_id, officer="epc-017")
        other.delete_case(case_id, officer="epc-001")
        with pytest.raises(LeaseError) as caught:
            interviewing.record_answer(case_id, "q1", "yes", officer="epc-017")
        assert f"case {case_id} was deleted from" in caught.value.message
        assert "while it was open here" in caught.value.message
        interviewing.release_lease(case_id)  # nothing to give back, no error
