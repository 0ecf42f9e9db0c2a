"""`screening translations`: translate a questionnaire with gettext PO files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from screening.cli.environment import current as _env
from screening.cli.environment import echo
from screening.cli.options import ForceOption, out_option

app = typer.Typer(
    help="Translate questionnaires with PO files (Poedit, Weblate, any gettext tool): export "
    "the texts of a language, import the translated file, see how far each language is.\n\n"
    "Example: screening translations export ilo_adult_labour --lang hi --out hi.po",
    no_args_is_help=True,
)


class Audience(StrEnum):
    """Which texts a language needs."""

    WORKER = "worker"
    ALL = "all"


class StatusFormat(StrEnum):
    """Output of `translations status`."""

    TEXT = "text"
    JSON = "json"


@app.command()
def export(
    questionnaire: Annotated[
        str, typer.Argument(help="Questionnaire file or bundled id (ID@VERSION for a version).")
    ],
    lang: Annotated[str, typer.Option("--lang", help="The language to translate into.")],
    out: Annotated[
        Path | None, out_option("The .po file to write (0600); standard output without it.")
    ] = None,
    audience: Annotated[
        Audience | None,
        typer.Option(
            "--audience",
            help="worker: the texts put to the person; all: every text. Default: the "
            "declared language's, else worker.",
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write the texts a language needs as a PO file for translators.

    Each entry: the text's key as msgctxt (`question:age`, `question:sector/choice:farm`,
    `flag:immediate_danger/tell`), the English as msgid, comments on what the text is (with the
    Arabic as a second reference), and the translation the questionnaire has as msgstr, marked
    fuzzy when its English has changed since.

    Example: screening translations export ilo_adult_labour --lang hi --out hi.po
    """
    from screening.files import check_output, write_private
    from screening.sanitize import visible
    from screening.translations import export_po, open_source

    if out is not None:
        check_output(out, force=force)
    source = open_source(questionnaire)
    data = export_po(source, lang, audience=audience.value if audience else None)
    if out is None:
        _write_bytes(data)
        return
    write_private(out, data.decode("utf-8"), force=force)
    q = source.questionnaire
    _env().stderr.write(
        visible(f"screening: wrote the '{lang}' texts of {q.id} {q.version} to {out}") + "\n"
    )


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The translated .po file.")],
    questionnaire: Annotated[
        str | None,
        typer.Option(
            "--questionnaire",
            "-q",
            help="Questionnaire file to write into (a bundled questionnaire is not changed in "
            "place: give a file of your own).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="The file's language (default: its Language header)."),
    ] = None,
) -> None:
    """Write a PO file's translations into the questionnaire, keeping its comments and layout.

    A translation made from other English than the questionnaire's now, or marked fuzzy, is
    written but recorded as stale: it is not shown until reviewed. A new language is declared
    with `status: draft`. The questionnaire is checked with the translations before it is
    written: nothing is written when it would not be valid.

    Example: screening translations import hi.po --questionnaire my-questionnaire.yaml
    """
    from screening.loader import read_limited
    from screening.sanitize import visible
    from screening.translations import import_po

    name = str(file)
    result = import_po(read_limited(file), name, questionnaire, language=lang)
    if not result.changed:
        _env().stderr.write(
            visible(f"screening: {result.name} already has every translation of {name}") + "\n"
        )
        return
    what = f"{result.written} translations"
    if result.stale:
        what += f" ({result.stale} stale: not shown until reviewed)"
    if result.declared:
        what += f"; declared '{result.language}' as a draft"
    _env().stderr.write(visible(f"screening: wrote {what} into {result.name}") + "\n")


@app.command()
def status(
    questionnaires: Annotated[
        list[str] | None,
        typer.Argument(help="Questionnaire files or bundled ids; the bundled ones when none."),
    ] = None,
    output: Annotated[
        StatusFormat,
        typer.Option("--format", help="text: a table per questionnaire; json: for machines."),
    ] = StatusFormat.TEXT,
) -> None:
    """Show how far each language of each questionnaire is translated.

    Per language: the texts translated, fuzzy (stale: not shown until reviewed) and missing,
    and whether the translation is a draft or reviewed (and by whom).

    Example: screening translations status ilo_adult_labour
    """
    import json

    from screening.questionnaires import bundled_ids
    from screening.sanitize import visible
    from screening.translations import status_lines, status_of

    refs = list(questionnaires) if questionnaires else bundled_ids()
    found = [status_of(ref) for ref in refs]
    if output is StatusFormat.JSON:
        document = [
            {
                "path": name,
                "id": q.id,
                "version": q.version,
                "languages": [s.as_dict() for s in statuses],
            }
            for name, q, statuses in found
        ]
        echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    for name, q, statuses in found:
        for line in status_lines(name, q, statuses):
            echo(visible(line))


def _write_bytes(data: bytes) -> None:
    """A document in bytes to the command's standard output (its binary buffer when it has one)."""
    out = _env().stdout
    buffer = getattr(out, "buffer", None)
    out.flush()
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode("utf-8"))
    out.flush()
