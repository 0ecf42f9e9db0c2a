"""The supervisor's view: counts over the cases of a store (core: no I/O).

Counts below :data:`SMALL` are shown as ``"<5"`` unless exact counts are asked for, so that a
report cannot single out a worker (one case from a rare nationality in one month, say).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum

from screening.store.model import CaseFacts, CaseStatus

__all__ = ["SMALL", "Period", "Section", "Statistics", "compute", "shown"]

SMALL = 5
"""Counts from 1 to SMALL - 1 are shown as "<5" unless exact counts are asked for."""

UNANSWERED = "(not answered)"


class Period(StrEnum):
    """How cases are grouped in time (by the day they were opened, UTC)."""

    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Section:
    """One table of the report: a title, and (key, count) rows, largest first (or in time)."""

    id: str
    title: str
    rows: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Statistics:
    """The report: totals and its sections."""

    cases: int
    complete: int
    drafts: int
    incomplete: int
    urgent: int
    sections: tuple[Section, ...]


def compute(
    facts: Iterable[CaseFacts], *, period: Period = Period.MONTH, top: int = 10
) -> Statistics:
    """Count the cases by outcome, period, sector and nationality; the most frequent
    indicators; urgent flags raised; incomplete screenings (drafts, and completed screenings
    with questions left unanswered)."""
    outcomes: Counter[str] = Counter()
    periods: Counter[str] = Counter()
    sectors: Counter[str] = Counter()
    nationalities: Counter[str] = Counter()
    indicators: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    cases = complete = drafts = partial = urgent = 0
    for fact in facts:
        cases += 1
        day = fact.created_at.astimezone(UTC).date()
        if period is Period.WEEK:
            year, week, _ = day.isocalendar()
            periods[f"{year}-W{week:02d}"] += 1
        else:
            periods[f"{day:%Y-%m}"] += 1
        sectors[fact.sector or UNANSWERED] += 1
        nationalities[fact.nationality or UNANSWERED] += 1
        if fact.status is CaseStatus.DRAFT:
            drafts += 1
            outcomes["(draft: not completed)"] += 1
            continue
        complete += 1
        summary = fact.summary or {}
        outcomes[str(summary.get("outcome", "(unknown)"))] += 1
        if summary.get("complete") is False:
            partial += 1
        if summary.get("urgent") is True:
            urgent += 1
        for key, counter in (("indicators", indicators), ("flags", flags)):
            items = summary.get(key)
            if isinstance(items, list):
                counter.update({str(item) for item in items})
    return Statistics(
        cases=cases,
        complete=complete,
        drafts=drafts,
        incomplete=drafts + partial,
        urgent=urgent,
        sections=(
            Section("outcome", "Cases by outcome", _largest(outcomes)),
            Section(
                period.value, f"Cases by {period.value} opened", tuple(sorted(periods.items()))
            ),
            Section("sector", "Cases by sector", _largest(sectors)),
            Section("nationality", "Cases by nationality", _largest(nationalities)),
            Section(
                "indicator", f"Most frequent indicators (top {top})", _largest(indicators)[:top]
            ),
            Section("flag", "Urgent flags raised", _largest(flags)),
        ),
    )


def _largest(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def shown(count: int, *, exact: bool) -> int | str:
    """A count as it may be shown: ``"<5"`` for 1 to 4 unless ``exact``."""
    if exact or count == 0 or count >= SMALL:
        return count
    return f"<{SMALL}"
