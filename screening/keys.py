"""The keys of an encrypted case store: who holds the data key, unlocking, rotation.

A store is encrypted by :func:`init_keys` (``screening keys init``): a random data key is
made and wrapped for each holder (a passphrase through scrypt, a recovery key printed once, a
key file for unattended use), then every existing case is encrypted in batches. Commands unlock
the store when they first need its content (:func:`unlock_from_environment`: the key file named
by ``SCREENING_KEY_FILE``, refused unless only its owner may read it, or a passphrase typed at
the terminal). Rotation (:func:`rotate_keys`) makes a new data key, replaces every holder and
re-encrypts in batches, resumable after a crash.

The data key lives in memory only; no message names a passphrase, a secret or a key.
"""

from __future__ import annotations

import base64
import getpass
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from screening.errors import StoreError, UsageError
from screening.store.crypto import (
    KEY_BYTES,
    HolderKind,
    Keyring,
    KeyUnavailable,
    ScryptParams,
    WrongKey,
    derive_passphrase,
    derive_secret,
    format_recovery_key,
    parse_recovery_key,
    tune_scrypt,
    unwrap_key,
    wrap_key,
)
from screening.store.sqlite import SqliteStore

__all__ = [
    "KEY_FILE_VARIABLE",
    "Holders",
    "KeyStatus",
    "cross_unwrap",
    "init_keys",
    "key_status",
    "read_key_file",
    "reencrypt",
    "rotate_keys",
    "unlock",
    "unlock_from_environment",
]

KEY_FILE_VARIABLE: Final = "SCREENING_KEY_FILE"
"""A key file that unlocks the store without a prompt (unattended use); must be 0600."""

_KEY_FILE_MAGIC: Final = "screening-key-file 1"
_MIN_PASSPHRASE: Final = 8

Holder = tuple[str, str | None, int, str | None, str]


@dataclass(frozen=True)
class Holders:
    """Who is to hold a new data key.

    Attributes:
        passphrase: An officer's passphrase, or None for none.
        key_file: Where to write a key file (0600), or None.
        recovery: Whether to make a recovery key (printed once).
        kdf_time: The seconds scrypt should take on this computer.
        label: A name for the passphrase holder (whose it is).
    """

    passphrase: str | None = None
    key_file: Path | None = None
    recovery: bool = True
    kdf_time: float = 0.5
    label: str | None = None


@dataclass(frozen=True)
class KeyStatus:
    """What ``screening keys list`` shows: no secret, only who holds the key."""

    encrypted: bool
    store_id: str | None
    generation: int | None
    pending: int
    holders: tuple[tuple[int, str, str | None, int, str], ...]
    scrypt: tuple[str, ...]


def _wrap_for(
    holders: Holders, data_key: bytes, store_id: str, gen: int
) -> tuple[list[Holder], str | None, bytes | None]:
    """The wrapped keys for ``holders``, the recovery key to print and the key file's
    secret."""
    rows: list[Holder] = []
    recovery_text = None
    file_secret = None
    if holders.passphrase is not None:
        params = tune_scrypt(holders.kdf_time)
        kek = derive_passphrase(holders.passphrase, params)
        rows.append(
            (
                HolderKind.PASSPHRASE,
                holders.label,
                gen,
                params.to_json(),
                wrap_key(kek, data_key, store_id=store_id, kind=HolderKind.PASSPHRASE, gen=gen),
            )
        )
    if holders.recovery:
        secret = secrets.token_bytes(KEY_BYTES)
        kek = derive_secret(secret, HolderKind.RECOVERY)
        rows.append(
            (
                HolderKind.RECOVERY,
                "recovery key",
                gen,
                None,
                wrap_key(kek, data_key, store_id=store_id, kind=HolderKind.RECOVERY, gen=gen),
            )
        )
        recovery_text = format_recovery_key(secret)
    if holders.key_file is not None:
        file_secret = secrets.token_bytes(KEY_BYTES)
        kek = derive_secret(file_secret, HolderKind.KEY_FILE)
        rows.append(
            (
                HolderKind.KEY_FILE,
                holders.key_file.name,
                gen,
                None,
                wrap_key(kek, data_key, store_id=store_id, kind=HolderKind.KEY_FILE, gen=gen),
            )
        )
    if not rows:
        raise UsageError(
            "a store's key needs at least one holder",
            hint="Give a passphrase, --key-file FILE, or keep the recovery key.",
        )
    return rows, recovery_text, file_secret


def _key_file_text(store_id: str, secret: bytes) -> str:
    return f"{_KEY_FILE_MAGIC} {store_id} {base64.b64encode(secret).decode('ascii')}\n"


