"""Text from files and people, made safe to show on a terminal (the one sanitiser).

Answers, notes, questionnaire and scenario text, officer ids, case ids and file names come from
outside the program. Sent to a terminal as they are, their control characters act instead of
being read: an escape sequence can set the window title or write the clipboard (OSC 0, OSC 52),
clear the screen or hide what follows; a bidi override (U+202E, U+2066) reverses or isolates
the text after it; and text given to rich as markup can open a live hyperlink (``[link=...]``)
or end a style that was never opened (``[/x]``, an error).

Every such text reaches the screen through :func:`visible` (plain text) or :func:`markup`
(text that rich reads as markup). Neither is ever applied to what is stored or exported: the
store and the referral keep the text exactly as it was given.

What :func:`visible` does:

- C0 controls and DEL are shown as their Unicode control pictures (``\\x1b`` as ``␛``);
  a tab becomes a space; a line break is kept only where the text may have lines.
- C1 controls (U+0080 to U+009F; U+009B starts a sequence on some terminals) and the
  characters that change the direction or the lines of what follows (embeddings, overrides
  and isolates of the bidi algorithm, the line and paragraph separators) are shown as
  ``<U+XXXX>``, and so is a lone surrogate (which no terminal encoding can write). The marks
  LRM, RLM and ALM stay: they act on the characters beside them only,
  and right-to-left text needs them.

This module does no I/O and imports nothing.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "markup", "visible"]

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, overrides and their end
    "\u2066\u2067\u2068\u2069"  # isolates and their end
)
"""Characters that change the direction of the text after them."""

_SEPARATORS = frozenset("\u2028\u2029\u0085")
"""Line and paragraph separators (U+0085 is a C1 control too)."""

_BRACKET = re.compile(r"(\\*)(\[(?:[a-z#/@][^[]*?\])?)")
"""An opening bracket with the backslashes before it, and the tag it opens if rich reads one
there (rich.markup's own pattern for a tag)."""


def _shown(char: str, lines: bool) -> str:
    code = ord(char)
    if char == "\n":
        return "\n" if lines else "\u2424"  # ␤
    if char == "\t":
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ... ␟ (␛ for ESC)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str, *, lines: bool = False) -> str:
    """Text from outside the program, with nothing in it that the terminal would act on.

    Args:
        text: The text as stored.
        lines: Keep line breaks (a text that may have several lines, such as an account);
            else a line break is shown as ``␤``.

    Returns:
        The text to show; printable characters are unchanged.
    """
    if text.isprintable() and not (BIDI_CONTROLS.intersection(text)):
        return text  # the usual case, at the cost of one scan
    if lines:
        text = text.replace("\r\n", "\n")
    out: list[str] = []
    for char in text:
        code = ord(char)
        if (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or 0xD800 <= code <= 0xDFFF  # a lone surrogate cannot even be written
            or char in BIDI_CONTROLS
            or char in _SEPARATORS
        ):
            out.append(_shown(char, lines))
        else:
            out.append(char)
    return "".join(out)


def markup(text: str, *, lines: bool = False) -> str:
    """Text from outside the program, for a place where rich reads markup.

    The text is made :func:`visible`, then what rich would read as a tag is escaped, so that
    rich shows it as written: ``[link=...]`` stays text and ``[/x]`` is no error. The result
    may be followed by markup of the program's own: backslashes at its end are doubled, so
    that they do not escape a tag after them.
    """
    shown = visible(text, lines=lines)

    # rich reads backslashes only before a bracket: before a tag, each backslash is doubled
    # and the tag escaped; before a lone bracket, one backslash more keeps them all
    def escape(match: re.Match[str]) -> str:
        run, bracket = match.group(1), match.group(2)
        if len(bracket) > 1:
            return run * 2 + "\\" + bracket
        return (run + "\\" if run else "") + bracket

    escaped = _BRACKET.sub(escape, shown)
    trailing = len(escaped) - len(escaped.rstrip("\\"))
    return escaped + "\\" * trailing
