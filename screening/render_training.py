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
from screening.i18n import register, t, ui_language
from screening.model import text_for
from screening.referral import rationale
from screening.render import render_summary
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
    from rich.console import Console

register(
    {
        "train.list_title": {"en": "{count} worked scenario(s)", "ar": "عدد الحالات التدريبية: {count}"},
        "train.col.id": {"en": "id", "ar": "المعرّف"},
        "train.col.sector": {"en": "sector", "ar": "القطاع"},
        "train.col.outcome": {"en": "expected outcome", "ar": "النتيجة المتوقعة"},
        "train.col.flags": {"en": "urgent flags", "ar": "تنبيهات عاجلة"},
        "train.col.title": {"en": "title", "ar": "العنوان"},
        "train.col.changed": {"en": "moved", "ar": "تغيّر"},
        "train.col.needed": {"en": "still needed", "ar": "المطلوب بعد"},
        "train.scenario": {"en": "Scenario", "ar": "الحالة"},
        "train.sector": {"en": "Sector", "ar": "القطاع"},
        "train.persona": {"en": "The person", "ar": "الشخص"},
        "train.story": {"en": "The story", "ar": "القصة"},
        "train.step": {"en": "Answer {index} of {total}", "ar": "الإجابة {index} من {total}"},
        "train.checklist_step": {
            "en": "Indicators ticked directly by the officer",
            "ar": "مؤشرات حدّدها الموظف مباشرةً",
        },
        "train.question": {"en": "Question", "ar": "السؤال"},
        "train.answer": {"en": "Answer", "ar": "الإجابة"},
        "train.fired": {
            "en": "Indicators observed at this answer",
            "ar": "مؤشرات رُصدت عند هذه الإجابة",
        },
        "train.withdrawn": {"en": "No longer observed", "ar": "لم يعد مرصودًا"},
        "train.nothing_new": {
            "en": "No new indicator at this answer.",
            "ar": "لا مؤشر جديد عند هذه الإجابة.",
        },
        "train.dimensions": {
            "en": "Dimensions: observed indicators by strength",
            "ar": "الأبعاد: المؤشرات المرصودة بحسب القوة",
        },
        "train.turned_positive": {
            "en": "Dimension now positive: {ids}",
            "ar": "بُعد أصبح إيجابيًا: {ids}",
        },
        "train.outcome_now": {
            "en": "Outcome so far: {title} ({code})",
            "ar": "النتيجة حتى الآن: {title} ({code})",
        },
        "train.pause": {
            "en": "Enter: next answer · q then Enter: go to the outcome ",
            "ar": "Enter: الإجابة التالية · q ثم Enter: الانتقال إلى النتيجة ",
        },
        "train.the_end": {"en": "How the scenario ends", "ar": "خاتمة الحالة"},
        "train.key_indicators": {
            "en": "Indicators to point out",
            "ar": "مؤشرات ينبغي التنبيه إليها",
        },
        "train.notes": {"en": "Trainer's notes", "ar": "ملاحظات المدرّب"},
        "train.practice_intro": {
            "en": "Interview the worker as you would at the centre: the answers are in the story above.",
            "ar": "أجرِ المقابلة كما تجريها في المركز: الإجابات موجودة في القصة أعلاه.",
        },
        "train.result": {"en": "Your result: {score}/100", "ar": "نتيجتك: {score}/100"},
        "train.outcome_right": {
            "en": "Outcome right: {title} ({code})",
            "ar": "النتيجة صحيحة: {title} ({code})",
        },
        "train.outcome_wrong": {
            "en": "Outcome wrong: your answers give {given_title} ({given}); the scenario gives {title} ({code})",
            "ar": "النتيجة خاطئة: إجاباتك تعطي {given_title} ({given})؛ والحالة تعطي {title} ({code})",
        },
        "train.flags_missed": {
            "en": "Urgent flags missed: {ids}",
            "ar": "تنبيهات عاجلة فاتتك: {ids}",
        },
        "train.flags_unfounded": {
            "en": "Urgent flags raised without basis: {ids}",
            "ar": "تنبيهات عاجلة رُفعت دون أساس: {ids}",
        },
        "train.flags_right": {
            "en": "Urgent flags right: {ids}",
            "ar": "التنبيهات العاجلة صحيحة: {ids}",
        },
        "train.found": {"en": "Indicators found ({count})", "ar": "مؤشرات رصدتها ({count})"},
        "train.missed": {"en": "Indicators missed ({count})", "ar": "مؤشرات فاتتك ({count})"},
        "train.unfounded": {
            "en": "Indicators claimed without basis ({count})",
            "ar": "مؤشرات دون أساس ({count})",
        },
        "train.key": {"en": "key indicator", "ar": "مؤشر أساسي"},
        "train.scenario_answer": {"en": "scenario", "ar": "الحالة"},
        "train.your_answer": {"en": "you", "ar": "أنت"},
        "train.checklist_evidence": {
            "en": "ticked directly (checklist)",
            "ar": "حُدِّد مباشرةً (قائمة التحقق)",
        },
        "train.other_differences": {
            "en": "Other answers that differ ({count})",
            "ar": "إجابات أخرى مختلفة ({count})",
        },
        "train.score_formula": {
            "en": "Score = {wi} × {f1} (indicators, F1) + {wo} × {outcome} (outcome) + {wf} × {flags} (urgent flags, F1) = {score}",
            "ar": "الدرجة = {wi} × {f1} (المؤشرات، F1) + {wo} × {outcome} (النتيجة) + {wf} × {flags} (التنبيهات العاجلة، F1) = {score}",
        },
        "train.none": {"en": "none", "ar": "لا يوجد"},
        "train.shown_in": {
            "en": "Worked scenarios that show it (train demo ID)",
            "ar": "حالات تدريبية تُظهره (train demo ID)",
        },
    }
)


