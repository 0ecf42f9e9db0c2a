"""Trainer mode's screens (a screen family), and the practice interview that draws them.

The replay of a scenario, the comparison after a practice interview and the list of scenarios.
Worker-language text (the story, questions, answers) is printed as plain lines, never inside a
bordered table; tables hold ids, counts, yes/no and the program's own words. In ``--rtl
reorder`` mode, paragraphs are wrapped before they are reordered (``screening.bidi``), so they
are printed line by line without rich's wrapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from screening.bidi import RtlMode
from screening.referral import rationale
from screening.sanitize import visible
from screening.scoring import Assessment
from screening.training import (
    SCORE_WEIGHTS,
    AnswerDifference,
    DemoStep,
    IndicatorReview,
    PracticeResult,
    ScenarioCase,
    answer_text,
    compare,
    shortfall,
)
from screening.ui.view import View

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

    from screening.questionnaires import LoadedQuestionnaire
    from screening.ui.prompts import Prompter


def render_scenario_list(view: View, rows: Sequence[dict[str, Any]]) -> None:
    """The scenarios, each as three lines: id and sector, the title, the expected outcome and
    urgent flags.

    Titles are sentences in the trainer's language and ids can be long: a bordered table would
    cut or wrap them, so each scenario is a short block of plain lines instead.
    """
    view.heading("train.list_title", count=len(rows))
    for row in rows:
        view.parts([(row["id"], "bold cyan"), (f" · {row['sector']}", "")])
        view.para(row["title"], indent=2)
        segments = [
            (f"{view.tr('train.col.outcome')}: ", "dim"),
            (row["expected_outcome"], "yellow"),
        ]
        if row["flags"]:
            segments.append((f" · {view.tr('train.col.flags')}: ", "dim"))
            segments.append((", ".join(row["flags"]), "bold red"))
        view.parts(segments, indent=2)


def render_intro(view: View, case: ScenarioCase) -> None:
    """The scenario's title, sector, the person and the story."""
    scenario = case.scenario
    view.rule(view.text(scenario.title))
    view.para(
        f"{view.tr('train.scenario')}: {scenario.id} · {view.tr('train.sector')}: {scenario.sector}",
        style="dim",
    )
    view.console.print()
    view.heading("train.persona")
    view.para(view.text(scenario.persona), indent=2)
    view.console.print()
    view.heading("train.story")
    view.para(view.text(scenario.narrative), indent=2)
    view.console.print()


_STRENGTH_STYLE = {"strong": "bold red", "medium": "yellow", "weak": "cyan"}


def _indicator_segments(view: View, q: Any, indicator_id: str, style: str) -> list[tuple[str, str]]:
    """An indicator as segments: its title, then ``[id · dimension · strength]``."""
    ind = q.indicator(indicator_id)
    if ind is None:
        return [(indicator_id, style)]
    strength = ind.strength.value
    return [
        (view.text(ind.title, q.default_language), style),
        (f"  [{ind.id} · {ind.dimension} · ", ""),
        (view.tr("strength." + strength), _STRENGTH_STYLE[strength]),
        ("]", ""),
    ]


def render_dimension_table(
    view: View, assessment: Assessment, moved: Sequence[str] | None = None
) -> None:
    """The dimensions: counts by strength, positive or not, what is still needed to be positive.

    Args:
        view: Where to print.
        assessment: The counts to show.
        moved: Dimensions whose counts just changed, marked in a first column; ``None`` for
            no such column.
    """
    from rich.text import Text

    q = assessment.questionnaire
    rows: list[list[Any]] = []
    for d in assessment.dimensions:
        need = shortfall(q.rule_of(d.dimension), d.strong, d.medium, d.weak)
        if d.positive or need is None:
            needed = "-"
        else:
            needed = ", ".join(
                f"{count} {view.tr('strength.' + name)}"
                for count, name in zip(need, ("strong", "medium", "weak"), strict=True)
                if count
            )
        changed = moved is not None and d.dimension.id in moved
        rows.append(
            [
                Text("▲", style="bold green") if changed else "",
                Text(visible(d.dimension.id), style="bold" if changed else ""),
                str(d.strong),
                str(d.medium),
                str(d.weak),
                Text(view.content_tr("summary.yes"), style="bold red")
                if d.positive
                else view.tr("summary.no"),
                needed,
            ]
        )
    columns: list[tuple[str, JustifyMethod]] = [
        (view.tr("train.col.changed"), "center"),
        (view.tr("summary.dimension"), "left"),
        (view.tr("summary.strong"), "right"),
        (view.tr("summary.medium"), "right"),
        (view.tr("summary.weak"), "right"),
        (view.tr("summary.positive"), "left"),
        (view.tr("train.col.needed"), "left"),
    ]
    if moved is None:
        columns, rows = columns[1:], [row[1:] for row in rows]
    view.table(view.tr("train.dimensions"), columns, rows)


