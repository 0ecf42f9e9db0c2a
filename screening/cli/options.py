"""Options shared by several commands: ``--out`` and ``--force``; ``--store``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def _out_path(value: str) -> Path:
    # Typer would turn an empty value into Path("."); the parser sees it as typed.
    from screening.files import out_option

    return out_option(value)


def out_option(help_text: str) -> Any:
    """The ``--out``/``-o`` option with its help text (an empty value is refused)."""
    return typer.Option("--out", "-o", help=help_text, parser=_out_path, metavar="<path>")


ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace the --out file if it exists (a regular file only; links, folders, "
        "devices and pipes are always refused).",
    ),
]


SealToOption = Annotated[
    list[str] | None,
    typer.Option(
        "--seal-to",
        metavar="RECIPIENT",
        help="Seal the referral (age format) to this recipient: an age1… or ssh-ed25519 … "
        "public key, or a file of them; repeat for several. Only their identities open it "
        "(`age -d`, `screening open`). interview and cases export default to the store's "
        "recipients (`screening keys seal-to`).",
    ),
]


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="SCREENING_STORE",
        metavar="PATH|URL",
        help="The case store: a folder (default: SCREENING_HOME, else your data folder) or "
        "a centre's shared register, postgresql://USER@HOST/DATABASE (libpq conventions: "
        "PGHOST, PGUSER, ~/.pgpass, a Unix socket). Env: SCREENING_STORE.",
        show_envvar=False,
    ),
]
