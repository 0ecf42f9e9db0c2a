"""The summary of an assessment: urgent actions, outcome, dimensions, indicators (a screen family).

Worker-language text is never put inside bordered tables (rich mis-measures some scripts);
tables hold ids, counts and the officer's language only.

Text from files (questionnaires, answers) is passed to rich as ``Text``, never as markup, and
made :func:`~screening.sanitize.visible` first (by the :class:`~screening.ui.view.View`). With an officer's language other than English, titles are
shown instead of ids (dimensions, indicators, evidence questions, outcome and category).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from screening.bidi import display_lines
from screening.i18n import t, ui_language
from screening.model import text_for
from screening.sanitize import visible
from screening.scoring import Assessment

if TYPE_CHECKING:
    from rich.table import Table

    from screening.ui.view import View


def _with_titles(language: str) -> bool:
    """Whether ids give way to titles: for an officer who does not read English."""
    return ui_language(language) != "en"


def render_rule(view: View, title: str) -> None:
    """A rule titled with text from a file (a record's label and case id): shown as plain text,
    never read as markup, with control characters (escape sequences) shown visibly."""
    from rich.text import Text

    view.console.rule(Text(visible(title)))


def dimensions_table(
    assessment: Assessment,
    label: Callable[[str], str],
    name: Callable[[Any], str] | None = None,
    *,
    mirrored: bool = False,
) -> Table:
    """The dimensions as a table: id (or title), counts by strength, positive or not.

    Args:
        assessment: Whose dimensions to show.
        label: The shown form of a program message key (translated, and shaped for display).
        name: The shown name of a dimension (its title, in display form); its id when omitted.
        mirrored: Laid out from right to left (``--rtl reorder``, a right-to-left language):
            the title on the right, the columns in reverse order.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(label("summary.dimensions")),
        title_justify="right" if mirrored else "left",
        padding=(0, 1),
    )
    columns: list[tuple[str, Any]] = [("summary.dimension", "left")]
    columns += [(key, "right") for key in ("summary.strong", "summary.medium", "summary.weak")]
    columns.append(("summary.positive", "left"))
    order = list(reversed(range(len(columns)))) if mirrored else list(range(len(columns)))
    for index in order:
        key, justify = columns[index]
        table.add_column(Text(label(key)), justify="right" if mirrored else justify)
    for d in assessment.dimensions:
        cells: list[Any] = [
            Text(visible(d.dimension.id) if name is None else name(d.dimension)),
            str(d.strong),
            str(d.medium),
            str(d.weak),
            Text(label("summary.yes"), style="bold red")
            if d.positive
            else Text(label("summary.no")),
        ]
        table.add_row(*(cells[index] for index in order))
    return table


def print_dimensions(view: View, table: Table) -> None:
    """Print a dimensions table: against the right edge when it is laid out from right to
    left (``--rtl reorder`` and a right-to-left officer language)."""
    if view.reorder and view.is_rtl(view.officer_language):
        from rich.align import Align

        view.console.print(Align.right(table))
    else:
        view.console.print(table)


