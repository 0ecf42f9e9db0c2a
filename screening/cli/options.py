"""Options shared by the commands that write a file: ``--out`` and ``--force``."""

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
