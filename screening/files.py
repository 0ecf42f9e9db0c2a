"""Writing files that may hold personal data (adapter)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from screening.errors import ScreeningError


def _failure(path: Path, exc: OSError) -> ScreeningError:
    if isinstance(exc, FileNotFoundError):
        return ScreeningError(
            f"cannot write {path}: the folder {path.parent} does not exist",
            hint="Create it, or choose another --out.",
        )
    return ScreeningError(
        f"cannot write {path}: {exc.strerror}",
        hint="Check the disk space and permissions, or choose another --out.",
    )


@contextlib.contextmanager
def private_file(path: Path) -> Iterator[TextIO]:
    """A text file at ``path``, readable by the owner only (0600), that appears whole or not at all.

    What is written goes to a temporary name beside ``path``; when the block ends normally it
    is flushed to disk and renamed into place, so a crash or an error never leaves half a
    document, and a long batch streams to disk instead of waiting in memory.

    Raises:
        ScreeningError: the folder does not exist or cannot be written.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _failure(path, exc) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _failure(path, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only (0600).

    Raises:
        ScreeningError: the folder does not exist or cannot be written.
    """
    with private_file(path) as handle:
        handle.write(text)
