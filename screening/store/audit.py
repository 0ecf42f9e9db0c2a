"""The audit log's hash chain, independent of where the events are stored.

Each event is hashed as ``sha256(prev_hash + canonical JSON of the event)``, where the canonical
JSON has sorted keys, no spaces and UTF-8 text. The event holds who did what, when and to which
case, and two digests of the data it changed: ``data_hash``, of the record written (an answer,
a note, a flag acknowledgement), and ``case_hash``, of the case's own fields afterwards (status,
times, referral, metadata). Both are HMAC-SHA256 keyed with a secret kept in the case's row, so
they reveal nothing of an answer (a plain hash of "yes" is easy to reverse), and once the case
is deleted, with its secret, not even a guess can be checked against them. Question and flag ids
stay with the records, not in the log: after a deletion the log keeps the kinds of events and
their times only.

Events written before the chain covered data (schema 1) have no digests and hash the question
and flag ids with the rest; they verify as they were written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from screening.store.model import GENESIS_HASH, EventType, VerifyResult

__all__ = [
    "GENESIS_HASH",
    "AuditEvent",
    "CaseRow",
    "RecordRow",
    "case_digest",
    "chain_hash",
    "group_digest",
    "keyed_digest",
    "meta_digest",
    "record_digest",
    "verify_chain",
    "verify_data",
]

ANSWER_EVENTS = frozenset(
    {EventType.QUESTION_ANSWERED, EventType.ANSWER_CHANGED, EventType.ANSWER_CLEARED}
)
RECORD_KIND = {
    **{event.value: "answer" for event in ANSWER_EVENTS},
    EventType.NOTE_ADDED.value: "note",
    EventType.FLAG_ACKNOWLEDGED.value: "flag",
}
"""The kind of record written with each event that writes one."""

REMOVAL_EVENTS = frozenset({EventType.CASE_DELETED.value, EventType.CASE_PURGED.value})


@dataclass(frozen=True)
class AuditEvent:
    """One event of the audit log as stored.

    Attributes:
        seq: The position in the log, from 1 with no gaps.
        at: The time, RFC 3339 in UTC (``2026-11-29T10:15:30.123456Z``).
        officer: Who did it, when known.
        event: An :class:`~screening.store.model.EventType` value.
        case_id: The case concerned.
        question_id: Schema 1 events only: the question, for answer and note events.
        flag_id: Schema 1 events only: the flag, for acknowledgements.
        prev_hash: The hash of the previous event (64 zeros for the first).
        hash: ``sha256(prev_hash + canonical())``, hex.
        data_hash: The keyed digest of the record written (or of the records removed).
        case_hash: The keyed digest of the case's fields after the event.
    """

    seq: int
    at: str
    officer: str | None
    event: str
    case_id: str
    question_id: str | None
    flag_id: str | None
    prev_hash: str
    hash: str
    data_hash: str | None = None
    case_hash: str | None = None

    @property
    def covers_data(self) -> bool:
        """Whether the event carries digests of the data (every event since schema 2)."""
        return self.data_hash is not None or self.case_hash is not None

    def canonical(self) -> str:
        """The event's content as hashed: canonical JSON without the two hashes."""
        if not self.covers_data:
            return canonical_json(
                seq=self.seq,
                at=self.at,
                officer=self.officer,
                event=self.event,
                case_id=self.case_id,
                question_id=self.question_id,
                flag_id=self.flag_id,
            )
        return canonical_json(
            seq=self.seq,
            at=self.at,
            officer=self.officer,
            event=self.event,
            case_id=self.case_id,
            question_id=self.question_id,
            flag_id=self.flag_id,
            data=self.data_hash,
            case=self.case_hash,
        )


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(**fields: str | int | None) -> str:
    """Sorted keys, no whitespace, UTF-8 kept as is: one text for one content."""
    return _CANONICAL.encode(fields)


def chain_hash(prev_hash: str, canonical: str) -> str:
    """The hash linking an event to its predecessor."""
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


_KEYED: dict[str, hmac.HMAC] = {}


def keyed_digest(salt: str, canonical: str) -> str:
    """HMAC-SHA256 of a canonical text, keyed with a case's secret (hex)."""
    keyed = _KEYED.get(salt)
    if keyed is None:
        if len(_KEYED) >= 64:  # an interview writes to one case; verify reads many once
            _KEYED.clear()
        keyed = _KEYED[salt] = hmac.new(bytes.fromhex(salt), digestmod=hashlib.sha256)
    digest = keyed.copy()
    digest.update(canonical.encode("utf-8"))
    return digest.hexdigest()


