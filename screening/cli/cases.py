"""`screening cases`: list, show, export, delete, verify and purge the cases in the store.

Every command opens the store in ``SCREENING_HOME`` (or the user's data directory). Store
failures are :class:`~screening.errors.StoreError` and reach the CLI's one error handler.
Output for machines goes to stdout; questions, warnings and confirmations for people to
stderr.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console

    from screening.casefile import LiveCase
    from screening.store import CaseSummary

app = typer.Typer(
    help=(
        "The case store: list, show, export, delete, verify and purge the screening cases "
        "saved by `screening interview`.\n\n"
        "The store is in SCREENING_HOME, or in the user's data directory when it is unset.\n\n"
        "Example: screening cases list --status draft"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


class StatusFilter(StrEnum):
    """Which cases `list` shows."""

    DRAFT = "draft"
    COMPLETE = "complete"


class Format(StrEnum):
    """Output of `list` and `show`."""

    TABLE = "table"
    JSON = "json"


class Rtl(StrEnum):
    """Display of right-to-left text (see docs/languages.md)."""

    REORDER = "reorder"
    OFF = "off"


OfficerOption = Annotated[
    str | None,
    typer.Option("--officer", help="Your officer id, recorded in the audit log."),
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")
]
QuestionnaireOption = Annotated[
    str | None,
    typer.Option(
        "--questionnaire",
        "-q",
        help="The case's questionnaire file, when it is not a bundled one.",
    ),
]


# -- helpers ---------------------------------------------------------------------------------


def _has_terminal() -> bool:
    """Whether someone can answer a confirmation question."""
    return sys.stdin.isatty()


def _confirm(question: str, *, what: str) -> bool:
    """Ask on the terminal (stderr); refuse without one; Ctrl-C means no and exits 130."""
    from screening.errors import Interrupted, NoTerminalError

    if not _has_terminal():
        raise NoTerminalError(
            f"{what} needs a confirmation and there is no terminal to ask on",
            hint="Run it in a terminal, or add --yes to confirm on the command line.",
        )
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        sys.stderr.write("\n")
        raise Interrupted("interrupted: nothing was deleted") from None


def _warn(message: str) -> None:
    sys.stderr.write(f"screening: warning: {message}\n")


def _say(message: str) -> None:
    sys.stderr.write(f"screening: {message}\n")


def _print_json(document: Any) -> None:
    import json

    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def _local(moment: datetime | None, *, day_only: bool = False) -> str:
    """A time for people: local, to the minute (or the day)."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%Y-%m-%d" if day_only else "%Y-%m-%d %H:%M")


def _questionnaire_name(ref: str) -> str:
    """A questionnaire for a table: a bundled id as it is, a file by its name only."""
    return Path(ref).name if "/" in ref or "\\" in ref else ref


def _printable(text: str) -> str:
    """Stored text made safe for a terminal: control characters (escapes) become U+FFFD.

    Only category Cc: format characters (joiners, bidi marks) belong to the text.
    """
    import unicodedata

    return "".join(
        "\ufffd" if unicodedata.category(ch) == "Cc" and ch not in "\n\t" else ch for ch in text
    )


def _value_text(value: Any) -> str:
    import json

    if isinstance(value, list):
        return ", ".join(_printable(str(item)) for item in value)
    if isinstance(value, str):
        return _printable(value)
    return json.dumps(value, ensure_ascii=False)


# -- list ------------------------------------------------------------------------------------


@app.command("list")
def list_cases(
    status: Annotated[
        StatusFilter | None,
        typer.Option("--status", help="Only the drafts, or only the complete cases."),
    ] = None,
    output: Annotated[
        Format,
        typer.Option("--format", help="table: for people; json: a list of objects."),
    ] = Format.TABLE,
) -> None:
    """List the cases, most recently updated first, without any answer.

    Shows each case's id, status, questionnaire, creation and last update (local time),
    number of questions answered and officer. JSON gives the same fields, times in UTC.

    Example: screening cases list --status draft --format json
    """
    from screening.casefile import summary_document
    from screening.store import open_store

    with open_store() as store:
        summaries = store.list_cases(None if status is None else status.value)
    if output is Format.JSON:
        _print_json([summary_document(s) for s in summaries])
        return
    if not summaries:
        _say("no cases" + (f" with status {status.value}" if status else "") + " in the store")
        return
    _print_summaries(summaries)


def _print_summaries(summaries: list[CaseSummary]) -> None:
    """A table, one line per case; on a terminal too narrow for it, two lines per case."""
    from rich.table import Table
    from rich.text import Text

    from screening.render import make_console

    headers = ("id", "status", "created", "updated", "answers", "officer", "questionnaire")
    rows = [
        (
            s.id,
            s.status.value,
            _local(s.created_at, day_only=True),
            _local(s.updated_at),
            str(s.answers),
            _printable(s.officer or "-"),
            _printable(f"{_questionnaire_name(s.questionnaire_id)} {s.questionnaire_version}"),
        )
        for s in summaries
    ]
    table = Table(box=None, header_style="bold", pad_edge=False)
    for header in headers:
        table.add_column(header, no_wrap=True, justify="right" if header == "answers" else "left")
    for row in rows:
        table.add_row(*row)
    console = make_console()
    natural = console.measure(table, options=console.options.update_width(100_000)).maximum
    if natural <= console.width or not console.is_terminal:
        # Piped or redirected: one line per case however wide, so that grep and cut work.
        console.width = max(console.width, natural)
        console.print(table)
        return
    # Squeezing the table would cut ids or times; a record of two lines keeps everything.
    for case_id, status, created, updated, answers, officer, questionnaire in rows:
        console.print(Text.assemble((case_id, "bold"), f"  {status}  {answers} answer(s)"))
        console.print(
            Text(f"    updated {updated}; created {created}; officer {officer}; {questionnaire}")
        )


