"""The YAML subset read without PyYAML: it gives exactly what the loader gives, or leaves the
text to the loader; the common shapes of answers files are read by it; reading an answers file
imports no PyYAML."""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile import questionnaire_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import loader
from screening.answer_files import read_answer_sets
from screening.answers import AnswerSet, InvalidRecord
from screening.errors import QuestionnaireError
from screening.loader import parse_yaml
from screening.quickyaml import CONTROL, NOT_HANDLED, parse

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "indicators" / "scenarios").glob("*.yaml"))


def _same(got: Any, expected: Any) -> bool:
    """Equal, with the same types all the way down (``True`` is not ``1``), keys in the same
    order."""
    if type(got) is not type(expected):
        return False
    if isinstance(got, dict):
        return [(type(k), k) for k in got] == [(type(k), k) for k in expected] and all(
            _same(got[k], expected[k]) for k in got
        )
    if isinstance(got, list):
        return len(got) == len(expected) and all(map(_same, got, expected))
    return bool(got == expected)


def _agrees(text: str) -> bool:
    """Whether the reader handled ``text``; fails when what it gives differs from the loader's
    data (or when the loader refuses a text the reader read)."""
    got = parse(text)
    refused = None
    try:
        expected: Any = parse_yaml(text, "case.yaml")[0]
    except QuestionnaireError as exc:
        refused = exc.problems[0]
    if refused is not None:
        assert got is NOT_HANDLED, f"read, but the loader refuses it: {refused}\n{text!r}"
        return False
    if got is NOT_HANDLED:
        return False
    assert _same(got, expected), f"{got!r}\n!=\n{expected!r}\nfor\n{text!r}"
    return True


# ----------------------------------------------------------------------------- real files


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_file_is_read_as_the_loader_reads_it(path: Path) -> None:
    """The worked scenarios are answers files written by hand: block scalars, flow lists,
    quoted yes and no, Arabic. Each one is read here, not left to the loader."""
    assert _agrees(path.read_text(encoding="utf-8"))


def test_the_scenarios_are_there() -> None:
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("path", sorted((ROOT / "indicators").glob("*.yaml")), ids=str)
def test_questionnaires_are_read_alike_or_left_to_the_loader(path: Path) -> None:
    _agrees(path.read_text(encoding="utf-8"))


def _case(answers: dict[str, Any], **options: Any) -> str:
    return yaml.safe_dump({"case_id": "C-1", "officer": "epc-7", "answers": answers}, **options)


def _scenario_answers(stem: str) -> dict[str, Any]:
    data = parse_yaml((ROOT / "indicators" / "scenarios" / f"{stem}.yaml").read_text(), "s")[0]
    answers: dict[str, Any] = data["answers"]
    return answers


@pytest.mark.parametrize("stem", [p.stem for p in SCENARIOS])
@pytest.mark.parametrize("allow_unicode", [True, False])
@pytest.mark.parametrize("width", [40, 80, 200])
def test_a_case_written_by_safe_dump_is_read(stem: str, allow_unicode: bool, width: int) -> None:
    """What a program writes with ``yaml.safe_dump`` (block style, the default): long text
    wrapped over lines, Arabic as it is or escaped, quoted yes and no."""
    text = _case(_scenario_answers(stem), allow_unicode=allow_unicode, width=width)
    assert _agrees(text)


def _documented_examples() -> list[str]:
    text = (ROOT / "docs" / "questionnaire-format.md").read_text(encoding="utf-8")
    section = text.split("## 14. Answers files", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)


def test_the_documented_answers_files_are_read() -> None:
    examples = _documented_examples()
    assert len(examples) >= 2
    for example in examples:
        assert _agrees(example)


