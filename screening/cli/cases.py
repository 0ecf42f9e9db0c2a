"""`screening cases`: list, show, export, delete, verify and purge the cases in the store.

Every command opens the store given by ``--store`` or ``SCREENING_STORE`` (a folder, or a
``postgresql://`` URL), else the one in ``SCREENING_HOME`` (or the user's data directory). Store
failures are :class:`~screening.errors.StoreError` and reach the CLI's one error handler.
Output for machines goes to stdout; questions, warnings and confirmations for people to
stderr.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli.options import ForceOption, SealToOption, StoreOption, out_option

if TYPE_CHECKING:
    from rich.console import Console

    from screening.bidi import RtlMode
    from screening.casefile import AnswerRow, LiveCase
    from screening.store import CaseSummary, SqliteStore

app = typer.Typer(
    help=(
        "The case store: list, show, export, delete, verify and purge the screening cases "
        "saved by `screening interview`.\n\n"
        "The store is --store or SCREENING_STORE (a folder, or a postgresql:// URL of a "
        "centre's shared register), else SCREENING_HOME, else the user's data directory.\n\n"
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


UI_LANG_ENV = "SCREENING_UI_LANG"
"""The environment variable read when no ``--ui-lang`` option is given."""

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
UiLangOption = Annotated[
    str | None,
    typer.Option(
        "--ui-lang",
        metavar="CODE",
        help="Your language for what is shown: en or ar; another code shows English "
        f"(default: {UI_LANG_ENV}, else en). Ids, statuses and JSON are never translated.",
    ),
]
RtlOption = Annotated[
    Rtl | None,
    typer.Option(
        "--rtl",
        help="reorder: shape and reorder right-to-left text for terminals without bidi "
        "(default: SCREENING_RTL, else off).",
    ),
]


# -- helpers ---------------------------------------------------------------------------------


class _Ui:
    """The officer's language and the display of right-to-left text, for one command.

    Attributes:
        code: The language code asked for (questionnaire text is looked up with it).
        lang: The program language used for it (English when it has no translation).
        mode: How right-to-left text is sent to the terminal.
        rtl: The program language is written from right to left.
    """

    def __init__(self, code: str, mode: RtlMode) -> None:
        from screening.i18n import RTL_LANGUAGES, ui_language

        self.code = code
        self.lang = ui_language(code)
        self.mode = mode
        self.rtl = self.lang in RTL_LANGUAGES

    @property
    def reorder(self) -> bool:
        """Text is shaped and reordered here (wrapped first when it is long)."""
        from screening.bidi import RtlMode

        return self.mode is RtlMode.REORDER

    def tr(self, key: str, /, **values: object) -> str:
        """A message in the officer's language (logical text)."""
        from screening.i18n import t

        return t(key, self.lang, **values)

    def shape(self, text: str, *, auto: bool = False) -> str:
        """The display form of a short text in the officer's language (``auto``: any text)."""
        from screening.bidi import display

        return display(text, self.mode, rtl=None if auto else self.rtl)

    def block(self, text: str, width: int, *, rtl: bool | None = None) -> list[str]:
        """Text wrapped to ``width`` cells (at least 20), then each line in display form.

        The lines read in the officer's direction unless ``rtl`` says otherwise.
        """
        from screening.bidi import display_lines

        rtl = self.rtl if rtl is None else rtl
        return display_lines(text, max(20, width), self.mode, rtl=rtl)

    def ltr(self, text: str) -> str:
        """A date or a time kept in reading order inside right-to-left text (marks around it).

        Without them, ``2026-11-29`` after Arabic words would show as ``29-11-2026``.
        """
        return f"\u200e{text}\u200e" if self.rtl else text

    def say(self, message: str) -> None:
        """A message for people on stderr, after ``screening: ``."""
        _emit("screening: ", message, self)

    def warn(self, message: str) -> None:
        """A warning on stderr, after ``screening: warning: `` (the word translated)."""
        self.say(f"{self.tr('cases.warning')}: {message}")


def _ui(option: str | None, rtl: Rtl | None, *, fallback: str | None = None) -> _Ui:
    """The officer's language: the option, else SCREENING_UI_LANG, else ``fallback``, else en."""
    import os

    from screening.bidi import rtl_mode_from_env

    mode = rtl_mode_from_env(None if rtl is None else rtl.value, os.environ)
    code = (option or "").strip() or os.environ.get(UI_LANG_ENV, "").strip() or fallback or "en"
    return _Ui(code, mode)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size().columns


