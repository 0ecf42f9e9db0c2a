"""The whole interview with a scripted prompter, a real case store and a console in memory.

The prompter plays the officer from a script; at every prompt it checks that what the
interview holds is already committed in the store, so "saved before the next question" is
checked at each step, not only at the end.
"""

from __future__ import annotations

import io
import json
import os
import stat
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rich.console import Console  # noqa: TID251 - the screens are drawn on a console of the test
from test_engine import INTERVIEW_YAML

from screening.bidi import RtlMode, display
from screening.errors import ExitStatus, Interrupted, ScreeningError, StoreError, UsageError
from screening.i18n import t
from screening.questionnaires import LoadedQuestionnaire, load_path
from screening.schemas import referral_schema
from screening.store import CaseStatus, SqliteStore, open_store
from screening.ui.interview import Interview, InterviewResult, InterviewSettings
from screening.ui.prompts import Option

ALL_CHECKED = ["needs", "private", "interpreter", "gender", "explained"]
FIXED_TIME = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Step:
    """One scripted reply: the kind of prompt expected, and what the officer does there."""

    kind: str
    value: Any = None
    label: str | None = None  # choose the entry shown with this label (actions, languages)


def S(value: Any = None, *, label: str | None = None) -> Step:
    return Step("select", value, label)


def C(values: list[str]) -> Step:
    return Step("checkbox", values)


def T(text: str) -> Step:
    return Step("text", text)