class View:
    """Where and how trainer mode prints: the console, the language, right-to-left display.

    Args:
        console: Where to print.
        language: The language of the questionnaire's and the scenario's texts.
        mode: ``--rtl`` display mode.
        rtl: Whether the language reads from right to left.
    """

    def __init__(self, console: Console, language: str, mode: RtlMode, *, rtl: bool) -> None:
        self.console = console
        self.language = language
        self.ui = ui_language(language)
        self.mode = mode
        self.rtl = rtl

    def label(self, text: str) -> str:
        """A short text in its display form (nothing is wrapped)."""
        return display(text, self.mode, rtl=True if self.rtl else None)

    def t(self, key: str, **values: object) -> str:
        """A program string in the view's language, as stored (to compose a longer line)."""
        return t(key, self.ui, **values)

    def tr(self, key: str, **values: object) -> str:
        """A program string in the view's language, in its display form."""
        return self.label(t(key, self.ui, **values))

    def text(self, value: Any, fallback: str = "en") -> str:
        """A questionnaire or scenario text (``{en: ..., ar: ...}``) in the view's language."""
        return text_for(value, self.language, fallback)

    def paragraph(self, text: str, *, indent: int = 0, style: str = "") -> None:
        """Print text wrapped to the console, right-to-left lines reordered in reorder mode."""
        from rich.padding import Padding
        from rich.text import Text

        if self.mode is RtlMode.OFF:
            self.console.print(Padding(Text(text, style=style), (0, 0, 0, indent)))
            return
        width = max(10, self.console.width - indent)
        for line in display_lines(text, width, self.mode, rtl=True if self.rtl else None):
            self.console.print(
                Text(" " * indent + line, style=style), no_wrap=True, overflow="crop"
            )

    def heading(self, key: str, **values: object) -> None:
        """A bold line with a program string."""
        from rich.text import Text

        self.console.print(Text(self.tr(key, **values), style="bold"))

    def rule(self, title: str) -> None:
        """A horizontal rule with a title (already in display form)."""
        from rich.rule import Rule

        self.console.print(Rule(title, style="cyan"))


def render_scenario_table(view: View, rows: Sequence[dict[str, Any]]) -> None:
    """The scenarios as a table: id, sector, expected outcome, urgent flags, title."""
    from rich.table import Table

    table = Table(title=view.tr("train.list_title", count=len(rows)), title_justify="left")
    for key in ("train.col.id", "train.col.sector", "train.col.outcome", "train.col.flags"):
        table.add_column(view.tr(key), no_wrap=True)
    table.add_column(view.tr("train.col.title"))
    for row in rows:
        table.add_row(
            row["id"],
            row["sector"],
            row["expected_outcome"],
            ", ".join(row["flags"]) or "-",
            view.label(row["title"]),
        )
    view.console.print(table)


def render_intro(view: View, case: Case) -> None:
    """The scenario's title, sector, the person and the story."""
    from rich.text import Text

    scenario = case.scenario
    view.rule(view.label(view.text(scenario.title)))
    view.console.print(
        Text(
            view.label(
                f"{view.t('train.scenario')}: {scenario.id} · {view.t('train.sector')}: {scenario.sector}"
            ),
            style="dim",
        )
    )
    view.console.print()
    view.heading("train.persona")
    view.paragraph(view.text(scenario.persona), indent=2)
    view.console.print()
    view.heading("train.story")
    view.paragraph(view.text(scenario.narrative), indent=2)
    view.console.print()


def _strength(view: View, strength: str) -> str:
    return view.tr("strength." + strength)


_STRENGTH_STYLE = {"strong": "bold red", "medium": "yellow", "weak": "cyan"}


