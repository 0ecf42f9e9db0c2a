"""Writing files that may hold personal data (adapter).

Every file the program writes for the user (``--out`` of ``score``, ``interview``,
``cases export``, ``train practice``, and the referrals in the store's folder) goes through
:func:`private_file`. It writes regular files only, readable by the owner only (0600), and never
writes through a symbolic link:

- the target is looked at with ``lstat`` (a link is not followed): a symbolic link (dangling
  or not), a folder, a device, a named pipe or a socket is refused, whatever ``--force`` says;
- an existing regular file is replaced only with ``force``;
- the document is written to a new temporary file beside the target (created with
  ``O_EXCL``, so never through a link) and then put in place: without ``force`` with
  ``link()``, which fails if anything appeared at the target meanwhile; with ``force`` with
  ``rename()``, which replaces the name itself and never writes through what it names.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from screening.errors import ScreeningError, UsageError

__all__ = [
    "check_kept_output",
    "check_output",
    "out_option",
    "private_file",
    "read_only_file_system",
    "write_private",
]

_OTHER_PATH = "choose another path"


def out_option(value: str) -> Path:
    """Parse an ``--out`` value: a path, never empty.

    Typer turns an empty string into ``Path(".")``; this parser sees the text as typed.

    Raises:
        UsageError: the value is empty.
    """
    if not value.strip():
        raise UsageError(
            "--out is empty: it needs the path of a file",
            hint="Give a file name, such as --out referral.json, or leave --out out to use "
            "standard output.",
        )
    return Path(value)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refusal(path: Path, mode: int, *, force: bool) -> ScreeningError | None:
    """Why the existing ``path`` (of ``lstat`` mode ``mode``) may not be written, or None."""
    kind = _kind(mode)
    if kind == "a symbolic link":
        return ScreeningError(
            f"cannot write {path}: it is a symbolic link, and screening never writes through "
            "a link",
            hint=f"Give the path of a regular file that is not a link, or {_OTHER_PATH}.",
        )
    if kind == "a folder":
        return ScreeningError(
            f"cannot write {path}: it is a folder",
            hint=f"Give a file name inside it, such as {path / 'referral.json'}.",
        )
    if kind is not None:
        return ScreeningError(
            f"cannot write {path}: it is {kind}, not a regular file",
            hint="screening writes regular files only: choose another path (without --out, "
            "`score` and `cases export` write to standard output).",
        )
    if not force:
        return ScreeningError(
            f"cannot write {path}: the file exists already",
            hint=f"Use --force to replace it, or {_OTHER_PATH}.",
        )
    return None


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def check_output(path: Path, *, force: bool = False) -> None:
    """Refuse early a target that :func:`private_file` would refuse.

    Lets a command say so before it does any work (an interview before its first question).
    The same checks are made again when the file is written.

    Raises:
        ScreeningError: the folder is missing or is not a folder; the target is a symbolic
            link, a folder, a device, a named pipe or a socket; or it exists and ``force`` is
            not given.
    """
    folder = _folder(path)
    try:
        folder_mode = os.stat(folder).st_mode
    except FileNotFoundError:
        raise ScreeningError(
            f"cannot write {path}: the folder {folder} does not exist",
            hint=f"Create it, or {_OTHER_PATH}.",
        ) from None
    except NotADirectoryError:
        raise ScreeningError(
            f"cannot write {path}: a part of {folder} is not a folder",
            hint=f"Check the path, or {_OTHER_PATH}.",
        ) from None
    except OSError as exc:
        raise _failure(path, exc) from None
    if not stat.S_ISDIR(folder_mode):
        raise ScreeningError(
            f"cannot write {path}: {folder} is not a folder",
            hint=f"Check the path, or {_OTHER_PATH}.",
        )
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _failure(path, exc) from None
    refusal = _refusal(path, mode, force=force)
    if refusal is not None:
        raise refusal


def check_kept_output(path: Path, *, force: bool = False) -> None:
    """Check again a target kept from an earlier run (a resumed interview's ``--out``).

    The path was stored with its folder resolved (no link in it). Besides what
    :func:`check_output` refuses, a folder on the way that has since become a link is refused:
    what was checked then is not what would be written now.

    Raises:
        ScreeningError: as :func:`check_output`, or the folder now resolves elsewhere.
    """
    check_output(path, force=force)
    folder = _folder(path)
    if folder.is_absolute() and folder.resolve() != folder:
        raise ScreeningError(
            f"cannot write {path}: the folder {folder} now leads elsewhere through a symbolic "
            "link, and screening never writes through a link",
            hint=f"Check the folder, or {_OTHER_PATH}.",
        )


def read_only_file_system(folder: Path) -> bool:
    """Whether ``folder`` is on a file system mounted read-only (False when unknown)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def _failure(path: Path, exc: OSError) -> ScreeningError:
    folder = _folder(path)
    number = exc.errno
    if number == errno.EROFS or (
        number in (errno.EACCES, errno.EPERM) and read_only_file_system(folder)
    ):
        return ScreeningError(
            f"cannot write {path}: the folder {folder} is on a read-only file system",
            hint="Choose a path on a writable disk. Nothing was written.",
        )
    if number in (errno.EACCES, errno.EPERM):
        return ScreeningError(
            f"cannot write {path}: you may not create files in the folder {folder}",
            hint="Choose a folder of your own. Nothing was written.",
        )
    if number == errno.ENOSPC or number == getattr(errno, "EDQUOT", errno.ENOSPC):
        return ScreeningError(
            f"cannot write {path}: the disk holding {folder} is full",
            hint="Free some space, or choose a path on another disk. Nothing was written.",
        )
    if number == errno.ENOENT:
        if os.path.isdir(folder):
            # /proc, /sys and the like: the folder exists but takes no new files.
            return ScreeningError(
                f"cannot write {path}: the folder {folder} does not take new files (it is not "
                "an ordinary folder)",
                hint="Choose a path in an ordinary folder. Nothing was written.",
            )
        return ScreeningError(
            f"cannot write {path}: the folder {folder} does not exist",
            hint=f"Create it, or {_OTHER_PATH}.",
        )
    return ScreeningError(
        f"cannot write {path}: {exc.strerror or type(exc).__name__}",
        hint=f"Check the disk and the folder's permissions, or {_OTHER_PATH}.",
    )


_NO_HARD_LINKS = frozenset(
    {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}
)


def _existing_refusal(path: Path, *, force: bool) -> ScreeningError | None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    return _refusal(path, mode, force=force)


def _install(temporary: str, path: Path, *, force: bool) -> None:
    """Put the written ``temporary`` file at ``path``; never through a link or onto a device.

    Raises:
        ScreeningError: something that may not be replaced is at ``path``.
        OSError: the file system refused.
    """
    if not force:
        try:
            # link() fails when anything (a link too) is at the target: a file planted after
            # the check is never replaced.
            os.link(temporary, path)
        except FileExistsError:
            raise _existing_refusal(path, force=False) or _failure(
                path, FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST))
            ) from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            # A file system without hard links (FAT, some network shares): check, then rename.
            refusal = _existing_refusal(path, force=False)
            if refusal is not None:
                raise refusal from None
            os.replace(temporary, path)
        else:
            with contextlib.suppress(OSError):  # written: a leftover name is no failure
                os.unlink(temporary)
        return
    refusal = _existing_refusal(path, force=True)
    if refusal is not None:
        raise refusal
    # rename() replaces the name itself: a link or device put there since the check is
    # unlinked, never written through.
    os.replace(temporary, path)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (a crash right after would otherwise lose it)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    with contextlib.suppress(OSError):
        fd = os.open(folder, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def private_file(path: Path, *, force: bool = False, mode: int = 0o600) -> Iterator[TextIO]:
    """A regular text file at ``path``, readable by the owner only (0600), that appears whole
    or not at all.

    What is written goes to a temporary name beside ``path``; when the block ends normally it
    is flushed to disk and put into place, so a crash or an error never leaves half a
    document, and a long batch streams to disk instead of waiting in memory. The target is
    checked before anything is written (see :func:`check_output`) and again when the file is
    put in place.

    Args:
        path: The file to write.
        force: Replace an existing regular file (never a link, folder, device or pipe).
        mode: The new file's permissions: 0600, unless the file replaces one of the user's
            own whose permissions are kept (a questionnaire a translation is imported into).

    Raises:
        ScreeningError: the target may not be written (see :func:`check_output`), or the
            folder cannot be written.
    """
    check_output(path, force=force)
    folder = _folder(path)
    try:
        # mkstemp opens with O_CREAT | O_EXCL and mode 0600: a new file, never a link's target.
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _failure(path, exc) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _install(temporary, path, force=force)
        _sync_folder(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _failure(path, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_private(path: Path, text: str, *, force: bool = False, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only (0600).

    Args:
        path: The file to write.
        text: What to write.
        force: Replace an existing regular file (never a link, folder, device or pipe).
        mode: The file's permissions (see :func:`private_file`).

    Raises:
        ScreeningError: the target may not be written, or the folder cannot be written.
    """
    with private_file(path, force=force, mode=mode) as handle:
        handle.write(text)