def init_keys(
    store: SqliteStore,
    holders: Holders,
    *,
    write_key_file: Callable[[Path, str], None],
    on_progress: Callable[[int, int], None] | None = None,
    batch: int = 50,
) -> str | None:
    """Encrypt a store: a new data key wrapped for ``holders``, then every case encrypted.

    The key file (if any) is written through ``write_key_file`` before the keys are installed,
    so a key exists outside the store before anything is encrypted under it.

    Returns:
        The recovery key, to print once (None when none was asked for).

    Raises:
        StoreError: The store is encrypted already (use ``keys add`` or ``keys rotate``).
    """
    if store.encrypted:
        raise StoreError(
            f"the case store {store.where} is encrypted already",
            hint="Use `screening keys add` for another holder, `screening keys rotate` for a "
            "new key, or `screening keys rotate --resume` to finish an interrupted run.",
        )
    store_id = secrets.token_hex(16)
    data_key = secrets.token_bytes(KEY_BYTES)
    rows, recovery_text, file_secret = _wrap_for(holders, data_key, store_id, 1)
    if holders.key_file is not None and file_secret is not None:
        write_key_file(holders.key_file, _key_file_text(store_id, file_secret))
    from screening.seal import new_store_identity

    keyring = Keyring(store_id, {1: data_key}, 1)
    store.install_keys(
        store_id=store_id, gen=1, holders=rows, settings=new_store_identity(keyring, 1)
    )
    store.unlock(keyring)
    reencrypt(store, on_progress=on_progress, batch=batch)
    return recovery_text


def rotate_keys(
    store: SqliteStore,
    holders: Holders,
    *,
    write_key_file: Callable[[Path, str], None],
    on_progress: Callable[[int, int], None] | None = None,
    batch: int = 50,
) -> str | None:
    """A new data key for an unlocked store: every holder is replaced by ``holders`` and each
    case re-encrypted in batches (resumable: :func:`reencrypt`). Returns the recovery key."""
    settings = check_can_rotate(store)
    store.require_key()
    keyring = store.keyring
    if keyring is None:
        raise KeyUnavailable(f"the case store {store.where} is not encrypted")
    old = int(settings["key_gen"])
    gen = old + 1
    old_key = keyring.key(old)
    data_key = secrets.token_bytes(KEY_BYTES)
    rows, recovery_text, file_secret = _wrap_for(holders, data_key, keyring.store_id, gen)
    # Each generation's key under the other: until the rotation ends, a holder of either
    # unlocks both, and a command that unlocked the old one reads cases already rewritten.
    rows.append(
        (
            HolderKind.NEXT,
            None,
            gen,
            None,
            wrap_key(old_key, data_key, store_id=keyring.store_id, kind=HolderKind.NEXT, gen=gen),
        )
    )
    rows.append(
        (
            HolderKind.PREVIOUS,
            None,
            old,
            None,
            wrap_key(
                data_key, old_key, store_id=keyring.store_id, kind=HolderKind.PREVIOUS, gen=old
            ),
        )
    )
    if holders.key_file is not None and file_secret is not None:
        write_key_file(holders.key_file, _key_file_text(keyring.store_id, file_secret))
    from screening.seal import rotated_identity

    keyring.add(gen, data_key)
    store.install_keys(
        store_id=keyring.store_id,
        gen=gen,
        holders=rows,
        settings=rotated_identity(store, keyring, gen),
    )
    keyring.current = gen
    reencrypt(store, on_progress=on_progress, batch=batch)
    return recovery_text


def check_can_rotate(store: SqliteStore) -> dict[str, str]:
    """The store's settings, when a new key can be made: the store is encrypted and no key
    change is unfinished."""
    settings = store.key_settings(fresh=True)
    if "store_id" not in settings:
        raise StoreError(
            f"the case store {store.where} is not encrypted",
            hint="Run `screening keys init` first.",
        )
    if "rotating" in settings:
        raise StoreError(
            f"a key change of {store.where} was interrupted",
            hint="Run `screening keys rotate --resume` to finish it first.",
        )
    return settings