# -- show ------------------------------------------------------------------------------------


def _render_case(console: Console, live: LiveCase, shape: Callable[[str], str]) -> None:
    import json

    from rich.table import Table
    from rich.text import Text

    from screening.casefile import answer_rows, is_pii
    from screening.render import render_summary

    case = live.case
    console.print(Text.assemble(("Case ", "bold"), (case.id, "bold"), f"  ({case.status.value})"))
    about = Table.grid(padding=(0, 2))
    about.add_column(style="dim")
    about.add_column()
    changed = (
        "  (the file has changed since: see the warning)" if live.questionnaire_changed else ""
    )
    rows = [
        ("questionnaire", f"{case.questionnaire_id} {case.questionnaire_version}{changed}"),
        ("language", f"{case.language} (officer: {case.ui_language})"),
        ("officer", case.officer or "-"),
        ("created", _local(case.created_at)),
        ("updated", _local(case.updated_at)),
        ("completed", _local(case.completed_at)),
        ("exported", _local(case.exported_at)),
    ]
    for label, value in rows:
        about.add_row(label, Text(_printable(value)))
    console.print(about)

    answers = answer_rows(live)
    console.print(Text(f"Answers ({len(answers)})", style="bold"))
    if not answers:
        console.print(Text("  none yet"))
    width = max((len(row.question_id) for row in answers), default=0)
    for row in answers:
        line = Text("  " + _printable(row.question_id).ljust(width) + "  ")
        line.append(shape(_value_text(row.value)))
        if row.pii:
            line.append("  [pii]", style="yellow")
        if not row.applies:
            line.append("  (no longer fits)" if row.unfit else "  (does not apply)", style="dim")
        console.print(line)

    if case.notes:
        console.print(Text("Notes", style="bold"))
        for qid, texts in case.notes.items():
            pii = is_pii(live, qid)
            for text in texts:
                line = Text(f"  {_printable(qid)}: ")
                line.append(shape(_printable(text)))
                if pii:
                    line.append("  [pii]", style="yellow")
                console.print(line)
    flags = ", ".join(sorted(case.acknowledged_flags)) or "none"
    console.print(Text.assemble(("Acknowledged flags: ", "bold"), _printable(flags)))
    if case.meta:
        console.print(Text("Metadata", style="bold"))
        for key, item in case.meta.items():
            console.print(Text(f"  {key}: " + _printable(json.dumps(item, ensure_ascii=False))))
    console.rule("Live outcome of the current answers")
    render_summary(console, live.assessment, case.ui_language, shape=shape)


@app.command()
def show(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    output: Annotated[
        Format,
        typer.Option("--format", help="table: for people; json: for machines."),
    ] = Format.TABLE,
    questionnaire: QuestionnaireOption = None,
    rtl: Annotated[
        Rtl | None,
        typer.Option(
            "--rtl",
            help="reorder: shape and reorder right-to-left text for terminals without bidi "
            "(default: SCREENING_RTL, else off).",
        ),
    ] = None,
) -> None:
    """Show one case: its answers, notes, flags and the live outcome.

    Lists the case's details, its current answers by question id (pii ones marked), the
    officer's notes, the acknowledged safety flags, and the outcome of the current answers
    scored with the questionnaire. The answers are personal data: show them only to people entitled to see them. When the
    questionnaire file has changed since the case was started, a warning says so and the
    outcome is computed with the file as it is now.

    Example: screening cases show C-2026-11-29-7KQ3M2
    """
    import os

    from screening.bidi import display, rtl_mode_from_env
    from screening.casefile import case_document, live_case
    from screening.render import make_console
    from screening.store import open_store

    mode = rtl_mode_from_env(None if rtl is None else rtl.value, os.environ)
    with open_store() as store:
        case = store.get_case(case_id)
    live = live_case(case, questionnaire=questionnaire)
    for warning in live.warnings:
        _warn(warning)
    if output is Format.JSON:
        _print_json(case_document(live))
        return

    def shape(text: str) -> str:
        return display(text, mode)

    _render_case(make_console(), live, shape)


# -- export ----------------------------------------------------------------------------------


