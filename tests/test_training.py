"""Trainer mode: the replay's steps, the practice comparison and score, and the `train` commands.

Most tests use the small questionnaire and scenarios written inline; the bundled scenarios are
replayed and checked too (parametrised over whatever `indicators/scenarios/` holds).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import SMALL, write
from prompt_toolkit.input import create_pipe_input  # noqa: TID251 - the test feeds the prompts keys
from prompt_toolkit.input.base import PipeInput  # noqa: TID251 - the test feeds the prompts keys
from rich.console import Console  # noqa: TID251  (the practice interview is drawn on a console of the test)

from screening.bidi import cell_width
from screening.model import ILO_RULE
from screening.questionnaires import LoadedQuestionnaire, load_path
from screening.scenarios import Scenario, load_scenario, scenario_files
from screening.scoring import assess
from screening.training import (
    ScenarioCase,
    compare,
    demo_steps,
    f1,
    find_scenario,
    indicator_scenarios,
    prepare,
    scenarios_showing,
    shortfall,
)
from screening.ui.interview import CHECKLIST_ITEMS
from screening.ui.prompts import ListValidator, Option, QuestionaryPrompter, Validator
from screening.ui.training import run_practice

BUNDLED = scenario_files()

LOCKED_IN = """\
id: locked_in
title: {en: Locked in at the farm, ar: محتجز في المزرعة}
questionnaire: small
sector: agriculture
persona: {en: "Ravi, 34, farm worker.", ar: "رافي، 34 عامًا، عامل مزرعة."}
narrative:
  en: "Ravi works sixteen hours a day. His employer took his passport when he arrived and locks the gate at night. He has not been paid for three months."
  ar: "يعمل رافي ست عشرة ساعة يوميًا. أخذ صاحب العمل جواز سفره عند وصوله ويغلق البوابة ليلًا. لم يتقاضَ أجره منذ ثلاثة أشهر."
answers:
  age: 34
  passport: no
  passport_when: destination
  hours: 16
  problems: [unpaid, locked]
expected:
  outcome: refer
  flags: []
  indicators: [documents_taken, locked_in]
trainer_notes:
  en: "Confiscation counts at destination only."
  ar: "تُحتسب مصادرة الوثائق في بلد المقصد فقط."
"""

YOUNG_COOK = """\
id: young_cook
title: {en: A young cook, ar: طاهٍ صغير}
questionnaire: small
sector: hospitality
persona: {en: "Amal, 16, kitchen helper.", ar: "أمل، 16 عامًا، مساعدة مطبخ."}
narrative:
  en: "Amal keeps her passport. She works eight hours a day and is paid late."
  ar: "تحتفظ أمل بجواز سفرها. تعمل ثماني ساعات يوميًا ويتأخر أجرها."
answers:
  age: 16
  passport: yes
  hours: 8
  problems: [unpaid]
expected:
  outcome: labour
  flags: [minor]
  indicators: [unpaid]
trainer_notes:
  en: "Age first: the flag comes before everything."
  ar: "العمر أولًا: التنبيه يسبق كل شيء."
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A folder with the small questionnaire and two scenarios written for it."""
    write(tmp_path, "small.yaml", SMALL)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write(folder, "locked_in.yaml", LOCKED_IN)
    write(folder, "young_cook.yaml", YOUNG_COOK)
    return tmp_path


@pytest.fixture
def loaded(library: Path) -> LoadedQuestionnaire:
    return load_path(library / "small.yaml")


def case_of(library: Path, loaded: LoadedQuestionnaire, name: str) -> ScenarioCase:
    path = library / "scenarios" / f"{name}.yaml"
    return prepare(load_scenario(path), str(path), loaded)


def options(library: Path) -> list[str]:
    return ["--scenarios", str(library / "scenarios"), "-q", str(library / "small.yaml")]


def flat(text: str) -> str:
    """Text with every run of blanks as one space (rich wraps long lines)."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- the replay, pure


