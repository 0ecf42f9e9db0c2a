"""The ILO strengths of an indicator (core: the standard library only).

Its own module so that the command line can offer them (`indicators list --strength`) without
loading the questionnaire model, and so that there is one list of them.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["StrengthName"]


class StrengthName(StrEnum):
    """ILO strength of an indicator."""

    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"
