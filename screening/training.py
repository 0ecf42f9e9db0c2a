"""Trainer mode: replaying worked scenarios step by step, and scoring a trainee's practice.

The replay (:func:`demo_steps`) and the comparison (:func:`compare`) are pure: they score with
the one scoring engine (:func:`screening.scoring.assess`) and never print or prompt. Finding a
scenario by id (:func:`find_scenario`, :func:`load_library`) reads the scenario files through
:func:`screening.scenarios.load_scenario`. A practice interview runs the real interview
(:func:`screening.ui.training.run_practice`); its answers are compared here.

The practice score, out of 100 (``docs/training.md`` explains it to trainers)::

    score = 60 * F1(indicators) + 25 * (outcome right) + 15 * F1(urgent flags)

where F1 compares the set the scenario's answers produce with the set the trainee's answers
produce, ``F1 = 2 |both| / (|scenario's| + |trainee's|)``, and is 1 when both sets are empty.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.answers import InvalidRecord
from screening.errors import Problem, QuestionnaireError, ScreeningError
from screening.evaluate import is_special
from screening.i18n import t, ui_language
from screening.model import (
    MinimumCounts,
    MultipleChoiceQuestion,
    Questionnaire,
    SingleChoiceQuestion,
    YesNoQuestion,
    text_for,
)
from screening.questionnaires import LoadedQuestionnaire, resolve
from screening.scenarios import Scenario, checked_answers, load_scenario
from screening.scoring import Assessment, DimensionScore, ObservedIndicator, assess

__all__ = [
    "SCORE_WEIGHTS",
    "AnswerDifference",
    "DemoStep",
    "IndicatorReview",
    "LibraryEntry",
    "PracticeResult",
    "ScenarioCase",
    "ScenarioNotFound",
    "answer_text",
    "compare",
    "demo_steps",
    "f1",
    "find_scenario",
    "indicator_scenarios",
    "load_library",
    "prepare",
    "questionnaire_for",
    "scenarios_showing",
    "shortfall",
]

SCORE_WEIGHTS = {"indicators": 60, "outcome": 25, "flags": 15}
"""Points of the practice score: indicator F1, outcome right, urgent-flag F1 (sum 100)."""


# --------------------------------------------------------------------------- scenarios


class ScenarioNotFound(ScreeningError):
    """No scenario has the id asked for (exit 1); the hint lists the nearest ids."""


@dataclass(frozen=True)
class LibraryEntry:
    """A scenario file: the scenario when it loads, else the problems that stop it."""

    path: Path
    scenario: Scenario | None
    problems: tuple[Problem, ...] = ()


def load_library(paths: Iterable[Path]) -> list[LibraryEntry]:
    """Load scenario files; a file that does not load carries its problems instead.

    Args:
        paths: Scenario files.

    Returns:
        One entry per file, in the order given.
    """
    entries: list[LibraryEntry] = []
    for path in paths:
        try:
            entries.append(LibraryEntry(path, load_scenario(path)))
        except QuestionnaireError as error:
            entries.append(LibraryEntry(path, None, tuple(error.problems)))
    return entries


def _stem_id(path: Path) -> str:
    return path.stem.replace("-", "_")


def find_scenario(ref: str, paths: Sequence[Path]) -> tuple[Scenario, Path]:
    """Find a scenario by id (or file name), or load it from a path.

    Args:
        ref: A scenario id such as ``domestic_worker_locked_in``, a file name without
            ``.yaml``, or the path of a scenario file.
        paths: The scenario files to look in.

    Returns:
        The scenario and its file.

    Raises:
        ScenarioNotFound: No file has that id; the hint names the nearest ids.
        QuestionnaireError: The file named by ``ref`` is not a valid scenario.
    """
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise ScenarioNotFound(f"no scenario file '{ref}'", hint="Check the path.")
        return load_scenario(candidate), candidate
    wanted = ref.replace("-", "_")
    for path in paths:
        if _stem_id(path) == wanted:
            return load_scenario(path), path
    ids: list[str] = []
    for entry in load_library(paths):
        if entry.scenario is None:
            continue
        if entry.scenario.id == wanted:
            return entry.scenario, entry.path
        ids.append(entry.scenario.id)
    near = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.4)
    if not near:
        near = [i for i in ids if wanted in i or i in wanted][:3]
    if near:
        hint = f"Nearest: {', '.join(near)}. List them all with `screening train list`."
    elif ids:
        hint = "List the scenarios with `screening train list`."
    else:
        hint = "There are no scenarios in this folder."
    raise ScenarioNotFound(f"no scenario '{ref}'", hint=hint)


def questionnaire_for(
    scenario: Scenario, override: LoadedQuestionnaire | None = None
) -> LoadedQuestionnaire:
    """The questionnaire a scenario is written for.

    Args:
        scenario: The scenario; its ``questionnaire`` names a questionnaire by id.
        override: A questionnaire loaded from a file (``--questionnaire``); used when its id
            is the one the scenario names.

    Returns:
        The override when the ids match, else the bundled questionnaire with that id.

    Raises:
        UsageError: No bundled questionnaire has that id.
        QuestionnaireError: The questionnaire is invalid.
    """
    if override is not None and override.questionnaire.id == scenario.questionnaire:
        return override
    return resolve(scenario.questionnaire)


@dataclass(frozen=True)
class ScenarioCase:
    """A scenario with its questionnaire and its answers checked and scored.

    Attributes:
        scenario: The scenario.
        path: Its file, for messages.
        loaded: Its questionnaire.
        answers: The scenario's answers, normalised, in questionnaire order.
        checklist: Indicators the scenario ticks directly.
        assessment: What the answers score.
    """

    scenario: Scenario
    path: str
    loaded: LoadedQuestionnaire
    answers: dict[str, Any]
    checklist: tuple[str, ...]
    assessment: Assessment

    @property
    def questionnaire(self) -> Questionnaire:
        """The questionnaire."""
        return self.loaded.questionnaire


def prepare(scenario: Scenario, path: str, loaded: LoadedQuestionnaire) -> ScenarioCase:
    """Check a scenario's answers against its questionnaire and score them.

    Raises:
        ScreeningError: The answers do not fit the questionnaire (exit 1); the message names
            the questions, and ``screening train check`` lists every problem.
    """
    q = loaded.questionnaire
    try:
        checked = checked_answers(scenario, q, path)
    except InvalidRecord as bad:
        raise ScreeningError(
            f"{path}: the scenario's answers do not fit {q.id}: {'; '.join(bad.problems)}",
            hint="Run `screening train check` to list every problem of the scenarios.",
        ) from None
    order = q.questions()
    answers = {qid: checked.answers[qid] for qid in order if qid in checked.answers}
    checklist = tuple(checked.indicators)
    return ScenarioCase(scenario, path, loaded, answers, checklist, assess(q, answers, checklist))


# --------------------------------------------------------------------------- the replay


def shortfall(
    rule: Iterable[MinimumCounts], strong: int, medium: int, weak: int
) -> tuple[int, int, int] | None:
    """How many more indicators of each strength a dimension needs to be positive.

    Of the rule's combinations, the one that needs the fewest more indicators is chosen (the
    first on a tie).

    Args:
        rule: The dimension's positivity rule.
        strong: Observed strong indicators (weighted).
        medium: Observed medium ones.
        weak: Observed weak ones.

    Returns:
        ``(strong, medium, weak)`` still needed; ``(0, 0, 0)`` when positive; ``None`` for an
        empty rule.
    """
    best: tuple[int, int, int] | None = None
    for combination in rule:
        need = (
            max(0, combination.strong - strong),
            max(0, combination.medium - medium),
            max(0, combination.weak - weak),
        )
        if best is None or sum(need) < sum(best):
            best = need
    return best


@dataclass(frozen=True)
class DemoStep:
    """One answer of a replay and what it changed.

    Attributes:
        index: 1 for the first answer; the checklist step, if any, comes last.
        question_id: The question answered, or ``None`` for the indicators the scenario ticks
            directly (checklist).
        value: The answer, or the ticked indicator ids on the checklist step.
        assessment: ``assess`` of the answers up to and including this one.
        previous: The assessment before this answer.
        fired: Indicators observed now and not before, in questionnaire order.
        withdrawn: Indicators observed before and not now.
        raised: Urgent flags raised now and not before.
        moved: Dimensions whose counts changed.
        turned_positive: Dimensions positive now and not before.
    """

    index: int
    question_id: str | None
    value: Any
    assessment: Assessment
    previous: Assessment
    fired: tuple[ObservedIndicator, ...]
    withdrawn: tuple[str, ...]
    raised: tuple[str, ...]
    moved: tuple[str, ...]
    turned_positive: tuple[str, ...]

    @property
    def outcome_changed(self) -> bool:
        """Whether the outcome is different after this answer."""
        return self.assessment.outcome.code != self.previous.outcome.code


def _counts(d: DimensionScore) -> tuple[int, int, int]:
    return d.strong, d.medium, d.weak


def _step(
    index: int, question_id: str | None, value: Any, now: Assessment, before: Assessment
) -> DemoStep:
    seen = before.observed_ids()
    observed = now.observed_ids()
    was = {d.dimension.id: d for d in before.dimensions}
    return DemoStep(
        index=index,
        question_id=question_id,
        value=value,
        assessment=now,
        previous=before,
        fired=tuple(o for o in now.indicators if o.indicator.id not in seen),
        withdrawn=tuple(
            o.indicator.id for o in before.indicators if o.indicator.id not in observed
        ),
        raised=tuple(f for f in now.flags if f not in before.flags),
        moved=tuple(
            d.dimension.id for d in now.dimensions if _counts(d) != _counts(was[d.dimension.id])
        ),
        turned_positive=tuple(
            d.dimension.id
            for d in now.dimensions
            if d.positive and not was[d.dimension.id].positive
        ),
    )


def demo_steps(
    q: Questionnaire, answers: Mapping[str, Any], checklist: Sequence[str] = ()
) -> list[DemoStep]:
    """Replay answers one at a time, in questionnaire order.

    Step k is ``assess(q, first k answers)`` compared with step k-1 (step 0 is no answer at
    all). Answers to questions that do not apply are not replayed. When indicators are ticked
    directly (checklist), one last step adds them.

    Args:
        q: The questionnaire.
        answers: Normalised answers by question id (as :func:`prepare` gives them).
        checklist: Indicators ticked directly.

    Returns:
        The steps, first answer first.
    """
    final = assess(q, answers)
    ordered = [qid for qid in q.questions() if qid in final.answers]
    steps: list[DemoStep] = []
    before = assess(q, {})
    given: dict[str, Any] = {}
    for index, qid in enumerate(ordered, start=1):
        given[qid] = final.answers[qid]
        now = assess(q, given)
        steps.append(_step(index, qid, given[qid], now, before))
        before = now
    if checklist:
        now = assess(q, given, checklist)
        steps.append(_step(len(steps) + 1, None, tuple(checklist), now, before))
    return steps


def answer_text(q: Questionnaire, question_id: str, value: Any, language: str) -> str:
    """An answer as a person reads it: choice labels, yes/no and special answers translated.

    Args:
        q: The questionnaire.
        question_id: The question.
        value: The stored answer, or ``None`` for no answer.
        language: The language of the texts.

    Returns:
        The text; several choices are joined with commas.
    """
    ui = ui_language(language)
    if value is None:
        return t("train.no_answer", ui)
    if is_special(value):
        return t(f"answer.{value}", ui)
    question = q.question(question_id)
    if isinstance(question, YesNoQuestion) and value in ("yes", "no"):
        return t(f"answer.{value}", ui)
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        labels = {
            c.value: text_for(c.label, language, q.default_language) for c in question.choices
        }
        if isinstance(value, list):
            if not value:
                return t("train.none_chosen", ui)
            return t("train.list_separator", ui).join(labels.get(v, str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- practice


def f1(expected: Iterable[str], given: Iterable[str]) -> float:
    """The F1 score of a given set against an expected one; 1.0 when both are empty."""
    a, b = set(expected), set(given)
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


_NO_ANSWER: Any = None


@dataclass(frozen=True)
class AnswerDifference:
    """A question the scenario and the trainee answered differently (``None``: no answer)."""

    question_id: str
    expected: Any
    given: Any


@dataclass(frozen=True)
class IndicatorReview:
    """An indicator missed or claimed without basis, with the answers that decide it.

    Attributes:
        id: The indicator.
        key: Whether the scenario's trainer points it out (``expected.indicators``).
        evidence: The questions that produced it: in the scenario's answers for a missed
            one, in the trainee's for one claimed without basis (``checklist`` when ticked).
        answers: For each evidence question, the scenario's answer and the trainee's.
    """

    id: str
    key: bool
    evidence: tuple[str, ...]
    answers: tuple[AnswerDifference, ...]


@dataclass(frozen=True)
class PracticeResult:
    """A trainee's interview of a scenario compared with the scenario.

    Attributes:
        case: The scenario, its answers and their assessment.
        given: The assessment of the trainee's answers.
        found: Indicators both observed, in questionnaire order.
        missed: Observed from the scenario's answers, not from the trainee's.
        unfounded: Observed from the trainee's answers, not from the scenario's.
        flags_missed: Urgent flags the scenario raises and the trainee's answers do not.
        flags_unfounded: Urgent flags only the trainee's answers raise.
        differences: Every question the scenario answers that the trainee answered otherwise
            or not at all.
        language: The language the interview was held in.
    """

    case: ScenarioCase
    given: Assessment
    found: tuple[str, ...]
    missed: tuple[IndicatorReview, ...]
    unfounded: tuple[IndicatorReview, ...]
    flags_missed: tuple[str, ...]
    flags_unfounded: tuple[str, ...]
    differences: tuple[AnswerDifference, ...]
    language: str
    trainee_answers: dict[str, Any] = field(default_factory=dict)

    @property
    def expected(self) -> Assessment:
        """The assessment of the scenario's answers."""
        return self.case.assessment

    @property
    def outcome_right(self) -> bool:
        """Whether the trainee's answers give the scenario's outcome."""
        return self.given.outcome.code == self.expected.outcome.code

    @property
    def indicator_f1(self) -> float:
        """F1 of the trainee's observed indicators against the scenario's."""
        return f1(self.expected.observed_ids(), self.given.observed_ids())

    @property
    def flag_f1(self) -> float:
        """F1 of the trainee's raised urgent flags against the scenario's."""
        return f1(self.expected.flags, self.given.flags)

    @property
    def score(self) -> int:
        """The practice score out of 100 (see the module's docstring)."""
        total = (
            SCORE_WEIGHTS["indicators"] * self.indicator_f1
            + SCORE_WEIGHTS["outcome"] * (1.0 if self.outcome_right else 0.0)
            + SCORE_WEIGHTS["flags"] * self.flag_f1
        )
        return round(total)

    def record(self, *, trainee: str | None = None) -> dict[str, Any]:
        """The comparison as a JSON-ready class record.

        Args:
            trainee: Who practised (an identifier the trainer chooses), if recorded.
        """
        q = self.case.questionnaire
        expected_ids = self.expected.observed_ids()
        given_ids = self.given.observed_ids()

        def indicator(review: IndicatorReview) -> dict[str, Any]:
            ind = q.indicator(review.id)
            return {
                "id": review.id,
                "dimension": ind.dimension if ind else None,
                "strength": ind.strength.value if ind else None,
                "key": review.key,
                "evidence": list(review.evidence),
                "answers": [_difference(d) for d in review.answers],
            }

        return {
            "scenario": self.case.scenario.id,
            "questionnaire": {"id": q.id, "version": q.version},
            "language": self.language,
            "trainee": trainee,
            "score": self.score,
            "score_parts": {
                "indicators_f1": round(self.indicator_f1, 4),
                "outcome_right": self.outcome_right,
                "flags_f1": round(self.flag_f1, 4),
                "weights": dict(SCORE_WEIGHTS),
            },
            "outcome": {
                "expected": self.expected.outcome.code,
                "given": self.given.outcome.code,
                "right": self.outcome_right,
            },
            "indicators": {
                "expected": [o.indicator.id for o in self.expected.indicators],
                "given": [o.indicator.id for o in self.given.indicators],
                "found": list(self.found),
                "missed": [indicator(r) for r in self.missed],
                "unfounded": [indicator(r) for r in self.unfounded],
                "precision": _ratio(len(expected_ids & given_ids), len(given_ids)),
                "recall": _ratio(len(expected_ids & given_ids), len(expected_ids)),
            },
            "flags": {
                "expected": list(self.expected.flags),
                "given": list(self.given.flags),
                "missed": list(self.flags_missed),
                "unfounded": list(self.flags_unfounded),
            },
            "complete": self.given.complete,
            "answers": dict(self.trainee_answers),
            "differences": [_difference(d) for d in self.differences],
        }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def _difference(d: AnswerDifference) -> dict[str, Any]:
    return {"question_id": d.question_id, "expected": d.expected, "given": d.given}


