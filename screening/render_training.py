"""Trainer mode's screens with rich (adapter: one of the modules that import rich).

The replay of a scenario, the comparison after a practice interview and the list of scenarios.
Worker-language text (the story, questions, answers) is printed as plain lines, never inside a
bordered table; tables hold ids, counts, yes/no and the program's own words. In ``--rtl
reorder`` mode, paragraphs are wrapped before they are reordered (``screening.bidi``), so they
are printed line by line without rich's wrapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from screening.bidi import RtlMode, display, display_lines
from screening.i18n import t, ui_language
from screening.model import text_for
from screening.referral import rationale
from screening.sanitize import visible
from screening.scoring import Assessment
from screening.training import (
    SCORE_WEIGHTS,
    AnswerDifference,
    Case,
    DemoStep,
    IndicatorReview,
    PracticeResult,
    answer_text,
    shortfall,
)

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod


class View:
    """Where and how trainer mode prints: the console, the language, right-to-left display.

    Every line is given in logical order and goes through :meth:`say` or :meth:`parts`. In
    ``reorder`` mode a right-to-left language's lines are wrapped, reordered and aligned to the
    right (indents are then taken from the right edge), and tables run from right to left.

    Args:
        console: Where to print.
        language: The language of the questionnaire's and the scenario's texts.
        mode: ``--rtl`` display mode.
        rtl: Whether the language reads from right to left.
    """

    def __init__(
        self,
        console: Console,
        language: str,
        mode: RtlMode,
        *,
        rtl: bool,
        gender: str | None = None,
    ) -> None:
        self.console = console
        self.language = language
        self.ui = ui_language(language)
        self.mode = mode
        self.rtl = rtl
        self.gender = gender
        """The scenario's person's gender (``female``, ``male``): picks gendered forms."""

    @property
    def mirrored(self) -> bool:
        """Whether the screen is laid out from right to left (reorder mode, RTL language)."""
        return self.rtl and self.mode is RtlMode.REORDER

    def label(self, text: str) -> str:
        """A short text in its display form (nothing is wrapped), made visible."""
        return display(visible(text), self.mode, rtl=True if self.rtl else None)

    def t(self, key: str, **values: object) -> str:
        """A program string in the view's language, as stored (to compose a longer line)."""
        return t(key, self.ui, **values)

    def tr(self, key: str, **values: object) -> str:
        """A program string in the view's language, in its display form."""
        return self.label(t(key, self.ui, **values))

    def text(self, value: Any, fallback: str = "en") -> str:
        """A questionnaire or scenario text (``{en: ..., ar: ...}``) in the view's language."""
        return text_for(value, self.language, fallback, self.gender)

    def say(self, text: str, *, indent: int = 0, style: str = "") -> None:
        """Print logical text wrapped to the console; reordered and aligned in reorder mode."""
        from rich.padding import Padding
        from rich.text import Text

        text = visible(text, lines=True)
        if self.mode is RtlMode.OFF:
            self.console.print(Padding(Text(text, style=style), (0, 0, 0, indent), expand=False))
            return
        width = max(10, self.console.width - indent)
        for line in display_lines(text, width, self.mode, rtl=True if self.rtl else None):
            shown = line + " " * indent if self.mirrored else " " * indent + line
            self.console.print(Text(shown, style=style), no_wrap=True, overflow="crop")

    def parts(self, segments: Sequence[tuple[str, str]], *, indent: int = 0) -> None:
        """Print one line made of styled segments of logical text.

        In reorder mode the segments are joined and reordered as one line, which keeps their
        reading order right but gives the whole line the first segment's style.
        """
        from rich.padding import Padding
        from rich.text import Text

        if self.mode is RtlMode.REORDER:
            style = next((st for _, st in segments if st), "")
            self.say("".join(text for text, _ in segments), indent=indent, style=style)
            return
        line = Text()
        for text, style in segments:
            line.append(visible(text), style=style)
        self.console.print(Padding(line, (0, 0, 0, indent), expand=False))

    def heading(self, key: str, **values: object) -> None:
        """A bold line with a program string."""
        self.say(self.t(key, **values), style="bold")

    def rule(self, title: str) -> None:
        """A horizontal rule with a title (logical text)."""
        from rich.rule import Rule
        from rich.text import Text

        self.console.print(Rule(Text(self.label(title)), style="cyan"))

    def box(self, title: str, text: str, *, style: str = "", border_style: str = "") -> None:
        """A bordered panel around logical text; lines are wrapped before reordering."""
        from rich.panel import Panel
        from rich.text import Text

        text = visible(text, lines=True)
        if self.mode is RtlMode.OFF:
            body = Text(text)
        else:
            width = max(10, self.console.width - 4)  # two borders, one cell of padding each
            lines = display_lines(text, width, self.mode, rtl=True if self.rtl else None)
            body = Text("\n".join(lines), no_wrap=True, overflow="crop")
        self.console.print(
            Panel(
                body,
                title=Text(self.label(title), style="bold"),
                style=style,
                border_style=border_style,
            )
        )

    def table(
        self,
        title: str,
        columns: Sequence[tuple[str, JustifyMethod]],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Print a bordered table; right to left when the screen is mirrored.

        Args:
            title: The title (logical text).
            columns: Header (logical text) and justification of each column.
            rows: Cells: strings (logical text) or rich ``Text`` (already in display form).
        """
        from rich.table import Table
        from rich.text import Text

        order = list(range(len(columns)))
        if self.mirrored:
            order.reverse()
        table = Table(
            title=Text(self.label(title)), title_justify="right" if self.mirrored else "left"
        )
        for index in order:
            header, justify = columns[index]
            # Cells are never wrapped: rich would wrap reordered text, which puts right-to-left
            # lines out of order. A cell too long for the terminal ends with an ellipsis.
            table.add_column(
                Text(self.label(header)), justify=justify, no_wrap=True, overflow="ellipsis"
            )
        for row in rows:
            # Text, never markup: a title such as "[/x]" in a scenario file is shown as it is
            table.add_row(
                *(Text(self.label(row[i])) if isinstance(row[i], str) else row[i] for i in order)
            )
        if self.mirrored:
            from rich.align import Align

            self.console.print(Align.right(table))
        else:
            self.console.print(table)


def render_scenario_list(view: View, rows: Sequence[dict[str, Any]]) -> None:
    """The scenarios, each as three lines: id and sector, the title, the expected outcome and
    urgent flags.

    Titles are sentences in the trainer's language and ids can be long: a bordered table would
    cut or wrap them, so each scenario is a short block of plain lines instead.
    """
    view.heading("train.list_title", count=len(rows))
    for row in rows:
        view.parts([(row["id"], "bold cyan"), (f" · {row['sector']}", "")])
        view.say(row["title"], indent=2)
        segments = [
            (f"{view.t('train.col.outcome')}: ", "dim"),
            (row["expected_outcome"], "yellow"),
        ]
        if row["flags"]:
            segments.append((f" · {view.t('train.col.flags')}: ", "dim"))
            segments.append((", ".join(row["flags"]), "bold red"))
        view.parts(segments, indent=2)


def render_intro(view: View, case: Case) -> None:
    """The scenario's title, sector, the person and the story."""
    scenario = case.scenario
    view.rule(view.text(scenario.title))
    view.say(
        f"{view.t('train.scenario')}: {scenario.id} · {view.t('train.sector')}: {scenario.sector}",
        style="dim",
    )
    view.console.print()
    view.heading("train.persona")
    view.say(view.text(scenario.persona), indent=2)
    view.console.print()
    view.heading("train.story")
    view.say(view.text(scenario.narrative), indent=2)
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
        (view.t("strength." + strength), _STRENGTH_STYLE[strength]),
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
                f"{count} {view.t('strength.' + name)}"
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
                Text(view.tr("summary.yes"), style="bold red")
                if d.positive
                else view.t("summary.no"),
                needed,
            ]
        )
    columns: list[tuple[str, JustifyMethod]] = [
        (view.t("train.col.changed"), "center"),
        (view.t("summary.dimension"), "left"),
        (view.t("summary.strong"), "right"),
        (view.t("summary.medium"), "right"),
        (view.t("summary.weak"), "right"),
        (view.t("summary.positive"), "left"),
        (view.t("train.col.needed"), "left"),
    ]
    if moved is None:
        columns, rows = columns[1:], [row[1:] for row in rows]
    view.table(view.t("train.dimensions"), columns, rows)