def test_each_step_is_the_assessment_of_the_answers_so_far(
    loaded: LoadedQuestionnaire, library: Path
) -> None:
    case = case_of(library, loaded, "locked_in")
    q = case.questionnaire
    steps = demo_steps(q, case.answers)
    assert [s.question_id for s in steps] == [
        "age",
        "passport",
        "passport_when",
        "hours",
        "problems",
    ]
    given: dict[str, Any] = {}
    for step in steps:
        assert step.question_id is not None
        given[step.question_id] = case.answers[step.question_id]
        assert step.value == case.answers[step.question_id]
        assert step.assessment.observed_ids() == assess(q, given).observed_ids()
        assert step.assessment.outcome.code == assess(q, given).outcome.code
    assert steps[-1].assessment.observed_ids() == case.assessment.observed_ids()


def test_steps_say_what_changed(loaded: LoadedQuestionnaire, library: Path) -> None:
    case = case_of(library, loaded, "locked_in")
    age, passport, when, hours, problems = demo_steps(case.questionnaire, case.answers)
    assert age.fired == ()
    assert passport.fired == ()
    assert not age.moved
    assert not passport.outcome_changed
    assert [o.indicator.id for o in when.fired] == ["documents_taken"]
    assert when.moved == ("coercion",)
    assert when.turned_positive == ()
    assert when.outcome_changed
    assert when.previous.outcome.code == "none"
    assert when.assessment.outcome.code == "labour"
    assert [o.indicator.id for o in hours.fired] == ["long_hours"]
    assert hours.moved == ("conditions",)
    assert not hours.outcome_changed
    assert [o.indicator.id for o in problems.fired] == ["locked_in", "unpaid"]
    assert problems.moved == ("coercion", "conditions")
    assert problems.turned_positive == ("coercion", "conditions")
    assert problems.assessment.outcome.code == "refer"


def test_a_flag_is_raised_at_the_answer_that_raises_it(
    loaded: LoadedQuestionnaire, library: Path
) -> None:
    case = case_of(library, loaded, "young_cook")
    steps = demo_steps(case.questionnaire, case.answers)
    assert [s.raised for s in steps] == [("minor",), (), (), ()]
    assert "passport_when" not in [s.question_id for s in steps]  # does not apply: not replayed


def test_indicators_ticked_directly_come_last(loaded: LoadedQuestionnaire) -> None:
    q = loaded.questionnaire
    steps = demo_steps(q, {"hours": 14}, ["locked_in"])
    assert [s.question_id for s in steps] == ["hours", None]
    assert steps[-1].value == ("locked_in",)
    assert [o.indicator.id for o in steps[-1].fired] == ["locked_in"]
    assert steps[-1].assessment.outcome.code == "labour"


def test_no_answers_no_steps(loaded: LoadedQuestionnaire) -> None:
    assert demo_steps(loaded.questionnaire, {}) == []


@pytest.mark.parametrize(
    ("counts", "needed"),
    [
        ((0, 0, 0), (2, 0, 0)),  # 2S and 1S+1M both need two; the first combination wins
        ((0, 1, 0), (1, 0, 0)),  # 1S+1M
        ((0, 2, 0), (1, 0, 0)),  # 1S+1M, 3M and 2M+1W each need one more: the first wins
        ((0, 3, 0), (0, 0, 0)),
        ((1, 0, 0), (1, 0, 0)),
        ((2, 0, 0), (0, 0, 0)),
    ],
)
def test_shortfall_is_the_nearest_combination_of_the_rule(
    counts: tuple[int, int, int], needed: tuple[int, int, int]
) -> None:
    assert shortfall(ILO_RULE, *counts) == needed


def test_shortfall_of_an_empty_rule() -> None:
    assert shortfall([], 0, 0, 0) is None


# --------------------------------------------------------------------------- comparison, pure


def test_f1() -> None:
    assert f1([], []) == 1.0
    assert f1(["a"], []) == 0.0
    assert f1(["a", "b"], ["a"]) == pytest.approx(2 / 3)
    assert f1(["a", "b"], ["b", "a"]) == 1.0


