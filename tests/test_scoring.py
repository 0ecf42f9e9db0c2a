"""The scoring engine: the ILO dimension rule, three-valued conditions, evidence, gaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.evaluate import NoFacts, evaluate
from screening.model import ILO_RULE, Questionnaire
from screening.questionnaires import load_path, resolve
from screening.scoring import assess, meets


@pytest.fixture
def q(small: Path) -> Questionnaire:
    return load_path(small).questionnaire


def ilo_predicate(s: int, m: int, w: int) -> bool:
    """The rule as the reference states it, written independently of the data."""
    return s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)


ILO = tuple((c.strong, c.medium, c.weak) for c in ILO_RULE)


@pytest.fixture(scope="module")
def default_rules() -> list[tuple[tuple[int, int, int], ...]]:
    """The rule of each dimension of the default questionnaire, read from its data (loaded
    once, outside the examples: compiling it is slower than an example's deadline)."""
    default = resolve(None).questionnaire
    return [default.rule_tuples(dimension.id) for dimension in default.dimensions]


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20))
def test_ilo_rule_as_data_matches_the_reference_predicate(
    default_rules: list[tuple[tuple[int, int, int], ...]], s: int, m: int, w: int
) -> None:
    assert meets(ILO, s, m, w) == ilo_predicate(s, m, w)
    # the default questionnaire scores every dimension by this rule, read from its data
    assert len(default_rules) == 6
    for rule in default_rules:
        assert meets(rule, s, m, w) == ilo_predicate(s, m, w)


@pytest.mark.parametrize(
    ("counts", "positive"),
    [
        ((0, 0, 5), False),  # weak indicators alone never make a dimension positive
        ((1, 0, 0), False),  # one strong alone does not
        ((0, 2, 0), False),
        ((0, 3, 0), True),
        ((0, 2, 1), True),
        ((1, 0, 1), True),
        ((1, 1, 0), True),
        ((2, 0, 0), True),
    ],
)
def test_ilo_rule_cases_worth_naming(counts: tuple[int, int, int], positive: bool) -> None:
    assert meets(ILO, *counts) is positive


def test_no_answers_gives_the_catch_all_and_lists_gaps(q: Questionnaire) -> None:
    result = assess(q, {})
    assert result.outcome.code == "none"
    assert not result.indicators
    assert [g.question_id for g in result.gaps] == ["age", "name", "passport", "hours", "problems"]
    assert not result.complete


def test_indicators_with_their_evidence(q: Questionnaire) -> None:
    result = assess(
        q,
        {
            "age": 30,
            "name": "A",
            "passport": "no",
            "passport_when": "destination",
            "hours": 14,
            "problems": ["unpaid"],
        },
    )
    evidence = {o.indicator.id: o.evidence for o in result.indicators}
    assert evidence == {
        "documents_taken": ("passport_when",),
        "long_hours": ("hours",),
        "unpaid": ("problems",),
    }
    dims = {d.dimension.id: (d.strong, d.medium, d.weak, d.positive) for d in result.dimensions}
    assert dims == {"coercion": (1, 0, 0, False), "conditions": (1, 1, 0, True)}
    assert result.outcome.code == "labour"
    assert result.complete


def test_combination_reaches_the_first_outcome(q: Questionnaire) -> None:
    result = assess(
        q,
        {
            "passport": "no",
            "passport_when": "destination",
            "hours": 14,
            "problems": ["locked", "unpaid"],
        },
    )
    assert result.positive_dimensions() == ["coercion", "conditions"]
    assert result.outcome.code == "refer"


@pytest.mark.parametrize("special", ["dont_know", "declined"])
def test_special_answers_never_trigger_and_are_gaps(q: Questionnaire, special: str) -> None:
    result = assess(q, {"age": special, "hours": special, "passport": special, "problems": special})
    assert not result.indicators
    assert not result.flags
    assert {g.reason for g in result.gaps} == {special, "unanswered"}
    assert "passport_when" not in result.applicable  # the follow-up is not asked on "don't know"


