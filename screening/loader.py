"""Safe YAML reading that keeps positions (adapter: the only place that parses YAML).

The data is built from the parser's event stream rather than by PyYAML's constructor so that:
every mapping key and sequence item keeps its line and column; a duplicate key is an error
(PyYAML keeps the last one silently); aliases are shared, never copied, and their expanded size
is bounded before anything walks the data ("billion laughs"); nesting depth is bounded; and only
plain data types exist (``yes``/``no``/``on``/``off`` stay strings, dates stay strings, and
integers are decimal: ``0x1F``, ``0o17``, ``017``, ``1_000`` and ``1:30`` stay strings as written).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from screening.errors import Problem, QuestionnaireError
from screening.limits import MAX_DATA_DEPTH

# Kept here for the modules that read files through the loader (defined in screening.reading).
from screening.reading import MAX_FILE_BYTES as MAX_FILE_BYTES
from screening.reading import decode_text as decode_text
from screening.reading import read_limited as read_limited

MAX_NODES = 250_000
"""Bound on the data's size with every alias expanded."""
MAX_DEPTH = MAX_DATA_DEPTH
"""Bound on nesting depth."""

Mark = tuple[int, int]  # 1-based line and column

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Decimal integers only. YAML 1.1 also reads 0x1F, 0b101, 017 (octal: 15), 1_000 and the
# sexagesimal 1:30 (90) as integers; an author who writes `case_id: 017` or `time: 1:30` means
# the text, and sexagesimal numbers cost time quadratic in their length to convert.
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
# Floats as YAML 1.1 writes them (a dot is needed), less sexagesimal forms and `_`; the sign of
# an exponent may be left out.
_FLOAT = re.compile(
    r"^(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a double-quoted escape (\e, \a, \x1b, \N) can make that the reader refuses when typed:
# control characters other than tab and line feed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _Resolver(Resolver):
    """YAML 1.1 resolution less its surprises: only true/false are booleans, no timestamps,
    only decimal numbers."""

    yaml_implicit_resolvers = {}  # noqa: RUF012  # PyYAML's own class-level table, filled below


for _first, _pairs in Resolver.yaml_implicit_resolvers.items():
    kept: list[tuple[str, re.Pattern[str]]] = []
    for _tag, _regexp in _pairs:
        if _tag == "tag:yaml.org,2002:timestamp":
            continue
        if _tag == "tag:yaml.org,2002:bool":
            if _first in ("t", "T", "f", "F"):
                kept.append((_tag, _BOOL))
            continue
        if _tag == "tag:yaml.org,2002:int":
            kept.append((_tag, _INT))
            continue
        if _tag == "tag:yaml.org,2002:float":
            kept.append((_tag, _FLOAT))
            continue
        kept.append((_tag, _regexp))
    if kept:
        _Resolver.yaml_implicit_resolvers[_first] = kept

try:  # the C parser when libyaml is present; both only produce events here
    from yaml._yaml import CParser as _Parser

    _LIBYAML = True  # its reader's positions count bytes of UTF-8, not characters

    class _Loader(_Parser, SafeConstructor, _Resolver):
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            SafeConstructor.__init__(self)
            _Resolver.__init__(self)

except ImportError:  # pragma: no cover - pure Python fallback
    _LIBYAML = False
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, SafeConstructor, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            SafeConstructor.__init__(self)
            _Resolver.__init__(self)


_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
}


@dataclass
class Positions:
    """Where each value and key of parsed data stands in its file."""

    root: Mark = (1, 1)
    values: dict[int, dict[Any, Mark]] = field(default_factory=dict)
    keys: dict[int, dict[Any, Mark]] = field(default_factory=dict)

    def locate(self, data: Any, loc: Sequence[Any], *, key: bool = False) -> Mark:
        """The position of the value at ``loc`` (a pydantic-style path), or the nearest parent.

        Path parts that are not keys of the data (pydantic's union tags) are skipped. With
        ``key``, the last part's key position is returned when it is a mapping key.
        """
        mark = self.root
        current = data
        parts = list(loc)
        tagged: Any = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if isinstance(current, dict) and current is not tagged and current.get("type") == part:
                tagged = current  # the union's tag (a question of type `text`), then its key
                continue
            if isinstance(current, dict) and part in current:
                table = self.keys if (key and last) else self.values
                mark = table.get(id(current), {}).get(part, mark)
                current = current[part]
            elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
                mark = self.values.get(id(current), {}).get(part, mark)
                current = current[part]
        return mark


