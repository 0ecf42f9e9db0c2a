"""Reading answers files: YAML, JSON, JSON Lines, or standard input (adapter).

Yields one item per answer set, in input order: an :class:`AnswerSet` or an
:class:`InvalidRecord` naming the record, so that a bad record in a batch does not stop the
others.
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from screening.answers import AnswerSet, InvalidRecord, answer_set_from_mapping, id_problem
from screening.errors import AnswersError, QuestionnaireError
from screening.limits import MAX_DATA_DEPTH
from screening.quickyaml import NOT_HANDLED
from screening.quickyaml import parse as parse_quick
from screening.reading import MAX_FILE_BYTES, decode_text, read_limited

MAX_LINE_BYTES = 1024 * 1024
"""A JSON Lines record longer than this is refused (the file itself may be any size)."""

Item = AnswerSet | InvalidRecord


def _record(data: Any, label: str) -> Item:
    try:
        found = answer_set_from_mapping(data, label)
    except InvalidRecord as bad:
        bad.label = label  # type: ignore[attr-defined]
        return bad
    # The ids a referral and the case store keep, and lists show: no control characters.
    problems = [
        problem
        for key, value in (("case_id", found.case_id), ("officer", found.officer))
        if value is not None and (problem := id_problem(f"'{key}'", value))
    ]
    if problems:
        refused = InvalidRecord(problems)
        refused.label = label  # type: ignore[attr-defined]
        return refused
    return found


def _invalid(label: str, message: str) -> InvalidRecord:
    bad = InvalidRecord([message])
    bad.label = label  # type: ignore[attr-defined]
    return bad


class _BadJson(ValueError):
    """JSON that the json module accepts but that is not a usable answer set."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _BadJson(f"duplicate key '{key}'")
            seen.add(key)
    return out


def _no_constants(name: str) -> Any:
    raise _BadJson(f"{name} is not a JSON number; give a number or dont_know")


@functools.cache
def _decoder() -> Any:
    # json is imported when a JSON record is first read: a YAML answers file needs none of it
    import json

    return json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


_TOO_DEEP = f"the data is nested more than {MAX_DATA_DEPTH} levels deep; an answer set is a mapping of answers"


def _loads(text: str) -> Any:
    """Strict JSON: no duplicate keys, no NaN or Infinity, no numbers of thousands of digits,
    no nesting deeper than the YAML reader allows.

    Raises:
        json.JSONDecodeError: not JSON.
        _BadJson: JSON that cannot be an answer set.
    """
    import json

    try:
        data = _decoder().decode(text)
    except RecursionError:  # the decoder nests a call per level: deeper than Python's stack
        raise _BadJson(_TOO_DEEP) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError | _BadJson):
            raise
        # int() refuses numbers of more than 4,300 digits; the message is Python's own
        raise _BadJson("a number with too many digits") from None
    # fewer brackets than the bound cannot nest deeper than it: most records skip the walk
    if text.count("[") + text.count("{") > MAX_DATA_DEPTH and _depth(data) > MAX_DATA_DEPTH:
        raise _BadJson(_TOO_DEEP)
    return data