def reencrypt(
    store: SqliteStore, *, batch: int = 50, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """Bring every case under the current key, a batch per transaction, then end the key
    change; how many cases were rewritten. Safe to run again after a crash."""
    total = store.pending_cases()
    done = 0
    while True:
        count = store.reencrypt_batch(batch)
        if count == 0:
            break
        done += count
        if on_progress is not None:
            on_progress(done, total)
    store.finish_keys()
    return done


def add_holder(
    store: SqliteStore, holders: Holders, *, write_key_file: Callable[[Path, str], None]
) -> str | None:
    """Wrap the unlocked current key for more holders; the recovery key, if one was made."""
    store.require_key()
    keyring = store.keyring
    if keyring is None:
        raise StoreError(
            f"the case store {store.where} is not encrypted",
            hint="Run `screening keys init` first.",
        )
    gen = keyring.current
    rows, recovery_text, file_secret = _wrap_for(holders, keyring.key(gen), keyring.store_id, gen)
    if holders.key_file is not None and file_secret is not None:
        write_key_file(holders.key_file, _key_file_text(keyring.store_id, file_secret))
    store.add_holders(rows)
    return recovery_text


def key_status(store: SqliteStore) -> KeyStatus:
    """Whether the store is encrypted, under which generation, and who holds the key."""
    settings = store.key_settings(fresh=True)
    if "store_id" not in settings:
        return KeyStatus(False, None, None, 0, (), ())
    rows = store.key_holders()
    return KeyStatus(
        encrypted=True,
        store_id=settings["store_id"],
        generation=int(settings["key_gen"]),
        pending=store.pending_cases(),
        holders=tuple(
            (i, kind, label, gen, at)
            for i, kind, label, gen, _kdf, _w, at in rows
            if kind not in (HolderKind.NEXT, HolderKind.PREVIOUS)
        ),
        scrypt=tuple(str(kdf) for _i, kind, _l, _g, kdf, _w, _a in rows if kdf),
    )


# -- unlocking --------------------------------------------------------------------------------


def cross_unwrap(keyring: Keyring, rows: list[tuple[str, int, str]]) -> None:
    """Add to ``keyring`` the keys a rotation's cross wraps give (``(kind, gen, wrapped)``)."""
    changed = True
    while changed:
        changed = False
        for kind, gen, wrapped in rows:
            if keyring.has(gen):
                continue
            other = gen - 1 if kind == HolderKind.NEXT else gen + 1
            if not keyring.has(other):
                continue
            key = unwrap_key(
                keyring.key(other), wrapped, store_id=keyring.store_id, kind=kind, gen=gen
            )
            if key is not None:
                keyring.add(gen, key)
                changed = True


def unlock(
    store: SqliteStore, *, secret: str | None = None, key_file: bytes | None = None
) -> Keyring:
    """The store's keys, from a typed passphrase or recovery key, or a key file's secret.

    Raises:
        WrongKey: Nothing given unwraps any of the store's keys (one line, exit 1).
    """
    settings = store.key_settings(fresh=True)
    store_id = settings.get("store_id")
    if store_id is None:
        raise StoreError(f"the case store {store.where} is not encrypted")
    current = int(settings["key_gen"])
    rows = store.key_holders()
    found: dict[int, bytes] = {}
    candidates: Iterator[tuple[str, int, str | None, str]] = (
        (kind, gen, kdf, wrapped) for _i, kind, _l, gen, kdf, wrapped, _at in rows
    )
    recovery = None if secret is None else parse_recovery_key(secret)
    for kind, gen, kdf, wrapped in candidates:
        kek: bytes | None = None
        if key_file is not None and kind == HolderKind.KEY_FILE:
            kek = derive_secret(key_file, HolderKind.KEY_FILE)
        elif recovery is not None and kind == HolderKind.RECOVERY:
            kek = derive_secret(recovery, HolderKind.RECOVERY)
        elif secret is not None and recovery is None and kind == HolderKind.PASSPHRASE and kdf:
            try:
                params = ScryptParams.from_json(kdf)
            except (ValueError, KeyError, TypeError):
                continue
            kek = derive_passphrase(secret, params)
        if kek is None:
            continue
        key = unwrap_key(kek, wrapped, store_id=store_id, kind=kind, gen=gen)
        if key is not None:
            found[gen] = key
            break
    if not found:
        what = (
            "the key file"
            if key_file is not None
            else "the recovery key"
            if recovery is not None
            else "the passphrase"
        )
        # One line: what, where and what to do (nothing of what was typed).
        raise WrongKey(
            f"{what} does not unlock the case store {store.where}; check it and try again"
        )
    keyring = Keyring(store_id, found, current)
    cross_unwrap(
        keyring,
        [
            (kind, gen, wrapped)
            for _i, kind, _l, gen, _k, wrapped, _a in rows
            if kind in (HolderKind.NEXT, HolderKind.PREVIOUS)
        ],
    )
    return keyring


def read_key_file(path: Path) -> tuple[str, bytes]:
    """A key file's store id and secret; refused unless it is a regular file of the user's
    that no one else may read or write (mode 0600 or 0400), opened without following a link.

    Raises:
        StoreError: The file is missing, a link, readable by others, or not a key file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise StoreError(
            f"cannot read the key file {path}: {exc.strerror or 'cannot be opened'}"
            + (" (it is a symbolic link)" if path.is_symlink() else ""),
            hint=f"Check {KEY_FILE_VARIABLE} or the path given.",
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(f"the key file {path} is not a regular file")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise StoreError(
                f"the key file {path} belongs to another user",
                hint="Use a key file of your own (mode 0600).",
            )
        if info.st_mode & 0o077:
            raise StoreError(
                f"the key file {path} may be read or written by others "
                f"(mode {stat.S_IMODE(info.st_mode):04o})",
                hint=f"Run `chmod 600 {path}` if no one else could have copied it; otherwise "
                "rotate the store's key (`screening keys rotate`).",
            )
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    try:
        magic_a, magic_b, store_id, encoded = data.decode("ascii").split()
        if f"{magic_a} {magic_b}" != _KEY_FILE_MAGIC:
            raise ValueError
        secret = base64.b64decode(encoded, validate=True)
        if len(secret) != KEY_BYTES:
            raise ValueError
    except ValueError:
        raise StoreError(
            f"{path} is not a screening key file",
            hint="Give the file `screening keys init --key-file` wrote.",
        ) from None
    return store_id, secret


def unlock_from_environment(store: SqliteStore) -> Keyring:
    """Unlock ``store`` the way commands do: the key file in ``SCREENING_KEY_FILE`` when
    set, otherwise a passphrase or recovery key typed at the terminal (not echoed).

    Raises:
        KeyUnavailable: No key file is set and there is no terminal to ask at.
        WrongKey: What was given does not unlock the store.
    """
    named = os.environ.get(KEY_FILE_VARIABLE, "").strip()
    if named:
        _store_id, secret = read_key_file(Path(named).expanduser())
        return unlock(store, key_file=secret)
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise KeyUnavailable(
            f"the case store {store.where} is encrypted, and there is no terminal to type its "
            "passphrase in",
            hint=f"Set {KEY_FILE_VARIABLE} to the store's key file (mode 0600), or run the "
            "command in a terminal.",
        )
    typed = getpass.getpass(f"Passphrase or recovery key for {store.where}: ", stream=sys.stderr)
    return unlock(store, secret=typed)


def check_passphrase(passphrase: str) -> str:
    """A new passphrase, refused when too short to resist guessing for long."""
    if len(passphrase) < _MIN_PASSPHRASE:
        raise UsageError(
            f"a passphrase needs at least {_MIN_PASSPHRASE} characters",
            hint="Use a few words you can remember and no one can guess.",
        )
    return passphrase


def read_secret(prompt: str, *, confirm: bool = False) -> str:
    """A passphrase or recovery key: typed at the terminal without echo (twice with
    ``confirm``), or one line of standard input when it is not a terminal (scripts)."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise UsageError(
                "no passphrase on standard input",
                hint="Type it in a terminal, or give it as one line of standard input.",
            )
        return line.rstrip("\r\n")
    first = getpass.getpass(prompt, stream=sys.stderr)
    if confirm:
        again = getpass.getpass("Type it again: ", stream=sys.stderr)
        if again != first:
            raise UsageError("the two passphrases differ", hint="Run the command again.")
    return first


