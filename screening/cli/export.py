"""`screening export`: the questionnaire in other tools' formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from screening.cli.environment import current
from screening.cli.options import ForceOption, out_option

app = typer.Typer(
    help="Export a questionnaire for other tools.\n\n"
    "Example: screening export xlsform --out form.xlsx",
    no_args_is_help=True,
)


@app.command()
def xlsform(
    questionnaire: Annotated[
        str | None,
        typer.Argument(
            help="Questionnaire file or bundled id (default: the default questionnaire)."
        ),
    ] = None,
    out: Annotated[Path | None, out_option("The .xlsx file to write (0600).")] = None,
    force: ForceOption = False,
) -> None:
    """Write the questionnaire as an XLSForm, for ODK Collect and KoboToolbox tablets.

    Every question, choice and language; guidance as hints; `when` as `relevant`; validation as
    `constraint` with its message; "don't know" and "declined" as choices (for numbers, dates
    and text, a companion question). Conditions a tablet cannot compute (on indicators, flags,
    dimensions) are listed on stderr. Score the submissions with `screening score --from odk`.

    Example: screening export xlsform ilo_adult_labour --out form.xlsx
    """
    from screening.errors import UsageError
    from screening.files import check_output
    from screening.questionnaires import resolve
    from screening.sanitize import visible
    from screening.xlsform import build_xlsform
    from screening.xlsform_file import write_xlsform

    if out is None:
        raise UsageError(
            "give the file to write with --out FILE.xlsx",
            hint="Example: screening export xlsform --out form.xlsx",
        )
    check_output(out, force=force)
    loaded = resolve(questionnaire)
    form = build_xlsform(loaded.questionnaire)
    write_xlsform(form, out, force=force)
    for line in form.unexpressed:
        current().stderr.write(visible(f"screening: note: {line}") + "\n")
    q = loaded.questionnaire
    current().stderr.write(
        visible(f"screening: wrote the XLSForm of {q.id} {q.version} to {out}") + "\n"
    )
