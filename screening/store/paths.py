"""Where the case store lives on disk."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from screening.files import read_only_file_system

HOME_VARIABLE = "SCREENING_HOME"
"""The environment variable that overrides the store's directory."""

DATABASE_NAME = "cases.sqlite3"
"""The file name of the embedded store inside its directory."""


def default_home(environ: Mapping[str, str] | None = None, *, platform: str | None = None) -> Path:
    """The directory of the case store.

    ``$SCREENING_HOME`` when set, otherwise ``screening`` inside the user's data directory:
    ``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux and other Unix systems,
    ``~/Library/Application Support`` on macOS, ``%APPDATA%`` on Windows. Nothing is created.

    Args:
        environ: The environment to read; ``os.environ`` when omitted.
        platform: A ``sys.platform`` value; the running platform when omitted.

    Returns:
        An absolute path.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    override = env.get(HOME_VARIABLE, "").strip()
    if override:
        return Path(override).expanduser().absolute()
    home = Path(env.get("HOME") or Path.home())
    if platform == "darwin":
        base = home / "Library" / "Application Support"
    elif platform.startswith(("win", "cygwin")):
        appdata = env.get("APPDATA", "")
        base = Path(appdata) if appdata else home / "AppData" / "Roaming"
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        # The XDG spec says relative values are invalid and must be ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return (base / "screening").absolute()


REFERRALS_DIR = "referrals"
"""The folder inside the store's directory where an interview writes its referral by default."""

STORE_SUFFIXES = ("", "-wal", "-shm")
"""The database file and the files SQLite keeps beside it."""

_OWN_FOLDER = (
    "Set SCREENING_HOME to a folder of your own that only you can write to (a missing one "
    "is created, private to you)"
)


