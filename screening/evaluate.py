"""The condition language's evaluator (core: pure, no ``eval``).

Conditions are evaluated in three-valued (Kleene) logic. A test on an answer that is missing,
"don't know" or "declined" is *unknown*, and ``not`` of unknown stays unknown, so a special or
missing answer can never make an indicator, a flag or an outcome true. Only ``is:`` tests on the
state of an answer are always known. Each true result comes with its evidence: the ids of the
questions whose answers made it true.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from screening.plan import SPECIAL_ANSWERS, AnswerState, iter_tests

Condition = Any
"""A condition of the model (:mod:`screening.model`) or of a plan (:mod:`screening.plan`): both
have the same fields and a ``kind`` (``answer``, ``all``, ``any``, ``not``, ``indicator``,
``dimension``, ``flag``, ``count``), which is all the evaluator reads."""


Truth = bool | None
"""True, False, or None for unknown."""

EMPTY: frozenset[str] = frozenset()


class Result(NamedTuple):
    """A truth value with the questions that made it true."""

    truth: Truth
    evidence: frozenset[str] = EMPTY


TRUE = Result(True)
FALSE = Result(False)
UNKNOWN = Result(None)


class Facts:
    """What conditions can ask about besides answers: indicators, dimensions, flags.

    The scorer supplies lazily computed facts; the evaluator asks for them by id.
    """

    def indicator(self, indicator_id: str) -> Result:  # pragma: no cover - interface
        """Whether the indicator is observed, with its evidence."""
        raise NotImplementedError

    def dimension(self, dimension_id: str) -> Result:  # pragma: no cover - interface
        """Whether the dimension is positive, with the evidence of its indicators."""
        raise NotImplementedError

    def flag(self, flag_id: str) -> Result:  # pragma: no cover - interface
        """Whether the flag is raised, with its evidence."""
        raise NotImplementedError

    def count(
        self, dimension: str | None, strength: str | None
    ) -> tuple[int, frozenset[str]]:  # pragma: no cover
        """How many indicators are observed (weighted), with their evidence."""
        raise NotImplementedError

    def positive(self, dimension_id: str) -> bool:
        """Whether the dimension is positive (as ``dimension``, without the evidence)."""
        return self.dimension(dimension_id).truth is True

    def counted(self, dimension: str | None, strength: str | None) -> int:
        """How many indicators are observed, weighted (as ``count``, without the evidence)."""
        return self.count(dimension, strength)[0]


class NoFacts(Facts):
    """Facts for conditions that use answers only (all derived facts are false)."""

    def indicator(self, indicator_id: str) -> Result:
        """Nothing is observed."""
        return FALSE

    def dimension(self, dimension_id: str) -> Result:
        """Nothing is positive."""
        return FALSE

    def flag(self, flag_id: str) -> Result:
        """Nothing is raised."""
        return FALSE

    def count(self, dimension: str | None, strength: str | None) -> tuple[int, frozenset[str]]:
        """Nothing is counted."""
        return 0, EMPTY


def is_special(value: Any) -> bool:
    """Whether an answer is "don't know" or "declined"."""
    return value.__class__ is str and value in SPECIAL_ANSWERS


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _test(name: str, operand: Any, value: Any) -> bool:
    if name == "equals":
        if isinstance(operand, int | float) and not isinstance(operand, bool):
            number = _number(value)
            return number is not None and number == float(operand)
        return bool(value == operand)
    if name == "one_of":
        return any(_test("equals", item, value) for item in operand)
    if name == "contains":
        if isinstance(value, list):
            return operand in value
        if isinstance(value, str):
            return str(operand).casefold() in value.casefold()
        return False
    number = _number(value)
    if number is None:
        return False
    limit = float(operand)
    if name == "lt":
        return number < limit
    if name == "le":
        return number <= limit
    if name == "gt":
        return number > limit
    return number >= limit  # ge


def _answer(cond: Any, answers: Mapping[str, Any]) -> Result:
    present = cond.answer in answers
    value = answers.get(cond.answer)
    evidence = frozenset((cond.answer,))
    if cond.is_ is not None:
        if cond.is_ is AnswerState.UNANSWERED:
            truth = not present
        elif cond.is_ is AnswerState.ANSWERED:
            truth = present and not is_special(value)
        else:
            truth = present and value == cond.is_.value
        return Result(truth, evidence if truth else EMPTY)
    if not present or is_special(value):
        return UNKNOWN
    for name, operand in cond.tests():
        if not _test(name, operand, value):
            return FALSE
    return Result(True, evidence)


def evaluate(cond: Condition, answers: Mapping[str, Any], facts: Facts) -> Result:
    """Evaluate a condition over answers and derived facts.

    Args:
        cond: The condition.
        answers: Question id to answer; absent ids are unanswered.
        facts: Derived facts (indicators, dimensions, flags) the condition may ask about.

    Returns:
        The truth (True, False or None for unknown) and, when true, the evidence.
    """
    kind = cond.kind
    if kind == "answer":
        return _answer(cond, answers)
    if kind == "all":
        evidence: set[str] = set()
        unknown = False
        for sub in cond.all:
            result = evaluate(sub, answers, facts)
            if result.truth is False:
                return FALSE
            if result.truth is None:
                unknown = True
            else:
                evidence |= result.evidence
        return UNKNOWN if unknown else Result(True, frozenset(evidence))
    if kind == "any":
        evidence = set()
        truth: Truth = False
        for sub in cond.any:
            result = evaluate(sub, answers, facts)
            if result.truth is True:
                truth = True
                evidence |= result.evidence
            elif result.truth is None and truth is False:
                truth = None
        return (
            Result(truth, frozenset(evidence)) if truth else (UNKNOWN if truth is None else FALSE)
        )
    if kind == "not":
        inner = evaluate(cond.not_, answers, facts)
        if inner.truth is None:
            return UNKNOWN
        if inner.truth:
            return FALSE
        return Result(True, referenced_questions(cond.not_))
    if kind == "indicator":
        return facts.indicator(cond.indicator)
    if kind == "dimension":
        return facts.dimension(cond.dimension)
    if kind == "flag":
        return facts.flag(cond.flag)
    if kind == "count":
        spec = cond.indicators
        count, evidence_ = facts.count(
            spec.dimension, spec.strength.value if spec.strength else None
        )
        return Result(True, evidence_) if count >= spec.at_least else FALSE
    raise TypeError(f"unknown condition {type(cond).__name__}")  # pragma: no cover


def referenced_questions(cond: Condition) -> frozenset[str]:
    """The question ids a condition tests directly."""
    return frozenset(c.answer for c in iter_tests(cond) if c.kind == "answer")


# ----------------------------------------------------------------------------- fast truth
#
# Scoring asks "is it true?" far more often than "why?": every skip-logic condition, every
# indicator, every rung of the outcome ladder. Conditions are therefore also compiled, once,
# into small closures that return only the truth value (no evidence, no allocation). The
# evidence of what turned out true is then computed by `evaluate`, which stays the reference.

TruthFn = Callable[[Mapping[str, Any], Facts], Truth]
_MISSING = object()
_COMPILED: dict[int, tuple[Condition, TruthFn]] = {}


def truth(cond: Condition, answers: Mapping[str, Any], facts: Facts) -> Truth:
    """The truth of a condition (as ``evaluate(...).truth``), computed by a compiled closure."""
    return compiled(cond)(answers, facts)


def compiled(cond: Condition) -> TruthFn:
    """The closure computing a condition's truth, compiled once per condition object."""
    return _once(_COMPILED, cond, _compile)


