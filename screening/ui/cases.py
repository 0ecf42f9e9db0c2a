"""The case store's screens: the list of cases, one case in full, the counts of `cases stats`,
and the confirmation asked before cases are deleted (a screen family).

Stored text (officer ids, answers, notes, file names) is shown through
:func:`~screening.sanitize.visible` and given to rich as ``Text``, never as markup: an officer
id such as ``[/x]`` is shown as it is. Messages for people go to stderr, after
``screening: `` (:meth:`~screening.ui.view.View.note`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from screening.sanitize import visible
from screening.ui.view import View

if TYPE_CHECKING:
    from screening.casefile import AnswerRow, LiveCase
    from screening.store import CaseSummary

__all__ = [
    "confirm",
    "local_time",
    "print_backed_up",
    "print_intact",
    "print_migrated",
    "print_purge_list",
    "print_reassigned",
    "print_stats",
    "print_summaries",
    "printable",
    "render_case",
    "say_path",
]

_BAR_WIDTH = 30
"""The cells of the longest bar of `cases stats`."""


def confirm(view: View, question: str, *, what: str, terminal: bool, stdin: TextIO) -> bool:
    """Ask on the terminal (the view's stderr, the answer read from ``stdin``); refuse without
    one (``terminal`` false); Ctrl-C or the end of input means no and exits 130.

    ``y`` or ``yes`` is yes; ``n``, ``no`` or an empty line is no; anything else is asked
    again after ``Error: invalid input``.
    """
    from screening.errors import Interrupted, NoTerminalError

    if not terminal:
        raise NoTerminalError(
            f"{what} needs a confirmation and there is no terminal to ask on",
            hint="Run it in a terminal, or add --yes to confirm on the command line.",
        )
    if view.reorder and view.ui_rtl:
        # Wrapped before it is reordered, with room left for " [y/N]: " after the last line.
        *lines, question = view.block(question, view.columns - 10)
        for line in lines:
            view.stderr.write(line + "\n")
    else:
        question = view.shape(question)
    while True:
        view.stderr.write(f"{question} [y/N]: ")
        view.stderr.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            line = ""
        if not line:  # the end of input (Ctrl-D), or Ctrl-C
            view.stderr.write("\n")
            raise Interrupted("interrupted: nothing was deleted") from None
        answer = line.strip().lower()
        if answer in ("y", "yes"):
            return True
        if answer in ("n", "no", ""):
            return False
        view.stderr.write("Error: invalid input\n")


def local_time(moment: datetime | None, *, day_only: bool = False) -> str:
    """A time for people: local, to the minute (or the day)."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%Y-%m-%d" if day_only else "%Y-%m-%d %H:%M")


def questionnaire_name(ref: str) -> str:
    """A questionnaire for a table: a bundled id as it is, a file by its name only."""
    return Path(ref).name if "/" in ref or "\\" in ref else ref


def printable(text: str) -> str:
    """Stored text made safe for a terminal (:func:`screening.sanitize.visible`): control
    characters shown as symbols, bidi overrides and isolates neutralised; lines kept."""
    from screening.sanitize import visible

    return visible(text, lines=True)


def value_text(value: Any) -> str:
    import json

    if isinstance(value, list):
        return ", ".join(printable(str(item)) for item in value)
    if isinstance(value, str):
        return printable(value)
    return json.dumps(value, ensure_ascii=False)


_COLUMNS = ("id", "status", "created", "updated", "answers", "officer", "questionnaire")


