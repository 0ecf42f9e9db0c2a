"""The one tree of errors and the documented exit codes.

Every failure a user can cause is a :class:`ScreeningError`. The CLI shows it in one place, on
stderr, as ``screening: error: ...`` and exits with its ``exit_code``. Messages never carry
answer content or other personal data: they name files, lines, question ids and record numbers.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class ExitStatus(IntEnum):
    """Exit codes of the `screening` command (a public contract)."""

    SUCCESS = 0
    ERROR = 1  # invalid input or data: questionnaire, answers, store
    USAGE = 2
    INTERRUPTED = 130  # Ctrl-C or end of input; a draft is kept


class Problem(NamedTuple):
    """One located problem in a file: ``path:line:col: message``."""

    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The problem as a JSON-ready mapping (``validate --format json``)."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


class ScreeningError(Exception):
    """Base of every error the user or the data can cause."""

    exit_code: ExitStatus = ExitStatus.ERROR

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        """The lines shown to the user, hint last."""
        out = [self.message]
        if self.hint:
            out.append(self.hint)
        return out


class UsageError(ScreeningError):
    """The command line itself is wrong."""

    exit_code = ExitStatus.USAGE


class Interrupted(ScreeningError):
    """The user pressed Ctrl-C or closed the input; what was answered is kept."""

    exit_code = ExitStatus.INTERRUPTED


class QuestionnaireError(ScreeningError):
    """A questionnaire file cannot be used; carries every located problem."""

    def __init__(self, problems: list[Problem], *, hint: str = "") -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid questionnaire"
        from screening.i18n import tn  # the catalogs only when there is an error to word

        more = (
            " " + tn("errors.more_problems", len(problems) - 1, "en") if len(problems) > 1 else ""
        )
        super().__init__(
            first + more,
            hint=hint or "Run `screening validate FILE` to list every problem.",
        )

    def lines(self) -> list[str]:
        """Every problem, one per line, then the hint."""
        return [str(p) for p in self.problems] + ([self.hint] if self.hint else [])


class AnswersError(ScreeningError):
    """An answers file or record does not fit its questionnaire.

    Attributes:
        problems: Each problem on its own (question ids, never the answers themselves); the
            message alone when there is no list.
    """

    def __init__(self, message: str, *, hint: str = "", problems: list[str] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems if problems is not None else [message]


class ReferralError(ScreeningError):
    """A referral document is not valid JSON or does not fit the referral schema.

    Attributes:
        problems: Each field at fault, as ``path.to.field: what is wrong``.
    """

    def __init__(self, message: str, *, hint: str = "", problems: list[str] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems if problems is not None else [message]


class StoreError(ScreeningError):
    """The case store cannot be opened, read or written."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached (down, restarting, the network): trying again
    later may succeed, and nothing committed before is lost."""


class LeaseError(StoreError):
    """A case is held open by another terminal (one writer per case), or was taken over."""


class NoTerminalError(ScreeningError):
    """An interactive command was started without a terminal."""