_Built = TypeVar("_Built")


def _once(
    cache: dict[int, tuple[Condition, _Built]],
    cond: Condition,
    build: Callable[[Condition], _Built],
) -> _Built:
    """What ``build`` makes of a condition, made once per condition object and kept."""
    entry = cache.get(id(cond))
    if entry is None or entry[0] is not cond:  # the condition is kept, so its id is not reused
        entry = cache[id(cond)] = (cond, build(cond))
    return entry[1]


def _compile_answer(cond: Any) -> TruthFn:
    qid = cond.answer
    if cond.is_ is not None:
        state = cond.is_

        def is_state(answers: Mapping[str, Any], facts: Facts) -> Truth:
            value = answers.get(qid, _MISSING)
            if state is AnswerState.UNANSWERED:
                return value is _MISSING
            if state is AnswerState.ANSWERED:
                return value is not _MISSING and not is_special(value)
            return bool(value == state.value)

        return is_state
    given = cond.tests()
    if len(given) == 1:
        fused = _fused_test(qid, *given[0])
        if fused is not None:
            return fused
    checks = tuple(_predicate(name, operand) for name, operand in given)
    if len(checks) == 1:
        (check,) = checks

        def one_test(answers: Mapping[str, Any], facts: Facts) -> Truth:
            value = answers.get(qid, _MISSING)
            if value is _MISSING or (value.__class__ is str and value in SPECIAL_ANSWERS):
                return None
            return check(value)

        return one_test

    def tests(answers: Mapping[str, Any], facts: Facts) -> Truth:
        value = answers.get(qid, _MISSING)
        if value is _MISSING or (value.__class__ is str and value in SPECIAL_ANSWERS):
            return None
        return all(check(value) for check in checks)

    return tests