def print_summaries(view: View, summaries: list[CaseSummary]) -> None:
    """A table, one line per case; on a terminal too narrow for it, two lines per case."""
    from rich.table import Table
    from rich.text import Text

    headers = [view.shape(view.tr(f"cases.col.{column}")) for column in _COLUMNS]
    if view.ui_rtl and not view.reorder:
        # A terminal that does its own bidi would lay an all-Arabic header line out from the
        # right, over the wrong columns: a left-to-right mark keeps it in the rows' order.
        headers[0] = "\u200e" + headers[0]
    rows = [
        (
            s.id,
            s.status.value,
            local_time(s.created_at, day_only=True),
            local_time(s.updated_at),
            str(s.answers),
            visible(s.officer or "-"),
            visible(f"{questionnaire_name(s.questionnaire_id)} {s.questionnaire_version}"),
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
            Text(view.shape(officer, auto=True)),
            Text(questionnaire),
        )
    console = view.console
    natural = console.measure(table, options=console.options.update_width(100_000)).maximum
    if natural <= console.width or not console.is_terminal:
        # Piped or redirected: one line per case however wide, so that grep and cut work.
        console.width = max(console.width, natural)
        console.print(table)
        return
    # Squeezing the table would cut ids or times; a record of two lines (or more) keeps all.
    for case_id, status, created, updated, answers, officer, questionnaire in rows:
        record = case_id + "  " + view.tr("cases.list.record", status=status, count=answers)
        lines = view.block(record, console.width - 1) if view.reorder and view.ui_rtl else [record]
        for line in lines:
            shown = Text(line)
            shown.highlight_words([case_id], "bold")
            console.print(shown, soft_wrap=view.reorder and view.ui_rtl)
        details = view.tr(
            "cases.list.record_details",
            updated=view.ltr(updated),
            created=view.ltr(created),
            officer=officer,
            questionnaire=questionnaire,
        )
        if view.reorder:
            for line in view.block(details, console.width - 5):
                console.print(Text("    " + line), soft_wrap=True)
        else:
            console.print(Text("    " + details))


def _free_text(live: LiveCase, row: AnswerRow) -> bool:
    """Whether an answer is text typed in (a text question, or a question no longer known)."""
    from screening.model import TextQuestion

    question = live.loaded.questionnaire.question(row.question_id)
    return isinstance(question, TextQuestion) or (question is None and isinstance(row.value, str))


def _direction(text: str, view: View) -> bool:
    """The direction of typed text: its first strong character's, else the officer's.

    A note or a typed answer in English reads left to right even in an Arabic view (numbers
    and full stops in place); one in Arabic reads right to left in an English view.
    """
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind != "L"
    return view.ui_rtl


def render_case(view: View, live: LiveCase) -> None:
    import json

    from rich.table import Table
    from rich.text import Text

    from screening.casefile import answer_rows, is_pii
    from screening.ui.summary import render_summary

    console = view.console
    case = live.case
    tr = view.tr
    width = console.width

    def para(text: str, *, indent: int = 0, style: str = "", rtl: bool | None = None) -> None:
        """A paragraph: wrapped, then reordered, line by line, in reorder mode."""
        if view.reorder:
            for line in view.block(text, width - indent - 1, rtl=rtl):
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
        ("created", view.ltr(local_time(case.created_at))),
        ("updated", view.ltr(local_time(case.updated_at))),
        ("completed", view.ltr(local_time(case.completed_at))),
        ("exported", view.ltr(local_time(case.exported_at))),
    ]
    if view.reorder and view.ui_rtl:
        for key, value in about:
            para(f"{tr('cases.show.' + key)}: {printable(value)}")
    else:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        for key, value in about:
            grid.add_row(view.shape(tr("cases.show." + key)), Text(view.shape(printable(value))))
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
        if view.reorder:
            value = value_text(row.value)
            entry = "  ".join([f"{printable(row.question_id)}: {value}", *marks])
            para(entry, indent=2, rtl=_direction(value, view) if _free_text(live, row) else None)
            continue
        line = Text("  " + printable(row.question_id).ljust(qid_width) + "  ")
        line.append(value_text(row.value))
        for mark in marks:
            line.append("  " + mark, style="yellow" if mark == pii_mark else "dim")
        console.print(line)

    if case.notes:
        para(tr("cases.show.notes"), style="bold")
        for qid, texts in case.notes.items():
            pii = is_pii(live, qid)
            for text in texts:
                if view.reorder:
                    marks = [pii_mark] if pii else []
                    entry = "  ".join([f"{printable(qid)}: {printable(text)}", *marks])
                    para(entry, indent=2, rtl=_direction(text, view))
                    continue
                line = Text(f"  {printable(qid)}: ")
                line.append(printable(text))
                if pii:
                    line.append("  " + pii_mark, style="yellow")
                console.print(line)
    flags = ", ".join(sorted(case.acknowledged_flags)) or tr("cases.none")
    if view.reorder:
        para(f"{tr('cases.show.flags')}: {printable(flags)}")
    else:
        console.print(Text.assemble((tr("cases.show.flags") + ": ", "bold"), printable(flags)))
    if case.meta:
        para(tr("cases.show.metadata"), style="bold")
        for key, item in case.meta.items():
            para(f"{key}: " + printable(json.dumps(item, ensure_ascii=False)), indent=2)
    console.rule(view.shape(tr("cases.show.outcome")))

    # The summary as the interview shows it: in the officer's language (in the direction the
    # case's questionnaire gives it), paragraphs wrapped before they are reordered.
    summary = View(
        console,
        language=view.officer_language,
        mode=view.mode,
        questionnaire=live.loaded.questionnaire,
    )
    render_summary(summary, live.assessment)


