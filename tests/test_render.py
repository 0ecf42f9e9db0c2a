"""The summary screen: urgent actions first, and right-to-left paragraphs wrapped before reordering."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console  # noqa: TID251  # the test reads what rich prints

from screening.bidi import RtlMode, display, display_lines
from screening.questionnaires import load_path
from screening.scoring import assess
from screening.ui.summary import render_summary
from screening.ui.view import View


def _console(width: int) -> Console:
    return Console(record=True, width=width, color_system=None, force_terminal=False)


def test_urgent_panel_comes_before_the_outcome(small: Path) -> None:
    q = load_path(small).questionnaire
    console = _console(80)
    render_summary(View(console, language="en", questionnaire=q), assess(q, {"age": 15}))
    text = console.export_text()
    assert text.index("URGENT: act first: Possible minor") < text.index("Outcome: None")
    assert "Call 995." in text


def test_reordered_paragraphs_are_wrapped_first(small: Path) -> None:
    """With --rtl reorder, each printed line is a line of the logical text, reordered."""
    q = load_path(small).questionnaire
    long_action = " ".join(["أحل", "الشخص", "إلى", "الآلية", "الوطنية", "للإحالة", "فورًا"] * 4)
    q = q.model_copy(deep=True)
    outcome = q.outcomes[-1]
    object.__setattr__(outcome, "action", {"en": "x", "ar": long_action})
    console = _console(50)
    render_summary(
        View(console, language="ar", mode=RtlMode.REORDER, questionnaire=q), assess(q, {})
    )
    printed = console.export_text()
    expected = display_lines("الإجراء: " + long_action, 46, RtlMode.REORDER, rtl=True)
    assert len(expected) > 2
    for line in expected:
        assert line.strip() in printed


def test_reordered_titles_are_reordered_whole(small: Path) -> None:
    """A title "label: value" is reordered as one text, so it reads right to left."""
    q = load_path(small).questionnaire
    console = _console(80)
    render_summary(
        View(console, language="ar", mode=RtlMode.REORDER, questionnaire=q),
        assess(q, {"age": 15}),
    )
    printed = console.export_text()
    assert display("عاجل: تصرّف أولًا: قاصر محتمل", RtlMode.REORDER) in printed
    assert display("النتيجة: لا شيء", RtlMode.REORDER) in printed