def _emit(prefix: str, message: str, ui: _Ui) -> None:
    """Write ``prefix`` and a message to stderr.

    In reorder mode, right-to-left text is wrapped to the terminal and each line put in
    display order, the lines after the first indented under the message. Ids and paths in it
    are made visible (nothing in them acts on the terminal).
    """
    from screening.sanitize import visible

    message = visible(message)
    if ui.reorder and ui.rtl:
        lines = ui.block(message, _terminal_width() - len(prefix) - 1)
        margin = "\n" + " " * len(prefix)
        sys.stderr.write(prefix + margin.join(lines) + "\n")
    else:
        sys.stderr.write(prefix + ui.shape(message) + "\n")


def _has_terminal() -> bool:
    """Whether someone can answer a confirmation question."""
    return sys.stdin.isatty()


def _confirm(question: str, *, what: str, ui: _Ui) -> bool:
    """Ask on the terminal (stderr); refuse without one; Ctrl-C means no and exits 130."""
    from screening.errors import Interrupted, NoTerminalError

    if not _has_terminal():
        raise NoTerminalError(
            f"{what} needs a confirmation and there is no terminal to ask on",
            hint="Run it in a terminal, or add --yes to confirm on the command line.",
        )
    if ui.reorder and ui.rtl:
        # Wrapped before it is reordered, with room left for " [y/N]: " after the last line.
        *lines, question = ui.block(question, _terminal_width() - 10)
        for line in lines:
            sys.stderr.write(line + "\n")
    else:
        question = ui.shape(question)
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        sys.stderr.write("\n")
        raise Interrupted("interrupted: nothing was deleted") from None


def _waiting(message: str) -> None:
    """Said on stderr while a write waits for another session's lock."""
    sys.stderr.write(f"screening: {message}\n")
    sys.stderr.flush()


def _store(where: str | None, *, read: bool = False) -> SqliteStore:
    """The case store at ``where`` (--store, SCREENING_STORE), else in SCREENING_HOME;
    ``read``: a read-only store is opened for reading."""
    from screening.store import open_store

    return open_store(where or None, on_wait=_waiting, allow_read_only=read)


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


def _count(noun: str, count: int) -> str:
    """``count`` of a noun (``cases``, ``notes``, ...), in English, in the right plural form."""
    from screening.i18n import tn

    return tn(f"cases.count.{noun}", count, "en")


def _printable(text: str) -> str:
    """Stored text made safe for a terminal (:func:`screening.sanitize.visible`): control
    characters shown as symbols, bidi overrides and isolates neutralised; lines kept."""
    from screening.sanitize import visible

    return visible(text, lines=True)


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
    ui_lang: UiLangOption = None,
    rtl: RtlOption = None,
    where: StoreOption = None,
) -> None:
    """List the cases, most recently updated first, without any answer.

    Shows each case's id, status, questionnaire, creation and last update (local time),
    number of questions answered and officer. JSON gives the same fields, times in UTC.

    Example: screening cases list --status draft --format json
    """
    from screening.casefile import summary_document

    ui = _ui(ui_lang, rtl)
    with _store(where, read=True) as store:
        summaries = store.list_cases(None if status is None else status.value)
    if output is Format.JSON:
        _print_json([summary_document(s) for s in summaries])
        return
    if not summaries:
        if status is None:
            ui.say(ui.tr("cases.list.empty"))
        else:
            ui.say(ui.tr("cases.list.empty_status", status=status.value))
        return
    _print_summaries(summaries, ui)


_COLUMNS = ("id", "status", "created", "updated", "answers", "officer", "questionnaire")


def _print_summaries(summaries: list[CaseSummary], ui: _Ui) -> None:
    """A table, one line per case; on a terminal too narrow for it, two lines per case."""
    from rich.table import Table
    from rich.text import Text

    from screening.render import make_console
    from screening.sanitize import visible

    headers = [ui.shape(ui.tr(f"cases.col.{column}")) for column in _COLUMNS]
    if ui.rtl and not ui.reorder:
        # A terminal that does its own bidi would lay an all-Arabic header line out from the
        # right, over the wrong columns: a left-to-right mark keeps it in the rows' order.
        headers[0] = "\u200e" + headers[0]
    rows = [
        (
            s.id,
            s.status.value,
            _local(s.created_at, day_only=True),
            _local(s.updated_at),
            str(s.answers),
            visible(s.officer or "-"),
            visible(f"{_questionnaire_name(s.questionnaire_id)} {s.questionnaire_version}"),
        )
        for s in summaries
    ]
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column, header in zip(_COLUMNS, headers, strict=True):
        table.add_column(
            Text(header), no_wrap=True, justify="right" if column == "answers" else "left"
        )
    for *before, officer, questionnaire in rows:
        # Text, never markup: an officer id such as "[/x]" is shown as it is
        table.add_row(
            *(Text(cell) for cell in before),
            Text(ui.shape(officer, auto=True)),
            Text(questionnaire),
        )
    console = make_console()
    natural = console.measure(table, options=console.options.update_width(100_000)).maximum
    if natural <= console.width or not console.is_terminal:
        # Piped or redirected: one line per case however wide, so that grep and cut work.
        console.width = max(console.width, natural)
        console.print(table)
        return
    # Squeezing the table would cut ids or times; a record of two lines (or more) keeps all.
    for case_id, status, created, updated, answers, officer, questionnaire in rows:
        record = case_id + "  " + ui.tr("cases.list.record", status=status, count=answers)
        lines = ui.block(record, console.width - 1) if ui.reorder and ui.rtl else [record]
        for line in lines:
            shown = Text(line)
            shown.highlight_words([case_id], "bold")
            console.print(shown, soft_wrap=ui.reorder and ui.rtl)
        details = ui.tr(
            "cases.list.record_details",
            updated=ui.ltr(updated),
            created=ui.ltr(created),
            officer=officer,
            questionnaire=questionnaire,
        )
        if ui.reorder:
            for line in ui.block(details, console.width - 5):
                console.print(Text("    " + line), soft_wrap=True)
        else:
            console.print(Text("    " + details))


