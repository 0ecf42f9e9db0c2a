"""Text from files and people on the screen: shown, never acted on (the one sanitiser).

Control characters and escape sequences (window title, clipboard, clear screen), bidi overrides
and rich markup reach the terminal only as visible text; what is stored and exported keeps them.
"""

from __future__ import annotations

import io
import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from conftest import SMALL, write
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console  # noqa: TID251 - what rich makes of the sanitised text
from rich.text import Text  # noqa: TID251 - the same

from screening.sanitize import BIDI_CONTROLS, markup, visible
from screening.store import open_store

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
CLEAR = "\x1b[2J\x1b[H"
CSI_C1 = "\x9b2J"  # the one-byte CSI of C1
HOSTILE = [
    "[/x]",
    "[link=https://example.org]x[/link]",
    OSC_TITLE,
    OSC_CLIPBOARD,
    CLEAR,
    CSI_C1,
    "\u202eevil",
    "\u2066x",
]


def acts_on_a_terminal(text: str) -> list[str]:
    """The characters of ``text`` that a terminal would act on rather than show."""
    return [
        ch
        for ch in text
        if ch != "\n"
        and (unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS or ch in "\u2028\u2029")
    ]


def rendered(renderable: object, width: int = 200) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(renderable)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


# -- the sanitiser -------------------------------------------------------------------------------


@given(st.text())
def test_nothing_a_terminal_acts_on_is_left(text: str) -> None:
    assert acts_on_a_terminal(visible(text)) == []
    assert "\n" not in visible(text)
    assert acts_on_a_terminal(visible(text, lines=True)) == []


@given(st.text())
def test_markup_is_shown_as_written(text: str) -> None:
    # rich reads the escaped text, followed by markup of the program's own, and shows exactly
    # the visible text: no style, no link, no error; the program's own tag still works
    shown = Text.from_markup(markup(text) + "[bold]end[/bold]")
    assert shown.plain == visible(text) + "end"
    assert [(span.start, span.end, str(span.style)) for span in shown.spans] == [
        (len(shown.plain) - 3, len(shown.plain), "bold")
    ]
    assert "\x1b" not in rendered(markup(text))


@given(st.text(alphabet="[]/\\ab=#@", max_size=30))
def test_markup_of_brackets_and_backslashes(text: str) -> None:
    shown = Text.from_markup(markup(text) + "[bold]end[/bold]")
    assert shown.plain == text + "end"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=40))
def test_printable_text_is_unchanged(text: str) -> None:
    if not BIDI_CONTROLS.intersection(text) and not {"\u2028", "\u2029"}.intersection(text):
        assert visible(text) == text


def test_what_each_control_becomes() -> None:
    assert visible(OSC_TITLE) == "␛]0;pwned␇"
    assert visible("a\u202eb\u2066c") == "a<U+202E>b<U+2066>c"
    assert visible(CSI_C1) == "<U+009B>2J"
    assert visible("one\ntwo") == "one␤two"
    assert visible("one\r\ntwo", lines=True) == "one\ntwo"
    # the marks right-to-left text needs stay
    assert visible("\u200fمرحبا\u200e") == "\u200fمرحبا\u200e"


# -- every command that shows text from files or people ------------------------------------------


def hostile_questionnaire(tmp_path: Path) -> Path:
    """The small questionnaire with markup and bidi controls in the titles of an indicator and an
    outcome (escape sequences are refused when the file loads: see test_hostile_input.py)."""
    text = SMALL.replace(
        "title: {en: Confinement, ar: الاحتجاز}", 'title: {en: "[/x] \\u2066x", ar: "[/x]"}'
    )
    text = text.replace(
        "title: {en: Labour case, ar: قضية عمالية}",
        'title: {en: "[link=https://example.org]Labour[/link] \\u202e", ar: "[/x]"}',
    )
    return write(tmp_path, "hostile.yaml", text)


def harmless(output: str) -> None:
    assert acts_on_a_terminal(output) == []


