"""Writing files that may hold personal data (adapter)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from screening.errors import ScreeningError


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only (0600).

    The file is written to a temporary name beside it, flushed to disk, then renamed, so a
    crash never leaves half a document.

    Raises:
        ScreeningError: the folder does not exist or cannot be written.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise ScreeningError(
            f"cannot write {path}: the folder {folder} does not exist",
            hint="Create it, or choose another --out.",
        ) from None
    except OSError as exc:
        raise ScreeningError(
            f"cannot write {path}: {exc.strerror}",
            hint="Choose a folder you can write to with --out.",
        ) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise ScreeningError(
            f"cannot write {path}: {exc.strerror}",
            hint="Check the disk space and permissions, or choose another --out.",
        ) from None