# -- show ------------------------------------------------------------------------------------


def _case_is_rtl(live: LiveCase, code: str) -> bool:
    """Whether the officer's language is written from right to left (as the interview says)."""
    from screening.i18n import RTL_LANGUAGES
    from screening.model import Direction

    declared = live.loaded.questionnaire.language(code)
    if declared is not None:
        return declared.direction is Direction.RTL
    return code.split("-")[0] in RTL_LANGUAGES


def _free_text(live: LiveCase, row: AnswerRow) -> bool:
    """Whether an answer is text typed in (a text question, or a question no longer known)."""
    from screening.model import TextQuestion

    question = live.loaded.questionnaire.question(row.question_id)
    return isinstance(question, TextQuestion) or (question is None and isinstance(row.value, str))


def _direction(text: str, ui: _Ui) -> bool:
    """The direction of typed text: its first strong character's, else the officer's.

    A note or a typed answer in English reads left to right even in an Arabic view (numbers
    and full stops in place); one in Arabic reads right to left in an English view.
    """
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind != "L"
    return ui.rtl


def _render_case(console: Console, live: LiveCase, ui: _Ui) -> None:
    import json

    from rich.table import Table
    from rich.text import Text

    from screening.bidi import display, display_lines
    from screening.casefile import answer_rows, is_pii
    from screening.render import render_summary

    case = live.case
    tr = ui.tr
    width = console.width

    def para(text: str, *, indent: int = 0, style: str = "", rtl: bool | None = None) -> None:
        """A paragraph: wrapped, then reordered, line by line, in reorder mode."""
        if ui.reorder:
            for line in ui.block(text, width - indent - 1, rtl=rtl):
                console.print(Text(" " * indent + line, style=style), soft_wrap=True)
        else:
            console.print(Text(" " * indent + text, style=style))

    para(tr("cases.show.title", case_id=case.id, status=case.status.value), style="bold")
    changed = "  " + tr("cases.show.changed") if live.questionnaire_changed else ""
    languages = tr("cases.show.languages", language=case.language, ui_language=case.ui_language)
    about = [
        ("questionnaire", f"{case.questionnaire_id} {case.questionnaire_version}{changed}"),
        ("language", languages),
        ("officer", case.officer or "-"),
        ("created", ui.ltr(_local(case.created_at))),
        ("updated", ui.ltr(_local(case.updated_at))),
        ("completed", ui.ltr(_local(case.completed_at))),
        ("exported", ui.ltr(_local(case.exported_at))),
    ]
    if ui.reorder and ui.rtl:
        for key, value in about:
            para(f"{tr('cases.show.' + key)}: {_printable(value)}")
    else:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        for key, value in about:
            grid.add_row(ui.shape(tr("cases.show." + key)), Text(ui.shape(_printable(value))))
        console.print(grid)

    answers = answer_rows(live)
    para(tr("cases.show.answers", count=len(answers)), style="bold")
    if not answers:
        para(tr("cases.show.no_answers"), indent=2)
    pii_mark = tr("cases.show.pii")
    qid_width = max((len(row.question_id) for row in answers), default=0)
    for row in answers:
        marks = [pii_mark] if row.pii else []
        if not row.applies:
            marks.append(tr("cases.show.unfit" if row.unfit else "cases.show.not_applicable"))
        if ui.reorder:
            value = _value_text(row.value)
            entry = "  ".join([f"{_printable(row.question_id)}: {value}", *marks])
            para(entry, indent=2, rtl=_direction(value, ui) if _free_text(live, row) else None)
            continue
        line = Text("  " + _printable(row.question_id).ljust(qid_width) + "  ")
        line.append(_value_text(row.value))
        for mark in marks:
            line.append("  " + mark, style="yellow" if mark == pii_mark else "dim")
        console.print(line)

    if case.notes:
        para(tr("cases.show.notes"), style="bold")
        for qid, texts in case.notes.items():
            pii = is_pii(live, qid)
            for text in texts:
                if ui.reorder:
                    marks = [pii_mark] if pii else []
                    entry = "  ".join([f"{_printable(qid)}: {_printable(text)}", *marks])
                    para(entry, indent=2, rtl=_direction(text, ui))
                    continue
                line = Text(f"  {_printable(qid)}: ")
                line.append(_printable(text))
                if pii:
                    line.append("  " + pii_mark, style="yellow")
                console.print(line)
    flags = ", ".join(sorted(case.acknowledged_flags)) or tr("cases.none")
    if ui.reorder:
        para(f"{tr('cases.show.flags')}: {_printable(flags)}")
    else:
        console.print(Text.assemble((tr("cases.show.flags") + ": ", "bold"), _printable(flags)))
    if case.meta:
        para(tr("cases.show.metadata"), style="bold")
        for key, item in case.meta.items():
            para(f"{key}: " + _printable(json.dumps(item, ensure_ascii=False)), indent=2)
    console.rule(ui.shape(tr("cases.show.outcome")))

    # The summary as the interview shows it: in the officer's language, paragraphs wrapped
    # before they are reordered.
    summary_rtl = _case_is_rtl(live, ui.code)

    def shape(text: str) -> str:
        return display(text, ui.mode)

    def block(text: str, width: int) -> list[str]:
        return display_lines(text, width, ui.mode, rtl=summary_rtl)

    render_summary(
        console, live.assessment, ui.code, shape=shape, block=block if ui.reorder else None
    )