def test_not_of_an_unknown_answer_stays_unknown(q: Questionnaire) -> None:
    from screening.model import NotCondition

    cond = NotCondition.model_validate({"not": {"answer": "hours", "gt": 12}})
    assert evaluate(cond, {"hours": "dont_know"}, NoFacts()).truth is None
    assert evaluate(cond, {}, NoFacts()).truth is None
    result = evaluate(cond, {"hours": 8}, NoFacts())
    assert result.truth is True
    assert result.evidence == {"hours"}


def test_answers_to_questions_that_no_longer_apply_leave_the_scoring(q: Questionnaire) -> None:
    result = assess(q, {"passport": "yes", "passport_when": "destination"})
    assert "documents_taken" not in result.observed_ids()
    assert result.not_applicable == ("passport_when",)
    assert "passport_when" not in result.answers


def test_checklist_indicators_merge_with_derived_ones(q: Questionnaire) -> None:
    result = assess(q, {"hours": 14}, checklist=["locked_in", "long_hours"])
    evidence = {o.indicator.id: o.evidence for o in result.indicators}
    assert evidence == {"locked_in": ("checklist",), "long_hours": ("hours", "checklist")}


def test_flag_raised(q: Questionnaire) -> None:
    assert assess(q, {"age": 15}).flags == ("minor",)
    assert assess(q, {"age": 18}).flags == ()


def test_compiled_truth_agrees_with_the_reference_evaluator() -> None:
    """Scoring uses compiled closures for speed; `evaluate` stays the reference."""
    import random

    from screening.evaluate import truth
    from screening.model import iter_conditions
    from screening.plan import iter_tests, plan_of
    from screening.questionnaires import resolve
    from screening.scoring import _Facts

    q = resolve(None).questionnaire
    conditions = [c for i in q.indicators if i.when for c in iter_conditions(i.when)]
    conditions += [c for o in q.outcomes if o.when for c in iter_conditions(o.when)]
    conditions += [c for f in q.flags for c in iter_conditions(f.when)]
    plan = plan_of(q)
    whens = q.indicator_conditions()
    pairs = [
        pair
        for ident, when in whens.items()
        for pair in zip(
            iter_conditions(when), iter_tests(plan.indicator_conditions()[ident]), strict=True
        )
    ]
    pairs += [
        pair
        for model, copy in zip(q.outcomes, plan.outcomes, strict=True)
        if model.when is not None
        for pair in zip(iter_conditions(model.when), iter_tests(copy.when), strict=True)
    ]
    pairs += [
        pair
        for model_flag, plan_flag in zip(q.flags, plan.flags, strict=True)
        for pair in zip(iter_conditions(model_flag.when), iter_tests(plan_flag.when), strict=True)
    ]
    assert len(pairs) > 100
    rng = random.Random(7)  # noqa: S311  # reproducible test data, not secrets
    choices = {
        qid: (
            ["yes", "no"]
            if question.type == "yes_no"
            else [c.value for c in getattr(question, "choices", [])]
            or [0, 8, 12, 15, 17, 40, "text"]
        )
        for qid, question in q.questions().items()
    }
    for _ in range(200):
        answers = {}
        for qid, values in choices.items():
            pick = rng.random()
            if pick < 0.15:
                answers[qid] = rng.choice(["dont_know", "declined"])
            elif pick < 0.85:
                value = rng.choice(values)
                multiple = q.question(qid).type == "multiple_choice"  # type: ignore[union-attr]
                answers[qid] = [value] if multiple else value
        facts = _Facts(plan_of(q), answers, ())
        for cond in conditions:
            assert truth(cond, answers, facts) == evaluate(cond, answers, facts).truth
        # the plan's copy of each condition means the same as the model's
        for model_cond, plan_cond in pairs:
            expected = evaluate(model_cond, answers, facts)
            assert truth(plan_cond, answers, facts) == expected.truth
            assert evaluate(plan_cond, answers, facts) == expected


