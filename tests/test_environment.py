"""The command line runs in an Environment it is given: streams, terminal, size, debug."""

from __future__ import annotations

import io
import json
import os

import pytest

from screening.cli import main
from screening.cli.environment import Environment, current, using


def _env(*, terminal: bool = False, environ: dict[str, str] | None = None) -> Environment:
    return Environment(
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        environ=environ or {},
        stdin_isatty=terminal,
        stdout_isatty=terminal,
        size=os.terminal_size((100, 30)),
    )


def _run(argv: list[str], env: Environment) -> int:
    try:
        main(argv, env)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_documents_go_to_the_given_stdout() -> None:
    env = _env()
    assert _run(["schema", "referral"], env) == 0
    document = json.loads(env.stdout.getvalue())  # type: ignore[attr-defined]
    assert document["title"]
    assert env.stderr.getvalue() == ""  # type: ignore[attr-defined]


def test_the_interview_asks_the_environment_whether_there_is_a_terminal() -> None:
    env = _env(terminal=False)
    assert _run(["interview", "--officer", "epc-017"], env) == 1
    said = env.stderr.getvalue()  # type: ignore[attr-defined]
    assert said.startswith("screening: error: the interview needs a terminal")


def test_errors_are_written_to_the_given_stderr() -> None:
    env = _env()
    assert _run(["indicators", "show", "no_such_indicator"], env) == 1
    assert env.stdout.getvalue() == ""  # type: ignore[attr-defined]
    assert "screening: error: no indicator 'no_such_indicator'" in env.stderr.getvalue()  # type: ignore[attr-defined]


def test_debug_lives_in_the_environment_not_in_os_environ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import screening.questionnaires as questionnaires

    def boom(_ref: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(questionnaires, "resolve", boom)
    monkeypatch.delenv("SCREENING_DEBUG", raising=False)
    quiet = _env()
    assert _run(["indicators", "list"], quiet) == 1
    assert quiet.stderr.getvalue().startswith("screening: internal error: RuntimeError")  # type: ignore[attr-defined]
    loud = _env()
    with pytest.raises(RuntimeError, match="a bug"):
        main(["--debug", "indicators", "list"], loud)
    assert loud.debug
    assert "SCREENING_DEBUG" not in os.environ


def test_rtl_is_read_from_the_given_variables() -> None:
    env = _env(environ={"SCREENING_RTL": "sideways"})
    assert _run(["indicators", "list", "--format", "table"], env) == 2
    assert "SCREENING_RTL" in env.stderr.getvalue()  # type: ignore[attr-defined]


def test_current_is_the_environment_of_the_run_and_a_fresh_one_outside() -> None:
    env = _env()
    with using(env):
        assert current() is env
    outside = current()
    assert outside is not env
    assert not outside.debug