def render_step(view: View, step: DemoStep, total: int) -> None:
    """One answer of the replay: the question and answer, what fired, flags, dimensions."""
    assessment = step.assessment
    q = assessment.questionnaire
    console = view.console
    console.print()
    view.rule(view.t("train.step", index=step.index, total=total))
    if step.question_id is None:
        view.heading("train.checklist_step")
        for indicator_id in step.value:
            view.parts([("• ", ""), *_indicator_segments(view, q, indicator_id, "bold")], indent=2)
    else:
        question = q.question(step.question_id)
        asked = view.text(question.text, q.default_language) if question else step.question_id
        view.say(f"{view.t('train.question')} [{step.question_id}]", style="bold")
        view.say(asked, indent=2)
        view.say(view.t("train.answer") + ":", style="bold")
        view.say(
            answer_text(q, step.question_id, step.value, view.language),
            indent=2,
            style="bold green",
        )
    if step.fired:
        view.say(view.t("train.fired") + ":", style="bold")
        for observed in step.fired:
            view.parts(
                [
                    ("+ ", "bold green"),
                    *_indicator_segments(view, q, observed.indicator.id, "bold"),
                ],
                indent=2,
            )
    elif not step.withdrawn:
        view.say(view.t("train.nothing_new"), style="dim")
    if step.withdrawn:
        view.say(f"{view.t('train.withdrawn')}: {', '.join(step.withdrawn)}", style="yellow")
    for flag_id in step.raised:
        _flag_box(view, q, flag_id)
    if step.moved:
        render_dimension_table(view, assessment, step.moved)
    if step.turned_positive:
        view.say(
            view.t("train.turned_positive", ids=", ".join(step.turned_positive)), style="bold red"
        )
    if step.outcome_changed:
        outcome = assessment.outcome
        view.say(
            view.t(
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
        f"{view.t('summary.urgent')}: {view.text(flag.title, q.default_language)} [{flag_id}]",
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
        f"{view.t('summary.action')}: {view.text(outcome.action, q.default_language)}",
        f"{view.t('summary.category')}: {outcome.category}",
    ]
    if outcome.referral_target is not None:
        target = view.text(outcome.referral_target, q.default_language)
        lines.append(f"{view.t('summary.target')}: {target}")
    view.box(
        f"{view.t('summary.outcome')}: {view.text(outcome.title, q.default_language)} ({outcome.code})",
        "\n".join(lines),
        border_style="yellow" if outcome.refer else "green",
    )
    render_dimension_table(view, assessment)
    view.heading("summary.indicators")
    if not assessment.indicators:
        view.say(view.t("summary.none"), indent=2)
    for observed in assessment.indicators:
        view.parts(
            [
                ("• ", ""),
                *_indicator_segments(view, q, observed.indicator.id, "bold"),
                (f"  {view.t('summary.evidence')}: {', '.join(observed.evidence)}", "dim"),
            ],
            indent=2,
        )
    view.heading("summary.why")
    for sentence in rationale(assessment, view.language):
        view.say("- " + sentence, indent=2)


def render_ending(view: View, case: Case, assessment: Assessment | None = None) -> None:
    """The outcome, the urgent actions, the indicators to point out and the trainer's notes."""
    assessment = assessment or case.assessment
    q = case.questionnaire
    console = view.console
    console.print()
    view.rule(view.t("train.the_end"))
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
        view.say(view.text(notes), indent=2)


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

    view.console.print(Text(view.tr(key), style="dim"), end="")
    typed = view.console.input()
    return typed.strip().lower() not in ("q", "quit")


def _answer_lines(view: View, q: Any, differences: Sequence[AnswerDifference]) -> None:
    for d in differences:
        question = q.question(d.question_id)
        asked = view.text(question.text, q.default_language) if question else d.question_id
        view.say(f"[{d.question_id}] {asked}", indent=6, style="dim")
        expected = answer_text(q, d.question_id, d.expected, view.language)
        given = answer_text(q, d.question_id, d.given, view.language)
        view.say(f"{view.t('train.scenario_answer')}: {expected}", indent=8)
        view.say(f"{view.t('train.your_answer')}: {given}", indent=8, style="bold")


def _review_list(view: View, q: Any, reviews: Sequence[IndicatorReview], style: str) -> None:
    for review in reviews:
        segments = [("• ", ""), *_indicator_segments(view, q, review.id, style)]
        if review.key:
            segments.append((f"  ({view.t('train.key')})", "bold"))
        view.parts(segments, indent=2)
        if "checklist" in review.evidence:
            view.say(view.t("train.checklist_evidence"), indent=6, style="dim")
        _answer_lines(view, q, review.answers)


def render_practice_result(view: View, result: PracticeResult) -> None:
    """What the trainee found, missed and claimed without basis, the outcome, and the score."""
    q = result.case.questionnaire
    console = view.console
    expected, given = result.expected, result.given
    console.print()
    view.rule(view.t("train.result", score=result.score))
    if result.outcome_right:
        view.say(
            "✓ "
            + view.t(
                "train.outcome_right",
                title=view.text(expected.outcome.title, q.default_language),
                code=expected.outcome.code,
            ),
            style="bold green",
        )
    else:
        view.say(
            "✗ "
            + view.t(
                "train.outcome_wrong",
                given_title=view.text(given.outcome.title, q.default_language),
                given=given.outcome.code,
                title=view.text(expected.outcome.title, q.default_language),
                code=expected.outcome.code,
            ),
            style="bold red",
        )
    if result.flags_missed:
        view.say(
            "✗ " + view.t("train.flags_missed", ids=", ".join(result.flags_missed)),
            style="bold red",
        )
    if result.flags_unfounded:
        view.say(
            "✗ " + view.t("train.flags_unfounded", ids=", ".join(result.flags_unfounded)),
            style="yellow",
        )
    if not result.flags_missed and not result.flags_unfounded:
        flags = ", ".join(expected.flags) or view.t("train.none")
        view.say("✓ " + view.t("train.flags_right", ids=flags), style="green")
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
    view.say(
        view.t(
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


def render_indicator_scenarios(
    console: Console,
    records: Sequence[dict[str, Any]],
    language: str,
    *,
    mode: RtlMode = RtlMode.OFF,
    rtl: bool = False,
) -> None:
    """The worked scenarios that show an indicator, for ``screening indicators show``.

    Args:
        console: Where to print.
        records: ``{id, title, key}`` records (:func:`screening.training.indicator_scenarios`).
        language: The language of the titles and headings.
        mode: ``--rtl`` display mode.
        rtl: Whether the language reads from right to left.
    """
    if not records:
        return
    view = View(console, language, mode, rtl=rtl)
    console.print()
    view.heading("train.shown_in")
    for record in records:
        segments = [(f"• {record['id']}: ", ""), (record["title"], "")]
        if record["key"]:
            segments.append((f" ({view.t('train.key')})", "bold"))
        view.parts(segments, indent=2)


def story_console(case: Case, language: str, mode: RtlMode, *, rtl: bool) -> Console:
    """A console for a practice interview that keeps the worker's story on every screen.

    The interview starts each screen by clearing the terminal; this console then prints the
    scenario's title and story again at the top, so that the trainee can read the answers
    from it. Without a terminal nothing is cleared and the story is not repeated.

    Args:
        case: The scenario.
        language: The language of the story.
        mode: ``--rtl`` display mode.
        rtl: Whether the language reads from right to left.
    """
    from rich.console import Console

    class _StoryConsole(Console):
        def clear(self, home: bool = True) -> None:
            super().clear(home)
            if self.is_terminal and not self.is_dumb_terminal:
                view = View(self, language, mode, rtl=rtl)
                view.say(
                    f"{view.t('train.story')}: {view.text(case.scenario.title)}",
                    style="bold magenta",
                )
                view.say(view.text(case.scenario.narrative), indent=2, style="magenta")
                self.rule(style="magenta")

    return _StoryConsole(highlight=False)