def _inline_yaml_of_the_tests() -> list[str]:
    """The YAML answers files other tests write inline."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and "answers:" in text and "\n" in text:
                found.append(textwrap.dedent(text))
    return found


def test_the_tests_answers_files_are_read_alike() -> None:
    texts = _inline_yaml_of_the_tests()
    assert len(texts) >= 20
    handled = [_agrees(text) for text in texts]
    assert sum(handled) >= len(texts) // 2


def test_the_hostile_corpus_is_read_alike_or_left_to_the_loader() -> None:
    """Damaged, truncated and hostile questionnaires (tests/hostile.py)."""
    count = 0
    for _, raw, _ in questionnaire_cases(random.Random(20261130)):  # noqa: S311  # a seeded corpus
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            _agrees(text)
            count += 1
    assert count > 50


# ----------------------------------------------------------------------------- by hand

HANDLED = {
    "plain scalars and their types": (
        "a: text\nb: 12\nc: -3\nd: +4\ne: 0\nf: true\ng: False\nh: null\ni: ~\nj:\n"
        "k: yes\nl: No\nm: on\nn: OFF\no: 2024-03-01\np: C-1\nq: epc-017\nr: a:b\ns: a#b\n"
        "t: -x\nu: 'single'\nv: \"double\"\nw: .\nx: 1 2 3 go\n",
        {
            "a": "text",
            "b": 12,
            "c": -3,
            "d": 4,
            "e": 0,
            "f": True,
            "g": False,
            "h": None,
            "i": None,
            "j": None,
            "k": "yes",
            "l": "No",
            "m": "on",
            "n": "OFF",
            "o": "2024-03-01",
            "p": "C-1",
            "q": "epc-017",
            "r": "a:b",
            "s": "a#b",
            "t": "-x",
            "u": "single",
            "v": "double",
            "w": ".",
            "x": "1 2 3 go",
        },
    ),
    "keys": (
        "1: int\ntrue: bool\nnull: null key\n'yes': quoted\n\"x y\": double\n~: tilde\n"
        "a b  : spaced\n",
        {
            1: "int",
            "true": "bool",
            "null": "null key",
            "yes": "quoted",
            "x y": "double",
            "~": "tilde",
            "a b": "spaced",
        },
    ),
    "comments and a start": (
        "# a case\n---  # the document\n\nanswers:  # the answers\n  # who\n  age: 3 # years\n"
        "    # an indented comment\n  name: 'Ann' # quoted\n",
        {"answers": {"age": 3, "name": "Ann"}},
    ),
    "sequences": (
        "a:\n- x\n- 2\n-\n- - y\n  - z\nb:\n  - k: 1\n    l: 2\n  -   m: 3\n  - [p, 'q', \"r\"]\n"
        "c: []\nd: {}\ne: [ ]\nf: [x y, 1, true, null]\n",
        {
            "a": ["x", 2, None, ["y", "z"]],
            "b": [{"k": 1, "l": 2}, {"m": 3}, ["p", "q", "r"]],
            "c": [],
            "d": {},
            "e": [],
            "f": ["x y", 1, True, None],
        },
    ),
    "multi-line plain text": (
        "a: one\n  two\n\n  three\n\n\n    four\nb:\n  on the next line\n  and more\n",
        {"a": "one two\nthree\n\nfour", "b": "on the next line and more"},
    ),
    "multi-line quoted text": (
        "a: 'it''s\n  here\n\n  there '\nb: \"tab\\there\\u00e9\\x41\\U0001F600 \\\\ \\\" \\/\n"
        '  next\\\n  \\ joined"\n',
        {"a": "it's here\nthere ", "b": 'tab\there\u00e9A\U0001f600 \\ " / next joined'},
    ),
    "named escapes": (
        'a: "\\L\\P\\_\\/\\ \\"\\\\"\n',
        {"a": '\u2028\u2029\xa0/ "\\'},
    ),
    "block scalars": (
        "a: |\n  one\n   two\n\n  three\nb: >-\n  folded\n  text\n\n  para\n    more\n  end\n"
        "c: |+\n  kept\n\nd: >\n  x\n",
        {
            "a": "one\n two\n\nthree\n",
            "b": "folded text\npara\n  more\nend",
            "c": "kept\n\n",
            "d": "x\n",
        },
    ),
    "flow collections": (
        "answers: {age: 34, 'name': Ann, \"x\": [a, 'b c', {d: [1, true]}], e: {}, f: []}\n"
        'json: {"case_id": "C-1", "answers": {"age": 3}}\n',
        {
            "answers": {
                "age": 34,
                "name": "Ann",
                "x": ["a", "b c", {"d": [1, True]}],
                "e": {},
                "f": [],
            },
            "json": {"case_id": "C-1", "answers": {"age": 3}},
        },
    ),
    "windows line ends": (
        "answers:\r\n  age: 3\r\n  name: 'a\r\n    b'\r\n",
        {"answers": {"age": 3, "name": "a b"}},
    ),
    "arabic": (
        "answers:\n  name: مريم\n  'عمل': \"عامل مزرعة\"\n",
        {"answers": {"name": "مريم", "عمل": "عامل مزرعة"}},
    ),
}


@pytest.mark.parametrize("name", sorted(HANDLED))
def test_hand_written_shapes_are_read(name: str) -> None:
    text, expected = HANDLED[name]
    assert _same(parse(text), expected)
    assert _agrees(text)


NOT_HANDLED_TEXTS = {
    "a tab": "answers:\n\tage: 3\n",
    "a tab in text": "a: 'x\ty'\n",
    "an anchor": "a: &x 1\nb: *x\n",
    "a tag": "a: !!str 1\n",
    "a multi-line flow mapping": "a: {b: 1,\n  c: 2}\n",
    "a flow mapping without a space": "a: {b:1}\n",
    "a multi-line flow list": "a: [x,\n  y]\n",
    "a trailing comma": "a: [x, y,]\n",
    "a literal with an indentation indicator": "a: |2\n   x\n",
    "an empty block scalar": "a: |\nb: 1\n",
    "a block scalar at the end without a line break": "a: |\n  x",
    "a directive": "%YAML 1.1\n---\na: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "an end marker": "a: 1\n...\n",
    "a duplicate key": "a: 1\na: 2\n",
    "a duplicate key through its value": "true: 1\n'true': 2\n",
    "a float": "a: 1.5\n",
    "a nan": "a: .nan\n",
    "an exponent": "a: 1e5\n",
    "octal": "a: 017\n",
    "hexadecimal": "a: 0x1F\n",
    "sexagesimal": "a: 1:30\n",
    "a timestamp": "a: 2024-03-01 10:00:00\n",
    "an underscore number": "a: 1_000\n",
    "a merge key": "<<: x\n",
    "an equals sign": "a: =\n",
    "a control escape": 'a: "\\e[2J"\n',
    "a surrogate escape": 'a: "\\ud800"\n',
    "a nul escape": 'a: "\\0"\n',
    "a next-line escape": 'a: "\\N"\n',
    "an unknown escape": 'a: "\\q"\n',
    "a short hex escape": 'a: "\\x4"\n',
    "a line separator": "a: x\u2028y\n",
    "a byte order mark inside": "a: x\ufeffy\n",
    "a control character": "a: x\x07y\n",
    "a complex key": "? a\n: 1\n",
    "a list at the top": "- a\n- b\n",
    "text at the top": "just text\n",
    "nothing": "# only a comment\n",
    "a colon in text": "a: b: c\n",
    "text ending in a colon": "a: b:\n",
    "a sequence after a key": "a: - b\n",
    "a deeper line after a value": "a: 'x'\n  b: 1\n",
    "a key that is a list": "[a]: 1\n",
    "too deep": "".join(f"{' ' * n}k{n}:\n" for n in range(40)) + " " * 40 + "v: 1\n",
    "a huge integer": "a: " + "9" * 200 + "\n",
    "an unclosed quote": "a: 'x\n",
    "a quoted continuation too far left": "a:\n  b: 'x\n  y'\n",
}


@pytest.mark.parametrize("name", sorted(NOT_HANDLED_TEXTS))
def test_what_is_outside_the_subset_is_left_to_the_loader(name: str) -> None:
    text = NOT_HANDLED_TEXTS[name]
    assert parse(text) is NOT_HANDLED
    _agrees(text)  # and the loader reads it, or refuses it, on its own


def test_escapes_are_read_as_the_loader_reads_them() -> None:
    """Every escape the loader refuses (a control character, a surrogate) is left to it."""
    assert CONTROL.pattern == loader._CONTROL.pattern  # the same characters refused
    codes = [*range(0x300), 0x2028, 0x2029, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFEFF, 0xFFFF]
    handled = 0
    for code in [*codes, 0x10000, 0x10FFFF, 0x110000]:
        escapes = [f"\\U{code:08X}"]
        escapes += [f"\\u{code:04X}"] if code <= 0xFFFF else []
        escapes += [f"\\x{code:02X}"] if code <= 0xFF else []
        handled += sum(_agrees(f'a: "x{escape}y"\n') for escape in escapes)
    assert handled > 500


# ----------------------------------------------------------------------------- generated

AWKWARD = st.sampled_from(
    [
        "yes",
        "no",
        "on",
        "off",
        "Yes",
        "NO",
        "y",
        "n",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "",
        " ",
        "1",
        "-1",
        "+1",
        "0",
        "-0",
        "+0",
        "00",
        "+",
        ".",
        "١٢",
        "1st",
        "12abc",
        "007",
        "0x1F",
        "1.5",
        ".5",
        "1e3",
        ".inf",
        ".NaN",
        "1:30",
        "1_000",
        "2024-03-01",
        "2024-03-01x",
        "2024-03-01 10:00",
        "-2024-03-01",
        "2024-3-1",
        "-.inf",
        "+.nan",
        "2001-12-14t21:59:43.10-05:00",
        "<<",
        "=",
        "-",
        "- a",
        "-a",
        "a:",
        "a: b",
        ":a",
        "?",
        "? a",
        "#",
        "a #b",
        "a#b",
        "'",
        "''",
        '"',
        "\\",
        "\\n",
        "[a]",
        "{a: b}",
        "&a",
        "*a",
        "!a",
        "|",
        ">",
        "%",
        "@",
        "`",
        "---",
        "...",
        " lead",
        "trail ",
        "a\nb",
        "a\n\nb",
        "a\n",
        "\n",
        "a  b",
        "a\tb",
        "\x07",
        "\x85",
        "\u2028",
        "\ufeff",
        "\xa0",
        "é",
        "عامل مزرعة: بلا أجر",
        "मज़दूर",
        "😀",
    ]
)
CHARACTERS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
)
TEXT = st.one_of(
    AWKWARD,
    st.text(
        st.one_of(
            st.sampled_from(list(" \n'\"#:-,[]{}&*!|>%@`?\\\t.0123456789abcxyz")), CHARACTERS
        ),
        max_size=40,
    ),
    st.lists(st.one_of(AWKWARD, st.from_regex(r"[a-z]{1,12}", fullmatch=True)), max_size=12).map(
        " ".join
    ),
)
SCALARS = st.one_of(
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
)
KEYS = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), TEXT, st.integers(0, 99))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=20,
)
DUMP_OPTIONS = st.fixed_dictionaries(
    {
        "default_flow_style": st.sampled_from([False, None]),
        "width": st.integers(20, 200),
        "allow_unicode": st.booleans(),
        "sort_keys": st.booleans(),
        "explicit_start": st.booleans(),
        "indent": st.integers(2, 5),
        "line_break": st.sampled_from([None, "\r\n"]),
    }
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), VALUES),
    extra=st.dictionaries(KEYS, VALUES, max_size=3),
    options=DUMP_OPTIONS,
)
def test_answer_sets_written_by_safe_dump_are_read_alike(
    answers: dict[str, Any], extra: dict[Any, Any], options: dict[str, Any]
) -> None:
    _agrees(yaml.safe_dump({**extra, "answers": answers}, **options))


# Numbers without a leading zero: text such as "08", which YAML 1.1 could read as an octal
# number, is left to the loader (the "octal" case of test_what_is_outside_the_subset_is_left_to_the_loader).
WORDS = st.from_regex(
    r"[a-z]{1,10}|[A-Z][a-z]{0,8}|[1-9][0-9]{0,2}|عامل|مزرعة|جواز", fullmatch=True
)
ORDINARY = st.one_of(
    st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True),
    st.lists(WORDS, min_size=1, max_size=40).map(" ".join),
    st.integers(-1000, 1000),
    st.booleans(),
    st.sampled_from(["yes", "no", "dont_know", "declined", "2024-03-01"]),
    st.lists(st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True), max_size=5),
)


@settings(max_examples=200, deadline=None)
@given(
    answers=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), ORDINARY),
    width=st.integers(20, 200),
    allow_unicode=st.booleans(),
    sort_keys=st.booleans(),
)
def test_ordinary_answer_sets_written_in_block_style_are_read(
    answers: dict[str, Any], width: int, allow_unicode: bool, sort_keys: bool
) -> None:
    """Ids, numbers, booleans, dates, lists of choices and sentences (wrapped over lines,
    in Arabic as well) written by ``safe_dump`` in block style: all read here."""
    text = _case(answers, width=width, allow_unicode=allow_unicode, sort_keys=sort_keys)
    assert _agrees(text)


BLOCK_LINES = st.lists(
    st.one_of(
        st.just(""),
        st.from_regex(r" {0,3}[a-z #'\":-]{0,12}[a-z.]", fullmatch=True),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    lines=BLOCK_LINES,
    header=st.sampled_from(["|", ">", "|-", ">-", "|+", ">+", "| # c", ">-  # c"]),
    indent=st.integers(1, 4),
    ending=st.sampled_from(["", "\n", "\n\n", "\n  \n", "\nnext: 1\n", "\n\nnext: 1\n", "\n# c\n"]),
    nested=st.booleans(),
)
def test_block_scalars_are_read_alike(
    lines: list[str], header: str, indent: int, ending: str, nested: bool
) -> None:
    pad = " " * indent
    body = "\n".join(pad + line if line else "" for line in lines)
    text = f"key: {header}\n{body}{ending}"
    if nested:
        text = "top:\n" + textwrap.indent(text, "  ") + "- [x]\n"
    _agrees(text)


YAML_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "1",
        "-",
        "- ",
        ": ",
        ":",
        " ",
        "  ",
        "\n",
        "\n  ",
        "\n- ",
        "#",
        " #",
        "'",
        "''",
        '"',
        "\\",
        "\\u00e9",
        "\\x41",
        "[",
        "]",
        ", ",
        "{",
        "}",
        "|",
        ">",
        "|-",
        "&a ",
        "*a",
        "!!str ",
        "---",
        "...",
        "?",
        "~",
        "null",
        "true",
        "yes",
        "1.5",
        "\t",
        "\r",
        "\r\n",
        "é",
        "ع",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(pieces=st.lists(YAML_PIECES, max_size=30))
def test_arbitrary_text_is_read_alike_or_left_to_the_loader(pieces: list[str]) -> None:
    """Fragments of YAML put together at random: the reader never raises, and what it reads
    is what the loader reads."""
    _agrees("".join(pieces))


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_damaged_answers_files_are_read_alike_or_left_to_the_loader(data: st.DataObject) -> None:
    """A real answers file with a piece of YAML put in at random places."""
    text = _case(_scenario_answers("farm-debt-bondage"), width=60, allow_unicode=True)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(YAML_PIECES) + text[at:]
    _agrees(text)


# ----------------------------------------------------------------------------- answers files

PLAIN = """\
case_id: C-17
answers:
  age: 34
  name: Maria
  langs: [arabic, bengali]
  account: >-
    Paid a broker for the visa;
    the sponsor keeps her passport.
