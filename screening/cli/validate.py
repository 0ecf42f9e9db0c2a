"""`screening validate`: check questionnaire files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from screening.cli.environment import current, echo
from screening.cli.options import format_option


class OutputFormat(StrEnum):
    """How problems are printed."""

    TEXT = "text"
    JSON = "json"


def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Questionnaire files; the bundled ones when none is given."),
    ] = None,
    output: Annotated[
        OutputFormat,
        format_option("text: one line per problem; json: for machines."),
    ] = OutputFormat.TEXT,
) -> None:
    """Check questionnaires: YAML, keys, types, references, skip logic, translations.

    Each problem is printed as `path:line:column: message`, then a summary line. Exit 0 when
    every file is valid, 1 otherwise. A translation not shown because its English changed since
    (stale) is printed as `path:line:column: warning: message`; warnings do not fail.

    Example: screening validate indicators/my-centre.yaml
    """
    import json

    from screening.errors import Problem, QuestionnaireError
    from screening.questionnaires import bundled_files, load_path

    paths = list(files) if files else bundled_files()
    results: list[tuple[str, list[Problem]]] = []
    names: dict[str, tuple[str | None, str | None]] = {}
    warned: dict[str, tuple[Problem, ...]] = {}
    for path in paths:
        try:
            loaded = load_path(path)
            results.append((loaded.path, []))
            names[loaded.path] = (loaded.questionnaire.id, loaded.questionnaire.version)
            warned[loaded.path] = loaded.warnings
        except QuestionnaireError as error:
            results.append((str(path), error.problems))
    bad = [r for r in results if r[1]]
    if output is OutputFormat.JSON:
        document = {
            "valid": not bad,
            "files": [
                {
                    "path": name,
                    "id": names.get(name, (None, None))[0],
                    "version": names.get(name, (None, None))[1],
                    "valid": not problems,
                    "problems": [p.as_dict() for p in problems],
                    "warnings": [w.as_dict() for w in warned.get(name, ())],
                }
                for name, problems in results
            ],
        }
        echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        from screening.i18n import t, tn
        from screening.ui.messages import problem_lines, summary_line

        view = current().messages()  # the officer's language: SCREENING_UI_LANG
        ui = view.ui

        for name, problems in results:
            # a problem quotes the file (keys, values) and names it: shown, never acted on
            problem_lines(view, [str(problem) for problem in problems])
            problem_lines(
                view,
                [
                    str(warning._replace(message="warning: " + warning.message))
                    for warning in warned.get(name, ())
                ],
            )
        count = sum(len(p) for _, p in results)
        if bad:
            problem_count = tn("count.problems", count, ui)
            file_count = tn("count.files", len(results), ui)
            summary = t(
                "validate.summary", ui, problems=problem_count, bad=len(bad), files=file_count
            )
            summary_line(view, summary)
        else:
            summary_line(view, tn("validate.valid", len(results), ui))
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command()(validate)