def render_summary(
    view: View, assessment: Assessment, *, rationale: list[str] | None = None
) -> None:
    """Print an assessment: urgent actions first, outcome and action, dimensions, indicators.

    Questionnaire text and program strings are in the view's officer language. In reorder
    mode paragraphs are wrapped before they are reordered (in the officer language's
    direction); otherwise rich wraps the shaped text itself.

    Args:
        view: Where and in which language to print.
        assessment: What to show.
        rationale: The rationale sentences to show, if any.
    """
    from rich.panel import Panel
    from rich.text import Text

    console = view.console
    q = assessment.questionnaire
    language = view.officer_language
    ui = ui_language(language)
    width = console.width
    right_to_left = view.is_rtl(language)

    def shape(text: str) -> str:
        return view.shown(text)

    def block(text: str, width: int) -> list[str]:
        return display_lines(visible(text, lines=True), width, view.mode, rtl=right_to_left)

    titles = _with_titles(language)

    def question_name(qid: str) -> str:
        question = q.question(qid)
        if not titles or question is None:
            return qid
        text = " ".join(text_for(question.text, language, q.default_language).split())
        return text if len(text) <= 48 else text[:47].rstrip() + "…"

    def dimension_name(dimension_id: str) -> str:
        dimension = next((d for d in q.dimensions if d.id == dimension_id), None)
        if not titles or dimension is None:
            return dimension_id
        return text_for(dimension.title, language, q.default_language)

    def category(code: str) -> str:
        key = f"category.{code}"
        shown = t(key, ui)
        return code if shown == key or not titles else shown

    def tr(key: str, **values: object) -> str:
        return shape(t(key, ui, **values))

    def qt(text: object) -> str:
        return shape(text_for(text, language, q.default_language))

    def para(text: str, indent: int) -> str:
        """A paragraph of logical text in display form, for a space ``indent`` cells narrower."""
        if not view.reorder:
            return shape(text)
        return "\n".join(block(text, max(20, width - indent)))

    def labelled(key: str, value: str, indent: int) -> str:
        return para(f"{t(key, ui)}: {value}", indent)

    for flag_id in assessment.flags:
        flag = q.flag(flag_id)
        if flag is None:
            continue
        console.print(
            Panel(
                Text(para(text_for(flag.action, language, q.default_language), 4)),
                title=Text(
                    shape(
                        f"{t('summary.urgent', ui)}: {text_for(flag.title, language, q.default_language)}"
                    ),
                    style="bold",
                ),
                border_style="red",
                style="bold red",
            )
        )
    outcome = assessment.outcome
    lines = [
        labelled("summary.action", text_for(outcome.action, language, q.default_language), 4),
        labelled("summary.category", category(outcome.category), 4),
    ]
    if outcome.referral_target is not None:
        target = text_for(outcome.referral_target, language, q.default_language)
        lines.append(labelled("summary.target", target, 4))
    console.print(
        Panel(
            Text("\n".join(lines)),
            title=Text(
                shape(
                    f"{t('summary.outcome', ui)}: {text_for(outcome.title, language, q.default_language)}"
                ),
                style="bold",
            ),
            subtitle=None if titles else Text(visible(outcome.code)),
            border_style="yellow" if outcome.refer else "green",
        )
    )
    mirrored = view.reorder and right_to_left
    table = dimensions_table(
        assessment,
        tr,
        None if not titles else lambda d: shape(dimension_name(d.id)),
        mirrored=mirrored,
    )
    print_dimensions(view, table)
    # headings as paragraphs: in reorder mode, right-to-left ones are aligned right too
    console.print(Text(para(t("summary.indicators", ui), 0), style="bold"))
    if not assessment.indicators:
        console.print(Text(para("  " + t("summary.none", ui), 2)))
    for observed in assessment.indicators:
        ind = observed.indicator
        title = text_for(ind.title, language, q.default_language)
        strength = t("strength." + ind.strength.value, ui)
        if titles:
            separator = t("summary.separator", ui)
            details = visible(f"[{dimension_name(ind.dimension)}{separator}{strength}]")
            sources = separator.join(question_name(e) for e in observed.evidence)
        else:
            details = visible(f"[{ind.id}; {ind.dimension}; {strength}]")
            sources = ", ".join(observed.evidence)
        evidence = f"{t('summary.evidence', ui)}: {sources}"
        if not view.reorder:
            line = Text("  • ")
            line.append(shape(title), style="bold")
            line.append(f" {details} ")
            line.append(shape(evidence), style="dim")
            console.print(line)
        else:
            console.print(Text(para(f"• {title} {details} {evidence}", 2)))
    if assessment.gaps:
        separator = t("summary.separator", ui) if titles else ", "
        ids = separator.join(question_name(g.question_id) for g in assessment.gaps)
        console.print(
            Text(
                para(t("summary.gaps", ui, count=len(assessment.gaps), ids=ids), 0), style="yellow"
            )
        )
    if rationale:
        console.print(Text(para(t("summary.why", ui), 0), style="bold"))
        for sentence in rationale:
            console.print(Text(para(f"- {sentence}", 2)))
