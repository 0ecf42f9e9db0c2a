"""The prompt layer: real questionary prompts fed through prompt_toolkit's pipe input.

Each question type is asked with :func:`screening.ui.interview.ask_question` over a
:class:`~screening.ui.prompts.QuestionaryPrompter` reading keys from ``create_pipe_input()`` and
drawing on a ``DummyOutput`` (one that keeps what was written, to find the messages).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from drawn_keys import KeysOutput
from prompt_toolkit.input import create_pipe_input  # noqa: TID251 - the test feeds the prompts keys
from prompt_toolkit.input.base import PipeInput  # noqa: TID251 - the test feeds the prompts keys
from rich.console import Console  # noqa: TID251 - the screens are drawn on a console of the test
from test_engine import load

from screening.bidi import RtlMode
from screening.model import Question, Questionnaire
from screening.ui.interview import Action, Answer, Reply, ask_question
from screening.ui.prompts import Option, QuestionaryPrompter
from screening.ui.view import View

DOWN = "\x1b[B"
ENTER = "\r"
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_U = "\x15"  # clears the line typed so far


RecordingOutput = KeysOutput


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load()


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


@pytest.fixture
def output(keys: PipeInput) -> RecordingOutput:
    return RecordingOutput(keys)


def view_for(q: Questionnaire, language: str = "en", officer: str = "en") -> View:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    return View(
        console, questionnaire=q, language=language, officer_language=officer, mode=RtlMode.OFF
    )


def ask(
    q: Questionnaire,
    keys: PipeInput,
    output: RecordingOutput,
    question_id: str,
    typed: str | list[str],
    *,
    current: Any = None,
    language: str = "en",
) -> Reply:
    """Ask a question; ``typed`` is pressed once the prompt is drawn (a list: one chunk for
    each time the prompt is drawn, as after a refusal)."""
    question: Question | None = q.question(question_id)
    assert question is not None
    output.type(*([typed] if isinstance(typed, str) else typed))
    prompter = QuestionaryPrompter(input=keys, output=output)
    return ask_question(prompter, view_for(q, language), question, current=current)


# -- select lists ------------------------------------------------------------------------------


def test_yes_no_is_a_select_list_with_special_answers_last(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "in_danger", "2" + ENTER) == Answer("no")
    listed = output.text
    for label in ("Yes", "No", "Don't know", "Declined to answer", "Add a note", "Back"):
        assert label in listed
    assert (
        listed.index("No")
        < listed.index("Don't know")
        < listed.index("Declined")
        < listed.index("Back")
    )


def test_select_by_arrows_and_specials(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "in_danger", DOWN + DOWN + ENTER) == Answer("dont_know")
    assert ask(q, keys, output, "in_danger", "4" + ENTER) == Answer("declined")


def test_the_current_answer_is_the_default(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "in_danger", ENTER, current="no") == Answer("no")
    assert ask(q, keys, output, "in_danger", ENTER, current="declined") == Answer("declined")


def test_single_choice(q: Questionnaire, keys: PipeInput, output: RecordingOutput) -> None:
    assert ask(q, keys, output, "passport_taken", "2" + ENTER) == Answer("here")
    assert "Before travel" in output.text


def test_choices_show_the_officer_language_beneath_the_interview_language(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "passport_taken", "1" + ENTER, language="ar") == Answer(
        "before_travel"
    )
    assert "قبل السفر  (Before travel)" in output.text
    assert "لا أعرف  (Don't know)" in output.text


@pytest.mark.parametrize(
    ("typed", "action"),
    [
        ("<", Action.BACK),
        ("+", Action.NOTE),
        ("6" + ENTER, Action.BACK),
        ("5" + ENTER, Action.NOTE),
    ],
)
def test_back_and_note_from_a_list(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput, typed: str, action: Action
) -> None:
    assert ask(q, keys, output, "in_danger", typed) is action


def test_a_note_question_continues_or_goes_back(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "welcome", ENTER) is Action.SKIP
    assert ask(q, keys, output, "welcome", "<") is Action.BACK


# -- checkbox lists ------------------------------------------------------------------------------


def test_multiple_choice_is_a_checkbox_list(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "problems", " " + DOWN + " " + ENTER) == Answer(
        ["unpaid", "locked"]
    )
    assert ask(q, keys, output, "problems", ENTER) == Answer([])  # none of these
    assert ask(q, keys, output, "problems", ENTER, current=["locked"]) == Answer(["locked"])


def test_checkbox_specials_and_actions(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "problems", DOWN * 2 + " " + ENTER) == Answer("dont_know")
    assert ask(q, keys, output, "problems", "<") is Action.BACK
    assert ask(q, keys, output, "problems", DOWN * 5 + " " + ENTER) is Action.BACK
    assert ask(q, keys, output, "problems", "+") is Action.NOTE


def test_checkbox_refuses_an_answer_mixed_with_a_special_one(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    # "Not paid" and "Don't know" together: refused, asked again as ticked; untick "Don't know"
    typed = [" " + DOWN * 2 + " " + ENTER, DOWN * 2 + " " + ENTER]
    assert ask(q, keys, output, "problems", typed) == Answer(["unpaid"])
    assert "Tick answers, or one of the other entries on its own." in output.text


# -- typed answers ---------------------------------------------------------------------------


def test_number_with_its_validation_message(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    typed = ["abc" + ENTER, CTRL_U + "200" + ENTER, CTRL_U + "30" + ENTER]
    assert ask(q, keys, output, "age", typed) == Answer(30)
    assert "Enter a whole number (at least 0, at most 120)." in output.text
    assert output.text.count("Enter a whole number") >= 2  # shown for each refusal


def test_validation_message_in_the_officers_language(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    output.type("abc" + ENTER, CTRL_U + "30" + ENTER)
    question = q.question("age")
    assert question is not None
    prompter = QuestionaryPrompter(input=keys, output=output)
    assert ask_question(prompter, view_for(q, "ar", "ar"), question) == Answer(30)
    assert "أدخل عددًا صحيحًا (لا يقل عن 0، لا يزيد على 120)." in output.text


def test_a_questionnaires_own_message_wins(keys: PipeInput, output: RecordingOutput) -> None:
    from test_engine import INTERVIEW_YAML

    own = load(
        INTERVIEW_YAML.replace(
            "validation: {min: 0, max: 120, integer: true}",
            "validation: {min: 0, max: 120, integer: true, message: {en: Age in years, ar: العمر بالسنوات}}",
        )
    )
    assert ask(own, keys, output, "age", ["x" + ENTER, CTRL_U + "40" + ENTER]) == Answer(40)
    assert "Age in years" in output.text


def test_arabic_digits_and_question_mark(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "age", "٣٥" + ENTER) == Answer(35)
    assert ask(q, keys, output, "age", "\u061f" + ENTER) == Answer("dont_know")


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("<", Action.BACK),
        ("+", Action.NOTE),
        ("?", Answer("dont_know")),
        ("-", Answer("declined")),
        (" 41 ", Answer(41)),
    ],
)
def test_typed_keys(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput, typed: str, reply: Reply
) -> None:
    assert ask(q, keys, output, "age", typed + ENTER) == reply


def test_date(q: Questionnaire, keys: PipeInput, output: RecordingOutput) -> None:
    typed = ["31/01/2024" + ENTER, CTRL_U + "2999-01-01" + ENTER, CTRL_U + "2024-01-31" + ENTER]
    assert ask(q, keys, output, "arrived", typed) == Answer("2024-01-31")
    assert "Enter a date as YYYY-MM-DD" in output.text
    assert "not in the future" in output.text


def test_text_optional_and_required(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "name", "ACME Ltd" + ENTER) == Answer("ACME Ltd")
    assert ask(q, keys, output, "name", ENTER) is Action.SKIP  # not required
    # the current answer is in the field; Enter keeps it
    assert ask(q, keys, output, "name", ENTER, current="ACME Ltd") == Answer("ACME Ltd")
    # required: an empty line is refused
    assert ask(q, keys, output, "age", [ENTER, "30" + ENTER]) == Answer(30)
    assert "An answer is needed." in output.text


def test_emptying_an_optional_answer_clears_it(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "name", CTRL_U + ENTER, current="ACME Ltd") is Action.CLEAR
    assert ask(q, keys, output, "name", CTRL_U + "  " + ENTER, current="ACME Ltd") is Action.CLEAR


def test_an_optional_choice_already_answered_offers_to_clear_it(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    from test_engine import INTERVIEW_YAML

    optional = load(
        INTERVIEW_YAML.replace(
            "      - id: problems\n        type: multiple_choice\n",
            "      - id: problems\n        type: multiple_choice\n        required: false\n",
        ).replace(
            "      - id: passport_taken\n        type: single_choice\n",
            "      - id: passport_taken\n        type: single_choice\n        required: false\n",
        )
    )
    # unanswered: skip is offered, not clear
    assert ask(optional, keys, output, "passport_taken", "2" + ENTER) == Answer("here")
    assert "Skip (not required)" in output.text
    assert "Clear the answer" not in output.text
    # answered: clear is offered, not skip (entries: 2 choices, 2 specials, note, clear, back)
    output.text = ""
    assert (
        ask(optional, keys, output, "passport_taken", "6" + ENTER, current="here") is Action.CLEAR
    )
    assert "Clear the answer (not required)" in output.text
    assert "Skip" not in output.text
    # a checkbox list: the answer unticked, "Clear the answer" ticked alone
    assert (
        ask(optional, keys, output, "problems", " " + DOWN * 5 + " " + ENTER, current=["unpaid"])
        is Action.CLEAR
    )
    # the required question keeps its answer: nothing to clear
    output.text = ""
    ask(q, keys, output, "passport_taken", ENTER, current="here")
    assert "Clear the answer" not in output.text


def test_a_special_answer_the_question_does_not_offer_is_refused(
    keys: PipeInput, output: RecordingOutput
) -> None:
    from test_engine import INTERVIEW_YAML

    strict = load(
        INTERVIEW_YAML.replace("validation: {min: 0, max: 120, integer: true}", "allow: []")
    )
    assert ask(strict, keys, output, "age", ["?" + ENTER, CTRL_U + "30" + ENTER]) == Answer(30)
    assert "This question does not offer that answer." in output.text
    assert "? don't know" not in output.text


# -- Ctrl-C and the end of input ---------------------------------------------------------------


@pytest.mark.parametrize("question_id", ["in_danger", "problems", "age", "welcome"])
def test_ctrl_c_raises_keyboard_interrupt_at_every_kind_of_prompt(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput, question_id: str
) -> None:
    with pytest.raises(KeyboardInterrupt):
        ask(q, keys, output, question_id, CTRL_C)


@pytest.mark.parametrize("question_id", ["in_danger", "problems", "age"])
def test_ctrl_d_ends_the_input_at_every_kind_of_prompt(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput, question_id: str
) -> None:
    with pytest.raises(EOFError):
        ask(q, keys, output, question_id, CTRL_D)


def test_prompts_never_return_none(keys: PipeInput, output: RecordingOutput) -> None:
    prompter = QuestionaryPrompter(input=keys, output=output)
    output.type("x" + ENTER)
    assert prompter.text("Officer ID") == "x"
    output.type(ENTER)
    assert (
        prompter.select(
            "Language", [Option("en", "English"), Option("ar", "العربية")], default="ar"
        )
        == "ar"
    )
    output.type(ENTER)
    assert prompter.checkbox("Confirm", [Option("a", "A")]) == []


def test_a_question_the_officer_answers_alone_lists_the_officers_language_only(
    keys: PipeInput, output: RecordingOutput
) -> None:
    from test_engine import INTERVIEW_YAML

    own = load(
        INTERVIEW_YAML.replace(
            "      - id: passport_taken\n        type: single_choice\n",
            "      - id: passport_taken\n        type: single_choice\n        officer_only: true\n",
        )
    )
    assert ask(own, keys, output, "passport_taken", "1" + ENTER, language="ar") == Answer(
        "before_travel"
    )
    assert "Before travel" in output.text
    assert "Don't know" in output.text
    assert "قبل السفر" not in output.text
    assert "لا أعرف" not in output.text


LONG = {
    "en": "The employer, sponsor or agent, or someone working for them",
    "ar": "صاحب العمل أو الكفيل أو الوكيل، أو من يعمل لديهم",
}


@pytest.mark.parametrize("mode", [RtlMode.OFF, RtlMode.REORDER])
def test_long_entries_are_wrapped_before_they_are_reordered(
    q: Questionnaire, mode: RtlMode
) -> None:
    from screening.bidi import cell_width, display, display_lines

    console = Console(file=io.StringIO(), width=48, color_system=None)
    view = View(console, questionnaire=q, language="ar", officer_language="en", mode=mode)
    short = view.label({"en": "Yes", "ar": "نعم"})
    if mode is RtlMode.REORDER:  # read from the right: the person's words next to the number
        assert short == "(Yes)  " + display("نعم", mode)
    else:
        assert short == display("نعم", mode) + "  (Yes)"
    lines = view.label(LONG).split("\n")
    assert len(lines) > 2
    assert all(cell_width(line) <= 48 for line in lines)
    assert all(line.startswith(" " * 6) for line in lines[1:])
    # each line is cut from the logical text first, then put in display order on its own
    assert lines[0] == display_lines(LONG["ar"], 40, mode, rtl=True)[0].lstrip()
    assert lines[-1].strip().endswith("them)")


# -- Esc then Enter, and keys pressed before a prompt is drawn ------------------------------

ESC_ENTER = "\x1b\r"

ACCOUNT_YAML = """\
id: account
version: "1"
title: {en: Account}
languages: [{code: en, name: English}]
sections:
  - id: main
    title: {en: Main}
    questions:
      - id: account
        type: text
        multiline: true
        text: {en: "Tell me what happened."}