"""


def test_reading_a_plain_answers_file_imports_no_yaml(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(PLAIN, encoding="utf-8")
    script = textwrap.dedent(
        """
        import json, sys
        from screening.answer_files import read_answer_sets
        items, several = read_answer_sets(sys.argv[1])
        (found,) = list(items)
        print(json.dumps({
            "answers": found.answers,
            "case_id": found.case_id,
            "yaml": sorted(m for m in sys.modules if m == "yaml" or m.startswith("yaml.")),
            "loader": "screening.loader" in sys.modules,
        }))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(case)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(run.stdout)
    assert report["yaml"] == []
    assert report["loader"] is False
    assert report["case_id"] == "C-17"
    assert report["answers"] == {
        "age": 34,
        "name": "Maria",
        "langs": ["arabic", "bengali"],
        "account": "Paid a broker for the visa; the sponsor keeps her passport.",
    }


def _read(path: Path, text: str) -> AnswerSet | InvalidRecord:
    path.write_text(text, encoding="utf-8")
    items, several = read_answer_sets(str(path))
    (found,) = list(items)
    assert several is False
    return found


def test_an_answers_file_outside_the_subset_is_still_read(tmp_path: Path) -> None:
    text = "case_id: C-18\nanswers:\n  age: &age 34\n  name: {first: Maria}\n  other: *age\n"
    assert parse(text) is NOT_HANDLED
    found = _read(tmp_path / "case.yaml", text)
    assert isinstance(found, AnswerSet)
    assert found.case_id == "C-18"
    assert found.answers == {"age": 34, "name": {"first": "Maria"}, "other": 34}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "answers:\n  age: 3\n  age: 4\n",
            "line 3: duplicate key 'age' (first at line 2); keep one of them",
        ),
        ("answers:\n  when: 1:30\n  bad: [x\n", "line 4: YAML syntax error: "),
        (
            "answers:\n\tage: 3\n",
            "line 2: YAML syntax error: found character that cannot start any token",
        ),
        ('answers:\n  name: "\\e[2J"\n', "line 2: the text holds the control character U+001B"),
        ("# nothing\n", "the file is empty; expected a mapping with an 'answers' key"),
    ],
)
def test_a_broken_answers_file_gives_the_located_message(
    tmp_path: Path, text: str, message: str
) -> None:
    found = _read(tmp_path / "case.yaml", text)
    assert isinstance(found, InvalidRecord)
    assert str(found).startswith(message)