@dataclass
class Document:
    """Parsed YAML with its positions, its file's path and the SHA-256 of its bytes."""

    data: Any
    positions: Positions
    path: str
    sha256: str

    def problem(self, loc: Sequence[Any], message: str, *, code: str, key: bool = False) -> Problem:
        """A problem located at ``loc`` in this document."""
        line, column = self.positions.locate(self.data, loc, key=key)
        return Problem(message, self.path, line, column, code)


class _Fail(Exception):
    def __init__(self, message: str, mark: Mark | None, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.code = code


def _mark(event: Any) -> Mark:
    m = event.start_mark
    return (m.line + 1, m.column + 1)


class _Builder:
    """Builds plain data from parser events, with positions and bounds."""

    def __init__(self, loader: Any, max_nodes: int) -> None:
        self.loader = loader
        self.positions = Positions()
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.expanded = 0
        self.max_nodes = max_nodes
        self.aliased = 0  # values counted through aliases

    def _count(self, size: int, mark: Mark) -> None:
        self.expanded += size
        if self.expanded > self.max_nodes:
            if self.aliased * 2 > self.max_nodes:
                message = (
                    f"the data is too large once its aliases are expanded (over "
                    f"{self.max_nodes:,} values); remove the nested aliases"
                )
            else:
                message = (
                    f"the file holds too many values (over {self.max_nodes:,}); split it or "
                    "leave out what is not needed"
                )
            raise _Fail(message, mark, "too_large")

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        if tag == "tag:yaml.org,2002:merge":
            raise _Fail(
                "merge keys (<<) are not supported; write the keys out", _mark(event), "yaml"
            )
        if tag not in _SCALAR_TAGS:
            raise _Fail(
                f"unsupported YAML tag {tag!r}; only plain strings, numbers, booleans and null",
                _mark(event),
                "yaml",
            )
        if _SURROGATE.search(event.value):
            raise _Fail(
                "the text holds a lone surrogate (an escape such as \\ud800 that is half of a "
                "character); write the character itself",
                _mark(event),
                "yaml",
            )
        control = _CONTROL.search(event.value)
        if control:
            raise _Fail(
                f"the text holds the control character U+{ord(control.group()):04X} (written as an "
                "escape); control characters other than tab and line feed are not allowed",
                _mark(event),
                "yaml",
            )
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.yaml_constructors[tag](self.loader, node)
        except (ValueError, yaml.YAMLError):
            raise _Fail(
                f"cannot read the value as {tag.rsplit(':', 1)[-1]}", _mark(event), "yaml"
            ) from None

    def build(self, events: Iterator[Any]) -> tuple[Any, bool]:
        """Build the first document; returns (data, found a document)."""
        event = next(events)  # StreamStart
        event = next(events)
        if isinstance(event, ev.StreamEndEvent):
            return None, False
        # DocumentStart
        self.positions.root = _mark(event)
        data, _ = self._node(next(events), events, 0)
        end = next(events)  # DocumentEnd
        after = next(events)
        if not isinstance(after, ev.StreamEndEvent):
            raise _Fail(
                "the file holds more than one YAML document (a second '---'); keep one",
                _mark(after),
                "yaml",
            )
        del end
        return data, True

    def _node(self, event: Any, events: Iterator[Any], depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise _Fail(
                f"the data is nested more than {MAX_DEPTH} levels deep", _mark(event), "too_deep"
            )
        if isinstance(event, ev.AliasEvent):
            if event.anchor not in self.anchors:
                raise _Fail(f"unknown alias *{event.anchor}", _mark(event), "yaml")
            shared, size = self.anchors[event.anchor]
            self.aliased += size
            self._count(size, _mark(event))
            return shared, size
        anchor = getattr(event, "anchor", None)
        value: Any
        if isinstance(event, ev.ScalarEvent):
            value = self._scalar(event)
            size = 1
            self._count(1, _mark(event))
        elif isinstance(event, ev.SequenceStartEvent):
            value, size = self._sequence(event, events, depth)
        elif isinstance(event, ev.MappingStartEvent):
            value, size = self._mapping(event, events, depth)
        else:  # pragma: no cover - the parser guarantees node events here
            raise _Fail("unexpected YAML structure", _mark(event), "yaml")
        if anchor:
            self.anchors[anchor] = (value, size)
        return value, size

    def _sequence(self, start: Any, events: Iterator[Any], depth: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        marks: dict[Any, Mark] = {}
        size = 1
        self._count(1, _mark(start))
        while True:
            event = next(events)
            if isinstance(event, ev.SequenceEndEvent):
                break
            marks[len(items)] = _mark(event)
            value, sub = self._node(event, events, depth + 1)
            items.append(value)
            size += sub
        self.positions.values[id(items)] = marks
        return items, size

    def _mapping(self, start: Any, events: Iterator[Any], depth: int) -> tuple[dict[Any, Any], int]:
        mapping: dict[Any, Any] = {}
        key_marks: dict[Any, Mark] = {}
        value_marks: dict[Any, Mark] = {}
        size = 1
        self._count(1, _mark(start))
        while True:
            event = next(events)
            if isinstance(event, ev.MappingEndEvent):
                break
            key_mark = _mark(event)
            if not isinstance(event, ev.ScalarEvent):
                raise _Fail(
                    "a mapping key must be a plain value, not a list or mapping", key_mark, "yaml"
                )
            key = self._scalar(event)
            if key is None or isinstance(key, (bool, float)):
                key = str(event.value)
            if key in mapping:
                first = key_marks[key]
                raise _Fail(
                    f"duplicate key '{key}' (first at line {first[0]}); keep one of them",
                    key_mark,
                    "duplicate_key",
                )
            value_event = next(events)
            value_marks[key] = _mark(value_event)
            key_marks[key] = key_mark
            mapping[key], sub = self._node(value_event, events, depth + 1)
            size += sub
        self.positions.values[id(mapping)] = value_marks
        self.positions.keys[id(mapping)] = key_marks
        return mapping, size


def _reader_problem(exc: yaml.YAMLError, text: str, name: str) -> Problem:
    """A character the YAML reader refuses, located at its line and column."""
    if not isinstance(exc, yaml.reader.ReaderError):
        return Problem(f"not valid YAML text: {str(exc).splitlines()[0]}", name, code="yaml")
    if isinstance(exc.character, int):
        what = f"the character U+{exc.character:04X}"
    else:
        what = "a character"
    message = f"{what} is not allowed in YAML ({exc.reason}); remove it"
    position = exc.position
    if _LIBYAML:
        before = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "replace")
    else:  # pragma: no cover - pure Python fallback
        before = text[:position]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return Problem(message, name, line, column, "yaml")


def parse_yaml(text: str, name: str, *, max_nodes: int = MAX_NODES) -> tuple[Any, Positions, bool]:
    """Parse one YAML document into plain data with positions.

    Returns:
        The data, its positions, and whether the text held a document at all.

    Raises:
        QuestionnaireError: a YAML syntax error, duplicate key, unsupported tag, or a document
            too large or too deep; located at its line and column.
    """
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the pure-Python reader checks characters on creation
        raise QuestionnaireError([_reader_problem(exc, text, name)]) from None
    builder = _Builder(loader, max_nodes)

    def events() -> Iterator[Any]:
        while True:
            yield loader.get_event()

    try:
        data, found = builder.build(events())
    except _Fail as fail:
        line, column = fail.mark if fail.mark else (None, None)
        raise QuestionnaireError([Problem(fail.message, name, line, column, fail.code)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise QuestionnaireError(
            [Problem(f"YAML syntax error: {what}", name, line, column, "yaml")]
        ) from None
    except yaml.YAMLError as exc:  # ReaderError: control characters and the like
        raise QuestionnaireError([_reader_problem(exc, text, name)]) from None
    except RecursionError:  # pragma: no cover - bounded by MAX_DEPTH above
        raise QuestionnaireError(
            [Problem("the data is nested too deeply", name, code="too_deep")]
        ) from None
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    return data, builder.positions, found


def read_document(
    path: Path, *, display: str | None = None, limit: int = MAX_FILE_BYTES
) -> Document:
    """Read, decode and parse a YAML file, which must hold one mapping.

    Raises:
        QuestionnaireError: the file cannot be read, is empty, binary, too large, not a
            mapping, or not valid YAML.
    """
    name = display or str(path)
    raw = read_limited(path, limit=limit)
    return parse_document(raw, name)


def parse_document(raw: bytes, name: str) -> Document:
    """Decode and parse YAML bytes that must hold one mapping (see :func:`read_document`)."""
    digest = hashlib.sha256(raw).hexdigest()
    text = decode_text(raw, name)
    data, positions, found = parse_yaml(text, name)
    if not found or data is None:
        raise QuestionnaireError(
            [Problem("the file is empty; expected a YAML mapping", name, code="empty")]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        line, column = positions.root
        raise QuestionnaireError(
            [
                Problem(
                    f"expected a mapping (key: value) at the top level, found {kind}",
                    name,
                    line,
                    column,
                    "not_mapping",
                )
            ]
        )
    return Document(data, positions, name, digest)
