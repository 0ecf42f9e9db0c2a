"""`screening cases`: list, show, export, delete, verify and purge the cases in the store.

Every command opens the store given by ``--store`` or ``SCREENING_STORE`` (a folder, or a
``postgresql://`` URL), else the one in ``SCREENING_HOME`` (or the user's data directory). Store
failures are :class:`~screening.errors.StoreError` and reach the CLI's one error handler.
Output for machines goes to stdout; questions, warnings and confirmations for people to
stderr.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli.environment import current
from screening.cli.options import (
    ForceOption,
    SealToOption,
    StoreOption,
    format_option,
    officer_parser,
    out_option,
    questionnaire_option,
    rtl_option,
)

if TYPE_CHECKING:
    from screening.store import SqliteStore
    from screening.ui.view import View

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


UI_LANG_ENV = "SCREENING_UI_LANG"
"""The environment variable read when no ``--ui-lang`` option is given."""

OfficerOption = Annotated[
    str | None,
    typer.Option(
        "--officer",
        help="Your officer id, recorded in the audit log.",
        parser=officer_parser("--officer"),
    ),
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")
]
QuestionnaireOption = Annotated[
    str | None,
    questionnaire_option(
        "The case's questionnaire file, when it is not a bundled one.",
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
    str | None,
    rtl_option(
        "reorder: shape and reorder right-to-left text for terminals without bidi "
        "(default: SCREENING_RTL, else off).",
    ),
]


# -- helpers ---------------------------------------------------------------------------------


def _ui(option: str | None, rtl: str | None, *, fallback: str | None = None) -> View:
    """The view of a command: the officer's language (the option, else SCREENING_UI_LANG, else
    ``fallback``, else en) and the display of right-to-left text."""
    from screening.rtl import rtl_mode_from_env

    env = current()
    mode = rtl_mode_from_env(rtl, env.environ)
    code = (option or "").strip() or env.environ.get(UI_LANG_ENV, "").strip() or fallback or "en"
    env.ui_language, env.rtl = code, mode  # error lines are shown in them too
    return env.view(language=code, mode=mode)


def _has_terminal() -> bool:
    """Whether someone can answer a confirmation question."""

    return bool(current().stdin_isatty)


def _waiting(message: str) -> None:
    """Said on stderr while a write waits for another session's lock."""
    current().stderr.write(f"screening: {message}\n")
    current().stderr.flush()


def _store(where: str | None, *, read: bool = False) -> SqliteStore:
    """The case store at ``where`` (--store, SCREENING_STORE), else in SCREENING_HOME;
    ``read``: a read-only store is opened for reading."""
    from screening.store import open_store

    return open_store(where or None, on_wait=_waiting, allow_read_only=read)


def _print_json(document: Any) -> None:
    import json

    current().stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    current().stdout.flush()


# -- list ------------------------------------------------------------------------------------


