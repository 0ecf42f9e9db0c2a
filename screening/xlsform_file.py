"""Writing an XLSForm as an ``.xlsx`` workbook (adapter: openpyxl, the file system)."""

from __future__ import annotations

import io
from pathlib import Path

from screening.xlsform import XLSForm


def xlsx_bytes(form: XLSForm) -> bytes:
    """The workbook's bytes: the sheets survey, choices and settings, in that order."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for line in form.survey:
        sheet.append(line)
    choices = book.create_sheet("choices")
    for line in form.choices:
        choices.append(line)
    settings = book.create_sheet("settings")
    for line in form.settings:
        settings.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsform(form: XLSForm, out: Path, *, force: bool) -> None:
    """Write the workbook to ``out`` (0600, a regular file, never through a link).

    Raises:
        UsageError: ``out`` exists (without ``force``), is a link, a folder or a device.
    """
    from screening.files import private_file

    data = xlsx_bytes(form)
    with private_file(out, force=force) as handle:  # 0600, whole or not at all, no link followed
        handle.buffer.write(data)
