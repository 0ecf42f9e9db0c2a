"""Moving a centre over: every case of an SQLite store copied into the shared PostgreSQL store.

Each case is copied whole in one transaction, its history replayed in the order it was written
(answers, withdrawals, notes, flag acknowledgements with their officers and times, then the
completion and the export), so the target's audit chain records the same history and its digests
cover the copied data. A case already in the target is left alone: running the copy again copies
nothing twice. Both chains are verified, before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from screening.errors import StoreError
from screening.store.model import JSONValue
from screening.store.postgres import PostgresStore
from screening.store.sqlite import SqliteStore, _parse

__all__ = ["MigrationReport", "migrate_cases"]


@dataclass
class MigrationReport:
    """What a copy did: counts only, no content."""

    cases: int = 0
    skipped: list[str] = field(default_factory=list)
    answers: int = 0
    notes: int = 0
    flags: int = 0
    events: int = 0
    source_events: int = 0
    source_head: str = ""
    target_events: int = 0
    target_head: str = ""


def migrate_cases(source: SqliteStore, target: PostgresStore) -> MigrationReport:
    """Copy every case of ``source`` that ``target`` does not hold yet.

    Raises:
        StoreError: Either chain does not verify (nothing is copied from a source that fails),
            or a store cannot be read or written.
    """
    if isinstance(source, PostgresStore):
        raise StoreError(
            f"cannot copy the cases: {source.where} is a PostgreSQL store already",
            hint="Give the SQLite store to copy from with --store FOLDER (or SCREENING_HOME).",
        )
    checked = source.verify()
    if not checked.ok:
        raise StoreError(
            f"cannot copy the cases of {source.where}: its audit log does not verify: "
            f"{checked.message}",
            hint="Run `screening cases verify` on it and resolve the problems first; nothing "
            "was copied.",
        )
    before = target.verify()
    if not before.ok:
        raise StoreError(
            f"cannot copy the cases into {target.where}: its audit log does not verify: "
            f"{before.message}",
            hint="Run `screening cases verify --store URL` and resolve the problems first; "
            "nothing was copied.",
        )
    report = MigrationReport(source_events=checked.events, source_head=checked.head)
    existing = {summary.id.casefold() for summary in target.list_cases()}
    for summary in sorted(source.list_cases(), key=lambda s: (s.created_at, s.id)):
        if summary.id.casefold() in existing:
            report.skipped.append(summary.id)
            continue
        _copy_case(source, target, summary.id, checked.head, report)
        report.cases += 1
    after = target.verify()
    if not after.ok:
        raise StoreError(
            f"the copy into {target.where} does not verify: {after.message}",
            hint="Keep the SQLite store; run `screening cases verify --store URL`.",
        )
    report.events = after.events - before.events
    report.target_events, report.target_head = after.events, after.head
    return report


def _copy_case(
    source: SqliteStore,
    target: PostgresStore,
    case_id: str,
    source_head: str,
    report: MigrationReport,
) -> None:
    case = source.get_case(case_id)
    notes = source.note_records(case.id)  # decrypted, when the source is encrypted
    with source._read(f"read case {case_id}") as conn:
        flags = conn.execute(
            "SELECT flag_id, officer, acknowledged_at, rowid FROM acknowledged_flags"
            " WHERE case_id = ?",
            (case.id,),
        ).fetchall()
    # The history in the order it was written: (time, kind, order within its table, action)
    steps: list[tuple[str, int, int, str, tuple[object, ...]]] = []
    for n, record in enumerate(case.answer_history):
        at = record.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        steps.append((at, 0, n, "answer", (record.question_id, record.value, record.officer)))
    for note in notes:
        steps.append((note[3], 1, note[4], "note", note[:3]))
    for flag_id, officer, at, rowid in flags:
        steps.append((str(at), 2, int(rowid), "flag", (flag_id, officer)))
    steps.sort(key=lambda step: step[:3])
    meta: dict[str, JSONValue] = dict(case.meta)
    with target.batch(f"copy case {case.id}"):
        target.create_case(
            questionnaire_id=case.questionnaire_id,
            questionnaire_version=case.questionnaire_version,
            questionnaire_sha256=case.questionnaire_sha256,
            language=case.language,
            ui_language=case.ui_language,
            officer=case.officer,
            case_id=case.id,
            now=case.created_at,
            meta=meta,
        )
        for at, _, _, kind, values in steps:
            moment = _parse(at)
            if kind == "answer":
                question_id, value, officer = values
                if value is None:
                    target.clear_answer(
                        case.id, str(question_id), officer=_opt(officer), now=moment
                    )
                else:
                    target.record_answer(
                        case.id,
                        str(question_id),
                        json.loads(json.dumps(value)),
                        officer=_opt(officer),
                        now=moment,
                    )
                report.answers += 1
            elif kind == "note":
                question_id, text, officer = values
                target.record_note(
                    case.id, str(question_id), str(text), officer=_opt(officer), now=moment
                )
                report.notes += 1
            else:
                flag_id, officer = values
                target.acknowledge_flag(case.id, str(flag_id), officer=_opt(officer), now=moment)
                report.flags += 1
        if case.completed_at is not None and case.referral_json is not None:
            target.complete(
                case.id, case.referral_json, officer=case.officer, now=case.completed_at
            )
        if case.exported_at is not None:
            target.mark_exported(case.id, officer=case.officer, now=case.exported_at)
        # Where it came from, at the time of its last change (the retention clock of purge).
        target.set_meta(
            case.id,
            "migrated_from",
            {"backend": "sqlite", "audit_head": source_head},
            now=case.updated_at,
        )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
