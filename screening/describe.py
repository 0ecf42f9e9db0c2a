"""Conditions told in words, for trainers and officers (core: pure)."""

from __future__ import annotations

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
    NotCondition,
    Questionnaire,
    SingleChoiceQuestion,
    text_for,
)

_OPERATORS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


def _value_label(q: Questionnaire, question_id: str, value: object, language: str) -> str:
    question = q.question(question_id)
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        for choice in question.choices:
            if choice.value == value:
                return f"{text_for(choice.label, language, q.default_language)} ({value})"
    return str(value)


def describe(cond: Condition, q: Questionnaire, language: str, depth: int = 0) -> list[str]:
    """The condition as indented lines: each answer test names its question and the value."""
    pad = "  " * depth
    if isinstance(cond, AnswerCondition):
        question = q.question(cond.answer)
        asked = text_for(question.text, language, q.default_language) if question else cond.answer
        tests: list[str] = []
        for name, operand in cond.tests():
            if name == "equals":
                tests.append(f"= {_value_label(q, cond.answer, operand, language)}")
            elif name == "one_of":
                tests.append("∈ {" + ", ".join(_value_label(q, cond.answer, v, language) for v in operand) + "}")
            elif name == "contains":
                tests.append(f"∋ {_value_label(q, cond.answer, operand, language)}")
            elif name == "is":
                tests.append(f"is {operand}")
            else:
                tests.append(f"{_OPERATORS[name]} {operand:g}")
        return [f"{pad}[{cond.answer}] {asked} {' and '.join(tests)}"]
    if isinstance(cond, AllCondition | AnyCondition):
        word = "all of" if isinstance(cond, AllCondition) else "any of"
        items = cond.all if isinstance(cond, AllCondition) else cond.any
        lines = [f"{pad}{word}:"]
        for sub in items:
            lines.extend(describe(sub, q, language, depth + 1))
        return lines
    if isinstance(cond, NotCondition):
        return [f"{pad}not:", *describe(cond.not_, q, language, depth + 1)]
    if isinstance(cond, IndicatorCondition):
        ind = q.indicator(cond.indicator)
        title = text_for(ind.title, language, q.default_language) if ind else ""
        return [f"{pad}indicator {cond.indicator} observed ({title})"]
    if isinstance(cond, DimensionCondition):
        return [f"{pad}dimension {cond.dimension} positive"]
    if isinstance(cond, FlagCondition):
        return [f"{pad}flag {cond.flag} raised"]
    if isinstance(cond, CountCondition):
        spec = cond.indicators
        where = f" in {spec.dimension}" if spec.dimension else ""
        kind = f" {spec.strength.value}" if spec.strength else ""
        return [f"{pad}at least {spec.at_least}{kind} indicator(s) observed{where}"]
    raise TypeError(type(cond).__name__)  # pragma: no cover


def revealing_questions(cond: Condition | None, q: Questionnaire) -> list[str]:
    """Ids of the questions whose answers a condition tests, in questionnaire order."""
    from screening.evaluate import referenced_questions

    if cond is None:
        return []
    return sorted((qid for qid in referenced_questions(cond) if q.question(qid)), key=q.position)
