"""Options shared by several commands, each defined once: ``--questionnaire``, ``--lang``,
``--rtl``, ``--format``, ``--out`` and ``--force``, ``--store``.

Each command gives the help text that fits it; the option's names, metavar and parsing are
the same everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def questionnaire_option(help_text: str) -> Any:
    """``--questionnaire``/``-q``: a questionnaire file or a bundled id."""
    return typer.Option("--questionnaire", "-q", help=help_text)


def lang_option(help_text: str) -> Any:
    """``--lang``: the language of the questionnaire's texts."""
    return typer.Option("--lang", help=help_text)


def rtl_option(help_text: str, **more: Any) -> Any:
    """``--rtl reorder|off``: how right-to-left text is sent to the terminal (read with
    :func:`screening.bidi.rtl_mode_from_env`, which falls back on ``SCREENING_RTL``)."""
    return typer.Option("--rtl", metavar="reorder|off", help=help_text, **more)


def format_option(help_text: str) -> Any:
    """``--format``: for people (a table or text), or for machines (JSON, CSV)."""
    return typer.Option("--format", help=help_text)


def _out_path(value: str) -> Path:
    # Typer would turn an empty value into Path("."); the parser sees it as typed.
    from screening.files import out_option

    return out_option(value)


def out_option(help_text: str) -> Any:
    """The ``--out``/``-o`` option with its help text (an empty value is refused)."""
    return typer.Option("--out", "-o", help=help_text, parser=_out_path, metavar="<path>")


def officer_parser(option: str) -> Any:
    """A parser for an option that takes an officer id (``--officer``, ``--to``): text with
    control characters (escape, a bidirectional override, ...) is a usage error, before
    anything is stored."""

    def parse(value: str) -> str:
        from screening.answers import id_problem
        from screening.errors import UsageError

        problem = id_problem("the officer id", value)
        if problem:
            raise UsageError(
                f"{option}: {problem}", hint="Type the officer id again, as plain text."
            )
        return value

    return parse


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
