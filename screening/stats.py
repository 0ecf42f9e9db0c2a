"""The supervisor's view: counts over the cases of a store (core: no I/O).

Counts below :data:`SMALL` are shown as ``"<5"`` unless exact counts are asked for, so that a
report cannot single out a worker (one case from a rare nationality in one month, say).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from screening.store.model import CaseCounts, CaseStatus

__all__ = ["LOCKED_SECTIONS", "SMALL", "Period", "Section", "Statistics", "compute", "shown"]

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
    needs_key: tuple[str, ...] = ()
    """The sections left out because the store is encrypted and its key was not unlocked."""


LOCKED_SECTIONS: Final = ("nationality", "sector", "indicator", "flag")
"""What an encrypted store does not keep in clear: counted only when its key is unlocked."""


def compute(counts: CaseCounts, *, period: Period = Period.MONTH, top: int = 10) -> Statistics:
    """Count the cases by outcome, period, sector and nationality; the most frequent
    indicators; urgent flags raised; incomplete screenings (drafts, and completed screenings
    with questions left unanswered)."""
    outcomes: Counter[str] = Counter()
    periods: Counter[str] = Counter()
    indicators: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    cases = complete = drafts = 0
    for status, day, count in counts.days:
        cases += count
        if status == CaseStatus.DRAFT.value:
            drafts += count
        else:
            complete += count
        periods[_period(day, period)] += count
    if drafts:
        outcomes["(draft: not completed)"] = drafts
    partial = urgent = 0
    for outcome, is_urgent, all_answered, count in counts.outcomes:
        outcomes[outcome] += count
        urgent += count if is_urgent else 0
        partial += 0 if all_answered else count
    unknown = complete - sum(count for *_, count in counts.outcomes)
    if unknown > 0:
        outcomes["(unknown)"] += unknown
    for kind, item, count in counts.items:
        (indicators if kind == "indicator" else flags)[item] += count
    sectors = Counter({(key or UNANSWERED): 0 for key, _ in counts.sectors})
    for key, count in counts.sectors:
        sectors[key or UNANSWERED] += count
    nationalities = Counter({(key or UNANSWERED): 0 for key, _ in counts.nationalities})
    for key, count in counts.nationalities:
        nationalities[key or UNANSWERED] += count
    sections: tuple[Section, ...] = (
        Section("outcome", "Cases by outcome", _largest(outcomes)),
        Section(period.value, f"Cases by {period.value} opened", tuple(sorted(periods.items()))),
        Section("sector", "Cases by sector", _largest(sectors)),
        Section("nationality", "Cases by nationality", _largest(nationalities)),
        Section("indicator", f"Most frequent indicators (top {top})", _largest(indicators)[:top]),
        Section("flag", "Urgent flags raised", _largest(flags)),
    )
    needs_key: tuple[str, ...] = ()
    if counts.sealed:
        # Counted over the clear cases only they would mislead: left out whole.
        needs_key = LOCKED_SECTIONS
        sections = tuple(section for section in sections if section.id not in needs_key)
    return Statistics(
        cases=cases,
        complete=complete,
        drafts=drafts,
        incomplete=drafts + partial,
        urgent=urgent,
        sections=sections,
        needs_key=needs_key,
    )


def _period(day: str, period: Period) -> str:
    """``2026-11`` or ``2026-W48`` for a day ``2026-11-29``."""
    if period is Period.MONTH:
        return day[:7]
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _largest(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(
        sorted(((k, n) for k, n in counter.items() if n), key=lambda item: (-item[1], item[0]))
    )


def shown(count: int, *, exact: bool) -> int | str:
    """A count as it may be shown: ``"<5"`` for 1 to 4 unless ``exact``."""
    if exact or count == 0 or count >= SMALL:
        return count
    return f"<{SMALL}"
