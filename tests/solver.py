"""Find answers that make a condition true: proves indicators can be triggered and outcomes reached.

A small constructive solver over the condition language: it picks a value that passes each
answer test, then satisfies the conditions that make that question (and its section) asked.
It does not cover `not` (no bundled indicator needs it); a condition it cannot satisfy returns
None, and the caller's test fails, so a gap here is never silent.
"""

from __future__ import annotations

from typing import Any

from screening.model import (
    AllCondition,
    AnswerCondition,
    AnyCondition,
    Condition,
    CountCondition,
    DimensionCondition,
    FlagCondition,
    IndicatorCondition,
    MultipleChoiceQuestion,
    NumberQuestion,
    Questionnaire,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from screening.scoring import assess


def _value(q: Questionnaire, cond: AnswerCondition) -> Any:
    question = q.question(cond.answer)
    tests = dict(cond.tests())
    if "equals" in tests:
        return tests["equals"]
    if "one_of" in tests:
        return tests["one_of"][0]
    if "contains" in tests:
        return (
            [tests["contains"]]
            if isinstance(question, MultipleChoiceQuestion)
            else f"... {tests['contains']} ..."
        )
    if isinstance(question, NumberQuestion):
        low = max([tests[k] + (1 if k == "gt" else 0) for k in ("gt", "ge") if k in tests] or [0])
        high = min(
            [tests[k] - (1 if k == "lt" else 0) for k in ("lt", "le") if k in tests] or [low]
        )
        value = low if low <= high else None
        return int(value) if value is not None and float(value).is_integer() else value
    if "is" in tests:
        if isinstance(question, YesNoQuestion):
            return "yes"
        if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
            first = question.choices[0].value
            return first if isinstance(question, SingleChoiceQuestion) else [first]
        if isinstance(question, TextQuestion):
            return "text"
    return None


def satisfy(
    cond: Condition | None, q: Questionnaire, answers: dict[str, Any]
) -> dict[str, Any] | None:
    """Answers extending ``answers`` under which ``cond`` holds, or None."""
    if cond is None:
        return answers
    if isinstance(cond, AnswerCondition):
        question = q.question(cond.answer)
        if question is None:
            return None
        value = _value(q, cond)
        if value is None:
            return None
        if cond.answer in answers and answers[cond.answer] != value:
            return None
        out = dict(answers)
        out[cond.answer] = value
        section = q.section_of(cond.answer)
        out_or_none = satisfy(section.when, q, out)
        if out_or_none is None:
            return None
        return satisfy(question.when, q, out_or_none)
    if isinstance(cond, AllCondition):
        current: dict[str, Any] | None = answers
        for sub in cond.all:
            current = satisfy(sub, q, current) if current is not None else None
        return current
    if isinstance(cond, AnyCondition):
        for sub in cond.any:
            found = satisfy(sub, q, answers)
            if found is not None:
                return found
        return None
    if isinstance(cond, IndicatorCondition):
        indicator = q.indicator(cond.indicator)
        return satisfy(indicator.when, q, answers) if indicator else None
    if isinstance(cond, FlagCondition):
        flag = q.flag(cond.flag)
        return satisfy(flag.when, q, answers) if flag else None
    if isinstance(cond, DimensionCondition | CountCondition):
        wanted = (
            cond.dimension if isinstance(cond, DimensionCondition) else cond.indicators.dimension
        )
        current = answers
        for indicator in q.indicators:
            if wanted is not None and indicator.dimension != wanted:
                continue
            if _done(q, cond, current):
                return current
            found = satisfy(indicator.when, q, current)
            if found is not None:
                current = found
        return current if _done(q, cond, current) else None
    return None


def _done(
    q: Questionnaire, cond: DimensionCondition | CountCondition, answers: dict[str, Any]
) -> bool:
    result = assess(q, answers)
    if isinstance(cond, DimensionCondition):
        return cond.dimension in result.positive_dimensions()
    spec = cond.indicators
    counted = [
        o
        for o in result.indicators
        if (spec.dimension is None or o.indicator.dimension == spec.dimension)
        and (spec.strength is None or o.indicator.strength == spec.strength)
    ]
    return sum(o.indicator.weight for o in counted) >= spec.at_least


def observes(q: Questionnaire, answers: dict[str, Any], indicator_id: str) -> bool:
    """Whether scoring these answers observes the indicator."""
    return indicator_id in assess(q, answers).observed_ids()