def _fused_test(qid: str, name: str, operand: Any) -> TruthFn | None:
    """One closure for the commonest tests on text (the meaning of ``_test``, with "don't
    know", "declined" and no answer unknown), or None for the general path."""
    if operand.__class__ is str and operand not in SPECIAL_ANSWERS:
        if name == "equals":

            def equals_text(answers: Mapping[str, Any], facts: Facts) -> Truth:
                value = answers.get(qid, _MISSING)
                if value == operand:
                    return True
                if value is _MISSING or (value.__class__ is str and value in SPECIAL_ANSWERS):
                    return None
                return False

            return equals_text
        if name == "contains":
            folded = operand.casefold()

            def contains_text(answers: Mapping[str, Any], facts: Facts) -> Truth:
                value = answers.get(qid, _MISSING)
                if value.__class__ is list:
                    return operand in value
                if value.__class__ is str:
                    return None if value in SPECIAL_ANSWERS else folded in value.casefold()
                return None if value is _MISSING else False

            return contains_text
    if (
        name == "one_of"
        and all(item.__class__ is str for item in operand)
        and not set(operand) & set(SPECIAL_ANSWERS)
    ):
        allowed = frozenset(operand)

        def one_of_text(answers: Mapping[str, Any], facts: Facts) -> Truth:
            value = answers.get(qid, _MISSING)
            if value.__class__ is str:
                return True if value in allowed else (None if value in SPECIAL_ANSWERS else False)
            return None if value is _MISSING else False

        return one_of_text
    return None


def _predicate(name: str, operand: Any) -> Callable[[Any], bool]:
    """One answer test as a function of the value (the same meaning as ``_test``)."""
    if name == "equals" and not (
        isinstance(operand, int | float) and not isinstance(operand, bool)
    ):
        return lambda value: bool(value == operand)
    if name == "one_of" and all(isinstance(item, str) for item in operand):
        allowed = frozenset(operand)
        return lambda value: value.__class__ is str and value in allowed
    if name == "contains" and isinstance(operand, str):
        folded = operand.casefold()

        def contains(value: Any) -> bool:
            if value.__class__ is list:
                return operand in value
            return value.__class__ is str and folded in value.casefold()

        return contains
    return lambda value: _test(name, operand, value)


