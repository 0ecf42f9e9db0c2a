"""The real `screening interview` in a pseudo-terminal (pexpect): keys in, screens and files out."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pexpect
import pytest

from screening.schemas import referral_schema
from screening.store import CaseStatus, open_store

ROOT = Path(__file__).resolve().parent.parent
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals")
TICK_ALL = " " + "\x1b[B " * 4 + "\r"
"""The five entries of the pre-interview checklist ticked, one by one, then confirmed."""

QUESTIONNAIRE = """\
id: e2e
version: "1"
title: {en: End to end, ar: من البداية إلى النهاية}
languages:
  - {code: en, name: English}
  - {code: ar, name: العربية, direction: rtl}
sections:
  - id: main
    title: {en: Main, ar: الأساس}
    questions:
      - id: age
        type: number
        text: {en: "How old are you?", ar: "كم عمرك؟"}
        validation: {min: 0, max: 120, integer: true}
      - id: in_danger
        type: yes_no
        text: {en: "Are you in danger right now?", ar: "هل أنت في خطر الآن؟"}
      - id: passport
        type: yes_no
        text: {en: "Do you keep your passport?", ar: "هل تحتفظ بجواز سفرك؟"}
dimensions:
  - {id: coercion, title: {en: Coercion, ar: إكراه}}
indicators:
  - {id: documents_taken, title: {en: Documents confiscated, ar: مصادرة الوثائق}, dimension: coercion,
     strength: strong, source: ILO 2009, when: {answer: passport, equals: "no"}}
flags:
  - {id: danger, title: {en: Immediate danger, ar: خطر فوري}, when: {answer: in_danger, equals: "yes"},
     action: {en: "Call the police hotline 999.", ar: "اتصل بالشرطة على 999."}}
outcomes:
  - {code: monitor, title: {en: Monitor, ar: متابعة}, when: {indicators: {at_least: 1}},
     action: {en: Follow up., ar: تابع الحالة.}, category: labour_case}
  - {code: none, title: {en: No indicators, ar: لا مؤشرات}, action: {en: No referral., ar: لا إحالة.},
     category: none}
"""


@pytest.fixture
def questionnaire(tmp_path: Path) -> Path:
    path = tmp_path / "e2e.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "SCREENING_HOME": str(home),
        "NO_COLOR": "1",
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # no terminal answers cursor position requests here
    }
    env.pop("SCREENING_RTL", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "screening", "interview", *args],
        cwd=str(ROOT),
        env=env,
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=20,
    )


def answer(child: pexpect.spawn, question: str, keys: str) -> None:
    """Wait for a question and its prompt, then type."""
    child.expect_exact(question)
    child.expect_exact("Answer")
    child.send(keys)


def finish(child: pexpect.spawn) -> Path:
    """Finish at the review; return the referral's path."""
    child.expect_exact("Finish and write the referral")
    child.send("\r")
    child.expect_exact("Finish the interview?")
    child.send("1\r")
    child.expect(r"Referral written to (\S+\.json)")
    path = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return path


