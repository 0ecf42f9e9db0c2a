"""A small, strict reader for the YAML answers files are written in (readers: stdlib only).

Reading an answers file is the common case of ``screening score``, and importing PyYAML costs
more than reading the file. This reader takes the block-style subset that answers files are
written in, by hand, after the documentation's examples or by ``yaml.safe_dump``, and gives
exactly the data :func:`screening.loader.parse_yaml` gives for the same text, down to the type of
every scalar. Anything outside the subset, or in any doubt, is left to the loader: :func:`parse`
returns :data:`NOT_HANDLED`, never an error, so that every message, line and column stays the
loader's.

The subset: a mapping at the top, optionally after ``---``; block mappings whose keys are plain
or quoted on one line; block sequences (indented or not) of scalars, mappings and sequences;
flow sequences and mappings that end on the line they start on (``[a, b]``, ``{age: 34}``,
``{}``); plain scalars on one or several lines; single- and double-quoted scalars on one or
several lines, with the double-quoted escapes that make printable text (backslash, quote,
slash, tab, line feed, space, no-break space, the line and paragraph separators, an escaped line
break, and ``x``, ``u``, ``U`` codes); literal and folded block scalars (``|``, ``>``, with
``-`` or ``+``); comments.

Not handled: tabs, carriage returns without a line feed, characters YAML does not allow, a byte
order mark inside the text, directives, a second document, anchors, aliases, tags, flow
collections over several lines, complex keys (``?``), block scalars with an indentation
indicator, escapes that make control characters or surrogates, duplicate keys, plain scalars
that YAML 1.1 could read as a float, a timestamp other than a plain date, a sexagesimal, octal,
hexadecimal or binary number (``1.5``, ``1:30``, ``017``, ``0x1F``), ``<<`` and ``=``, and
anything deeper, larger or longer than an answers file needs.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Literal

# What a double-quoted escape (\e, \a, \x1b, \N) can make that the loader refuses: control
# characters other than tab and line feed (the same pattern as screening.loader's _CONTROL).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""The control characters the loader refuses in a scalar."""


class Unhandled(Enum):
    """The type of :data:`NOT_HANDLED`."""

    NOT_HANDLED = "not handled"


NOT_HANDLED = Unhandled.NOT_HANDLED
"""What :func:`parse` returns for text outside its subset: read it with the loader."""

_MAX_CHARS = 1_000_000
_MAX_NODES = 50_000
_MAX_DEPTH = 20
_MAX_KEY_BYTES = 1_000  # YAML forbids simple keys over 1,024 characters
_MAX_INT_DIGITS = 100

