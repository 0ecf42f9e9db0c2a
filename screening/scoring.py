"""Scoring: answers to an Assessment (core: pure).

Answers -> the questions that apply (skip logic) -> observed indicators with their evidence ->
counts per dimension by strength and positivity by the dimension's rule -> raised flags -> the
first matching outcome. One engine serves the interview, answers files and trainer mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from screening.evaluate import (
    EMPTY,
    FALSE,
    Facts,
    Result,
    TruthFn,
    compiled,
    compiled_evidence,
    is_special,
)
from screening.plan import (
    Plan,
    PlanDimension,
    PlanIndicator,
    PlanOutcome,
    PlanQuestion,
    plan_of,
)
from screening.records import Record

if TYPE_CHECKING:
    from screening.model import Dimension, Indicator, Outcome, Question, Questionnaire

CHECKLIST = "checklist"
"""Evidence of an indicator ticked directly by the officer (checklist mode)."""

GapReason = Literal["unanswered", "dont_know", "declined"]


class Gap(Record):
    """A question that applies but has no usable answer."""

    _fields = ("question_id", "reason")
    __slots__ = _fields

    question_id: str
    reason: GapReason

    def __init__(self, question_id: str, reason: GapReason) -> None:
        self.question_id = question_id
        self.reason = reason


_Item = TypeVar("_Item")


class Observed(Record, Generic[_Item]):
    """An indicator observed (the plan's, or the model's), with the questions (or the
    checklist) behind it."""

    _fields = ("indicator", "evidence")
    __slots__ = _fields

    indicator: _Item
    evidence: tuple[str, ...]

    def __init__(self, indicator: _Item, evidence: tuple[str, ...]) -> None:
        self.indicator = indicator
        self.evidence = evidence


class Counted(Record, Generic[_Item]):
    """A dimension (the plan's, or the model's): its observed indicators by strength, and
    whether it is positive."""

    _fields = ("dimension", "strong", "medium", "weak", "positive")
    __slots__ = _fields

    dimension: _Item
    strong: int
    medium: int
    weak: int
    positive: bool

    def __init__(
        self, dimension: _Item, strong: int, medium: int, weak: int, positive: bool
    ) -> None:
        self.dimension = dimension
        self.strong = strong
        self.medium = medium
        self.weak = weak
        self.positive = positive


if TYPE_CHECKING:
    ObservedIndicator = Observed[Indicator]
    DimensionScore = Counted[Dimension]
else:  # the same classes: what scoring found, in the model's terms
    ObservedIndicator = Observed
    DimensionScore = Counted


class PlanScore(Record):
    """The result of scoring, in a plan's terms: what the referral is built from."""

    _fields = (
        "plan", "answers", "not_applicable", "indicators", "dimensions", "flags", "outcome",
        "child", "gaps", "applicable",
    )  # fmt: skip
    __slots__ = _fields

    plan: Plan
    answers: dict[str, Any]
    """Answers to questions that apply, in questionnaire order."""
    not_applicable: tuple[str, ...]
    """Answered questions whose condition no longer holds; they leave the scoring."""
    indicators: tuple[Observed[PlanIndicator], ...]
    dimensions: tuple[Counted[PlanDimension], ...]
    flags: tuple[str, ...]
    outcome: PlanOutcome
    child: bool
    gaps: tuple[Gap, ...]
    applicable: tuple[str, ...]
    """Ids of the questions that apply, in order (notes included)."""

    @property
    def complete(self) -> bool:
        """Whether every question that applies has a usable answer."""
        return not self.gaps

    @property
    def urgent(self) -> bool:
        """Whether any urgent flag is raised."""
        return bool(self.flags)


class Assessment(Record):
    """The result of scoring, with everything needed to say why, in the model's terms: the
    indicators, dimensions and outcome as the model's objects; the rest as ``scored`` holds
    it (the same result in the plan's terms, what the referral is built from)."""

    _fields = ("questionnaire", "indicators", "dimensions", "outcome", "scored")
    __slots__ = _fields

    questionnaire: Questionnaire
    indicators: tuple[ObservedIndicator, ...]
    dimensions: tuple[DimensionScore, ...]
    outcome: Outcome
    scored: PlanScore

    def __init__(
        self,
        *,
        questionnaire: Questionnaire,
        indicators: tuple[ObservedIndicator, ...],
        dimensions: tuple[DimensionScore, ...],
        outcome: Outcome,
        scored: PlanScore,
    ) -> None:
        self.questionnaire = questionnaire
        self.indicators = indicators
        self.dimensions = dimensions
        self.outcome = outcome
        self.scored = scored

    @property
    def answers(self) -> dict[str, Any]:
        """Answers to questions that apply, in questionnaire order."""
        return self.scored.answers

    @property
    def not_applicable(self) -> tuple[str, ...]:
        """Answered questions whose condition no longer holds; they leave the scoring."""
        return self.scored.not_applicable

    @property
    def flags(self) -> tuple[str, ...]:
        """The raised flags' ids, in questionnaire order."""
        return self.scored.flags

    @property
    def child(self) -> bool:
        """Whether the person is treated as a child."""
        return self.scored.child

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """The questions that apply without a usable answer."""
        return self.scored.gaps

    @property
    def applicable(self) -> tuple[str, ...]:
        """Ids of the questions that apply, in order (notes included)."""
        return self.scored.applicable

    @property
    def complete(self) -> bool:
        """Whether every question that applies has a usable answer."""
        return self.scored.complete

    @property
    def urgent(self) -> bool:
        """Whether any urgent flag is raised."""
        return self.scored.urgent

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


