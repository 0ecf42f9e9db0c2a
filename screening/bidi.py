"""Display forms of right-to-left text for terminals that do no bidi of their own.

rich and questionary write characters in the order they are stored. Many terminals (xterm,
tmux, VTE without bidi, the Windows console, VS Code's terminal) then show Arabic from left to
right with every letter in its unjoined form. In ``reorder`` mode this module turns stored
(logical) text into what such a terminal must be sent to show it right: Arabic letters are
replaced by their joined presentation forms (arabic_reshaper) and each line is put in visual
order (python-bidi, the Unicode bidirectional algorithm), right-aligned when it reads from right
to left. Terminals that do their own bidi (Konsole, mlterm, iTerm2 with its setting, VTE with
bidi on) would reverse that a second time, so the default mode is ``off``.

Text is wrapped to the terminal width *before* it is reordered: the first words of a paragraph
must end up on its first line, which is only true if lines are cut from the logical text.

The functions here are pure and only produce display strings: stored answers, questionnaires
and exported records always keep the logical text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# The display mode lives in its own small module, so that a command can read it without
# loading this one; it is re-exported here.
from screening.rtl import RTL_ENV_VAR as RTL_ENV_VAR
from screening.rtl import RtlMode as RtlMode
from screening.rtl import rtl_mode_from_env as rtl_mode_from_env

__all__ = [
    "RTL_ENV_VAR",
    "RtlMode",
    "cell_width",
    "display",
    "display_lines",
    "is_rtl_text",
    "rtl_mode_from_env",
    "wrap",
]


# --- measuring ------------------------------------------------------------------------------


# Zero width, as rich measures it: marks (rich counts spacing marks, the Indic vowel signs, as
# zero too, so this does the same and lines never overflow rich's own layout), format and
# control characters, line and paragraph separators, the Hangul jamo that join onto the
# syllable before them, the Hangul fillers and the emoji skin-tone modifiers.
def cell_width(text: str) -> int:
    """Measure text in terminal cells, as a terminal draws it (:func:`screening.textwidth.width`).

    Counted by grapheme clusters: marks and format characters take no cell, East Asian wide
    and full-width characters two, and the spacing vowel signs of Indic scripts one, as
    terminals draw them (rich's ``cell_len`` counts those as zero, which is why such text is
    kept out of bordered tables).

    Args:
        text: One line of text.

    Returns:
        The number of cells the line occupies.
    """
    from screening.textwidth import width

    return width(text)


def _wrap_paragraph(paragraph: str, width: int) -> list[str]:
    """One paragraph's lines, cut at white space and never inside a grapheme cluster."""
    from screening.textwidth import wrap as wrap_cells

    return wrap_cells(paragraph, width)


