"""Display forms of right-to-left text: wrapping, shaping, reordering and the mode setting."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening import bidi
from screening.bidi import (
    RtlMode,
    cell_width,
    display,
    display_lines,
    is_rtl_text,
    rtl_mode_from_env,
    wrap,
)
from screening.errors import ExitStatus, UsageError

WELCOME = "مرحبا بك"  # "welcome to you": meem reh hah beh alef, space, beh kaf


def forms(*names: str) -> str:
    """Arabic presentation forms by the end of their Unicode names, e.g. "KAF FINAL"."""
    return "".join(unicodedata.lookup(f"ARABIC LETTER {name} FORM") for name in names)


def logical(visual: str) -> str:
    """Undo shaping and reordering of a pure right-to-left line: back to the stored letters."""
    return unicodedata.normalize("NFKC", visual.strip()[::-1])


# --- off mode -------------------------------------------------------------------------------


def test_off_mode_returns_the_logical_text_wrapped() -> None:
    text = "هل تعمل هنا؟ اتصل على 995"
    assert display_lines(text, 12, RtlMode.OFF) == ["هل تعمل هنا؟", "اتصل على 995"]
    assert display(text, RtlMode.OFF) == text


def test_off_mode_keeps_paragraph_breaks() -> None:
    assert display_lines("one two\n\nthree", 80, RtlMode.OFF) == ["one two", "", "three"]


def test_wrap_cuts_a_word_wider_than_the_line() -> None:
    assert wrap("abcdefgh ij", 3) == ["abc", "def", "gh", "ij"]


def test_wrap_keeps_marks_with_their_letter() -> None:
    # Three letters, each with a fatha: three cells, cut between letters only.
    assert wrap("كَتَبَ", 2) == ["كَتَ", "بَ"]


@pytest.mark.parametrize("width", [0, -1])
def test_width_below_one_is_refused(width: int) -> None:
    with pytest.raises(ValueError, match="width"):
        display_lines("text", width, RtlMode.OFF)


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("Hello", 5),
        (WELCOME, 8),
        ("كَتَبَ", 3),  # harakat take no cell
        ("日本", 4),  # East Asian wide
        ("हिन्दी", 5),  # the spacing vowel signs take a cell, as terminals draw them (rich: 3)
        ("a\u200fb", 2),  # a right-to-left mark takes no cell
        ("\u0600", 1),  # the Arabic number sign is drawn
    ],
)
def test_cell_width_measures_as_a_terminal_draws(text: str, cells: int) -> None:
    assert cell_width(text) == cells


# --- reorder mode ---------------------------------------------------------------------------


def test_reorder_shapes_and_reverses_an_arabic_sentence() -> None:
    expected = forms("KAF FINAL", "BEH INITIAL") + " "
    expected += forms("ALEF FINAL", "BEH MEDIAL", "HAH INITIAL", "REH FINAL", "MEEM INITIAL")
    assert display(WELCOME, RtlMode.REORDER) == expected
    assert logical(expected) == WELCOME


def test_reorder_forms_the_lam_alef_ligature_only() -> None:
    visual = display("لا الله على", RtlMode.REORDER)
    assert "\ufefb" in visual  # LAM WITH ALEF ISOLATED: required in Arabic
    assert "\ufdf2" not in visual  # the "Allah" word ligature is too wide for one cell
    assert "\ufc86" not in visual  # nor the optional lam with alef maksura
    assert logical(visual) == "لا الله على"


def test_reorder_keeps_harakat_after_their_letter() -> None:
    visual = display("كَتَبَ", RtlMode.REORDER)
    fatha = "\u064e"
    assert visual == "".join(f + fatha for f in forms("BEH FINAL", "TEH MEDIAL", "KAF INITIAL"))


def test_digits_inside_arabic_keep_their_order() -> None:
    visual = display("اتصل على 995 الآن", RtlMode.REORDER)
    assert "995" in visual
    assert "599" not in visual
    # The number sits between the words, which read from right to left around it.
    left, number, right = visual.partition("995")
    assert number == "995"
    assert logical(right) == "اتصل على"
    assert logical(left) == "الآن"


def test_latin_inside_arabic_keeps_its_order_and_brackets_face_inwards() -> None:
    visual = display("اسمي (Ali Hassan) هنا", RtlMode.REORDER)
    assert "(Ali Hassan)" in visual
    assert visual.endswith(forms("YEH FINAL", "MEEM MEDIAL", "SEEN INITIAL", "ALEF ISOLATED"))


def test_brackets_around_arabic_face_inwards() -> None:
    visual = display("الاسم (مطلوب)", RtlMode.REORDER)
    # Read from the right: the name, then the bracketed word, brackets opening towards it.
    assert visual.startswith("(")
    close = visual.index(")")
    assert logical(visual[1:close]) == "مطلوب"
    assert logical(visual[close + 1 :]) == "الاسم"


def test_left_to_right_text_is_unchanged_and_not_padded() -> None:
    assert display("Call 995 now (free)", RtlMode.REORDER) == "Call 995 now (free)"
    assert display_lines("Call 995 now", 20, RtlMode.REORDER) == ["Call 995 now"]


def test_arabic_inside_english_is_reordered_in_place() -> None:
    visual = display("Say مرحبا to them", RtlMode.REORDER)
    assert visual.startswith("Say ")
    assert visual.endswith(" to them")
    assert logical(visual[4:-8]) == "مرحبا"


def test_wrapping_happens_before_reordering() -> None:
    text = "واحد اثنان ثلاثة أربعة"  # one two three four
    lines = display_lines(text, 11, RtlMode.REORDER)
    assert [logical(line) for line in lines] == ["واحد اثنان", "ثلاثة أربعة"]


def test_rtl_lines_are_right_aligned_to_the_width() -> None:
    lines = display_lines("هل تعمل هنا؟ اتصل على 995 أو call me", 20, RtlMode.REORDER)
    assert len(lines) == 2
    for line in lines:
        assert cell_width(line) == 20
        assert line.startswith(" ")
        assert not line.endswith(" ")
    assert lines[1].lstrip().startswith("call me")


def test_rtl_forced_on_a_paragraph_without_arabic() -> None:
    assert display_lines("995", 6, RtlMode.REORDER, rtl=True) == ["   995"]
    assert display("Hello!", RtlMode.REORDER, rtl=True) == "!Hello"


def test_paragraph_without_strong_characters_follows_the_text() -> None:
    lines = display_lines("مرحبا\n995\n\nHello", 8, RtlMode.REORDER)
    assert lines[1] == "     995"
    assert lines[2] == ""
    assert lines[3] == "Hello"


def test_explicit_marks_are_not_sent_to_the_terminal() -> None:
    visual = display("\u200fرقم \u2067ABC\u2069", RtlMode.REORDER)
    assert visual == "ABC " + forms("MEEM FINAL", "QAF INITIAL", "REH ISOLATED")


def test_without_readable_levels_python_bidi_order_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bidi, "_resolved_levels", lambda text, rtl: None)
    assert logical(display(WELCOME, RtlMode.REORDER)) == WELCOME
    assert "995" in display("اتصل على 995", RtlMode.REORDER)


ARABIC_WORDS = st.lists(
    st.text(alphabet=[chr(c) for c in range(0x0621, 0x064B)], min_size=1, max_size=12),
    min_size=1,
    max_size=12,
)


@given(words=ARABIC_WORDS, width=st.integers(min_value=1, max_value=40))
def test_reorder_round_trips_to_the_wrapped_logical_lines(words: list[str], width: int) -> None:
    text = " ".join(words)
    visual = display_lines(text, width, RtlMode.REORDER)
    assert [logical(line) for line in visual] == wrap(text, width)
    assert all(cell_width(line) == width for line in visual)


# --- direction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rtl"),
    [
        ("مرحبا", True),
        ("שלום", True),
        ("123 مرحبا", True),
        ("(Ali) مرحبا", False),
        ("Hello مرحبا", False),
        ("123", False),
        ("", False),
    ],
)
def test_is_rtl_text_looks_at_the_first_strong_character(text: str, rtl: bool) -> None:
    assert is_rtl_text(text) is rtl


# --- the mode setting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "env", "mode"),
    [
        (None, {}, RtlMode.OFF),
        (None, {"SCREENING_RTL": ""}, RtlMode.OFF),
        (None, {"SCREENING_RTL": "reorder"}, RtlMode.REORDER),
        (None, {"SCREENING_RTL": " Reorder "}, RtlMode.REORDER),
        ("off", {"SCREENING_RTL": "reorder"}, RtlMode.OFF),
        ("reorder", {"SCREENING_RTL": "off"}, RtlMode.REORDER),
        ("reorder", {"SCREENING_RTL": "nonsense"}, RtlMode.REORDER),
    ],
)
def test_option_wins_over_environment_which_wins_over_off(
    value: str | None, env: dict[str, str], mode: RtlMode
) -> None:
    assert rtl_mode_from_env(value, env) is mode


def test_invalid_option_names_the_allowed_values() -> None:
    with pytest.raises(UsageError) as caught:
        rtl_mode_from_env("auto", {})
    assert caught.value.exit_code == ExitStatus.USAGE
    assert "--rtl" in caught.value.message
    assert "reorder or off" in caught.value.message


def test_invalid_environment_value_names_the_variable() -> None:
    with pytest.raises(UsageError, match=r"SCREENING_RTL.*reorder or off"):
        rtl_mode_from_env(None, {"SCREENING_RTL": "yes"})


# --- start-up cost --------------------------------------------------------------------------

_IMPORT_CHECK = """
import sys
from screening.bidi import RtlMode, display, display_lines, rtl_mode_from_env
mode = rtl_mode_from_env(None, {})
display("مرحبا", mode)
display_lines("مرحبا بك", 20, mode)
print(sorted(m for m in ("bidi", "arabic_reshaper") if m in sys.modules))
display("مرحبا", RtlMode.REORDER)
print(sorted(m for m in ("bidi", "arabic_reshaper") if m in sys.modules))
"""


def test_bidi_libraries_are_imported_only_in_reorder_mode() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_CHECK],
        capture_output=True,
        check=True,
        encoding="utf-8",
        cwd=Path(__file__).resolve().parents[1],  # so that `screening` imports uninstalled too
    )
    assert result.stdout.splitlines() == ["[]", "['arabic_reshaper', 'bidi']"]
