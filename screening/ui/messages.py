"""Messages for people: error lines, the problems `validate` finds, and the summaries of
`score` and `validate`.

With ``--rtl reorder``, a line in right-to-left text is wrapped to the terminal, each line put
in display order and aligned to the right (after the ``screening: error:`` prefix); a line in
left-to-right text is written as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from screening.bidi import is_rtl_text

if TYPE_CHECKING:
    from screening.ui.view import View

__all__ = ["error_lines", "problem_lines", "summary_line"]


def _write(view: View, prefix: str, text: str) -> None:
    if view.reorder and is_rtl_text(text):
        lines = view.block(text, view.columns - len(prefix) - 1, rtl=True)
        view.stderr.write(prefix + ("\n" + " " * len(prefix)).join(lines) + "\n")
    else:
        view.stderr.write(prefix + text + "\n")


def error_lines(view: View, prefix: str, lines: Sequence[str]) -> None:
    """An error: its first line after ``prefix``, the others (hint, more problems) indented.

    The lines are already made visible (nothing in them acts on the terminal).
    """
    _write(view, prefix, lines[0])
    for line in lines[1:]:
        _write(view, "  ", line)
    view.stderr.flush()


def summary_line(view: View, text: str, *, prefix: str = "") -> None:
    """A summary for people (``N files valid``) in the officer's language."""
    from screening.sanitize import visible

    _write(view, prefix, visible(text))
    view.stderr.flush()


def problem_lines(view: View, problems: Sequence[str]) -> None:
    """Problems found in files, one a line on stdout (``path:line:column: message``), made
    visible: a problem quotes the file, and nothing in it may act on the terminal."""
    from screening.sanitize import visible

    for problem in problems:
        view.stdout.write(visible(problem) + "\n")
    view.stdout.flush()
