"""Reading a file's text within bounds (readers: no YAML, so that reading an answers file does
not import PyYAML)."""

from __future__ import annotations

from pathlib import Path

from screening.errors import Problem, QuestionnaireError

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Questionnaires and answers files larger than this are refused before they are read."""


def read_limited(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a file's bytes, refusing files over ``limit`` before reading them.

    Raises:
        QuestionnaireError: the file is missing, unreadable or too large.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise QuestionnaireError([Problem("is a directory, not a file", name, code="io")])
        if size > limit:
            raise QuestionnaireError(
                [
                    Problem(
                        f"the file is too large ({size:,} bytes; the limit is {limit:,})",
                        name,
                        code="too_large",
                    )
                ]
            )
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise QuestionnaireError([Problem("no such file", name, code="io")]) from None
    except PermissionError:
        raise QuestionnaireError(
            [Problem("permission denied: cannot read the file", name, code="io")]
        ) from None
    except OSError as exc:
        raise QuestionnaireError(
            [Problem(f"cannot read the file ({exc.strerror})", name, code="io")]
        ) from None
    if len(data) > limit:
        raise QuestionnaireError(
            [Problem(f"the file is too large (over {limit:,} bytes)", name, code="too_large")]
        )
    return data


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 text (a BOM is allowed), refusing binary data.

    Raises:
        QuestionnaireError: the bytes are not UTF-8 text.
    """
    if b"\x00" in data:
        raise QuestionnaireError(
            [Problem("this is a binary file, not YAML text", name, code="binary")]
        )
    # A leading byte order mark is dropped (as the utf-8-sig codec would, without loading it)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise QuestionnaireError(
            [Problem("the file is not UTF-8 text; save it as UTF-8", name, line, None, "encoding")]
        ) from None
