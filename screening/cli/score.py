"""`screening score`: score answers files and print referrals as JSON."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli.options import ForceOption, SealToOption, out_option
from screening.i18n import tn

if TYPE_CHECKING:
    from screening.answers import AnswerSet
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
        typer.Option(
            "--questionnaire",
            "-q",
            help="Questionnaire file or bundled id (default: the default questionnaire).",
        ),
    ] = None,
    out: Annotated[Path | None, out_option("Write to this file (0600) instead of stdout.")] = None,
    force: ForceOption = False,
    seal_to: SealToOption = None,
    output: Annotated[
        ScoreFormat,
        typer.Option("--format", help="json: the referral export; table: a summary for people."),
    ] = ScoreFormat.JSON,
    redact: Annotated[
        bool, typer.Option("--redact", help="Leave out every answer marked pii.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of the texts in the export (default: the answer set's, else the questionnaire's first).",
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
        typer.Option(
            "--rtl",
            metavar="reorder|off",
            help="With --format table: reorder: join and reorder right-to-left text for terminals "
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
    import os

    from screening.answer_files import read_answer_sets
    from screening.answers import InvalidRecord
    from screening.bidi import rtl_mode_from_env
    from screening.errors import AnswersError, UsageError
    from screening.files import check_output, private_file
    from screening.pipeline import score_one
    from screening.questionnaires import resolve
    from screening.referral import to_json

    mode = rtl_mode_from_env(rtl, os.environ)  # a bad value is a usage error, whatever the format
    if out is not None and output is ScoreFormat.JSON:
        check_output(out, force=force)  # before standard input is read
    sealed = None
    if seal_to and output is ScoreFormat.TABLE:
        raise UsageError("--seal-to seals JSON output; leave out --format table")
    if seal_to:
        from screening.seal import parse_recipients

        sealed = parse_recipients(seal_to)  # a bad recipient before anything is read
    default = resolve(questionnaire)
    loaded_by_id = {default.questionnaire.id: default}
    if lang is not None and lang not in default.questionnaire.language_codes:
        raise UsageError(
            f"--lang {lang}: the questionnaire has no such language ({', '.join(default.questionnaire.language_codes)})"
        )
    if source is InputKind.ODK:
        opened = [_submissions(path, default) for path in files]
    else:
        opened = [read_answer_sets(path) for path in files]
    many = len(files) > 1 or any(is_many for _, is_many in opened)
    failures = 0
    written = 0

    def scored() -> Iterator[tuple[str, Assessment, Referral]]:
        """Every answer set scored, in input order; bad ones reported on stderr and skipped."""
        nonlocal failures
        for items, _ in opened:
            for item in items:
                label = getattr(item, "label", "")
                try:
                    if isinstance(item, InvalidRecord):
                        raise item
                    loaded = _questionnaire_of(item, default, loaded_by_id, given=questionnaire)
                    yield label, *score_one(item, loaded, redact=redact, language=lang)
                except InvalidRecord as bad:
                    failures += 1
                    for problem in bad.problems:
                        sys.stderr.write(f"screening: error: {visible(f'{label}: {problem}')}\n")

    from screening.sanitize import visible

    if output is ScoreFormat.TABLE:
        from screening.bidi import RtlMode, display, display_lines
        from screening.referral import rationale
        from screening.render import make_console, render_rule, render_summary

        console = make_console()

        def shape(text: str) -> str:
            return display(text, mode)

        for label, assessment, referral in scored():
            language = referral.language
            declared = assessment.questionnaire.language(language)
            right_to_left = declared is not None and declared.direction == "rtl"

            def block(text: str, width: int, rtl_: bool = right_to_left) -> list[str]:
                return display_lines(text, width, mode, rtl=rtl_)

            render_rule(console, f"{label}  {referral.case_id}")
            render_summary(
                console,
                assessment,
                language,
                shape=shape,
                block=block if mode is RtlMode.REORDER else None,
                rationale=rationale(assessment, language),
            )
    else:
        with contextlib.ExitStack() as stack:
            # Sealed output is gathered in memory and encrypted whole: no clear text on disk.
            sink = (
                io.StringIO()
                if sealed
                else sys.stdout
                if out is None
                else stack.enter_context(private_file(out, force=force))
            )
            for _, _, referral in scored():
                sink.write(to_json(referral, indent=None if many else 2) + "\n")
                written += 1
                sink.flush()  # a pipeline reads each referral as soon as it is scored
            if sealed and isinstance(sink, io.StringIO):
                from screening.seal import seal, write_sealed

                write_sealed(out, seal(sink.getvalue(), sealed), force=force)
        if out is not None:
            from screening.sanitize import visible

            wrote = tn("score.wrote", written, "en", path=visible(str(out)))
            sys.stderr.write(f"screening: {wrote}\n")
    if failures:
        raise AnswersError(tn("score.failed", failures, "en"))


def _submissions(path: str, loaded: LoadedQuestionnaire) -> tuple[Iterator[Any], bool]:
    """The submissions of an ODK Central or KoboToolbox export file (``-``: standard input)."""
    from screening.errors import AnswersError, QuestionnaireError
    from screening.loader import read_limited
    from screening.odk import MAX_EXPORT_BYTES, read_submissions
    from screening.sanitize import visible

    if path == "-":
        raw = sys.stdin.buffer.read(MAX_EXPORT_BYTES + 1)
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
        sys.stderr.write(f"screening: note: {visible(message)}\n")

    name = "<stdin>" if path == "-" else path
    return read_submissions(raw, name, loaded.questionnaire, note=note), True


def _questionnaire_of(
    item: AnswerSet,
    default: LoadedQuestionnaire,
    loaded_by_id: dict[str, LoadedQuestionnaire],
    *,
    given: str | None,
) -> LoadedQuestionnaire:
    """The questionnaire an answer set names (loaded once), or the default one.

    A record may name a bundled questionnaire by id, or the questionnaire given with
    ``--questionnaire`` (by its id, or by the very text given on the command line). It never
    names a file: that would let an answers file read any file the user can.

    Raises:
        InvalidRecord: the set names another questionnaire than ``--questionnaire``, a file,
            or an id that is not bundled.
    """
    ident = item.questionnaire
    named = default.questionnaire
    if (
        ident is None
        or ident in (named.id, f"{named.id}@{named.version}")
        or (given is not None and ident == given)
    ):
        return default
    from screening.answers import InvalidRecord
    from screening.errors import ScreeningError, UsageError
    from screening.questionnaires import bundled_ids, resolve, split_ref

    shown = _shown(ident)
    if given is not None:
        raise InvalidRecord(
            [
                f"the record names questionnaire '{shown}' but --questionnaire is "
                f"'{named.id}' (version {named.version})"
            ]
        )
    if ident not in loaded_by_id:
        try:
            loaded_by_id[ident] = resolve(ident, files=False)
        except UsageError as error:
            if split_ref(ident)[0] in bundled_ids():  # a bundled id, in a version not bundled
                raise InvalidRecord([error.message]) from None
            raise InvalidRecord(
                [
                    f"the record names questionnaire '{shown}', which is not a bundled "
                    f"questionnaire ({', '.join(bundled_ids())}); a record names a bundled id "
                    "only: to use a questionnaire file, pass it with --questionnaire FILE"
                ]
            ) from None
        except ScreeningError as error:
            raise InvalidRecord([error.message]) from None
    return loaded_by_id[ident]


def _shown(text: str) -> str:
    """A name from a record, fit for a one-line message: printable and short."""
    from screening.sanitize import visible

    cleaned = visible(text)
    return cleaned if len(cleaned) <= 64 else cleaned[:63] + "…"


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command()(score)