@app.command()
def show(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    output: Annotated[
        Format,
        typer.Option("--format", help="table: for people; json: for machines."),
    ] = Format.TABLE,
    questionnaire: QuestionnaireOption = None,
    rtl: RtlOption = None,
    ui_lang: Annotated[
        str | None,
        typer.Option(
            "--ui-lang",
            metavar="CODE",
            help="Your language for what is shown: en or ar; another code shows English "
            f"(default: {UI_LANG_ENV}, else the officer language saved with the case). Ids, "
            "statuses and JSON are never translated.",
        ),
    ] = None,
    where: StoreOption = None,
) -> None:
    """Show one case: its answers, notes, flags and the live outcome.

    Lists the case's details, its current answers by question id (pii ones marked), the
    officer's notes, the acknowledged safety flags, and the outcome of the current answers
    scored with the questionnaire. The answers are personal data: show them only to people entitled to see them. When the
    questionnaire file has changed since the case was started, a warning says so and the
    outcome is computed with the file as it is now.

    Example: screening cases show C-2026-11-29-7KQ3M2 --ui-lang ar
    """
    from screening.casefile import case_document, live_case
    from screening.render import make_console

    _ui(ui_lang, rtl)  # a wrong SCREENING_RTL is refused before the store is opened
    with _store(where, read=True) as store:
        case = store.get_case(case_id)
    ui = _ui(ui_lang, rtl, fallback=case.ui_language)
    live = live_case(case, questionnaire=questionnaire, language=ui.lang)
    for warning in live.warnings:
        ui.warn(warning)
    if output is Format.JSON:
        _print_json(case_document(live))
        return
    _render_case(make_console(), live, ui)


# -- export ----------------------------------------------------------------------------------