def say_path(view: View, key: str, path: Path, *, warn: bool = False, **values: object) -> None:
    """A message that ends with a path; in right-to-left text the path gets a line of its own,
    never wrapped, so that it can be copied whole (its leading "/" would move to its end)."""
    say = view.warn if warn else view.note
    if view.ui_rtl:
        say(view.tr(key, path="", **values).rstrip().rstrip(":") + ":")
        view.stderr.write(" " * len("screening: ") + printable(str(path)) + "\n")
    else:
        say(view.tr(key, path=path, **values))


def print_stats(view: View, report: Any, totals: list[tuple[str, int]], *, exact: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from screening.stats import shown

    console = view.console
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
            table.add_row(Text(printable(key)), Text(str(value)), Text("█" * length))
        console.print(table)


def print_intact(view: View, events: int, head: str) -> None:
    """`cases verify`'s result on stdout: the store is intact, its events and its head.

    In right-to-left text the head goes on a line of its own, never wrapped, so that it can be
    copied whole.
    """
    out = view.stdout
    if view.ui_rtl:
        intact = view.tr("cases.verify.intact", count=events, head="").rstrip() + ":"
        for line in view.block(intact, view.columns - 1) if view.reorder else [intact]:
            out.write(line + "\n")
        out.write(f"{head}\n")
    else:
        intact = view.tr("cases.verify.intact", count=events, head=head)
        out.write(view.shape(intact) + "\n")
    out.flush()


def print_purge_list(view: View, doomed: Sequence[CaseSummary]) -> None:
    """The cases `cases purge` is about to delete, one a line on stderr (wrapped, then put in
    display order, in right-to-left text with ``--rtl reorder``)."""
    for summary in doomed:
        line = view.tr(
            "cases.purge.line",
            case_id=summary.id,
            status=summary.status.value,
            updated=view.ltr(local_time(summary.updated_at)),
            count=summary.answers,
        )
        if view.reorder and view.ui_rtl:
            for part in view.block(line, view.columns - 3):
                view.stderr.write("  " + part + "\n")
        else:
            view.stderr.write("  " + line + "\n")


def _count(noun: str, count: int) -> str:
    """``count`` of a noun (``cases``, ``notes``, ...), in English, in the right plural form."""
    from screening.i18n import tn

    return tn(f"cases.count.{noun}", count, "en")


def print_migrated(view: View, report: Any, source: str, target: str) -> None:
    """What `cases migrate` copied, and that both audit chains verify (on stderr)."""
    source, target = visible(source), visible(target)
    err = view.stderr
    err.write(
        f"screening: copied {_count('cases', report.cases)} from {source} to "
        f"{target}: {_count('answer_records', report.answers)}, "
        f"{_count('notes', report.notes)}, {_count('flag_acknowledgements', report.flags)}, "
        f"{_count('audit_events', report.events)}\n"
    )
    if report.skipped:
        err.write(
            "screening: already in the register, left as they were: "
            f"{_count('cases', len(report.skipped))}\n"
        )
    err.write(
        f"screening: both audit chains verify: {source} has "
        f"{_count('audit_events', report.source_events)}, head {report.source_head[:12]}…; "
        f"{target} has {_count('audit_events', report.target_events)}, "
        f"head {report.target_head[:12]}…\n"
    )
    err.flush()


def print_backed_up(
    view: View, cases: int, events: int, where: str, file: Path, anchor: Path, head: str
) -> None:
    """What `cases backup` wrote (on stderr), then the audit head alone (on stdout)."""
    view.stderr.write(
        f"screening: backed up {_count('cases', cases)} and {_count('audit_events', events)} "
        f"of {visible(where)} "
        f"to {visible(str(file))} (and its anchor {visible(str(anchor))}); audit head {head}\n"
    )
    view.stderr.flush()
    view.stdout.write(head + "\n")
    view.stdout.flush()


def print_reassigned(view: View, case_id: str, to: str, previous: str | None) -> None:
    """Who a case now belongs to, and who had it (on stderr)."""
    view.stderr.write(
        f"screening: case {case_id} now belongs to officer {printable(to)}"
        f" (was {printable(previous or '-')})\n"
    )
    view.stderr.flush()
