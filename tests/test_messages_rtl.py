"""Messages in the officer's language (SCREENING_UI_LANG), and, with --rtl reorder,
right-to-left lines put in display order and against the right edge: error lines, the
summaries of score and validate, the dimensions table of a summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from screening.bidi import RtlMode, cell_width, display, display_lines

COLUMNS = 80


@pytest.fixture(autouse=True)
def _terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(COLUMNS))
    monkeypatch.delenv("SCREENING_RTL", raising=False)
    monkeypatch.setenv("SCREENING_UI_LANG", "ar")


def _bad_questionnaire(folder: Path) -> Path:
    return write(folder, "bad.yaml", "id: bad\n")


def test_the_validate_summary_is_in_the_officers_language(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("validate", str(_bad_questionnaire(tmp_path)))
    assert run.code == 1
    summary = run.err.splitlines()[-1]
    assert summary.endswith("من أصل ملف واحد")  # "... of one file": logical order, --rtl off
    assert "problems in" not in run.err


def test_with_reorder_the_validate_summary_ends_at_the_right_edge(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_RTL", "reorder")
    run = cli("validate", str(_bad_questionnaire(tmp_path)))
    assert run.code == 1
    summary = run.err.splitlines()[-1]
    assert cell_width(summary) == COLUMNS - 1
    assert summary.startswith(" ")
    assert summary.strip() == display("5 مشكلات في 1 من أصل ملف واحد", RtlMode.REORDER).strip()


def test_valid_files_are_counted_in_arabic(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("validate", str(small))
    assert run.code == 0
    assert run.err == "ملف واحد صالح\n"


def test_an_error_line_in_arabic_is_reordered_and_aligned_right(  # type: ignore[no-untyped-def]
    cli, small: Path, tmp_path: Path
) -> None:
    answers = write(tmp_path, "a.yaml", "answers: {age: 300}\n")
    run = cli("score", str(answers), "-q", str(small), "--rtl", "reorder")
    assert run.code == 1
    prefix = "screening: error: "
    failed = display_lines(
        "مجموعة إجابات واحدة تعذّر تقييمها (انظر أعلاه)",
        COLUMNS - len(prefix) - 1,
        RtlMode.REORDER,
        rtl=True,
    )
    assert run.err.endswith(prefix + failed[0] + "\n")
    assert cell_width(prefix + failed[0]) == COLUMNS - 1
    # the record's own problem is English: left to right, as it was
    assert f"{prefix}{answers}: " in run.err


def test_without_reorder_the_error_line_is_as_stored(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(tmp_path, "a.yaml", "answers: {age: 300}\n")
    run = cli("score", str(answers), "-q", str(small))
    assert run.err.endswith("screening: error: مجموعة إجابات واحدة تعذّر تقييمها (انظر أعلاه)\n")


def test_english_stays_the_default(cli, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SCREENING_UI_LANG")
    assert cli("validate", str(small)).err == "1 file valid\n"


def test_the_dimensions_table_is_laid_out_from_the_right(  # type: ignore[no-untyped-def]
    cli, small: Path, tmp_path: Path
) -> None:
    answers = write(tmp_path, "a.yaml", "language: ar\nanswers: {age: 15}\n")
    table = ["score", str(answers), "-q", str(small), "--format", "table"]
    reordered = cli(*table, "--rtl", "reorder").out.splitlines()
    title = display("الأبعاد", RtlMode.REORDER)
    line = next(x for x in reordered if x.strip() == title)
    assert cell_width(line.rstrip()) == COLUMNS  # against the right edge
    header = next(x for x in reordered if display("إيجابي", RtlMode.REORDER) in x)
    # "positive" comes first from the left, the dimension's name last
    assert header.index(display("إيجابي", RtlMode.REORDER)) < header.index(
        display("البُعد", RtlMode.REORDER)
    )
    plain = cli(*table).out.splitlines()
    line = next(x for x in plain if x.strip() == "الأبعاد")
    assert line.startswith("الأبعاد")  # --rtl off: as before, on the left
