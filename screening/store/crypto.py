"""Encryption at rest: the store's data keys, how holders wrap them, and sealed values.

An encrypted store has a random 256-bit data key per generation (rotation adds one). Every
answer value, note, referral, metadata value and case secret is stored as AES-GCM ciphertext
under the data key of its case's generation, with associated data naming the store, the case,
the field and the question (or metadata key): a ciphertext copied to another case, question or
field fails to decrypt. The data key is never stored in the clear: each holder wraps it with a
key of its own (scrypt of a passphrase, or a random secret kept in a key file or printed as a
recovery key). Nothing here does I/O; the primitives are pyca/cryptography's.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from screening.errors import StoreError

__all__ = [
    "KEY_BYTES",
    "HolderKind",
    "KeyUnavailable",
    "Keyring",
    "ScryptParams",
    "SealedValueError",
    "WrappedKey",
    "WrongKey",
    "derive_passphrase",
    "derive_secret",
    "format_recovery_key",
    "parse_recovery_key",
    "tune_scrypt",
    "unwrap_key",
    "wrap_key",
]

KEY_BYTES: Final = 32
_NONCE: Final = 12
_PREFIX: Final = "aesgcm1:"
_RECOVERY_PREFIX: Final = "SCRN-RK-"
_B32: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class HolderKind:
    """The ways a data key is wrapped (the ``kind`` of a row of ``store_keys``)."""

    PASSPHRASE: Final = "passphrase"  # noqa: S105 - a kind of holder, not a password
    RECOVERY: Final = "recovery"
    KEY_FILE: Final = "key-file"
    # A rotation's cross wraps: the new generation's key under the old one and back, so that
    # any holder of either generation unlocks both until the rotation ends.
    NEXT: Final = "next"
    PREVIOUS: Final = "previous"


class KeyUnavailable(StoreError):
    """The store is encrypted and no key can be had here (no terminal to ask, no key file)."""


class WrongKey(StoreError):
    """The passphrase, recovery key or key file given is not one of the store's."""


class SealedValueError(Exception):
    """A stored ciphertext does not decrypt: altered, moved, or of another key."""


