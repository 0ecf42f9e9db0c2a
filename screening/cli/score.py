"""`screening score`: score answers files and print referrals as JSON.

No ``from __future__ import annotations`` here: Typer reads the options from the annotations, and
annotations that are strings would be compiled at every start.
"""

import contextlib
import io
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from screening.cli.environment import current
from screening.cli.options import (
    ForceOption,
    SealToOption,
    format_option,
    lang_option,
    out_option,
    questionnaire_option,
    rtl_option,
)

if TYPE_CHECKING:
    from screening.plans import LoadedPlan
    from screening.questionnaires import LoadedQuestionnaire
    from screening.referral import Referral
    from screening.scoring import Assessment


class InputKind(StrEnum):
    """What the input files hold."""

    ANSWERS = "answers"
    ODK = "odk"


class ScoreFormat(StrEnum):
    """Output of `score`."""

    JSON = "json"
    TABLE = "table"


def score(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Answers files: YAML, JSON, or .jsonl (one answer set a line); - for stdin."
        ),
    ],
    questionnaire: Annotated[
        str | None,
        questionnaire_option(
            "Questionnaire file or bundled id (default: the default questionnaire).",
        ),
    ] = None,
    out: Annotated[Path | None, out_option("Write to this file (0600) instead of stdout.")] = None,
    force: ForceOption = False,
    seal_to: SealToOption = None,
    output: Annotated[
        ScoreFormat,
        format_option("json: the referral export; table: a summary for people."),
    ] = ScoreFormat.JSON,
    redact: Annotated[
        bool, typer.Option("--redact", help="Leave out every answer marked pii.")
    ] = False,
    lang: Annotated[
        str | None,
        lang_option(
            "Language of the texts in the export (default: the answer set's, else the questionnaire's first).",
        ),
    ] = None,
    source: Annotated[
        InputKind,
        typer.Option(
            "--from",
            help="answers: answers files; odk: CSV or JSON exports of ODK Central or "
            "KoboToolbox, of a form made by `screening export xlsform`.",
        ),
    ] = InputKind.ANSWERS,
    rtl: Annotated[
        str | None,
        rtl_option(
            "With --format table: reorder: join and reorder right-to-left text for terminals "
            "without bidi; off: send it as stored (default; env SCREENING_RTL).",
        ),
    ] = None,
) -> None:
    """Score answers files and print the referral recommendation as JSON.

    One input holding one answer set gives one JSON document; several inputs, or JSON Lines,
    give JSON Lines: one referral per answer set, in input order. A bad record is reported on
    stderr with its file and record number, the others are still scored, and the exit code is 1.
    JSON Lines on standard input are answered line by line, as each record arrives. With
    `--from odk`, each file is a CSV or JSON export of ODK Central or KoboToolbox.

    Example: screening score case.yaml --redact --out referral.json
    """

    from screening.answer_files import read_answer_sets
    from screening.errors import AnswersError, UsageError
    from screening.pipeline import Batch
    from screening.rtl import rtl_mode_from_env

    # a bad value is a usage error, whatever the format
    mode = rtl_mode_from_env(rtl, current().environ)
    current().rtl = mode  # error lines are shown in it too
    if out is not None and output is ScoreFormat.JSON:
        from screening.files import check_output

        check_output(out, force=force)  # before standard input is read
    sealed = None
    if seal_to and output is ScoreFormat.TABLE:
        raise UsageError("--seal-to seals JSON output; leave out --format table")
    if seal_to:
        from screening.seal import parse_recipients

        sealed = parse_recipients(seal_to)  # a bad recipient before anything is read
    # JSON referrals are written from the questionnaire's scoring plan, without loading its
    # model; a table and ODK exports need the model.
    whole = output is ScoreFormat.TABLE or source is InputKind.ODK
    if whole:
        from screening.questionnaires import resolve

        default: LoadedQuestionnaire | LoadedPlan = resolve(questionnaire)
    else:
        from screening.plans import resolve_plan

        default = resolve_plan(questionnaire)
    codes = default.plan.language_codes
    if lang is not None and lang not in codes:
        raise UsageError(
            f"--lang {lang}: the questionnaire has no such language ({', '.join(codes)})"
        )
    if source is InputKind.ODK:
        opened = [_submissions(path, default) for path in files]  # type: ignore[arg-type]
    else:
        opened = [read_answer_sets(path) for path in files]
    many = len(files) > 1 or any(is_many for _, is_many in opened)
    count = 0

    def invalid(label: str, problems: Sequence[str]) -> None:
        from screening.sanitize import visible
        from screening.ui.messages import error_lines

        for problem in problems:
            error_lines(
                current().messages(), "screening: error: ", [visible(f"{label}: {problem}")]
            )

    batch = Batch(default, given=questionnaire, redact=redact, language=lang, on_invalid=invalid)
    items = (item for found, _ in opened for item in found)

    def scored() -> "Iterator[tuple[str, Assessment, Referral]]":
        """Every answer set scored, in input order; bad ones reported on stderr and skipped."""
        return batch.score(items)

    def written() -> Iterator[str]:
        """Every answer set's referral as JSON text, in input order (bad ones as above)."""
        indent = None if many else 2
        if whole:
            from screening.referral import to_json

            for _, _, referral in scored():
                yield to_json(referral, indent=indent)
        else:
            from screening.document import dumps

            for _, _, document in batch.documents(items):
                yield dumps(document, indent=indent)

    if output is ScoreFormat.TABLE:
        from screening.referral import rationale
        from screening.ui.summary import render_rule, render_summary

        env = current()
        console = env.view().console
        for label, assessment, referral in scored():
            view = env.view(
                console=console,
                language=referral.language,
                mode=mode,
                questionnaire=assessment.questionnaire,
            )
            render_rule(view, f"{label}  {referral.case_id}")
            render_summary(view, assessment, rationale=rationale(assessment, referral.language))
    else:
        with contextlib.ExitStack() as stack:
            sink: TextIO
            if sealed:  # gathered in memory and encrypted whole: no clear text on disk
                sink = io.StringIO()
            elif out is None:
                sink = current().stdout
            else:
                from screening.files import private_file

                sink = stack.enter_context(private_file(out, force=force))
            for text in written():
                sink.write(text + "\n")
                count += 1
                sink.flush()  # a pipeline reads each referral as soon as it is scored
            if sealed and isinstance(sink, io.StringIO):
                from screening.seal import seal, write_sealed

                write_sealed(
                    out, seal(sink.getvalue(), sealed), force=force, stdout=current().stdout
                )
        if out is not None:
            from screening.ui.cases import say_path

            say_path(current().messages(), "score.wrote", out, count=count)
    if batch.failures:
        # in the officer's language (SCREENING_UI_LANG), shown by the one error handler
        ui = current().messages().ui
        from screening.i18n import tn

        raise AnswersError(tn("score.failed", batch.failures, ui))


def _submissions(path: str, loaded: "LoadedQuestionnaire") -> tuple[Iterator[Any], bool]:
    """The submissions of an ODK Central or KoboToolbox export file (``-``: standard input)."""
    from screening.errors import AnswersError, QuestionnaireError
    from screening.loader import read_limited
    from screening.odk import MAX_EXPORT_BYTES, read_submissions
    from screening.sanitize import visible

    if path == "-":
        raw = current().stdin.buffer.read(MAX_EXPORT_BYTES + 1)
        if len(raw) > MAX_EXPORT_BYTES:
            raise AnswersError(
                f"<stdin>: more than {MAX_EXPORT_BYTES:,} bytes; give the export as a file"
            )
    else:
        try:
            raw = read_limited(Path(path), limit=MAX_EXPORT_BYTES)
        except QuestionnaireError as exc:
            raise AnswersError(str(exc.problems[0])) from None

    def note(message: str) -> None:
        current().stderr.write(f"screening: note: {visible(message)}\n")

    name = "<stdin>" if path == "-" else path
    return read_submissions(raw, name, loaded.questionnaire, note=note), True


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command()(score)
