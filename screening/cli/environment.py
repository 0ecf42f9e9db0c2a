"""What the command line runs in: its streams, whether they are terminals, the terminal's size,
colour, ``--debug`` and the environment variables (in the manner of httpie's ``Environment``).

:func:`screening.cli.main` makes one for each run (or is given one) and sets it for the run
(:func:`using`); a command reads it with :func:`current`. Nothing else in the command
line reads ``sys.stdin.isatty()``, the terminal's size or ``os.environ`` for these, so a test
can run a command as if on a terminal of a given size by giving its own.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from screening.ui.view import View

__all__ = ["Environment", "current", "echo", "using"]


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced by a test, or closed
        return False


class Environment:
    """The streams and the terminal of one run (each given by keyword; a plain class rather
    than a dataclass, which would generate its methods at every start).

    Attributes:
        stdin: Standard input.
        stdout: Standard output (documents, for machines and pipes).
        stderr: Standard error (messages, questions and warnings for people).
        environ: The environment variables.
        stdin_isatty: Standard input is a terminal (someone can answer); read from ``stdin``
            when not given.
        stdout_isatty: Standard output is a terminal; read from ``stdout`` when not given.
        size: The terminal's columns and lines; asked of the terminal when not given (80x24
            without one).
        debug: ``--debug``: an unexpected error shows its traceback.
        ui_language: The officer's language for messages, once a command has read it
            (``--ui-lang``); else ``SCREENING_UI_LANG``, else English.
        rtl: The display of right-to-left text (an ``RtlMode``), once a command has read
            ``--rtl``; else ``SCREENING_RTL``, else off.
    """

    def __init__(
        self,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        stdin_isatty: bool | None = None,
        stdout_isatty: bool | None = None,
        size: os.terminal_size | None = None,
        debug: bool = False,
        ui_language: str | None = None,
        rtl: Any = None,
    ) -> None:
        self.stdin: TextIO = sys.stdin if stdin is None else stdin
        self.stdout: TextIO = sys.stdout if stdout is None else stdout
        self.stderr: TextIO = sys.stderr if stderr is None else stderr
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.stdin_isatty = _isatty(self.stdin) if stdin_isatty is None else stdin_isatty
        self.stdout_isatty = _isatty(self.stdout) if stdout_isatty is None else stdout_isatty
        self.size = size
        self.debug = debug
        self.ui_language = ui_language
        self.rtl = rtl

    @property
    def interactive(self) -> bool:
        """Someone at a terminal can be asked and shown screens (stdin and stdout are one)."""
        return bool(self.stdin_isatty and self.stdout_isatty)

    @property
    def columns(self) -> int:
        """The terminal's width in cells (``COLUMNS`` and 80 without a terminal)."""
        return (self.size or shutil.get_terminal_size()).columns

    def messages(self) -> View:
        """The view of messages for people (errors, summaries): the officer's language and
        the display of right-to-left text, as far as the command has read them."""
        from screening.errors import UsageError
        from screening.rtl import RtlMode, rtl_mode_from_env

        mode = self.rtl
        if mode is None:
            try:
                mode = rtl_mode_from_env(None, self.environ)
            except UsageError:  # reported by the command that reads it
                mode = RtlMode.OFF
        language = self.ui_language or self.environ.get("SCREENING_UI_LANG", "").strip() or "en"
        return self.view(language=language, mode=mode)

    def view(self, **options: Any) -> View:
        """A :class:`~screening.ui.view.View` on this environment's streams and terminal width
        (``options``: its languages, ``--rtl`` mode, questionnaire...)."""
        from screening.ui.view import View

        return View(stdout=self.stdout, stderr=self.stderr, columns=self.columns, **options)

    @property
    def colour(self) -> bool:
        """Colour is wanted: output to a terminal and no ``NO_COLOR``."""
        return bool(self.stdout_isatty) and not self.environ.get("NO_COLOR")


_CURRENT: ContextVar[Environment | None] = ContextVar("screening_environment", default=None)


@contextmanager
def using(env: Environment) -> Iterator[Environment]:
    """Make ``env`` the environment of the commands run inside the block."""
    token = _CURRENT.set(env)
    try:
        yield env
    finally:
        _CURRENT.reset(token)


def current() -> Environment:
    """The environment of the running command (the one :func:`screening.cli.main` was given),
    else one made now from the process's own streams."""
    env = _CURRENT.get()
    return env if env is not None else Environment()


def echo(text: str, *, err: bool = False) -> None:
    """Write a line to the running command's standard output (``err``: standard error)."""
    env = current()
    stream = env.stderr if err else env.stdout
    stream.write(text + "\n")
    stream.flush()