dimensions: [{id: d, title: {en: D}}]
indicators:
  - {id: i, title: {en: I}, dimension: d, strength: weak, source: test, when: {answer: account, equals: "x"}}
outcomes: [{code: none, title: {en: None}, action: {en: No referral.}, category: none}]
"""


@pytest.mark.parametrize(
    ("question_id", "reply"),
    [
        ("in_danger", Answer("yes")),  # yes/no: Enter on the entry pointed at
        ("passport_taken", Answer("before_travel")),  # single choice
        ("problems", Answer([])),  # checkbox: Enter with nothing ticked, "none of these"
        ("welcome", Action.SKIP),  # a note: continue
        ("name", Action.SKIP),  # optional text: accepted empty
    ],
)
def test_esc_then_enter_on_a_list_or_a_line_acts_as_enter(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput, question_id: str, reply: Reply
) -> None:
    assert ask(q, keys, output, question_id, ESC_ENTER) == reply


@pytest.mark.parametrize("question_id", ["age", "arrived"])
def test_esc_then_enter_on_a_required_typed_field_asks_again(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput, question_id: str
) -> None:
    typed = "30" if question_id == "age" else "2024-01-31"
    reply = ask(q, keys, output, question_id, [ESC_ENTER, typed + ENTER])
    assert reply == Answer(30 if question_id == "age" else "2024-01-31")
    assert "An answer is needed." in output.text


def test_esc_then_enter_finishes_a_long_text(keys: PipeInput, output: RecordingOutput) -> None:
    account = load(ACCOUNT_YAML)
    reply = ask(
        account, keys, output, "account", "Paid late." + ENTER + "Then not at all." + ESC_ENTER
    )
    assert reply == Answer("Paid late.\nThen not at all.")


def test_esc_then_enter_on_the_officer_language_and_review_prompts(
    keys: PipeInput, output: RecordingOutput
) -> None:
    prompter = QuestionaryPrompter(input=keys, output=output)
    # the officer id: refused empty, asked again
    output.type(ESC_ENTER, "epc-1" + ENTER)
    assert (
        prompter.text("Officer ID", validate=lambda t: None if t.strip() else "Enter your id.")
        == "epc-1"
    )
    output.type(ESC_ENTER)
    language = [Option("en", "English"), Option("ar", "العربية")]
    assert prompter.select("Language", language, default="ar") == "ar"
    review = [Option("finish", "Finish"), Option("edit", "Change"), Option("<back>", "Back", 1)]
    output.type(ESC_ENTER)
    assert prompter.select("Next", review, default="finish", keys={"<": "<back>"}) == "finish"
    checklist = [Option("needs", "Needs"), Option("private", "Private")]
    output.type(ESC_ENTER)
    assert prompter.checkbox("Confirm", checklist) == []


def test_a_and_i_tick_nothing_in_a_checkbox_list(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "problems", "ai" + ENTER) == Answer([])


def test_keys_typed_ahead_never_answer_the_next_question(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    # "2 Enter Enter": the second Enter was pressed before the next question was drawn
    assert ask(q, keys, output, "in_danger", "2" + ENTER + ENTER) == Answer("no")
    assert "Keys pressed before this question appeared were ignored" not in output.text
    assert ask(q, keys, output, "passport_taken", "2" + ENTER) == Answer("here")
    assert (
        "Keys pressed before this question appeared were ignored: press them again." in output.text
    )


def test_a_paste_into_a_typed_field_keeps_its_first_line(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "age", "16\n2\n") == Answer(16)
    output.text = ""
    assert ask(q, keys, output, "in_danger", "2" + ENTER) == Answer("no")
    assert "were ignored" in output.text


def test_ctrl_c_typed_ahead_still_stops(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "in_danger", "1" + ENTER + CTRL_C) == Answer("yes")
    with pytest.raises(KeyboardInterrupt):
        ask(q, keys, output, "passport_taken", "1" + ENTER)


def test_back_at_once_in_an_empty_typed_field(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    assert ask(q, keys, output, "age", "<") is Action.BACK
    # inside a text, "<" is a character like any other
    assert ask(q, keys, output, "name", "a<b" + ENTER) == Answer("a<b")


def test_a_long_list_gets_the_rows_left_and_scrolls(keys: PipeInput) -> None:
    from screening.ui.prompts import PromptScreen

    output = RecordingOutput(keys, rows=12)
    screen = PromptScreen(rows_above=5)
    prompter = QuestionaryPrompter(input=keys, output=output, screen=screen)
    options = [Option(f"v{i}", f"Entry number {i}") for i in range(1, 21)]
    output.type("\x1b[A" + ENTER)  # up from the first entry: the last one
    assert prompter.select("Answer", options) == "v20"
    # 12 rows, 5 above, the prompt's line and a free row: 5 rows for the list, never 20
    assert "Entry number 1" in output.text
    assert "Entry number 9" not in output.text.split("Entry number 20")[0]


def test_a_bracketed_paste_into_a_one_line_field_keeps_its_first_line(
    q: Questionnaire, keys: PipeInput, output: RecordingOutput
) -> None:
    paste = "\x1b[200~16\n2\n\x1b[201~"
    assert ask(q, keys, output, "age", paste + ENTER) == Answer(16)
    account = load(ACCOUNT_YAML)
    # a long text takes the whole paste
    assert ask(account, keys, output, "account", paste + ESC_ENTER) == Answer("16\n2")


# -- lists laid out from the right ---------------------------------------------------------


def _terminal(pipe: PipeInput, chunks: list[str]) -> Any:
    """A prompt_toolkit output that draws on a pyte screen of 80x24. Once a prompt is drawn,
    each drawing sends the next chunk of keys (the screen as it was before kept in
    ``lines``); after the last chunk, Ctrl-D once."""
    import pyte
    from prompt_toolkit.data_structures import Size  # noqa: TID251 - the test draws the prompts
    from prompt_toolkit.output.vt100 import Vt100_Output  # noqa: TID251 - the test draws the prompts

    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)

    class Output(Vt100_Output):
        started = ended = False
        lines: tuple[str, ...] = ()

        def enable_bracketed_paste(self) -> None:
            super().enable_bracketed_paste()
            self.started = True

        def flush(self) -> None:
            stream.feed("".join(self._buffer))
            self._buffer = []
            if self.started and not self.ended:
                self.lines = tuple(line.rstrip() for line in screen.display)
                if chunks:
                    pipe.send_text(chunks.pop(0))
                else:
                    self.ended = True
                    pipe.send_text(CTRL_D)

    return Output(io.StringIO(), lambda: Size(rows=24, columns=80), enable_cpr=False)


def _mirrored_list(chunks: list[str], ask: Any) -> tuple[Any, tuple[str, ...]]:
    """What ``ask(prompter)`` returns on a screen laid out from the right (``EOFError``
    when the keys do not end it), and the screen before the last keys."""
    from screening.ui.prompts import PromptScreen

    with create_pipe_input() as pipe:
        output = _terminal(pipe, chunks)
        prompter = QuestionaryPrompter(input=pipe, output=output, screen=PromptScreen(rtl=True))
        try:
            result = ask(prompter)
        except EOFError as ended:
            result = ended
        return result, output.lines


ENTRIES = [Option("a", "alpha"), Option("b", "beta entry"), Option("dk", "gamma", group=1)]


def _entries(lines: tuple[str, ...]) -> list[str]:
    return [line for line in lines if line.strip() and not line.startswith("?")]


def test_a_right_to_left_list_has_its_numbers_and_pointer_on_the_right() -> None:
    result, lines = _mirrored_list([DOWN], lambda p: p.select("Answer", ENTRIES))
    assert isinstance(result, EOFError)
    # each entry aligned right, its number after it, the pointer (pointing left) at its right
    assert _entries(lines) == [
        " " * (80 - len("alpha (1") - 3) + "alpha (1",
        " " * (80 - len("beta entry (2 «") - 1) + "beta entry (2 «",
        " " * (80 - len("gamma (3") - 3) + "gamma (3",
    ]
    # the keys are those of a list drawn from the left: a number, then Enter; the arrows
    assert _mirrored_list(["2" + ENTER], lambda p: p.select("Answer", ENTRIES))[0] == "b"
    chosen, _ = _mirrored_list([DOWN + DOWN + ENTER], lambda p: p.select("Answer", ENTRIES))
    assert chosen == "dk"


def test_a_right_to_left_tick_list_has_its_marks_and_pointer_on_the_right() -> None:
    ticked = ["dk"]
    result, lines = _mirrored_list(
        [" ", DOWN], lambda p: p.checkbox("Answer", ENTRIES, checked=ticked)
    )
    assert isinstance(result, EOFError)
    entries = _entries(lines)
    assert [line.lstrip() for line in entries] == ["alpha ●", "beta entry ○ «", "gamma ●"]
    assert [len(line) for line in entries] == [77, 79, 77]  # the pointer's cells, then one free
    chosen, _ = _mirrored_list([" " + DOWN + " " + ENTER], lambda p: p.checkbox("Answer", ENTRIES))
    assert chosen == ["a", "b"]


def test_an_entry_of_several_lines_ends_each_line_under_its_text() -> None:
    options = [Option("a", "first line of it\n    and its second"), Option("b", "beta")]
    _, lines = _mirrored_list([], lambda p: p.select("Answer", options))
    first, second, third = _entries(lines)
    assert first.endswith("first line of it (1 «")
    assert second.endswith("and its second")
    assert len(second) == len(first) - len(" (1 «")
    assert third.endswith("beta (2")


def test_a_list_drawn_from_the_left_keeps_its_numbers_on_the_left() -> None:
    with create_pipe_input() as pipe:
        output = _terminal(pipe, [])
        prompter = QuestionaryPrompter(input=pipe, output=output)
        with pytest.raises(EOFError):
            prompter.select("Answer", ENTRIES)
        assert _entries(output.lines) == [" » 1) alpha", "   2) beta entry", "   3) gamma"]


@pytest.mark.parametrize(
    ("question_id", "mode", "officer", "rtl"),
    [
        ("passport", RtlMode.REORDER, "en", True),  # the person's Arabic first
        ("room", RtlMode.REORDER, "en", False),  # the officer's English alone
        ("room", RtlMode.REORDER, "ar", True),
        ("passport", RtlMode.OFF, "ar", False),  # the terminal lays it out
    ],
)
def test_a_question_list_is_laid_out_in_the_direction_of_its_first_text(
    question_id: str, mode: RtlMode, officer: str, rtl: bool
) -> None:
    from screening.ui.prompts import PromptScreen

    class Recording:
        def __init__(self) -> None:
            self.screen = PromptScreen()
            self.seen: list[bool] = []

        def select(self, message: str, options: Any, **_: Any) -> str:
            self.seen.append(self.screen.rtl)
            return "yes"

    from conftest import SMALL

    room = """      - id: room
        type: yes_no
        officer_only: true
        text: {en: "Is the room private?", ar: "هل الغرفة خاصة؟"}
      - id: passport