def _fns(cond: Any) -> tuple[TruthFn, Any]:
    # The evidence of a condition is compiled when it first turns out true (few of them do).
    return compiled(cond), cond


class _Step(Record):
    """A question in the walk: its condition compiled, what its answer can be."""

    _fields = ("question", "when", "answerable", "required")
    __slots__ = _fields

    question: PlanQuestion
    when: TruthFn | None
    answerable: bool
    required: bool


class _Plan(Record):
    """A questionnaire's conditions compiled once, laid out in the order scoring uses them."""

    _fields = (
        "sections", "indicators", "flags", "flag_fns", "dimensions", "rules", "outcomes", "child",
    )  # fmt: skip
    __slots__ = _fields

    sections: tuple[tuple[TruthFn | None, tuple[_Step, ...]], ...]
    indicators: dict[str, tuple[TruthFn, Any]]
    flags: tuple[tuple[str, TruthFn, Any], ...]
    flag_fns: dict[str, tuple[TruthFn, Any]]
    dimensions: tuple[tuple[PlanDimension, tuple[tuple[int, int, int], ...]], ...]
    rules: dict[str, tuple[tuple[int, int, int], ...]]
    outcomes: tuple[tuple[PlanOutcome, TruthFn | None], ...]
    child: TruthFn | None


def _plan(q: Plan) -> _Plan:
    return q.derived("scoring.plan", _make_plan)


def _make_plan(q: Plan) -> _Plan:
    sections = tuple(
        (
            compiled(section.when) if section.when is not None else None,
            tuple(
                _Step(
                    question,
                    compiled(question.when) if question.when is not None else None,
                    question.type != "note",
                    question.required,
                )
                for question in section.questions
            ),
        )
        for section in q.sections
    )
    flags = tuple((f.id, *_fns(f.when)) for f in q.flags)
    return _Plan(
        sections=sections,
        indicators={ident: _fns(when) for ident, when in q.indicator_conditions().items()},
        flags=flags,
        flag_fns={ident: (holds, why) for ident, holds, why in reversed(flags)},
        dimensions=tuple((dim, q.rule_tuples(dim.id)) for dim in q.dimensions),
        rules={dim.id: q.rule_tuples(dim.id) for dim in reversed(q.dimensions)},
        outcomes=tuple((o, compiled(o.when) if o.when is not None else None) for o in q.outcomes),
        child=compiled(q.child_when) if q.child_when is not None else None,
    )


