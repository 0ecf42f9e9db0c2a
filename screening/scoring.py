"""Scoring: answers to an Assessment (core: pure).

Answers -> the questions that apply (skip logic) -> observed indicators with their evidence ->
counts per dimension by strength and positivity by the dimension's rule -> raised flags -> the
first matching outcome. One engine serves the interview, answers files and trainer mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from screening.evaluate import EMPTY, FALSE, Facts, Result, evidence_of, is_special, truth
from screening.model import (
    Dimension,
    Indicator,
    NoteQuestion,
    Outcome,
    Question,
    Questionnaire,
)

CHECKLIST = "checklist"
"""Evidence of an indicator ticked directly by the officer (checklist mode)."""

GapReason = Literal["unanswered", "dont_know", "declined"]


@dataclass(frozen=True, slots=True)
class ObservedIndicator:
    """An indicator observed, with the questions (or the checklist) behind it."""

    indicator: Indicator
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DimensionScore:
    """Counts of observed indicators in a dimension by strength, and its positivity."""

    dimension: Dimension
    strong: int
    medium: int
    weak: int
    positive: bool


@dataclass(frozen=True)
class Gap:
    """A question that applies but has no usable answer."""

    question_id: str
    reason: GapReason


@dataclass(frozen=True)
class Assessment:
    """The result of scoring, with everything needed to say why."""

    questionnaire: Questionnaire
    answers: dict[str, Any]
    """Answers to questions that apply, in questionnaire order."""
    not_applicable: tuple[str, ...]
    """Answered questions whose condition no longer holds; they leave the scoring."""
    indicators: tuple[ObservedIndicator, ...]
    dimensions: tuple[DimensionScore, ...]
    flags: tuple[str, ...]
    outcome: Outcome
    child: bool
    gaps: tuple[Gap, ...]
    applicable: tuple[str, ...] = field(default=())
    """Ids of the questions that apply, in order (notes included)."""

    @property
    def complete(self) -> bool:
        """Whether every question that applies has a usable answer."""
        return not self.gaps

    @property
    def urgent(self) -> bool:
        """Whether any urgent flag is raised."""
        return bool(self.flags)

    def observed_ids(self) -> set[str]:
        """Ids of the observed indicators."""
        return {o.indicator.id for o in self.indicators}

    def positive_dimensions(self) -> list[str]:
        """Ids of the positive dimensions, in questionnaire order."""
        return [d.dimension.id for d in self.dimensions if d.positive]


def meets(rule: Iterable[tuple[int, int, int]], strong: int, medium: int, weak: int) -> bool:
    """Whether counts by strength meet any (strong, medium, weak) minimum of a positivity rule."""
    for s_min, m_min, w_min in rule:
        if strong >= s_min and medium >= m_min and weak >= w_min:
            return True
    return False


_SLOT = {"strong": 0, "medium": 1, "weak": 2}
_UNANSWERED = object()


class _Facts(Facts):
    """Indicators, dimensions and flags computed on demand over a fixed set of answers."""

    def __init__(
        self, q: Questionnaire, answers: Mapping[str, Any], checklist: Iterable[str]
    ) -> None:
        self.q = q
        self.answers = answers
        self.checklist = set(checklist)
        self._whens = q.indicator_conditions()
        self._indicators: dict[str, Result] = {}
        self._flags: dict[str, Result] = {}
        self._dimensions: dict[str, Result] = {}
        self._counts_cache: dict[tuple[str | None, str | None], tuple[int, int, int, frozenset[str]]] = {}

    def adopt(self, other: _Facts) -> None:
        """Take the indicators another set of facts derived from the same answers.

        With a checklist nothing is taken: a ticked indicator changes every indicator, count
        and dimension that refers to it.
        """
        if self.checklist:
            return
        for ident, result in other._indicators.items():
            self._indicators.setdefault(ident, result)

    def indicator(self, indicator_id: str) -> Result:
        cached = self._indicators.get(indicator_id)
        if cached is not None:
            return cached
        self._indicators[indicator_id] = FALSE  # guards against cycles (refused at load)
        result = FALSE
        when = self._whens.get(indicator_id)
        if when is not None and truth(when, self.answers, self):
            result = Result(True, evidence_of(when, self.answers, self))
        if indicator_id in self.checklist:
            result = Result(True, result.evidence | {CHECKLIST})
        self._indicators[indicator_id] = result
        return result

    def dimension(self, dimension_id: str) -> Result:
        cached = self._dimensions.get(dimension_id)
        if cached is None:
            cached = self._dimensions[dimension_id] = self._dimension_now(dimension_id)
        return cached

    def _dimension_now(self, dimension_id: str) -> Result:
        dim = self.q.dimension(dimension_id)
        if dim is None:
            return FALSE
        strong, medium, weak, evidence = self._counts(dimension_id)
        if meets(self.q.rule_tuples(dim.id), strong, medium, weak):
            return Result(True, evidence)
        return FALSE

    def _counts(
        self, dimension_id: str | None, strength: str | None = None
    ) -> tuple[int, int, int, frozenset[str]]:
        key = (dimension_id, strength)
        cached = self._counts_cache.get(key)
        if cached is None:
            cached = self._counts_cache[key] = self._count_now(dimension_id, strength)
        return cached

    def _count_now(
        self, dimension_id: str | None, strength: str | None
    ) -> tuple[int, int, int, frozenset[str]]:
        counts = {"strong": 0, "medium": 0, "weak": 0}
        evidence: set[str] = set()
        for ind in self.q.indicators_in(dimension_id):
            if strength is not None and ind.strength != strength:
                continue
            result = self.indicator(ind.id)
            if result.truth:
                counts[ind.strength] += ind.weight
                evidence |= result.evidence
        return counts["strong"], counts["medium"], counts["weak"], frozenset(evidence)

    def fill_counts(self, observed: Iterable[ObservedIndicator]) -> None:
        """Count every dimension and strength in one pass, once every indicator is known."""
        table: dict[tuple[str | None, str | None], list[Any]] = {}
        for dim in self.q.dimensions:
            table[(dim.id, None)] = [0, 0, 0, set()]
        table[(None, None)] = [0, 0, 0, set()]
        for item in observed:
            ind = item.indicator
            slot = _SLOT[ind.strength]
            evidence = self._indicators[ind.id].evidence
            keys: tuple[tuple[str | None, str | None], ...] = ((None, None), (ind.dimension, None))
            for key in keys:
                row = table.setdefault(key, [0, 0, 0, set()])
                row[slot] += ind.weight
                row[3] |= evidence
        for key, row in table.items():
            self._counts_cache[key] = (row[0], row[1], row[2], frozenset(row[3]))

    def counts(self, dimension_id: str | None) -> tuple[int, int, int, frozenset[str]]:
        """Weighted counts of observed indicators by strength, with their evidence."""
        return self._counts(dimension_id)

    def count(self, dimension: str | None, strength: str | None) -> tuple[int, frozenset[str]]:
        strong, medium, weak, evidence = self._counts(dimension, strength)
        return strong + medium + weak, evidence

    def flag(self, flag_id: str) -> Result:
        cached = self._flags.get(flag_id)
        if cached is not None:
            return cached
        flag = self.q.flag(flag_id)
        self._flags[flag_id] = FALSE
        result = FALSE
        if flag is not None and truth(flag.when, self.answers, self):
            result = Result(True, evidence_of(flag.when, self.answers, self))
        self._flags[flag_id] = result
        return result


def applicable_questions(
    q: Questionnaire, answers: Mapping[str, Any]
) -> tuple[list[Question], dict[str, Any]]:
    """The questions that apply given the answers, and the answers to them, in order.

    A question applies when its section's and its own ``when`` hold over the answers to the
    questions that apply before it. Conditions only look back (checked at load), so one pass in
    questionnaire order decides every question.
    """
    applicable, kept, _ = _walk(q, answers)
    return applicable, kept


def _walk(q: Questionnaire, answers: Mapping[str, Any]) -> tuple[list[Question], dict[str, Any], _Facts]:
    kept: dict[str, Any] = {}
    # One set of facts for the whole walk, never forgotten: a condition at a question may only
    # use indicators, dimensions and flags whose answers all come before that question (checked
    # at load), so whatever it derives is already final when it is derived.
    facts = _Facts(q, kept, ())
    applicable: list[Question] = []
    for section in q.sections:
        if section.when is not None and truth(section.when, kept, facts) is not True:
            continue
        for question in section.questions:
            if question.when is not None and truth(question.when, kept, facts) is not True:
                continue
            applicable.append(question)
            if question.id in answers and not isinstance(question, NoteQuestion):
                kept[question.id] = answers[question.id]
    return applicable, kept, facts


def assess(
    q: Questionnaire, answers: Mapping[str, Any], checklist: Iterable[str] = ()
) -> Assessment:
    """Score answers (and indicators ticked in checklist mode) against a questionnaire.

    Args:
        q: The questionnaire.
        answers: Question id to answer value; "dont_know" and "declined" are special answers.
            Answers to questions that do not apply are left out of the scoring.
        checklist: Ids of indicators observed directly by the officer.

    Returns:
        The assessment: observed indicators with evidence, dimensions, flags, outcome, gaps.
    """
    applicable, kept, walked = _walk(q, answers)
    facts = _Facts(q, kept, checklist)
    facts.adopt(walked)
    observed: list[ObservedIndicator] = []
    known = facts._indicators  # those derived during the walk are final (see _walk)
    for ind in q.indicators:
        result = known.get(ind.id) or facts.indicator(ind.id)
        if result.truth:
            observed.append(ObservedIndicator(ind, _ordered(q, result.evidence)))
    facts.fill_counts(observed)
    dimensions: list[DimensionScore] = []
    for dim in q.dimensions:
        strong, medium, weak, _ = facts.counts(dim.id)
        dimensions.append(
            DimensionScore(dim, strong, medium, weak, meets(q.rule_tuples(dim.id), strong, medium, weak))
        )
    flags = tuple(f.id for f in q.flags if facts.flag(f.id).truth)
    outcome = next(
        o for o in q.outcomes if o.when is None or truth(o.when, kept, facts) is True
    )
    child = q.child_when is not None and truth(q.child_when, kept, facts) is True
    gaps: list[Gap] = []
    for question in applicable:
        qid = question.id
        value = kept.get(qid, _UNANSWERED)
        if value is _UNANSWERED:
            # an optional question left empty is no gap, and a note takes no answer
            if getattr(question, "required", False):
                gaps.append(Gap(qid, "unanswered"))
        elif is_special(value):
            gaps.append(Gap(qid, value))
    order = q.question_order()
    not_applicable = tuple(
        sorted((qid for qid in answers if qid not in kept and qid in order), key=order.__getitem__)
    )
    return Assessment(
        questionnaire=q,
        answers=kept,
        not_applicable=not_applicable,
        indicators=tuple(observed),
        dimensions=tuple(dimensions),
        flags=flags,
        outcome=outcome,
        child=child,
        gaps=tuple(gaps),
        applicable=tuple(question.id for question in applicable),
    )


def _ordered(q: Questionnaire, evidence: frozenset[str]) -> tuple[str, ...]:
    """Evidence in questionnaire order (other entries, such as "checklist", last)."""
    cache = q.evidence_orders()
    ordered = cache.get(evidence)
    if ordered is None:
        order = q.question_order()
        known = sorted((e for e in evidence if e in order), key=order.__getitem__)
        ordered = cache[evidence] = (*known, *sorted(e for e in evidence if e not in order))
    return ordered


__all__ = [
    "CHECKLIST",
    "EMPTY",
    "Assessment",
    "DimensionScore",
    "Gap",
    "ObservedIndicator",
    "applicable_questions",
    "assess",
    "meets",
]