def test_the_scenario_answers_themselves_score_100(
    loaded: LoadedQuestionnaire, library: Path
) -> None:
    case = case_of(library, loaded, "locked_in")
    result = compare(case, case.answers)
    assert result.score == 100
    assert result.missed == ()
    assert result.unfounded == ()
    assert result.outcome_right
    assert result.differences == ()


def test_missed_indicators_name_the_answers_that_decide_them(
    loaded: LoadedQuestionnaire, library: Path
) -> None:
    case = case_of(library, loaded, "locked_in")
    trainee = {
        "age": 34,
        "passport": "no",
        "passport_when": "destination",
        "hours": 10,
        "problems": ["unpaid"],
    }
    result = compare(case, trainee, language="en")
    assert result.found == ("documents_taken", "unpaid")
    assert [(r.id, r.key, r.evidence) for r in result.missed] == [
        ("locked_in", True, ("problems",)),
        ("long_hours", False, ("hours",)),
    ]
    problems = result.missed[0].answers[0]
    assert (problems.question_id, problems.expected, problems.given) == (
        "problems",
        ["unpaid", "locked"],
        ["unpaid"],
    )
    assert result.unfounded == ()
    assert not result.outcome_right
    assert result.given.outcome.code == "labour"
    # 60 * F1(2 of 4 found, nothing extra) + 25 * 0 + 15 * 1 (no flags on either side)
    assert result.indicator_f1 == pytest.approx(2 * 2 / (4 + 2))
    assert result.score == round(60 * (4 / 6) + 0 + 15) == 55
    assert [d.question_id for d in result.differences] == ["hours", "problems"]


def test_an_indicator_claimed_without_basis(loaded: LoadedQuestionnaire, library: Path) -> None:
    case = case_of(library, loaded, "young_cook")
    trainee = {
        "age": 16,
        "passport": "no",
        "passport_when": "destination",
        "hours": 8,
        "problems": ["unpaid"],
    }
    result = compare(case, trainee)
    assert result.missed == ()
    assert [(r.id, r.key, r.evidence) for r in result.unfounded] == [
        ("documents_taken", False, ("passport_when",))
    ]
    when = result.unfounded[0].answers[0]
    assert (when.question_id, when.expected, when.given) == ("passport_when", None, "destination")
    assert result.outcome_right  # still a labour case: one coercion indicator is not enough
    assert result.flags_missed == ()
    assert result.flags_unfounded == ()
    assert result.score == round(60 * (2 / 3) + 25 + 15) == 80
    record = result.record(trainee="t-07")
    assert record["trainee"] == "t-07"
    assert record["indicators"]["unfounded"][0]["id"] == "documents_taken"
    assert record["indicators"]["precision"] == 0.5
    assert record["indicators"]["recall"] == 1.0
    json.dumps(record)  # JSON-ready


def test_a_missed_urgent_flag(loaded: LoadedQuestionnaire, library: Path) -> None:
    case = case_of(library, loaded, "young_cook")
    result = compare(
        case, {"age": "dont_know", "passport": "yes", "hours": 8, "problems": ["unpaid"]}
    )
    assert result.flags_missed == ("minor",)
    assert result.flag_f1 == 0.0
    assert result.score == 60 + 25 + 0
    assert result.record()["flags"]["missed"] == ["minor"]


def test_indicators_ticked_directly_are_compared_too(
    loaded: LoadedQuestionnaire, library: Path
) -> None:
    case = case_of(library, loaded, "young_cook")
    result = compare(case, dict(case.answers), checklist=["locked_in"])
    assert [r.id for r in result.unfounded] == ["locked_in"]
    assert result.unfounded[0].evidence == ("checklist",)
    assert result.unfounded[0].answers == ()


# --------------------------------------------------------------------------- finding scenarios


