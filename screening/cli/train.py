"""`screening train`: trainer mode over the worked scenarios (list, demo, practice, check)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from screening.cli.environment import current, echo
from screening.cli.options import (
    ForceOption,
    format_option,
    lang_option,
    out_option,
    questionnaire_option,
    rtl_option,
)

if TYPE_CHECKING:
    from screening.questionnaires import LoadedQuestionnaire
    from screening.training import ScenarioCase
    from screening.ui.prompts import Prompter
    from screening.ui.view import View

app = typer.Typer(
    help=(
        "Trainer mode: list the worked scenarios, replay one answer by answer, let a trainee "
        "interview a scenario and see what was missed, check that every scenario scores as it "
        "expects.\n\nExample: screening train demo domestic_worker_confined --lang ar"
    ),
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    """Output of `train list` and `train practice`."""

    TABLE = "table"
    JSON = "json"


ScenarioArgument = Annotated[
    str,
    typer.Argument(
        metavar="SCENARIO",
        help="A scenario id (see `screening train list`) or the path of a scenario file.",
        show_default=False,
    ),
]
ScenariosOption = Annotated[
    Path | None,
    typer.Option(
        "--scenarios",
        help="Folder of scenario files (default: the bundled scenarios).",
        file_okay=False,
    ),
]
QuestionnaireOption = Annotated[
    str | None,
    questionnaire_option(
        "Questionnaire file or bundled id, for scenarios written for it (default: the "
        "bundled questionnaire each scenario names).",
    ),
]
LangOption = Annotated[
    str | None,
    lang_option("Language of the texts (default: the questionnaire's first)."),
]
RtlOption = Annotated[
    str | None,
    rtl_option(
        "Right-to-left display: reorder for terminals without bidi, off for those with it "
        "(default: $SCREENING_RTL, else off; see docs/languages.md).",
        show_default=False,
    ),
]


def _scenario_paths(folder: Path | None) -> list[Path]:
    from screening.errors import UsageError
    from screening.scenarios import scenario_files

    if folder is None:
        return scenario_files()
    if not folder.is_dir():
        raise UsageError(f"--scenarios {folder}: not a folder")
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def _override(questionnaire: str | None) -> LoadedQuestionnaire | None:
    from screening.questionnaires import resolve

    return resolve(questionnaire) if questionnaire is not None else None


def _load_case(ref: str, folder: Path | None, questionnaire: str | None) -> ScenarioCase:
    from screening.training import find_scenario, prepare, questionnaire_for

    scenario, path = find_scenario(ref, _scenario_paths(folder))
    loaded = questionnaire_for(scenario, _override(questionnaire))
    return prepare(scenario, str(path), loaded)


def _language(lang: str | None, case: ScenarioCase) -> str:
    from screening.errors import UsageError

    codes = case.questionnaire.language_codes
    if lang is None:
        return codes[0]
    if lang not in codes:
        raise UsageError(
            f"--lang {lang}: the questionnaire {case.questionnaire.id} has no such language "
            f"({', '.join(codes)})"
        )
    return lang


def _view(case: ScenarioCase, language: str, rtl: str | None) -> View:

    from screening.rtl import rtl_mode_from_env

    mode = rtl_mode_from_env(rtl, current().environ)
    address_by = case.questionnaire.address_by
    gender = case.answers.get(address_by) if address_by else None
    return current().view(
        language=language,
        mode=mode,
        questionnaire=case.questionnaire,
        gender=gender if isinstance(gender, str) else None,
    )


def _is_terminal() -> bool:
    """Someone at a terminal can be shown the screens and asked."""

    return current().interactive


@app.command("list")
def list_scenarios(
    output: Annotated[
        OutputFormat, format_option("table for people, json for machines.")
    ] = OutputFormat.TABLE,
    lang: Annotated[str | None, lang_option("Language of the titles (default: en).")] = None,
    rtl: RtlOption = None,
    scenarios: ScenariosOption = None,
) -> None:
    """List the worked scenarios: id, title, sector, expected outcome and urgent flags.

    A scenario that does not load is reported on stderr and left out (exit 1); `screening train check` says what is wrong with it.

    Example: screening train list --format json
    """
    import json

    from screening.model import text_for
    from screening.rtl import rtl_mode_from_env
    from screening.sanitize import visible
    from screening.training import load_library

    language = lang or "en"
    entries = load_library(_scenario_paths(scenarios))
    rows: list[dict[str, Any]] = []
    broken = 0
    for entry in entries:
        s = entry.scenario
        if s is None:
            broken += 1
            for problem in entry.problems:
                echo(visible(str(problem)), err=True)
            continue
        rows.append(
            {
                "id": s.id,
                "title": text_for(s.title, language, "en"),
                "sector": s.sector,
                "questionnaire": s.questionnaire,
                "expected_outcome": s.expected.outcome,
                "flags": list(s.expected.flags),
                "indicators": list(s.expected.indicators),
                "path": str(entry.path),
            }
        )
    if output is OutputFormat.JSON:
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        from screening.ui.training import render_scenario_list

        mode = rtl_mode_from_env(rtl, current().environ)
        view = current().view(language=language, mode=mode)
        render_scenario_list(view, rows)
    if broken:
        raise typer.Exit(1)


@app.command("demo")
def demo(
    scenario: ScenarioArgument,
    lang: LangOption = None,
    no_pause: Annotated[
        bool,
        typer.Option(
            "--no-pause",
            help="Run through without waiting for Enter (projection, scripts). Without a "
            "terminal there is no pause anyway.",
        ),
    ] = False,
    rtl: RtlOption = None,
    questionnaire: QuestionnaireOption = None,
    scenarios: ScenariosOption = None,
) -> None:
    """Replay a worked scenario one answer at a time, for a class.

    First the person and the story; then, for each answer in questionnaire order, the question and the answer, the indicators it reveals with their strength, the urgent flags it raises and the six dimensions' counts moving towards positive. Enter shows the next answer; q then Enter goes to the end: the outcome, the urgent actions and the trainer's notes.

    Example: screening train demo domestic_worker_confined --lang ar --rtl reorder
    """
    from screening.training import demo_steps
    from screening.ui.training import pause, render_ending, render_intro, render_step

    case = _load_case(scenario, scenarios, questionnaire)
    language = _language(lang, case)
    view = _view(case, language, rtl)
    steps = demo_steps(case.questionnaire, case.answers, case.checklist)
    waiting = not no_pause and _is_terminal()

    def advance() -> bool:
        nonlocal waiting
        if not waiting:
            return True
        try:
            return pause(view)
        except EOFError:  # the input ended: run through
            waiting = False
            return True

    render_intro(view, case)
    for step in steps:
        if not advance():
            break
        render_step(view, step, len(steps))
    else:
        advance()
    render_ending(view, case)


def _prompter() -> Prompter:
    from screening.ui.prompts import QuestionaryPrompter

    return QuestionaryPrompter()


@app.command("practice")
def practice(
    scenario: ScenarioArgument,
    output: Annotated[
        OutputFormat,
        format_option("table: the comparison for people; json: a class record."),
    ] = OutputFormat.TABLE,
    out: Annotated[
        Path | None, out_option("Also write the class record (JSON) to this file.")
    ] = None,
    force: ForceOption = False,
    trainee: Annotated[
        str | None,
        typer.Option("--trainee", help="Who practises (kept in the class record)."),
    ] = None,
    lang: LangOption = None,
    rtl: RtlOption = None,
    questionnaire: QuestionnaireOption = None,
    scenarios: ScenariosOption = None,
) -> None:
    """Interview a worked scenario yourself, then see what you missed.

    Shows the person and the story, then runs the real interview (the story stays at the top of each screen). Afterwards it compares your answers with the scenario's: the indicators you missed and those you claimed without basis, each with the answers that decide it, the outcome right or wrong, the urgent flags, and a score out of 100 (docs/training.md). Nothing of a practice is kept in the case store. Ctrl-C stops (exit 130).

    Example: screening train practice domestic_worker_confined --lang ar --trainee t-04
    """
    import json

    from screening.errors import NoTerminalError
    from screening.rtl import rtl_mode_from_env
    from screening.ui.training import (
        pause,
        render_intro,
        render_practice_result,
        run_practice,
        story_console,
    )

    case = _load_case(scenario, scenarios, questionnaire)
    language = _language(lang, case)
    mode = rtl_mode_from_env(rtl, current().environ)
    if out is not None:
        from screening.files import check_output

        check_output(out, force=force)
    if not _is_terminal():
        raise NoTerminalError(
            "practice needs a terminal; to replay the scenario without one, use "
            f"`screening train demo {case.scenario.id} --no-pause`"
        )
    console = story_console(case, language, mode, file=current().stdout)
    view = current().view(
        console=console, language=language, mode=mode, questionnaire=case.questionnaire
    )
    render_intro(view, case)
    view.para(view.tr("train.practice_intro"), style="bold")
    try:
        pause_ok = pause(view, key="train.start")
    except EOFError:
        pause_ok = True
    if not pause_ok:
        return
    result = run_practice(
        case, prompter=_prompter(), console=console, language=language, rtl=mode, trainee=trainee
    )
    record = result.record(trainee=trainee)
    if out is not None:
        from screening.files import write_private

        write_private(out, json.dumps(record, ensure_ascii=False, indent=2) + "\n", force=force)
    if output is OutputFormat.JSON:
        echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        render_practice_result(view, result)


@app.command("check")
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files; every scenario of --scenarios when none is given."),
    ] = None,
    questionnaire: QuestionnaireOption = None,
    scenarios: ScenariosOption = None,
) -> None:
    """Score every worked scenario and compare with what it expects.

    Each difference (outcome, urgent flags, an indicator to point out that is not observed, answers that do not fit the questionnaire, a file that does not load) is printed as `path: message`. Exit 0 when every scenario scores as it expects, 1 otherwise. CI runs it.

    Example: screening train check
    """
    from screening.errors import ScreeningError
    from screening.i18n import tn
    from screening.scenarios import check_scenario
    from screening.training import load_library, questionnaire_for

    paths = list(files) if files else _scenario_paths(scenarios)
    override = _override(questionnaire)
    failed = 0
    for entry in load_library(paths):
        lines: list[str] = [str(p) for p in entry.problems]
        if entry.scenario is not None:
            try:
                loaded = questionnaire_for(entry.scenario, override)
            except ScreeningError as error:
                lines.append(f"{entry.path}: questionnaire: {error.message}")
            else:
                result = check_scenario(entry.scenario, str(entry.path), loaded)
                lines.extend(f"{entry.path}: {d}" for d in result.differences)
        if lines:
            failed += 1
            for line in lines:
                echo(line)
    if failed:
        echo(tn("train.check.differ", len(paths), "en", failed=failed), err=True)
        raise typer.Exit(1)
    echo(tn("train.check.agree", len(paths), "en"), err=True)
