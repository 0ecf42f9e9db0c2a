"""Conditions told in words, for trainers and officers (core: pure)."""

from __future__ import annotations

from typing import Any

from screening.i18n import t, ui_language
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
    ui = ui_language(language)
    if isinstance(cond, AnswerCondition):
        question = q.question(cond.answer)
        asked = text_for(question.text, language, q.default_language) if question else cond.answer
        tests: list[str] = []
        for name, operand in cond.tests():
            if name == "equals":
                tests.append(f"= {_value_label(q, cond.answer, operand, language)}")
            elif name == "one_of":
                tests.append(
                    "∈ {"
                    + ", ".join(_value_label(q, cond.answer, v, language) for v in operand)
                    + "}"
                )
            elif name == "contains":
                tests.append(f"∋ {_value_label(q, cond.answer, operand, language)}")
            elif name == "is":
                tests.append(t("describe.is", ui, state=t(f"describe.state.{operand.value}", ui)))
            else:
                tests.append(f"{_OPERATORS[name]} {operand:g}")
        return [f"{pad}[{cond.answer}] {asked} {' and '.join(tests)}"]
    if isinstance(cond, AllCondition | AnyCondition):
        word = t("describe.all" if isinstance(cond, AllCondition) else "describe.any", ui)
        items = cond.all if isinstance(cond, AllCondition) else cond.any
        lines = [f"{pad}{word}"]
        for sub in items:
            lines.extend(describe(sub, q, language, depth + 1))
        return lines
    if isinstance(cond, NotCondition):
        return [f"{pad}{t('describe.not', ui)}", *describe(cond.not_, q, language, depth + 1)]
    if isinstance(cond, IndicatorCondition):
        ind = q.indicator(cond.indicator)
        title = text_for(ind.title, language, q.default_language) if ind else ""
        return [f"{pad}{t('describe.indicator', ui, id=cond.indicator, title=title)}"]
    if isinstance(cond, DimensionCondition):
        return [f"{pad}{t('describe.dimension', ui, id=cond.dimension)}"]
    if isinstance(cond, FlagCondition):
        return [f"{pad}{t('describe.flag', ui, id=cond.flag)}"]
    if isinstance(cond, CountCondition):
        spec = cond.indicators
        key = "describe.count"
        values: dict[str, object] = {"count": spec.at_least}
        if spec.strength:
            key += "_strength"
            values["strength"] = t(f"strength.{spec.strength.value}", ui)
        if spec.dimension:
            key += "_in"
            values["dimension"] = spec.dimension
        return [f"{pad}{t(key, ui, **values)}"]
    raise TypeError(type(cond).__name__)  # pragma: no cover


def revealing_questions(cond: Condition | None, q: Questionnaire) -> list[str]:
    """Ids of the questions whose answers a condition tests, in questionnaire order."""
    from screening.evaluate import referenced_questions

    if cond is None:
        return []
    return sorted((qid for qid in referenced_questions(cond) if q.question(qid)), key=q.position)


def indicator_record(indicator_id: str, q: Questionnaire, language: str) -> dict[str, Any]:
    """An indicator as a JSON-ready mapping: what `indicators list --format json` and
    `indicators show` print (the indicator must exist in ``q``)."""
    ind = q.indicator(indicator_id)
    assert ind is not None  # the command checked the id

    dimension = q.dimension(ind.dimension)
    indicator_set = q.set_of(ind)
    # with its set's condition, when the set applies to some people only
    when = q.indicator_conditions().get(ind.id)
    return {
        "id": ind.id,
        "title": text_for(ind.title, language, q.default_language),
        "dimension": ind.dimension,
        "phase": dimension.phase if dimension is not None else "other",
        "strength": ind.strength.value,
        "weight": ind.weight,
        "source": ind.source,
        "explanation": text_for(ind.explanation, language, q.default_language) or None,
        "example": text_for(ind.example, language, q.default_language) or None,
        "set": indicator_set.id if indicator_set is not None else None,
        "questions": revealing_questions(when, q),
        "when": describe(when, q, language) if when is not None else [],
    }