def _paragraphs(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def wrap(text: str, width: int) -> list[str]:
    """Wrap logical text to ``width`` terminal cells.

    Words are separated by single spaces (runs of blanks and tabs collapse); a word wider than
    the line is cut between grapheme clusters. Newlines in the text start a new paragraph, and an
    empty paragraph gives an empty line.

    Args:
        text: The text as stored.
        width: The number of cells available, at least 1.

    Returns:
        The lines, each at most ``width`` cells unless it holds a single character wider than
        that.

    Raises:
        ValueError: ``width`` is less than 1.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    return [line for paragraph in _paragraphs(text) for line in _wrap_paragraph(paragraph, width)]


# --- direction ------------------------------------------------------------------------------

_RTL_CLASSES = frozenset({"R", "AL"})
_STRONG_CLASSES = frozenset({"L", "R", "AL"})


def _first_strong_is_rtl(text: str) -> bool | None:
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in _STRONG_CLASSES:
            return direction in _RTL_CLASSES
    return None


def is_rtl_text(text: str) -> bool:
    """Tell whether text reads from right to left.

    Args:
        text: Logical text.

    Returns:
        True when its first strong character (bidi class L, R or AL) is R or AL; False when it
        is L or there is none.
    """
    return bool(_first_strong_is_rtl(text))


# --- shaping and reordering -----------------------------------------------------------------

# Only the four lam-alef ligatures, which Arabic writing requires, are formed. The word
# ligatures (such as U+FDF2 for "Allah") are single characters drawn far wider than the one
# cell a terminal gives them, and "LAM WITH ALEF MAKSURA" is an optional ligature.
_LAM_ALEF_LIGATURES = frozenset(
    {
        "ARABIC LIGATURE LAM WITH ALEF",
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
        "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
    }
)


# Letters that Unicode gives no joined forms (no presentation forms), spelled as the canonically
# equivalent sequence that has them: Urdu HEH GOAL WITH HAMZA ABOVE (U+06C2, the izafat of
# "مسئلۂ") is HEH GOAL (U+06C1, four forms) with HAMZA ABOVE (U+0654, a mark). The text means
# the same (its NFD) and joins with its neighbours. TEH MARBUTA GOAL (U+06C3) has no such
# spelling and stays unjoined (docs/languages.md).
_EQUIVALENT_SPELLINGS = str.maketrans({"\u06c2": "\u06c1\u0654"})


@lru_cache(maxsize=1)
def _reshape_function() -> Callable[[str], str]:
    # Imported here, and only in reorder mode: the interview starts without paying for it.
    from arabic_reshaper import ArabicReshaper
    from arabic_reshaper.ligatures import LIGATURES

    # Every setting is given, so a file named by PYTHON_ARABIC_RESHAPER_CONFIGURATION_FILE
    # cannot change what officers see.
    configuration: dict[str, bool | str] = {
        name: name in _LAM_ALEF_LIGATURES for name, _ in LIGATURES
    }
    configuration.update(
        language="Arabic",  # also covers the Persian and Urdu letters
        delete_harakat=False,  # vowel marks are part of the text: keep them
        shift_harakat_position=False,  # marks are kept after their letters by _reorder
        delete_tatweel=False,
        support_zwj=True,
        use_unshaped_instead_of_isolated=False,
        support_ligatures=True,
    )
    reshape: Callable[[str], str] = ArabicReshaper(configuration=configuration).reshape
    return lambda text: reshape(text.translate(_EQUIVALENT_SPELLINGS))


# python-bidi 0.5+ `bidi.get_display` (the unicode-bidi Rust crate) resolves the embedding
# levels and reverses runs (rules L1-L2) but neither keeps combining marks after their base (L3)
# nor mirrors brackets (L4) (python-bidi issue #25): an Arabic word's vowel marks would land on
# the wrong letters and "(Ali)" would show as ")Ali(". Its older pure-Python `bidi.algorithm`
# mirrors but predates bracket pairs and isolates (it fails on U+2067). So the levels are taken
# from the Rust one, whose `debug=True` output lists the resolved level of every UTF-8 byte,
# and rules L1-L4 are applied here.
_DEBUG_LEVELS = re.compile(r"\n    levels: \[(.*?)\n    \]", re.DOTALL)
_LEVEL = re.compile(r"Level\(\s*(\d+)")
_EXPLICIT_CLASSES = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
# Reset to the paragraph level at the end of a line (L1), with the characters X9 ignores.
_TRAILING_CLASSES = _EXPLICIT_CLASSES | {"WS", "BN"}
# Explicit formatting characters and marks have done their work once a line is in visual
# order; a terminal without bidi could only draw them wrongly.
_BIDI_MARKS = frozenset("\u061c\u200e\u200f")


def _resolved_levels(text: str, rtl: bool) -> list[int] | None:
    """The embedding level of each character, or None if python-bidi's output is not understood."""
    from bidi import get_display

    debug: str = get_display(text, base_dir="R" if rtl else "L", debug=True)
    found = _DEBUG_LEVELS.search(debug)
    byte_levels = [int(level) for level in _LEVEL.findall(found.group(1))] if found else []
    if len(byte_levels) != len(text.encode("utf-8")):
        return None
    levels: list[int] = []
    offset = 0
    for char in text:
        levels.append(byte_levels[offset])
        offset += len(char.encode("utf-8"))
    return levels


def _reorder(text: str, levels: list[int], rtl: bool) -> str:
    """Apply rules L1-L4 of the bidi algorithm to one line with resolved levels."""
    from bidi.mirror import MIRRORED

    base = 1 if rtl else 0
    classes = [unicodedata.bidirectional(char) for char in text]
    levels = list(levels)
    # L1: separators, and blanks before them or at the end of the line, take the base level.
    trailing = True
    for index in reversed(range(len(text))):
        if classes[index] in ("S", "B"):
            levels[index], trailing = base, True
        elif trailing and classes[index] in _TRAILING_CLASSES:
            levels[index] = base
        else:
            trailing = False
    # L3 by construction: a base character and the marks after it move as one unit.
    units: list[list[int]] = []
    for index, cls in enumerate(classes):
        if units and cls == "NSM" and levels[index] == levels[units[-1][0]]:
            units[-1].append(index)
        else:
            units.append([index])
    # L2: from the highest level to the lowest odd one, reverse every run at that level or above.
    unit_levels = [levels[unit[0]] for unit in units]
    odd_levels = [level for level in unit_levels if level % 2]
    order = list(range(len(units)))
    for level in range(max(unit_levels, default=0), min(odd_levels, default=1) - 1, -1):
        start = 0
        while start < len(order):
            if unit_levels[order[start]] < level:
                start += 1
                continue
            end = start
            while end < len(order) and unit_levels[order[end]] >= level:
                end += 1
            order[start:end] = order[start:end][::-1]
            start = end
    # L4: characters at right-to-left levels are drawn mirrored: "(" shows as ")".
    out: list[str] = []
    for unit in order:
        for index in units[unit]:
            char = text[index]
            if classes[index] in _EXPLICIT_CLASSES or char in _BIDI_MARKS:
                continue
            out.append(MIRRORED.get(char, char) if levels[index] % 2 else char)
    return "".join(out)


def _visual_line(line: str, rtl: bool) -> str:
    shaped = _reshape_function()(line)
    levels = _resolved_levels(shaped, rtl)
    if levels is not None:
        return _reorder(shaped, levels, rtl)
    # A python-bidi whose debug output changed: its own order is still readable, only marks
    # and brackets may face the wrong way.
    from bidi import get_display

    visual: str = get_display(shaped, base_dir="R" if rtl else "L")
    return "".join(
        char
        for char in visual
        if unicodedata.bidirectional(char) not in _EXPLICIT_CLASSES and char not in _BIDI_MARKS
    )


def _paragraph_directions(paragraphs: list[str], rtl: bool | None) -> list[bool]:
    if rtl is not None:
        return [rtl] * len(paragraphs)
    # A paragraph without a strong character (a number alone, say) follows the whole text.
    whole = is_rtl_text("\n".join(paragraphs))
    found = (_first_strong_is_rtl(paragraph) for paragraph in paragraphs)
    return [whole if direction is None else direction for direction in found]


def display_lines(text: str, width: int, mode: RtlMode, *, rtl: bool | None = None) -> list[str]:
    """Wrap text to the terminal width and, in reorder mode, put each line in visual order.

    Lines are cut from the logical text first. In ``reorder`` mode each line is then shaped
    (joined Arabic letter forms) and reordered on its own, and right-to-left lines are padded
    on the left to ``width`` cells so that they end at the right edge. Left-to-right words and
    numbers inside right-to-left text keep their reading order (``995`` stays ``995``).

    Args:
        text: The text as stored; newlines separate paragraphs.
        width: The number of cells available, at least 1.
        mode: ``RtlMode.OFF`` only wraps; ``RtlMode.REORDER`` also shapes, reorders and aligns.
        rtl: The base direction: True for right to left, False for left to right (Arabic words
            are still shaped and reordered, lines are not aligned), None to take each
            paragraph's from its first strong character (the whole text's when it has none).

    Returns:
        The display lines, one per terminal row. They are for the screen only.

    Raises:
        ValueError: ``width`` is less than 1.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    if mode is RtlMode.OFF:
        return wrap(text, width)
    paragraphs = _paragraphs(text)
    lines: list[str] = []
    for paragraph, is_rtl in zip(paragraphs, _paragraph_directions(paragraphs, rtl), strict=True):
        for line in _wrap_paragraph(paragraph, width):
            visual = _visual_line(line, is_rtl)
            if is_rtl and visual:
                visual = " " * max(0, width - cell_width(visual)) + visual
            lines.append(visual)
    return lines


def display(text: str, mode: RtlMode, *, rtl: bool | None = None) -> str:
    """Give the display form of a short label, such as a choice in a select list.

    Nothing is wrapped or padded. In ``reorder`` mode the label is shaped and put in visual
    order (each line on its own if it holds newlines); in ``off`` mode it is returned as is.

    Args:
        text: The label as stored.
        mode: The display mode.
        rtl: The base direction: True for right to left, False for left to right, None to take
            it from the first strong character.

    Returns:
        The string to show. It is for the screen only.
    """
    if mode is RtlMode.OFF or not text:
        return text
    paragraphs = _paragraphs(text)
    return "\n".join(
        _visual_line(paragraph, is_rtl)
        for paragraph, is_rtl in zip(
            paragraphs, _paragraph_directions(paragraphs, rtl), strict=True
        )
    )
