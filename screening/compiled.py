"""Compiled questionnaires, cached in the user's cache folder (adapter).

Loading a questionnaire means parsing its YAML with positions, validating it and running every
check: most of the time a single ``screening score case.yaml`` takes. The result depends only on
the file's bytes and on this program, so it is kept, keyed by the SHA-256 of the bytes, in
``$XDG_CACHE_HOME/screening`` (``~/.cache/screening``), and loaded from there next time.

What is trusted, and why: an entry is a pickle, which runs code when loaded, so an entry is read
only from a folder that is not a symbolic link, belongs to the user and is closed to others
(0700), and only when the entry itself is a regular file of the user's, closed to others
(0600), not a symbolic link, that names this exact program (the hash of its code and of the
Python and pydantic versions) and whose payload matches the SHA-256 recorded with it. Anything
else (damaged, from another version, another owner, a link) is ignored and the questionnaire is
compiled afresh; a folder that is not safe is not written to either. Only a questionnaire that
passed every check is stored. ``SCREENING_NO_CACHE=1`` turns the cache off.

Each questionnaire has two entries: the model (``.questionnaire``) and its scoring plan
(``.plan``, :mod:`screening.plan`), which is all a single ``screening score`` reads. The table
of the bundled files' ids and versions is kept too (``bundled-STAMP.index``, see
:mod:`screening.plans`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from screening.model import Questionnaire
    from screening.plan import Plan

MAGIC = b"screening-compiled-questionnaire 2\n"
MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""An entry larger than this is ignored (a questionnaire file is at most a few MiB)."""

_SOURCES = (
    "model.py", "checks.py", "loader.py", "questionnaires.py", "compiled.py", "evaluate.py",
    "patterns.py", "limits.py", "errors.py", "i18n.py", "plan.py", "records.py", "strength.py",
    "reading.py",
)  # fmt: skip
"""The modules whose code decides what a compiled questionnaire is."""

_SUPPORTED = hasattr(os, "O_NOFOLLOW") and os.open in os.supports_dir_fd and hasattr(os, "geteuid")


_PROTOCOL = 5


def _pickle() -> Any:
    """The pickle module's C core (``pickle`` itself when there is none): loading it costs
    half as much as the whole module, at every start."""
    try:
        import _pickle
    except ImportError:  # pragma: no cover - another Python
        import pickle

        return pickle
    return _pickle


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off or not supported here."""
    if os.environ.get("SCREENING_NO_CACHE") or not _SUPPORTED:
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "screening"


@functools.cache
def program_stamp() -> str:
    """The hash of what makes a compiled questionnaire: this program's code and libraries."""
    from pydantic.version import VERSION

    from screening import __version__

    digest = hashlib.sha256()
    for part in (__version__, sys.version, VERSION):
        digest.update(part.encode() + b"\0")
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # a missing module: nothing this stamp could match
            digest.update(os.urandom(16))
        digest.update(b"\0")
    return digest.hexdigest()


