"""Text in the workers' scripts measured in terminal cells, wrapped and padded by clusters."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len  # noqa: TID251 - the test compares rich's measure with ours
from rich.console import Console  # noqa: TID251 - the lines are printed through rich as a renderer would
from rich.text import Text  # noqa: TID251 - as above

from screening import bidi
from screening.textwidth import Cells, cells_from_env, clip, clusters, pad, width, wrap

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "scripts"
CODES = ["hi", "ne", "ml", "ta", "bn", "si", "ur", "tl"]
# The question "Does someone else keep your passport or ID card, so that you cannot have it when
# you want?" in each language (the draft translations of the brief screen), and two sentences
# of the same question written with the joiners of Malayalam (ZWNJ) and Sinhala (ZWJ).
SAMPLES = [*CODES, "ml_conjuncts", "si_conjuncts"]
ZWJ, ZWNJ = "\u200d", "\u200c"

# What tmux 3.3 shows (its cursor after the text, asked with ESC [ 6 n), the terminals built
# on VTE and the C library's wcwidth give the same except where said.
WIDTHS = [
    ("हिन्दी", 5, "Devanagari: vowel sign i (Mc) takes a cell, the virama (Mn) none"),
    ("क्षमा", 4, "a conjunct of two consonants: both drawn, the virama takes no cell"),
    ("राहदानी", 7, "Nepali: every vowel sign aa and ii a cell"),
    ("മലയാളം", 6, "Malayalam: the anusvara (Mc) a cell"),
    (f"പാസ്{ZWNJ}പോർട്ട്", 8, "Malayalam: ZWNJ keeps the virama visible and takes no cell"),
    ("அவன்", 3, "Tamil: pulli (Mn) none"),
    ("கடவுச்சீட்டு", 9, "Tamil: the vowel sign u is a mark, ii a spacing mark"),
    ("বাংলা", 5, "Bengali: the anusvara (Mc) a cell"),
    ("সংস্থা", 5, "Bengali: a conjunct with a vowel sign aa"),
    ("සිංහල", 4, "Sinhala: the vowel sign i is a mark, the anusvara a cell"),
    ("اردو", 4, "Urdu: one cell a letter"),
    ("پاکستان", 7, "Urdu: Persian and Urdu letters one cell each"),
    ("Pasaporte ñ", 11, "Tagalog, Latin letters"),
    ("漢字", 4, "East Asian wide characters two cells"),
]


@pytest.mark.parametrize(("text", "cells", "what"), WIDTHS)
def test_each_script_is_measured_as_the_terminal_draws_it(text: str, cells: int, what: str) -> None:
    assert width(text) == cells, what
    assert width(text, Cells.TMUX) == cells, what


def test_a_character_after_a_zero_width_joiner_shares_its_cell_in_tmux() -> None:
    # Sinhala "Sri": sha, al-lakuna, ZWJ, ra, vowel sign ii (a mark): the rakaransaya conjunct
    sri = f"ශ්{ZWJ}රී"
    assert width(sri) == 2  # VTE, xterm, the C library: sha and ra a cell each
    assert width(sri, Cells.TMUX) == 1  # tmux draws the ra in the cell of the sha
    assert width(f"ශ්{ZWJ}රී ලංකාව", Cells.TMUX) == 7


def test_rich_measures_indic_text_shorter_than_the_terminal() -> None:
    """Why worker-language text is measured here and kept out of bordered tables."""
    assert (cell_len("हिन्दी"), width("हिन्दी")) == (3, 5)
    assert (cell_len("বাংলা"), width("বাংলা")) == (2, 5)
    assert cell_len("پاکستان") == width("پاکستان") == 7


def test_tmux_is_recognised_from_the_environment() -> None:
    assert cells_from_env({"TMUX": "/tmp/tmux-0/default,123,0"}) is Cells.TMUX
    assert cells_from_env({"TMUX": ""}) is Cells.TERMINAL
    assert cells_from_env({}) is Cells.TERMINAL


def test_clusters_keep_syllables_whole() -> None:
    assert clusters("हिन्दी") == ["हि", "न्दी"]  # the conjunct n+d with its vowel sign is one
    assert clusters("পাসপোর্ট") == ["পা", "স", "পো", "র্ট"]
    assert clusters(f"ශ්{ZWJ}රී") == [f"ශ්{ZWJ}රී"]  # joined by ZWJ: kept with what follows
    assert clusters("abc") == ["a", "b", "c"]
    assert clusters("") == []


def test_control_characters_take_no_cell() -> None:
    assert width("a\x1bb") == 2
    assert width("a\u200bb") == 2  # zero width space


def test_padding_fills_the_line_to_the_width() -> None:
    assert pad("हिन्दी", 8) == "हिन्दी   "
    assert pad("हिन्दी", 8, align="right") == "   हिन्दी"
    assert pad("हिन्दी", 8, align="center") == " हिन्दी  "
    assert pad("हिन्दी", 4) == "हिन्दी"  # too wide already: unchanged
    assert pad(f"ශ්{ZWJ}රී", 4, cells=Cells.TMUX) == f"ශ්{ZWJ}රී   "


def test_clip_cuts_between_clusters() -> None:
    assert clip("हिन्दी", 4) == "हि"  # the next cluster (3 cells) does not fit
    assert clip("हिन्दी", 5) == "हिन्दी"
    assert clip("漢字", 3) == "漢"
    assert clip("abc", 0) == ""


def test_wrap_follows_words_and_paragraphs() -> None:
    assert wrap("एक दो  तीन\tचार", 6) == ["एक दो", "तीन", "चार"]
    assert wrap("एक दो  तीन\tचार", 7) == ["एक दो", "तीन चार"]
    assert wrap("एक\n\nदो", 10) == ["एक", "", "दो"]
    assert wrap("", 10) == [""]
    assert wrap("a\u00a0b c", 3) == ["a\u00a0b", "c"]  # no break at a no-break space
    with pytest.raises(ValueError, match="at least 1"):
        wrap("x", 0)


def test_a_word_wider_than_the_line_is_cut_between_clusters() -> None:
    word = "सक्नुहुन्न"  # Nepali "cannot": 4 clusters, 6 cells
    assert clusters(word) == ["स", "क्नु", "हु", "न्न"]
    assert wrap(word, 3) == ["सक्नु", "हुन्न"]
    assert wrap(word, 2) == ["स", "क्नु", "हु", "न्न"]
    assert wrap("漢字", 1) == ["漢", "字"]  # a cluster wider than the line stands alone


# Words of the sample questions, with the marks and joiners that make clusters hard.
WORDS = st.sampled_from(
    [
        word
        for code in SAMPLES
        for word in (GOLDEN / f"{code}.txt").read_text(encoding="utf-8").split()
    ]
    + ["漢字", "a", f"ශ්{ZWJ}රී", "\u093f"]
)


@given(
    st.lists(WORDS, min_size=1, max_size=25),
    st.lists(st.sampled_from([" ", "  ", "\t", "\n"]), min_size=25, max_size=25),
    st.integers(1, 90),
    st.sampled_from(list(Cells)),
)
def test_wrapped_lines_fit_and_keep_every_cluster(
    words: list[str], gaps: list[str], columns: int, cells: Cells
) -> None:
    text = "".join(word + gap for word, gap in zip(words, gaps, strict=False))
    lines = wrap(text, columns, cells)
    for line in lines:
        assert width(line, cells) <= columns or len(clusters(line)) == 1
        # no line starts or ends with a blank, but for a vowel sign typed after a space: that
        # space and the sign are one cluster, never split
        assert line.rstrip() == line
        assert line.lstrip() == line or not clusters(line)[0].isspace()
    # Every line is made of whole clusters of the text: nothing split, nothing lost.
    blanks = re.compile(r"[ \t]+")
    paragraphs = [blanks.sub(" ", p).strip(" ") for p in text.split("\n")]
    expected = [c for p in paragraphs for c in clusters(p) if not c.isspace()]
    assert [c for line in lines for c in clusters(line) if not c.isspace()] == expected
    for line in lines:
        assert "".join(clusters(line)) == line
        assert all(c in expected for c in clusters(line) if not c.isspace())


# --- golden screens: every script at 80 and 40 columns ---------------------------------------


def _screen(code: str, columns: int, cells: Cells = Cells.TERMINAL) -> str:
    text = (GOLDEN / f"{code}.txt").read_text(encoding="utf-8").strip()
    if code == "ur":  # as `--rtl reorder` shows it: joined, in visual order, aligned right
        lines = bidi.display_lines(text, columns, bidi.RtlMode.REORDER, rtl=True)
    else:
        lines = wrap(text, columns, cells)
    return "".join(pad(line, columns, cells=cells) + "|\n" for line in lines)


@pytest.mark.parametrize("columns", [80, 40])
@pytest.mark.parametrize("code", SAMPLES)
def test_golden_screens_per_script(code: str, columns: int) -> None:
    """The wrapped question, each line padded to the width with a border after it."""
    golden = GOLDEN / f"{code}-{columns}.txt"
    screen = _screen(code, columns)
    if os.environ.get("SCREENING_UPDATE_GOLDEN"):  # regenerate on purpose, then review the diff
        golden.write_text(screen, encoding="utf-8")
    assert screen == golden.read_text(encoding="utf-8")
    for line in screen.splitlines():
        assert width(line) == columns + 1
    assert len(screen.splitlines()) >= (2 if columns == 40 else 1)


def test_urdu_wrapped_lines_are_the_logical_text() -> None:
    text = (GOLDEN / "ur.txt").read_text(encoding="utf-8").strip()
    assert " ".join(wrap(text, 40)) == text
    assert wrap(text, 40) == bidi.wrap(text, 40)  # no spacing marks: both measures agree


def test_lines_printed_through_rich_stay_as_padded() -> None:
    """A rich console does not rewrap or cut a line given as Text with no_wrap and overflow ignore."""
    out = StringIO()
    console = Console(file=out, width=40, color_system=None, legacy_windows=False)
    text = (GOLDEN / "bn.txt").read_text(encoding="utf-8").strip()
    lines = [pad(line, 40) + "|" for line in wrap(text, 40)]
    for line in lines:
        console.print(Text(line), no_wrap=True, overflow="ignore", crop=False)
    assert out.getvalue().splitlines() == lines


# --- the real terminal ------------------------------------------------------------------------


def test_borders_line_up_in_tmux(tmp_path: Path, command_line_tool: Callable[[str], str]) -> None:
    """tools/script_check.py prints every golden screen in tmux and asks where the cursor is."""
    command_line_tool("tmux")
    capture = tmp_path / "capture.txt"
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "script_check.py"), "--capture", str(capture)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = run.stdout.split("\n\n")[0].splitlines()
    assert len(report) == 2 * len(SAMPLES)
    assert all(line.endswith("borders in line") for line in report), report
    shown = [line for line in capture.read_text(encoding="utf-8").splitlines() if line]
    assert shown == [
        line.rstrip("\n")
        for code in sorted(SAMPLES)
        for columns in (80, 40)
        for line in _screen(code, columns, Cells.TMUX).splitlines()
    ]