def _depth(data: Any) -> int:
    """How deep lists and mappings nest in decoded JSON (iteratively: no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            stack.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return deepest


def _jsonl(stream: IO[bytes], name: str) -> Iterator[Item]:
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), start=1):
        label = f"{name}:{number}"
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            yield _invalid(label, f"the record is longer than {MAX_LINE_BYTES:,} bytes")
            # skip the rest of this overlong line
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE_BYTES + 1)
            continue
        if not raw.strip():
            continue
        data, problem = record_from_line(raw)
        if problem is not None:
            yield _invalid(label, problem)
            continue
        yield _record(data, label)


def loads_strict(text: str) -> Any:
    """Decode a JSON document as strictly as an answers file: no duplicate keys, no NaN or
    Infinity, no numbers of thousands of digits, no nesting deeper than the YAML reader allows.

    Raises:
        ValueError: what is wrong, in a message fit to show (no data quoted).
    """
    import json

    try:
        return _loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except _BadJson as exc:
        raise ValueError(str(exc)) from None


def record_from_line(raw: bytes) -> tuple[Any, str | None]:
    """Decode one JSON Lines record strictly, as ``screening score`` does.

    Returns:
        The decoded data and ``None``, or ``None`` and what is wrong with the line.
    """
    if len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:
        return None, f"the record is longer than {MAX_LINE_BYTES:,} bytes"
    import json

    try:
        return _loads(raw.decode("utf-8-sig")), None
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON (column {exc.colno}: {exc.msg})"
    except _BadJson as exc:
        return None, str(exc)


def _document(raw: bytes, name: str, json_only: bool) -> Iterator[Item]:
    try:
        text = decode_text(raw, name)
    except QuestionnaireError as exc:
        yield _invalid(name, exc.problems[0].message)
        return
    if json_only:
        import json

        try:
            data = _loads(text)
        except json.JSONDecodeError as exc:
            yield _invalid(
                name, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            )
            return
        except _BadJson as exc:
            yield _invalid(name, str(exc))
            return
    else:
        data = parse_quick(text)
        if data is NOT_HANDLED:
            try:
                data = _parse_yaml(text, name)
            except QuestionnaireError as exc:
                problem = exc.problems[0]
                where = f"line {problem.line}: " if problem.line else ""
                yield _invalid(name, where + problem.message)
                return
            if data is None:
                yield _invalid(name, "the file is empty; expected a mapping with an 'answers' key")
                return
    yield _record(data, name)


def _parse_yaml(text: str, name: str) -> Any:
    """YAML outside the subset that :mod:`screening.quickyaml` reads, or not valid: read by the
    loader (PyYAML), which gives every error with its line and column.

    Returns:
        The data, or ``None`` when the text holds no document or a null one.

    Raises:
        QuestionnaireError: not valid YAML, or beyond the loader's bounds.
    """
    from screening.loader import parse_yaml

    data, _, found = parse_yaml(text, name)
    return data if found else None


def _is_record_line(line: bytes) -> bool:
    """Whether a line of standard input is a whole JSON object: the sign of JSON Lines.

    A line that is JSON, though not a usable record (too deep, a duplicate key, ...), counts
    when it starts with ``{``, so that it is reported with its record number.
    """
    try:
        return isinstance(_loads(line.removeprefix(b"\xef\xbb\xbf").decode("utf-8")), dict)
    except _BadJson:
        return line.lstrip().removeprefix(b"\xef\xbb\xbf").startswith(b"{")
    except ValueError:  # not UTF-8 or not JSON
        return False


def read_answer_sets(path: str, *, stdin: IO[bytes] | None = None) -> tuple[Iterator[Item], bool]:
    """Open one answers input.

    Args:
        path: A file path, or ``-`` for standard input.
        stdin: The byte stream used for ``-`` (injectable for tests).

    Returns:
        The items it holds, and whether it holds several (JSON Lines).

    Raises:
        AnswersError: the file cannot be opened or read at all.
    """
    if path == "-":
        return _stdin(stdin if stdin is not None else sys.stdin.buffer)
    file = Path(path)
    if file.suffix.lower() == ".jsonl":
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise AnswersError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise AnswersError(f"{path}: is a directory, not a file") from None
        except OSError as exc:
            raise AnswersError(f"{path}: cannot read the file ({exc.strerror})") from None

        def items() -> Iterator[Item]:
            with handle:
                yield from _jsonl(handle, path)

        return items(), True
    try:
        raw = read_limited(file)
    except QuestionnaireError as exc:
        raise AnswersError(str(exc.problems[0])) from None
    return _document(raw, path, json_only=file.suffix.lower() == ".json"), False


def _stdin(stream: IO[bytes]) -> tuple[Iterator[Item], bool]:
    """Standard input: JSON Lines answered record by record, or one YAML or JSON document.

    Only the first line that is not blank is read before deciding: when it is a whole JSON
    object, the input is JSON Lines and each record is scored as soon as its line has arrived,
    so that a program that writes one record and waits gets its referral. Anything else is one
    document, read whole (up to the size limit of a file).
    """
    head = b""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        head += line
        if not line or line.strip() or len(head) > MAX_FILE_BYTES:
            break
    if line.endswith(b"\n") and _is_record_line(line):
        return _jsonl(_Chain(head, stream), "<stdin>"), True
    head += stream.read(MAX_FILE_BYTES + 1 - len(head)) if len(head) <= MAX_FILE_BYTES else b""
    if len(head) > MAX_FILE_BYTES:
        return _jsonl(_Chain(head, stream), "<stdin>"), True
    return _document(head, "<stdin>", json_only=False), False


class _Chain(io.BytesIO):
    """Bytes already read, followed by the rest of a stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head = io.BytesIO(head)
        self._rest = rest

    def readline(self, size: int | None = -1) -> bytes:
        line = self._head.readline(size if size is not None else -1)
        if line.endswith(b"\n") or (size is not None and size >= 0 and len(line) >= size):
            return line
        more = self._rest.readline((size - len(line)) if size is not None and size >= 0 else -1)
        return line + more