def _open_dir(create: bool) -> int | None:
    """A descriptor of the cache folder when it is safe to use, else ``None``."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        if create:
            folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    info = os.fstat(fd)
    if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
        os.close(fd)
        return None
    return fd


KEPT_ENTRIES = 32
"""The most entries of each kind the cache folder keeps; the least recently written go first."""


KINDS = (".questionnaire", ".plan", ".index")
"""The kinds of entries: a questionnaire's model and its scoring plan, and the table of the
bundled questionnaires (one per version of the program; :mod:`screening.plans`)."""


def _entry_name(sha256: str, kind: str = ".questionnaire") -> str:
    # The program's stamp in the name: two versions of the program sharing the folder (an
    # upgrade side by side, two checkouts) each keep their own entry instead of replacing the
    # other's at every call.
    return f"{sha256}-{program_stamp()[:16]}{kind}"


def _prune(dir_fd: int) -> None:
    """Remove the oldest entries of each kind beyond :data:`KEPT_ENTRIES` (best effort)."""
    with contextlib.suppress(OSError):
        entries: dict[str, list[tuple[int, str]]] = {kind: [] for kind in KINDS}
        for name in os.listdir(dir_fd):
            kind = next((k for k in KINDS if name.endswith(k)), None)
            if kind is not None:
                info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
                entries[kind].append((info.st_mtime_ns, name))
        for found in entries.values():
            for _, name in sorted(found)[: max(0, len(found) - KEPT_ENTRIES)]:
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=dir_fd)


def _read(sha256: str, kind: str = ".questionnaire") -> tuple[dict[str, str], bytes] | None:
    """The header and payload of a sound entry for these bytes, else ``None``."""
    dir_fd = _open_dir(create=False)
    if dir_fd is None:
        return None
    try:
        fd = os.open(_entry_name(sha256, kind), os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError:
        return None
    finally:
        os.close(dir_fd)
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.geteuid()
            or stat.S_IMODE(info.st_mode) & 0o077
            or info.st_size > MAX_ENTRY_BYTES
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return _parse(data, sha256)


def _parse(data: bytes, sha256: str) -> tuple[dict[str, str], bytes] | None:
    if not data.startswith(MAGIC):
        return None
    lines = data[len(MAGIC) :].split(b"\n", 4)
    if len(lines) != 5:
        return None
    stamp, source, header, payload_sha, payload = lines
    if stamp.decode("ascii", "replace") != program_stamp() or source != sha256.encode():
        return None
    if hashlib.sha256(payload).hexdigest().encode() != payload_sha:
        return None
    try:
        fields = marshal.loads(bytes.fromhex(header.decode("ascii")))  # noqa: S302 - see above
    except (ValueError, EOFError, TypeError, UnicodeDecodeError):
        return None
    if not (
        isinstance(fields, dict)
        and isinstance(fields.get("id"), str)
        and isinstance(fields.get("version"), str)
    ):
        return None
    return fields, payload


def header(sha256: str) -> tuple[str, str] | None:
    """The id and version of the compiled questionnaire for these bytes, when cached."""
    entry = _read(sha256, ".plan")  # the smaller entry; written with the model's
    if entry is None:
        entry = _read(sha256)
    return None if entry is None else (entry[0]["id"], entry[0]["version"])


def read_entry(key: str, kind: str) -> bytes | None:
    """The payload of a sound entry of another kind (``key`` in place of a SHA-256)."""
    entry = _read(key, kind)
    return None if entry is None else entry[1]


def load_plan(sha256: str) -> Plan | None:
    """The scoring plan of the questionnaire of a file's bytes, when a sound entry is cached."""
    from screening.plan import Plan

    return _load(sha256, ".plan", Plan)


def load(sha256: str) -> Questionnaire | None:
    """The compiled questionnaire for a file's bytes, when a sound entry is cached."""
    from screening.model import Questionnaire

    return _load(sha256, ".questionnaire", Questionnaire)


_Loaded = TypeVar("_Loaded")


def _load(sha256: str, kind: str, expected: type[_Loaded]) -> _Loaded | None:
    """What a sound entry of this kind holds, when it is of the expected type."""
    entry = _read(sha256, kind)
    if entry is None:
        return None
    try:
        found = _pickle().loads(entry[1])
    except Exception:  # a damaged entry can fail in any way: it is only ignored
        return None
    return found if isinstance(found, expected) else None


def snapshot(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as an entry's payload: taken right after validation, before any use
    fills its lookups and compiled conditions (those are rebuilt on first use after loading)."""
    payload: bytes = _pickle().dumps(questionnaire, protocol=_PROTOCOL)
    return payload


def store_plan(sha256: str, plan: Plan) -> None:
    """Keep the scoring plan of a questionnaire that passed every check (as :func:`store`)."""
    store(sha256, plan.id, plan.version, _pickle().dumps(plan, protocol=_PROTOCOL), ".plan")


def store(
    sha256: str, ident: str, version: str, payload: bytes, kind: str = ".questionnaire"
) -> None:
    """Keep a questionnaire that passed every check; any failure only leaves it uncached.

    Args:
        sha256: The SHA-256 of the file's bytes.
        ident: The questionnaire's id.
        version: The questionnaire's version.
        payload: Its :func:`snapshot` (or its pickled plan, for the ``.plan`` kind).
        kind: Which entry: the model (``.questionnaire``) or the plan (``.plan``).
    """
    dir_fd = _open_dir(create=True)
    if dir_fd is None:
        return
    temporary = f".{os.urandom(8).hex()}.tmp"
    try:
        head = marshal.dumps({"id": ident, "version": version}).hex()
        data = b"".join(
            [
                MAGIC,
                program_stamp().encode(), b"\n",
                sha256.encode(), b"\n",
                head.encode(), b"\n",
                hashlib.sha256(payload).hexdigest().encode(), b"\n",
                payload,
            ]
        )  # fmt: skip
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        fd = os.open(temporary, flags, 0o600, dir_fd=dir_fd)
        try:
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(data)
        finally:
            os.close(fd)
        os.replace(temporary, _entry_name(sha256, kind), src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        _prune(dir_fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)