_LIST = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def record_digest(salt: str, kind: str, **fields: str | int | None) -> str:
    """The digest of one record: ``kind`` (answer, note, flag) and its stored fields.

    The text digested is the kind, a colon and the JSON list of the fields' values in the
    order given (each kind always gives the same fields in the same order).
    """
    return keyed_digest(salt, kind + ":" + _LIST.encode(list(fields.values())))


def group_digest(salt: str, digests: Iterable[str]) -> str:
    """The digest of several records sealed by one event, from their own digests in order."""
    return keyed_digest(salt, json.dumps(list(digests), separators=(",", ":")))


def meta_digest(salt: str, items: Iterable[tuple[str, str]]) -> str:
    """The digest of a case's metadata: every (key, stored JSON) pair, by key."""
    return keyed_digest(salt, json.dumps(sorted(items), separators=(",", ":")))


def case_digest(salt: str, fields: Mapping[str, str | int | None]) -> str:
    """The digest of a case's own fields (the referral by its sha256, metadata by its digest).

    The text digested is ``case:`` and the JSON list of the values in the mapping's order
    (the store always builds it with the same keys in the same order).
    """
    return keyed_digest(salt, "case:" + _LIST.encode(list(fields.values())))


@dataclass(frozen=True)
class CaseRow:
    """A case as stored, for :func:`verify_data`.

    Attributes:
        id: The case id.
        salt: The case's secret (hex), the key of its digests.
        fields: The fields :func:`case_digest` covers, as stored.
        meta_hash: The metadata digest stored with the case.
        meta: The stored metadata, (key, JSON) pairs.
    """

    id: str
    salt: str
    fields: Mapping[str, str | int | None]
    meta_hash: str | None
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RecordRow:
    """An answer, note or flag acknowledgement as stored, for :func:`verify_data`.

    Attributes:
        kind: ``answer``, ``note`` or ``flag``.
        seq: The row's number in its table.
        case_id: The case.
        subject: The question id (answers, notes) or flag id.
        fields: The fields :func:`record_digest` covers, as stored.
        event_seq: The audit event that wrote it.
    """

    kind: str
    seq: int
    case_id: str
    subject: str
    fields: Mapping[str, str | int | None] = field(default_factory=dict)
    event_seq: int | None = None

    def digest(self, salt: str) -> str:
        """The record's digest with its case's secret."""
        return record_digest(salt, self.kind, **self.fields)

    def describe(self) -> str:
        """``the answer to question q3 of case C-… (answer record 12)``: ids only."""
        if self.kind == "answer":
            what = f"the answer to question {self.subject}"
        elif self.kind == "note":
            what = f"the note on question {self.subject}"
        else:
            what = f"the acknowledgement of flag {self.subject}"
        return f"{what} of case {self.case_id} ({self.kind} record {self.seq})"


_RECORD_NAMES = {"answer": "an answer", "note": "a note", "flag": "a flag acknowledgement"}