def _owner(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def _check_folder(folder: Path, what: str, *, follow: bool) -> None:
    """Refuse a folder that is not the user's own, or that others may write in.

    Raises:
        StoreError: it is not a folder, belongs to another user, or is writable by the group
            or by others; with ``follow=False``, it is a symbolic link.
    """
    from screening.errors import StoreError

    try:
        info = os.stat(folder) if follow else os.lstat(folder)
    except OSError as exc:
        raise StoreError(
            f"cannot open the case store: {folder} cannot be read ({exc.strerror or exc})",
            hint="Check its permissions, or set SCREENING_HOME to a folder of your own.",
        ) from exc
    if stat.S_ISLNK(info.st_mode):
        raise StoreError(
            f"cannot open the case store: {what} {folder} is a symbolic link",
            hint="The store's own files and folders are never links: move it aside and check "
            "where it points. Nothing was opened.",
        )
    if not stat.S_ISDIR(info.st_mode):
        raise StoreError(
            f"cannot open the case store: {folder} exists and is not a directory",
            hint="Set SCREENING_HOME to a directory for the case store."
            if follow
            else "Move it aside; the store makes the folder itself.",
        )
    if os.name == "nt":
        return
    if info.st_uid != os.geteuid():
        raise StoreError(
            f"cannot use {folder} for the case store: it belongs to another user "
            f"({_owner(info.st_uid)})",
            hint=f"{_OWN_FOLDER}; {folder} was left as it is.",
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        mode = stat.S_IMODE(info.st_mode)
        raise StoreError(
            f"cannot use {folder} for the case store: other users can write in it (mode {mode:o})",
            hint=f"{_OWN_FOLDER}; {folder} was left as it is.",
        )


def _check_file(path: Path) -> None:
    """Refuse a store file that is a link, not a regular file, or another user's.

    Raises:
        StoreError: as above.
    """
    from screening.errors import StoreError

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(
            f"cannot open the case store: {path} cannot be read ({exc.strerror or exc})",
            hint="Check its permissions, or set SCREENING_HOME to a directory of your own.",
        ) from exc
    if stat.S_ISLNK(info.st_mode):
        raise StoreError(
            f"cannot open the case store: {path} is a symbolic link",
            hint="The store's own files are never links: move it aside and check where it "
            "points. Nothing was opened.",
        )
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            f"cannot open the case store: {path} is not a regular file",
            hint="Move it aside, or set SCREENING_HOME to a directory of your own.",
        )
    if os.name != "nt" and info.st_uid != os.geteuid():
        raise StoreError(
            f"cannot open the case store: {path} belongs to another user ({_owner(info.st_uid)})",
            hint=f"{_OWN_FOLDER}; nothing was opened.",
        )


def prepare_home(home: Path) -> None:
    """Make sure ``home`` is a safe place for the case store, creating it if missing.

    A missing folder (and its missing parents) is created with mode 0700. An existing folder
    is never re-moded: it is refused when it belongs to another user or when the group or
    others may write in it (a shared folder such as ``/tmp``). The store's files
    (``cases.sqlite3`` and its ``-wal`` and ``-shm``) and the ``referrals`` folder are
    refused when they are symbolic links, are not what they should be, or belong to another
    user. ``home`` itself may be a link to a folder that passes these checks.

    Raises:
        StoreError: with what is wrong and what to do; nothing is changed.
    """
    from screening.errors import StoreError

    previous = os.umask(0o077)
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(
            f"cannot open the case store: {home} exists and is not a directory",
            hint="Set SCREENING_HOME to a directory for the case store.",
        ) from None
    except OSError as exc:
        read_only = exc.errno == errno.EROFS
        raise StoreError(
            f"cannot create the case store directory {home}: {exc.strerror or exc}",
            hint="Set SCREENING_HOME to a folder on a writable disk."
            if read_only
            else "Make its parent writable by you, or set SCREENING_HOME to a writable directory.",
        ) from exc
    finally:
        os.umask(previous)
    check_home(home)
    effective = os.access in os.supports_effective_ids
    if not os.access(home, os.W_OK | os.X_OK, effective_ids=effective):
        if read_only_file_system(home):
            raise StoreError(
                f"cannot open the case store: the directory {home} is on a read-only file system",
                hint="Set SCREENING_HOME to a folder on a writable disk; everything saved "
                "before is kept.",
            )
        raise StoreError(
            f"cannot open the case store: the directory {home} is not writable",
            hint=f"Make it writable by you (`chmod u+w {home}`), or set SCREENING_HOME to a "
            "writable directory; everything saved before is kept.",
        )


def check_home(home: Path) -> None:
    """Check an existing home folder and the store's files in it, changing nothing.

    The checks of :func:`prepare_home` without creating anything and without asking for
    write access: what a read-only store (a read-only file or medium) is opened after.

    Raises:
        StoreError: the folder or one of the store's files is not safe to use.
    """
    _check_folder(home, "the folder", follow=True)
    for suffix in STORE_SUFFIXES:
        _check_file(home / (DATABASE_NAME + suffix))
    referrals = home / REFERRALS_DIR
    if os.path.lexists(referrals):
        _check_folder(referrals, "the referrals folder", follow=False)


def prepare_referrals(folder: Path) -> None:
    """Create the referrals folder (0700) when missing; check it when not.

    Raises:
        StoreError: it cannot be created, or it is a link, not a folder, another user's, or
            writable by others.
    """
    from screening.errors import StoreError

    previous = os.umask(0o077)
    try:
        folder.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(
            f"cannot create the referrals folder {folder}: {exc.strerror or exc}",
            hint=f"Check the permissions of {folder.parent}.",
        ) from exc
    finally:
        os.umask(previous)
    _check_folder(folder, "the referrals folder", follow=False)


def remove_referrals(home: Path, case_id: str) -> list[Path]:
    """Remove the referral file of a deleted case from the referrals folder.

    Removes ``referrals/CASE_ID.json`` (or the sealed ``CASE_ID.json.age``) and any temporary file a killed write left beside it
    (``.CASE_ID.json.*.tmp``). A regular file is overwritten with zeros before it is unlinked
    (unless another hard link to it exists); a symbolic link is unlinked, never followed. Files written elsewhere with ``--out`` are
    not touched.

    Returns:
        The files removed.

    Raises:
        StoreError: a file could not be removed (the case itself is already deleted).
    """
    from screening.errors import StoreError

    folder = home / REFERRALS_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    # The kept referral of an encrypted store is sealed: CASE_ID.json.age.
    names = (f"{case_id}.json", f"{case_id}.json.age")
    prefixes = tuple(f".{name}." for name in names)
    doomed = sorted(
        Path(entry.path)
        for entry in os.scandir(folder)
        if entry.name in names or (entry.name.startswith(prefixes) and entry.name.endswith(".tmp"))
    )
    removed: list[Path] = []
    for path in doomed:
        try:
            _scrub(path)
            os.unlink(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(
                f"case {case_id} was deleted, but its referral file {path} could not be "
                f"removed ({exc.strerror or exc})",
                hint="Remove the file yourself; it holds the case's answers.",
            ) from exc
        removed.append(path)
    return removed


def remove_private(path: Path) -> bool:
    """Remove a file this program wrote (a clear copy), overwritten with zeros first as
    :func:`remove_referrals` does; whether it was there.

    Raises:
        OSError: It could not be removed.
    """
    try:
        _scrub(path)
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _scrub(path: Path) -> None:
    """Overwrite a regular file with zeros (not through a link), so that a plain unlink does
    not leave its content in the freed blocks of an ordinary disk."""
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR) or os.path.islink(path):
            return  # a link or a special file: only its name goes
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink > 1:
            return  # another name for the same file (a hard link) keeps its content
        remaining = info.st_size
        block = b"\0" * 65536
        while remaining > 0:
            remaining -= os.write(fd, block[: min(remaining, len(block))])
        os.fsync(fd)
    finally:
        os.close(fd)