def render_step(view: View, step: DemoStep, total: int) -> None:
    """One answer of the replay: the question and answer, what fired, flags, dimensions."""
    assessment = step.assessment
    q = assessment.questionnaire
    console = view.console
    console.print()
    view.rule(view.tr("train.step", index=step.index, total=total))
    if step.question_id is None:
        view.heading("train.checklist_step")
        for indicator_id in step.value:
            view.parts([("• ", ""), *_indicator_segments(view, q, indicator_id, "bold")], indent=2)
    else:
        question = q.question(step.question_id)
        asked = view.text(question.text, q.default_language) if question else step.question_id
        view.para(f"{view.tr('train.question')} [{step.question_id}]", style="bold")
        view.para(asked, indent=2)
        view.para(view.tr("train.answer") + ":", style="bold")
        view.para(
            answer_text(q, step.question_id, step.value, view.language),
            indent=2,
            style="bold green",
        )
    if step.fired:
        view.para(view.tr("train.fired") + ":", style="bold")
        for observed in step.fired:
            view.parts(
                [
                    ("+ ", "bold green"),
                    *_indicator_segments(view, q, observed.indicator.id, "bold"),
                ],
                indent=2,
            )
    elif not step.withdrawn:
        view.para(view.tr("train.nothing_new"), style="dim")
    if step.withdrawn:
        view.para(f"{view.tr('train.withdrawn')}: {', '.join(step.withdrawn)}", style="yellow")
    for flag_id in step.raised:
        _flag_box(view, q, flag_id)
    if step.moved:
        render_dimension_table(view, assessment, step.moved)
    if step.turned_positive:
        view.para(
            view.tr("train.turned_positive", ids=", ".join(step.turned_positive)), style="bold red"
        )
    if step.outcome_changed:
        outcome = assessment.outcome
        view.para(
            view.tr(
                "train.outcome_now",
                title=view.text(outcome.title, q.default_language),
                code=outcome.code,
            ),
            style="bold yellow",
        )


def _flag_box(view: View, q: Any, flag_id: str) -> None:
    flag = q.flag(flag_id)
    if flag is None:
        return
    view.box(
        f"{view.tr('summary.urgent')}: {view.text(flag.title, q.default_language)} [{flag_id}]",
        view.text(flag.action, q.default_language),
        style="bold red",
        border_style="red",
    )


def render_outcome(view: View, assessment: Assessment) -> None:
    """Urgent actions first, then the outcome with its action, the dimensions and the reasons."""
    q = assessment.questionnaire
    for flag_id in assessment.flags:
        _flag_box(view, q, flag_id)
    outcome = assessment.outcome
    lines = [
        f"{view.tr('summary.action')}: {view.text(outcome.action, q.default_language)}",
        f"{view.tr('summary.category')}: {outcome.category}",
    ]
    if outcome.referral_target is not None:
        target = view.text(outcome.referral_target, q.default_language)
        lines.append(f"{view.tr('summary.target')}: {target}")
    view.box(
        f"{view.tr('summary.outcome')}: {view.text(outcome.title, q.default_language)} ({outcome.code})",
        "\n".join(lines),
        border_style="yellow" if outcome.refer else "green",
    )
    render_dimension_table(view, assessment)
    view.heading("summary.indicators")
    if not assessment.indicators:
        view.para(view.tr("summary.none"), indent=2)
    for observed in assessment.indicators:
        view.parts(
            [
                ("• ", ""),
                *_indicator_segments(view, q, observed.indicator.id, "bold"),
                (f"  {view.tr('summary.evidence')}: {', '.join(observed.evidence)}", "dim"),
            ],
            indent=2,
        )
    view.heading("summary.why")
    for sentence in rationale(assessment, view.language):
        view.para("- " + sentence, indent=2)