def test_find_by_id_file_name_or_path(library: Path) -> None:
    paths = sorted((library / "scenarios").glob("*.yaml"))
    assert find_scenario("locked_in", paths)[0].id == "locked_in"
    assert find_scenario("locked-in", paths)[0].id == "locked_in"
    assert find_scenario(str(paths[1]), paths)[0].id == "young_cook"


def test_an_unknown_scenario_names_the_nearest(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "demo", "lock_in", *options(library))
    assert run.code == 1
    assert "no scenario 'lock_in'" in run.err
    assert "Nearest: locked_in" in run.err


def test_a_language_the_questionnaire_lacks_is_a_usage_error(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "demo", "locked_in", "--lang", "fr", "--no-pause", *options(library))
    assert run.code == 2
    assert "--lang fr" in run.err
    assert "en, ar" in run.err


def test_scenarios_showing_an_indicator(loaded: LoadedQuestionnaire, library: Path) -> None:
    paths = sorted((library / "scenarios").glob("*.yaml"))
    shown = scenarios_showing("unpaid", loaded.questionnaire, paths)
    assert [(s.id, key) for s, key in shown] == [("locked_in", False), ("young_cook", True)]
    assert [s.id for s, _ in scenarios_showing("documents_taken", loaded.questionnaire, paths)] == [
        "locked_in"
    ]


# --------------------------------------------------------------------------- train demo


def test_demo_prints_story_steps_outcome_and_notes(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "demo", "locked_in", "--no-pause", *options(library))
    assert run.code == 0, run.err
    out = flat(run.out)
    assert (
        out.index("Ravi works sixteen hours a day.")
        < out.index("Answer 1 of 5")
        < out.index("Answer 5 of 5")
    )
    assert "Question [passport_when] When was it taken? Answer: Here" in out
    assert "+ Documents confiscated [documents_taken · coercion · strong]" in out
    assert "Outcome so far: Labour case (labour)" in out
    assert "Dimension now positive: coercion, conditions" in out
    assert "Outcome: Refer (refer)" in out
    assert "Indicators to point out" in out
    assert "Trainer's notes Confiscation counts at destination only." in out


