"""How right-to-left text is sent to the terminal: the ``--rtl`` option and ``SCREENING_RTL``
(core: the standard library only). :mod:`screening.bidi` does the display itself.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = ["RTL_ENV_VAR", "RtlMode", "rtl_mode_from_env"]

RTL_ENV_VAR = "SCREENING_RTL"
"""The environment variable read when no ``--rtl`` option is given."""


class RtlMode(enum.StrEnum):
    """How right-to-left text is sent to the terminal.

    Attributes:
        REORDER: Shape Arabic letters and put each line in visual order, for terminals that
            show text exactly in the order it is written.
        OFF: Send the logical text as stored, for terminals that do their own bidi.
    """

    REORDER = "reorder"
    OFF = "off"


def rtl_mode_from_env(value: str | None, env: Mapping[str, str]) -> RtlMode:
    """Choose the display mode from the ``--rtl`` option, else the environment.

    Args:
        value: The option's value, or ``None`` when the option was not given.
        env: The environment; ``SCREENING_RTL`` is read from it when ``value`` is ``None``.
            An empty variable counts as unset.

    Returns:
        The mode named by the option, else by ``SCREENING_RTL``, else ``RtlMode.OFF``.
        Case and surrounding blanks are ignored.

    Raises:
        UsageError: The option or the variable names no mode.
    """
    if value is not None:
        raw, source = value, "--rtl"
    elif env.get(RTL_ENV_VAR, "").strip():
        raw, source = env[RTL_ENV_VAR], RTL_ENV_VAR
    else:
        return RtlMode.OFF
    try:
        return RtlMode(raw.strip().lower())
    except ValueError:
        from screening.errors import UsageError

        allowed = " or ".join(mode.value for mode in RtlMode)
        raise UsageError(
            f"invalid value {raw!r} for {source}: use {allowed}",
            hint="Use `reorder` when Arabic shows unjoined or left to right, `off` when the "
            "terminal does its own bidi (see docs/languages.md).",
        ) from None