def render_ending(view: View, case: ScenarioCase, assessment: Assessment | None = None) -> None:
    """The outcome, the urgent actions, the indicators to point out and the trainer's notes."""
    assessment = assessment or case.assessment
    q = case.questionnaire
    console = view.console
    console.print()
    view.rule(view.tr("train.the_end"))
    render_outcome(view, assessment)
    key = case.scenario.expected.indicators
    if key:
        console.print()
        view.heading("train.key_indicators")
        for indicator_id in key:
            view.parts([("• ", ""), *_indicator_segments(view, q, indicator_id, "bold")], indent=2)
    notes = case.scenario.trainer_notes
    if notes:
        console.print()
        view.heading("train.notes")
        view.para(view.text(notes), indent=2)


def pause(view: View, *, key: str = "train.pause") -> bool:
    """Wait for Enter; False when q was typed (go to the outcome, or do not start).

    Args:
        view: Where to ask.
        key: The program string that says what Enter and q do.

    Raises:
        KeyboardInterrupt: Ctrl-C.
        EOFError: The input ended.
    """
    from rich.text import Text

    view.console.print(Text(view.content_tr(key), style="dim"), end="")
    typed = view.console.input()
    return typed.strip().lower() not in ("q", "quit")


def _answer_lines(view: View, q: Any, differences: Sequence[AnswerDifference]) -> None:
    for d in differences:
        question = q.question(d.question_id)
        asked = view.text(question.text, q.default_language) if question else d.question_id
        view.para(f"[{d.question_id}] {asked}", indent=6, style="dim")
        expected = answer_text(q, d.question_id, d.expected, view.language)
        given = answer_text(q, d.question_id, d.given, view.language)
        view.para(f"{view.tr('train.scenario_answer')}: {expected}", indent=8)
        view.para(f"{view.tr('train.your_answer')}: {given}", indent=8, style="bold")


def _review_list(view: View, q: Any, reviews: Sequence[IndicatorReview], style: str) -> None:
    for review in reviews:
        segments = [("• ", ""), *_indicator_segments(view, q, review.id, style)]
        if review.key:
            segments.append((f"  ({view.tr('train.key')})", "bold"))
        view.parts(segments, indent=2)
        if "checklist" in review.evidence:
            view.para(view.tr("train.checklist_evidence"), indent=6, style="dim")
        _answer_lines(view, q, review.answers)


def render_practice_result(view: View, result: PracticeResult) -> None:
    """What the trainee found, missed and claimed without basis, the outcome, and the score."""
    q = result.case.questionnaire
    console = view.console
    expected, given = result.expected, result.given
    console.print()
    view.rule(view.tr("train.result", score=result.score))
    if result.outcome_right:
        view.para(
            "✓ "
            + view.tr(
                "train.outcome_right",
                title=view.text(expected.outcome.title, q.default_language),
                code=expected.outcome.code,
            ),
            style="bold green",
        )
    else:
        view.para(
            "✗ "
            + view.tr(
                "train.outcome_wrong",
                given_title=view.text(given.outcome.title, q.default_language),
                given=given.outcome.code,
                title=view.text(expected.outcome.title, q.default_language),
                code=expected.outcome.code,
            ),
            style="bold red",
        )
    if result.flags_missed:
        view.para(
            "✗ " + view.tr("train.flags_missed", ids=", ".join(result.flags_missed)),
            style="bold red",
        )
    if result.flags_unfounded:
        view.para(
            "✗ " + view.tr("train.flags_unfounded", ids=", ".join(result.flags_unfounded)),
            style="yellow",
        )
    if not result.flags_missed and not result.flags_unfounded:
        flags = ", ".join(expected.flags) or view.tr("train.none")
        view.para("✓ " + view.tr("train.flags_right", ids=flags), style="green")
    console.print()
    view.heading("train.found", count=len(result.found))
    for indicator_id in result.found:
        view.parts(
            [("✓ ", "green"), *_indicator_segments(view, q, indicator_id, "green")], indent=2
        )
    console.print()
    view.heading("train.missed", count=len(result.missed))
    _review_list(view, q, result.missed, "bold red")
    console.print()
    view.heading("train.unfounded", count=len(result.unfounded))
    _review_list(view, q, result.unfounded, "bold yellow")
    shown = {d.question_id for r in (*result.missed, *result.unfounded) for d in r.answers}
    others = [d for d in result.differences if d.question_id not in shown]
    if others:
        console.print()
        view.heading("train.other_differences", count=len(others))
        _answer_lines(view, q, others)
    console.print()
    view.para(
        view.tr(
            "train.score_formula",
            wi=SCORE_WEIGHTS["indicators"],
            f1=f"{result.indicator_f1:.2f}",
            wo=SCORE_WEIGHTS["outcome"],
            outcome=1 if result.outcome_right else 0,
            wf=SCORE_WEIGHTS["flags"],
            flags=f"{result.flag_f1:.2f}",
            score=result.score,
        ),
        style="bold",
    )