def _compile(cond: Condition) -> TruthFn:
    kind = cond.kind
    if kind == "answer":
        return _compile_answer(cond)
    if kind in ("all", "any"):
        parts = tuple(_compile(sub) for sub in (cond.all if kind == "all" else cond.any))
        if kind == "all":

            def all_of(answers: Mapping[str, Any], facts: Facts) -> Truth:
                unknown = False
                for part in parts:
                    result = part(answers, facts)
                    if result is False:
                        return False
                    if result is None:
                        unknown = True
                return None if unknown else True

            return all_of

        def any_of(answers: Mapping[str, Any], facts: Facts) -> Truth:
            unknown = False
            for part in parts:
                result = part(answers, facts)
                if result is True:
                    return True
                if result is None:
                    unknown = True
            return None if unknown else False

        return any_of
    if kind == "not":
        inner = _compile(cond.not_)

        def negation(answers: Mapping[str, Any], facts: Facts) -> Truth:
            result = inner(answers, facts)
            return None if result is None else not result

        return negation
    if kind == "indicator":
        ident = cond.indicator
        return lambda answers, facts: facts.indicator(ident).truth is True
    if kind == "dimension":
        ident = cond.dimension
        return lambda answers, facts: facts.positive(ident)
    if kind == "flag":
        ident = cond.flag
        return lambda answers, facts: facts.flag(ident).truth is True
    if kind == "count":
        spec = cond.indicators
        dimension, strength = spec.dimension, (spec.strength.value if spec.strength else None)
        least = spec.at_least
        return lambda answers, facts: facts.counted(dimension, strength) >= least
    raise TypeError(f"unknown condition {type(cond).__name__}")  # pragma: no cover


EvidenceFn = Callable[[Mapping[str, Any], Facts], frozenset[str]]
_EVIDENCE: dict[int, tuple[Condition, EvidenceFn]] = {}


def evidence_of(cond: Condition, answers: Mapping[str, Any], facts: Facts) -> frozenset[str]:
    """The evidence of a condition known to be true (as ``evaluate(...).evidence``), compiled."""
    return compiled_evidence(cond)(answers, facts)


def compiled_evidence(cond: Condition) -> EvidenceFn:
    """The closure computing the evidence of a true condition, compiled once per condition."""
    return _once(_EVIDENCE, cond, _compile_evidence)


def _static_evidence(cond: Condition) -> frozenset[str] | None:
    """The evidence of a condition whenever it is true, if that does not depend on the answers."""
    kind = cond.kind
    if kind == "answer":
        return frozenset((cond.answer,))
    if kind == "not":
        return referenced_questions(cond.not_)
    if kind == "all":
        parts: list[frozenset[str]] = []
        for sub in cond.all:
            part = _static_evidence(sub)
            if part is None:
                return None
            parts.append(part)
        return frozenset().union(*parts)
    return None


def _compile_evidence(cond: Condition) -> EvidenceFn:
    static = _static_evidence(cond)  # answer tests and `not` always are
    if static is not None:
        return lambda answers, facts: static
    kind = cond.kind
    if kind == "all":
        subs = tuple(compiled_evidence(c) for c in cond.all)
        return lambda answers, facts: frozenset().union(*(sub(answers, facts) for sub in subs))
    if kind == "any":
        options = tuple((compiled(c), compiled_evidence(c)) for c in cond.any)
        return lambda answers, facts: frozenset().union(
            *(sub(answers, facts) for holds, sub in options if holds(answers, facts) is True)
        )
    if kind == "indicator":
        ident = cond.indicator
        return lambda answers, facts: facts.indicator(ident).evidence
    if kind == "dimension":
        ident = cond.dimension
        return lambda answers, facts: facts.dimension(ident).evidence
    if kind == "flag":
        ident = cond.flag
        return lambda answers, facts: facts.flag(ident).evidence
    if kind == "count":
        spec = cond.indicators
        dimension, strength = spec.dimension, (spec.strength.value if spec.strength else None)
        return lambda answers, facts: facts.count(dimension, strength)[1]
    raise TypeError(f"unknown condition {type(cond).__name__}")  # pragma: no cover