class Stop(Step):
    """Raise this exception at the next prompt (Ctrl-C, Ctrl-D)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__("any", error)


class ScriptedPrompter:
    """Plays the officer from a script; refused text is re-asked like the real prompter."""

    def __init__(self, script: Sequence[Step], check: Callable[[], None] = lambda: None) -> None:
        self.script = list(script)
        self.check = check
        self.messages: list[str] = []  # validation messages shown
        self.prompts: list[tuple[str, list[str]]] = []  # message and entries of each prompt

    def _next(self, kind: str, message: str, labels: list[str]) -> Step:
        self.check()
        self.prompts.append((message, labels))
        assert self.script, f"the script ended; the interview asked: {message} {labels}"
        step = self.script.pop(0)
        if isinstance(step.value, BaseException):
            raise step.value
        assert step.kind == kind, f"expected a {step.kind} prompt, got a {kind}: {message} {labels}"
        return step

    def select(
        self,
        message: str,
        options: Sequence[Option],
        *,
        default: str | None = None,
        instruction: str = "",
        keys: Mapping[str, str] | None = None,
    ) -> str:
        step = self._next("select", message, [o.label for o in options])
        if step.label is not None:
            found = [o.value for o in options if o.label == step.label]
            assert found, f"no entry {step.label!r} in {[o.label for o in options]}"
            return found[0]
        if step.value is None:
            assert default is not None
            return default
        assert step.value in [o.value for o in options], (step.value, options)
        return str(step.value)

    def checkbox(
        self,
        message: str,
        options: Sequence[Option],
        *,
        checked: Collection[str] = (),
        instruction: str = "",
        validate: Callable[[list[str]], str | None] | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> list[str]:
        step = self._next("checkbox", message, [o.label for o in options])
        values = list(step.value)
        problem = validate(values) if validate else None
        if problem is not None:
            self.messages.append(problem)
            return self.checkbox(message, options, checked=values, validate=validate, keys=keys)
        return values

    def text(
        self,
        message: str,
        *,
        default: str = "",
        instruction: str = "",
        validate: Callable[[str], str | None] | None = None,
        multiline: bool = False,
        keys: Mapping[str, str] | None = None,
    ) -> str:
        step = self._next("text", message, [])
        typed = default if step.value is None else str(step.value)
        problem = validate(typed) if validate else None
        if problem is not None:
            self.messages.append(problem)
            return self.text(message, default=typed, validate=validate)
        return typed


@pytest.fixture
def questionnaire(tmp_path: Path) -> Path:
    path = tmp_path / "interview_test.yaml"
    path.write_text(INTERVIEW_YAML, encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[SqliteStore]:
    with open_store(home) as opened:
        yield opened


class Run:
    """One interview: its settings, prompter, console and store."""

    def __init__(
        self,
        store: SqliteStore,
        home: Path,
        settings: InterviewSettings,
        script: Sequence[Step],
        *,
        width: int = 100,
        terminal_height: int | None = None,
    ) -> None:
        self.store = store
        self.buffer = io.StringIO()
        # a terminal of that height when given; else output to a file, as in a pipe
        self.console = Console(
            file=self.buffer,
            width=width,
            height=terminal_height,
            force_terminal=terminal_height is not None,
            color_system=None,
            highlight=False,
        )
        self.prompter = ScriptedPrompter(script, check=self.committed)
        self.interview = Interview(
            settings,
            prompter=self.prompter,
            console=self.console,
            store=store,
            referrals_dir=home / "referrals",
            load=fresh,
            clock=lambda: FIXED_TIME,
        )

    def committed(self) -> None:
        """Everything the interview holds is in the store before a prompt is shown."""
        case = self.interview.session.case
        engine = self.interview.session.engine
        if case is None or engine is None:
            return
        stored = self.store.get_case(case.case_id)
        # answers that no longer fit a changed questionnaire stay in the store, unused
        assert {
            k: v for k, v in stored.answers.items() if k not in engine.rejected
        } == engine.answers
        assert stored.acknowledged_flags == engine.acknowledged
        assert {qid: len(notes) for qid, notes in stored.notes.items()} == case.notes

    def run(self) -> InterviewResult:
        result = self.interview.run()
        assert self.prompter.script == [], "the interview ended before the script"
        return result

    @property
    def screen(self) -> str:
        return self.buffer.getvalue()


def fresh(ref: str | None) -> LoadedQuestionnaire:
    """Load a questionnaire file anew each time (``resolve`` keeps what it loaded once)."""
    assert ref is not None
    return load_path(Path(ref))


def settings_for(questionnaire: Path, **values: Any) -> InterviewSettings:
    base: dict[str, Any] = {
        "questionnaire": str(questionnaire),
        "officer": "epc-017",
        "language": "en",
    }
    base.update(values)
    return InterviewSettings(**base)


# The answers up to the review for the main scenario, with a back, a note and a flag.
MAIN = [
    C(ALL_CHECKED),
    S(label="Continue"),  # the note
    T("16"),  # age: raises the "minor" flag
    S("ack"),
    S(label="Add a note"),  # on in_danger
    T("Worker is shaking"),
    S("no"),
    S("no"),  # passport
    S(label="Back"),  # from passport_taken
    S(),  # passport again: the default is the answer given
    S("here"),  # passport_taken
    T("2024-01-31"),
    S("yes"),  # has_employer
    T("14"),
    C(["unpaid", "locked"]),
    T("ACME Ltd"),
]


def test_a_whole_interview(store: SqliteStore, home: Path, questionnaire: Path) -> None:
    script = [
        *MAIN,
        S("edit"),  # the review
        S("employer"),  # the section, then the question
        S("hours"),
        T("10"),  # back to the review: nothing new applies
        S("finish"),
        S("yes"),
    ]
    run = Run(store, home, settings_for(questionnaire), script)
    result = run.run()

    case = store.get_case(result.case_id)
    assert case.status is CaseStatus.COMPLETE
    assert case.officer == "epc-017"
    assert case.answers == {
        "age": 16,
        "in_danger": "no",
        "passport": "no",
        "passport_taken": "here",
        "arrived": "2024-01-31",
        "has_employer": "yes",
        "hours": 10,
        "problems": ["unpaid", "locked"],
        "name": "ACME Ltd",
    }
    assert [r.value for r in case.answer_history if r.question_id == "hours"] == [14, 10]
    assert case.notes == {"in_danger": ["Worker is shaking"]}
    assert case.acknowledged_flags == {"minor"}
    assert case.meta["pre_interview_checklist"] == ALL_CHECKED

    assert result.referral_path == home / "referrals" / f"{result.case_id}.json"
    assert stat.S_IMODE(os.stat(result.referral_path).st_mode) == 0o600
    document = json.loads(result.referral_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(referral_schema()).validate(document)
    assert document == json.loads(case.referral_json or "")
    assert document["case_id"] == result.case_id
    assert document["officer"] == "epc-017"
    assert document["created_at"] == "2026-11-29T10:00:00Z"
    assert document["recommendation"]["outcome"] == "labour"
    assert document["recommendation"]["urgent"] is True
    assert [f["id"] for f in document["flags"]] == ["minor"]
    notes = {a["question_id"]: a["notes"] for a in document["answers"]}
    assert notes["in_danger"] == ["Worker is shaking"]
    # the referral carries the audit chain's head, which the store still holds
    assert store.verify(document["audit_head"]).ok
    assert case.exported_at is not None

    screen = run.screen
    assert f"Case {result.case_id} opened" in screen
    assert "URGENT: Possible minor" in screen
    assert "Call child protection (998) before going on." in screen
    assert "Outcome now: Labour case (labour)" in screen  # the review's live outcome
    assert f"Referral written to {result.referral_path}" in screen


def test_an_optional_answer_emptied_from_the_review_is_cleared_everywhere(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [*MAIN, S("edit"), S("employer"), S("name"), T(""), S("finish"), S("yes")]
    run = Run(store, home, settings_for(questionnaire), script)
    result = run.run()
    case = store.get_case(result.case_id)
    assert "name" not in case.answers
    assert [r.value for r in case.answer_history if r.question_id == "name"] == ["ACME Ltd", None]
    assert store.verify().ok
    document = json.loads(result.referral_path.read_text(encoding="utf-8"))
    assert "name" not in [a["question_id"] for a in document["answers"]]
    assert [g["question_id"] for g in document["gaps"]] == []  # optional: no gap
    screen = run.screen
    assert "empty to clear the answer" in screen
    assert "Answer cleared: Your employer's name" in screen


def test_back_and_flags_are_shown_at_the_right_moment(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(store, home, settings_for(questionnaire), [*MAIN, S("finish"), S("yes")])
    run.run()
    prompts = [message for message, _ in run.prompter.prompts]
    # the flag is acknowledged right after the age, before the next question
    assert prompts[2:4] == ["Answer", "Acknowledge"]
    # the flag stays in view on every later screen
    after = run.screen.split("URGENT: Possible minor", 1)[1]
    assert after.count("Urgent: Possible minor") >= 8


def test_the_review_lists_answers_by_section_and_sets_aside_what_no_longer_applies(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [*MAIN, S("edit"), S("work"), S("has_employer"), S("no"), S("finish"), S("yes")]
    run = Run(store, home, settings_for(questionnaire), script)
    result = run.run()
    review = run.screen.rsplit("Go through the answers", 1)[1]
    assert "Set aside, their questions no longer apply: hours, problems, name" in review
    assert "6. Do you have an employer here? — No" in review
    document = json.loads(result.referral_path.read_text(encoding="utf-8"))
    assert [a["question_id"] for a in document["answers"]] == [
        "age",
        "in_danger",
        "passport",
        "passport_taken",
        "arrived",
        "has_employer",
    ]
    # the set-aside answers stay in the store's history
    assert store.get_case(result.case_id).answers["hours"] == 14


def test_an_edit_that_opens_a_section_asks_its_questions(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        C(ALL_CHECKED),
        S(label="Continue"),
        T("30"),
        S("no"),
        S("yes"),
        T("2024-01-31"),
        S("no"),
        S("edit"),
        S("work"),
        S("has_employer"),
        S("yes"),
        T("8"),
        C([]),
        T(""),  # name is optional: skipped
        S("finish"),
        S("yes"),
    ]
    result = Run(store, home, settings_for(questionnaire), script).run()
    assert store.get_case(result.case_id).answers["problems"] == []
    assert "name" not in store.get_case(result.case_id).answers


def test_a_refused_answer_shows_the_translated_message(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        C(ALL_CHECKED),
        S("<skip>"),
        T("two hundred"),
        T("200"),
        Stop(KeyboardInterrupt()),
    ]
    run = Run(store, home, settings_for(questionnaire, ui_language="ar", language="ar"), script)
    with pytest.raises(Interrupted):
        run.run()
    assert run.prompter.messages == ["أدخل عددًا صحيحًا (لا يقل عن 0، لا يزيد على 120)."] * 2


def test_a_note_with_control_characters_is_refused_as_a_text_answer_is(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        C(ALL_CHECKED),
        S("<skip>"),
        T("30"),
        S(label="Add a note"),  # on in_danger
        T("shaking\x1b[2J"),  # a pasted escape sequence
        T("lone \ud800 half"),  # not a character at all
        T("Worker is shaking"),
        Stop(KeyboardInterrupt()),
    ]
    run = Run(store, home, settings_for(questionnaire), script)
    with pytest.raises(Interrupted):
        run.run()
    refusal = "Type plain text: control characters (as pasted from elsewhere) are not accepted."
    assert run.prompter.messages == [refusal, refusal]
    [case] = store.list_cases()
    assert store.get_case(case.id).notes == {"in_danger": ["Worker is shaking"]}


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), EOFError()])
def test_ctrl_c_or_end_of_input_keeps_the_answers_and_prints_the_resume_command(
    store: SqliteStore, home: Path, questionnaire: Path, stop: BaseException
) -> None:
    run = Run(store, home, settings_for(questionnaire), [*MAIN[:8], Stop(stop)])
    with pytest.raises(Interrupted) as caught:
        run.run()
    error = caught.value
    assert error.exit_code is ExitStatus.INTERRUPTED
    assert int(error.exit_code) == 130
    [summary] = store.list_cases()
    assert summary.status is CaseStatus.DRAFT
    assert error.message == f"interview paused: 3 answers saved in case {summary.id}"
    assert error.hint == f"Resume with: screening interview --resume {summary.id}"
    case = store.get_case(summary.id)
    assert case.answers == {"age": 16, "in_danger": "no", "passport": "no"}
    assert case.notes == {"in_danger": ["Worker is shaking"]}
    assert case.acknowledged_flags == {"minor"}

    # resume: no options but the case id; it continues at the first unanswered question
    resumed = Run(
        store,
        home,
        InterviewSettings(resume=summary.id.lower(), officer="epc-020"),
        [S("here"), T("2024-01-31"), S("no"), S("finish"), S("yes")],
    )
    result = resumed.run()
    assert result.case_id == summary.id
    assert f"Resuming case {summary.id}: 3 answers kept." in resumed.screen
    done = store.get_case(summary.id)
    assert done.status is CaseStatus.COMPLETE
    assert done.answers["passport_taken"] == "here"
    assert [r.officer for r in done.answer_history] == ["epc-017"] * 3 + ["epc-020"] * 3
    # the checklist is not asked again, the flag is not acknowledged twice
    assert all(message != "Confirm" for message, _ in resumed.prompter.prompts)
    assert all(message != "Acknowledge" for message, _ in resumed.prompter.prompts)


def test_a_flag_raised_but_not_acknowledged_is_shown_first_on_resume(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(
        store,
        home,
        settings_for(questionnaire),
        [C(ALL_CHECKED), S(label="Continue"), T("15"), Stop(KeyboardInterrupt())],
    )
    with pytest.raises(Interrupted):
        run.run()
    [summary] = store.list_cases()
    assert store.get_case(summary.id).acknowledged_flags == frozenset()
    resumed = Run(
        store,
        home,
        InterviewSettings(resume=summary.id, officer="epc-017"),
        [S("ack"), Stop(KeyboardInterrupt())],
    )
    with pytest.raises(Interrupted):
        resumed.run()
    assert resumed.prompter.prompts[0][0] == "Acknowledge"
    assert store.get_case(summary.id).acknowledged_flags == {"minor"}


def test_interrupted_before_the_case_is_opened_records_nothing(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(
        store,
        home,
        settings_for(questionnaire, officer=None, language=None),
        [Stop(KeyboardInterrupt())],
    )
    with pytest.raises(Interrupted) as caught:
        run.run()
    assert "nothing was recorded" in caught.value.message
    assert caught.value.hint == ""
    assert store.list_cases() == []


def test_officer_and_language_are_asked_when_not_given(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [T("  "), T(" epc-031 "), S("ar"), Stop(KeyboardInterrupt())]
    run = Run(store, home, settings_for(questionnaire, officer=None, language=None), script)
    with pytest.raises(Interrupted):
        run.run()
    assert run.prompter.messages == ["Enter your officer ID (1 to 64 characters, no line breaks)."]
    assert run.prompter.prompts[2] == (
        "Language of the interview",
        ["English (en)", "العربية (ar)"],
    )
    [summary] = store.list_cases()
    case = store.get_case(summary.id)
    assert (case.officer, case.language, case.ui_language) == ("epc-031", "ar", "en")


def test_redact_leaves_out_pii_and_is_kept_for_resume(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "referral.json"
    out.parent.mkdir()
    run = Run(
        store,
        home,
        settings_for(questionnaire, redact=True, out=out),
        [*MAIN, Stop(KeyboardInterrupt())],
    )
    with pytest.raises(Interrupted):
        run.run()
    [summary] = store.list_cases()
    result = Run(
        store, home, InterviewSettings(resume=summary.id, officer="x"), [S("finish"), S("yes")]
    ).run()
    assert result.referral_path == out
    document = json.loads(out.read_text(encoding="utf-8"))
    assert "name" not in [a["question_id"] for a in document["answers"]]
    assert document["redaction"]["redacted"] is True
    assert document["redaction"]["removed_questions"] == ["name"]
    assert "ACME" not in out.read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_an_out_folder_that_does_not_exist_is_refused_before_anything(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    run = Run(store, home, settings_for(questionnaire, out=tmp_path / "nowhere" / "r.json"), [])
    with pytest.raises(ScreeningError, match="does not exist") as caught:
        run.run()
    assert caught.value.exit_code == ExitStatus.ERROR
    assert store.list_cases() == []


def test_a_language_the_questionnaire_lacks_is_a_usage_error(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    with pytest.raises(UsageError, match="--lang fr"):
        Run(store, home, settings_for(questionnaire, language="fr"), []).run()


def test_resume_refuses_a_complete_case_and_a_different_questionnaire(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    result = Run(store, home, settings_for(questionnaire), [*MAIN, S("finish"), S("yes")]).run()
    with pytest.raises(ScreeningError, match="is complete"):
        Run(store, home, InterviewSettings(resume=result.case_id), []).run()

    run = Run(store, home, settings_for(questionnaire), [C(ALL_CHECKED), Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    draft = store.list_cases(status="draft")[0].id
    other = tmp_path / "other.yaml"
    other.write_text(
        INTERVIEW_YAML.replace("id: interview_test", "id: other_test"), encoding="utf-8"
    )
    with pytest.raises(UsageError, match="was started with questionnaire 'interview_test'"):
        Run(store, home, InterviewSettings(resume=draft, questionnaire=str(other)), []).run()
    with pytest.raises(UsageError, match="interviewed in 'en', not 'ar'"):
        Run(store, home, InterviewSettings(resume=draft, language="ar"), []).run()


def test_a_changed_questionnaire_file_is_said_and_answers_that_no_longer_fit_are_left_out(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(store, home, settings_for(questionnaire), [*MAIN[:4], Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    questionnaire.write_text(INTERVIEW_YAML.replace("max: 120", "max: 10"), encoding="utf-8")
    [summary] = store.list_cases()
    resumed = Run(
        store, home, InterviewSettings(resume=summary.id, officer="x"), [Stop(KeyboardInterrupt())]
    )
    with pytest.raises(Interrupted):
        resumed.run()
    assert "The questionnaire file has changed since this case was started." in resumed.screen
    assert "1 saved answer no longer fits the questionnaire and is left out: age" in resumed.screen


def test_an_incomplete_checklist_warns_and_can_go_on(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        C(["needs"]),
        S("again"),
        C(["needs", "private"]),
        S("continue"),
        Stop(KeyboardInterrupt()),
    ]
    run = Run(store, home, settings_for(questionnaire), script)
    with pytest.raises(Interrupted):
        run.run()
    assert "Not confirmed yet:" in run.screen
    assert "The worker was asked whether they prefer an officer of the same gender." in run.screen
    [summary] = store.list_cases()
    assert store.get_case(summary.id).meta["pre_interview_checklist"] == ["needs", "private"]


class FailingStore(SqliteStore):
    """A store whose n-th ``record_answer`` fails like a full disk."""

    fail_at = 3

    def record_answer(self, *args: Any, **kwargs: Any) -> None:
        self.fail_at -= 1
        if self.fail_at == 0:
            raise StoreError("cannot save the answer: the disk is full", hint="Free some space.")
        super().record_answer(*args, **kwargs)


def test_a_store_failure_keeps_what_was_saved_and_says_how_to_resume(
    home: Path, questionnaire: Path
) -> None:
    with FailingStore.open(home) as store:
        run = Run(store, home, settings_for(questionnaire), MAIN[:8])
        with pytest.raises(StoreError) as caught:
            run.run()
        [summary] = store.list_cases()
        assert store.get_case(summary.id).answers == {"age": 16, "in_danger": "no"}
    assert caught.value.message == "cannot save the answer: the disk is full"
    assert caught.value.hint.startswith("Free some space. The answer on screen was not saved")
    assert f"screening interview --resume {summary.id}" in caught.value.hint


def _presentation_forms(text: str) -> bool:
    return any(
        "ARABIC" in unicodedata.name(c, "") and "FORM" in unicodedata.name(c, "") for c in text
    )


def test_arabic_in_reorder_mode_is_shaped_on_screen_only(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        # entries are chosen by value: their labels are in display form
        C(ALL_CHECKED),
        S("<skip>"),
        T("٣٠"),
        S("no"),
        S("no"),
        S("here"),
        T("2024-01-31"),
        S("<note>"),
        T("يعمل في البيت"),
        S("no"),
        S("finish"),
        S("yes"),
    ]
    settings = settings_for(questionnaire, language="ar", ui_language="ar", rtl=RtlMode.REORDER)
    run = Run(store, home, settings, script)
    result = run.run()
    # the screen holds joined letter forms, in visual order
    assert _presentation_forms(run.screen)
    assert "كم عمرك؟" not in run.screen
    # a key to press keeps its face inside right-to-left text: "<" is not mirrored to ">"
    back = display(t("interview.key.back", "ar", key="\u200e<\u200e"), RtlMode.REORDER, rtl=True)
    assert "<" in back
    assert back in run.screen
    # the referral's path is on a line of its own, in the order it is typed
    assert f"\n{result.referral_path}\n" in run.screen
    # what is stored and exported is the text as written and typed
    stored = result.referral_path.read_text(encoding="utf-8")
    assert not _presentation_forms(stored)
    assert not _presentation_forms(
        json.dumps(store.get_case(result.case_id).notes, ensure_ascii=False)
    )
    assert store.get_case(result.case_id).notes == {"has_employer": ["يعمل في البيت"]}
    assert json.loads(stored)["language"] == "ar"
    assert store.get_case(result.case_id).answers["age"] == 30


def test_arabic_without_reorder_is_sent_as_stored(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(
        store,
        home,
        settings_for(questionnaire, language="ar"),
        [C(ALL_CHECKED), S(label="Continue"), Stop(KeyboardInterrupt())],
    )
    with pytest.raises(Interrupted):
        run.run()
    assert "كم عمرك؟" in run.screen
    assert "How old are you?" in run.screen  # the officer's line beneath
    assert not _presentation_forms(run.screen)


def test_worker_language_text_stays_out_of_bordered_tables(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        C(ALL_CHECKED),
        S(label="Continue"),
        T("30"),
        S("no"),
        S("no"),
        S("here"),
        T("2024-01-31"),
        S("no"),
        S("finish"),
        S("yes"),
    ]
    run = Run(store, home, settings_for(questionnaire, language="ar"), script)
    run.run()
    boxed = [line for line in run.screen.splitlines() if any(c in line for c in "│┃╭╰")]
    assert boxed
    for line in boxed:
        assert not any("\u0600" <= c <= "\u06ff" for c in line), line


def test_the_change_list_goes_by_section_and_back_returns(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        *MAIN,
        S("edit"),
        S("documents"),
        S(label="Back"),  # from the answers: back to the sections
        S(label="Back"),  # from the sections: back to the review
        S("edit"),
        S("safety"),
        S("in_danger"),
        S("yes"),  # raises "danger": acknowledged before the review comes back
        S("ack"),
        S("finish"),
        S("yes"),
    ]
    run = Run(store, home, settings_for(questionnaire), script)
    result = run.run()
    sections = [
        labels for message, labels in run.prompter.prompts if message == "In which section?"
    ]
    assert sections[0] == ["Safety first (2)", "Documents (3)", "Work (1)", "Employer (3)", "Back"]
    answers = [labels for message, labels in run.prompter.prompts if message == "Which answer?"]
    assert answers[0][:3] == [
        "3. Do you keep your passport? — No",
        "4. When was it taken? — Here",
        "5. When did you arrive? — 2024-01-31",
    ]
    assert store.get_case(result.case_id).acknowledged_flags == {"minor", "danger"}


def test_a_long_question_in_the_change_list_is_wrapped_whole(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [
        *MAIN,
        S("edit"),
        S("employer"),
        S(label="Back"),
        S(label="Back"),
        S("finish"),
        S("yes"),
    ]
    run = Run(store, home, settings_for(questionnaire), script, width=40)
    run.run()
    answers = [labels for message, labels in run.prompter.prompts if message == "Which answer?"]
    hours = answers[0][0]
    assert "\n" in hours  # wider than the terminal: on lines of its own
    assert " ".join(hours.split()) == "7. How many hours a day do you work? — 14"


def test_a_review_taller_than_the_terminal_is_shown_a_screenful_at_a_time(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    script = [*MAIN, S("more"), S("more"), S("finish"), S("yes"), S("more"), S("more")]
    run = Run(store, home, settings_for(questionnaire), script, terminal_height=16)
    run.run()
    prompts = [message for message, _ in run.prompter.prompts]
    review = prompts.index("Next")
    assert prompts[review - 2 : review + 2] == [
        "More below",
        "More below",
        "Next",
        "Finish the interview? Its answers cannot be changed afterwards.",
    ]
    assert prompts[: review - 2].count("More below") == 0  # the questions fit the terminal
    # the summary at the end is paged too, so nothing of it is only in the scrollback
    assert prompts[review + 2 :] == ["More below"] * 2
    summary = run.screen.rsplit("Dimensions", 1)[0].rsplit("Go through the answers", 1)[1]
    assert summary.rindex("URGENT: act first: Possible minor") < summary.rindex("Outcome: Refer")
    shown = run.screen.rsplit("Go through the answers", 1)[1]
    for line in ("1. How old are you? — 16", "9. Your employer's name — ACME Ltd", "Outcome now:"):
        assert line in shown
    assert "Dimensions" in shown


def test_a_review_that_fits_the_terminal_asks_for_nothing_more(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(
        store, home, settings_for(questionnaire), [*MAIN, S("finish"), S("yes")], terminal_height=60
    )
    run.run()
    assert "More below" not in [message for message, _ in run.prompter.prompts]


def test_a_questionnaire_that_opens_with_an_officer_section_brings_its_own_checklist(
    store: SqliteStore, home: Path, tmp_path: Path
) -> None:
    own = tmp_path / "own.yaml"
    own.write_text(
        INTERVIEW_YAML.replace(
            "    title: {en: Safety first, ar: السلامة أولاً}\n",
            "    title: {en: Safety first, ar: السلامة أولاً}\n    officer_only: true\n",
        ),
        encoding="utf-8",
    )
    script = [S(label="Continue"), Stop(KeyboardInterrupt())]
    run = Run(store, home, settings_for(own, language="ar"), script)
    with pytest.raises(Interrupted):
        run.run()
    assert [message for message, _ in run.prompter.prompts] == ["Answer", "Answer"]
    assert "Before the interview" not in run.screen
    # the section is the officer's: its questions are in the officer's language only
    assert "Officer's observation: not asked of the worker." in run.screen
    assert "How old are you?" in run.screen
    assert "كم عمرك؟" not in run.screen


def test_a_referral_that_cannot_be_written_still_shows_the_summary_first(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    """The --out folder vanished during the interview: urgent actions are still shown."""
    out = tmp_path / "gone" / "referral.json"
    out.parent.mkdir()
    run = Run(store, home, settings_for(questionnaire, out=out), [*MAIN, Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    [summary] = store.list_cases()
    finish = Run(
        store, home, InterviewSettings(resume=summary.id, officer="x"), [S("finish"), S("yes")]
    )
    finish.prompter.check = lambda: out.parent.rmdir() if out.parent.exists() else None
    with pytest.raises(ScreeningError, match="does not exist") as caught:
        finish.run()
    assert f"screening cases export {summary.id}" in caught.value.hint
    assert "URGENT" in finish.screen  # the summary, urgent actions first, was drawn
    assert store.get_case(summary.id).referral_json is not None  # and nothing is lost


# -- the referral file: never through a link, never over a file without --force ---------------


def interrupted_case(store: SqliteStore, home: Path, questionnaire: Path, out: Path) -> str:
    """A draft started with ``--out out`` and interrupted at the review; its id."""
    run = Run(store, home, settings_for(questionnaire, out=out), [*MAIN, Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    [summary] = store.list_cases()
    return summary.id


def test_a_link_planted_between_start_and_resume_is_refused_on_resume(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "referral.json"
    out.parent.mkdir()
    case_id = interrupted_case(store, home, questionnaire, out)
    victim = tmp_path / "victim.conf"
    victim.write_text("important\n")
    out.symlink_to(victim)
    resumed = Run(store, home, InterviewSettings(resume=case_id, officer="x"), [])
    with pytest.raises(ScreeningError) as caught:
        resumed.run()
    stored = out.parent.resolve() / out.name
    assert caught.value.message == (
        f"cannot write {stored}: it is a symbolic link, and screening never writes through a link"
    )
    assert caught.value.exit_code == ExitStatus.ERROR
    assert f"`screening interview --resume {case_id} --out FILE`" in caught.value.hint
    assert victim.read_text() == "important\n"
    assert store.get_case(case_id).status is CaseStatus.DRAFT
    # the answers are all there: resumed with another --out, the interview finishes
    other = tmp_path / "out" / "other.json"
    result = Run(
        store,
        home,
        InterviewSettings(resume=case_id, officer="x", out=other),
        [S("finish"), S("yes")],
    ).run()
    assert result.referral_path == other
    assert json.loads(other.read_text(encoding="utf-8"))["case_id"] == case_id
    assert victim.read_text() == "important\n"
    assert out.is_symlink()


def test_a_link_planted_during_the_resumed_interview_is_not_followed(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "referral.json"
    out.parent.mkdir()
    case_id = interrupted_case(store, home, questionnaire, out)
    victim = tmp_path / "victim.conf"
    victim.write_text("important\n")
    finish = Run(
        store, home, InterviewSettings(resume=case_id, officer="x"), [S("finish"), S("yes")]
    )
    finish.prompter.check = lambda: None if out.is_symlink() else out.symlink_to(victim)
    with pytest.raises(ScreeningError, match="is a symbolic link") as caught:
        finish.run()
    assert f"screening cases export {case_id} --out FILE" in caught.value.hint
    assert victim.read_text() == "important\n"
    assert store.get_case(case_id).referral_json is not None  # the referral is kept


def test_an_existing_out_is_refused_before_the_first_question_unless_forced(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "referral.json"
    out.write_text("an earlier referral\n")
    run = Run(store, home, settings_for(questionnaire, out=out), [])
    with pytest.raises(ScreeningError) as caught:
        run.run()
    assert caught.value.message == f"cannot write {out}: the file exists already"
    assert caught.value.hint == "Use --force to replace it, or choose another path."
    assert caught.value.exit_code == ExitStatus.ERROR
    assert store.list_cases() == []
    assert out.read_text() == "an earlier referral\n"
    forced = Run(
        store,
        home,
        settings_for(questionnaire, out=out, force=True),
        [*MAIN, S("finish"), S("yes")],
    )
    result = forced.run()
    assert json.loads(out.read_text(encoding="utf-8"))["case_id"] == result.case_id
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_an_out_file_that_appeared_during_the_interview_is_kept_and_the_referral_too(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "referral.json"
    run = Run(store, home, settings_for(questionnaire, out=out), [*MAIN, S("finish"), S("yes")])
    run.prompter.check = lambda: None if out.exists() else out.write_text("someone else's\n")
    with pytest.raises(ScreeningError) as caught:
        run.run()
    [summary] = store.list_cases()
    assert caught.value.message == f"cannot write {out}: the file exists already"
    assert caught.value.exit_code == ExitStatus.ERROR
    assert caught.value.hint == (
        f"The case {summary.id} is complete and its referral is kept in the case store: "
        f"`screening cases export {summary.id} --out FILE` writes it."
    )
    assert out.read_text() == "someone else's\n"
    case = store.get_case(summary.id)
    assert case.status is CaseStatus.COMPLETE
    assert case.referral_json is not None
    assert "URGENT" in run.screen  # the summary was shown before the write


def test_a_link_as_the_referrals_folder_is_refused_and_the_referral_kept(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = Run(store, home, settings_for(questionnaire), [*MAIN, S("finish"), S("yes")])
    referrals = home / "referrals"
    run.prompter.check = lambda: None if referrals.is_symlink() else referrals.symlink_to(elsewhere)
    with pytest.raises(
        ScreeningError, match=r"the referrals folder .* is a symbolic link"
    ) as caught:
        run.run()
    [summary] = store.list_cases()
    assert f"screening cases export {summary.id} --out FILE" in caught.value.hint
    assert list(elsewhere.iterdir()) == []
    assert store.get_case(summary.id).referral_json is not None


def test_the_default_referral_is_written_0600_in_a_0700_folder(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    result = Run(store, home, settings_for(questionnaire), [*MAIN, S("finish"), S("yes")]).run()
    assert result.referral_path == home / "referrals" / f"{result.case_id}.json"
    assert stat.S_IMODE((home / "referrals").stat().st_mode) == 0o700
    assert stat.S_IMODE(result.referral_path.stat().st_mode) == 0o600


def test_a_folder_on_the_way_replaced_by_a_link_is_refused_on_resume(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "referral.json"
    out.parent.mkdir()
    case_id = interrupted_case(store, home, questionnaire, out)
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    (elsewhere / "referral.json").write_text("important\n")
    out.parent.rmdir()
    out.parent.symlink_to(elsewhere)
    resumed = Run(store, home, InterviewSettings(resume=case_id, officer="x", force=True), [])
    with pytest.raises(ScreeningError, match="now leads elsewhere through a symbolic link"):
        resumed.run()
    assert (elsewhere / "referral.json").read_text() == "important\n"


def test_a_folder_on_the_way_replaced_by_a_link_during_the_resumed_interview_is_refused(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "referral.json"
    out.parent.mkdir()
    case_id = interrupted_case(store, home, questionnaire, out)
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()

    def swap() -> None:
        if not out.parent.is_symlink():
            out.parent.rmdir()
            out.parent.symlink_to(elsewhere)

    finish = Run(
        store, home, InterviewSettings(resume=case_id, officer="x"), [S("finish"), S("yes")]
    )
    finish.prompter.check = swap
    with pytest.raises(ScreeningError, match="now leads elsewhere") as caught:
        finish.run()
    assert f"screening cases export {case_id} --out FILE" in caught.value.hint
    assert list(elsewhere.iterdir()) == []
    assert store.get_case(case_id).referral_json is not None


def test_a_link_planted_as_the_default_referral_file_is_refused(
    store: SqliteStore, home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.conf"
    victim.write_text("important\n")
    run = Run(store, home, settings_for(questionnaire), [*MAIN, S("finish"), S("yes")])

    def plant() -> None:
        case = run.interview.session.case
        if case is None:
            return
        (home / "referrals").mkdir(mode=0o700, exist_ok=True)
        link = home / "referrals" / f"{case.case_id}.json"
        if not link.is_symlink():
            link.symlink_to(victim)

    run.prompter.check = plant
    with pytest.raises(ScreeningError, match="is a symbolic link") as caught:
        run.run()
    [summary] = store.list_cases()
    assert f"screening cases export {summary.id} --out FILE" in caught.value.hint
    assert victim.read_text() == "important\n"
    assert store.get_case(summary.id).referral_json is not None


# -- what the officer reads ------------------------------------------------------------------


def test_a_resumed_follow_up_shows_the_answer_it_follows(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(store, home, settings_for(questionnaire), [*MAIN[:8], Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    [summary] = store.list_cases()
    resumed = Run(
        store,
        home,
        InterviewSettings(resume=summary.id, officer="epc-017"),
        [S("here"), Stop(KeyboardInterrupt())],
    )
    with pytest.raises(Interrupted):
        resumed.run()
    screen = resumed.screen
    assert "Follows: Do you keep your passport? — No" in screen
    assert screen.index("Follows:") < screen.index("When was it taken?")


def test_the_review_says_nothing_is_left_and_joins_answers_with_semicolons(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    run = Run(store, home, settings_for(questionnaire), [*MAIN, S("finish"), S("yes")])
    run.run()
    review = run.screen.rsplit("Review ·", 1)[1]
    assert review.startswith(" 9 answered, none left to ask")
    assert " to go" not in review.splitlines()[0]
    assert "Which of these happened? — Not paid; Locked in" in review


@pytest.mark.parametrize(
    ("language", "ui", "chosen", "shown"),
    [
        ("ar", "en", False, True),
        ("en", "ar", False, True),
        ("ar", "ar", True, False),  # --rtl or SCREENING_RTL given: the officer chose
        ("en", "en", False, False),  # nothing right to left
    ],
)
def test_a_hint_for_rtl_when_a_language_is_right_to_left_and_nothing_was_chosen(
    store: SqliteStore,
    home: Path,
    questionnaire: Path,
    language: str,
    ui: str,
    chosen: bool,
    shown: bool,
) -> None:
    settings = settings_for(questionnaire, language=language, ui_language=ui, rtl_chosen=chosen)
    run = Run(store, home, settings, [Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    flat = " ".join(run.screen.split())
    assert ("--rtl reorder" in flat) is shown
    assert ("SCREENING_RTL=reorder" in flat) is shown
    if shown:  # the sample as stored and as reordered
        assert "مرحبا بكم" in run.screen
        assert display("مرحبا بكم", RtlMode.REORDER, rtl=True) in run.screen


def test_in_arabic_the_review_names_titles_not_ids(
    store: SqliteStore, home: Path, questionnaire: Path
) -> None:
    settings = settings_for(questionnaire, language="ar", ui_language="ar")
    values = {"Continue": "<skip>", "Add a note": "<note>", "Back": "<back>"}
    script = [S(values[step.label]) if step.label else step for step in MAIN]
    run = Run(store, home, settings, [*script, S("finish"), S("yes")])
    run.run()
    review = run.screen.rsplit("المراجعة", 1)[1]
    assert "إكراه" in review  # the dimension's title
    for code in ("coercion", "conditions", "(refer)", "labour_case"):
        assert code not in review


def test_text_from_the_questionnaire_cannot_act_on_the_terminal(
    store: SqliteStore, home: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        INTERVIEW_YAML.replace(
            'text: {en: "How old are you?", ar: "كم عمرك؟"}',
            # escape sequences are refused when the file loads; markup and bidi controls are not
            'text: {en: "How old [/x][link=https://example.org]are[/link] you?\\u202e", ar: "كم عمرك؟"}',
        ),
        encoding="utf-8",
    )
    run = Run(
        store,
        home,
        settings_for(hostile),
        [C(ALL_CHECKED), S(label="Continue"), Stop(KeyboardInterrupt())],
    )
    with pytest.raises(Interrupted):
        run.run()
    assert "How old [/x][link=https://example.org]are[/link] you?<U+202E>" in run.screen
    assert "\x1b" not in run.screen
    assert "\u202e" not in run.screen
