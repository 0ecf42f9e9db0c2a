"""Rendering assessments for people with rich (adapter: one of the modules that import rich).

Worker-language text is never put inside bordered tables (rich mis-measures some scripts);
tables hold ids, counts and the officer's language only.

Text from files (questionnaires, answers) is passed to rich as ``Text``, never as markup, and
made :func:`~screening.sanitize.visible` first: ``shape`` and ``block`` are wrapped so that
nothing reaches them unsanitised. With an officer's language other than English, titles are
shown instead of ids (dimensions, indicators, evidence questions, outcome and category).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from screening.i18n import t, ui_language
from screening.model import text_for
from screening.sanitize import visible
from screening.scoring import Assessment

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

Shape = Callable[[str], str]
"""Turns logical text into its display form (right-to-left reordering, or nothing)."""
Block = Callable[[str, int], list[str]]
"""Wraps logical text to a width, then turns each line into its display form."""


def _same(text: str) -> str:
    return text


def _safe_shape(shape: Shape) -> Shape:
    def safe(text: str) -> str:
        return shape(visible(text))

    return safe


def _safe_block(block: Block | None) -> Block | None:
    if block is None:
        return None

    def safe(text: str, width: int) -> list[str]:
        return block(visible(text, lines=True), width)

    return safe


def _with_titles(language: str) -> bool:
    """Whether ids give way to titles: for an officer who does not read English."""
    return ui_language(language) != "en"


def make_console(*, stderr: bool = False) -> Console:
    """A console that respects NO_COLOR and plain (non-terminal) output."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def render_rule(console: Console, title: str) -> None:
    """A rule titled with text from a file (a record's label and case id): shown as plain text,
    never read as markup, with control characters (escape sequences) shown visibly."""
    from rich.text import Text

    from screening.sanitize import visible

    console.rule(Text(visible(title)))


def dimensions_table(
    assessment: Assessment,
    label: Callable[[str], str],
    name: Callable[[Any], str] | None = None,
) -> Table:
    """The dimensions as a table: id (or title), counts by strength, positive or not.

    Args:
        assessment: Whose dimensions to show.
        label: The shown form of a program message key (translated, and shaped for display).
        name: The shown name of a dimension (its title, in display form); its id when omitted.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(label("summary.dimensions")), title_justify="left", padding=(0, 1))
    table.add_column(Text(label("summary.dimension")))
    for key in ("summary.strong", "summary.medium", "summary.weak"):
        table.add_column(Text(label(key)), justify="right")
    table.add_column(Text(label("summary.positive")))
    for d in assessment.dimensions:
        table.add_row(
            Text(visible(d.dimension.id) if name is None else name(d.dimension)),
            str(d.strong),
            str(d.medium),
            str(d.weak),
            Text(label("summary.yes"), style="bold red")
            if d.positive
            else Text(label("summary.no")),
        )
    return table


def render_summary(
    console: Console,
    assessment: Assessment,
    language: str,
    *,
    shape: Shape = _same,
    block: Block | None = None,
    rationale: list[str] | None = None,
) -> None:
    """Print an assessment: urgent actions first, outcome and action, dimensions, indicators.

    Args:
        console: Where to print.
        assessment: What to show.
        language: The officer's language (questionnaire text and program strings).
        shape: Display form of a short, one-line text (right-to-left reordering).
        block: Display form of a paragraph wrapped to a width, as lines; given when text is
            reordered for display, since wrapping must come before reordering. Without it,
            rich wraps the (shaped) text itself.
        rationale: The rationale sentences to show, if any.
    """
    from rich.panel import Panel
    from rich.text import Text

    q = assessment.questionnaire
    ui = ui_language(language)
    width = console.width
    shape = _safe_shape(shape)
    block = _safe_block(block)
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
        return shape(text_for(text, language, q.default_language))  # type: ignore[arg-type]

    def para(text: str, indent: int) -> str:
        """A paragraph of logical text in display form, for a space ``indent`` cells narrower."""
        if block is None:
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
    console.print(
        dimensions_table(
            assessment, tr, None if not titles else lambda d: shape(dimension_name(d.id))
        )
    )
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
        if block is None:
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


def render_indicator_table(
    console: Console, records: list[dict[str, Any]], title: str, ui: str, *, shape: Shape = _same
) -> None:
    """A table of indicators: id, dimension, strength, title (in the officer's language)."""
    from rich.table import Table
    from rich.text import Text

    shape = _safe_shape(shape)
    table = Table(title=Text(shape(title)), title_justify="left")
    # ids are never cut short: an officer or trainer copies them into other commands
    table.add_column(Text(shape(t("indicators.id", ui))), overflow="fold")
    table.add_column(Text(shape(t("indicators.dimension", ui))), overflow="fold")
    table.add_column(Text(shape(t("indicators.strength", ui))))
    table.add_column(Text(shape(t("indicators.title", ui))))
    for record in records:
        strength = shape(t("strength." + record["strength"], ui))
        table.add_row(
            Text(visible(record["id"])),
            Text(visible(record["dimension"])),
            Text(strength),
            Text(shape(record["title"])),
        )
    console.print(table)


def render_indicator(
    console: Console,
    record: dict[str, Any],
    ui: str,
    *,
    shape: Shape = _same,
    block: Block | None = None,
) -> None:
    """One indicator in full: meaning, strength, source, example, and when it is observed.

    ``shape`` and ``block`` are as in :func:`render_summary` (right-to-left display).
    """
    from rich.text import Text

    shape = _safe_shape(shape)
    block = _safe_block(block)

    def para(text: str, indent: int = 0) -> str:
        if block is None:
            return shape(text)
        return "\n".join(block(text, max(20, console.width - indent)))

    def line(key: str, value: str) -> None:
        console.print(Text(para(f"{t(key, ui)}: {value}")))

    console.print(Text(para(record["title"]), style="bold"))
    line("indicators.id", record["id"])
    line("indicators.dimension", f"{record['dimension']} ({record['phase']})")
    line("indicators.strength", t("strength." + record["strength"], ui))
    line("indicators.source", record["source"])
    if record["explanation"]:
        console.print()
        console.print(Text(para(record["explanation"])))
    if record["example"]:
        console.print(Text(para("“" + record["example"] + "”"), style="italic"))
    console.print()
    console.print(Text(para(t("indicators.observed_when", ui) + ":"), style="bold"))
    for item in record["when"]:
        console.print(Text(para("  " + item, 2)))