@app.command("list")
def list_cases(
    status: Annotated[
        StatusFilter | None,
        typer.Option("--status", help="Only the drafts, or only the complete cases."),
    ] = None,
    output: Annotated[
        Format,
        format_option("table: for people; json: a list of objects."),
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
    from screening.ui.cases import print_summaries

    ui = _ui(ui_lang, rtl)
    with _store(where, read=True) as store:
        summaries = store.list_cases(None if status is None else status.value)
    if output is Format.JSON:
        _print_json([summary_document(s) for s in summaries])
        return
    if not summaries:
        if status is None:
            ui.note(ui.tr("cases.list.empty"))
        else:
            ui.note(ui.tr("cases.list.empty_status", status=status.value))
        return
    print_summaries(ui, summaries)


# -- show ------------------------------------------------------------------------------------


@app.command()
def show(
    case_id: Annotated[str, typer.Argument(help="The case id (letter case does not matter).")],
    output: Annotated[
        Format,
        format_option("table: for people; json: for machines."),
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
    from screening.ui.cases import render_case

    _ui(ui_lang, rtl)  # a wrong SCREENING_RTL is refused before the store is opened
    with _store(where, read=True) as store:
        case = store.get_case(case_id)
    ui = _ui(ui_lang, rtl, fallback=case.ui_language)
    live = live_case(case, questionnaire=questionnaire, language=ui.ui)
    for warning in live.warnings:
        ui.warn(warning)
    if output is Format.JSON:
        _print_json(case_document(live))
        return
    render_case(ui, live)


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
    from screening.ui.cases import printable

    ui = _ui(ui_lang, rtl)
    if out is not None:
        check_output(out, force=force)  # before the export is recorded
    with _store(where, read=True) as store:
        # A bad recipient, or sealed bytes meant for a terminal, before the export is recorded.
        check_sealed_target(
            out, referral_recipients(store, seal_to or (), kept=False), current().stdout
        )
        case = store.get_case(case_id)
        result = export_case(
            store, case, redact=redact, questionnaire=questionnaire, language=ui.ui
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
        write_referral(
            store, out, result.document, seal_to=seal_to or (), force=force, stdout=current().stdout
        )
    if out is not None:
        key = (
            "cases.export.wrote"
            if case.status is CaseStatus.COMPLETE
            else "cases.export.wrote_draft"
        )
        key += "_redacted" if redact else ""
        if ui.ui_rtl:
            # Inside right-to-left text a path's leading "/" would be moved to its end: the
            # path goes on a line of its own, never wrapped, so that it can be copied whole.
            ui.note(ui.tr(key, case_id=case.id, path="").rstrip() + ":")
            current().stderr.write(" " * len("screening: ") + printable(str(out)) + "\n")
        else:
            ui.note(ui.tr(key, case_id=case.id, path=out))
    elif case.status is CaseStatus.DRAFT:
        ui.note(ui.tr("cases.export.draft", case_id=case.id))


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
    from screening.ui.cases import confirm, local_time, say_path

    ui = _ui(ui_lang, rtl)
    with _store(where) as store:
        case = store.get_case(case_id)
        if not yes:
            question = ui.tr(
                "cases.delete.confirm",
                case_id=case.id,
                status=case.status.value,
                count=len(case.answers),
                created=ui.ltr(local_time(case.created_at)),
            )
            asked = confirm(
                ui,
                question,
                what=f"deleting case {case.id}",
                terminal=_has_terminal(),
                stdin=current().stdin,
            )
            if not asked:
                ui.note(ui.tr("cases.delete.kept", case_id=case.id))
                raise typer.Exit(1)
        interview = case.meta.get("interview")
        elsewhere = interview.get("out") if isinstance(interview, dict) else None
        store.delete_case(case.id, officer=officer)
        home = store.path.parent
    ui.note(ui.tr("cases.delete.done", case_id=case.id))
    for path in _remove_referrals(home, [case.id]):
        say_path(ui, "cases.delete.referral", path, case_id=case.id)
    if isinstance(elsewhere, str) and os.path.lexists(elsewhere):
        say_path(ui, "cases.delete.elsewhere", Path(elsewhere), case_id=case.id, warn=True)


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
            current().stderr.write(f"screening: {problem}\n")
        raise StoreError(
            f"the case store is not intact: {result.message} (store: {path})",
            hint="Keep the file as it is (it is evidence) and restore the store from a backup.",
        )
    if result.anchor is not None:
        current().stderr.write(f"screening: {result.anchor}\n")
    from screening.ui.cases import print_intact

    print_intact(ui, result.events, result.head)


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
    from screening.ui.cases import confirm, print_purge_list, say_path

    ui = _ui(ui_lang, rtl)
    period = describe_duration(older_than, ui.ui)
    with _store(where) as store:
        now = datetime.now(UTC)
        doomed = purge_candidates(store.list_cases(), older_than, now)
        if not doomed:
            ui.note(ui.tr("cases.purge.nothing", period=period))
            return
        ui.note(ui.tr("cases.purge.doomed", count=len(doomed), period=period))
        print_purge_list(ui, doomed)
        if not yes and not confirm(
            ui,
            ui.tr("cases.purge.confirm", count=len(doomed)),
            what="purging cases",
            terminal=_has_terminal(),
            stdin=current().stdin,
        ):
            ui.note(ui.tr("cases.purge.kept"))
            raise typer.Exit(1)
        purged = store.purge(older_than, now=now, officer=officer)
        home = store.path.parent
    for case_id in purged:
        current().stdout.write(case_id + "\n")
    ui.note(ui.tr("cases.purge.done", count=len(purged)))
    removed = _remove_referrals(home, purged)
    if removed:
        say_path(ui, "cases.purge.referrals", removed[0].parent, count=len(removed))
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
        from screening.ui.cases import print_migrated

        print_migrated(current().view(), report, source.where, target.where)
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


@app.command("stats")
def stats(
    by: Annotated[
        StatsPeriod,
        typer.Option("--by", help="Group the cases by the week or the month they were opened."),
    ] = StatsPeriod.MONTH,
    output: Annotated[
        StatsFormat,
        format_option("table: with bar charts, for people; json or csv: reports."),
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
        _unlock_for_stats(store)
        report = compute(store.case_counts(), period=Period(by.value), top=top)
    if report.needs_key:
        current().stderr.write(
            "screening: the breakdowns by "
            + ", ".join(report.needs_key[:-1])
            + f" and {report.needs_key[-1]} need the store's key (not kept in clear); run "
            "the command in a terminal to type its passphrase, or set SCREENING_KEY_FILE\n"
        )
        current().stderr.flush()
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
                **({"needs_key": list(report.needs_key)} if report.needs_key else {}),
            }
        )
        return
    if output is StatsFormat.CSV:
        import csv

        writer = csv.writer(current().stdout, lineterminator="\n")
        writer.writerow(["section", "key", "count"])
        for key, value in totals:
            writer.writerow(["total", key, shown(value, exact=exact)])
        for section in report.sections:
            for key, count in section.rows:
                writer.writerow([section.id, _csv_safe(key), shown(count, exact=exact)])
        current().stdout.flush()
        return
    from screening.ui.cases import print_stats

    print_stats(current().view(), report, totals, exact=exact)


def _unlock_for_stats(store: SqliteStore) -> None:
    """Unlock an encrypted store as other commands do, for the breakdowns it keeps encrypted;
    without a way to (no terminal, no key file) the statistics give what is kept in clear."""
    from screening.store.crypto import KeyUnavailable

    if not store.encrypted:
        return
    with contextlib.suppress(KeyUnavailable):
        store.require_key()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


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
    from screening.ui.cases import print_backed_up

    print_backed_up(current().view(), cases, events, store.where, file, anchor, head)


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
            parser=officer_parser("--to"),
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
    from screening.ui.cases import print_reassigned

    with _store(where) as store:
        previous = store.reassign(case_id, to.strip(), by=officer)
        shown = store.get_case(case_id).id
    print_reassigned(current().view(), shown, to.strip(), previous)