def test_compiled_evidence_agrees_with_the_reference_evaluator() -> None:
    """For every condition that holds, the compiled evidence is the reference evidence."""
    import random

    from screening.evaluate import evidence_of, truth
    from screening.model import iter_conditions
    from screening.plan import plan_of
    from screening.questionnaires import resolve
    from screening.scoring import _Facts

    q = resolve(None).questionnaire
    conditions = [c for i in q.indicators if i.when for c in iter_conditions(i.when)]
    conditions += [c for o in q.outcomes if o.when for c in iter_conditions(o.when)]
    rng = random.Random(11)  # noqa: S311  # reproducible test data, not secrets
    checked = 0
    for _ in range(200):
        answers: dict[str, object] = {}
        for qid, question in q.questions().items():
            choices = [c.value for c in getattr(question, "choices", [])]
            if rng.random() < 0.7:
                if question.type == "yes_no":
                    answers[qid] = rng.choice(["yes", "no"])
                elif question.type == "multiple_choice":
                    answers[qid] = [c for c in choices if rng.random() < 0.4]
                elif choices:
                    answers[qid] = rng.choice(choices)
                else:
                    answers[qid] = rng.choice([3, 8, 12, 14, 16, 40])
        facts = _Facts(plan_of(q), answers, ())
        for cond in conditions:
            if truth(cond, answers, facts) is True:
                checked += 1
                assert evidence_of(cond, answers, facts) == evaluate(cond, answers, facts).evidence
    assert checked > 500


def test_checklist_reaches_indicators_that_refer_to_it(tmp_path: Path) -> None:
    """An indicator ticked in checklist mode counts for conditions that refer to it."""
    from conftest import SMALL, write

    text = SMALL.replace(
        "    when: {answer: problems, contains: unpaid}\n",
        "    when: {any: [{answer: problems, contains: unpaid}, {indicator: locked_in}]}\n",
    ).replace(
        "dimensions:\n",
        "      - id: gate\n        type: yes_no\n        when: {indicators: {at_least: 1}}\n"
        "        text: {en: Gate?, ar: بوابة؟}\ndimensions:\n",
    )
    q = load_path(write(tmp_path, "q.yaml", text)).questionnaire
    result = assess(q, {"passport": "yes"}, checklist=["locked_in"])
    assert {"locked_in", "unpaid"} <= result.observed_ids()


_ANSWERS: list[object] = [
    None,  # no answer
    "yes",
    "no",
    "dont_know",
    "declined",
    "a",
    "A",
    "ab",
    "",
    "Do not",
    0,
    1,
    -2,
    1.0,
    2.5,
    True,
    False,
    [],
    ["a"],
    ["a", "b"],
    ["yes", "dont_know"],
    ["declined"],
]
_OPERANDS: dict[str, list[object]] = {
    "equals": ["yes", "a", "A", "o", "DE", "dont_know", "declined", 1, 1.0, 2.5, 0],
    "one_of": [["yes", "no"], ["a", "b"], ["dont_know", "a"], ["declined"], [1, "a"], [2.5], ["A"]],
    "contains": ["a", "A", "o", "DE", "yes", "dont_know", "declined", 1],
    "lt": [1, 2.5, -2],
    "le": [1, 2.5, -2],
    "gt": [1, 2.5, -2],
    "ge": [1, 2.5, -2],
}


@pytest.mark.parametrize("test", sorted(_OPERANDS))
def test_compiled_answer_tests_agree_with_the_reference_for_any_answer(test: str) -> None:
    """Every answer test, compiled, gives the reference's truth, for every operand and answer
    of small but awkward sets (special answers inside texts and lists, booleans, case)."""
    from screening.evaluate import truth
    from screening.model import AnswerCondition

    for operand in _OPERANDS[test]:
        cond = AnswerCondition.model_validate({"answer": "q", test: operand})
        for value in _ANSWERS:
            answers = {} if value is None else {"q": value}
            expected = evaluate(cond, answers, NoFacts()).truth
            assert truth(cond, answers, NoFacts()) == expected, (test, operand, value)