class _Facts(Facts):
    """Indicators, dimensions and flags computed on demand over a fixed set of answers."""

    def __init__(self, q: Plan, answers: Mapping[str, Any], checklist: Iterable[str]) -> None:
        self.q = q
        self.answers = answers
        self.checklist = set(checklist)
        self._plan = _plan(q)
        self._indicators: dict[str, Result] = {}
        self._flags: dict[str, Result] = {}
        self._dimensions: dict[str, Result] = {}
        self._counts_cache: dict[tuple[str | None, str | None], tuple[int, int, int]] = {}
        self._evidence_cache: dict[tuple[str | None, str | None], frozenset[str]] = {}

    def adopt(self, other: _Facts) -> None:
        """Take the indicators another set of facts derived from the same answers.

        With a checklist nothing is taken: a ticked indicator changes every indicator, count
        and dimension that refers to it.
        """
        if not self.checklist:
            self._indicators.update(other._indicators)

    def indicator(self, indicator_id: str) -> Result:
        cached = self._indicators.get(indicator_id)
        if cached is not None:
            return cached
        self._indicators[indicator_id] = FALSE  # guards against cycles (refused at load)
        result = FALSE
        fns = self._plan.indicators.get(indicator_id)
        if fns is not None and fns[0](self.answers, self):
            result = Result(True, compiled_evidence(fns[1])(self.answers, self))
        if indicator_id in self.checklist:
            result = Result(True, result.evidence | {CHECKLIST})
        self._indicators[indicator_id] = result
        return result

    def dimension(self, dimension_id: str) -> Result:
        cached = self._dimensions.get(dimension_id)
        if cached is None:
            cached = FALSE
            if self.positive(dimension_id):
                cached = Result(True, self._evidence(dimension_id, None))
            self._dimensions[dimension_id] = cached
        return cached

    def positive(self, dimension_id: str) -> bool:
        rule = self._plan.rules.get(dimension_id)
        return rule is not None and meets(rule, *self.counts(dimension_id))

    def counts(self, dimension_id: str | None, strength: str | None = None) -> tuple[int, int, int]:
        """Weighted counts of observed indicators by strength (of one strength, if given)."""
        key = (dimension_id, strength)
        cached = self._counts_cache.get(key)
        if cached is None:
            counts = [0, 0, 0]
            for ind in self.q.indicators_in(dimension_id):
                if (strength is None or ind.strength == strength) and self.indicator(ind.id).truth:
                    counts[_SLOT[ind.strength]] += ind.weight
            cached = self._counts_cache[key] = (counts[0], counts[1], counts[2])
        return cached

    def _evidence(self, dimension_id: str | None, strength: str | None) -> frozenset[str]:
        """The evidence of the observed indicators counted by ``counts``."""
        key = (dimension_id, strength)
        cached = self._evidence_cache.get(key)
        if cached is None:
            cached = self._evidence_cache[key] = frozenset().union(
                *(
                    result.evidence
                    for ind in self.q.indicators_in(dimension_id)
                    if strength is None or ind.strength == strength
                    for result in (self.indicator(ind.id),)
                    if result.truth
                )
            )
        return cached

    def fill_counts(self, observed: Iterable[Observed[PlanIndicator]]) -> None:
        """Count every dimension (and all of them together) in one pass, once every indicator
        is known."""
        rows: dict[str | None, list[int]] = {dim.id: [0, 0, 0] for dim, _ in self._plan.dimensions}
        every = rows[None] = [0, 0, 0]
        for item in observed:
            ind = item.indicator
            slot = _SLOT[ind.strength]
            every[slot] += ind.weight
            row = rows.get(ind.dimension)
            if row is None:
                row = rows[ind.dimension] = [0, 0, 0]
            row[slot] += ind.weight
        for key, (strong, medium, weak) in rows.items():
            self._counts_cache[(key, None)] = (strong, medium, weak)

    def counted(self, dimension: str | None, strength: str | None) -> int:
        return sum(self.counts(dimension, strength))

    def count(self, dimension: str | None, strength: str | None) -> tuple[int, frozenset[str]]:
        return self.counted(dimension, strength), self._evidence(dimension, strength)

    def flag(self, flag_id: str) -> Result:
        cached = self._flags.get(flag_id)
        if cached is not None:
            return cached
        self._flags[flag_id] = FALSE
        result = FALSE
        fns = self._plan.flag_fns.get(flag_id)
        if fns is not None and fns[0](self.answers, self):
            result = Result(True, compiled_evidence(fns[1])(self.answers, self))
        self._flags[flag_id] = result
        return result


@overload
def applicable_questions(
    q: Questionnaire, answers: Mapping[str, Any]
) -> tuple[list[Question], dict[str, Any]]: ...


@overload
def applicable_questions(
    q: Plan, answers: Mapping[str, Any]
) -> tuple[list[PlanQuestion], dict[str, Any]]: ...


