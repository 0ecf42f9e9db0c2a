"""A question too tall for the terminal: what gives way first (interview.fit_parts)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console  # noqa: TID251 - the screens are drawn on a console of the test

from screening.ui.interview import fit_parts
from screening.ui.view import View

MARKER = "  … not all of it is shown here: = shows it whole"
KEY = "= show it whole"


def _parts() -> list[tuple[str, object]]:
    def text(*lines: str) -> object:
        return lambda v: v.console.print("\n".join(lines))

    return [
        ("intro", text("INTRO 1", "INTRO 2")),
        ("worker", text("WORKER 1", "WORKER 2", "WORKER 3")),
        ("officer", text("OFFICER 1", "OFFICER 2")),
        ("guidance", text("GUIDANCE 1", "GUIDANCE 2")),
        ("keys", text("", "KEYS")),
    ]


def _fit(room: int, parts: list[tuple[str, object]] | None = None) -> tuple[bool, list[str]]:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=80, height=24, force_terminal=True, color_system=None, highlight=False
    )
    view = View(console, language="hi", officer_language="en")
    shortened = fit_parts(view, parts or _parts(), room)  # type: ignore[arg-type]
    return shortened, [line.rstrip() for line in buffer.getvalue().splitlines()]


def test_a_question_that_fits_is_drawn_whole_and_unchanged() -> None:
    shortened, lines = _fit(11)
    assert not shortened
    assert lines == [
        "INTRO 1", "INTRO 2", "WORKER 1", "WORKER 2", "WORKER 3", "OFFICER 1", "OFFICER 2",
        "GUIDANCE 1", "GUIDANCE 2", "", "KEYS",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("room", "kept"),
    [
        (10, ["WORKER", "OFFICER", "GUIDANCE"]),  # the section's intro first
        (8, ["WORKER", "OFFICER"]),  # then the guidance
        (6, ["WORKER"]),  # then the officer's language beneath: what is read stays
    ],
)
def test_the_intro_then_the_guidance_then_the_officer_lines_give_way(
    room: int, kept: list[str]
) -> None:
    shortened, lines = _fit(room)
    assert shortened
    assert len(lines) <= room
    shown = {line.split()[0] for line in lines if line and line.isupper()}
    assert shown - {"KEYS"} == set(kept)
    assert "WORKER 3" in lines  # nothing of the text read to the person is cut yet
    assert lines[-1].strip() == KEY  # the key that shows it whole is named


def test_what_is_still_too_tall_is_cut_after_its_first_lines_with_a_marker() -> None:
    shortened, lines = _fit(5)
    assert shortened
    assert lines == ["WORKER 1", "WORKER 2", MARKER, "", "KEYS"]
    _, lines = _fit(1)  # never less than the first line
    assert lines == ["WORKER 1", MARKER, "", "KEYS"]


def test_the_officer_text_stays_when_it_is_the_only_text() -> None:
    parts = [entry for entry in _parts() if entry[0] != "worker"]
    _, lines = _fit(5, parts)
    assert "OFFICER 1" in lines
    assert "GUIDANCE 1" not in lines