def run_practice(
    case: ScenarioCase,
    *,
    prompter: Prompter,
    console: Console,
    language: str,
    rtl: RtlMode = RtlMode.OFF,
    trainee: str | None = None,
) -> PracticeResult:
    """Let a trainee interview a scenario with the real interview, then compare.

    The interview (:class:`screening.ui.interview.Interview`) runs as at the centre: the
    pre-interview checklist, every question that applies, urgent flags, the review. Its case
    store and the referral it writes live in a temporary folder that is deleted afterwards, so
    nothing of a practice reaches the centre's case store or its audit log.

    Args:
        case: The scenario, prepared.
        prompter: Where the questions are asked.
        console: Where the interview's screens are drawn.
        language: The interview language (also the language of the screens).
        rtl: Right-to-left display mode.
        trainee: Who practises; shown as the officer of the practice case.

    Returns:
        The comparison of the trainee's answers with the scenario's.

    Raises:
        Interrupted: Ctrl-C or the end of input; nothing of the practice is kept.
    """
    import tempfile

    from screening.errors import Interrupted
    from screening.store import open_store
    from screening.ui.interview import Interview, InterviewSettings

    def load(_ref: str | None) -> LoadedQuestionnaire:
        return case.loaded

    with tempfile.TemporaryDirectory(prefix="screening-practice-") as folder:
        home = Path(folder)
        settings = InterviewSettings(
            questionnaire=case.questionnaire.id,
            officer=trainee or "trainee",
            language=language,
            ui_language=language,
            out=home / "practice-referral.json",
            rtl=rtl,
            practice=True,
        )
        with open_store(home / "store") as store:
            try:
                result = Interview(
                    settings,
                    prompter=prompter,
                    console=console,
                    store=store,
                    referrals_dir=home,
                    load=load,
                ).run()
            except Interrupted:
                raise Interrupted(
                    "practice stopped: nothing of it was kept",
                    hint=f"Start again with `screening train practice {case.scenario.id}`.",
                ) from None
            answers = dict(store.get_case(result.case_id).answers)
    return compare(case, answers, language=language)


def story_console(
    case: ScenarioCase, language: str, mode: RtlMode, *, file: TextIO | None = None
) -> Console:
    """A console for a practice interview that keeps the worker's story on every screen.

    The interview starts each screen by clearing the terminal; this console then prints the
    scenario's title and story again at the top, so that the trainee can read the answers
    from it. Without a terminal nothing is cleared and the story is not repeated.

    Args:
        case: The scenario.
        language: The language of the story.
        mode: ``--rtl`` display mode.
        file: Where it draws (the command's standard output; the process's when omitted).
    """
    from rich.console import Console

    class _StoryConsole(Console):
        def clear(self, home: bool = True) -> None:
            super().clear(home)
            if self.is_terminal and not self.is_dumb_terminal:
                view = View(self, language=language, mode=mode, questionnaire=case.questionnaire)
                view.para(
                    f"{view.tr('train.story')}: {view.text(case.scenario.title)}",
                    style="bold magenta",
                )
                view.para(view.text(case.scenario.narrative), indent=2, style="magenta")
                self.rule(style="magenta")

    return _StoryConsole(file=file, highlight=False)
