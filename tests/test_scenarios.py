"""The worked scenarios: each scores as it expects, speaks both languages, and together they
cover every outcome of the default questionnaire and the cases a trainer must be able to show."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.scenarios import (
    Scenario,
    ScenarioResult,
    check_scenario,
    load_scenario,
    scenario_files,
)

LANGUAGES = ("en", "ar")
"""Every shown text of a scenario is given in these languages."""

OUTCOMES = {
    "trafficking_indicated",
    "further_assessment",
    "labour_violation",
    "monitor",
    "no_indicators",
}
"""The outcome codes of the default questionnaire (DESIGN section 4)."""

FILES = scenario_files()


def _id(path: Path) -> str:
    return path.stem


@pytest.fixture(scope="module")
def results() -> dict[str, ScenarioResult]:
    """Every scenario scored once, by file name."""
    return {path.name: check_scenario(load_scenario(path), str(path)) for path in FILES}


def test_there_are_at_least_ten_scenarios() -> None:
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_scenario_scores_as_expected(path: Path, results: dict[str, ScenarioResult]) -> None:
    result = results[path.name]
    assert result.assessment is not None, list(result.differences)
    assessment = result.assessment
    expected = result.scenario.expected
    assert assessment.outcome.code == expected.outcome
    assert set(assessment.flags) == set(expected.flags)
    assert set(expected.indicators) <= assessment.observed_ids()
    if expected.complete is not None:
        assert assessment.complete is expected.complete, [g.question_id for g in assessment.gaps]
    assert result.ok, list(result.differences)


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_scenario_is_written_in_english_and_arabic(path: Path) -> None:
    scenario = load_scenario(path)
    for name in ("title", "persona", "narrative", "trainer_notes"):
        text = getattr(scenario, name)
        assert isinstance(text, dict), f"{name} must be given as {{en: ..., ar: ...}}"
        for code in LANGUAGES:
            assert str(text.get(code, "")).strip(), f"{name} lacks the '{code}' text"


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_scenario_id_matches_its_file_name(path: Path) -> None:
    assert load_scenario(path).id == path.stem.replace("-", "_")


def test_scenario_ids_are_unique() -> None:
    ids = [load_scenario(path).id for path in FILES]
    assert len(ids) == len(set(ids))


def test_scenarios_cover_every_outcome_and_the_cases_to_teach(
    results: dict[str, ScenarioResult],
) -> None:
    scenarios: list[Scenario] = [r.scenario for r in results.values()]
    assessed = [r.assessment for r in results.values() if r.assessment is not None]
    assert {s.expected.outcome for s in scenarios} >= OUTCOMES
    assert any(a.child for a in assessed), "no child (or age-disputed) case"
    assert any(s.expected.flags for s in scenarios), "no urgent case"
    assert any(s.expected.complete is False for s in scenarios), "no incomplete case"
    sectors = {s.sector for s in scenarios}
    assert {"domestic_work", "construction"} <= sectors