def test_demo_shows_the_flag_when_it_is_raised(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    out = flat(cli("train", "demo", "young_cook", "--no-pause", *options(library)).out)
    assert out.index("URGENT: act first: Possible minor [minor]") < out.index("Answer 2 of 4")
    assert "Call 995." in out


def test_demo_without_a_terminal_does_not_wait(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "demo", "locked_in", *options(library), stdin=b"")
    assert run.code == 0, run.err
    assert "Enter: next answer" not in run.out
    assert "Trainer's notes" in run.out


def test_demo_in_arabic(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli(
        "train",
        "demo",
        "locked_in",
        "--lang",
        "ar",
        "--no-pause",
        "--rtl",
        "off",
        *options(library),
    )
    assert run.code == 0, run.err
    out = flat(run.out)
    assert "يعمل رافي ست عشرة ساعة يوميًا." in out
    assert "السؤال [passport_when] متى أُخذ؟ الإجابة: هنا" in out
    assert "+ مصادرة الوثائق [documents_taken · coercion · قوي]" in out
    assert "ملاحظات المدرّب تُحتسب مصادرة الوثائق في بلد المقصد فقط." in out


def test_demo_in_arabic_reordered_for_terminals_without_bidi(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli(
        "train",
        "demo",
        "locked_in",
        "--lang",
        "ar",
        "--no-pause",
        "--rtl",
        "reorder",
        *options(library),
    )
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    # Joined letter forms, reordered, aligned right: the notes' last line ends at the right edge.
    assert "ﺏﺭّﺪﻤﻟﺍ ﺕﺎﻈﺣﻼﻣ" in run.out
    notes = next(i for i, line in enumerate(lines) if "ﺏﺭّﺪﻤﻟﺍ ﺕﺎﻈﺣﻼﻣ" in line)
    assert lines[notes].startswith(" ")
    assert cell_width(lines[notes]) == 80
    assert "ملاحظات" not in run.out  # no logical-order Arabic left
    # Tables run from right to left: the dimension column is right of the counts.
    header = next(line for line in lines if "ﺪﻌﺒُﻟﺍ" in line and "ﻱﻮﻗ" in line)
    assert header.index("ﻱﻮﻗ") < header.index("ﺪﻌﺒُﻟﺍ")


def test_demo_pauses_on_a_terminal_and_q_goes_to_the_end(
    cli, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("screening.cli.train._is_terminal", lambda: True)
    # Enter, Enter, then q: two answers are shown, then the end.
    run = cli("train", "demo", "locked_in", *options(library), stdin=b"\n\nq\n")
    assert run.code == 0, run.err
    out = flat(run.out)
    assert "Answer 2 of 5" in out
    assert "Answer 3 of 5" not in out
    assert "Enter: next answer" in out
    assert "Trainer's notes" in out


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_demo_of_each_bundled_scenario(cli, path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(path)
    run = cli("train", "demo", scenario.id, "--no-pause")
    assert run.code == 0, run.err
    out = flat(run.out)
    assert f"({scenario.expected.outcome})" in out
    case = prepare(scenario, str(path), load_path_for(scenario))
    observed = [o.indicator.id for o in case.assessment.indicators]
    shown = scenario.expected.indicators or observed
    if shown:
        assert f"[{shown[0]} ·" in out
    for flag in scenario.expected.flags:
        assert f"[{flag}]" in out
    notes = scenario.trainer_notes
    if notes:
        text = notes if isinstance(notes, str) else notes.get("en", next(iter(notes.values())))
        assert flat(text) in out


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_demo_of_each_bundled_scenario_in_arabic(cli, path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(path)
    run = cli("train", "demo", scenario.id, "--no-pause", "--lang", "ar")
    assert run.code == 0, run.err
    assert f"({scenario.expected.outcome})" in run.out
    assert "ملاحظات المدرّب" in run.out


def load_path_for(scenario: Scenario) -> LoadedQuestionnaire:
    from screening.questionnaires import resolve

    return resolve(scenario.questionnaire)


# --------------------------------------------------------------------------- train list


def test_list_json(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "list", "--format", "json", "--scenarios", str(library / "scenarios"))
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert [(r["id"], r["expected_outcome"], r["sector"], r["flags"]) for r in rows] == [
        ("locked_in", "refer", "agriculture", []),
        ("young_cook", "labour", "hospitality", ["minor"]),
    ]
    assert rows[0]["title"] == "Locked in at the farm"


def test_list_table_in_arabic(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "list", "--lang", "ar", "--scenarios", str(library / "scenarios"))
    assert run.code == 0, run.err
    assert "محتجز في المزرعة" in run.out
    assert "young_cook" in run.out


def test_list_of_the_bundled_scenarios(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "list", "--format", "json")
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert sorted(r["id"] for r in rows) == sorted(load_scenario(p).id for p in BUNDLED)
    assert all({"id", "expected_outcome", "title", "sector", "flags"} <= set(r) for r in rows)


def test_list_reports_a_broken_file(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    write(library / "scenarios", "broken.yaml", "id: broken\ntitle: x\n")
    run = cli("train", "list", "--format", "json", "--scenarios", str(library / "scenarios"))
    assert run.code == 1
    assert len(json.loads(run.out)) == 2
    assert "broken.yaml" in run.err


# --------------------------------------------------------------------------- train check


def test_check_passes_on_the_bundled_scenarios(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "check")
    assert run.code == 0, run.out + run.err
    assert f"{len(BUNDLED)} scenarios score as they expect" in run.err


def test_check_passes_on_good_scenarios(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "check", *options(library))
    assert run.code == 0, run.out + run.err


def test_check_fails_on_a_broken_scenario_and_names_the_difference(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    broken = write(
        library / "scenarios",
        "wrong.yaml",
        LOCKED_IN.replace("id: locked_in", "id: wrong")
        .replace("outcome: refer", "outcome: labour")
        .replace("flags: []", "flags: [minor]")
        .replace("hours: 16", "hours: 8"),
    )
    run = cli("train", "check", *options(library))
    assert run.code == 1
    lines = run.out.splitlines()
    assert f"{broken}: outcome is refer, expected labour" not in lines  # hours 8: not refer
    assert f"{broken}: flags are [], expected [minor]" in lines
    assert all(line.startswith(f"{broken}: ") for line in lines), lines
    assert "1 of 3 scenarios differ" in run.err


def test_check_names_an_outcome_difference(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        library / "scenarios",
        "locked_in.yaml",
        LOCKED_IN.replace("outcome: refer", "outcome: labour"),
    )
    run = cli("train", "check", str(path), "-q", str(library / "small.yaml"))
    assert run.code == 1
    assert run.out.splitlines() == [f"{path}: outcome is refer, expected labour"]


def test_check_reports_answers_that_do_not_fit_and_files_that_do_not_load(
    cli, library: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = library / "scenarios"
    write(
        folder,
        "bad_answer.yaml",
        LOCKED_IN.replace("id: locked_in", "id: bad_answer").replace("hours: 16", "hours: many"),
    )
    write(
        folder,
        "no_questionnaire.yaml",
        LOCKED_IN.replace("id: locked_in", "id: no_questionnaire").replace(
            "questionnaire: small", "questionnaire: nowhere"
        ),
    )
    write(folder, "not_yaml.yaml", "id: [\n")
    run = cli("train", "check", *options(library))
    assert run.code == 1
    assert "bad_answer.yaml: answers: 'hours' is a number question" in run.out
    assert "no_questionnaire.yaml: questionnaire: no questionnaire 'nowhere'" in run.out
    assert "not_yaml.yaml" in run.out
    assert "3 of 5 scenarios differ" in run.err


# --------------------------------------------------------------------------- practice


class Scripted:
    """A prompter that gives scripted replies in order, and can stop like Ctrl-C."""

    def __init__(self, replies: Sequence[Any]) -> None:
        self.replies = list(replies)

    def _next(self) -> Any:
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def select(
        self,
        message: str,
        options: Sequence[Option],
        *,
        default: str | None = None,
        instruction: str = "",
        keys: Mapping[str, str] | None = None,
    ) -> str:
        reply = self._next()
        assert reply in [o.value for o in options], (reply, message)
        return str(reply)

    def checkbox(
        self,
        message: str,
        options: Sequence[Option],
        *,
        checked: Collection[str] = (),
        instruction: str = "",
        validate: ListValidator | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> list[str]:
        reply = self._next()
        assert isinstance(reply, list)
        return reply

    def text(
        self,
        message: str,
        *,
        default: str = "",
        instruction: str = "",
        validate: Validator | None = None,
        multiline: bool = False,
        keys: Mapping[str, str] | None = None,
    ) -> str:
        return str(self._next())


CHECKLIST = list(CHECKLIST_ITEMS)
FINISH = ["finish", "yes"]
"""The review, then the confirmation."""


def quiet_console() -> Console:
    import io

    return Console(file=io.StringIO(), width=100, color_system=None)


def test_practice_that_misses_indicators(loaded: LoadedQuestionnaire, library: Path) -> None:
    case = case_of(library, loaded, "locked_in")
    # The trainee writes 10 hours and ticks only "unpaid": long hours and confinement are missed.
    prompter = Scripted([CHECKLIST, "34", "Ravi", "no", "destination", "10", ["unpaid"], *FINISH])
    result = run_practice(
        case, prompter=prompter, console=quiet_console(), language="en", trainee="t-01"
    )
    assert prompter.replies == []
    assert result.trainee_answers == {
        "age": 34,
        "name": "Ravi",
        "passport": "no",
        "passport_when": "destination",
        "hours": 10,
        "problems": ["unpaid"],
    }
    assert [r.id for r in result.missed] == ["locked_in", "long_hours"]
    assert result.unfounded == ()
    assert not result.outcome_right
    assert result.score == 55
    # The scenario is silent on the name: the trainee's answer to it is not judged.
    assert [d.question_id for d in result.differences] == ["hours", "problems"]


def test_practice_that_claims_an_indicator_without_basis(
    loaded: LoadedQuestionnaire, library: Path
) -> None:
    case = case_of(library, loaded, "young_cook")
    prompter = Scripted(
        [CHECKLIST, "16", "ack", "-", "no", "destination", "8", ["unpaid"], *FINISH]
    )
    result = run_practice(case, prompter=prompter, console=quiet_console(), language="en")
    assert [r.id for r in result.unfounded] == ["documents_taken"]
    assert result.missed == ()
    assert result.outcome_right
    assert result.flags_missed == ()


class PipePrompter:
    """A real questionary prompter; each prompt's keys are pressed once it is drawn."""

    def __init__(self, pipe: PipeInput, keys: Sequence[str]) -> None:
        from drawn_keys import KeysOutput

        self.output = KeysOutput(pipe, keys)
        self.inner = QuestionaryPrompter(input=pipe, output=self.output)

    def select(self, message: str, options: Sequence[Option], **kw: Any) -> str:
        return self.inner.select(message, options, **kw)

    def checkbox(self, message: str, options: Sequence[Option], **kw: Any) -> list[str]:
        return self.inner.checkbox(message, options, **kw)

    def text(self, message: str, **kw: Any) -> str:
        return self.inner.text(message, **kw)


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as keys:
        yield keys


ENTER = "\r"
DOWN = "\x1b[B"


def test_practice_through_the_prompt_layer(
    loaded: LoadedQuestionnaire, library: Path, pipe: PipeInput
) -> None:
    case = case_of(library, loaded, "locked_in")
    keys = [
        " " + (DOWN + " ") * 4 + ENTER,  # the pre-interview checklist: tick all five
        "34" + ENTER,
        "-" + ENTER,  # name: declined
        "2" + ENTER,  # passport: no
        "2" + ENTER,  # taken here
        "16" + ENTER,
        " " + ENTER,  # problems: unpaid only (confinement missed)
        ENTER,  # review: finish
        "1" + ENTER,  # confirm: yes
    ]
    prompter = PipePrompter(pipe, keys)
    result = run_practice(case, prompter=prompter, console=quiet_console(), language="en")
    assert prompter.output.chunks == []
    assert result.trainee_answers["problems"] == ["unpaid"]
    assert result.trainee_answers["name"] == "declined"
    assert [r.id for r in result.missed] == ["locked_in"]
    assert result.missed[0].key
    assert result.outcome_right is False


def test_practice_command_table(cli, library: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    prompter = Scripted([CHECKLIST, "34", "Ravi", "no", "destination", "10", ["unpaid"], *FINISH])
    monkeypatch.setattr("screening.cli.train._is_terminal", lambda: True)
    monkeypatch.setattr("screening.cli.train._prompter", lambda: prompter)
    run = cli("train", "practice", "locked_in", *options(library), stdin=b"\n")
    assert run.code == 0, run.err
    out = flat(run.out)
    assert out.index("Ravi works sixteen hours a day.") < out.index("Your result: 55/100")
    assert (
        "✗ Outcome wrong: your answers give Labour case (labour); the scenario gives Refer (refer)"
        in out
    )
    assert "Indicators missed (2)" in out
    assert (
        "• Confinement [locked_in · coercion · strong] (key indicator) [problems] Which of these? scenario: Unpaid, Locked in you: Unpaid"
        in out
    )
    assert (
        "• Excessive hours [long_hours · conditions · strong] [hours] Hours a day? scenario: 16 you: 10"
        in out
    )
    assert "Indicators claimed without basis (0)" in out
    assert (
        "Score = 60 × 0.67 (indicators, F1) + 25 × 0 (outcome) + 15 × 1.00 (urgent flags, F1) = 55"
        in out
    )
    # a practice run promises nothing it does not keep
    assert "Practice interview: nothing of it is kept once it ends." in out
    assert "Keep this id" not in out
    assert "Referral written" not in out


def test_practice_command_json_class_record(
    cli, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    prompter = Scripted(
        [CHECKLIST, "16", "ack", "-", "no", "destination", "8", ["unpaid"], *FINISH]
    )
    monkeypatch.setattr("screening.cli.train._is_terminal", lambda: True)
    monkeypatch.setattr("screening.cli.train._prompter", lambda: prompter)
    record_file = tmp_path / "record.json"
    run = cli(
        "train",
        "practice",
        "young_cook",
        "--format",
        "json",
        "--trainee",
        "t-07",
        "--out",
        str(record_file),
        *options(library),
        stdin=b"\n",
    )
    assert run.code == 0, run.err
    record = json.loads(run.out[run.out.index('{\n  "scenario"') :])
    assert record == json.loads(record_file.read_text(encoding="utf-8"))
    assert record["scenario"] == "young_cook"
    assert record["trainee"] == "t-07"
    assert record["indicators"]["unfounded"][0]["id"] == "documents_taken"
    assert record["outcome"] == {"expected": "labour", "given": "labour", "right": True}
    assert record["score"] == 80


def test_practice_stopped_with_ctrl_c_exits_130_without_a_traceback(
    cli, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    prompter = Scripted([CHECKLIST, "34", KeyboardInterrupt()])
    monkeypatch.setattr("screening.cli.train._is_terminal", lambda: True)
    monkeypatch.setattr("screening.cli.train._prompter", lambda: prompter)
    run = cli("train", "practice", "locked_in", *options(library), stdin=b"\n")
    assert run.code == 130
    assert "practice stopped: nothing of it was kept" in run.err
    assert "Traceback" not in run.err
    assert "resume" not in run.err


def test_practice_needs_a_terminal(cli, library: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("train", "practice", "locked_in", *options(library))
    assert run.code == 1
    assert "needs a terminal" in run.err
    assert "train demo locked_in --no-pause" in run.err


def test_practice_leaves_the_case_store_alone(
    cli, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(home))
    prompter = Scripted(
        [CHECKLIST, "34", "Ravi", "no", "destination", "16", ["unpaid", "locked"], *FINISH]
    )
    monkeypatch.setattr("screening.cli.train._is_terminal", lambda: True)
    monkeypatch.setattr("screening.cli.train._prompter", lambda: prompter)
    run = cli("train", "practice", "locked_in", *options(library), stdin=b"\n")
    assert run.code == 0, run.err
    assert "Your result: 100/100" in run.out
    assert not home.exists()


def test_indicator_scenarios_for_indicators_show(
    loaded: LoadedQuestionnaire, library: Path
) -> None:
    import io

    from screening.ui.indicators import render_indicator_scenarios
    from screening.ui.view import View

    paths = sorted((library / "scenarios").glob("*.yaml"))
    records = indicator_scenarios("unpaid", loaded.questionnaire, "ar", paths)
    assert records == [
        {"id": "locked_in", "title": "محتجز في المزرعة", "key": False},
        {"id": "young_cook", "title": "طاهٍ صغير", "key": True},
    ]
    console = Console(file=io.StringIO(), width=80, color_system=None)
    render_indicator_scenarios(View(console, language="ar"), records)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "• young_cook: طاهٍ صغير (مؤشر أساسي)" in shown


def test_the_story_console_draws_on_the_stream_it_is_given(
    loaded: LoadedQuestionnaire, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from screening.bidi import RtlMode
    from screening.ui.training import story_console

    case = case_of(library, loaded, "locked_in")
    given = io.StringIO()
    console = story_console(case, "en", RtlMode.OFF, file=given)
    console.print("a practice screen")
    console.clear()  # not a terminal: the story is not repeated
    assert given.getvalue() == "a practice screen\n"
    assert capsys.readouterr().out == ""
