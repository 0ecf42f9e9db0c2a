"""`screening score`: score answers files and print referrals as JSON."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from screening.answers import AnswerSet
    from screening.questionnaires import LoadedQuestionnaire
    from screening.referral import Referral
    from screening.scoring import Assessment


class ScoreFormat(StrEnum):
    """Output of `score`."""

    JSON = "json"
    TABLE = "table"


def score_one(
    answer_set: AnswerSet,
    loaded: LoadedQuestionnaire,
    *,
    redact: bool = False,
    language: str | None = None,
) -> tuple[Assessment, Referral]:
    """Check, score and build the referral of one answer set (the one path for every input).

    Raises:
        InvalidRecord: the answers do not fit the questionnaire.
    """
    from screening.answers import InvalidRecord, check_answer_set, not_applicable_problem
    from screening.referral import ExportContext, build_referral
    from screening.scoring import assess

    checked = check_answer_set(loaded.questionnaire, answer_set, applicability=False)
    assessment = assess(loaded.questionnaire, checked.answers, checked.indicators)
    if assessment.not_applicable:
        raise InvalidRecord([not_applicable_problem(qid) for qid in assessment.not_applicable])
    context = ExportContext(
        case_id=checked.case_id,
        language=language or checked.language,
        officer=checked.officer,
        sha256=loaded.sha256,
        redact=redact,
        notes=checked.notes,
    )
    return assessment, build_referral(assessment, context)


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
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file (0600) instead of stdout."),
    ] = None,
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
) -> None:
    """Score answers files and print the referral recommendation as JSON.

    One input holding one answer set gives one JSON document; several inputs, or JSON Lines,
    give JSON Lines: one referral per answer set, in input order. A bad record is reported on
    stderr with its file and record number, the others are still scored, and the exit code is 1.

    Example: screening score case.yaml --redact --out referral.json
    """
    from screening.answer_files import read_answer_sets
    from screening.answers import InvalidRecord
    from screening.errors import AnswersError, ScreeningError, UsageError
    from screening.files import write_private
    from screening.questionnaires import resolve
    from screening.referral import rationale, to_json
    from screening.render import make_console, render_summary

    default = resolve(questionnaire)
    loaded_by_id = {default.questionnaire.id: default}
    if lang is not None and lang not in default.questionnaire.language_codes:
        raise UsageError(
            f"--lang {lang}: the questionnaire has no such language ({', '.join(default.questionnaire.language_codes)})"
        )
    opened = [read_answer_sets(path) for path in files]
    many = len(files) > 1 or any(is_many for _, is_many in opened)
    documents: list[str] = []
    failures = 0
    console = make_console()
    for items, _ in opened:
        for item in items:
            label = getattr(item, "label", "")
            try:
                if isinstance(item, InvalidRecord):
                    raise item
                loaded = default
                if (
                    item.questionnaire is not None
                    and item.questionnaire != default.questionnaire.id
                ):
                    if questionnaire is not None:
                        raise InvalidRecord(
                            [
                                f"the record names questionnaire '{item.questionnaire}' but --questionnaire is '{default.questionnaire.id}'"
                            ]
                        )
                    if item.questionnaire not in loaded_by_id:
                        try:
                            loaded_by_id[item.questionnaire] = resolve(item.questionnaire)
                        except ScreeningError as error:
                            raise InvalidRecord([error.message]) from None
                    loaded = loaded_by_id[item.questionnaire]
                assessment, referral = score_one(item, loaded, redact=redact, language=lang)
            except InvalidRecord as bad:
                failures += 1
                for problem in bad.problems:
                    sys.stderr.write(f"screening: error: {label}: {problem}\n")
                continue
            if output is ScoreFormat.TABLE:
                console.rule(f"{label}  {referral.case_id}")
                render_summary(
                    console,
                    assessment,
                    referral.language,
                    rationale=rationale(assessment, referral.language),
                )
                continue
            document = to_json(referral, indent=None if many else 2)
            if out is None:
                sys.stdout.write(document + "\n")
                sys.stdout.flush()
            else:
                documents.append(document)
    if out is not None and output is ScoreFormat.JSON:
        write_private(out, "".join(d + "\n" for d in documents))
        sys.stderr.write(f"screening: wrote {len(documents)} referral(s) to {out}\n")
    if failures:
        raise AnswersError(f"{failures} answer set(s) could not be scored (see above)")


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command()(score)