@app.command()
def export(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    out: Annotated[Path | None, out_option("Write to this file (0600) instead of stdout.")] = None,
    force: ForceOption = False,
    redact: Annotated[
        bool, typer.Option("--redact", help="Leave out every answer marked pii.")
    ] = False,
    questionnaire: QuestionnaireOption = None,
    officer: OfficerOption = None,
    ui_lang: UiLangOption = None,
    rtl: RtlOption = None,
    seal_to: SealToOption = None,
    where: StoreOption = None,
) -> None:
    """Export a case's referral as JSON, on stdout or to a file.

    A complete case gives the referral stored when the interview was finished, and the export
    is recorded in the audit log. A draft gives a referral built from its current answers,
    whose rationale says that the interview was not finished. --redact leaves out every answer
    marked pii, with its notes, and says so in the document. --ui-lang sets the language of
    the messages, not of the document.

    Example: screening cases export C-2026-11-29-7KQ3M2 --redact --out referral.json
    """
    from screening.casefile import export_case, with_audit_head
    from screening.files import check_output
    from screening.seal import check_sealed_target, referral_recipients, write_referral
    from screening.store import CaseStatus

    ui = _ui(ui_lang, rtl)
    if out is not None:
        check_output(out, force=force)  # before the export is recorded
    with _store(where, read=True) as store:
        # A bad recipient, or sealed bytes meant for a terminal, before the export is recorded.
        check_sealed_target(out, referral_recipients(store, seal_to or (), kept=False))
        case = store.get_case(case_id)
        result = export_case(
            store, case, redact=redact, questionnaire=questionnaire, language=ui.lang
        )
        for warning in result.warnings:
            ui.warn(warning)
        if store.read_only:
            ui.warn(
                f"the case store {store.path} is read-only: this export is not recorded in its "
                "audit log"
            )
            head = store.audit_head()
        else:
            # The audit event comes first: if it cannot be recorded, nothing leaves the store.
            head = store.mark_exported(case.id, officer=officer)
        # The document carries the head after its own export event (the store's current one).
        result = with_audit_head(result, head)
        # Sealed (age) when --seal-to or the store's settings name recipients.
        write_referral(store, out, result.document, seal_to=seal_to or (), force=force)
    if out is not None:
        key = (
            "cases.export.wrote"
            if case.status is CaseStatus.COMPLETE
            else "cases.export.wrote_draft"
        )
        key += "_redacted" if redact else ""
        if ui.rtl:
            # Inside right-to-left text a path's leading "/" would be moved to its end: the
            # path goes on a line of its own, never wrapped, so that it can be copied whole.
            ui.say(ui.tr(key, case_id=case.id, path="").rstrip() + ":")
            sys.stderr.write(" " * len("screening: ") + _printable(str(out)) + "\n")
        else:
            ui.say(ui.tr(key, case_id=case.id, path=out))
    elif case.status is CaseStatus.DRAFT:
        ui.say(ui.tr("cases.export.draft", case_id=case.id))


# -- delete ----------------------------------------------------------------------------------


@app.command()
def delete(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    yes: YesOption = False,
    officer: OfficerOption = None,
    ui_lang: UiLangOption = None,
    rtl: RtlOption = None,
    where: StoreOption = None,
) -> None:
    """Delete a case with its answers, notes and flags; the audit log keeps that it was deleted.

    Asks for confirmation unless --yes is given; without a terminal, --yes is required. The
    deleted content is overwritten in the database file, and the case's referral file in the
    store's folder (referrals/CASE_ID.json) is overwritten and removed. Files written
    elsewhere with --out are not touched (their path is shown when known).

    Example: screening cases delete C-2026-11-29-7KQ3M2 --officer epc-017
    """
    ui = _ui(ui_lang, rtl)
    with _store(where) as store:
        case = store.get_case(case_id)
        if not yes:
            question = ui.tr(
                "cases.delete.confirm",
                case_id=case.id,
                status=case.status.value,
                count=len(case.answers),
                created=ui.ltr(_local(case.created_at)),
            )
            if not _confirm(question, what=f"deleting case {case.id}", ui=ui):
                ui.say(ui.tr("cases.delete.kept", case_id=case.id))
                raise typer.Exit(1)
        interview = case.meta.get("interview")
        elsewhere = interview.get("out") if isinstance(interview, dict) else None
        store.delete_case(case.id, officer=officer)
        home = store.path.parent
    ui.say(ui.tr("cases.delete.done", case_id=case.id))
    for path in _remove_referrals(home, [case.id]):
        _say_path(ui, "cases.delete.referral", path, case_id=case.id)
    if isinstance(elsewhere, str) and os.path.lexists(elsewhere):
        _say_path(ui, "cases.delete.elsewhere", Path(elsewhere), case_id=case.id, warn=True)


def _remove_referrals(home: Path, case_ids: list[str]) -> list[Path]:
    """Remove the referral files of deleted cases from the store's folder.

    Raises:
        StoreError: a file could not be removed (the others are removed all the same).
    """
    from screening.errors import StoreError
    from screening.store.paths import remove_referrals

    removed: list[Path] = []
    failure: StoreError | None = None
    for case_id in case_ids:
        try:
            removed += remove_referrals(home, case_id)
        except StoreError as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return removed


def _say_path(ui: _Ui, key: str, path: Path, *, warn: bool = False, **values: object) -> None:
    """A message that ends with a path; in right-to-left text the path gets a line of its own,
    never wrapped, so that it can be copied whole (its leading "/" would move to its end)."""
    say = ui.warn if warn else ui.say
    if ui.rtl:
        say(ui.tr(key, path="", **values).rstrip().rstrip(":") + ":")
        sys.stderr.write(" " * len("screening: ") + _printable(str(path)) + "\n")
    else:
        say(ui.tr(key, path=path, **values))


# -- verify ----------------------------------------------------------------------------------


