"""Loading and checking questionnaires: every error is located at its line, hostile files fail fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import SMALL, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import QuestionnaireError
from screening.loader import parse_document
from screening.questionnaires import load_path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """Load ``text`` as a questionnaire and return its problems as ``name:line:col: message``."""
    path = write(tmp_path, "q.yaml", text)
    with pytest.raises(QuestionnaireError) as info:
        load_path(path, display="q.yaml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]


def edit(old: str, new: str, count: int = 1) -> str:
    assert old in SMALL, old
    return SMALL.replace(old, new, count)


def test_small_questionnaire_is_valid(small: Path) -> None:
    loaded = load_path(small)
    assert loaded.questionnaire.id == "small"
    assert len(loaded.sha256) == 64
    assert [q for q in loaded.questionnaire.questions()] == [
        "age",
        "name",
        "passport",
        "passport_when",
        "hours",
        "problems",
    ]


def test_yes_and_no_stay_strings_and_norway_is_not_false(tmp_path: Path) -> None:
    doc = parse_document(b"a: yes\nb: no\nc: NO\nd: on\ne: true\nf: 2024-01-01\n", "x.yaml")
    assert doc.data == {"a": "yes", "b": "no", "c": "NO", "d": "on", "e": True, "f": "2024-01-01"}


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    text = edit("title: {en: Work, ar: العمل}", "title: {en: Work, ar: العمل")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith("q.yaml:")
    assert "YAML syntax error" in problem


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    text = edit("    source: ILO 2009\n", "    sorce: ILO 2009\n")
    [problem] = problems_of(tmp_path, text)
    line = line_of(text, "sorce:")
    assert problem.startswith(f"q.yaml:{line}:5: unknown key 'sorce'; did you mean 'source'?")


def test_wrong_type_is_located_at_the_value(tmp_path: Path) -> None:
    text = edit("validation: {min: 0,", "validation: {min: zero,")
    [problem] = problems_of(tmp_path, text)
    line = line_of(text, "min: zero")
    assert problem.startswith(
        f"q.yaml:{line}:27: 'min': expected a number written in decimal digits"
    )


def test_text_of_the_wrong_type_says_what_text_is(tmp_path: Path) -> None:
    text = edit('text: {en: "Your name", ar: "اسمك"}', "text: 42")
    [problem] = problems_of(tmp_path, text)
    assert f":{line_of(text, 'text: 42')}:" in problem
    assert "'text' must be text or a map of language code to text" in problem


def test_unknown_question_type(tmp_path: Path) -> None:
    text = edit("type: yes_no", "type: yesno")
    [problem] = problems_of(tmp_path, text)
    assert f"q.yaml:{line_of(text, 'id: passport')}:" in problem
    assert "unknown type 'yesno'" in problem


def test_missing_required_key(tmp_path: Path) -> None:
    text = edit("    category: labour_case\n", "")
    [problem] = problems_of(tmp_path, text)
    assert "missing required key 'category'" in problem
    assert f":{line_of(text, 'code: labour')}:" in problem


def test_duplicate_mapping_key_is_an_error(tmp_path: Path) -> None:
    text = edit("        pii: true\n", "        pii: true\n        pii: false\n")
    [problem] = problems_of(tmp_path, text)
    line = line_of(text, "pii: false")
    assert problem == (
        f"q.yaml:{line}:9: duplicate key 'pii' (first at line {line - 1}); keep one of them"
    )


def test_duplicate_question_id(tmp_path: Path) -> None:
    text = edit("      - id: hours\n", "      - id: age\n")
    problems = problems_of(tmp_path, text)
    line = line_of(text, "- id: age", 2)
    assert f"q.yaml:{line}:13: duplicate question 'age'; question ids must be unique" in problems


def test_unknown_question_in_a_condition(tmp_path: Path) -> None:
    text = edit("when: {answer: hours, gt: 12}", "when: {answer: hour, gt: 12}")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"q.yaml:{line_of(text, 'answer: hour,')}:")
    assert "unknown question 'hour'" in problem


def test_unknown_choice_value(tmp_path: Path) -> None:
    text = edit(
        "when: {answer: passport_when, equals: destination}",
        "when: {answer: passport_when, equals: home}",
    )
    problems = problems_of(tmp_path, text)
    line = line_of(text, "equals: home")
    assert any(
        p.startswith(f"q.yaml:{line}:")
        and "'home' is not a possible answer of 'passport_when'" in p
        for p in problems
    )


def test_unknown_indicator_dimension_and_flag(tmp_path: Path) -> None:
    text = edit(
        "when: {indicators: {at_least: 1}}",
        "when: {any: [{indicator: nothing}, {dimension: nowhere}, {flag: never}]}",
    )
    problems = problems_of(tmp_path, text)
    line = line_of(text, "indicator: nothing")
    assert [p.split(": ", 1)[1] for p in problems] == [
        "unknown indicator 'nothing'",
        "unknown dimension 'nowhere'",
        "unknown flag 'never'",
    ]
    assert all(p.startswith(f"q.yaml:{line}:") for p in problems)


def test_indicator_with_an_unknown_dimension(tmp_path: Path) -> None:
    text = edit(
        "    dimension: conditions\n    strength: medium",
        "    dimension: condition\n    strength: medium",
    )
    problems = problems_of(tmp_path, text)
    line = text.splitlines().index("    dimension: condition") + 1
    assert f"q.yaml:{line}:16: unknown dimension 'condition'" in problems


def test_when_on_itself(tmp_path: Path) -> None:
    text = edit(
        "when: {answer: passport, equals: no}", "when: {answer: passport_when, equals: recruitment}"
    )
    problems = problems_of(tmp_path, text)
    line = line_of(text, "when: {answer: passport_when")
    assert (
        f"q.yaml:{line}:24: question 'passport_when' depends on itself; a condition may only use "
        "answers given before it"
    ) in problems


def test_when_on_a_later_question(tmp_path: Path) -> None:
    text = edit(
        '        type: number\n        text: {en: "How old',
        '        type: number\n        when: {answer: hours, gt: 1}\n        text: {en: "How old',
    )
    problems = problems_of(tmp_path, text)
    line = line_of(text, "when: {answer: hours, gt: 1}")
    assert any(
        p.startswith(f"q.yaml:{line}:") and "depends on the later question 'hours'" in p
        for p in problems
    )


def test_comparison_that_can_never_be_true(tmp_path: Path) -> None:
    text = edit("when: {answer: age, lt: 18}", "when: {answer: age, lt: 0}")
    [problem] = problems_of(tmp_path, text)
    assert problem == (
        f"q.yaml:{line_of(text, 'lt: 0')}:29: 'age' lt 0 can never be true: answers are at least 0"
    )


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("{answer: passport, equals: maybe}", "'maybe' is not a possible answer of 'passport'"),
        (
            "{answer: passport, equals: true}",
            "True is a boolean; yes_no answers are compared with 'yes' or 'no'",
        ),
        ("{answer: name, gt: 3}", "'gt' compares numbers, but 'name' is a text question"),
        ("{answer: passport, contains: x}", "'contains' is for multiple choice and text questions"),
        (
            "{answer: problems, equals: unpaid}",
            "'equals' cannot test a multiple choice answer; use 'contains'",
        ),
        ("{answer: age, equals: old}", "'age' is a number question; compare it with a number"),
    ],
)
def test_type_mismatches(tmp_path: Path, condition: str, message: str) -> None:
    text = edit("when: {answer: age, lt: 18}", f"when: {condition}")
    problems = problems_of(tmp_path, text)
    assert any(message in p for p in problems), problems


def test_indicator_no_answer_can_trigger(tmp_path: Path) -> None:
    text = edit(
        "when: {answer: hours, gt: 12}",
        "when: {all: [{answer: passport, equals: yes}, {answer: passport, equals: no}]}",
    )
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"q.yaml:{line_of(text, 'equals: yes}, {answer: passport')}:")
    assert "no set of answers can trigger indicator 'long_hours'" in problem


def test_indicator_on_a_special_answer(tmp_path: Path) -> None:
    text = edit("when: {answer: hours, gt: 12}", "when: {answer: hours, is: dont_know}")
    problems = problems_of(tmp_path, text)
    assert any("never trigger an indicator" in p for p in problems)


@pytest.mark.parametrize(
    "negation",
    [
        "{not: {answer: hours, is: answered}}",
        "{not: {indicator: unpaid}}",
        "{all: [{answer: hours, gt: 1}, {not: {dimension: coercion}}]}",
    ],
)
def test_indicator_negating_a_state_or_a_fact(tmp_path: Path, negation: str) -> None:
    """`not` over `is:` or derived facts would observe an indicator with no answer behind it."""
    text = edit("when: {answer: hours, gt: 12}", f"when: {negation}")
    problems = problems_of(tmp_path, text)
    assert any("uses `not` over something other than value tests" in p for p in problems), problems


def test_indicator_negating_a_value_test_is_fine(tmp_path: Path) -> None:
    text = edit(
        "when: {answer: hours, gt: 12}",
        "when: {all: [{answer: hours, gt: 12}, {not: {answer: age, lt: 18}}]}",
    )
    write(tmp_path, "ok.yaml", text)
    assert load_path(tmp_path / "ok.yaml").questionnaire.indicator("long_hours") is not None


def test_indicator_without_condition(tmp_path: Path) -> None:
    text = edit("    when: {answer: hours, gt: 12}\n", "")
    [problem] = problems_of(tmp_path, text)
    assert "indicator 'long_hours' has no `when`: no answer can trigger it" in problem


def test_outcomes_without_catch_all(tmp_path: Path) -> None:
    text = edit(
        "    action: {en: No referral., ar: لا إحالة.}\n",
        "    action: {en: No referral., ar: لا إحالة.}\n    when: {answer: age, gt: 1}\n",
    )
    [problem] = problems_of(tmp_path, text)
    assert f"q.yaml:{line_of(text, 'when: {answer: age, gt: 1}')}:11:" in problem
    assert "the last outcome ('none') has a condition" in problem


def test_catch_all_before_the_end(tmp_path: Path) -> None:
    text = edit("    when: {indicators: {at_least: 1}}\n", "")
    [problem] = problems_of(tmp_path, text)
    assert "outcome 'labour' has no `when` but is not last" in problem


def test_text_missing_a_declared_language(tmp_path: Path) -> None:
    text = edit("title: {en: Work, ar: العمل}", "title: {en: Work}")
    [problem] = problems_of(tmp_path, text)
    assert problem == (
        f"q.yaml:{line_of(text, 'title: {en: Work}')}:12: missing the 'ar' text (declared in "
        "languages); add `ar: ...`"
    )


def test_plain_text_in_a_two_language_file(tmp_path: Path) -> None:
    text = edit("title: {en: Work, ar: العمل}", "title: Work")
    [problem] = problems_of(tmp_path, text)
    assert "this text has one form but the questionnaire declares 2 languages" in problem


def test_undeclared_language(tmp_path: Path) -> None:
    text = edit("title: {en: Work, ar: العمل}", "title: {en: Work, ar: العمل, fr: Travail}")
    [problem] = problems_of(tmp_path, text)
    assert "language 'fr' is not declared in `languages`" in problem


def test_circular_conditions(tmp_path: Path) -> None:
    text = edit(
        "when: {answer: hours, gt: 12}",
        "when: {all: [{answer: hours, gt: 12}, {indicator: unpaid}]}",
    )
    text = text.replace(
        "when: {answer: problems, contains: unpaid}",
        "when: {all: [{answer: problems, contains: unpaid}, {indicator: long_hours}]}",
    )
    problems = problems_of(tmp_path, text)
    assert any(
        "circular conditions: indicator:long_hours -> indicator:unpaid -> indicator:long_hours" in p
        for p in problems
    )


# ----------------------------------------------------------------------------- hostile files


def load_error(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "h.yaml"
    path.write_bytes(data)
    with pytest.raises(QuestionnaireError) as info:
        load_path(path, display="h.yaml")
    return str(info.value.problems[0])


def test_empty_file(tmp_path: Path) -> None:
    assert load_error(tmp_path, b"") == "h.yaml: the file is empty; expected a YAML mapping"
    assert (
        load_error(tmp_path, b"# only a comment\n")
        == "h.yaml: the file is empty; expected a YAML mapping"
    )


def test_binary_file(tmp_path: Path) -> None:
    assert (
        load_error(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00")
        == "h.yaml: this is a binary file, not YAML text"
    )


def test_not_utf8(tmp_path: Path) -> None:
    assert "not UTF-8 text" in load_error(tmp_path, "id: é\n".encode("latin-1"))


def test_not_a_mapping(tmp_path: Path) -> None:
    assert load_error(tmp_path, b"- a\n- b\n") == (
        "h.yaml:1:1: expected a mapping (key: value) at the top level, found a list"
    )
    assert "found a single str value" in load_error(tmp_path, b"just text\n")


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    with path.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024)
    with pytest.raises(QuestionnaireError) as info:
        load_path(path, display="h.yaml")
    assert "the file is too large (5,242,880 bytes; the limit is 4,194,304)" in str(info.value)


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    started = time.perf_counter()
    message = load_error(tmp_path, ("\n".join(levels) + "\n").encode())
    assert time.perf_counter() - started < 5  # a hang would never return at all; this is a guard
    assert "too large once its aliases are expanded" in message


def test_deep_nesting_fails_cleanly(tmp_path: Path) -> None:
    message = load_error(tmp_path, b"[" * 50_000)
    assert "nested more than 100 levels deep" in message or "maximum nesting depth" in message


def test_several_documents(tmp_path: Path) -> None:
    assert "more than one YAML document" in load_error(tmp_path, b"a: 1\n---\nb: 2\n")


def test_unsupported_tag(tmp_path: Path) -> None:
    assert "unsupported YAML tag" in load_error(tmp_path, b"a: !!python/object:os.system x\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as info:
        load_path(tmp_path / "nope.yaml")
    assert str(info.value.problems[0]).endswith("nope.yaml: no such file")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda s: s.encode())))
def test_arbitrary_input_raises_only_our_error(data: bytes) -> None:
    from screening.questionnaires import check_document

    problems = None
    try:
        check_document(parse_document(data, "fuzz.yaml"))
    except QuestionnaireError as error:
        problems = error.problems
    if problems is not None:  # a valid document is fine too; any other exception fails
        assert problems
        assert all(p.path == "fuzz.yaml" for p in problems)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list(SMALL.splitlines())), max_size=60))
def test_shuffled_lines_of_a_real_file_raise_only_our_error(lines: list[str]) -> None:
    from screening.questionnaires import check_document

    problems = None
    try:
        check_document(parse_document("\n".join(lines).encode(), "fuzz.yaml"))
    except QuestionnaireError as error:
        problems = error.problems
    assert problems is None or len(problems) >= 1
