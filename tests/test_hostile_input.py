"""Hostile input: a seeded corpus through the CLI, and one test for each defect it once found.

Hangs are bounded by subprocess timeouts, never by timed assertions: the corpus runs in a child
process that reports each case as it starts and ends, and a case that does not end within
``HANG_SECONDS`` fails the test with its name.
"""

from __future__ import annotations

import json
import math
import os
import selectors
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SMALL, write

from screening.checks import check
from screening.errors import QuestionnaireError
from screening.loader import parse_document, parse_yaml
from screening.model import Questionnaire
from screening.questionnaires import load_path

HERE = Path(__file__).resolve().parent
SEED = 20261129
HANG_SECONDS = 2.0
START_SECONDS = 120.0  # importing the program and building the corpus, on a loaded machine


# ----------------------------------------------------------------------------- the corpus


def _reports(process: subprocess.Popen[bytes]) -> Iterator[dict[str, Any]]:
    """The child's JSON lines; a silence longer than the bound ends it and fails the test."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    buffer = b""
    started: dict[str, Any] = {}
    while True:
        while b"\n" not in buffer:
            bound = START_SECONDS if not started else HANG_SECONDS
            if not selector.select(bound):
                process.kill()
                pytest.fail(
                    f"case {started.get('start', '(start-up)')} did not end within {bound} s: a hang"
                )
            chunk = os.read(process.stdout.fileno(), 1 << 16)
            if not chunk:
                return
            buffer += chunk
        line, buffer = buffer.split(b"\n", 1)
        report = json.loads(line)
        if "ready" in report or "start" in report:
            started = report
        yield report


def _problems(result: dict[str, Any]) -> list[str]:
    both = result["out"] + result["err"]
    problems = []
    if result["code"] == -1 or "Traceback" in both or "internal error" in both:
        problems.append("crashed")
    allowed = {"error": {1}, "any": {0, 1}, "usage": {2}}[result["expect"]]
    if result["code"] not in allowed:
        problems.append(f"exit {result['code']}, expected {sorted(allowed)}")
    if "\x1b" in both:
        problems.append("an escape character reached the terminal")
    if result["code"] == 1:
        target = result["names"] or (result["files"][0] if result["files"] else "")
        if target and target not in both:
            problems.append(f"the message does not name {target}")
    if result["scored"] is not None:
        referrals = [line for line in result["out"].splitlines() if line.startswith("{")]
        if len(referrals) != result["scored"]:
            problems.append(f"{len(referrals)} referral(s) written, expected {result['scored']}")
    return problems


def test_hostile_corpus_fails_cleanly(tmp_path: Path) -> None:
    """Hundreds of hostile questionnaires, answers files, scenarios and case-store inputs:
    no traceback, no internal error, no hang, no escape sequence from the input on the terminal,
    exit 1 with a message that names the input (or 2 for a bad option), and the good records of
    a batch still scored."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "hostile.py"), str(SEED), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        reports = list(_reports(process))
    finally:
        process.kill()
        process.wait()
    results = [r for r in reports if "code" in r]
    [ready] = [r for r in reports if "ready" in r]
    assert len(results) == ready["ready"] >= 300
    failures = [f"{r['case']} {r['name']}: {'; '.join(p)}" for r in results if (p := _problems(r))]
    assert failures == []


# ----------------------------------------------------------------------------- numbers


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, "q.yaml", text)
    with pytest.raises(QuestionnaireError) as info:
        load_path(path, display="q.yaml")
    return [str(p) for p in info.value.problems]


def edit(old: str, new: str) -> str:
    assert old in SMALL, old
    return SMALL.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if needle in line)