"""
    q = load(SMALL.replace("      - id: passport\n", room, 1))
    console = Console(file=io.StringIO(), width=80, color_system=None)
    view = View(console, questionnaire=q, language="ar", officer_language=officer, mode=mode)
    prompter = Recording()
    question = q.question(question_id)
    assert question is not None
    assert ask_question(prompter, view, question) == Answer("yes")  # type: ignore[arg-type]
    assert prompter.seen == [rtl]
    assert prompter.screen.rtl is False  # as it was for the prompts that follow


def test_prompts_count_cells_as_terminals_draw_the_workers_scripts() -> None:
    """prompt_toolkit's own measure gives Indic vowel signs no cell; the prompter's gives one,
    as tmux and VTE draw them, so a redrawn list stays in step with the terminal."""
    from prompt_toolkit.layout.screen import Char  # noqa: TID251 - what the prompter changes
    from prompt_toolkit.utils import get_cwidth  # noqa: TID251 - as above

    from screening.textwidth import width
    from screening.ui.prompts import QuestionaryPrompter, measure_as_terminals_draw

    QuestionaryPrompter()
    measure_as_terminals_draw()  # once is enough: a second call changes nothing
    for text in ("हिन्दी", "ഇല്ല", "ஆம்", "হ্যাঁ", "ඔව්", "abc", "日本"):
        assert get_cwidth(text) == width(text), text
    assert Char("ा").width == 1  # the vowel sign of का: its own cell, not merged into क's