def compare(
    case: ScenarioCase,
    answers: Mapping[str, Any],
    *,
    checklist: Sequence[str] = (),
    language: str | None = None,
) -> PracticeResult:
    """Compare a trainee's answers to a scenario with the scenario's own.

    Args:
        case: The scenario, prepared.
        answers: The trainee's answers by question id (as the interview records them).
        checklist: Indicators the trainee ticked directly.
        language: The language the interview was held in (the questionnaire's default when
            omitted).

    Returns:
        Indicators found, missed and claimed without basis (each with the answers that
        decide it), outcome and flags compared, every differing answer, and the score.
    """
    q = case.questionnaire
    given = assess(q, answers, checklist)
    expected = case.assessment
    key = set(case.scenario.expected.indicators)
    scenario_answers = expected.answers
    trainee_answers = given.answers

    def pair(qid: str) -> AnswerDifference:
        return AnswerDifference(
            qid, scenario_answers.get(qid, _NO_ANSWER), trainee_answers.get(qid, _NO_ANSWER)
        )

    def review(observed: ObservedIndicator) -> IndicatorReview:
        questions = [e for e in observed.evidence if q.question(e) is not None]
        return IndicatorReview(
            observed.indicator.id,
            observed.indicator.id in key,
            observed.evidence,
            tuple(pair(qid) for qid in questions),
        )

    given_ids = given.observed_ids()
    expected_ids = expected.observed_ids()
    order = list(q.questions())
    # Only questions the scenario answers can be judged: where it is silent, any answer goes.
    differences = tuple(
        pair(qid)
        for qid in order
        if qid in scenario_answers and scenario_answers[qid] != trainee_answers.get(qid, _NO_ANSWER)
    )
    return PracticeResult(
        case=case,
        given=given,
        found=tuple(o.indicator.id for o in expected.indicators if o.indicator.id in given_ids),
        missed=tuple(review(o) for o in expected.indicators if o.indicator.id not in given_ids),
        unfounded=tuple(review(o) for o in given.indicators if o.indicator.id not in expected_ids),
        flags_missed=tuple(f for f in expected.flags if f not in given.flags),
        flags_unfounded=tuple(f for f in given.flags if f not in expected.flags),
        differences=differences,
        language=language or q.default_language,
        trainee_answers=dict(given.answers),
    )