def test_an_integer_too_large_for_a_float_is_refused_by_name(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    huge = "1" + "0" * 400
    for name, text in (
        ("a.yaml", f"answers: {{age: {huge}}}\n"),
        ("a.json", f'{{"answers": {{"age": {huge}}}}}'),
    ):
        run = cli("score", str(write(tmp_path, name, text)), "-q", str(small))
        assert run.code == 1
        assert (
            f"{tmp_path / name}: 'age' is out of range: numbers lie between -10^15 and 10^15"
            in run.err
        )
        assert "internal error" not in run.err


def test_numbers_just_inside_the_bound_are_answers(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules = SMALL.replace(
        "validation: {min: 0, max: 120, integer: true}", "validation: {integer: true}"
    )
    questionnaire = write(tmp_path, "q.yaml", rules)
    run = cli(
        "score",
        str(write(tmp_path, "a.json", '{"answers": {"age": 1000000000000000}}')),
        "-q",
        str(questionnaire),
    )
    assert run.code == 0, run.err
    assert json.loads(run.out)["answers"][0]["value"] == 10**15
    run = cli(
        "score",
        str(write(tmp_path, "b.json", '{"answers": {"age": 1000000000000001}}')),
        "-q",
        str(questionnaire),
    )
    assert run.code == 1
    assert "'age' is out of range" in run.err


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ('{"answers": {"age": 1e400}}', "'age' must be a finite number, not infinity or NaN"),
        ('{"answers": {"age": -1e999}}', "'age' must be a finite number, not infinity or NaN"),
        ('{"answers": {"age": NaN}}', "NaN is not a JSON number; give a number or dont_know"),
        ('{"answers": {"hours": 1%s}}' % ("0" * 5000), "a number with too many digits"),
    ],
)
def test_numbers_json_cannot_hold_are_refused(
    cli, small: Path, tmp_path: Path, record: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", str(write(tmp_path, "a.json", record)), "-q", str(small))
    assert run.code == 1
    assert f"a.json: {message}" in run.err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "max: 120",
            "max: .nan",
            "'max': must be a finite number; NaN and infinity have no meaning here",
        ),
        (
            "min: 0",
            "min: -.inf",
            "'min': must be a finite number; NaN and infinity have no meaning here",
        ),
        (
            "gt: 12",
            "gt: .nan",
            "'gt': must be a finite number; NaN and infinity have no meaning here",
        ),
        ("lt: 18", "lt: 1" + "0" * 400, "'lt': out of range: numbers lie between -10^15 and 10^15"),
        (
            "gt: 12",
            "gt: 1.0e+400",
            "'gt': must be a finite number; NaN and infinity have no meaning here",
        ),
        (
            "max: 120",
            "max: 0x78",
            "'max': expected a number written in decimal digits (such as 12 or 2.5)",
        ),
        (
            "max: 120",
            "max: 1:0:0",
            "'max': expected a number written in decimal digits (such as 12 or 2.5)",
        ),
        (
            "max: 120",
            "max: 0120",
            "'max': expected a number written in decimal digits (such as 12 or 2.5)",
        ),
        (
            "gt: 12",
            "equals: .nan",
            "'equals': must be a finite number; NaN and infinity have no meaning here",
        ),
        (
            "gt: 12",
            "one_of: [1, 99999999999999999]",
            "'one_of': out of range: numbers lie between -10^15 and 10^15",
        ),
        (
            "at_least: 1}",
            "at_least: 10000000000000000}",
            "'at_least': out of range: numbers lie between -10^15 and 10^15",
        ),
        (
            "at_least: 1}",
            "at_least: 01}",
            "'at_least': expected a number written in decimal digits (such as 12 or 2.5)",
        ),
    ],
)
def test_meaningless_numbers_in_a_questionnaire_are_located(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = edit(old, new)
    column = text.splitlines()[line_of(text, new) - 1].index(new.split(":")[0]) + 1
    problems = problems_of(tmp_path, text)
    assert [p.split(":", 3)[3].strip() for p in problems] == [message]
    [problem] = problems
    assert problem.startswith(f"q.yaml:{line_of(text, new)}:")
    assert int(problem.split(":")[2]) >= column


def test_yaml_integers_are_decimal_only() -> None:
    doc = parse_document(
        b"a: 12\nb: -3\nc: 0\nd: 017\ne: 0x1F\nf: 0o17\ng: 0b101\nh: 1_000\ni: 1:30\nj: 2.5\nk: 1.5e3\nl: .inf\n",
        "x.yaml",
    )
    assert doc.data == {
        "a": 12,
        "b": -3,
        "c": 0,
        "d": "017",
        "e": "0x1F",
        "f": "0o17",
        "g": "0b101",
        "h": "1_000",
        "i": "1:30",
        "j": 2.5,
        "k": 1500.0,
        "l": math.inf,
    }


def test_a_long_sexagesimal_number_is_text_at_once(small: Path, tmp_path: Path) -> None:
    # YAML 1.1 multiplies by 60 once per field, time quadratic in the length: about 3 minutes
    # for these 2 MB; bounded by the timeout
    answers = write(tmp_path, "a.yaml", "answers: {age: 1%s}\n" % (":0" * 1_000_000))
    run = subprocess.run(
        [sys.executable, "-m", "screening", "score", str(answers), "-q", str(small)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert f"{answers}: 'age' is a number question; found text" in run.stderr


# ----------------------------------------------------------------------------- JSON depth, surrogates


def test_json_nested_deeper_than_python_can_recurse_is_one_bad_record(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    deep = '{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}"
    good = json.dumps({"case_id": "after", "answers": {"age": 30}})
    batch = write(tmp_path, "b.jsonl", f"{good}\n{deep}\n{good}\n")
    run = cli("score", str(batch), "-q", str(small))
    assert run.code == 1
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["after", "after"]
    assert f"screening: error: {batch}:2: the data is nested more than 100 levels deep" in run.err
    document = write(tmp_path, "d.json", deep)
    run = cli("score", str(document), "-q", str(small))
    assert run.code == 1
    assert f"{document}: the data is nested more than 100 levels deep" in run.err


def test_json_just_over_the_depth_bound_is_refused_and_just_under_is_read(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    def record(depth: int) -> str:  # the record itself is level 1, its notes level 2
        return '{"notes": {"name": ' + "[" * (depth - 2) + "]" * (depth - 2) + "}}"

    run = cli("score", str(write(tmp_path, "ok.json", record(100))), "-q", str(small))
    assert "nested more than" not in run.err  # refused for its shape (not text), not its depth
    assert "'notes' must map question ids to lists of text" in run.err
    run = cli("score", str(write(tmp_path, "deep.json", record(101))), "-q", str(small))
    assert "the data is nested more than 100 levels deep" in run.err


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"answers": {"name": "Ma\ud800ria"}},
            "'name' is not valid text (it holds a lone surrogate",
        ),
        (
            {"notes": {"name": ["\udfff"]}},
            "a note on 'name' is not valid text (it holds a lone surrogate",
        ),
        ({"case_id": "c\ud83d"}, "'case_id' is not valid text (it holds a lone surrogate)"),
        ({"answers": {"na\udc00me": "x"}}, "a question id in 'answers' is not valid text"),
    ],
)
def test_a_lone_surrogate_is_invalid_text_and_the_batch_goes_on(
    cli, small: Path, tmp_path: Path, record: dict[str, Any], message: str
) -> None:  # type: ignore[no-untyped-def]
    good = json.dumps({"case_id": "good"})
    batch = write(tmp_path, "b.jsonl", f"{json.dumps(record)}\n{good}\n")  # ASCII: "\ud800" escapes
    run = cli("score", str(batch), "-q", str(small))
    assert run.code == 1
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["good"]
    assert f"screening: error: {batch}:1: {message}" in run.err


def test_a_lone_surrogate_in_a_questionnaire_is_located(tmp_path: Path) -> None:
    text = edit("title: {en: Small, ar: صغير}", 'title: {en: "Sm\\ud800all", ar: صغير}')
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"q.yaml:{line_of(text, 'Sm')}:")


