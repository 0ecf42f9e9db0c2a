"""The indicators: the table of `indicators list` and one indicator in full for `indicators
show`, with the worked scenarios that show it (a screen family).

Records are the indicator records of the command (id, dimension, strength, title...); every text in them
came from a questionnaire file and is made visible and given to rich as ``Text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from screening.bidi import display_lines
from screening.i18n import t
from screening.sanitize import visible

if TYPE_CHECKING:
    from screening.ui.view import View

__all__ = ["render_indicator", "render_indicator_scenarios", "render_indicator_table"]


def render_indicator_table(view: View, records: list[dict[str, Any]], title: str) -> None:
    """A table of indicators: id, dimension, strength, title (in the officer's language)."""
    from rich.table import Table
    from rich.text import Text

    ui = view.ui
    shape = view.shown
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
    view.console.print(table)


def render_indicator(view: View, record: dict[str, Any]) -> None:
    """One indicator in full: meaning, strength, source, example, and when it is observed.

    Text is in the direction of the view's language; in reorder mode paragraphs are wrapped
    before they are reordered.
    """
    from rich.text import Text

    console = view.console
    ui = view.ui
    right_to_left = view.is_rtl(view.language)

    def para(text: str, indent: int = 0) -> str:
        if not view.reorder:
            return view.shown(text, view.language)
        lines = display_lines(
            visible(text, lines=True),
            max(20, console.width - indent),
            view.mode,
            rtl=right_to_left,
        )
        return "\n".join(lines)

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


def render_indicator_scenarios(view: View, records: Sequence[dict[str, Any]]) -> None:
    """The worked scenarios that show an indicator, for ``screening indicators show``.

    Args:
        view: Where to print, in the language of the titles and headings.
        records: ``{id, title, key}`` records (:func:`screening.training.indicator_scenarios`).
    """
    if not records:
        return
    view.blank()
    view.heading("train.shown_in")
    for record in records:
        segments = [(f"• {record['id']}: ", ""), (record["title"], "")]
        if record["key"]:
            segments.append((f" ({view.tr('train.key')})", "bold"))
        view.parts(segments, indent=2)
