"""`screening keys`: encrypt a case store, and manage who holds its key."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from screening.cli.environment import current as _env
from screening.cli.options import ForceOption, StoreOption, out_option

if TYPE_CHECKING:
    from screening.keys import Holders
    from screening.store.sqlite import SqliteStore

app = typer.Typer(
    help=(
        "Encryption at rest: the data key of a case store and who holds it (a passphrase, a "
        "recovery key, a key file). Losing every key loses the data.\n\n"
        "Example: screening keys init --backup /media/usb/cases-before-encryption.sqlite3"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)

KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        metavar="FILE",
        help="Also write a key file (0600) that unlocks the store without a prompt, for "
        "unattended use (SCREENING_KEY_FILE=FILE).",
    ),
]
NoPassphraseOption = Annotated[
    bool,
    typer.Option("--no-passphrase", help="No passphrase holder (with --key-file)."),
]
KdfTimeOption = Annotated[
    float,
    typer.Option(
        "--kdf-time",
        min=0.0,
        metavar="SECONDS",
        help="How long deriving the key from the passphrase takes on this computer (scrypt, "
        "tuned when the key is made): the cost of each guess to whoever steals the store.",
    ),
]


def _open(where: str | None) -> SqliteStore:
    from screening.keys import unlock_for_keys
    from screening.store import open_store

    store = open_store(where or None)
    store.set_unlocker(unlock_for_keys)
    return store


def _write_key_file(path: Path, text: str) -> None:
    from screening.files import write_private

    write_private(path, text)


def _holders(
    key_file: Path | None, no_passphrase: bool, kdf_time: float, *, recovery: bool
) -> Holders:
    from screening.errors import UsageError
    from screening.keys import Holders, check_passphrase, read_secret

    if key_file is not None:
        from screening.files import check_output

        check_output(key_file)
    if no_passphrase and key_file is None:
        raise UsageError(
            "--no-passphrase needs --key-file FILE",
            hint="Without a passphrase the store is unlocked by its key file or recovery key.",
        )
    passphrase = None
    if not no_passphrase:
        passphrase = check_passphrase(
            read_secret("New passphrase for the case store: ", confirm=True)
        )
    return Holders(passphrase=passphrase, key_file=key_file, recovery=recovery, kdf_time=kdf_time)


def _show_recovery(recovery: str | None) -> None:
    if recovery is None:
        return
    _env().stderr.write(
        "screening: the recovery key follows. Write it down or print it now and keep it "
        "offline (a safe); it is shown only this once. Anyone with it can read every case; "
        "without it and without a passphrase or key file, the data cannot be recovered.\n"
    )
    _env().stdout.write(recovery + "\n")
    _env().stdout.flush()


def _progress(done: int, total: int) -> None:
    _env().stderr.write(f"screening: encrypted {done} of {total} cases\n")


@app.command("init")
def init(
    key_file: KeyFileOption = None,
    no_passphrase: NoPassphraseOption = False,
    kdf_time: KdfTimeOption = 0.5,
    backup: Annotated[
        Path | None,
        typer.Option(
            "--backup",
            metavar="FILE",
            help="Before encrypting an SQLite store that holds cases, copy it to FILE (0600; "
            "clear text: keep it offline and destroy it once the store is checked).",
        ),
    ] = None,
    no_backup: Annotated[
        bool, typer.Option("--no-backup", help="Encrypt existing cases without a backup.")
    ] = False,
    force: ForceOption = False,
    where: StoreOption = None,
) -> None:
    """Encrypt a case store: make its data key, wrap it for a passphrase (asked twice), a
    recovery key (printed once, on standard output) and, with --key-file, a key file; then
    encrypt every case already there, in batches (run `keys rotate --resume` after a crash).

    A store that holds cases is copied first (--backup FILE), or --no-backup is given (on a
    PostgreSQL register: after pg_dump). From then on commands ask for the passphrase once,
    or read the key file named by SCREENING_KEY_FILE. Losing every key loses the data.

    Example: screening keys init --backup /media/usb/cases-before-encryption.sqlite3
    """
    from screening.errors import StoreError, UsageError
    from screening.keys import backup_before, check_backup, init_keys
    from screening.store.postgres import PostgresStore

    with _open(where) as store:
        if store.encrypted:
            raise StoreError(
                f"the case store {store.where} is encrypted already",
                hint="Use `screening keys add` for another holder, `screening keys rotate` for "
                "a new key, or `screening keys rotate --resume` to finish an interrupted run.",
            )
        cases = len(store.list_cases())
        if cases and backup is None and not no_backup:
            raise UsageError(
                f"the case store {store.where} holds {cases} cases: copy it before encrypting",
                hint="Give --backup FILE (on a removable disk), or --no-backup if you have a "
                "copy (pg_dump for a PostgreSQL register).",
            )
        if backup is not None:
            if isinstance(store, PostgresStore):
                raise UsageError(
                    "--backup copies an SQLite store; back a register up with pg_dump",
                    hint="Run pg_dump on the server, then keys init --no-backup.",
                )
            check_backup(backup, force=force)
        # Every input (the passphrase, the key file's place) is checked before anything is
        # written: a refusal leaves no clear copy behind.
        holders = _holders(key_file, no_passphrase, kdf_time, recovery=True)
        if backup is not None:
            _events, head = backup_before(store, backup, force=force)
            _env().stderr.write(
                f"screening: backed up {store.where} to {backup} (audit head {head}); it is "
                "not encrypted: keep it offline and destroy it once the store is checked\n"
            )
        try:
            recovery = init_keys(
                store, holders, write_key_file=_write_key_file, on_progress=_progress
            )
        except BaseException:
            _after_failed_init(store, backup, key_file)
            raise
        _env().stderr.write(f"screening: the case store {store.where} is encrypted\n")
        if key_file is not None:
            _env().stderr.write(f"screening: key file written to {key_file} (0600)\n")
    _show_recovery(recovery)


def _after_failed_init(store: SqliteStore, backup: Path | None, key_file: Path | None) -> None:
    """``keys init`` failed after its backup was made: before the keys were installed the
    store is as it was, and the clear copy is removed, with the key file of a key never
    installed (so that the command can be run again); after, the store is half encrypted
    and the copy is kept, and said where."""
    from screening.errors import StoreError
    from screening.keys import backup_anchor, discard_backup

    try:
        installed = "store_id" in store.key_settings(fresh=True)
    except StoreError:
        installed = True  # cannot tell: keep everything
    if not installed and key_file is not None:
        # It did not exist before the command (refused otherwise): this command wrote it.
        from screening.store.paths import remove_private

        with contextlib.suppress(OSError):
            remove_private(key_file)
    if backup is None:
        return
    if not installed:
        removed = discard_backup(backup)
        if backup in removed:
            _env().stderr.write(
                f"screening: removed the backup {backup} and its anchor: the case store "
                f"{store.where} was not changed\n"
            )
            return
    _env().stderr.write(
        f"screening: the backup {backup} (and {backup_anchor(backup)}) is kept: it is the "
        f"clear text of {store.where} before encryption; keep it offline, and destroy it once "
        "`screening keys rotate --resume` has finished encrypting the store\n"
        if installed
        else f"screening: the backup {backup} (and {backup_anchor(backup)}) could not be "
        "removed: it is clear text; remove it yourself before running the command again\n"
    )


@app.command("add")
def add(
    key_file: KeyFileOption = None,
    recovery_key: Annotated[
        bool, typer.Option("--recovery-key", help="A new recovery key (printed once).")
    ] = False,
    label: Annotated[
        str | None,
        typer.Option("--label", metavar="NAME", help="Whose passphrase it is (shown by list)."),
    ] = None,
    kdf_time: KdfTimeOption = 0.5,
    where: StoreOption = None,
) -> None:
    """Give one more holder the store's key: a passphrase (the default; asked after the
    current passphrase or recovery key), a key file (--key-file FILE) or a recovery key
    (--recovery-key).

    Example: screening keys add --label epc020
    """
    from screening.keys import Holders, add_holder, check_passphrase, read_secret

    with _open(where) as store:
        store.require_key()
        passphrase = None
        if key_file is None and not recovery_key:
            passphrase = check_passphrase(
                read_secret("New passphrase for the case store: ", confirm=True)
            )
        elif key_file is not None:
            from screening.files import check_output

            check_output(key_file)
        holders = Holders(
            passphrase=passphrase,
            key_file=key_file,
            recovery=recovery_key,
            kdf_time=kdf_time,
            label=label,
        )
        recovery = add_holder(store, holders, write_key_file=_write_key_file)
        _env().stderr.write(f"screening: key added to {store.where}\n")
    _show_recovery(recovery)


@app.command("list")
def list_keys(where: StoreOption = None) -> None:
    """Show whether the store is encrypted and who holds its key (no secret is shown); no
    key is needed.

    Example: screening keys list
    """
    from screening.keys import key_status
    from screening.store import open_store

    with open_store(where or None, allow_read_only=True) as store:
        status = key_status(store)
    if not status.encrypted:
        _env().stdout.write(f"the case store {store.where} is not encrypted\n")
        return
    _env().stdout.write(
        f"the case store {store.where} is encrypted (key generation {status.generation})\n"
    )
    if status.pending:
        _env().stdout.write(
            f"{status.pending} cases are not yet under the current key: run "
            "`screening keys rotate --resume`\n"
        )
    for holder_id, kind, label, gen, at in status.holders:
        shown = f" ({label})" if label else ""
        _env().stdout.write(f"  key {holder_id}: {kind}{shown}, generation {gen}, added {at}\n")


@app.command("remove")
def remove(
    holder: Annotated[int, typer.Argument(metavar="KEY", help="The key's number (keys list).")],
    where: StoreOption = None,
) -> None:
    """Remove one holder's copy of the key (the last one is refused). A holder who may have
    kept the data key itself (an unlocked copy of the store) is shut out only by
    `keys rotate`.

    Example: screening keys remove 3
    """
    from screening.store import open_store

    with open_store(where or None) as store:
        store.remove_holder(holder)
        _env().stderr.write(f"screening: key {holder} removed from {store.where}\n")


@app.command("rotate")
def rotate(
    key_file: KeyFileOption = None,
    no_passphrase: NoPassphraseOption = False,
    kdf_time: KdfTimeOption = 0.5,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Finish an interrupted keys init or rotate (no new key is made)."
        ),
    ] = False,
    where: StoreOption = None,
) -> None:
    """Make a new data key and re-encrypt every case with it, in batches: every holder is
    replaced (a new passphrase is asked, a new recovery key printed, --key-file written
    anew), so a leaked passphrase, recovery key or key file no longer opens the store. Cases
    stay readable throughout; after a crash, --resume goes on where it stopped.

    Example: screening keys rotate --key-file /etc/screening/store.key
    """
    from screening.keys import check_can_rotate, reencrypt, rotate_keys

    with _open(where) as store:
        if not resume:
            check_can_rotate(store)
        store.require_key()
        if resume:
            done = reencrypt(store, on_progress=_progress)
            _env().stderr.write(f"screening: {done} cases brought under the current key\n")
            return
        holders = _holders(key_file, no_passphrase, kdf_time, recovery=True)
        recovery = rotate_keys(
            store, holders, write_key_file=_write_key_file, on_progress=_progress
        )
        _env().stderr.write(f"screening: the case store {store.where} has a new key\n")
    _show_recovery(recovery)


@app.command("seal-to")
def seal_to(
    recipients: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[RECIPIENT]...",
            help="age1… or ssh-ed25519 … public keys of the receiving centre, or files of them.",
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Seal to no one by default.")] = False,
    where: StoreOption = None,
) -> None:
    """Set the recipients every referral of this store is sealed to (interview, cases
    export), unless --seal-to names others; without arguments, show them. The referral an
    interview keeps in an encrypted store's folder is sealed to the store itself too.

    Example: screening keys seal-to age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq
    """
    from screening.errors import UsageError
    from screening.seal import CENTRE_RECIPIENT, parse_recipients
    from screening.store import open_store

    with open_store(where or None) as store:
        if clear:
            store.set_setting(CENTRE_RECIPIENT, None)
            _env().stderr.write(f"screening: referrals of {store.where} are sealed to no one\n")
            return
        if not recipients:
            current = store.key_settings().get(CENTRE_RECIPIENT, "")
            _env().stdout.write(current + "\n" if current else "")
            if not current:
                _env().stderr.write(f"screening: referrals of {store.where} are sealed to no one\n")
            return
        if any(not value.strip().startswith(("age1", "ssh-")) for value in recipients):
            raise UsageError(
                "keys seal-to takes public keys (age1… or ssh-…), not files",
                hint="Give each recipient's public key.",
            )
        parse_recipients(recipients)
        store.set_setting(CENTRE_RECIPIENT, "\n".join(value.strip() for value in recipients))
        shown = ", ".join(value.strip()[:24] + "…" for value in recipients)
        _env().stderr.write(f"screening: referrals of {store.where} are now sealed to {shown}\n")


def open_sealed(
    file: Annotated[Path, typer.Argument(help="A sealed referral (.age).")],
    identity: Annotated[
        list[Path] | None,
        typer.Option(
            "--identity",
            "-i",
            metavar="KEYFILE",
            help="An age identity file (age-keygen) or SSH private key of a recipient; "
            "default: the encrypted store's own (for the referrals it keeps).",
        ),
    ] = None,
    out: Annotated[Path | None, out_option("Write the clear JSON here (0600).")] = None,
    force: ForceOption = False,
    where: StoreOption = None,
) -> None:
    """Open a sealed referral (.age) and print its JSON.

    For integrators, who may as well use `age -d -i KEYFILE FILE`, and for officers opening
    a referral their encrypted store keeps (referrals/CASE_ID.json.age; no --identity needed:
    the store's own identity is used once the store is unlocked). --out writes the JSON to a
    file (0600) instead.

    Example: screening open C-2026-11-29-7KQ3M2.json.age --identity centre.key
    """
    from screening.seal import open_sealed as open_file
    from screening.seal import read_identities, store_identity

    if out is not None:
        from screening.files import check_output

        check_output(out, force=force)
    try:
        data = file.read_bytes()
    except OSError as exc:
        from screening.errors import ScreeningError

        raise ScreeningError(f"cannot read {file}: {exc.strerror or exc}") from None
    if identity:
        identities = [found for path in identity for found in read_identities(path)]
    else:
        from screening.keys import unlock_for_keys
        from screening.store import open_store

        with open_store(where or None, allow_read_only=True) as store:
            store.set_unlocker(unlock_for_keys)
            identities = store_identity(store)
    text = open_file(data, identities, str(file))
    if out is None:
        _env().stdout.write(text)
        _env().stdout.flush()
    else:
        from screening.files import write_private

        write_private(out, text, force=force)