def test_notes_refuse_the_control_characters_text_answers_refuse(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bad = write(tmp_path, "a.json", json.dumps({"notes": {"name": ["fine", "red \x1b[31m"]}}))
    run = cli("score", str(bad), "-q", str(small))
    assert run.code == 1
    assert f"{bad}: a note on 'name' contains control characters; give plain text" in run.err
    lines = write(tmp_path, "b.json", json.dumps({"notes": {"name": ["two\nlines\twith a tab"]}}))
    run = cli("score", str(lines), "-q", str(small))
    assert run.code == 0, run.err
    assert json.loads(run.out)["other_notes"] == [
        {"question_id": "name", "notes": ["two\nlines\twith a tab"]}
    ]


# ----------------------------------------------------------------------------- patterns


def with_pattern(pattern: str) -> str:
    quoted = pattern.replace("'", "''")
    return SMALL.replace(
        "        pii: true\n",
        f"        pii: true\n        validation: {{pattern: '{quoted}'}}\n",
        1,
    )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("a{4294967296}", "a repetition count in {m,n} is over 1,000"),
        ("[0-9]{2,1001}", "a repetition count in {m,n} is over 1,000"),
        ("(?P<x>a)(?P=x)", "invalid perl operator: (?P"),  # no back-references
        ("(?=a)a", "invalid perl operator: (?="),
        ("(", "missing ): ("),
    ],
)
def test_a_pattern_that_cannot_be_used_is_located(
    tmp_path: Path, pattern: str, message: str
) -> None:
    text = with_pattern(pattern)
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"q.yaml:{line_of(text, 'pattern:')}:")
    assert "pattern cannot be used: " in problem
    assert message in problem