# --------------------------------------------------------------------------- indicators


def scenarios_showing(
    indicator_id: str, q: Questionnaire, paths: Sequence[Path]
) -> list[tuple[Scenario, bool]]:
    """The scenarios of a questionnaire in which an indicator is observed.

    Args:
        indicator_id: The indicator.
        q: The questionnaire; scenarios written for another one are left out.
        paths: Scenario files; those that do not load or whose answers do not fit are left out.

    Returns:
        Each scenario with whether its trainer points the indicator out, in file order.
    """
    out: list[tuple[Scenario, bool]] = []
    for entry in load_library(paths):
        scenario = entry.scenario
        if scenario is None or scenario.questionnaire != q.id:
            continue
        try:
            checked = checked_answers(scenario, q, str(entry.path))
        except InvalidRecord:
            continue
        if indicator_id in assess(q, checked.answers, checked.indicators).observed_ids():
            out.append((scenario, indicator_id in scenario.expected.indicators))
    return out


def indicator_scenarios(
    indicator_id: str, q: Questionnaire, language: str, paths: Sequence[Path] | None = None
) -> list[dict[str, Any]]:
    """The worked scenarios that show an indicator, as JSON-ready records for ``indicators show``.

    Args:
        indicator_id: The indicator.
        q: Its questionnaire.
        language: The language of the titles.
        paths: Scenario files (default: the bundled scenarios).

    Returns:
        ``{id, title, key}`` for each scenario in which the indicator is observed; ``key`` is
        true when the scenario's trainer points it out.
    """
    from screening.scenarios import scenario_files

    found = scenarios_showing(indicator_id, q, scenario_files() if paths is None else paths)
    return [
        {"id": s.id, "title": text_for(s.title, language, "en"), "key": key} for s, key in found
    ]
