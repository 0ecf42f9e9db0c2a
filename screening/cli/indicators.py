"""`screening indicators`: browse the indicators of a questionnaire."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from screening.cli.environment import current, echo
from screening.cli.options import format_option, lang_option, questionnaire_option, rtl_option
from screening.strength import StrengthName as Strength

app = typer.Typer(
    help="Browse indicators: meaning, strength, dimension, and the answers that reveal them.",
    no_args_is_help=True,
)

QuestionnaireOption = Annotated[
    str | None,
    questionnaire_option(
        "Questionnaire file or bundled id (default: the default questionnaire).",
    ),
]
RtlOption = Annotated[
    str | None,
    rtl_option(
        "reorder: join and reorder right-to-left text for terminals without bidi; "
        "off: send it as stored (default; env SCREENING_RTL).",
    ),
]
LangOption = Annotated[
    str | None,
    lang_option("Language of the texts (default: the questionnaire's first)."),
]


class ListFormat(StrEnum):
    """Output of `indicators list` and `show`."""

    TABLE = "table"
    JSON = "json"


def _language(lang: str | None, codes: list[str]) -> str:
    from screening.errors import UsageError

    if lang is None:
        return codes[0]
    if lang not in codes:
        raise UsageError(
            f"--lang {lang}: the questionnaire has no such language ({', '.join(codes)})"
        )
    return lang


@app.command("list")
def list_indicators(
    questionnaire: QuestionnaireOption = None,
    dimension: Annotated[
        str | None, typer.Option("--dimension", "-d", help="Only this dimension id.")
    ] = None,
    strength: Annotated[
        Strength | None, typer.Option("--strength", "-s", help="Only this strength.")
    ] = None,
    lang: LangOption = None,
    output: Annotated[
        ListFormat, format_option("table for people, json for machines.")
    ] = ListFormat.TABLE,
    rtl: RtlOption = None,
) -> None:
    """List the indicators with their dimension and strength.

    Example: screening indicators list --dimension coercion_destination --lang ar
    """
    import json

    from screening.errors import UsageError
    from screening.questionnaires import resolve

    q = resolve(questionnaire).questionnaire
    language = _language(lang, q.language_codes)
    if dimension is not None and q.dimension(dimension) is None:
        known = ", ".join(d.id for d in q.dimensions)
        raise UsageError(f"--dimension {dimension}: no such dimension (known: {known})")
    selected = [
        i
        for i in q.indicators
        if (dimension is None or i.dimension == dimension)
        and (strength is None or i.strength.value == strength.value)
    ]
    from screening.describe import indicator_record

    records = [indicator_record(i.id, q, language) for i in selected]
    if output is ListFormat.JSON:
        echo(json.dumps(records, ensure_ascii=False, indent=2))
        return

    from screening.rtl import rtl_mode_from_env
    from screening.ui.indicators import render_indicator_table

    env = current()
    view = env.view(language=language, mode=rtl_mode_from_env(rtl, env.environ), questionnaire=q)
    title = view.tr(
        "indicators.list_title", questionnaire=q.id, version=q.version, count=len(records)
    )
    render_indicator_table(view, records, title)


@app.command("show")
def show_indicator(
    indicator_id: Annotated[str, typer.Argument(metavar="ID", help="The indicator's id.")],
    questionnaire: QuestionnaireOption = None,
    lang: LangOption = None,
    output: Annotated[
        ListFormat, format_option("table for people, json for machines.")
    ] = ListFormat.TABLE,
    rtl: RtlOption = None,
) -> None:
    """Show one indicator: meaning, strength, source, example, the answers that reveal it, and the worked scenarios that show it.

    Example: screening indicators show cd_confiscation_of_documents --lang ar
    """
    import difflib
    import json

    from screening.errors import ScreeningError
    from screening.questionnaires import resolve
    from screening.rtl import rtl_mode_from_env

    mode = rtl_mode_from_env(rtl, current().environ)
    q = resolve(questionnaire).questionnaire
    language = _language(lang, q.language_codes)
    if q.indicator(indicator_id) is None:
        near = difflib.get_close_matches(
            indicator_id, [i.id for i in q.indicators], n=3, cutoff=0.5
        )
        hint = (
            f"Did you mean {', '.join(near)}?"
            if near
            else "List them with `screening indicators list`."
        )
        raise ScreeningError(f"no indicator '{indicator_id}' in {q.id}", hint=hint)
    from screening.describe import indicator_record
    from screening.training import indicator_scenarios

    record = indicator_record(indicator_id, q, language)
    scenarios = indicator_scenarios(indicator_id, q, language)
    record["scenarios"] = scenarios
    if output is ListFormat.JSON:
        echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    from screening.ui.indicators import render_indicator, render_indicator_scenarios

    view = current().view(language=language, mode=mode, questionnaire=q)
    render_indicator(view, record)
    render_indicator_scenarios(view, scenarios)
