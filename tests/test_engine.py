"""The interview engine with scripted answers: skip logic, back, review edits, flags, progress."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.engine import InterviewEngine, InvalidAnswer, Progress
from screening.loader import parse_document
from screening.model import NoteQuestion, Questionnaire
from screening.questionnaires import check_document
from screening.scoring import assess

INTERVIEW_YAML = """\
id: interview_test
version: "1"
title: {en: Interview test, ar: اختبار المقابلة}
languages:
  - {code: en, name: English}
  - {code: ar, name: العربية, direction: rtl}
sections:
  - id: safety
    title: {en: Safety first, ar: السلامة أولاً}
    intro: {en: "Ask these first.", ar: "اطرح هذه الأسئلة أولاً."}
    questions:
      - id: welcome
        type: note
        text: {en: "I will ask you a few questions about your work.", ar: "سأطرح عليك بعض الأسئلة عن عملك."}
      - id: age
        type: number
        text: {en: "How old are you?", ar: "كم عمرك؟"}
        validation: {min: 0, max: 120, integer: true}
      - id: in_danger
        type: yes_no
        text: {en: "Are you in danger right now?", ar: "هل أنت في خطر الآن؟"}
        guidance: {en: "Someone waiting outside counts.", ar: "وجود شخص ينتظر في الخارج يُحتسب."}
  - id: documents
    title: {en: Documents, ar: الوثائق}
    questions:
      - id: passport
        type: yes_no
        text: {en: "Do you keep your passport?", ar: "هل تحتفظ بجواز سفرك؟"}
      - id: passport_taken
        type: single_choice
        when: {answer: passport, equals: "no"}
        text: {en: "When was it taken?", ar: "متى أُخذ؟"}
        choices:
          - {value: before_travel, label: {en: Before travel, ar: قبل السفر}}
          - {value: here, label: {en: Here, ar: هنا}}
      - id: arrived
        type: date
        text: {en: "When did you arrive?", ar: "متى وصلت؟"}
        validation: {not_future: true}
  - id: work
    title: {en: Work, ar: العمل}
    questions:
      - id: has_employer
        type: yes_no
        text: {en: "Do you have an employer here?", ar: "هل لديك صاحب عمل هنا؟"}
  - id: employer
    title: {en: Employer, ar: صاحب العمل}
    when: {answer: has_employer, equals: "yes"}
    questions:
      - id: hours
        type: number
        text: {en: "How many hours a day do you work?", ar: "كم ساعة تعمل يوميًا؟"}
      - id: problems
        type: multiple_choice
        text: {en: "Which of these happened?", ar: "أيّ من هذه حدث؟"}
        choices:
          - {value: unpaid, label: {en: Not paid, ar: لم يُدفع الأجر}}
          - {value: locked, label: {en: Locked in, ar: محتجز}}
      - id: name
        type: text
        pii: true
        required: false
        text: {en: "Your employer's name", ar: "اسم صاحب العمل"}
dimensions:
  - {id: coercion, title: {en: Coercion, ar: إكراه}, phase: destination}
  - {id: conditions, title: {en: Conditions, ar: ظروف}, phase: destination}
indicators:
  - {id: documents_taken, title: {en: Documents confiscated, ar: مصادرة الوثائق}, dimension: coercion,
     strength: strong, source: ILO 2009, when: {answer: passport_taken, equals: here}}
  - {id: locked_in, title: {en: Confinement, ar: الاحتجاز}, dimension: coercion, strength: strong,
     source: ILO 2009, when: {answer: problems, contains: locked}}
  - {id: long_hours, title: {en: Excessive hours, ar: ساعات مفرطة}, dimension: conditions,
     strength: strong, source: ILO 2009, when: {answer: hours, gt: 12}}
  - {id: unpaid, title: {en: No salary, ar: بلا أجر}, dimension: conditions, strength: medium,
     source: ILO 2009, when: {answer: problems, contains: unpaid}}
flags:
  - {id: minor, title: {en: Possible minor, ar: قاصر محتمل}, when: {answer: age, lt: 18},
     action: {en: "Call child protection (998) before going on.", ar: "اتصل بحماية الطفل (998) قبل المتابعة."}}
  - {id: danger, title: {en: Immediate danger, ar: خطر فوري}, when: {answer: in_danger, equals: "yes"},
     action: {en: "Call the police hotline 999.", ar: "اتصل بالشرطة على 999."}}