def test_braces_that_are_no_repetition_are_not_counted(tmp_path: Path) -> None:
    for pattern in ("\\{5000\\}", "[{]5000}", "\\p{Greek}+", "x{1000}"):
        load_path(write(tmp_path, "q.yaml", with_pattern(pattern)))


def test_a_backtracking_pattern_is_matched_in_linear_time(small: Path, tmp_path: Path) -> None:
    questionnaire = write(tmp_path, "q.yaml", with_pattern("(a+)+$"))
    batch = tmp_path / "b.jsonl"
    batch.write_text(
        "\n".join(
            json.dumps({"case_id": str(n), "answers": {"name": "a" * n + "!"}})
            for n in (30, 40, 5000)
        )
        + "\n"
        + json.dumps({"case_id": "ok", "answers": {"name": "aaaa"}})
        + "\n"
    )
    run = subprocess.run(  # Python's re would take hours (2^40 steps): bounded by the timeout
        [sys.executable, "-m", "screening", "score", str(batch), "-q", str(questionnaire)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert [json.loads(line)["case_id"] for line in run.stdout.splitlines()] == ["ok"]
    assert run.stderr.count("'name' does not have the expected form") == 3


# ----------------------------------------------------------------------------- conditions


def test_empty_one_of_and_dimension_rules_are_refused_where_written(tmp_path: Path) -> None:
    text = edit("when: {answer: hours, gt: 12}", "when: {answer: hours, one_of: []}")
    text = text.replace("dimensions:\n", "dimension_rule: []\ndimensions:\n", 1)
    text = text.replace("phase: destination}", "phase: destination, rule: []}", 1)
    problems = problems_of(tmp_path, text)
    assert any(
        p.startswith(f"q.yaml:{line_of(text, 'one_of: []')}:")
        and "`one_of: []` lists no value" in p
        for p in problems
    )
    assert any(
        p.startswith(f"q.yaml:{line_of(text, 'dimension_rule: []')}:17:")
        and "`dimension_rule: []` has no combination" in p
        for p in problems
    )
    assert any(
        p.startswith(f"q.yaml:{line_of(text, 'rule: []}')}:")
        and "dimension 'coercion' has `rule: []`" in p
        for p in problems
    )


def wide(width: int, key: str = "any") -> str:
    items = ", ".join(f"{{answer: hours, gt: {i}}}" for i in range(width))
    return f"{{{key}: [{items}]}}"


def test_a_condition_too_wide_is_refused_at_its_list(tmp_path: Path) -> None:
    load_path(write(tmp_path, "ok.yaml", edit("{answer: hours, gt: 12}", wide(500))))
    text = edit("{answer: hours, gt: 12}", wide(501, "all"))
    column = text.splitlines()[line_of(text, "all: [") - 1].index("[") + 1
    assert problems_of(tmp_path, text) == [
        f"q.yaml:{line_of(text, 'all: [')}:{column}: this `all` list holds 501 entries; the limit is 500: "
        "split the condition up (for example into several indicators)"
    ]


def test_a_condition_too_large_is_refused_once(tmp_path: Path) -> None:
    four = "{{any: [{}]}}".format(
        ", ".join([wide(450)] * 5)
    )  # 5 x 451 + 1 conditions, none too wide
    [problem] = problems_of(tmp_path, edit("{answer: hours, gt: 12}", four))
    assert "this condition holds 2,256 conditions in all; the limit is 2,000" in problem


def test_a_large_file_without_aliases_is_not_told_to_remove_them() -> None:
    text = "items:\n" + "".join(f"  - {i}\n" for i in range(2_000))
    with pytest.raises(QuestionnaireError) as info:
        parse_yaml(text, "big.yaml", max_nodes=1_000)
    message = info.value.problems[0].message
    assert (
        message
        == "the file holds too many values (over 1,000); split it or leave out what is not needed"
    )
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"
    with pytest.raises(QuestionnaireError) as info:
        parse_yaml(bomb, "bomb.yaml", max_nodes=300)
    assert "remove the nested aliases" in info.value.problems[0].message


def test_a_control_character_in_yaml_is_located(tmp_path: Path) -> None:
    text = edit("title: {en: Work, ar: العمل}", "title: {en: Wo\x1brk, ar: العمل}")
    assert problems_of(tmp_path, text) == [
        f"q.yaml:{line_of(text, 'Wo')}:19: the character U+001B is not allowed in YAML "
        "(control characters are not allowed); remove it"
    ]
    # after Arabic letters the column still counts characters, not bytes
    text = edit("title: {en: Work, ar: العمل}", "title: {en: Work, ar: الع\x1bمل}")
    assert problems_of(tmp_path, text)[0].startswith(f"q.yaml:{line_of(text, 'Work')}:30:")


def test_a_control_character_written_as_an_escape_is_located(tmp_path: Path) -> None:
    text = edit("title: {en: Work, ar: العمل}", 'title: {en: "Wo\\e[2Jrk", ar: العمل}')
    assert problems_of(tmp_path, text) == [
        f"q.yaml:{line_of(text, 'Wo')}:17: the text holds the control character U+001B (written as "
        "an escape); control characters other than tab and line feed are not allowed"
    ]


def test_a_case_id_is_plain_text_in_the_table(
    cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "a.json", json.dumps({"case_id": "[/bold]x[red]", "answers": {"age": 30}}))
    monkeypatch.chdir(tmp_path)  # a short label, so that the title is not cut to the width
    run = cli("score", "a.json", "-q", str(small), "--format", "table")
    assert run.code == 0, run.err
    assert "[/bold]x[red]" in run.out  # stored text, never markup
    # A case id with control characters is refused, as answers and notes are.
    write(
        tmp_path, "b.json", json.dumps({"case_id": "[/bold]x\x1b[2J[red]", "answers": {"age": 30}})
    )
    refused = cli("score", "b.json", "-q", str(small), "--format", "table")
    assert refused.code == 1
    assert "b.json: 'case_id' contains control characters" in refused.err
    assert "\x1b" not in refused.out + refused.err


def test_an_id_from_a_file_reaches_the_terminal_without_its_escapes(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    answers = write(tmp_path, "a.json", json.dumps({"answers": {"age\x1b]0;title\x07": 30}}))
    run = cli("score", str(answers), "-q", str(small))
    assert run.code == 1
    assert "unknown question 'age␛]0;title␇'" in run.err
    assert "\x1b" not in run.err


# ----------------------------------------------------------------------------- checks stay linear


def _questionnaire(n: int) -> Questionnaire:
    """n questions, dimensions, indicators; half the questions ask only when a dimension is
    positive or a count is reached, and the indicators form one long chain: the shapes whose
    checks once cost time quadratic in n, or recursion n deep (the benchmark's own shape)."""
    from benchmarks.checks import shape

    return Questionnaire.model_validate(shape(n))


def _calls(q: Questionnaire) -> tuple[int, list[Any]]:
    """How many Python calls (and generator steps) the checks make, and their findings."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    q.questions()  # the model's own index is built outside the count
    sys.setprofile(profile)
    try:
        findings = check(q)
    finally:
        sys.setprofile(None)
    return count, findings


def test_the_checks_grow_linearly_with_the_questionnaire() -> None:
    small_calls, small_findings = _calls(_questionnaire(400))
    large_calls, large_findings = _calls(_questionnaire(1_600))
    assert small_findings == large_findings == []
    # four times the questionnaire: about four times the work (sixteen if quadratic)
    assert large_calls < 5 * small_calls, (small_calls, large_calls)


def test_every_indicator_that_counts_itself_is_a_cycle(tmp_path: Path) -> None:
    # the counts are shared steps of the search: passing one once must not hide the second
    text = edit(
        "when: {answer: hours, gt: 12}",
        "when: {all: [{answer: hours, gt: 12}, {indicators: {at_least: 2}}]}",
    )
    text = text.replace(
        "when: {answer: problems, contains: unpaid}",
        "when: {all: [{answer: problems, contains: unpaid}, {indicators: {at_least: 1}}]}",
    )
    cycles = [p.split(": ", 1)[1] for p in problems_of(tmp_path, text) if "circular" in p]
    assert sorted(cycles) == [
        "circular conditions: indicator:long_hours -> indicator:long_hours",
        "circular conditions: indicator:unpaid -> indicator:unpaid",
    ]


def test_a_chain_of_references_thousands_long_needs_no_deep_recursion() -> None:
    # 1,500 indicators each referring to the one before: once a RecursionError (a crash)
    assert check(_questionnaire(3_000)) == []


# ----------------------------------------------------------------------------- output


def test_a_full_disk_on_stdout_is_one_line_and_exit_1(small: Path, tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    answers = write(tmp_path, "a.yaml", "answers: {age: 30}\n")
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "screening", "score", str(answers), "-q", str(small)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "screening: error: cannot write the output: No space left on device; check the disk, "
        "or write the output elsewhere"
    ]


def test_a_reader_that_stops_early_ends_the_run_quietly(small: Path, tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text("".join(json.dumps({"case_id": str(i)}) + "\n" for i in range(3_000)))
    process = subprocess.Popen(
        [sys.executable, "-m", "screening", "score", str(batch), "-q", str(small)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()  # as `| head -1` does, then the pipe is closed
    process.stdout.close()
    try:
        err = process.stderr.read()
        code = process.wait(timeout=60)
    finally:
        process.kill()
    assert json.loads(first)["case_id"] == "0"
    assert code == 1
    assert err == b""


def test_a_full_disk_in_process_is_the_same_line(
    cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import errno

    class Full:
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def flush(self) -> None:
            pass

    answers = write(tmp_path, "a.yaml", "answers: {age: 30}\n")
    monkeypatch.setattr(sys, "stdout", Full())
    run = cli("score", str(answers), "-q", str(small))
    assert run.code == 1
    assert "screening: error: cannot write the output: No space left on device" in run.err
    assert "internal error" not in run.err