def applicable_questions(q: Any, answers: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The questions that apply given the answers, and the answers to them, in order.

    A question applies when its section's and its own ``when`` hold over the answers to the
    questions that apply before it. Conditions only look back (checked at load), so one pass in
    questionnaire order decides every question. The questions are the model's for a
    questionnaire, the plan's for a plan.
    """
    applicable, kept, _, _ = _walk(plan_of(q), answers)
    if isinstance(q, Plan):
        return applicable, kept
    return [q.question(question.id) for question in applicable], kept


def _walk(
    q: Plan, answers: Mapping[str, Any]
) -> tuple[list[PlanQuestion], dict[str, Any], _Facts, list[Gap]]:
    """The questions that apply, the answers to them, the facts derived on the way, the gaps."""
    kept: dict[str, Any] = {}
    # One set of facts for the whole walk, never forgotten: a condition at a question may only
    # use indicators, dimensions and flags whose answers all come before that question (checked
    # at load), so whatever it derives is already final when it is derived.
    facts = _Facts(q, kept, ())
    applicable: list[PlanQuestion] = []
    gaps: list[Gap] = []
    for section_when, steps in facts._plan.sections:
        if section_when is not None and section_when(kept, facts) is not True:
            continue
        for step in steps:
            if step.when is not None and step.when(kept, facts) is not True:
                continue
            question = step.question
            applicable.append(question)
            if not step.answerable:
                continue  # a note takes no answer
            value = answers.get(question.id, _UNANSWERED)
            if value is _UNANSWERED:
                if step.required:  # an optional question left empty is no gap
                    gaps.append(Gap(question.id, "unanswered"))
                continue
            kept[question.id] = value
            if is_special(value):
                gaps.append(Gap(question.id, value))
    return applicable, kept, facts, gaps


def score(q: Plan, answers: Mapping[str, Any], checklist: Iterable[str] = ()) -> PlanScore:
    """Score answers (and indicators ticked in checklist mode) against a questionnaire's plan.

    Args:
        q: The plan (:func:`screening.plan.plan_of`).
        answers: Question id to answer value; "dont_know" and "declined" are special answers.
            Answers to questions that do not apply are left out of the scoring.
        checklist: Ids of indicators observed directly by the officer.

    Returns:
        Observed indicators with evidence, dimensions, flags, outcome, gaps.
    """
    applicable, kept, walked, gaps = _walk(q, answers)
    facts = _Facts(q, kept, checklist)
    facts.adopt(walked)
    plan = facts._plan
    observed: list[Observed[PlanIndicator]] = []
    orders = q.evidence_orders()
    for ind in q.indicators:
        result = facts.indicator(ind.id)
        if result.truth:
            evidence = result.evidence
            ordered = orders.get(evidence)
            if ordered is None:
                ordered = _ordered(q, evidence)
            observed.append(Observed(ind, ordered))
    facts.fill_counts(observed)
    dimensions = [
        Counted(dim, strong, medium, weak, meets(rule, strong, medium, weak))
        for dim, rule in plan.dimensions
        for strong, medium, weak in (facts.counts(dim.id),)
    ]
    flags = tuple(ident for ident, _, _ in plan.flags if facts.flag(ident).truth)
    outcome = next(o for o, when in plan.outcomes if when is None or when(kept, facts) is True)
    child = plan.child is not None and plan.child(kept, facts) is True
    not_applicable: tuple[str, ...] = ()
    if len(kept) != len(answers):
        order = q.question_order()
        not_applicable = tuple(
            sorted(
                (qid for qid in answers if qid not in kept and qid in order), key=order.__getitem__
            )
        )
    return PlanScore(
        plan=q,
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
        The assessment: observed indicators with evidence, dimensions, flags, outcome, gaps,
        in the model's terms (and in the plan's, ``scored``).
    """
    return assessment_of(q, score(plan_of(q), answers, checklist))


def assessment_of(q: Questionnaire, scored: PlanScore) -> Assessment:
    """A scoring result against a questionnaire's plan, in the questionnaire's own terms."""
    models = q.derived("scoring.models", _models)
    return Assessment(
        questionnaire=q,
        indicators=tuple(
            ObservedIndicator(models.indicators[o.indicator.id], o.evidence)
            for o in scored.indicators
        ),
        dimensions=tuple(
            DimensionScore(
                models.dimensions[d.dimension.id], d.strong, d.medium, d.weak, d.positive
            )
            for d in scored.dimensions
        ),
        outcome=models.outcomes[id(scored.outcome)],
        scored=scored,
    )


class _Models(Record):
    """The model's indicators and dimensions by id, and its outcomes by their plan entry."""

    _fields = ("indicators", "dimensions", "outcomes")
    __slots__ = _fields

    indicators: dict[str, Indicator]
    dimensions: dict[str, Dimension]
    outcomes: dict[int, Outcome]


def _models(q: Questionnaire) -> _Models:
    plan = plan_of(q)
    return _Models(
        indicators={i.id: i for i in reversed(q.indicators)},
        dimensions={d.id: d for d in reversed(q.dimensions)},
        # the plan is kept with the questionnaire, so its outcomes' ids stay theirs
        outcomes={id(p): o for p, o in zip(plan.outcomes, q.outcomes, strict=True)},
    )


def _ordered(q: Plan, evidence: frozenset[str]) -> tuple[str, ...]:
    """Evidence in questionnaire order (other entries, such as "checklist", last); memoised."""
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
    "Counted",
    "DimensionScore",
    "Gap",
    "Observed",
    "ObservedIndicator",
    "PlanScore",
    "applicable_questions",
    "assess",
    "assessment_of",
    "meets",
    "score",
]