@app.command()
def export(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file (0600) instead of stdout."),
    ] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="Leave out every answer marked pii.")
    ] = False,
    questionnaire: QuestionnaireOption = None,
    officer: OfficerOption = None,
) -> None:
    """Export a case's referral as JSON, on stdout or to a file.

    A complete case gives the referral stored when the interview was finished, and the export
    is recorded in the audit log. A draft gives a referral built from its current answers,
    whose rationale says that the interview was not finished. --redact leaves out every answer
    marked pii, with its notes, and says so in the document.

    Example: screening cases export C-2026-11-29-7KQ3M2 --redact --out referral.json
    """
    from screening.casefile import export_case
    from screening.files import write_private
    from screening.store import CaseStatus, open_store

    with open_store() as store:
        case = store.get_case(case_id)
        result = export_case(store, case, redact=redact, questionnaire=questionnaire)
        for warning in result.warnings:
            _warn(warning)
        if out is None:
            sys.stdout.write(result.document)
            sys.stdout.flush()
        else:
            write_private(out, result.document)
        if case.status is CaseStatus.COMPLETE:
            store.mark_exported(case.id, officer=officer)
    if out is not None:
        kind = "referral" if case.status is CaseStatus.COMPLETE else "draft referral"
        redacted = " (redacted)" if redact else ""
        _say(f"wrote the {kind}{redacted} of case {case.id} to {out}")
    elif case.status is CaseStatus.DRAFT:
        _say(f"case {case.id} is a draft: this referral is not final")


# -- delete ----------------------------------------------------------------------------------


@app.command()
def delete(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    yes: YesOption = False,
    officer: OfficerOption = None,
) -> None:
    """Delete a case with its answers, notes and flags; the audit log keeps that it was deleted.

    Asks for confirmation unless --yes is given; without a terminal, --yes is required. The
    deleted content is overwritten in the database file.

    Example: screening cases delete C-2026-11-29-7KQ3M2 --officer epc-017
    """
    from screening.store import open_store

    with open_store() as store:
        case = store.get_case(case_id)
        if not yes:
            question = (
                f"Delete case {case.id} ({case.status.value}, {len(case.answers)} answer(s), "
                f"created {_local(case.created_at)})? This cannot be undone"
            )
            if not _confirm(question, what=f"deleting case {case.id}"):
                _say(f"case {case.id} was not deleted")
                raise typer.Exit(1)
        store.delete_case(case.id, officer=officer)
    _say(f"deleted case {case.id}")


# -- verify ----------------------------------------------------------------------------------


@app.command()
def verify(
    expected_head: Annotated[
        str | None,
        typer.Option(
            "--expected-head",
            help="A head recorded elsewhere (an exported referral's audit_head): it must "
            "still be in the log, which catches a truncated or rewritten log.",
        ),
    ] = None,
) -> None:
    """Check the store file and recompute the audit log's hash chain.

    Prints the number of events and the head (the hash of the latest event) and exits 0 when
    the chain is intact; names the first broken link and exits 1 otherwise.

    Example: screening cases verify --expected-head "$(jq -r .audit_head referral.json)"
    """
    from screening.errors import StoreError
    from screening.store import open_store

    with open_store() as store:
        result = store.verify(expected_head)
        path = store.path
    if not result.ok:
        raise StoreError(
            f"the case store is not intact: {result.message} (store: {path})",
            hint="Keep the file as it is (it is evidence) and restore the store from a backup.",
        )
    sys.stdout.write(f"audit log intact: {result.events} event(s), head {result.head}\n")


# -- purge -----------------------------------------------------------------------------------


def _duration(text: str) -> timedelta:
    from screening.casefile import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command()
def purge(
    older_than: Annotated[
        timedelta,
        typer.Option(
            "--older-than",
            metavar="DURATION",
            parser=_duration,
            help="Delete the cases not updated for this long: 36h, 90d, 12w, 6m (30 days), 1y.",
        ),
    ],
    yes: YesOption = False,
    officer: OfficerOption = None,
) -> None:
    """Delete every case not updated for a given time (retention).

    Lists the cases that would be deleted, then asks for confirmation unless --yes is given;
    without a terminal, --yes is required. Each deletion is recorded in the audit log.

    Example: screening cases purge --older-than 90d
    """
    from datetime import UTC

    from screening.casefile import describe_duration, purge_candidates
    from screening.store import open_store

    period = describe_duration(older_than)
    with open_store() as store:
        now = datetime.now(UTC)
        doomed = purge_candidates(store.list_cases(), older_than, now)
        if not doomed:
            _say(f"no case was last updated more than {period} ago; nothing to purge")
            return
        _say(f"{len(doomed)} case(s) not updated for {period}:")
        for s in doomed:
            sys.stderr.write(
                f"  {s.id}  {s.status.value}  updated {_local(s.updated_at)}  "
                f"{s.answers} answer(s)\n"
            )
        if not yes and not _confirm(
            f"Delete these {len(doomed)} case(s)? This cannot be undone",
            what="purging cases",
        ):
            _say("nothing was deleted")
            raise typer.Exit(1)
        purged = store.purge(older_than, now=now, officer=officer)
    for case_id in purged:
        sys.stdout.write(case_id + "\n")
    _say(f"deleted {len(purged)} case(s)")
    if sorted(purged) != [s.id for s in doomed]:
        _warn("the cases changed while you confirmed: the ids printed are the ones deleted")
