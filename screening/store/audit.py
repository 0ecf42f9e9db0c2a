"""The audit log's hash chain, independent of where the events are stored.

Each event is hashed as ``sha256(prev_hash + canonical JSON of the event)``, where the canonical
JSON has sorted keys, no spaces and UTF-8 text. The event holds who did what, when, to which
case and question or flag; never an answer or a note.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from screening.store.model import GENESIS_HASH, VerifyResult

__all__ = ["GENESIS_HASH", "AuditEvent", "chain_hash", "verify_chain"]


@dataclass(frozen=True)
class AuditEvent:
    """One event of the audit log as stored.

    Attributes:
        seq: The position in the log, from 1 with no gaps.
        at: The time, RFC 3339 in UTC (``2026-11-29T10:15:30.123456Z``).
        officer: Who did it, when known.
        event: An :class:`~screening.store.model.EventType` value.
        case_id: The case concerned.
        question_id: The question, for answer and note events.
        flag_id: The flag, for acknowledgements.
        prev_hash: The hash of the previous event (64 zeros for the first).
        hash: ``sha256(prev_hash + canonical())``, hex.
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

    def canonical(self) -> str:
        """The event's content as hashed: canonical JSON without the two hashes."""
        return canonical_json(
            seq=self.seq,
            at=self.at,
            officer=self.officer,
            event=self.event,
            case_id=self.case_id,
            question_id=self.question_id,
            flag_id=self.flag_id,
        )


def canonical_json(**fields: str | int | None) -> str:
    """Sorted keys, no whitespace, UTF-8 kept as is: one text for one content."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, canonical: str) -> str:
    """The hash linking an event to its predecessor."""
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


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