def checked(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(referral_schema()).validate(document)
    return document


@POSIX_ONLY
def test_a_whole_interview_in_a_terminal(home: Path, questionnaire: Path) -> None:
    child = spawn(home, "--questionnaire", str(questionnaire), "--officer", "e2e-1", "--lang", "en")
    child.expect_exact("Confirm")
    child.send(TICK_ALL)  # tick every item of the checklist
    answer(child, "How old are you?", "abc\r")
    child.expect_exact("Enter a whole number (at least 0, at most 120).")
    child.send("\x15" + "34\r")
    answer(child, "Are you in danger right now?", "1\r")
    child.expect_exact("URGENT: Immediate danger")
    child.expect_exact("Call the police hotline 999.")
    child.expect_exact("Acknowledge")
    child.send("\r")
    answer(child, "Do you keep your passport?", "<")  # back
    answer(child, "Are you in danger right now?", "\r")  # the answer given is the default
    answer(child, "Do you keep your passport?", "2\r")
    path = finish(child)

    assert path == home / "referrals" / f"{path.stem}.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    document = checked(path)
    assert document["officer"] == "e2e-1"
    assert [(a["question_id"], a["value"]) for a in document["answers"]] == [
        ("age", 34),
        ("in_danger", "yes"),
        ("passport", "no"),
    ]
    assert document["recommendation"]["outcome"] == "monitor"
    with open_store(home) as store:
        case = store.get_case(str(document["case_id"]))
    assert case.status is CaseStatus.COMPLETE
    assert case.acknowledged_flags == {"danger"}


@POSIX_ONLY
def test_ctrl_c_exits_130_and_resume_finishes(
    home: Path, questionnaire: Path, tmp_path: Path
) -> None:
    out = tmp_path / "referral.json"
    child = spawn(
        home, "-q", str(questionnaire), "--officer", "e2e-2", "--lang", "en", "--out", str(out)
    )
    child.expect_exact("Confirm")
    child.send(TICK_ALL)
    answer(child, "How old are you?", "41\r")
    answer(child, "Are you in danger right now?", "\x03")  # Ctrl-C
    child.expect(r"interview paused: 1 answer saved in case (C-[0-9A-Z-]+)")
    case_id = child.match.group(1)
    child.expect_exact(f"Resume with: screening interview --resume {case_id}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    with open_store(home) as store:
        assert store.get_case(case_id).answers == {"age": 41}

    # the resume command as printed, with only the officer added
    child = spawn(home, "--resume", case_id, "--officer", "e2e-2")
    answer(child, "Are you in danger right now?", "2\r")
    answer(child, "Do you keep your passport?", "1\r")
    assert finish(child) == out
    document = checked(out)
    assert document["case_id"] == case_id
    assert [a["question_id"] for a in document["answers"]] == ["age", "in_danger", "passport"]


@POSIX_ONLY
def test_ctrl_c_keeps_the_text_being_typed_and_resume_offers_it_again(
    home: Path, questionnaire: Path
) -> None:
    child = spawn(home, "-q", str(questionnaire), "--officer", "e2e-3", "--lang", "en")
    child.expect_exact("Confirm")
    child.send(TICK_ALL)
    answer(child, "How old are you?", "3")  # typed, not entered
    child.send("\x03")  # Ctrl-C
    child.expect(r"interview paused: 0 answers saved in case (C-[0-9A-Z-]+)")
    case_id = child.match.group(1)
    child.expect_exact("The text being typed was kept")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    with open_store(home) as store:
        case = store.get_case(case_id)
    assert case.answers == {}  # kept, but never an answer until it is entered
    assert case.meta["typed_draft"] == {"question": "age", "text": "3"}

    child = spawn(home, "--resume", case_id, "--officer", "e2e-3")
    answer(child, "How old are you?", "4\r")  # the field holds "3" again: 34
    answer(child, "Are you in danger right now?", "2\r")
    answer(child, "Do you keep your passport?", "1\r")
    document = checked(finish(child))
    assert [(a["question_id"], a["value"]) for a in document["answers"]] == [
        ("age", 34),
        ("in_danger", "no"),
        ("passport", "yes"),
    ]
    with open_store(home) as store:
        assert store.get_case(case_id).meta.get("typed_draft") is None


@POSIX_ONLY
def test_end_of_input_at_a_list_exits_130(home: Path, questionnaire: Path) -> None:
    child = spawn(home, "-q", str(questionnaire), "--officer", "e2e-3", "--lang", "en")
    child.expect_exact("Confirm")
    child.send("\x04")  # Ctrl-D
    child.expect(r"Resume with: screening interview --resume C-")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_without_a_terminal_it_points_to_score(home: Path, questionnaire: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "screening", "interview", "-q", str(questionnaire)],
        cwd=ROOT,
        env={**os.environ, "SCREENING_HOME": str(home)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        r"screening: error: the interview needs a terminal; .*`screening score FILE`", lines[0]
    )
    assert not home.exists()  # nothing was opened


@POSIX_ONLY
# seeds chosen so the kill falls before, between and after every answer, with and without
# an answer in flight
@pytest.mark.parametrize("seed", [1, 15, 3, 28, 4, 5, 11])
def test_kill_9_at_a_random_point_loses_no_answer_given(
    home: Path, questionnaire: Path, seed: int
) -> None:
    """Every answer whose next screen appeared is in the store after SIGKILL; resume finishes."""
    import random
    import signal

    rng = random.Random(seed)  # noqa: S311  # reproducible kill points, not secrets
    script = [
        ("How old are you?", "age", f"{rng.randint(18, 60)}\r"),
        ("Are you in danger right now?", "in_danger", "2\r"),
        ("Do you keep your passport?", "passport", "2\r"),
    ]
    kill_after = rng.randint(0, len(script))  # how many answers are given before the kill
    child = spawn(home, "-q", str(questionnaire), "--officer", "e2e-kill", "--lang", "en")
    child.expect(r"Case (C-[0-9A-Z-]+) opened")
    case_id = child.match.group(1)
    child.expect_exact("Confirm")
    child.send(TICK_ALL)
    saved: list[str] = []
    if kill_after:
        child.expect_exact(script[0][0])
    for index, (_question, qid, keys) in enumerate(script[:kill_after]):
        child.expect_exact("Answer")
        child.send(keys)
        following = (
            script[index + 1][0] if index + 1 < len(script) else "Finish and write the referral"
        )
        child.expect_exact(following)  # the next screen is up: the answer was committed before it
        saved.append(qid)
    if rng.random() < 0.5 and kill_after < len(script):
        child.send(script[kill_after][2])  # an answer in flight when the process dies
    child.kill(signal.SIGKILL)
    child.close(force=True)

    with open_store(home) as store:
        stored = store.get_case(case_id)
    assert set(saved) <= set(stored.answers)
    assert stored.status is CaseStatus.DRAFT

    child = spawn(home, "--resume", case_id, "--officer", "e2e-kill")
    pending = [(question, keys) for question, qid, keys in script if qid not in stored.answers]
    if pending:
        if child.expect_exact(["Confirm", pending[0][0]]) == 0:
            child.send(TICK_ALL)  # killed before the checklist was confirmed: it is asked again
            child.expect_exact(pending[0][0])
        child.expect_exact("Answer")
        child.send(pending[0][1])
    for question, keys in pending[1:]:
        answer(child, question, keys)
    document = checked(finish(child))
    assert [a["question_id"] for a in document["answers"]] == ["age", "in_danger", "passport"]
    for qid in saved:
        value = next(a["value"] for a in document["answers"] if a["question_id"] == qid)
        assert value == stored.answers[qid]


LONG_LIST = QUESTIONNAIRE.replace(
    """      - id: passport
        type: yes_no
        text: {en: "Do you keep your passport?", ar: "هل تحتفظ بجواز سفرك؟"}
""",
    """      - id: passport
        type: yes_no
        text: {en: "Do you keep your passport?", ar: "هل تحتفظ بجواز سفرك؟"}
      - id: sector
        type: single_choice
        text: {en: "In which kind of work were you employed when you came here?", ar: "في أي عمل كنت تعمل؟"}
        choices:
"""
    + "".join(
        f"          - {{value: s{i}, label: {{en: Sector number {i}, ar: قطاع {i}}}}}\n"
        for i in range(1, 23)
    ),
)


class Screen:
    """What a terminal of a given size shows of the program's output (a pyte emulator)."""

    def __init__(self, child: pexpect.spawn, rows: int, columns: int) -> None:
        import pyte

        self.child = child
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        self.raw = ""  # everything the program wrote, as written

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, *texts: str) -> str:
        """Read output until every text is on the screen at once (bounded by pexpect's timeout)."""
        while not all(text in self.text for text in texts):
            read = self.child.read_nonblocking(65536, timeout=self.child.timeout)
            self.raw += read
            self.stream.feed(read)
        return self.text

    @property
    def last_screen(self) -> str:
        """What was written since the screen was last cleared (logical text, as written:
        pyte keeps only the first letter of a cluster of some Indic scripts)."""
        return self.raw.rsplit("\x1b[2J", 1)[-1]

    def resize(self, rows: int, columns: int) -> None:
        self.screen.resize(rows, columns)
        self.child.setwinsize(rows, columns)


@POSIX_ONLY
def test_at_80x24_the_header_and_question_stay_above_the_longest_list(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(LONG_LIST, encoding="utf-8")
    child = spawn(home, "-q", str(path), "--officer", "e2e-5", "--lang", "en")
    child.setwinsize(24, 80)
    screen = Screen(child, 24, 80)
    screen.wait_for("Confirm")
    child.send(TICK_ALL)
    screen.wait_for("How old are you?", "Answer")
    child.send("34\r")
    screen.wait_for("Are you in danger right now?", "Answer")
    child.send("1\r")
    screen.wait_for("Acknowledge")
    child.send("\r")
    screen.wait_for("Do you keep your passport?", "Answer")
    child.send("1\r")
    question = "In which kind of work were you employed when you came here?"
    shown = screen.wait_for(question, "Sector number 1", "Urgent: Immediate danger")
    # the case line, the urgent banner and the question are all on the screen with the list
    assert shown.splitlines()[0].startswith("Case C-")
    assert "Sector number 22" not in shown  # the list scrolls inside the rows left
    child.send("l")  # the shortcut of the 22nd entry: the pointer goes there, scrolled into sight
    shown = screen.wait_for("» l) Sector number 22")
    for text in (question, "Urgent: Immediate danger", "Case C-"):
        assert text in shown

    # a smaller terminal: everything is drawn again to fit it, the pointer where it was
    screen.resize(20, 60)
    shown = screen.wait_for("Urgent: Immediate danger", "» l) Sector number 22", "? Answer")
    assert "In which kind of work" in shown
    assert shown.splitlines()[0].startswith("Case C-")
    child.send("\r")
    shown = screen.wait_for("Go through the answers")  # the review: the answer was saved
    child.send("\x03")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    with open_store(home) as store:
        (summary,) = store.list_cases()
        assert store.get_case(summary.id).answers["sector"] == "s22"


@POSIX_ONLY
def test_at_80x24_a_long_text_is_shortened_under_the_header_and_shown_whole_on_a_key(
    home: Path,
) -> None:
    from screening.api import load_questionnaire
    from screening.bidi import RtlMode, display_lines
    from screening.model import text_for

    q = load_questionnaire().questionnaire
    script = q.question("consent_script")
    assert script is not None
    hindi = text_for(script.text, "hi", "en", "female")
    first = display_lines(hindi, 77, RtlMode.OFF, rtl=False)[0]
    english = text_for(script.text, "en", "en", "female")
    assert english != hindi

    child = spawn(home, "--officer", "e2e-6", "--lang", "hi")
    child.setwinsize(24, 80)
    screen = Screen(child, 24, 80)
    for question in (
        "Who else can see or hear the interview?",
        "Who is interpreting?",
        "How does the person describe their gender?",
        "Was the person offered an interviewer of the same gender?",
        "Have the person's basic needs been met",
    ):
        screen.wait_for(question, "? Answer", "1)")
        child.send("1\r")
    shown = screen.wait_for("= show it whole", "1) Continue", "5 answered")
    # the case line, the draft mark and the text read to the person at once, over the prompt
    lines = shown.splitlines()
    assert lines[0].startswith("Case C-")
    assert "⚠ Draft translation" in shown
    below = lines.index("─" * 80) + 1
    assert lines[below].startswith("  " + first[0])  # the first line of the Hindi text
    assert first in screen.last_screen  # written whole on the screen after the header
    assert "I work for the centre" not in screen.last_screen  # the English beneath gave way

    child.send("=")  # the whole text, the guidance too, a screenful at a time
    shown = screen.wait_for("I work for the centre", "Show more")
    assert first in screen.last_screen
    assert "Case C-" not in shown
    child.send("\r")
    shown = screen.wait_for(
        "referral, support, data sharing", "Back to the question", "1) Continue"
    )
    child.send("\r")  # back to the prompt, the screen as it was
    shown = screen.wait_for("= show it whole", "? Answer", "1) Continue")
    assert shown.splitlines()[0].startswith("Case C-")
    assert "Back to the question" not in shown
    child.send("\x03")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


@POSIX_ONLY
def test_at_80x24_a_long_urgent_block_is_cut_under_the_header_and_shown_whole_on_a_key(
    home: Path, tmp_path: Path
) -> None:
    steps = " ".join(f"Step {i} of the plan." for i in range(1, 80))
    path = tmp_path / "long-flag.yaml"
    path.write_text(
        QUESTIONNAIRE.replace(
            'action: {en: "Call the police hotline 999.", ar: "اتصل بالشرطة على 999."}',
            f'action: {{en: "Call the police hotline 999. {steps} ENDPLAN.", ar: "اتصل بالشرطة على 999."}}',
        ),
        encoding="utf-8",
    )
    child = spawn(home, "-q", str(path), "--officer", "e2e-7", "--lang", "en")
    child.setwinsize(24, 80)
    screen = Screen(child, 24, 80)
    screen.wait_for("Confirm")
    child.send(TICK_ALL)
    screen.wait_for("How old are you?", "Answer")
    child.send("34\r")
    screen.wait_for("Are you in danger right now?", "Answer")
    child.send("1\r")
    shown = screen.wait_for("Acknowledge", "= shows it whole")
    lines = shown.splitlines()
    assert lines[0].startswith("Case C-")
    assert "Urgent: Immediate danger" in shown
    assert "Call the police hotline 999." in shown
    assert "ENDPLAN." not in shown
    child.send("=")  # the whole block, a screenful at a time
    screen.wait_for("Call the police hotline 999.", "Show more")
    child.send("\r")
    shown = screen.wait_for("ENDPLAN.", "Back to the question")
    child.send("\r")
    shown = screen.wait_for("Acknowledge", "= shows it whole")  # not yet acknowledged
    assert shown.splitlines()[0].startswith("Case C-")
    child.send("\r")
    screen.wait_for("Do you keep your passport?", "Answer")
    child.send("\x03")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