def unlock_for_keys(store: SqliteStore) -> Keyring:
    """Unlock for a ``keys`` command: the key file in ``SCREENING_KEY_FILE``, else the
    current passphrase or recovery key, typed or read from standard input."""
    if os.environ.get(KEY_FILE_VARIABLE, "").strip():
        return unlock_from_environment(store)
    return unlock(store, secret=read_secret(f"Passphrase or recovery key for {store.where}: "))


def backup_anchor(file: Path) -> Path:
    """The anchor file written beside a backup."""
    return Path(str(file) + ".anchor")


def check_backup(file: Path, *, force: bool = False) -> None:
    """Refuse a backup file (or its anchor) that cannot be written, before anything is."""
    from screening.files import check_output

    check_output(file, force=force)
    check_output(backup_anchor(file), force=force)


def discard_backup(file: Path) -> list[Path]:
    """Remove a backup ``keys init`` made (overwritten with zeros first) and its anchor; the
    files removed. Nothing is raised: what could not be removed is left, and not returned."""
    from screening.store.paths import remove_private

    removed = []
    for path in (file, backup_anchor(file)):
        try:
            if remove_private(path):
                removed.append(path)
        except OSError:
            continue
    return removed


def backup_before(store: SqliteStore, file: Path, *, force: bool = False) -> tuple[int, str]:
    """Copy an SQLite store to ``file`` (0600, whole or not at all) with its anchor beside it,
    as ``screening cases backup`` does; the number of audit events and the head."""
    from screening.files import check_output, private_file, write_private

    data, events, head = store.backup()
    anchor = backup_anchor(file)
    check_output(anchor, force=force)
    with private_file(file, force=force) as handle:
        handle.flush()
        handle.buffer.write(data)
    write_private(anchor, store.anchor_record(events, head), force=force)
    return events, head
