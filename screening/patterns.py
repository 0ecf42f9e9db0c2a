"""A text question's ``pattern``: RE2 syntax, matched in time linear in the answer (core).

Python's ``re`` backtracks: a pattern such as ``(a+)+$`` takes exponential time on an answer
of a few dozen characters, and a questionnaire file must not be able to hang a screening. RE2
(google-re2) guarantees matching in time linear in the text and refuses the constructs that
need backtracking (back-references, look-around). Counts in ``{m,n}`` are bounded here as well:
RE2 takes an overflowing count such as ``a{4294967296}`` for literal text, which no author means.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    import re2

from screening.limits import MAX_PATTERN_REPEAT


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why."""


class _Compiled(Protocol):
    def fullmatch(self, text: str) -> object | None: ...


@functools.cache
def _options() -> re2.Options:
    """RE2's options, RE2 imported when a first pattern is compiled (most runs have none)."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would log each refused pattern on stderr itself
    return options


_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_BRACED_ESCAPES = "pPx"  # \p{Greek}, \P{Greek}, \x{10FFFF}


def _repeat_counts(pattern: str) -> list[int]:
    """The counts of every ``{m}``, ``{m,}`` and ``{m,n}`` outside escapes and classes."""
    counts: list[int] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            if i + 2 < n and pattern[i + 1] in _BRACED_ESCAPES and pattern[i + 2] == "{":
                end = pattern.find("}", i + 2)
                i = n if end < 0 else end + 1
            else:
                i += 2
            continue
        if in_class:
            if char == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                i = n if end < 0 else end + 2
                continue
            if char == "]":
                in_class = False
            i += 1
            continue
        if char == "[":
            in_class = True
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1  # a ']' first in a class is the character itself
            continue
        if char == "{":
            found = _REPEAT.match(pattern, i)
            if found:
                counts.extend(int(g) for g in found.groups() if g)
                i = found.end()
                continue
        i += 1
    return counts


def check_pattern(pattern: str) -> None:
    """Raise :class:`PatternError` when the pattern cannot be used.

    Raises:
        PatternError: not RE2 syntax, or a count in ``{m,n}`` over the bound.
    """
    compile_pattern(pattern)


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> _Compiled:
    """The pattern compiled by RE2 (kept: questionnaires are loaded once per run).

    Raises:
        PatternError: not RE2 syntax, or a count in ``{m,n}`` over the bound.
    """
    if any(count > MAX_PATTERN_REPEAT for count in _repeat_counts(pattern)):
        raise PatternError(
            f"a repetition count in {{m,n}} is over {MAX_PATTERN_REPEAT:,}; use a smaller count "
            "(or `max_length` for the length of the answer)"
        )
    options = _options()
    import re2

    try:
        return cast(_Compiled, re2.compile(pattern, options))
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"{reason} (patterns use RE2 syntax)") from None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether the whole text matches the pattern (the pattern must be valid)."""
    return compile_pattern(pattern).fullmatch(text) is not None
