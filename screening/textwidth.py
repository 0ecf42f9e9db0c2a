"""How many terminal cells text takes, measured by grapheme clusters (core: pure).

A terminal draws text in a grid of cells. Indic scripts (Devanagari for Hindi and Nepali,
Bengali, Malayalam, Tamil, Sinhala) write one syllable as a *grapheme cluster* of several code
points: a consonant, a virama that joins it to the next one (a conjunct, sometimes with a zero
width joiner or non-joiner), and vowel signs. rich's ``cell_len`` counts every spacing vowel
sign (general category Mc, such as the "ि" of "हिन्दी") as zero cells, while terminals give it a
cell of its own, so rich's measure of such text is too short and a line padded by it ends short
of its border or runs past the screen's edge. This module measures as terminals do:

- text is cut into grapheme clusters by wcwidth's ``iter_graphemes`` (Unicode's extended
  grapheme clusters, UAX #29, including the conjunct rule of Unicode 15.1 that keeps
  consonant + virama + consonant together); a cluster that ends with a zero width joiner is
  kept with the cluster after it (Sinhala writes the conjuncts yansaya and rakaransaya with one:
  "ශ්‍රී");
- a cluster takes the cells its code points take, each measured by ``wcwidth.wcwidth`` (East
  Asian wide characters two cells, marks and format characters none), except that a spacing
  mark (Mc) takes one cell: this is how tmux, GNOME Terminal and the other VTE terminals,
  xterm, Konsole and the C library's ``wcwidth`` advance the cursor;
- inside tmux (3.3 and later), a character after a zero width joiner is drawn in the cell of
  the character before it, so ``Cells.TMUX`` counts it as zero; :func:`cells_from_env`
  chooses that when the ``TMUX`` variable is set.

Lines are only ever cut between clusters, so a syllable is never split across two lines.

Newer terminals that shape whole clusters (kitty, WezTerm, foot, Ghostty; Windows Terminal in
its grapheme mode) give some clusters fewer cells; the measure here is then too wide, never too
narrow, so a wrapped line still fits on the screen. See docs/languages.md for the figures.

For a renderer built on rich: wrap with :func:`wrap`, align with :func:`pad`, and print each line
as it is (rich's ``Text(line)`` with ``no_wrap=True`` and ``overflow="ignore"``), so that rich does
not measure the line again with its own ``cell_len``. Text from files or people goes through
``screening.sanitize.visible`` first: control characters are not measured here (they count as
zero cells).
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Literal

__all__ = [
    "TMUX_ENV_VAR",
    "Cells",
    "cells_from_env",
    "clip",
    "clusters",
    "pad",
    "width",
    "wrap",
]

TMUX_ENV_VAR = "TMUX"
"""Set by tmux in every program it runs inside a pane."""

ZWJ = "\u200d"
"""ZERO WIDTH JOINER."""

# Spaces that must not become line breaks: no-break space, narrow no-break space, figure space,
# word joiner. Every other white space character may.
_NO_BREAK = frozenset("\u00a0\u202f\u2007\u2060")


class Cells(enum.StrEnum):
    """How the terminal gives cells to the characters of a grapheme cluster.

    Attributes:
        TERMINAL: Each code point its own cells (spacing marks one): GNOME Terminal and the
            other VTE terminals, xterm, Konsole, macOS Terminal, mintty, PuTTY.
        TMUX: The same, but a character after a zero width joiner shares the cell before it,
            as tmux 3.3 and later draw it.
    """

    TERMINAL = "terminal"
    TMUX = "tmux"


def cells_from_env(env: Mapping[str, str]) -> Cells:
    """The way cells are counted where the program runs.

    Args:
        env: The environment; only ``TMUX`` is read.

    Returns:
        ``Cells.TMUX`` inside tmux (``TMUX`` set and not empty), else ``Cells.TERMINAL``.
    """
    return Cells.TMUX if env.get(TMUX_ENV_VAR) else Cells.TERMINAL


def code_point_cells(char: str) -> int:
    """The cells one code point takes when a terminal draws it (a spacing vowel sign: one).

    Args:
        char: One code point.

    Returns:
        0, 1 or 2.
    """
    return _code_point_cells(char)


@lru_cache(maxsize=8192)
def _code_point_cells(char: str) -> int:
    from wcwidth import wcwidth

    if unicodedata.category(char) == "Mc":
        return 1
    # wcwidth gives -1 for control characters, which a terminal does not draw in a cell.
    return max(0, wcwidth(char))


@lru_cache(maxsize=8192)
def _cluster_cells(cluster: str, cells: Cells) -> int:
    total = 0
    after_zwj = False
    for char in cluster:
        if not (after_zwj and cells is Cells.TMUX):
            total += _code_point_cells(char)
        after_zwj = char == ZWJ
    return total


def clusters(text: str) -> list[str]:
    """Cut text into the units that are never split: grapheme clusters.

    A cluster that ends with a zero width joiner is kept with the cluster after it.

    Args:
        text: Any text.

    Returns:
        The clusters, in order; joined together they give ``text`` back.
    """
    from wcwidth import iter_graphemes

    out: list[str] = []
    for cluster in iter_graphemes(text):
        if out and out[-1].endswith(ZWJ):
            out[-1] += cluster
        else:
            out.append(cluster)
    return out


def width(text: str, cells: Cells = Cells.TERMINAL) -> int:
    """The number of terminal cells a line of text takes.

    Args:
        text: One line (a line break in it counts as no cell).
        cells: How the terminal counts cells (see :class:`Cells`).

    Returns:
        The sum of the widths of its clusters.
    """
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(_cluster_cells(cluster, cells) for cluster in clusters(text))


def clip(text: str, columns: int, cells: Cells = Cells.TERMINAL) -> str:
    """The longest start of a line that fits in ``columns`` cells, cut between clusters.

    Args:
        text: One line.
        columns: The number of cells available (none when less than 1).
        cells: How the terminal counts cells.

    Returns:
        The start of ``text``: whole clusters only, at most ``columns`` cells.
    """
    kept: list[str] = []
    used = 0
    for cluster in clusters(text):
        size = _cluster_cells(cluster, cells)
        if used + size > columns:
            break
        kept.append(cluster)
        used += size
    return "".join(kept)


def pad(
    line: str,
    columns: int,
    *,
    align: Literal["left", "right", "center"] = "left",
    cells: Cells = Cells.TERMINAL,
) -> str:
    """A line with spaces added so that it takes exactly ``columns`` cells.

    Args:
        line: One line, as :func:`wrap` returns it.
        columns: The width to fill.
        align: Where the line goes: spaces after it (``left``), before it (``right``), or
            shared, the extra one after (``center``).
        cells: How the terminal counts cells.

    Returns:
        The padded line; a line already ``columns`` cells wide or wider is returned as is
        (cut it with :func:`clip` or wrap it first).
    """
    missing = columns - width(line, cells)
    if missing <= 0:
        return line
    if align == "right":
        return " " * missing + line
    if align == "center":
        before = missing // 2
        return " " * before + line + " " * (missing - before)
    return line + " " * missing


def _words(paragraph: str) -> Iterator[str]:
    """The words of a paragraph: runs of clusters between white space clusters.

    White space that a mark follows ("क ि", a vowel sign typed after a space) is one cluster with
    the mark, part of a word, so that even a malformed cluster is never split.
    """
    word: list[str] = []
    for cluster in clusters(paragraph):
        if cluster.isspace() and len(cluster) == 1 and cluster not in _NO_BREAK:
            if word:
                yield "".join(word)
                word = []
        elif cluster[0].isspace() and cluster[0] not in _NO_BREAK:
            # a mark after white space: one space carries it, as a run of blanks becomes one
            word.append(" " + cluster.lstrip())
        else:
            word.append(cluster)
    if word:
        yield "".join(word)


def _break_word(word: str, columns: int, cells: Cells) -> list[str]:
    pieces: list[str] = []
    piece, used = "", 0
    for cluster in clusters(word):
        size = _cluster_cells(cluster, cells)
        if piece and used + size > columns:
            pieces.append(piece)
            piece, used = "", 0
        piece += cluster
        used += size
    if piece:
        pieces.append(piece)
    return pieces


def _wrap_paragraph(paragraph: str, columns: int, cells: Cells) -> list[str]:
    lines: list[str] = []
    line, used = "", 0
    for word in _words(paragraph):
        size = width(word, cells)
        if line and used + 1 + size <= columns:
            line, used = f"{line} {word}", used + 1 + size
            continue
        if line:
            lines.append(line)
        if size <= columns:
            line, used = word, size
        else:
            *full, line = _break_word(word, columns, cells)
            lines.extend(full)
            used = width(line, cells)
    lines.append(line)
    return lines


def wrap(text: str, columns: int, cells: Cells = Cells.TERMINAL) -> list[str]:
    """Wrap text to ``columns`` terminal cells, never splitting a grapheme cluster.

    Lines break at white space (a no-break space does not break); runs of blanks become one
    space and no line starts or ends with one. A word wider than the line is cut between
    clusters. A newline starts a new paragraph; an empty paragraph gives an empty line.

    Args:
        text: The text as stored (logical order; right-to-left text is wrapped before it is
            reordered, see ``screening.bidi``).
        columns: The number of cells available, at least 1.
        cells: How the terminal counts cells (:func:`cells_from_env`).

    Returns:
        The lines, each at most ``columns`` cells wide unless it holds a single cluster wider
        than that.

    Raises:
        ValueError: ``columns`` is less than 1.
    """
    if columns < 1:
        raise ValueError(f"columns must be at least 1, not {columns}")
    paragraphs = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line for p in paragraphs for line in _wrap_paragraph(p, columns, cells)]
