"""Worked scenarios: cases for training, with the answers and what they should produce.

A scenario file (``indicators/scenarios/*.yaml``) holds a persona and the worker's story in
every language, the answers an officer would record, and the expected outcome, flags and the
indicators a trainer should point out. :func:`check_scenario` scores it through the same engine
as every other path and lists every difference from what it expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from screening.answers import AnswerSet, InvalidRecord, check_answer_set
from screening.errors import QuestionnaireError
from screening.loader import read_document
from screening.model import Id, LanguageCode, Questionnaire, Strict, Text
from screening.questionnaires import (
    DEFAULT_QUESTIONNAIRE,
    LoadedQuestionnaire,
    bundled_dir,
    resolve,
)
from screening.scoring import Assessment, assess


class Expected(Strict):
    """What scoring the scenario must give."""

    outcome: Id
    flags: list[Id] = Field(default_factory=list, description="Exactly the flags raised.")
    indicators: list[Id] = Field(
        default_factory=list, description="Indicators a trainer points out; each must be observed."
    )
    complete: bool | None = Field(
        None, description="Whether the screening is complete, when it matters."
    )


class Scenario(Strict):
    """A worked case."""

    id: Id
    title: Text
    questionnaire: Id = DEFAULT_QUESTIONNAIRE
    sector: str
    language: LanguageCode = Field("en", description="The language the worker speaks in the story.")
    persona: Text
    narrative: Text
    answers: dict[str, Any]
    indicators: list[Id] = Field(default_factory=list, description="Indicators ticked directly.")
    expected: Expected
    trainer_notes: Text | None = None


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario scored, with every difference from what it expects."""

    scenario: Scenario
    path: str
    assessment: Assessment | None
    differences: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the scenario scores exactly as it expects."""
        return not self.differences


def scenario_files() -> list[Path]:
    """The bundled scenario files, sorted by name."""
    folder = bundled_dir() / "scenarios"
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file.

    Raises:
        QuestionnaireError: the file is unreadable or not a valid scenario; problems located.
    """
    doc = read_document(path)
    try:
        return Scenario.model_validate(doc.data)
    except ValidationError as exc:
        problems = [
            doc.problem(
                tuple(e["loc"]), f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}", code=e["type"]
            )
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise QuestionnaireError(problems, hint="Fix the scenario file.") from None


def checked_answers(scenario: Scenario, q: Questionnaire, path: str = "") -> AnswerSet:
    """A scenario's answers (and ticked indicators), checked against its questionnaire.

    Raises:
        InvalidRecord: the answers do not fit the questionnaire.
    """
    return check_answer_set(
        q,
        AnswerSet(label=path, answers=dict(scenario.answers), indicators=list(scenario.indicators)),
    )


def check_scenario(
    scenario: Scenario, path: str = "", loaded: LoadedQuestionnaire | None = None
) -> ScenarioResult:
    """Score a scenario and compare with what it expects."""
    loaded = loaded or resolve(scenario.questionnaire)
    q = loaded.questionnaire
    try:
        checked = checked_answers(scenario, q, path)
    except InvalidRecord as bad:
        return ScenarioResult(scenario, path, None, tuple(f"answers: {p}" for p in bad.problems))
    assessment = assess(q, checked.answers, checked.indicators)
    differences: list[str] = []
    expected = scenario.expected
    if assessment.outcome.code != expected.outcome:
        differences.append(f"outcome is {assessment.outcome.code}, expected {expected.outcome}")
    raised = set(assessment.flags)
    if raised != set(expected.flags):
        differences.append(
            f"flags are [{', '.join(sorted(raised))}], expected [{', '.join(sorted(expected.flags))}]"
        )
    observed = assessment.observed_ids()
    for indicator_id in expected.indicators:
        if q.indicator(indicator_id) is None:
            differences.append(f"unknown indicator '{indicator_id}' in expected.indicators")
        elif indicator_id not in observed:
            differences.append(f"indicator {indicator_id} is expected but not observed")
    if expected.complete is not None and assessment.complete != expected.complete:
        differences.append(f"complete is {assessment.complete}, expected {expected.complete}")
    return ScenarioResult(scenario, path, assessment, tuple(differences))