outcomes:
  - {code: refer, title: {en: Refer, ar: إحالة}, when: {all: [{dimension: coercion}, {dimension: conditions}]},
     action: {en: Refer to the NRM., ar: أحل إلى آلية الإحالة الوطنية.}, category: trafficking_in_persons,
     refer: true}
  - {code: labour, title: {en: Labour case, ar: قضية عمالية}, when: {indicators: {at_least: 1}},
     action: {en: Labour services., ar: خدمات العمل.}, category: labour_case}
  - {code: none, title: {en: No indicators, ar: لا مؤشرات}, action: {en: No referral., ar: لا إحالة.},
     category: none}
"""
"""A questionnaire with a note, skip logic on a question and on a section, every answer type,
an optional question, two urgent flags and three outcomes. Shared by the interview tests."""


def load(text: str = INTERVIEW_YAML) -> Questionnaire:
    """Check a questionnaire written inline, the way files are checked."""
    return check_document(parse_document(textwrap.dedent(text).encode(), "<inline>"))


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load()


def walk(engine: InterviewEngine, *script: Any) -> list[str]:
    """Answer the questions in turn (``None`` passes a note or an optional question);
    return the ids of the questions asked."""
    asked: list[str] = []
    for value in script:
        assert engine.position is not None, f"the interview ended before {value!r}"
        asked.append(engine.position)
        if value is None:
            engine.skip()
        else:
            engine.answer(value)
    return asked


def test_a_fresh_interview_starts_at_the_first_question_and_notes_are_positions(
    q: Questionnaire,
) -> None:
    engine = InterviewEngine(q)
    assert engine.position == "welcome"
    assert isinstance(engine.current, NoteQuestion)
    engine.skip()
    assert engine.position == "age"
    section = engine.section()
    assert section is not None
    assert section.id == "safety"


def test_skip_logic_on_a_question(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    assert walk(engine, None, 30, "no", "yes") == ["welcome", "age", "in_danger", "passport"]
    assert engine.position == "arrived"  # passport_taken only applies when the passport is not kept

    other = InterviewEngine(q)
    walk(other, None, 30, "no", "no")
    assert other.position == "passport_taken"


def test_skip_logic_on_a_section(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "yes", "2024-01-31", "no")
    assert engine.at_review  # the employer section does not apply
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "yes", "2024-01-31", "yes")
    assert engine.position == "hours"


def test_clear_withdraws_an_optional_answer_and_moves_on(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "yes", "2024-01-31", "yes", 10, ["unpaid"], "ACME")
    assert engine.at_review
    assert engine.value("name") == "ACME"
    engine.jump("name")
    step = engine.clear()
    assert (step.question_id, step.changed) == ("name", True)
    assert not engine.is_answered("name")
    assert engine.at_review
    engine.jump("name")
    assert engine.clear().changed is False  # nothing left to clear
    engine.jump("hours")
    with pytest.raises(InvalidAnswer, match="required"):
        engine.clear()
    assert engine.value("hours") == 10
    fresh = InterviewEngine(q)
    assert fresh.position == "welcome"
    with pytest.raises(InvalidAnswer, match="is a note"):
        fresh.clear()


def test_back_passes_over_a_question_that_does_not_apply(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "yes")
    assert engine.position == "arrived"
    assert engine.back()
    assert engine.position == "passport"  # not passport_taken, which was skipped
    assert engine.back()
    assert engine.position == "in_danger"
    # back then forward: the answer is kept and offered again
    assert engine.value("in_danger") == "no"
    engine.answer("no")
    assert engine.position == "passport"


def test_back_at_the_first_question_stays(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    assert not engine.back()
    assert engine.position == "welcome"


def test_changing_an_answer_reevaluates_every_condition(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "no", "here")
    assert engine.assessment().observed_ids() == {"documents_taken"}

    engine.jump("passport", edit=False)
    step = engine.answer("yes")
    assert step.changed
    assert step.set_aside == ("passport_taken",)
    assert engine.position == "arrived"
    # the answer left the scoring, but it is still held (the store keeps its history)
    assert engine.assessment().observed_ids() == set()
    assert engine.set_aside() == ("passport_taken",)
    assert engine.answers["passport_taken"] == "here"
    assert not engine.applies("passport_taken")

    engine.jump("passport", edit=False)
    step = engine.answer("no")
    assert step.restored == ("passport_taken",)
    assert engine.assessment().observed_ids() == {"documents_taken"}


def test_the_same_answer_again_changes_nothing(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30)
    engine.back()
    assert not engine.answer(30).changed


def test_edits_in_review_ask_the_questions_the_change_made_apply_then_return(
    q: Questionnaire,
) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "yes", "2024-01-31", "no")
    assert engine.at_review

    engine.jump("has_employer")
    assert engine.editing
    engine.answer("yes")
    assert engine.position == "hours"  # the employer section applies now
    engine.answer(10)
    engine.answer(["unpaid"])
    assert engine.position == "name"  # optional, not answered yet: asked once
    engine.skip()
    assert engine.at_review
    assert not engine.editing

    # an edit that makes nothing new apply goes straight back to the review
    engine.jump("age")
    engine.answer(31)
    assert engine.at_review
    # back from an edit cancels it
    engine.jump("hours")
    assert engine.back()
    assert engine.at_review
    assert engine.value("hours") == 10


def test_an_edit_that_closes_a_section_sets_its_answers_aside(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "yes", "2024-01-31", "yes", 14, ["locked", "unpaid"], "ACME")
    assert engine.at_review
    assert engine.assessment().outcome.code == "labour"
    engine.jump("has_employer")
    step = engine.answer("no")
    assert step.set_aside == ("hours", "problems", "name")
    assert engine.at_review
    assessment = engine.assessment()
    assert assessment.outcome.code == "none"
    assert "hours" not in assessment.answers
    review_ids = [item.question.id for _, items in engine.review() for item in items]
    assert review_ids == ["age", "in_danger", "passport", "arrived", "has_employer"]


def test_from_the_review_back_goes_to_the_last_question(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "yes", "2024-01-31", "no")
    assert engine.back()
    assert engine.position == "has_employer"


def test_flags_are_raised_by_the_answer_that_makes_them_hold(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    engine.skip()
    assert engine.pending_flags() == ()
    step = engine.answer(16)
    assert step.raised == ("minor",)
    assert engine.pending_flags() == ("minor",)
    assert engine.position == "in_danger"  # the caller shows the flag before this question
    engine.acknowledge("minor")
    assert engine.pending_flags() == ()
    assert engine.raised_flags() == ("minor",)  # still raised, stays in view

    step = engine.answer("yes")
    assert step.raised == ("danger",)
    assert engine.pending_flags() == ("danger",)

    # already raised: a new answer that keeps it raised does not raise it again
    engine.jump("age", edit=False)
    assert engine.answer(17).raised == ()
    # no longer holds, then holds again: it is not asked for twice once acknowledged
    engine.jump("age", edit=False)
    engine.answer(30)
    assert "minor" not in engine.raised_flags()
    engine.jump("age", edit=False)
    assert engine.answer(15).raised == ()


def test_special_answers_never_raise_a_flag(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    engine.skip()
    assert engine.answer("dont_know").raised == ()
    assert engine.answer("declined").raised == ()


def test_progress_counts_answers_and_estimates_what_remains(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    # age, in_danger, passport, arrived, has_employer apply; passport_taken and the three
    # employer questions may
    assert engine.progress() == Progress(answered=0, remaining=5, undecided=4)
    walk(engine, None, 30, "no", "yes")
    assert engine.progress() == Progress(answered=3, remaining=2, undecided=3)
    walk(engine, "2024-01-31", "yes")
    assert engine.progress() == Progress(answered=5, remaining=3, undecided=0)
    assert engine.progress().at_most == 3


def test_a_dont_know_settles_what_depends_on_it(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30, "no", "dont_know")
    assert engine.position == "arrived"
    assert engine.progress().undecided == 3  # only the employer section is still open


def test_invalid_answers_are_refused_and_none_is_never_an_answer(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    engine.skip()
    for bad in (None, "thirty", 200, 30.5, True):
        with pytest.raises(InvalidAnswer) as caught:
            engine.answer(bad)
        assert caught.value.question_id == "age"
        assert "thirty" not in str(caught.value)  # never the answer's content
    assert not engine.is_answered("age")
    with pytest.raises(InvalidAnswer):
        engine.skip()  # required
    engine.answer(30)
    engine.back()
    engine.back()
    with pytest.raises(InvalidAnswer):
        engine.answer("yes")  # a note takes no answer


def test_nothing_is_asked_at_the_review(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    engine.to_review()
    with pytest.raises(InvalidAnswer):
        engine.answer("yes")
    with pytest.raises(InvalidAnswer):
        engine.skip()
    with pytest.raises(InvalidAnswer):
        engine.jump("passport_taken")  # does not apply


def test_values_are_normalised(q: Questionnaire) -> None:
    engine = InterviewEngine(q)
    walk(engine, None, 30.0, True, "yes", "2024-01-31", "yes", 9)
    assert engine.value("age") == 30
    assert isinstance(engine.value("age"), int)
    assert engine.value("in_danger") == "yes"
    engine.answer(["locked", "unpaid"])
    assert engine.value("problems") == ["unpaid", "locked"]  # choice order


@pytest.mark.parametrize(
    ("answers", "position"),
    [
        ({}, "welcome"),
        ({"age": 30}, "in_danger"),
        ({"age": 30, "in_danger": "no"}, "passport"),
        # the first unanswered question comes after the note that leads into it
        (
            {"age": 30, "in_danger": "no", "passport": "yes", "arrived": "2024-01-31"},
            "has_employer",
        ),
        (
            {
                "age": 30,
                "in_danger": "no",
                "passport": "yes",
                "arrived": "2024-01-31",
                "has_employer": "no",
            },
            None,
        ),
        # an optional question passed over before the last answer is not asked again
        (
            {
                "age": 30,
                "in_danger": "no",
                "passport": "yes",
                "arrived": "2024-01-31",
                "has_employer": "yes",
                "hours": 8,
                "problems": [],
            },
            "name",
        ),
    ],
)
def test_resume_continues_at_the_first_unanswered_question(
    q: Questionnaire, answers: dict[str, Any], position: str | None
) -> None:
    engine = InterviewEngine(q, answers)
    assert engine.position == position
    assert engine.answers == answers


def test_resume_goes_back_over_the_notes_that_lead_into_the_question(q: Questionnaire) -> None:
    lead = load(
        INTERVIEW_YAML.replace(
            "      - id: passport\n",
            "      - id: documents_intro\n        type: note\n"
            "        text: {en: Now documents., ar: الآن الوثائق.}\n      - id: passport\n",
        )
    )
    engine = InterviewEngine(lead, {"age": 30, "in_danger": "no"})
    assert engine.position == "documents_intro"


def test_resume_sets_aside_answers_that_do_not_fit(q: Questionnaire) -> None:
    engine = InterviewEngine(
        q, {"age": "old", "gone": "x", "passport": "yes"}, acknowledged=["minor"]
    )
    assert engine.answers == {"passport": "yes"}
    assert sorted(engine.rejected) == ["age", "gone"]
    assert "old" not in " ".join(engine.rejected.values())
    assert engine.acknowledged == frozenset({"minor"})


def test_resume_shows_flags_raised_but_not_acknowledged(q: Questionnaire) -> None:
    engine = InterviewEngine(q, {"age": 15}, acknowledged=[])
    assert engine.pending_flags() == ("minor",)
    assert InterviewEngine(q, {"age": 15}, acknowledged=["minor"]).pending_flags() == ()


_VALUES: dict[str, list[Any]] = {
    "age": [15, 30, "dont_know"],
    "in_danger": ["yes", "no", "declined"],
    "passport": ["yes", "no", "dont_know"],
    "passport_taken": ["here", "before_travel"],
    "arrived": ["2024-01-31", "dont_know"],
    "has_employer": ["yes", "no"],
    "hours": [8, 14],
    "problems": [[], ["locked"], ["unpaid", "locked"]],
    "name": ["ACME", "declined"],
}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["answer", "back", "skip"]), st.integers(0, 2)), max_size=40)
)
def test_any_walk_keeps_the_engine_consistent(moves: list[tuple[str, int]]) -> None:
    q = load()
    engine = InterviewEngine(q)
    for move, pick in moves:
        current = engine.current
        if current is None or move == "back":
            engine.back()
        elif move == "skip" or isinstance(current, NoteQuestion):
            if (
                isinstance(current, NoteQuestion)
                or not current.required
                or engine.is_answered(current.id)
            ):
                engine.skip()
        else:
            values = _VALUES[current.id]
            engine.answer(values[pick % len(values)])
        # the position always applies; the live assessment is the one of the answers
        assert engine.position is None or engine.applies(engine.position)
        assert engine.assessment() == assess(q, engine.answers)
        progress = engine.progress()
        assert progress.answered + progress.remaining == sum(
            1 for x in engine.applicable() if not isinstance(x, NoteQuestion)
        )
        assert None not in engine.answers.values()


def test_record_takes_the_normalised_value_as_it_is(q: Questionnaire) -> None:
    """The interview normalises an answer once, saves it, then records that same value."""
    engine = InterviewEngine(q)
    engine.skip()
    value = engine.normalize(30.0)
    assert value == 30
    assert isinstance(value, int)
    step = engine.record(value)
    assert (step.question_id, step.changed) == ("age", True)
    assert engine.value("age") == 30
    assert engine.position == "in_danger"
    walk(engine, "no", "yes", "2024-01-31", "no")
    assert engine.at_review
    with pytest.raises(InvalidAnswer, match="review"):
        engine.record("no")