@dataclass(frozen=True)
class ScryptParams:
    """scrypt's cost parameters and salt, recorded with each passphrase holder."""

    n: int
    r: int = 8
    p: int = 1
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    def to_json(self) -> str:
        """The parameters as recorded in the store."""
        return json.dumps(
            {
                "kdf": "scrypt",
                "n": self.n,
                "r": self.r,
                "p": self.p,
                "salt": base64.b64encode(self.salt).decode("ascii"),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ScryptParams:
        """The parameters recorded in the store."""
        data = json.loads(text)
        if data.get("kdf") != "scrypt":
            raise ValueError("not scrypt parameters")
        return cls(
            n=int(data["n"]),
            r=int(data["r"]),
            p=int(data["p"]),
            salt=base64.b64decode(data["salt"]),
        )


def derive_passphrase(passphrase: str, params: ScryptParams) -> bytes:
    """The key-encryption key of a passphrase holder (scrypt)."""
    kdf = Scrypt(salt=params.salt, length=KEY_BYTES, n=params.n, r=params.r, p=params.p)
    return kdf.derive(passphrase.encode("utf-8"))


def derive_secret(secret: bytes, kind: str) -> bytes:
    """The key-encryption key of a random secret (key file, recovery key): HKDF-SHA256; the
    secret has full entropy, so no slow derivation is needed."""
    kdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"screening key holder " + kind.encode("ascii"),
    )
    return kdf.derive(secret)


def tune_scrypt(target: float = 0.5, *, floor: int = 2**10, ceiling: int = 2**20) -> ScryptParams:
    """scrypt parameters costing about ``target`` seconds on this computer: the power of two
    ``n`` (r=8, p=1, between ``floor`` and ``ceiling``) whose cost is nearest to it (between
    two thirds and four thirds of it). Each step is timed for real, since scrypt's cost grows
    faster than ``n`` once its memory (128 * r * n bytes) leaves the processor's caches."""
    n = floor
    while n < ceiling:
        started = time.perf_counter()
        derive_passphrase("probe", ScryptParams(n=n))
        if (time.perf_counter() - started) * 2 > target * 4 / 3:
            break
        n *= 2
    return ScryptParams(n=n)


def _aad(parts: Mapping[str, str | int | None] | list[str | int | None]) -> bytes:
    return json.dumps(parts, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class WrappedKey:
    """A data key as one holder keeps it: AES-GCM under the holder's key."""

    text: str

    @classmethod
    def seal(cls, kek: bytes, data_key: bytes, *, store_id: str, kind: str, gen: int) -> WrappedKey:
        """Wrap ``data_key`` under ``kek`` (bound to the store, holder kind and generation)."""
        nonce = secrets.token_bytes(_NONCE)
        sealed = AESGCM(kek).encrypt(nonce, data_key, _aad(["wrap", store_id, kind, gen]))
        return cls(base64.b64encode(nonce + sealed).decode("ascii"))


def wrap_key(kek: bytes, data_key: bytes, *, store_id: str, kind: str, gen: int) -> str:
    """``data_key`` wrapped under ``kek``, as stored."""
    return WrappedKey.seal(kek, data_key, store_id=store_id, kind=kind, gen=gen).text


def unwrap_key(kek: bytes, wrapped: str, *, store_id: str, kind: str, gen: int) -> bytes | None:
    """The data key a holder wrapped, or None when ``kek`` is not that holder's key."""
    try:
        raw = base64.b64decode(wrapped, validate=True)
        key = AESGCM(kek).decrypt(raw[:_NONCE], raw[_NONCE:], _aad(["wrap", store_id, kind, gen]))
    except (InvalidTag, ValueError):
        return None
    return key if len(key) == KEY_BYTES else None


def format_recovery_key(secret: bytes) -> str:
    """A recovery secret as printed for the supervisor: base32 in groups of four."""
    text = base64.b32encode(secret).decode("ascii").rstrip("=")
    return _RECOVERY_PREFIX + "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes | None:
    """The secret of a typed recovery key (spaces, dashes and letter case do not matter);
    None when ``text`` is not one."""
    cleaned = "".join(text.split()).upper().replace("-", "")
    prefix = _RECOVERY_PREFIX.replace("-", "")
    if not cleaned.startswith(prefix):
        return None
    body = cleaned[len(prefix) :]
    if not body or any(ch not in _B32 for ch in body):
        return None
    try:
        secret = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return None
    return secret if len(secret) == KEY_BYTES else None


class Keyring:
    """The unlocked data keys of one store (by generation); never written anywhere.

    Attributes:
        store_id: The store's random id, part of every ciphertext's associated data.
        current: The generation new cases are written with.
    """

    __slots__ = ("_ciphers", "_keys", "current", "store_id")

    def __init__(self, store_id: str, keys: Mapping[int, bytes], current: int) -> None:
        self.store_id = store_id
        self.current = current
        self._keys = dict(keys)
        self._ciphers = {gen: AESGCM(key) for gen, key in keys.items()}

    def add(self, gen: int, key: bytes) -> None:
        """Hold the key of another generation too (a rotation's)."""
        self._keys[gen] = key
        self._ciphers[gen] = AESGCM(key)

    def key(self, gen: int) -> bytes:
        """The data key of generation ``gen`` (to wrap it for a new holder)."""
        return self._keys[gen]

    def __repr__(self) -> str:
        return f"Keyring(store_id={self.store_id!r}, generations={sorted(self._ciphers)})"

    def has(self, gen: int) -> bool:
        """Whether the key of generation ``gen`` is unlocked."""
        return gen in self._ciphers

    def seal(self, gen: int, case_id: str, name: str, subject: str | None, text: str) -> str:
        """``text`` encrypted for field ``name`` (``answer``, ``note``, ``referral``, ``meta``,
        ``salt``) of ``subject`` (question id, metadata key) in case ``case_id``."""
        nonce = secrets.token_bytes(_NONCE)
        sealed = self._ciphers[gen].encrypt(
            nonce, text.encode("utf-8"), self._aad(case_id, name, subject)
        )
        return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, gen: int, case_id: str, name: str, subject: str | None, stored: str) -> str:
        """The clear text of a stored value; :class:`SealedValueError` when it does not
        decrypt here (changed, or copied from another case, question or field)."""
        cipher = self._ciphers.get(gen)
        if cipher is None or not stored.startswith(_PREFIX):
            raise SealedValueError(name)
        try:
            raw = base64.b64decode(stored[len(_PREFIX) :], validate=True)
            clear = cipher.decrypt(raw[:_NONCE], raw[_NONCE:], self._aad(case_id, name, subject))
            return clear.decode("utf-8")
        except (InvalidTag, ValueError):
            raise SealedValueError(name) from None

    def _aad(self, case_id: str, name: str, subject: str | None) -> bytes:
        # Case ids are looked up regardless of case: bind the form the store keeps.
        return _aad(
            {"store": self.store_id, "case": case_id.casefold(), "field": name, "of": subject}
        )