def render_dimension_table(
    view: View, assessment: Assessment, moved: Sequence[str] = ()
) -> None:
    """The dimensions: counts by strength, positive or not, what is still needed to be positive.

    Args:
        view: Where to print.
        assessment: The counts to show.
        moved: Dimensions whose counts just changed; they are marked.
    """
    from rich.table import Table
    from rich.text import Text

    q = assessment.questionnaire
    table = Table(title=view.tr("train.dimensions"), title_justify="left")
    table.add_column(view.tr("train.col.changed"), justify="center")
    table.add_column(view.tr("summary.dimension"), no_wrap=True)
    for key in ("summary.strong", "summary.medium", "summary.weak"):
        table.add_column(view.tr(key), justify="right")
    table.add_column(view.tr("summary.positive"))
    table.add_column(view.tr("train.col.needed"))
    for d in assessment.dimensions:
        need = shortfall(q.rule_of(d.dimension), d.strong, d.medium, d.weak)
        if d.positive or need is None:
            needed = "-"
        else:
            parts = [
                f"{count} {_strength(view, name)}"
                for count, name in zip(need, ("strong", "medium", "weak"), strict=True)
                if count
            ]
            needed = view.label(", ".join(parts))
        changed = d.dimension.id in moved
        style = "bold" if changed else ""
        table.add_row(
            Text("▲", style="bold green") if changed else Text(""),
            Text(d.dimension.id, style=style),
            str(d.strong),
            str(d.medium),
            str(d.weak),
            Text(view.tr("summary.yes"), style="bold red")
            if d.positive
            else Text(view.tr("summary.no")),
            needed,
        )
    view.console.print(table)


def render_step(view: View, step: DemoStep, total: int) -> None:
    """One answer of the replay: the question and answer, what fired, flags, dimensions."""
    from rich.panel import Panel
    from rich.text import Text

    assessment = step.assessment
    q = assessment.questionnaire
    console = view.console
    console.print()
    view.rule(view.tr("train.step", index=step.index, total=total))
    if step.question_id is None:
        view.heading("train.checklist_step")
        for indicator_id in step.value:
            ind = q.indicator(indicator_id)
            title = view.text(ind.title, q.default_language) if ind else indicator_id
            console.print(Text("  • " + view.label(title) + f" [{indicator_id}]"))
    else:
        question = q.question(step.question_id)
        asked = view.text(question.text, q.default_language) if question else step.question_id
        console.print(Text(view.label(f"{view.t('train.question')} [{step.question_id}]"), style="bold"))
        view.paragraph(asked, indent=2)
        console.print(Text(view.label(view.t("train.answer") + ":"), style="bold"))
        view.paragraph(
            answer_text(q, step.question_id, step.value, view.language), indent=2, style="bold green"
        )
    if step.fired:
        console.print(Text(view.label(view.t("train.fired") + ":"), style="bold"))
        for observed in step.fired:
            ind = observed.indicator
            line = Text("  + ")
            line.append(view.label(view.text(ind.title, q.default_language)), style="bold")
            line.append(f"  [{ind.id} · {ind.dimension} · ")
            line.append(_strength(view, ind.strength.value), style=_STRENGTH_STYLE[ind.strength.value])
            line.append("]")
            console.print(line)
    elif not step.withdrawn:
        console.print(Text(view.tr("train.nothing_new"), style="dim"))
    if step.withdrawn:
        console.print(
            Text(view.label(f"{view.t('train.withdrawn')}: {', '.join(step.withdrawn)}"), style="yellow")
        )
    for flag_id in step.raised:
        flag = q.flag(flag_id)
        if flag is None:
            continue
        console.print(
            Panel(
                Text(view.label(view.text(flag.action, q.default_language))),
                title=Text(
                    view.label(
                        f"{view.t('summary.urgent')}: {view.text(flag.title, q.default_language)} [{flag_id}]"
                    ),
                    style="bold",
                ),
                border_style="red",
                style="bold red",
            )
        )
    if step.moved:
        render_dimension_table(view, assessment, step.moved)
    if step.turned_positive:
        console.print(
            Text(view.tr("train.turned_positive", ids=", ".join(step.turned_positive)), style="bold red")
        )
    if step.outcome_changed:
        outcome = assessment.outcome
        console.print(
            Text(
                view.tr(
                    "train.outcome_now",
                    title=view.text(outcome.title, q.default_language),
                    code=outcome.code,
                ),
                style="bold yellow",
            )
        )


