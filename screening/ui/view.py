"""The one view: where and how every screen of the program is drawn.

A :class:`View` holds the console, the languages (the language of the questionnaire's text,
the officer's language and the program language used for it), the display of right-to-left
text (``--rtl``), and draws text wrapped, shaped, reordered, paged and sanitised. Every screen
family (:mod:`screening.ui.interview`, :mod:`~screening.ui.summary`,
:mod:`~screening.ui.cases`, :mod:`~screening.ui.training`, :mod:`~screening.ui.indicators`)
draws through one.

Whether a language reads from right to left is decided here only (:func:`language_is_rtl`):
as the questionnaire declares it, else by the language's code.

Every text that came from a file or a person passes :func:`~screening.sanitize.visible` on its
way to the screen and is given to rich as ``Text``, never as markup.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

from screening.bidi import RtlMode, cell_width, display, display_lines, is_rtl_text
from screening.i18n import RTL_LANGUAGES, reader_texts, t, ui_language
from screening.model import (
    DECLINED,
    DONT_KNOW,
    Direction,
    MultipleChoiceQuestion,
    NoteQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
    Text,
    YesNoQuestion,
    text_for,
)
from screening.sanitize import visible

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

__all__ = ["ENTRY_INDENT", "View", "language_is_rtl", "make_console"]

ENTRY_INDENT = 6
"""Cells before the text of a list entry (" » 1) ")."""

_Drawn = TypeVar("_Drawn")


def make_console(*, stderr: bool = False, file: TextIO | None = None) -> Console:
    """A console that respects NO_COLOR and plain (non-terminal) output; on ``file`` when
    given, else on standard output (or error)."""
    from rich.console import Console

    return Console(stderr=stderr, file=file, highlight=False)


def language_is_rtl(language: str, questionnaire: Questionnaire | None = None) -> bool:
    """Whether a language is written from right to left: as the questionnaire declares it,
    else by its code (``ar``, ``ur``, ``fa-AF``...). The one place this is decided."""
    declared = None if questionnaire is None else questionnaire.language(language)
    if declared is not None:
        return declared.direction is Direction.RTL
    return language.split("-")[0] in RTL_LANGUAGES


class View:
    """Shown text for one command: languages, right-to-left display, and the console.

    Args:
        console: Where screens are drawn; made on first use when not given.
        language: The language of the questionnaire's (or the scenario's) text: the
            interview language.
        officer_language: The officer's language (program strings and the line beneath);
            ``language`` when not given.
        mode: How right-to-left text is sent to the terminal (``--rtl``).
        questionnaire: The questionnaire whose languages declare their direction.
        gender: The person's gender as answered (``female``, ``male``): picks gendered forms.
        columns: The terminal's width, for messages on stderr (asked of the terminal when not
            given).
        stdout: Where screens and tables are drawn when no console is given (standard output
            when not given).
        stderr: Where messages for people go (standard error when not given).
    """

    def __init__(
        self,
        console: Console | None = None,
        *,
        language: str = "en",
        officer_language: str | None = None,
        mode: RtlMode = RtlMode.OFF,
        questionnaire: Questionnaire | None = None,
        gender: str | None = None,
        columns: int | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self._console = console
        self._columns = columns
        self._stdout = stdout
        self._stderr = stderr
        self.questionnaire = questionnaire
        self.language = language
        self.officer_language = officer_language or language
        self.ui = ui_language(self.officer_language)
        self.mode = mode
        self.gender = gender

    @property
    def console(self) -> Console:
        """Where screens are drawn (standard output unless another console was given)."""
        if self._console is None:
            self._console = make_console(file=self._stdout)
        return self._console

    @property
    def stdout(self) -> TextIO:
        """Where documents and results go (lines that are not drawn by rich)."""
        return self._stdout if self._stdout is not None else sys.stdout

    @property
    def stderr(self) -> TextIO:
        """Where messages for people go."""
        return self._stderr if self._stderr is not None else sys.stderr

    @property
    def columns(self) -> int:
        """The terminal's width, for messages on stderr."""
        return self._columns if self._columns is not None else terminal_width()

    def measure(self, draw: Callable[[View], object]) -> list[str]:
        """The lines a drawing would take on this view's terminal: ``draw`` is given a view
        like this one that draws into a string, on a terminal of the same size."""
        import copy
        import io

        from rich.console import Console

        console = self.console
        buffer = io.StringIO()
        measuring = copy.copy(self)
        measuring._console = Console(
            file=buffer,
            width=console.width,
            height=console.height,
            force_terminal=True,
            color_system=cast(Any, console.color_system),
            no_color=console.no_color,
            highlight=False,
        )
        draw(measuring)
        return buffer.getvalue().splitlines()

    # -- direction -----------------------------------------------------------------------

    def is_rtl(self, language: str) -> bool:
        """Whether a language is written from right to left (:func:`language_is_rtl`)."""
        return language_is_rtl(language, self.questionnaire)

    @property
    def ui_rtl(self) -> bool:
        """The program language reads from right to left."""
        return self.is_rtl(self.ui)

    @property
    def content_rtl(self) -> bool:
        """The language of the questionnaire's text reads from right to left."""
        return self.is_rtl(self.language)

    @property
    def reorder(self) -> bool:
        """Text is shaped and reordered here (wrapped first when it is long)."""
        return self.mode is RtlMode.REORDER

    @property
    def mirrored(self) -> bool:
        """The screen is laid out from right to left (reorder mode, right-to-left text)."""
        return self.content_rtl and self.reorder

    # -- text ----------------------------------------------------------------------------

    def tr(self, key: str, /, **values: object) -> str:
        """A program string in the officer's language (logical text)."""
        return t(key, self.ui, **values)

    def ltr(self, text: str) -> str:
        """A key to press, a date or a time kept left to right inside right-to-left text.

        Bidi mirrors "<" to ">" inside right-to-left text, and ``2026-11-29`` after Arabic
        words would show as ``29-11-2026``: marks around the text keep it as typed.
        """
        return f"\u200e{text}\u200e" if self.ui_rtl else text

    def for_officer(self, question: Question) -> bool:
        """Whether the officer answers a question alone (it, or its section, is officer-only)."""
        if self.questionnaire is None:
            return False
        if isinstance(question, NoteQuestion) and question.read_aloud:
            return False  # its words are read to the person, in their language
        if self.questionnaire.section_of(question.id).officer_only:
            return True
        return not isinstance(question, NoteQuestion) and question.officer_only

    def worker(self, text: Text | None) -> str:
        """Questionnaire text in the interview language, else (a translation missing or stale)
        in the officer's."""
        return text_for(text, self.language, self.officer_language, self.gender)

    def untranslated(self, text: Text | None) -> bool:
        """Whether a text put to the person lacks the interview language (not translated, or
        its translation is stale and left out), so the officer's text stands in for it."""
        if text is None or self.language == self.officer_language:
            return False
        if isinstance(text, str):
            return (
                self.questionnaire is not None
                and self.language != self.questionnaire.default_language
            )
        return self.language not in text

    def officer(self, text: Text | None) -> str:
        """Questionnaire text in the officer's language (the interview's when missing)."""
        return text_for(text, self.officer_language, self.language, self.gender)

    def text(self, value: Any, fallback: str = "en") -> str:
        """A questionnaire or scenario text (``{en: ..., ar: ...}``) in the view's language."""
        return text_for(value, self.language, fallback, self.gender)

    def shown(self, text: str, language: str | None = None) -> str:
        """The display form of a short label (no wrapping), made :func:`visible`; its
        direction is the language's, else found from its first letter."""
        text = visible(text)
        if language is None:
            return display(text, self.mode)
        return display(text, self.mode, rtl=self.is_rtl(language))

    def ui_shown(self, key: str, /, **values: object) -> str:
        """The display form of a program string."""
        return self.shown(self.tr(key, **values), self.ui)

    def content(self, text: str) -> str:
        """A short text of the questionnaire's language in its display form, made visible."""
        return display(visible(text), self.mode, rtl=True if self.content_rtl else None)

    def content_tr(self, key: str, /, **values: object) -> str:
        """A program string in the display form of the questionnaire's language."""
        return self.content(self.tr(key, **values))

    def shape(self, text: str, *, auto: bool = False) -> str:
        """The display form of a short text in the officer's language (``auto``: any text)."""
        return display(text, self.mode, rtl=None if auto else self.ui_rtl)

    def block(self, text: str, width: int, *, rtl: bool | None = None) -> list[str]:
        """Text wrapped to ``width`` cells (at least 20), then each line in display form.

        The lines read in the officer's direction unless ``rtl`` says otherwise.
        """
        rtl = self.ui_rtl if rtl is None else rtl
        return display_lines(text, max(20, width), self.mode, rtl=rtl)

    def label(self, text: Text | None, *, officer_only: bool = False) -> str:
        """A list entry: the interview language, then the officer's if it differs.

        For a question the officer answers alone, only the officer's language.
        """
        officer = self.officer(text)
        if officer_only:
            return self.entry([(officer, self.officer_language)])
        worker = self.worker(text)
        parts = [(worker, self.language)]
        if officer and officer != worker:
            parts.append((officer, self.officer_language))
        return self.entry(parts)

    def program_label(self, key: str, *, officer_only: bool = False) -> str:
        """A program string as a list entry: the interview language too when it has one (the
        answers the person reads: yes, no, don't know, declined)."""
        if officer_only:
            return self.entry([(self.tr(key), self.ui)])
        return self.entry(list(reader_texts(key, self.language, self.ui)))

    def entry(self, parts: list[tuple[str, str]]) -> str:
        """Texts as one list entry: ``first  (second)`` on one line when it fits the
        terminal, else each text wrapped on lines of its own (then put in display order).

        With ``--rtl reorder`` and a first text in a right-to-left language, the one line reads
        from the right too: ``(second)  first``, the first text next to the entry's number,
        which a list laid out from the right puts on its right.
        """
        width = max(20, self.console.width - ENTRY_INDENT - 2)
        texts = [
            visible(text) if i == 0 else f"({visible(text)})" for i, (text, _) in enumerate(parts)
        ]
        shown = [self.shown(text, lang) for text, (_, lang) in zip(texts, parts, strict=True)]
        if parts and self.reorder and self.is_rtl(parts[0][1]):
            shown.reverse()
        one = "  ".join(shown)
        if cell_width(one) <= width and "\n" not in one:
            return one
        lines: list[str] = []
        for text, (_, lang) in zip(texts, parts, strict=True):
            wrapped = display_lines(text, width, self.mode, rtl=self.is_rtl(lang))
            lines += [line.lstrip() for line in wrapped]
        # questionary draws the lines of an entry after its first from the left edge.
        return ("\n" + " " * ENTRY_INDENT).join(lines)

    def answer_label(self, question: Question, value: Any) -> str:
        """An answer as the officer reads it (logical text)."""
        if value == DONT_KNOW:
            return self.tr("answer.dont_know")
        if value == DECLINED:
            return self.tr("answer.declined")
        if isinstance(question, YesNoQuestion):
            return self.tr("answer.yes" if value == "yes" else "answer.no")
        if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
            labels = {c.value: self.officer(c.label) for c in question.choices}
            if isinstance(value, list):
                if not value:
                    return self.tr("interview.none_selected")
                # not ", ": entries may hold commas of their own
                return self.tr("interview.answer_separator").join(
                    labels.get(str(v), str(v)) for v in value
                )
            return labels.get(str(value), str(value))
        return str(value)

    # -- printing ------------------------------------------------------------------------

    def lines(
        self, text: str, language: str | None, *, style: str = "", indent: int = 2, hang: int = 0
    ) -> None:
        """Print text wrapped to the terminal, then put in display order, line by line.

        Lines after the first are indented by ``hang`` more cells (left-to-right text only).
        """
        from rich.text import Text as RichText

        if not text:
            return
        text = visible(text, lines=True)
        rtl = self.is_rtl(language) if language is not None else is_rtl_text(text)
        hang = 0 if rtl else hang
        width = max(20, self.console.width - indent - hang - 1)
        for number, line in enumerate(display_lines(text, width, self.mode, rtl=rtl)):
            margin = indent + (hang if number else 0)
            self.console.print(RichText(" " * margin + line, style=style), soft_wrap=True)

    def line(self, text: str, language: str | None, *, style: str = "") -> None:
        """Print text on one line, never wrapped by the program (the terminal may fold it)."""
        from rich.text import Text as RichText

        shown = display(
            visible(text), self.mode, rtl=None if language is None else self.is_rtl(language)
        )
        self.console.print(RichText(shown, style=style), soft_wrap=True)

    def phrases(
        self, phrases: list[str], language: str, *, style: str = "", indent: int = 2
    ) -> None:
        """Print short phrases joined by " · ", lines broken only between phrases."""
        width = max(20, self.console.width - indent - 1)
        lines: list[str] = []
        for phrase in phrases:
            if lines and cell_width(lines[-1] + " · " + phrase) <= width:
                lines[-1] += " · " + phrase
            else:
                lines.append(phrase)
        for line in lines:
            self.lines(line, language, style=style, indent=indent)

    def say(self, key: str, *, style: str = "", indent: int = 0, **values: object) -> None:
        """Print a program string in the officer's language."""
        self.lines(self.tr(key, **values), self.ui, style=style, indent=indent)

    def blank(self) -> None:
        """An empty line."""
        self.console.print()

    def clear(self) -> None:
        """Start a new screen (only on a terminal)."""
        self.console.clear()

    def para(self, text: str, *, indent: int = 0, style: str = "") -> None:
        """Print text of the questionnaire's language wrapped to the console; in reorder mode
        reordered, and aligned to the right when it reads from right to left (indents are
        then taken from the right edge)."""
        from rich.padding import Padding
        from rich.text import Text as RichText

        text = visible(text, lines=True)
        if self.mode is RtlMode.OFF:
            self.console.print(
                Padding(RichText(text, style=style), (0, 0, 0, indent), expand=False)
            )
            return
        width = max(10, self.console.width - indent)
        for line in display_lines(text, width, self.mode, rtl=True if self.content_rtl else None):
            shown = line + " " * indent if self.mirrored else " " * indent + line
            self.console.print(RichText(shown, style=style), no_wrap=True, overflow="crop")

    def parts(self, segments: Sequence[tuple[str, str]], *, indent: int = 0) -> None:
        """Print one line made of styled segments of logical text.

        In reorder mode the segments are joined and reordered as one line, which keeps their
        reading order right but gives the whole line the first segment's style.
        """
        from rich.padding import Padding
        from rich.text import Text as RichText

        if self.mode is RtlMode.REORDER:
            style = next((st for _, st in segments if st), "")
            self.para("".join(text for text, _ in segments), indent=indent, style=style)
            return
        line = RichText()
        for text, style in segments:
            line.append(visible(text), style=style)
        self.console.print(Padding(line, (0, 0, 0, indent), expand=False))

    def heading(self, key: str, **values: object) -> None:
        """A bold line with a program string."""
        self.para(self.tr(key, **values), style="bold")

    def rule(self, title: str) -> None:
        """A horizontal rule with a title (logical text)."""
        from rich.rule import Rule
        from rich.text import Text as RichText

        self.console.print(Rule(RichText(self.content(title)), style="cyan"))

    def box(self, title: str, text: str, *, style: str = "", border_style: str = "") -> None:
        """A bordered panel around logical text; lines are wrapped before reordering."""
        from rich.panel import Panel
        from rich.text import Text as RichText

        text = visible(text, lines=True)
        if self.mode is RtlMode.OFF:
            body = RichText(text)
        else:
            width = max(10, self.console.width - 4)  # two borders, one cell of padding each
            lines = display_lines(text, width, self.mode, rtl=True if self.content_rtl else None)
            body = RichText("\n".join(lines), no_wrap=True, overflow="crop")
        self.console.print(
            Panel(
                body,
                title=RichText(self.content(title), style="bold"),
                style=style,
                border_style=border_style,
            )
        )

    def table(
        self,
        title: str,
        columns: Sequence[tuple[str, JustifyMethod]],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Print a bordered table; right to left when the screen is mirrored.

        Args:
            title: The title (logical text).
            columns: Header (logical text) and justification of each column.
            rows: Cells: strings (logical text) or rich ``Text`` (already in display form).
        """
        from rich.table import Table
        from rich.text import Text as RichText

        order = list(range(len(columns)))
        if self.mirrored:
            order.reverse()
        table = Table(
            title=RichText(self.content(title)), title_justify="right" if self.mirrored else "left"
        )
        for index in order:
            header, justify = columns[index]
            # Cells are never wrapped: rich would wrap reordered text, which puts right-to-left
            # lines out of order. A cell too long for the terminal ends with an ellipsis.
            table.add_column(
                RichText(self.content(header)), justify=justify, no_wrap=True, overflow="ellipsis"
            )
        for row in rows:
            # Text, never markup: a title such as "[/x]" in a scenario file is shown as it is
            table.add_row(
                *(
                    RichText(self.content(row[i])) if isinstance(row[i], str) else row[i]
                    for i in order
                )
            )
        if self.mirrored:
            from rich.align import Align

            self.console.print(Align.right(table))
        else:
            self.console.print(table)

    def paged(
        self,
        draw: Callable[[], _Drawn],
        *,
        below: int,
        more: Callable[[], object],
        shown: Callable[[list[str]], None] | None = None,
    ) -> _Drawn:
        """Draw a screen; on a terminal too short for it, a screenful at a time.

        Between screenfuls ``more`` asks the officer to go on ("More"), so that nothing
        scrolls out of sight before it was seen; ``below`` lines are kept free for the prompt
        that follows; ``shown`` is told each screenful's lines. Anywhere else (a file, a pipe)
        the screen is drawn whole.
        """
        console = self.console
        if not console.is_terminal:
            return draw()
        with console.capture() as captured:
            drawn = draw()
        lines = captured.get().splitlines(keepends=True)
        last = max(5, console.height - below)  # the last screenful leaves room for a prompt
        page = max(5, console.height - 3)  # the others for "More": its message, an entry
        everything = lines
        while len(lines) > last:
            console.file.write("".join(lines[:page]))
            console.file.flush()
            if shown is not None:
                shown(lines[:page])
            lines = lines[page:]
            more()
            # The next screenful starts on a clean screen. The last one is a whole screenful
            # too, lines already seen above what is new, never a few lines alone.
            console.clear()
            if len(lines) <= last:
                lines = everything[-last:]
        console.file.write("".join(lines))
        console.file.flush()
        if shown is not None:
            shown(lines)
        return drawn

    # -- messages on stderr --------------------------------------------------------------

    def note(self, message: str, *, prefix: str = "screening: ") -> None:
        """A message for people on stderr, after ``screening: ``.

        In reorder mode, right-to-left text is wrapped to the terminal and each line put in
        display order, the lines after the first indented under the message. Ids and paths in
        it are made visible (nothing in them acts on the terminal).
        """
        message = visible(message)
        if self.reorder and self.ui_rtl:
            lines = self.block(message, self.columns - len(prefix) - 1)
            margin = "\n" + " " * len(prefix)
            self.stderr.write(prefix + margin.join(lines) + "\n")
        else:
            self.stderr.write(prefix + self.shape(message) + "\n")

    def warn(self, message: str) -> None:
        """A warning on stderr, after ``screening: warning: `` (the word translated)."""
        self.note(f"{self.tr('cases.warning')}: {message}")


def terminal_width() -> int:
    """The columns of the terminal (80 when there is none)."""
    import shutil

    return shutil.get_terminal_size().columns
