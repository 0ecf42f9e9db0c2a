"""Bounds on what a questionnaire or an answers file may hold (core: no I/O).

Each bound is far above what a real questionnaire or answer set needs, and low enough that a
hostile or broken file is refused with a clear message instead of costing minutes or memory.
docs/questionnaire-format.md lists them for authors.
"""

from __future__ import annotations

MAX_NUMBER = 10**15
"""Numbers in a questionnaire or an answer lie between -10^15 and 10^15 (a float holds every
whole number up to 2^53, about 9 x 10^15, exactly; JSON readers of the export use floats)."""

MAX_NUMBER_TEXT = "-10^15 and 10^15"
"""How :data:`MAX_NUMBER` is written in messages."""

MAX_CONDITION_WIDTH = 500
"""The most entries one ``all``, ``any`` or ``one_of`` list may hold."""

MAX_CONDITION_SIZE = 2_000
"""The most conditions (nested ones included) one ``when`` may hold."""

MAX_CONDITIONS = 20_000
"""The most conditions a whole questionnaire may hold (every ``when`` and its nested ones)."""

MAX_PATTERN_REPEAT = 1_000
"""The largest count in a ``pattern``'s ``{m}``, ``{m,}`` or ``{m,n}``."""

MAX_DATA_DEPTH = 100
"""How deep a YAML or JSON document may nest lists and mappings."""