def _head(value: str | None) -> str | None:
    """``--expected-head``: 64 hexadecimal digits, not the empty log's 64 zeros."""
    from screening.errors import StoreError
    from screening.store import check_head

    if value is None:
        return None
    try:
        return check_head(value.strip())
    except StoreError as error:
        raise typer.BadParameter(f"{error.message}. {error.hint}") from None


@app.command()
def verify(
    expected_head: Annotated[
        str | None,
        typer.Option(
            "--expected-head",
            callback=_head,
            help="A head recorded elsewhere (an exported referral's audit_head): it must "
            "still be in the log, which catches a truncated or rewritten log.",
        ),
    ] = None,
    anchor_to: Annotated[
        Path | None,
        typer.Option(
            "--anchor-to",
            metavar="FILE",
            help="An append-only log of heads kept away from the store (another disk, a "
            "write-once share): every head in it must still be in the audit log; when the "
            "store is intact, its current head is appended.",
        ),
    ] = None,
    ui_lang: UiLangOption = None,
    rtl: RtlOption = None,
    where: StoreOption = None,
) -> None:
    """Check the store file, the audit log's hash chain and the data it covers.

    Recomputes the chain, compares every answer, note, flag acknowledgement and case field with
    the digests its audit events carry, and compares the head with the anchor file beside the
    store (and with --expected-head and --anchor-to when given). Prints the number of events
    and the head (the hash of the latest event) and exits 0 when all is intact; names each
    problem (what and where) and exits 1 otherwise.

    Example: screening cases verify --expected-head "$(jq -r .audit_head referral.json)"
    """
    from screening.errors import StoreError

    ui = _ui(ui_lang, rtl)
    with _store(where, read=True) as store:
        result = store.verify(expected_head, anchor_log=anchor_to)
        path = store.path
    if not result.ok:
        for problem in result.problems[1:]:
            sys.stderr.write(f"screening: {problem}\n")
        raise StoreError(
            f"the case store is not intact: {result.message} (store: {path})",
            hint="Keep the file as it is (it is evidence) and restore the store from a backup.",
        )
    if result.anchor is not None:
        sys.stderr.write(f"screening: {result.anchor}\n")
    if ui.rtl:
        # The head goes on a line of its own, never wrapped, so that it can be copied whole.
        intact = ui.tr("cases.verify.intact", count=result.events, head="").rstrip() + ":"
        for line in ui.block(intact, _terminal_width() - 1) if ui.reorder else [intact]:
            sys.stdout.write(line + "\n")
        sys.stdout.write(f"{result.head}\n")
    else:
        intact = ui.tr("cases.verify.intact", count=result.events, head=result.head)
        sys.stdout.write(ui.shape(intact) + "\n")


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
    ui_lang: UiLangOption = None,
    rtl: RtlOption = None,
    where: StoreOption = None,
) -> None:
    """Delete every case not updated for a given time (retention).

    Lists the cases that would be deleted, then asks for confirmation unless --yes is given;
    without a terminal, --yes is required. Each deletion is recorded in the audit log. The
    ids of the deleted cases are printed on stdout. Their referral files in the store's folder
    (referrals/CASE_ID.json) are overwritten and removed too; files written elsewhere with
    --out are not touched.

    Example: screening cases purge --older-than 90d
    """
    from datetime import UTC

    from screening.casefile import describe_duration, purge_candidates

    ui = _ui(ui_lang, rtl)
    period = describe_duration(older_than, ui.lang)
    with _store(where) as store:
        now = datetime.now(UTC)
        doomed = purge_candidates(store.list_cases(), older_than, now)
        if not doomed:
            ui.say(ui.tr("cases.purge.nothing", period=period))
            return
        ui.say(ui.tr("cases.purge.doomed", count=len(doomed), period=period))
        for s in doomed:
            line = ui.tr(
                "cases.purge.line",
                case_id=s.id,
                status=s.status.value,
                updated=ui.ltr(_local(s.updated_at)),
                count=s.answers,
            )
            if ui.reorder and ui.rtl:
                for part in ui.block(line, _terminal_width() - 3):
                    sys.stderr.write("  " + part + "\n")
            else:
                sys.stderr.write("  " + line + "\n")
        if not yes and not _confirm(
            ui.tr("cases.purge.confirm", count=len(doomed)), what="purging cases", ui=ui
        ):
            ui.say(ui.tr("cases.purge.kept"))
            raise typer.Exit(1)
        purged = store.purge(older_than, now=now, officer=officer)
        home = store.path.parent
    for case_id in purged:
        sys.stdout.write(case_id + "\n")
    ui.say(ui.tr("cases.purge.done", count=len(purged)))
    removed = _remove_referrals(home, purged)
    if removed:
        _say_path(ui, "cases.purge.referrals", removed[0].parent, count=len(removed))
    if sorted(purged) != [s.id for s in doomed]:
        ui.warn(ui.tr("cases.purge.changed"))


