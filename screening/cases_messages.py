"""Periods in words for the ``screening cases`` commands, in every program language (core: pure).

The words of ``cases list|show|export|delete|verify|purge`` and the warnings of
:mod:`screening.casefile` are the ``cases.*`` messages of the catalogs (``screening/locale/``).
Ids, paths, statuses and JSON stay as they are. Errors
(:class:`~screening.errors.ScreeningError`) stay English.

In the Arabic texts, a file path that follows an opening bracket is put between
left-to-right marks (U+200E), so that its leading "/" stays at its start inside
right-to-left text.
"""

from __future__ import annotations

from typing import Final

from screening.i18n import tn

__all__ = ["UNITS", "count_unit"]

UNITS: Final = ("hour", "day", "year")
"""The units of a period in words (see :func:`count_unit`)."""


def count_unit(count: int, unit: str, language: str) -> str:
    """A number of hours, days or years in words: ``90 days``, ``90 يومًا``, ``يومين``.

    Args:
        count: How many, at least 0.
        unit: One of :data:`UNITS`.
        language: A program language (see :func:`screening.i18n.ui_language`).
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    return tn(f"cases.{unit}", count, language)