# Characters that YAML 1.1 does not allow or reads as line breaks, besides CONTROL, the tab and
# the lone surrogate (matching them one by one costs less than compiling a pattern of them).
_WIDE = ("\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff")
# Plain scalars are resolved as the loader resolves them (screening.loader: _Resolver), with
# sets and string tests rather than patterns, which cost more to compile than a file to read.
_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_DIGITS = frozenset("0123456789")
# What YAML 1.1 writes numbers with, in any base, sexagesimal, with `_` or an exponent.
_NUMBER = frozenset("0123456789-+_.:abcdefABCDEFxXoObB")
_INFINITE = frozenset((".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"))
_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@`")  # indicators that cannot start a plain scalar
_FLOW_FORBIDDEN = frozenset("[]{}#:?,")
_QUOTED_SPECIAL = re.compile(r'["\\]')
_ESCAPES = {
    "\\": "\\",
    '"': '"',
    "/": "/",
    " ": " ",
    "t": "\t",
    "n": "\n",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_ESCAPE_SIZES = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")


class _Outside(Exception):
    """The text is outside the subset: the loader reads it."""


def parse(text: str) -> dict[Any, Any] | Literal[Unhandled.NOT_HANDLED]:
    """Read a YAML document that holds a mapping, as ``parse_yaml(text, name)[0]`` would.

    Returns:
        The mapping, or :data:`NOT_HANDLED` when the text is outside the subset (or not valid
        YAML, or not a mapping): then read it with :func:`screening.loader.parse_yaml`.
    """
    if len(text) > _MAX_CHARS:
        return NOT_HANDLED
    text = text.replace("\r\n", "\n")  # as YAML reads a line break
    if CONTROL.search(text) or "\t" in text:  # CONTROL holds a lone carriage return
        return NOT_HANDLED
    if not text.isascii():
        if any(char in text for char in _WIDE):
            return NOT_HANDLED
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return NOT_HANDLED
    try:
        return _Reader(text).document()
    except _Outside:
        return NOT_HANDLED


def _resolve(text: str) -> Any:
    """A plain scalar's value, as the loader resolves it: null, true and false, decimal
    integers, and text. Text that YAML 1.1 could read as a float, a timestamp or an integer in
    another form is left to the loader, but for a plain date (``2024-03-01``), which is text."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text[0] in "-+.0123456789":
        digits = text[1:] if text[0] in "-+" else text
        if _DIGITS.issuperset(digits) and digits and (digits[0] != "0" or digits == "0"):
            if len(text) > _MAX_INT_DIGITS:
                raise _Outside
            return int(text)
        if _is_date(text):
            return text
        number = digits[1:] if digits.startswith(".") else digits
        if (number[:1] in _DIGITS and _NUMBER.issuperset(number)) or digits in _INFINITE:
            raise _Outside  # a float, or a number in another form
        if text[4:5] == "-" and _DIGITS.issuperset(text[:4]):
            raise _Outside  # a timestamp
    elif text in ("<<", "="):
        raise _Outside
    return text


def _is_date(text: str) -> bool:
    """Whether the text is a plain date, ``YYYY-MM-DD``."""
    return (
        len(text) == 10
        and text[4] == text[7] == "-"
        and _DIGITS.issuperset(text[:4] + text[5:7] + text[8:])
    )


def _plain_start(line: str, at: int) -> bool:
    """Whether a plain scalar may start at ``line[at]``."""
    char = line[at]
    if char not in _NOT_PLAIN:
        return True
    return char == "-" and at + 1 < len(line) and line[at + 1] != " "


def _spaces(line: str, at: int) -> int:
    """The first column from ``at`` that is not a space."""
    while at < len(line) and line[at] == " ":
        at += 1
    return at


def _flow_plain(text: str) -> str:
    """A plain scalar inside a flow collection, without the spaces after it."""
    text = text.rstrip(" ")
    if not text or text[0] in _NOT_PLAIN or not _FLOW_FORBIDDEN.isdisjoint(text):
        raise _Outside
    return text


def _end_of_line(line: str, at: int) -> bool:
    """Whether only spaces, then perhaps a comment, follow ``at``."""
    rest = line[at:]
    stripped = rest.lstrip(" ")
    return not stripped or (stripped[0] == "#" and len(stripped) < len(rest))


class _Reader:
    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        self.closed = lines[-1] == ""  # the last line ends with a line break
        if self.closed:
            lines.pop()
        self.lines = lines
        # Where each line's content starts; a block sequence's item is read as if its content
        # stood on a line of its own, at its column (see _sequence).
        self.cols = [len(line) - len(line.lstrip(" ")) for line in lines]
        self.nodes = 0

    def _count(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > _MAX_NODES or depth > _MAX_DEPTH:
            raise _Outside

    def _skip(self, i: int) -> int:
        """The first line from ``i`` that is neither blank nor a comment."""
        lines, cols = self.lines, self.cols
        while i < len(lines) and (cols[i] == len(lines[i]) or lines[i][cols[i]] == "#"):
            i += 1
        return i

    def _dash(self, i: int) -> bool:
        line, col = self.lines[i], self.cols[i]
        return line[col] == "-" and (col + 1 == len(line) or line[col + 1] == " ")

    def document(self) -> dict[Any, Any]:
        lines = self.lines
        i = self._skip(0)
        start = None
        if i < len(lines) and lines[i].startswith("---"):
            if not _end_of_line(lines[i], 3):
                raise _Outside
            start = i
            i = self._skip(i + 1)
        for number, line in enumerate(lines):
            if number != start and (
                line.startswith("%")
                or (line.startswith(("---", "...")) and (len(line) == 3 or line[3] == " "))
            ):
                raise _Outside  # a directive, a second document, the end of a document
        if i == len(lines):
            raise _Outside  # no document: the loader says so
        data, i = self._node(i, -1, 0)
        if not isinstance(data, dict) or self._skip(i) != len(lines):
            raise _Outside
        return data

    def _node(self, i: int, parent: int, depth: int) -> tuple[Any, int]:
        """The node whose content starts on line ``i``, in a block indented by ``parent``."""
        col = self.cols[i]
        if self._dash(i):
            return self._sequence(i, col, depth)
        if self._key(i, col) is not None:
            return self._mapping(i, col, depth)
        return self._scalar(i, col, parent, depth)

    def _mapping(self, i: int, indent: int, depth: int) -> tuple[dict[Any, Any], int]:
        self._count(depth)
        out: dict[Any, Any] = {}
        while True:
            i = self._skip(i)
            if i == len(self.lines) or self.cols[i] < indent:
                return out, i
            found = self._key(i, indent) if self.cols[i] == indent else None
            if found is None:
                raise _Outside
            key, after = found
            if key in out:
                raise _Outside  # the loader refuses it, with both lines
            out[key], i = self._value(i, after, indent, depth + 1)

    def _sequence(self, i: int, indent: int, depth: int) -> tuple[list[Any], int]:
        self._count(depth)
        items: list[Any] = []
        lines, cols = self.lines, self.cols
        while True:
            i = self._skip(i)
            if i == len(lines) or cols[i] < indent or not self._dash(i):
                return items, i
            if cols[i] > indent:
                raise _Outside
            line = lines[i]
            at = indent + 1
            while at < len(line) and line[at] == " ":
                at += 1
            if at == len(line) or line[at] == "#":
                value, i = self._below(i + 1, indent, depth + 1, indentless=False)
            else:
                cols[i] = at
                value, i = self._node(i, indent, depth + 1)
            items.append(value)

    def _key(self, i: int, col: int) -> tuple[Any, int] | None:
        """The mapping key that starts line ``i`` at ``col``, and the column after its ``:``;
        ``None`` when the line holds no key."""
        line = self.lines[i]
        char = line[col]
        if char in "'\"":
            quoted = self._quoted(i, col, -1, one_line=True)
            if quoted is None:
                return None
            key, _, end = quoted
            if not line.startswith(":", end) or line[end + 1 : end + 2] not in ("", " "):
                return None
            colon = end
        else:
            if not _plain_start(line, col):
                return None
            colon = line.find(":", col)
            while colon >= 0 and colon + 1 < len(line) and line[colon + 1] != " ":
                colon = line.find(":", colon + 1)
            comment = line.find(" #", col)
            if colon < 0 or 0 <= comment < colon:
                return None
            text = line[col:colon].rstrip(" ")
            if any(char in "[]{}" for char in text):
                raise _Outside
            key = _resolve(text)
            if key is None or isinstance(key, bool):
                key = text
        if len(line[col:colon].encode("utf-8")) > _MAX_KEY_BYTES:
            raise _Outside
        return key, colon + 1

    def _value(self, i: int, at: int, indent: int, depth: int) -> tuple[Any, int]:
        """A mapping's value, after the ``:`` at ``at`` - 1 of line ``i``."""
        line = self.lines[i]
        while at < len(line) and line[at] == " ":
            at += 1
        if at == len(line) or line[at] == "#":
            return self._below(i + 1, indent, depth, indentless=True)
        return self._scalar(i, at, indent, depth)

    def _below(self, i: int, indent: int, depth: int, *, indentless: bool) -> tuple[Any, int]:
        """A value that starts on a line of its own (``i`` or later), or null."""
        k = self._skip(i)
        if k < len(self.lines):
            if self.cols[k] > indent:
                return self._node(k, indent, depth)
            if indentless and self.cols[k] == indent and self._dash(k):
                return self._sequence(k, indent, depth)
        self._count(depth)
        return None, i

    def _scalar(self, i: int, at: int, indent: int, depth: int) -> tuple[Any, int]:
        """A scalar, a flow sequence or an empty flow mapping at ``at`` of line ``i``, in a
        block indented by ``indent``."""
        self._count(depth)
        line = self.lines[i]
        char = line[at]
        if char in "'\"":
            quoted = self._quoted(i, at, indent, one_line=False)
            if quoted is None:  # pragma: no cover - only one_line gives None
                raise _Outside
            text, i, end = quoted
            if not _end_of_line(self.lines[i], end):
                raise _Outside
            return text, i + 1
        if char in "[{":
            value, end = self._flow(i, at, depth)
            if not _end_of_line(line, end):
                raise _Outside
            return value, i + 1
        if char in "|>":
            return self._block(i, at, indent)
        if not _plain_start(line, at):
            raise _Outside
        text, i = self._plain(i, at, indent)
        return _resolve(text), i

    def _plain(self, i: int, at: int, indent: int) -> tuple[str, int]:
        """A plain scalar's text and the line after it; continuation lines are indented more
        than ``indent``, and each line break between them folds as YAML folds it."""
        lines = self.lines
        text, commented = self._plain_line(lines[i], at)
        chunks = [text]
        after = i + 1
        breaks = 0
        k = i + 1
        while not commented and k < len(lines):
            line = lines[k]
            content = line.lstrip(" ")
            if not content:
                breaks += 1
                k += 1
                continue
            start = len(line) - len(content)
            if start <= indent or content[0] == "#":
                break
            text, commented = self._plain_line(line, start)
            chunks.append("\n" * breaks if breaks else " ")
            chunks.append(text)
            breaks = 0
            k += 1
            after = k
        return "".join(chunks), after

    @staticmethod
    def _plain_line(line: str, at: int) -> tuple[str, bool]:
        """One line of a plain scalar, and whether a comment ends it."""
        comment = line.find(" #", at)
        text = (line[at:comment] if comment >= 0 else line[at:]).rstrip(" ")
        if ": " in text or text.endswith(":"):
            raise _Outside
        return text, comment >= 0

    def _fold(self, i: int, indent: int) -> tuple[int, int, int]:
        """The line a quoted scalar goes on to after line ``i``, where its text starts, and
        how many empty lines lie between."""
        breaks = 0
        k = i + 1
        while k < len(self.lines):
            line = self.lines[k]
            content = line.lstrip(" ")
            if content:
                start = len(line) - len(content)
                if start <= indent:
                    raise _Outside
                return k, start, breaks
            breaks += 1
            k += 1
        raise _Outside  # not closed

    def _quoted(
        self, i: int, at: int, indent: int, *, one_line: bool
    ) -> tuple[str, int, int] | None:
        """A quoted scalar starting at ``at`` of line ``i``: its text, the line it ends on and
        the column after its closing quote; ``None`` with ``one_line`` if it goes on."""
        line = self.lines[i]
        double = line[at] == '"'
        chunks: list[str] = []
        p = at + 1
        while True:
            if double:
                found = _QUOTED_SPECIAL.search(line, p)
                q = found.start() if found else -1
            else:
                q = line.find("'", p)
            if q < 0:  # a line break inside the scalar
                if one_line:
                    return None
                chunks.append(line[p:].rstrip(" "))
                i, p, breaks = self._fold(i, indent)
                line = self.lines[i]
                chunks.append("\n" * breaks if breaks else " ")
                continue
            chunks.append(line[p:q])
            if not double:
                if line.startswith("'", q + 1):
                    chunks.append("'")
                    p = q + 2
                    continue
                return "".join(chunks), i, q + 1
            if line[q] == '"':
                return "".join(chunks), i, q + 1
            if q + 1 == len(line):  # an escaped line break: no space
                if one_line:
                    return None
                i, p, breaks = self._fold(i, indent)
                line = self.lines[i]
                chunks.append("\n" * breaks)
                continue
            chunks.append(self._escape(line, q + 1))
            p = q + 2 + _ESCAPE_SIZES.get(line[q + 1], 0)

    @staticmethod
    def _escape(line: str, at: int) -> str:
        """The character a double-quoted escape makes (``line[at]`` follows the ``\\``)."""
        code = line[at]
        if code in _ESCAPES:
            return _ESCAPES[code]
        size = _ESCAPE_SIZES.get(code)
        digits = line[at + 1 : at + 1 + size] if size else ""
        if not size or len(digits) != size or not _HEX.issuperset(digits):
            raise _Outside
        number = int(digits, 16)
        if number > 0x10FFFF:
            raise _Outside
        char = chr(number)
        if CONTROL.match(char) or "\ud800" <= char <= "\udfff":
            raise _Outside  # the loader refuses it
        return char

    def _flow(self, i: int, at: int, depth: int) -> tuple[Any, int]:
        """A flow sequence or mapping that starts at ``at`` of line ``i`` and ends on it, and the
        column after it; its items are at ``depth`` + 1."""
        line = self.lines[i]
        mapping = line[at] == "{"
        close = "}" if mapping else "]"
        pairs: dict[Any, Any] = {}
        items: list[Any] = []
        p = _spaces(line, at + 1)
        if line.startswith(close, p):
            return (pairs if mapping else items), p + 1
        while True:
            if mapping:
                key, p = self._flow_key(i, p)
                if key in pairs:
                    raise _Outside
                pairs[key], p = self._flow_item(i, p, depth + 1)
            else:
                value, p = self._flow_item(i, p, depth + 1)
                items.append(value)
            p = _spaces(line, p)
            if line.startswith(close, p):
                return (pairs if mapping else items), p + 1
            if not line.startswith(",", p):
                raise _Outside
            p = _spaces(line, p + 1)
            if p == len(line) or line[p] in "]}":
                raise _Outside  # a trailing comma, or more on the next line

    def _flow_key(self, i: int, p: int) -> tuple[Any, int]:
        """A flow mapping's key at ``p`` of line ``i``, and where its value starts."""
        line = self.lines[i]
        if p == len(line):
            raise _Outside
        if line[p] in "'\"":
            quoted = self._quoted(i, p, -1, one_line=True)
            if quoted is None:
                raise _Outside
            key, _, colon = quoted
        else:
            colon = line.find(":", p)
            if colon < 0:
                raise _Outside
            text = _flow_plain(line[p:colon])
            key = _resolve(text)
            if key is None or isinstance(key, bool):
                key = text
        if not line.startswith(": ", colon):
            raise _Outside
        return key, _spaces(line, colon + 2)

    def _flow_item(self, i: int, p: int, depth: int) -> tuple[Any, int]:
        """A value inside a flow collection, and the column after it."""
        self._count(depth)
        line = self.lines[i]
        if p == len(line):
            raise _Outside
        if line[p] in "[{":
            return self._flow(i, p, depth)
        if line[p] in "'\"":
            quoted = self._quoted(i, p, -1, one_line=True)
            if quoted is None:
                raise _Outside
            text, _, end = quoted
            return text, end
        end = p
        while end < len(line) and line[end] not in ",]}":
            end += 1
        return _resolve(_flow_plain(line[p:end])), end

    def _block(self, i: int, at: int, indent: int) -> tuple[str, int]:
        """A literal (``|``) or folded (``>``) block scalar whose header is at ``at``."""
        lines = self.lines
        header = lines[i]
        folded = header[at] == ">"
        p = at + 1
        chomp = header[p] if header.startswith(("-", "+"), p) else ""
        if not _end_of_line(header, p + len(chomp)):
            raise _Outside  # an indentation indicator, or text after the header
        k = i + 1
        leading = 0
        while k < len(lines) and not lines[k]:
            leading += 1
            k += 1
        if k == len(lines) or not lines[k].strip(" "):
            raise _Outside  # empty, or a leading line of spaces
        width = self.cols[k]
        if width <= indent:
            raise _Outside  # an empty block scalar
        contents: list[tuple[str, int]] = []  # each line with the empty lines before it
        empty = leading
        while k < len(lines):
            line = lines[k]
            if not line.strip(" "):
                if len(line) > width:
                    raise _Outside
                empty += 1
            elif len(line) - len(line.lstrip(" ")) < width:
                break
            else:
                contents.append((line[width:], empty))
                empty = 0
            k += 1
        if k == len(lines) and not self.closed:
            raise _Outside  # the last line has no line break
        chunks = ["\n" * leading]
        for number, (text, _) in enumerate(contents):
            chunks.append(text)
            if number + 1 < len(contents):
                following, between = contents[number + 1]
                if folded and text[0] != " " and following[0] != " ":
                    chunks.append("\n" * between if between else " ")
                else:
                    chunks.append("\n" * (between + 1))
        if chomp != "-":
            chunks.append("\n")
        if chomp == "+":
            chunks.append("\n" * empty)
        return "".join(chunks), k