def render_ending(view: View, case: Case, assessment: Assessment | None = None) -> None:
    """The outcome, the urgent actions, the indicators to point out and the trainer's notes."""
    from rich.text import Text

    assessment = assessment or case.assessment
    q = case.questionnaire
    console = view.console
    console.print()
    view.rule(view.tr("train.the_end"))
    render_summary(
        console,
        assessment,
        view.language,
        shape=view.label,
        rationale=rationale(assessment, view.language),
    )
    key = case.scenario.expected.indicators
    if key:
        console.print()
        view.heading("train.key_indicators")
        for indicator_id in key:
            ind = q.indicator(indicator_id)
            title = view.text(ind.title, q.default_language) if ind else ""
            console.print(Text(f"  • {view.label(title)} [{indicator_id}]"))
    notes = case.scenario.trainer_notes
    if notes:
        console.print()
        view.heading("train.notes")
        view.paragraph(view.text(notes), indent=2)


def pause(view: View) -> bool:
    """Wait for Enter; False when the trainer typed q to go to the outcome.

    Raises:
        KeyboardInterrupt: Ctrl-C.
        EOFError: The input ended.
    """
    typed = view.console.input(f"[dim]{view.tr('train.pause')}[/dim]")
    return typed.strip().lower() not in ("q", "quit")


def _answer_lines(view: View, q: Any, differences: Sequence[AnswerDifference]) -> None:
    from rich.text import Text

    for d in differences:
        question = q.question(d.question_id)
        asked = view.text(question.text, q.default_language) if question else d.question_id
        view.console.print(Text(f"      [{d.question_id}]", style="dim"))
        view.paragraph(asked, indent=6, style="dim")
        expected = answer_text(q, d.question_id, d.expected, view.language)
        given = answer_text(q, d.question_id, d.given, view.language)
        view.paragraph(f"{view.t('train.scenario_answer')}: {expected}", indent=8)
        view.paragraph(f"{view.t('train.your_answer')}: {given}", indent=8)


def _review_list(view: View, q: Any, reviews: Sequence[IndicatorReview], style: str) -> None:
    from rich.text import Text

    for review in reviews:
        ind = q.indicator(review.id)
        line = Text("  • ")
        if ind is not None:
            line.append(view.label(view.text(ind.title, q.default_language)), style=style)
            line.append(f"  [{ind.id} · {ind.dimension} · ")
            line.append(_strength(view, ind.strength.value), style=_STRENGTH_STYLE[ind.strength.value])
            line.append("]")
        else:
            line.append(review.id, style=style)
        if review.key:
            line.append(f"  ({view.tr('train.key')})", style="bold")
        view.console.print(line)
        if "checklist" in review.evidence:
            view.console.print(Text("      " + view.tr("train.checklist_evidence"), style="dim"))
        _answer_lines(view, q, review.answers)


def render_practice_result(view: View, result: PracticeResult) -> None:
    """What the trainee found, missed and claimed without basis, the outcome, and the score."""
    from rich.text import Text

    q = result.case.questionnaire
    console = view.console
    expected, given = result.expected, result.given
    console.print()
    view.rule(view.tr("train.result", score=result.score))
    if result.outcome_right:
        console.print(
            Text(
                "✓ "
                + view.tr(
                    "train.outcome_right",
                    title=view.text(expected.outcome.title, q.default_language),
                    code=expected.outcome.code,
                ),
                style="bold green",
            )
        )
    else:
        console.print(
            Text(
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
        )
    if result.flags_missed:
        console.print(
            Text("✗ " + view.tr("train.flags_missed", ids=", ".join(result.flags_missed)), style="bold red")
        )
    if result.flags_unfounded:
        console.print(
            Text("✗ " + view.tr("train.flags_unfounded", ids=", ".join(result.flags_unfounded)), style="yellow")
        )
    if not result.flags_missed and not result.flags_unfounded:
        flags = ", ".join(expected.flags) or view.t("train.none")
        console.print(Text("✓ " + view.tr("train.flags_right", ids=flags), style="green"))
    console.print()
    view.heading("train.found", count=len(result.found))
    for indicator_id in result.found:
        ind = q.indicator(indicator_id)
        title = view.text(ind.title, q.default_language) if ind else ""
        console.print(Text(f"  ✓ {view.label(title)} [{indicator_id}]", style="green"))
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
    console.print(
        Text(
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
    )


def render_indicator_scenarios(view: View, rows: Sequence[tuple[str, str, bool]]) -> None:
    """The worked scenarios that show an indicator: id, title, and whether it is a key one.

    Args:
        view: Where to print.
        rows: ``(scenario id, title in the view's language, key indicator)``.
    """
    from rich.text import Text

    if not rows:
        return
    view.console.print()
    view.heading("train.shown_in")
    for scenario_id, title, key in rows:
        line = Text(f"  • {scenario_id}: ")
        line.append(view.label(title))
        if key:
            line.append(f" ({view.tr('train.key')})", style="bold")
        view.console.print(line)