def verify_data(
    events: list[AuditEvent], cases: list[CaseRow], records: list[RecordRow]
) -> list[str]:
    """Compare the stored data with the digests the audit events carry.

    Call it on a chain that verified. Every record must have been written by the event it
    names, with the digest that event carries; every event that wrote a record of a case still
    in the store must still have it; every case's fields must match its latest event; a case
    that is gone must have a deletion event.

    Args:
        events: The log in sequence order.
        cases: Every case in the store.
        records: Every answer, note and flag acknowledgement in the store.

    Returns:
        One sentence per problem (ids, record numbers and event numbers, never content).
    """
    problems: list[str] = []
    by_seq = {event.seq: event for event in events}
    live = {case.id: case for case in cases}
    last: dict[str, AuditEvent] = {}
    for event in events:
        last[event.case_id] = event
    written: dict[int, list[RecordRow]] = {}
    for record in records:
        case = live.get(record.case_id)
        found = None if record.event_seq is None else by_seq.get(record.event_seq)
        if case is None:
            continue  # reported with the case below
        if (
            found is None
            or found.case_id != record.case_id
            or not found.covers_data
            or (
                found.event != EventType.CASE_UPGRADED.value
                and RECORD_KIND.get(found.event) != record.kind
            )
        ):
            problems.append(
                f"{record.describe()} has no audit event: it was added outside screening"
            )
            continue
        event = found
        written.setdefault(event.seq, []).append(record)
        if event.event == EventType.CASE_UPGRADED.value:
            continue
        if len(written[event.seq]) > 1:
            problems.append(
                f"{record.describe()} has no audit event of its own (event {event.seq} "
                "wrote another record): it was added outside screening"
            )
        elif record.digest(case.salt) != event.data_hash:
            problems.append(
                f"{record.describe()} does not match audit event {event.seq}: it was changed "
                "outside screening"
            )
    for event in events:
        case = live.get(event.case_id)
        if case is None or not event.covers_data:
            continue
        kind = RECORD_KIND.get(event.event)
        if kind is not None and event.seq not in written:
            problems.append(
                f"audit event {event.seq} wrote {_RECORD_NAMES[kind]} in case {event.case_id} "
                "that is no longer in the store: it was deleted outside screening"
            )
        elif event.event == EventType.CASE_UPGRADED.value:
            group = sorted(written.get(event.seq, []), key=lambda r: (r.kind, r.seq))
            if group_digest(case.salt, (r.digest(case.salt) for r in group)) != event.data_hash:
                problems.append(
                    f"the records of case {event.case_id} sealed by audit event {event.seq} "
                    "were changed or removed outside screening"
                )
    for case in cases:
        latest = last.get(case.id)
        if latest is None:
            problems.append(f"case {case.id} has no audit event: it was added outside screening")
            continue
        if meta_digest(case.salt, case.meta) != case.meta_hash:
            problems.append(
                f"the metadata of case {case.id} does not match its audit events: it was "
                "changed outside screening"
            )
        if case_digest(case.salt, case.fields) != latest.case_hash:
            problems.append(
                f"the fields of case {case.id} (status, times, officer, referral or metadata) "
                f"do not match its latest audit event {latest.seq}: they were changed outside "
                "screening"
            )
    for case_id, latest in last.items():
        if case_id not in live and latest.event not in REMOVAL_EVENTS:
            problems.append(
                f"case {case_id} is not in the store but the audit log has no deletion event "
                f"for it (its latest event is {latest.seq}): it was deleted outside screening"
            )
    return problems


def verify_chain(
    events: list[AuditEvent],
    *,
    recorded_events: int,
    recorded_head: str,
    expected_head: str | None = None,
) -> VerifyResult:
    """Recompute the chain and name its first broken link.

    Args:
        events: The log in sequence order.
        recorded_events: The event count kept beside the log, updated with every event.
        recorded_head: The head kept beside the log.
        expected_head: A head recorded elsewhere earlier (an exported referral carries one);
            it must still be in the log, else the log was truncated or rewritten since.

    Returns:
        The verdict; ``first_broken`` is the first missing or altered sequence number.
    """
    prev = GENESIS_HASH
    seen: set[str] = {GENESIS_HASH}
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return _broken(
                len(events),
                prev,
                expected_seq,
                f"audit event {expected_seq} is missing: the log was cut or rows were deleted",
            )
        if event.prev_hash != prev:
            return _broken(
                len(events),
                prev,
                expected_seq,
                f"audit event {expected_seq} does not link to event {expected_seq - 1}: "
                "the log was altered",
            )
        if chain_hash(prev, event.canonical()) != event.hash:
            return _broken(
                len(events),
                prev,
                expected_seq,
                f"audit event {expected_seq} was altered after it was written",
            )
        prev = event.hash
        seen.add(prev)
    count = len(events)
    if recorded_events != count or recorded_head != prev:
        if recorded_events > count:
            message = (
                f"the audit log ends at event {count} but {recorded_events} events were "
                f"written: events {count + 1} to {recorded_events} were removed"
            )
        else:
            message = (
                f"the audit log has {count} events but its recorded state says "
                f"{recorded_events}: the log or its state was altered"
            )
        return _broken(count, prev, min(count, recorded_events) + 1, message)
    if expected_head is not None and expected_head.lower() not in seen:
        return VerifyResult(
            ok=False,
            events=count,
            head=prev,
            first_broken=None,
            message=(
                f"the head {expected_head[:12]}… is not in the audit log: the log was "
                "truncated or rewritten after that head was recorded"
            ),
        )
    return VerifyResult(
        ok=True,
        events=count,
        head=prev,
        first_broken=None,
        message=f"the audit log is intact: {count} events, head {prev[:12]}…",
    )


def _broken(events: int, head: str, first_broken: int, message: str) -> VerifyResult:
    return VerifyResult(
        ok=False, events=events, head=head, first_broken=first_broken, message=message
    )