def test_indicators_list_and_show(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = hostile_questionnaire(tmp_path)
    run = cli("indicators", "list", "-q", str(path))
    assert run.code == 0, run.err
    assert "[/x] <U+2066>x" in run.out
    harmless(run.out)
    run = cli("indicators", "show", "locked_in", "-q", str(path))
    assert run.code == 0, run.err
    assert "[/x] <U+2066>x" in run.out
    harmless(run.out)
    # the machine-readable form keeps the text as written
    run = cli("indicators", "list", "-q", str(path), "--format", "json")
    assert "[/x] \u2066x" in [r["title"] for r in json.loads(run.out)]


def test_score_format_table(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = hostile_questionnaire(tmp_path)
    answers = write(
        tmp_path, "a.json", json.dumps({"answers": {"problems": ["locked"], "age": 30}})
    )
    run = cli("score", str(answers), "-q", str(path), "--format", "table")
    assert run.code == 0, run.err
    assert "[/x] <U+2066>x" in run.out
    assert "[link=https://example.org]Labour[/link] <U+202E>" in run.out
    harmless(run.out)


def test_score_format_table_in_arabic_shows_titles_not_ids(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(
        tmp_path, "a.json", json.dumps({"answers": {"problems": ["locked"], "age": 30}})
    )
    small = write(tmp_path, "small.yaml", SMALL)
    run = cli("score", str(answers), "-q", str(small), "--format", "table", "--lang", "ar")
    assert run.code == 0, run.err
    assert "إكراه" in run.out  # the dimension's title
    assert "الاحتجاز" in run.out  # the indicator's
    assert "قضية عمل" in run.out  # the category's
    for code in ("locked_in", "coercion", "labour_case", "problems"):
        assert code not in run.out


TRAIN_SCENARIO = """\
id: hostile
title: {en: "[/x] \\u202ecm0=", ar: "[/x]"}
questionnaire: small
sector: "[bold]farm"
persona: {en: "Ravi [/x]", ar: "رافي"}
narrative: {en: "He said \\u2066[link=https://example.org]click[/link].", ar: "قال."}
answers: {age: 34, problems: [locked]}
expected: {outcome: labour, flags: [], indicators: [locked_in]}
"""


def test_train_demo_and_list(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = write(tmp_path, "small.yaml", SMALL)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write(folder, "hostile.yaml", TRAIN_SCENARIO)
    options = ["--scenarios", str(folder), "-q", str(small)]
    run = cli("train", "demo", "hostile", "--no-pause", *options)
    assert run.code == 0, run.err
    assert "[/x] <U+202E>cm0=" in run.out
    assert "<U+2066>[link=https://example.org]click[/link]" in " ".join(run.out.split())
    harmless(run.out)
    run = cli("train", "list", "--scenarios", str(folder))
    assert run.code == 0, run.err
    harmless(run.out)


def test_cases_list_with_a_hostile_officer_id(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.delenv("SCREENING_UI_LANG", raising=False)
    monkeypatch.delenv("SCREENING_RTL", raising=False)
    small = write(tmp_path, "small.yaml", SMALL)
    with open_store(home) as store:
        for officer in ("[/x]", "hostile", "[link=https://example.org]o[/link]"):
            store.create_case(
                questionnaire_id=str(small),
                questionnaire_version="1",
                questionnaire_sha256="ab" * 32,
                language="en",
                ui_language="en",
                officer=officer,
            )
    # The store refuses such an id now; one written by an older version (or around the
    # program) is still shown harmlessly.
    with sqlite3.connect(home / "cases.sqlite3") as conn:
        conn.execute(
            "UPDATE cases SET officer = ? WHERE officer = 'hostile'", (OSC_TITLE + "\u202e",)
        )
    run = cli("cases", "list")
    assert run.code == 0, run.err
    assert "[/x]" in run.out
    assert "␛]0;pwned␇<U+202E>" in run.out
    assert "[link=https://example.org]o[/link]" in run.out
    harmless(run.out)
    # the export of the store keeps the id as it was given
    run = cli("cases", "list", "--format", "json")
    assert OSC_TITLE + "\u202e" in [c["officer"] for c in json.loads(run.out)]


def test_an_error_naming_a_file_shows_its_name_harmlessly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    name = tmp_path / ("a" + OSC_TITLE + "[/x].json")
    run = cli("score", str(name))
    assert run.code != 0
    assert run.err.startswith("screening: error:")
    assert "␛]0;pwned␇[/x]" in run.err
    harmless(run.err)


def test_validate_quotes_a_hostile_key_harmlessly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path, "bad.yaml", SMALL.replace('version: "1"\n', 'version: "1"\n"\\u202e[/x]": 1\n')
    )
    run = cli("validate", str(path))
    assert run.code == 1
    assert "<U+202E>[/x]" in run.out
    harmless(run.out)


def test_an_urgent_block_shows_the_questionnaires_text_neutralised() -> None:
    """A flag's title, action and what it tells the person come from a file: no escape or bidi
    character in them acts on the terminal."""
    from screening.ui.interview import draw_urgent
    from screening.ui.view import View

    out = io.StringIO()
    view = View(Console(file=out, width=80, force_terminal=False, color_system=None))
    draw_urgent(
        view,
        {"en": "Title\x1b]0;pwned\x07"},
        {"en": "Act \x1b[2J now"},
        {"en": "Tell \u202eevil"},
    )
    shown = out.getvalue()
    assert "\x1b" not in shown
    assert "\u202e" not in shown
    assert "Title␛]0;pwned" in shown
    assert "Act ␛[2J now" in shown
    assert "Tell" in shown
