"""Sealed referrals: a referral encrypted to its receivers in the age format (age-encryption.org).

A sealed referral is an age file (binary, ``age-encryption.org/v1``) that the receiving system
opens with the standard ``age`` tool or any age library and its own identity; nobody else can
read it, not even the sender. The clear text is encrypted in memory and only the sealed bytes
are written (0600, like every file the program writes). The encryption is pyrage's, a binding of
the reference implementation rage.

Recipients: ``age1…`` (X25519) and ``ssh-ed25519 …`` / ``ssh-rsa …`` public keys, or a file of
them, one a line (``#`` comments), as ``age -R`` reads. An encrypted case store has an age
identity of its own, kept encrypted under the store's data key: the referral an interview keeps
in the store's folder is sealed to it, so that nothing in that folder is clear text.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from screening.errors import ScreeningError, StoreError, UsageError

if TYPE_CHECKING:
    from screening.store.crypto import Keyring
    from screening.store.sqlite import SqliteStore

__all__ = [
    "CENTRE_RECIPIENT",
    "SEALED_SUFFIX",
    "new_store_identity",
    "open_sealed",
    "parse_recipients",
    "read_identities",
    "seal",
    "store_identity",
    "write_referral",
    "write_sealed",
]

SEALED_SUFFIX: Final = ".age"
CENTRE_RECIPIENT: Final = "seal_to"
"""The store setting holding the recipients every referral of the store is sealed to (the
receiving centre's), one a line."""
STORE_RECIPIENT: Final = "store_recipient"
STORE_IDENTITY: Final = "store_identity"
_MAX_IDENTITY_FILE: Final = 1 << 20


def _pyrage() -> Any:
    import pyrage

    return pyrage


def _recipient(text: str, where: str) -> Any:
    pyrage = _pyrage()
    value = text.strip()
    try:
        if value.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(value)
        if value.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return pyrage.ssh.Recipient.from_str(value)
    except pyrage.RecipientError:
        pass
    shown = value if len(value) <= 80 and value.isprintable() else value[:77] + "…"
    raise UsageError(
        f"{where}: {shown!r} is not an age recipient",
        hint="Give an age public key (age1…, from age-keygen) or an SSH public key "
        "(ssh-ed25519 … or ssh-rsa …), or a file of them, one a line.",
    )


def parse_recipients(values: Sequence[str]) -> list[Any]:
    """The recipients named on the command line or in the store's settings: each value is
    a public key, or a file of them (one a line, ``#`` comments).

    Raises:
        UsageError: A value is neither a recipient nor a readable file of recipients.
    """
    recipients: list[Any] = []
    for value in values:
        text = value.strip()
        if not text:
            raise UsageError("--seal-to needs a recipient", hint="Give an age1… public key.")
        if text.startswith(("age1", "ssh-")):
            recipients.append(_recipient(text, "--seal-to"))
            continue
        path = Path(text).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise UsageError(
                f"--seal-to {text!r} is neither an age recipient nor a readable file of them",
                hint="Give an age public key (age1…) or an SSH public key, or a file of them.",
            ) from None
        found = [
            _recipient(line, f"{path}:{number}")
            for number, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if not found:
            raise UsageError(f"{path} holds no age recipient")
        recipients += found
    return recipients


def seal(text: str, recipients: Sequence[Any]) -> bytes:
    """``text`` (UTF-8) encrypted to every recipient, in the age format."""
    pyrage = _pyrage()
    data: bytes = pyrage.encrypt(text.encode("utf-8"), list(recipients))
    return data


def read_identities(path: Path) -> list[Any]:
    """The identities of an age identity file (``AGE-SECRET-KEY-1…`` lines, as age-keygen
    writes) or of an unencrypted SSH private key.

    Raises:
        ScreeningError: The file cannot be read or holds no identity.
    """
    pyrage = _pyrage()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(_MAX_IDENTITY_FILE)
    except OSError as exc:
        raise ScreeningError(
            f"cannot read the identity file {path}: {exc.strerror or 'cannot be opened'}",
            hint="Give the file age-keygen wrote (AGE-SECRET-KEY-1…), or an SSH private key.",
        ) from None
    text = data.decode("utf-8", errors="replace")
    identities: list[Any] = []
    if "PRIVATE KEY" in text:
        with contextlib.suppress(pyrage.IdentityError):
            identities.append(pyrage.ssh.Identity.from_buffer(data))
    for line in text.splitlines():
        line = line.strip()
        if line.upper().startswith("AGE-SECRET-KEY-1"):
            try:
                identities.append(pyrage.x25519.Identity.from_str(line))
            except pyrage.IdentityError:
                continue
    if not identities:
        raise ScreeningError(
            f"{path} holds no age identity",
            hint="Give the file age-keygen wrote (AGE-SECRET-KEY-1…), or an unencrypted SSH "
            "private key.",
        )
    return identities


def open_sealed(data: bytes, identities: Sequence[Any], where: str) -> str:
    """The clear text of an age file.

    Raises:
        ScreeningError: The file is not an age file, or none of the identities opens it.
    """
    pyrage = _pyrage()
    if not data.startswith(b"age-encryption.org/v1\n"):
        raise ScreeningError(
            f"{where} is not a sealed referral (an age file)",
            hint="Give the .age file that --seal-to or an interview wrote.",
        )
    try:
        clear: bytes = pyrage.decrypt(data, list(identities))
    except pyrage.DecryptError:
        raise ScreeningError(
            f"{where} cannot be opened with this identity (it was sealed to someone else, or "
            "it was altered)",
            hint="Give the identity file of a recipient it was sealed to.",
        ) from None
    try:
        return clear.decode("utf-8")
    except UnicodeDecodeError:
        raise ScreeningError(f"{where} does not hold a referral (not UTF-8 text)") from None


def check_sealed_target(
    path: Path | None, recipients: Sequence[Any], stdout: TextIO | None = None
) -> None:
    """Refuse, before anything is done, to send sealed bytes to a terminal (``stdout``,
    standard output when None)."""
    if recipients and path is None and _isatty(stdout or sys.stdout):
        raise UsageError(
            "a sealed referral is binary: it is not shown on a terminal",
            hint="Give --out FILE.age, or redirect standard output to a file.",
        )


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def write_sealed(
    path: Path | None, data: bytes, *, force: bool = False, stdout: TextIO | None = None
) -> None:
    """Write sealed bytes to ``path`` (0600, whole or not at all, never through a link), or
    to ``stdout`` (standard output when None) when ``path`` is None (refused on a terminal:
    the bytes are not text)."""
    if path is None:
        stream = stdout or sys.stdout
        check_sealed_target(None, [data], stream)
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
        return
    from screening.files import private_file

    with private_file(path, force=force) as handle:
        handle.flush()
        handle.buffer.write(data)


# -- the store's recipients -------------------------------------------------------------------


def new_store_identity(keyring: Keyring, gen: int, identity: str | None = None) -> dict[str, str]:
    """The settings that give an encrypted store its own age identity (new, or ``identity``
    kept across a rotation), its secret sealed under the data key of ``gen``."""
    pyrage = _pyrage()
    if identity is None:
        made = pyrage.x25519.Identity.generate()
        identity = str(made)
        public = str(made.to_public())
    else:
        public = str(pyrage.x25519.Identity.from_str(identity).to_public())
    sealed = keyring.seal(gen, "", "identity", None, identity)
    return {STORE_RECIPIENT: public, STORE_IDENTITY: f"{gen}:{sealed}"}


def _identity_text(store: SqliteStore, keyring: Keyring) -> str | None:
    from screening.store.crypto import SealedValueError

    value = store.key_settings().get(STORE_IDENTITY)
    if value is None:
        return None
    gen, _, sealed = value.partition(":")
    try:
        return keyring.open(int(gen), "", "identity", None, sealed)
    except (SealedValueError, ValueError):
        raise StoreError(
            f"the age identity of the case store {store.where} does not decrypt: it was "
            "altered outside screening",
            hint="Open its sealed referrals with the centre's identity, or re-export the "
            "cases (`screening cases export`).",
        ) from None


def store_identity(store: SqliteStore) -> list[Any]:
    """The encrypted store's own age identity (unlocking the store), to open the referrals
    kept in its folder."""
    keyring = store.require_key()
    text = None if keyring is None else _identity_text(store, keyring)
    if text is None:
        raise UsageError(
            f"the case store {store.where} has no identity of its own to open this file with",
            hint="Give --identity FILE (the receiving side's age identity).",
        )
    return [_pyrage().x25519.Identity.from_str(text)]


def rotated_identity(store: SqliteStore, keyring: Keyring, gen: int) -> dict[str, str]:
    """The store's identity sealed again under the key of ``gen`` (a rotation)."""
    text = _identity_text(store, keyring)
    return new_store_identity(keyring, gen, text)


def referral_recipients(store: object, seal_to: Sequence[str], *, kept: bool) -> list[Any]:
    """Whom a referral is sealed to: ``--seal-to``, else the centre's recipients in the
    store's settings; and, for the copy kept in an encrypted store's folder, the store
    itself. Empty: written as clear JSON."""
    read = getattr(store, "key_settings", None)  # a store of tests may keep no settings
    settings: dict[str, str] = {} if read is None else read()
    values = list(seal_to) or [
        line for line in settings.get(CENTRE_RECIPIENT, "").splitlines() if line.strip()
    ]
    recipients = parse_recipients(values)
    if kept and STORE_RECIPIENT in settings:
        recipients.append(_recipient(settings[STORE_RECIPIENT], "the store's recipient"))
    return recipients


def write_referral(
    store: object,
    path: Path | None,
    document: str,
    *,
    seal_to: Sequence[str] = (),
    kept: bool = False,
    force: bool = False,
    stdout: TextIO | None = None,
) -> Path | None:
    """Write a referral: sealed when it has recipients (see :func:`referral_recipients`),
    with ``.age`` added to a kept copy's name; clear JSON otherwise. ``path`` None: ``stdout``
    (standard output when None). Returns where it went."""
    from screening.files import write_private

    text = document if document.endswith("\n") else document + "\n"
    recipients = referral_recipients(store, seal_to, kept=kept)
    if not recipients:
        if path is None:
            stream = stdout or sys.stdout
            stream.write(text)
            stream.flush()
        else:
            write_private(path, text, force=force)
        return path
    if kept and path is not None:
        path = path.with_name(path.name + SEALED_SUFFIX)
    write_sealed(path, seal(text, recipients), force=force, stdout=stdout)
    return path