# -- migrate ---------------------------------------------------------------------------------


@app.command("migrate")
def migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="URL",
            help="The shared register to copy into: postgresql://USER@HOST/DATABASE.",
        ),
    ],
    where: StoreOption = None,
) -> None:
    """Copy every case of an SQLite store (--store FOLDER, else SCREENING_HOME) into a
    centre's shared register on PostgreSQL, with its history of answers, notes and flags (their
    officers and times); verify both audit chains; report the counts.

    Each case is copied in one transaction; a case already in the register is left alone, so
    running it again copies nothing twice. Run it as the register's owner or a supervisor (the
    officers' ids are kept). The SQLite store is not changed.

    Example: screening cases migrate --to postgresql://admin@db.centre.local/screening
    """
    from screening.errors import UsageError
    from screening.store import open_store
    from screening.store.migrate import migrate_cases
    from screening.store.postgres import PostgresStore, is_url

    if not is_url(to):
        raise UsageError(
            f"--to {to!r} is not a postgresql:// URL",
            hint="Give the shared register as --to postgresql://USER@HOST/DATABASE.",
        )
    source_at = None if where is not None and is_url(where) else where
    if where is not None and is_url(where):
        raise UsageError(
            "cases migrate copies from an SQLite store: --store (or SCREENING_STORE) must be "
            "its folder, not a URL",
            hint="Give --store FOLDER, or unset SCREENING_STORE to copy the store in "
            "SCREENING_HOME.",
        )
    with (
        open_store(source_at, on_wait=_waiting) as source,
        open_store(to, on_wait=_waiting) as target,
    ):
        assert isinstance(target, PostgresStore)
        report = migrate_cases(source, target)
        sys.stderr.write(
            f"screening: copied {_count('cases', report.cases)} from {source.where} to "
            f"{target.where}: {_count('answer_records', report.answers)}, "
            f"{_count('notes', report.notes)}, {_count('flag_acknowledgements', report.flags)}, "
            f"{_count('audit_events', report.events)}\n"
        )
        if report.skipped:
            sys.stderr.write(
                "screening: already in the register, left as they were: "
                f"{_count('cases', len(report.skipped))}\n"
            )
        sys.stderr.write(
            f"screening: both audit chains verify: {source.where} has "
            f"{_count('audit_events', report.source_events)}, head {report.source_head[:12]}…; "
            f"{target.where} has {_count('audit_events', report.target_events)}, "
            f"head {report.target_head[:12]}…\n"
        )
    _print_json(
        {
            "copied": report.cases,
            "skipped": report.skipped,
            "answers": report.answers,
            "notes": report.notes,
            "flags": report.flags,
            "events": report.events,
            "source": {"events": report.source_events, "head": report.source_head},
            "target": {"events": report.target_events, "head": report.target_head},
        }
    )


# -- stats -----------------------------------------------------------------------------------


