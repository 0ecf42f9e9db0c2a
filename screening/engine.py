"""The interview as a state machine over a questionnaire (core: pure, no I/O).

The engine knows which question is being asked, which questions apply given the answers so
far (each question's and section's ``when``), and where "next", "back" and "jump" lead. It
scores the answers at any moment with the one scoring engine (:func:`screening.scoring.assess`)
and says which urgent flags have just been raised. It never prints, prompts or saves: the
interview (``screening.ui.interview``) asks, saves each answer in the case store, and only then
hands the answer to :meth:`InterviewEngine.answer`.

Answers are kept for every question ever answered. An answer whose question stops applying
(after an earlier answer changed) leaves the scoring but stays here, and comes back if the
question applies again; the case store keeps the history of every change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from screening.answers import normalize_value
from screening.evaluate import EMPTY, FALSE, TRUE, Facts, Result, evaluate, referenced_questions
from screening.model import Condition, NoteQuestion, Question, Questionnaire, Section
from screening.scoring import Assessment, applicable_questions, assess

__all__ = [
    "InterviewEngine",
    "InvalidAnswer",
    "Progress",
    "ReviewItem",
    "Step",
]


class InvalidAnswer(ValueError):
    """An answer that does not fit its question; the message names the question, not the value."""

    def __init__(self, question_id: str, problem: str) -> None:
        super().__init__(problem)
        self.question_id = question_id
        self.problem = problem


@dataclass(frozen=True)
class Progress:
    """How far the interview is.

    Attributes:
        answered: Questions that apply and have an answer (notes do not count).
        remaining: Questions that apply and have no answer yet.
        undecided: Questions that do not apply yet but may, because the answers their
            condition depends on are still missing. The questions left are between
            ``remaining`` and ``remaining + undecided``.
    """

    answered: int
    remaining: int
    undecided: int

    @property
    def at_most(self) -> int:
        """The most questions that may still be asked."""
        return self.remaining + self.undecided


@dataclass(frozen=True)
class Step:
    """What one answer changed.

    Attributes:
        question_id: The question answered (or whose answer was cleared).
        changed: False when the same answer was given again, or an unanswered question cleared.
        raised: Urgent flags raised by this answer that are not acknowledged yet, in
            questionnaire order.
        set_aside: Answered questions that stopped applying because of this answer.
        restored: Answered questions that apply again because of this answer.
    """

    question_id: str
    changed: bool
    raised: tuple[str, ...] = ()
    set_aside: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewItem:
    """One question that applies, with its answer if it has one (``answered`` tells)."""

    question: Question
    answered: bool
    value: Any = None


class InterviewEngine:
    """Where an interview is, and what follows from its answers.

    The position is the id of the question being asked, or ``None`` once every question that
    applies has been passed: then the interview is at its review. Notes (questions of type
    ``note``) are positions too; they take no answer and are passed with :meth:`skip`.

    Args:
        questionnaire: The questionnaire.
        answers: Answers given before (a resumed interview), by question id. Answers that do
            not fit their question or name no question are left out and listed in
            :attr:`rejected`.
        acknowledged: Urgent flags the officer has already acknowledged.
        checklist: Indicators ticked directly by the officer (checklist mode).
    """

    def __init__(
        self,
        questionnaire: Questionnaire,
        answers: Mapping[str, Any] | None = None,
        *,
        acknowledged: Iterable[str] = (),
        checklist: Iterable[str] = (),
    ) -> None:
        self.questionnaire = questionnaire
        self._answers: dict[str, Any] = {}
        self.rejected: dict[str, str] = {}
        """Answers left out when the engine was made: question id to the problem."""
        for qid, value in (answers or {}).items():
            question = questionnaire.question(qid)
            if question is None:
                self.rejected[qid] = f"'{qid}' is not a question of this questionnaire"
                continue
            normalized, problem = normalize_value(question, value)
            if problem:
                self.rejected[qid] = problem
            else:
                self._answers[qid] = normalized
        self._acknowledged: set[str] = set(acknowledged)
        self._checklist = tuple(checklist)
        self._applicable: tuple[Question, ...] | None = None
        self._assessment: Assessment | None = None
        self._editing = False
        self._opened: set[str] = set()
        self._position: str | None = self._resume_position()

    # -- state ---------------------------------------------------------------------------

    @property
    def answers(self) -> dict[str, Any]:
        """Every answer given, including those to questions that no longer apply (a copy)."""
        return dict(self._answers)

    @property
    def position(self) -> str | None:
        """The id of the question being asked, or ``None`` at the review."""
        return self._position

    @property
    def current(self) -> Question | None:
        """The question being asked, or ``None`` at the review."""
        return None if self._position is None else self.questionnaire.question(self._position)

    @property
    def at_review(self) -> bool:
        """Whether every question that applies has been passed."""
        return self._position is None

    @property
    def editing(self) -> bool:
        """Whether the current question was opened from the review to change its answer."""
        return self._editing

    @property
    def acknowledged(self) -> frozenset[str]:
        """The urgent flags the officer has acknowledged."""
        return frozenset(self._acknowledged)

    def applicable(self) -> tuple[Question, ...]:
        """The questions that apply given the answers, notes included, in order."""
        if self._applicable is None:
            questions, _ = applicable_questions(self.questionnaire, self._answers)
            self._applicable = tuple(questions)
        return self._applicable

    def applies(self, question_id: str) -> bool:
        """Whether a question applies given the answers."""
        return any(q.id == question_id for q in self.applicable())

    def is_answered(self, question_id: str) -> bool:
        """Whether the question has an answer (whether or not it still applies)."""
        return question_id in self._answers

    def value(self, question_id: str) -> Any:
        """The answer to a question; ``KeyError`` when it has none."""
        return self._answers[question_id]

    def assessment(self) -> Assessment:
        """The live assessment of the answers that apply."""
        if self._assessment is None:
            self._assessment = assess(self.questionnaire, self._answers, self._checklist)
        return self._assessment

    def raised_flags(self) -> tuple[str, ...]:
        """The urgent flags raised now, in questionnaire order."""
        return self.assessment().flags

    def pending_flags(self) -> tuple[str, ...]:
        """Raised flags the officer has not acknowledged yet; the interview waits on them."""
        return tuple(f for f in self.raised_flags() if f not in self._acknowledged)

    def section(self) -> Section | None:
        """The section of the current question."""
        return None if self._position is None else self.questionnaire.section_of(self._position)

    def progress(self) -> Progress:
        """How many questions are answered, and an estimate of how many remain."""
        applicable = self.applicable()
        answerable = [q for q in applicable if not isinstance(q, NoteQuestion)]
        answered = sum(1 for q in answerable if q.id in self._answers)
        return Progress(
            answered=answered,
            remaining=len(answerable) - answered,
            undecided=self._undecided({q.id for q in applicable}),
        )

    def review(self) -> list[tuple[Section, list[ReviewItem]]]:
        """The questions that apply, by section, each with its answer if it has one."""
        out: list[tuple[Section, list[ReviewItem]]] = []
        for question in self.applicable():
            if isinstance(question, NoteQuestion):
                continue
            section = self.questionnaire.section_of(question.id)
            if not out or out[-1][0].id != section.id:
                out.append((section, []))
            if question.id in self._answers:
                out[-1][1].append(ReviewItem(question, True, self._answers[question.id]))
            else:
                out[-1][1].append(ReviewItem(question, False))
        return out

    def set_aside(self) -> tuple[str, ...]:
        """Answered questions that no longer apply; their answers leave the scoring."""
        return self.assessment().not_applicable

    # -- moves -----------------------------------------------------------------------------

    def normalize(self, value: Any) -> Any:
        """Check an answer to the current question and return the value to record.

        Raises:
            InvalidAnswer: There is no current question, it is a note, the value is ``None``,
                or the value does not fit the question.
        """
        question = self.current
        if question is None:
            raise InvalidAnswer("", "the interview is at its review: no question is being asked")
        if value is None:
            # None is never an answer: a missing answer is an absent key.
            raise InvalidAnswer(question.id, f"'{question.id}': None is not an answer")
        normalized, problem = normalize_value(question, value)
        if problem:
            raise InvalidAnswer(question.id, problem)
        return normalized

    def answer(self, value: Any) -> Step:
        """Record an answer to the current question and move on.

        In the normal course the next position is the next question that applies (answered
        or not). When the question was opened from the review (:meth:`jump` with
        ``edit=True``), it is the next question without an answer that is required or that
        the change made apply, else the review.

        Args:
            value: The answer; "dont_know" and "declined" are answers of their own.

        Returns:
            What the answer changed, with the urgent flags it raised.

        Raises:
            InvalidAnswer: See :meth:`normalize`.
        """
        return self.record(self.normalize(value))

    def record(self, normalized: Any) -> Step:
        """Record an answer that :meth:`normalize` returned for the current question, and move
        on as :meth:`answer` does, without checking it again.

        The interview normalises an answer once, saves that value in the case store, then
        records the same value here.

        Raises:
            InvalidAnswer: The interview is at its review (no question is being asked).
        """
        qid = self._position
        if qid is None:
            raise InvalidAnswer("", "the interview is at its review: no question is being asked")
        return self._settle(qid, normalized)

    def clear(self) -> Step:
        """Withdraw the answer to the current question, which is not required, and move on.

        The question is then unanswered, as if it had been skipped; questions that depended
        on the answer are set aside or restored as by :meth:`answer`.

        Raises:
            InvalidAnswer: At the review, at a note, or the question is required.
        """
        question = self.current
        if question is None:
            raise InvalidAnswer("", "the interview is at its review: no question is being asked")
        if isinstance(question, NoteQuestion):
            raise InvalidAnswer(question.id, f"'{question.id}' is a note: it has no answer")
        if question.required:
            raise InvalidAnswer(question.id, f"'{question.id}' is required: its answer stays")
        return self._settle(question.id, _ABSENT)

    def _settle(self, qid: str, normalized: Any) -> Step:
        """Give ``qid`` its new answer (``_ABSENT``: none), then move on; what changed."""
        before_flags = set(self.raised_flags())
        before_applicable = {q.id for q in self.applicable()}
        changed = self._answers.get(qid, _ABSENT) != normalized
        if normalized is _ABSENT:
            self._answers.pop(qid, None)
        else:
            self._answers[qid] = normalized
        self._invalidate()
        after_applicable = {q.id for q in self.applicable()}
        raised = tuple(
            f for f in self.raised_flags() if f not in before_flags and f not in self._acknowledged
        )
        answered = [q for q in self.questionnaire.questions() if q in self._answers]
        set_aside = tuple(q for q in answered if q in before_applicable - after_applicable)
        restored = tuple(q for q in answered if q in after_applicable - before_applicable)
        if self._editing:
            self._opened |= after_applicable - before_applicable
        self._advance(qid)
        return Step(qid, changed, raised, set_aside, restored)

    def skip(self) -> None:
        """Pass the current question without an answer: a note, or a question not required.

        A question that already has an answer keeps it.

        Raises:
            InvalidAnswer: At the review, or the question is required and has no answer.
        """
        question = self.current
        if question is None:
            raise InvalidAnswer("", "the interview is at its review: no question is being asked")
        if (
            not isinstance(question, NoteQuestion)
            and question.required
            and question.id not in self._answers
        ):
            raise InvalidAnswer(question.id, f"'{question.id}' is required: it needs an answer")
        self._advance(question.id)

    def back(self) -> bool:
        """Go to the question before the current one (questions that do not apply are passed).

        From the review this is the last question that applies; from a question opened from
        the review it is the review again.

        Returns:
            False when there is nothing before (the first question), else True.
        """
        if self._editing:
            self.to_review()
            return True
        applicable = self.applicable()
        if self._position is None:
            if not applicable:
                return False
            self._position = applicable[-1].id
            return True
        here = self.questionnaire.position(self._position)
        before = [q for q in applicable if self.questionnaire.position(q.id) < here]
        if not before:
            return False
        self._position = before[-1].id
        return True

    def jump(self, question_id: str, *, edit: bool = True) -> None:
        """Go to a question that applies, typically from the review to change its answer.

        Args:
            question_id: The question.
            edit: After its answer, go on to questions the change made apply and then back
                to the review (True), or carry on in order from there (False).

        Raises:
            InvalidAnswer: The question does not apply (or does not exist).
        """
        if not self.applies(question_id):
            raise InvalidAnswer(question_id, f"'{question_id}' does not apply: it cannot be asked")
        self._position = question_id
        self._editing = edit
        self._opened = set()

    def to_review(self) -> None:
        """Go to the review."""
        self._position = None
        self._editing = False
        self._opened = set()

    def acknowledge(self, flag_id: str) -> None:
        """Note that the officer acknowledged an urgent flag (after it was saved)."""
        self._acknowledged.add(flag_id)

    # -- internals -------------------------------------------------------------------------

    def _invalidate(self) -> None:
        self._applicable = None
        self._assessment = None

    def _advance(self, from_id: str) -> None:
        here = self.questionnaire.position(from_id)
        for question in self.applicable():
            if self.questionnaire.position(question.id) <= here:
                continue
            if not self._editing:
                self._position = question.id
                return
            if question.id in self._answers or isinstance(question, NoteQuestion):
                continue
            # Optional questions passed over before are not asked again, unless the edit
            # is what made them apply.
            if question.required or question.id in self._opened:
                self._position = question.id
                return
        self.to_review()

    def _resume_position(self) -> str | None:
        # The first question that applies and still needs an answer, with the notes that
        # lead into it: a resumed interview shows again what was read just before.
        applicable = self.applicable()
        unanswered = [
            i
            for i, q in enumerate(applicable)
            if not isinstance(q, NoteQuestion) and q.id not in self._answers
        ]
        last = max((i for i, q in enumerate(applicable) if q.id in self._answers), default=-1)
        # Optional questions passed over before the last answer are not asked again; required
        # ones are (an answer changed in the review can make one apply).
        candidates = [i for i in unanswered if i > last][:1]
        candidates += [i for i in unanswered if _required(applicable[i])][:1]
        if not candidates:
            if not self._answers and applicable:
                return applicable[0].id  # nothing to answer, only notes: show them
            return None
        index = min(candidates)
        while index > 0 and isinstance(applicable[index - 1], NoteQuestion):
            index -= 1
        return applicable[index].id

    def _undecided(self, applicable: set[str]) -> int:
        facts = _AssessmentFacts(self.assessment())
        kept = self.assessment().answers
        count = 0
        for section in self.questionnaire.sections:
            section_state = self._decided(section.when, kept, facts)
            if section_state is False:
                continue
            for question in section.questions:
                if question.id in applicable or isinstance(question, NoteQuestion):
                    continue
                if question.id in self._answers:
                    continue
                state = self._decided(question.when, kept, facts)
                if state is False:
                    continue
                if state is None or section_state is None:
                    count += 1
        return count

    def _decided(
        self, condition: Condition | None, kept: Mapping[str, Any], facts: Facts
    ) -> bool | None:
        """True or False when settled; None while answers it depends on are missing."""
        if condition is None:
            return True
        truth = evaluate(condition, kept, facts).truth
        if truth is not None:
            return truth
        missing = referenced_questions(condition) - set(self._answers)
        # Unknown only because of "don't know" or "declined": that will not change.
        return None if missing else False


_ABSENT = object()


def _required(question: Question) -> bool:
    return not isinstance(question, NoteQuestion) and question.required


class _AssessmentFacts(Facts):
    """Indicators, dimensions and flags as an assessment found them."""

    def __init__(self, assessment: Assessment) -> None:
        self._observed = {o.indicator.id: o for o in assessment.indicators}
        self._positive = set(assessment.positive_dimensions())
        self._flags = set(assessment.flags)

    def indicator(self, indicator_id: str) -> Result:
        observed = self._observed.get(indicator_id)
        return FALSE if observed is None else Result(True, frozenset(observed.evidence))

    def dimension(self, dimension_id: str) -> Result:
        return TRUE if dimension_id in self._positive else FALSE

    def flag(self, flag_id: str) -> Result:
        return TRUE if flag_id in self._flags else FALSE

    def count(self, dimension: str | None, strength: str | None) -> tuple[int, frozenset[str]]:
        total = 0
        for observed in self._observed.values():
            indicator = observed.indicator
            if dimension is not None and indicator.dimension != dimension:
                continue
            if strength is not None and indicator.strength.value != strength:
                continue
            total += indicator.weight
        return total, EMPTY