class StatsFormat(StrEnum):
    """Output of `stats`."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class StatsPeriod(StrEnum):
    """Grouping in time for `stats`."""

    WEEK = "week"
    MONTH = "month"


_BAR_WIDTH = 30


@app.command("stats")
def stats(
    by: Annotated[
        StatsPeriod,
        typer.Option("--by", help="Group the cases by the week or the month they were opened."),
    ] = StatsPeriod.MONTH,
    output: Annotated[
        StatsFormat,
        typer.Option("--format", help="table: with bar charts, for people; json or csv: reports."),
    ] = StatsFormat.TABLE,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Show counts below 5 as they are (a supervisor's right on a shared register); "
            'otherwise they are shown as "<5", so that a report cannot single out a worker.',
        ),
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, help="How many of the most frequent indicators.")
    ] = 10,
    where: StoreOption = None,
) -> None:
    """Count the cases: by outcome, by week or month, by sector and nationality; the most
    frequent indicators; urgent flags raised; incomplete screenings. No names, answers or notes.

    Counts from 1 to 4 are shown as "<5" unless --exact is given (on a shared register, by a
    supervisor); an officer's statistics cover their own cases.

    Example: screening cases stats --by week --format csv > centre-2026-11.csv
    """
    from screening.errors import StoreError
    from screening.stats import Period, compute, shown
    from screening.store.postgres import PostgresStore

    with _store(where, read=True) as store:
        if (
            exact
            and isinstance(store, PostgresStore)
            and not (store.officer_id is None or "screening_supervisor" in store.roles)
        ):
            raise StoreError(
                f"--exact is for supervisors: on the shared register {store.where} your "
                "statistics show counts below 5 as <5",
                hint="Leave out --exact, or ask a supervisor for the exact counts.",
            )
        report = compute(store.case_counts(), period=Period(by.value), top=top)
    totals = [
        ("cases", report.cases),
        ("complete", report.complete),
        ("drafts", report.drafts),
        ("incomplete", report.incomplete),
        ("urgent", report.urgent),
    ]
    if output is StatsFormat.JSON:
        _print_json(
            {
                "exact": exact,
                "period": by.value,
                **{key: shown(value, exact=exact) for key, value in totals},
                **{
                    section.id: [
                        {"key": key, "count": shown(count, exact=exact)}
                        for key, count in section.rows
                    ]
                    for section in report.sections
                },
            }
        )
        return
    if output is StatsFormat.CSV:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["section", "key", "count"])
        for key, value in totals:
            writer.writerow(["total", key, shown(value, exact=exact)])
        for section in report.sections:
            for key, count in section.rows:
                writer.writerow([section.id, _csv_safe(key), shown(count, exact=exact)])
        sys.stdout.flush()
        return
    _print_stats(report, totals, exact=exact)


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _print_stats(report: Any, totals: list[tuple[str, int]], *, exact: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from screening.render import make_console
    from screening.stats import shown

    console = make_console()
    summary = "  ".join(f"{key} {shown(value, exact=exact)}" for key, value in totals)
    console.print(Text(summary, style="bold"))
    if not exact:
        console.print(Text('Counts from 1 to 4 are shown as "<5".', style="dim"))
    for section in report.sections:
        if not section.rows:
            continue
        table = Table(title=Text(section.title), title_justify="left", show_header=False)
        table.add_column("key")
        table.add_column("count", justify="right")
        table.add_column("bar")
        largest = max(count for _, count in section.rows)
        for key, count in section.rows:
            value = shown(count, exact=exact)
            # A small count gets no bar of its length: the bar would tell what "<5" hides.
            length = 1 if isinstance(value, str) else max(1, round(_BAR_WIDTH * count / largest))
            table.add_row(Text(_printable(key)), Text(str(value)), Text("█" * length))
        console.print(table)


# -- backup ----------------------------------------------------------------------------------


@app.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (0600).")],
    force: ForceOption = False,
    where: StoreOption = None,
) -> None:
    """Copy an SQLite case store to FILE while interviews go on (SQLite's online backup API),
    with its anchor file beside it (FILE.anchor) and its audit head printed.

    To restore: into an empty folder (mode 0700), copy FILE as cases.sqlite3 and FILE.anchor as
    cases.sqlite3.anchor, point SCREENING_HOME at it and run `screening cases verify
    --expected-head HEAD`. A shared register on PostgreSQL is backed up with pg_dump instead
    (see docs/storage.md).

    Example: screening cases backup /media/backup/cases-2026-11-29.sqlite3
    """
    from screening.errors import StoreError
    from screening.files import write_private
    from screening.store.postgres import PostgresStore

    with _store(where, read=True) as store:
        if isinstance(store, PostgresStore):
            raise StoreError(
                f"cases backup copies an SQLite store; {store.where} is a PostgreSQL register",
                hint="Back it up with pg_dump on the server: pg_dump -Fc -f screening.dump "
                "DATABASE (see docs/storage.md, Backups).",
            )
        data, events, head = store.backup()
        cases = len(store.list_cases())
        anchor = Path(str(file) + ".anchor")
        from screening.files import check_output, private_file

        check_output(anchor, force=force)
        with private_file(file, force=force) as handle:
            handle.flush()
            handle.buffer.write(data)
        write_private(anchor, store.anchor_record(events, head), force=force)
    sys.stderr.write(
        f"screening: backed up {_count('cases', cases)} and {_count('audit_events', events)} "
        f"of {store.where} "
        f"to {file} (and its anchor {anchor}); audit head {head}\n"
    )
    sys.stdout.write(head + "\n")


# -- reassign --------------------------------------------------------------------------------


@app.command("reassign")
def reassign(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="OFFICER",
            help="The officer the case now belongs to (on the register: their database user).",
        ),
    ],
    officer: OfficerOption = None,
    where: StoreOption = None,
) -> None:
    """Give a case to another officer, who can then see and resume it; the audit log records
    who did it. On the shared register this is a supervisor's right (an officer is refused by
    the database). A case open in a terminal is refused until it is closed.

    Example: screening cases reassign C-2026-11-29-7KQ3M2 --to epc020
    """
    with _store(where) as store:
        previous = store.reassign(case_id, to.strip(), by=officer)
        shown = store.get_case(case_id).id
    sys.stderr.write(
        f"screening: case {shown} now belongs to officer {_printable(to.strip())}"
        f" (was {_printable(previous or '-')})\n"
    )
