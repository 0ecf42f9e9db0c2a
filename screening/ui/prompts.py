"""Prompts in the terminal with questionary (adapter: the only module that imports questionary
and prompt_toolkit).

The interview talks to a :class:`Prompter`: a select list, a checkbox list and a line of text,
each given its message and its options already in their display form. This module neither
decides what an answer means nor what Ctrl-C means: :class:`QuestionaryPrompter` asks with
``unsafe_ask`` so that Ctrl-C raises ``KeyboardInterrupt`` and the end of input (Ctrl-D)
raises ``EOFError``, and the caller keeps the draft and exits 130. A prompt never returns
``None``.

What the officer sees is what is answered: keys pressed before a prompt is drawn (typed ahead,
or the rest of a paste) are discarded and the officer is told so; Esc never ends a list; a
list longer than the rows left under the question scrolls inside the prompt; and when the
terminal is resized, the screen above the prompt is drawn again (:class:`PromptScreen`). On a
screen laid out from the right (``--rtl reorder``, a right-to-left language), a list's entries
are aligned right with their numbers, tick marks and the pointer on their right.

questionary is imported when the first prompt is made, not when this module is imported, so
the interview's own module and its tests load without it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

__all__ = ["Option", "PromptScreen", "Prompter", "QuestionaryPrompter", "Validator"]

Validator = Callable[[str], str | None]
"""Checks typed text: ``None`` when it is acceptable, else the message to show."""

ListValidator = Callable[[list[str]], str | None]
"""Checks the ticked values of a checkbox list: ``None`` when acceptable, else the message."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class Option:
    """One entry of a list.

    Attributes:
        value: What the prompt returns when the entry is chosen.
        label: What is shown, in its display form.
        group: Entries of different groups are kept apart by a separator line (answers,
            then "don't know" and "declined", then actions such as "Back").
    """

    value: str
    label: str
    group: int = 0


@dataclass
class PromptScreen:
    """What a prompter knows of the screen it draws on; the interview keeps it up to date.

    Attributes:
        rows_above: Rows of the screen drawn above the next prompt (from its top line).
        ignored: The line shown when keys pressed before the prompt appeared were discarded
            (display form, in the officer's language).
        redraw: Draws the screen above the prompt again (after the terminal was resized) and
            returns the rows it took; ``None`` when there is nothing to draw again.
        rtl: The screen is laid out from the right (``--rtl reorder``, a right-to-left
            language): a list's entries are aligned right, each with its number (``(1``),
            its tick mark and the pointer (``«``) on its right, and the scroll bar on the
            left. The keys stay the same.
    """

    rows_above: int = 0
    ignored: str = "Keys pressed before this question appeared were ignored: press them again."
    redraw: Callable[[], int] | None = None
    rtl: bool = False


class TypedInterrupt(KeyboardInterrupt):
    """Ctrl-C (or the end of input) while text was typed in a field but not yet entered.

    Attributes:
        typed: The text in the field, as typed.
    """

    def __init__(self, typed: str) -> None:
        super().__init__()
        self.typed = typed


class _Resized(Exception):
    """The terminal was resized while a prompt was open; carries what was on it."""

    def __init__(self, state: object) -> None:
        super().__init__("resized")
        self.state = state


class Prompter(Protocol):
    """What the interview asks through. Every method raises ``KeyboardInterrupt`` on Ctrl-C
    and ``EOFError`` at the end of input, and never returns ``None``."""

    def select(
        self,
        message: str,
        options: Sequence[Option],
        *,
        default: str | None = None,
        instruction: str = "",
        keys: Mapping[str, str] | None = None,
    ) -> str:
        """One entry of a list; returns its value.

        Args:
            message: The prompt line.
            options: The entries, in order.
            default: The value of the entry the pointer starts on.
            instruction: A hint shown after the message.
            keys: Single keys that choose an entry at once, mapped to its value.
        """
        ...

    def checkbox(
        self,
        message: str,
        options: Sequence[Option],
        *,
        checked: Collection[str] = (),
        instruction: str = "",
        validate: ListValidator | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Any entries of a list; returns their values in list order.

        Args:
            message: The prompt line.
            options: The entries, in order.
            checked: Values ticked at the start.
            instruction: A hint shown after the message.
            validate: Refuses a selection with a message.
            keys: Single keys that end the prompt at once with ``[value]``.
        """
        ...

    def text(
        self,
        message: str,
        *,
        default: str = "",
        instruction: str = "",
        validate: Validator | None = None,
        multiline: bool = False,
        keys: Mapping[str, str] | None = None,
    ) -> str:
        """A line (or lines) of text; returns it as typed.

        Args:
            message: The prompt line.
            default: Text already in the field.
            instruction: A hint shown after the message.
            validate: Refuses the text with a message; the prompt stays open.
            multiline: Enter starts a new line; Esc then Enter (or Alt-Enter) finishes.
            keys: Single keys that end the prompt at once, typed into an empty field, mapped
                to the text returned.
        """
        ...


# Entries of a list are numbered 1-9, 0, then a-z; j and k are not used to move the pointer,
# so that they can be numbers too.
_MAX_SHORTCUTS = 36


def measure_as_terminals_draw() -> None:
    """Make prompt_toolkit count cells as terminals draw them (:mod:`screening.textwidth`).

    prompt_toolkit measures each character with ``wcwidth``, which gives the spacing vowel
    signs of the Indic scripts (Devanagari ा, Malayalam േ, ...) no cell, where terminals draw
    them in one. Its picture of the screen then drifts from the terminal's on every line of
    Hindi, Malayalam, Tamil, Bengali or Sinhala: when it redraws a list, letters are written
    twice at the end of a line ("हैै") or entries are cut. Its cache of widths is replaced by one
    that counts each code point as :func:`screening.textwidth.code_point_cells` does. Done once;
    nothing is changed when prompt_toolkit no longer has that cache.
    """
    from prompt_toolkit import utils

    from screening.textwidth import code_point_cells

    cache_type = getattr(utils, "_CharSizesCache", None)
    current = getattr(utils, "_CHAR_SIZES_CACHE", None)
    if cache_type is None or not isinstance(current, cache_type):
        return
    if getattr(current, "as_terminals_draw", False):
        return

    class _TerminalCells(cache_type):  # type: ignore[misc,valid-type]
        as_terminals_draw = True

        def __missing__(self, string: str) -> int:
            if len(string) == 1:
                result = code_point_cells(string)
                self[string] = result
                return result
            return int(super().__missing__(string))

    utils._CHAR_SIZES_CACHE = _TerminalCells()


class QuestionaryPrompter:
    """A :class:`Prompter` over questionary, in the terminal or on given input and output.

    Args:
        input: Where keys come from; the terminal when omitted (tests pass a pipe input).
        output: Where the prompt is drawn; the terminal when omitted (tests pass a
            ``DummyOutput``).
        screen: What is drawn above the prompts; the interview keeps it up to date.
    """

    def __init__(
        self,
        *,
        input: Input | None = None,
        output: Output | None = None,
        screen: PromptScreen | None = None,
    ) -> None:
        self._io: dict[str, Any] = {}
        if input is not None:
            self._io["input"] = input
        if output is not None:
            self._io["output"] = output
        self.screen = screen if screen is not None else PromptScreen()
        self._extra_rows = 0  # rows this prompter printed above the prompt (notices, refusals)
        measure_as_terminals_draw()

    def select(
        self,
        message: str,
        options: Sequence[Option],
        *,
        default: str | None = None,
        instruction: str = "",
        keys: Mapping[str, str] | None = None,
    ) -> str:
        """See :meth:`Prompter.select`.

        Whatever ends the prompt, its result is one of the entries' values (or of ``keys``).
        """
        import questionary

        values = {o.value for o in options} | set((keys or {}).values())
        shortcuts = len(options) <= _MAX_SHORTCUTS

        def make(pointed: str | None) -> Any:
            question = questionary.select(
                message,
                choices=_choices(options, set()),
                default=pointed if pointed in {o.value for o in options} else None,
                qmark="?",
                instruction=instruction or " ",
                use_shortcuts=shortcuts,
                use_jk_keys=False,
                erase_when_done=True,
                **self._io,
            )
            _add_keys(question, dict(keys or {}), listed=False)
            return question

        def state(question: Any) -> str | None:
            control = _list_control(question)
            if control is None:
                return None
            return str(control.get_pointed_at().value)

        self._extra_rows = 0
        while True:
            chosen = _text_result(self._run(make, default, state))
            if chosen in values:
                return chosen
            # Never a value the officer did not choose: asked again. No key of the list gives
            # one now; this holds whatever a later questionnaire or prompt_toolkit binds.

    def checkbox(
        self,
        message: str,
        options: Sequence[Option],
        *,
        checked: Collection[str] = (),
        instruction: str = "",
        validate: ListValidator | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> list[str]:
        """See :meth:`Prompter.checkbox`.

        A refused selection is asked again, as ticked, with the message just above the list.
        """
        import questionary

        order = {o.value: i for i, o in enumerate(options)}
        actions = set((keys or {}).values())
        known = set(order) | actions

        def make(ticked: list[str]) -> Any:
            question = questionary.checkbox(
                message,
                choices=_choices(options, set(ticked)),
                qmark="?",
                instruction=instruction or " ",
                use_jk_keys=False,
                erase_when_done=True,
                **self._io,
            )
            _add_keys(question, dict(keys or {}), listed=True)
            return question

        def state(question: Any) -> list[str]:
            control = _list_control(question)
            return [] if control is None else [str(v) for v in control.selected_options]

        def ask(ticked: list[str]) -> list[str]:
            values = [v for v in _list_result(self._run(make, ticked, state)) if v in known]
            return sorted(values, key=lambda v: order.get(v, len(order)))

        def check(ticked: list[str]) -> str | None:
            if len(ticked) == 1 and ticked[0] in actions:
                return None  # a key that ends the prompt at once
            return None if validate is None else validate(ticked)

        return self._until_accepted(ask, list(checked), check)

    def text(
        self,
        message: str,
        *,
        default: str = "",
        instruction: str = "",
        validate: Validator | None = None,
        multiline: bool = False,
        keys: Mapping[str, str] | None = None,
    ) -> str:
        """See :meth:`Prompter.text`.

        A refused text is asked again, as typed, with the message just above the prompt.
        """
        import questionary

        shown: list[Any] = []

        def make(typed: str) -> Any:
            question = questionary.text(
                message,
                default=typed,
                qmark="?",
                instruction=instruction or None,
                multiline=multiline,
                erase_when_done=True,
                **self._io,
            )
            _add_text_keys(question, dict(keys or {}), multiline=multiline)
            shown[:] = [question]
            return question

        def state(question: Any) -> str:
            return str(question.application.current_buffer.text)

        def ask(typed: str) -> str:
            return _text_result(self._run(make, typed, state))

        def check(typed: str) -> str | None:
            return None if validate is None else validate(typed)

        try:
            return self._until_accepted(ask, default, check)
        except (KeyboardInterrupt, EOFError) as stopped:
            # What was typed but not entered goes with the interruption: the caller may keep it.
            typed = state(shown[0]) if shown else ""
            if typed.strip() and typed != default and not isinstance(stopped, TypedInterrupt):
                raise TypedInterrupt(typed) from None
            raise

    # -- one prompt on the screen ------------------------------------------------------------

    def _run(self, make: Callable[[_T], Any], first: _T, state: Callable[[Any], _T]) -> Any:
        """Draw a prompt and wait for its answer.

        Keys pressed before it is drawn are discarded first (the officer is told); a list
        gets the rows left on the screen and scrolls inside them; a resize draws the screen
        above again and the prompt as it was.
        """
        value = first
        while True:
            self._discard_pending()
            question = make(value)
            application = question.application
            self._fit(application)
            if self.screen.rtl:
                _mirror_list(application)
            if self.screen.redraw is not None:
                _exit_on_resize(application, partial(state, question))
            try:
                return question.unsafe_ask()
            except _Resized as resized:
                value = cast(_T, resized.state)
                self._redraw()

    def _output(self) -> Output:
        from prompt_toolkit.application.current import get_app_session

        output: Output = self._io.get("output") or get_app_session().output
        return output

    def _input(self) -> Input:
        from prompt_toolkit.application.current import get_app_session

        keys: Input = self._io.get("input") or get_app_session().input
        return keys

    def _discard_pending(self) -> None:
        """Drop every key pressed before the prompt is drawn; say so when there were any.

        Keys come from three places: those a previous prompt read but did not use
        (prompt_toolkit keeps them as "typeahead"), those its parser holds, and those the
        terminal holds unread. Ctrl-C and Ctrl-D among them still stop the interview.
        """
        from prompt_toolkit.input.typeahead import get_typeahead
        from prompt_toolkit.keys import Keys

        keys = self._input()
        pressed = list(get_typeahead(keys))  # also empties it
        try:
            with keys.raw_mode():  # a line typed but not ended becomes readable too
                while True:
                    read = keys.read_keys()
                    read += keys.flush_keys()
                    if not read:
                        break
                    pressed += read
        except (OSError, ValueError):  # a closed or odd input: nothing to discard
            pass
        if not pressed:
            return
        kinds = {press.key for press in pressed}
        if Keys.ControlC in kinds:
            raise KeyboardInterrupt
        if Keys.ControlD in kinds:
            raise EOFError("the input ended")
        if all(kind == Keys.CPRResponse for kind in kinds):
            return  # the terminal's own answers, not the officer's keys
        self._notice(self.screen.ignored, "fg:ansiyellow bold")

    def _notice(self, line: str, style: str) -> None:
        from prompt_toolkit import print_formatted_text
        from prompt_toolkit.formatted_text import FormattedText
        from prompt_toolkit.utils import get_cwidth

        output = self._output()
        print_formatted_text(FormattedText([(style, line)]), output=output)
        columns = max(1, output.get_size().columns)
        self._extra_rows += max(1, -(-get_cwidth(line) // columns))

    def _fit(self, application: Any) -> None:
        """Give a list (or a long text) the rows left under the screen, scrolling inside them."""
        from prompt_toolkit.layout.containers import ConditionalContainer, Window
        from prompt_toolkit.layout.controls import BufferControl
        from prompt_toolkit.layout.dimension import Dimension
        from prompt_toolkit.layout.margins import ConditionalMargin, ScrollbarMargin
        from questionary.prompts.common import InquirerControl

        output = self._output()

        def rows() -> Dimension:
            total = output.get_size().rows
            # the prompt's own line and the row the cursor rests on stay free
            free = total - self.screen.rows_above - self._extra_rows - 2
            return Dimension(max=max(3, free))

        for container in application.layout.walk():
            target = container.content if isinstance(container, ConditionalContainer) else container
            if not isinstance(target, Window):
                continue
            if isinstance(target.content, InquirerControl) or (
                isinstance(target.content, BufferControl) and application.layout.has_focus(target)
            ):
                target.height = rows

                def taller(window: Window = target) -> bool:
                    info = window.render_info
                    if info is not None:
                        return info.content_height > info.window_height
                    # before its first drawing: the height its content asks for
                    wanted = window.content.preferred_height(
                        output.get_size().columns, 10**6, False, None
                    )
                    limit = rows().max
                    return wanted is not None and isinstance(limit, int) and wanted > limit

                from prompt_toolkit.filters import Condition

                target.right_margins = [
                    ConditionalMargin(ScrollbarMargin(display_arrows=True), Condition(taller))
                ]

    def _redraw(self) -> None:
        output = self._output()
        output.erase_screen()
        output.cursor_goto(0, 0)
        output.flush()
        self._extra_rows = 0
        if self.screen.redraw is not None:
            self.screen.rows_above = self.screen.redraw()

    def _until_accepted(
        self, ask: Callable[[_T], _T], first: _T, check: Callable[[_T], str | None]
    ) -> _T:
        # questionary shows a refusal in a toolbar at the bottom of the terminal, far from
        # the prompt; here the prompt is asked again with the message on the line above it.
        output = self._output()
        value, rows = first, 0
        self._extra_rows = 0
        while True:
            value = ask(value)
            problem = check(value)
            if rows:  # the previous message gives way to the new one, or to nothing
                output.cursor_up(rows)
                output.erase_down()
                output.flush()
                self._extra_rows = max(0, self._extra_rows - rows)
                rows = 0
            if problem is None:
                return value
            before = self._extra_rows
            self._notice("\u2717 " + problem, "fg:ansired bold")
            rows = self._extra_rows - before


def _list_control(question: Any) -> Any:
    """The list of a questionary select or checkbox prompt."""
    from prompt_toolkit.layout.containers import Window
    from questionary.prompts.common import InquirerControl

    for container in question.application.layout.walk():
        if isinstance(container, Window) and isinstance(container.content, InquirerControl):
            return container.content
    return None  # pragma: no cover - every list prompt has one


# The pointer as it points from the right of an entry towards its text.
_MIRRORED_POINTERS = {"\u00bb": "\u00ab", "\u276f": "\u276e", ">": "<"}


def _mirror_list(application: Any) -> None:
    """Lay out the list of a select or checkbox prompt from the right: every entry aligned
    right, its number, tick mark and the pointer on its right, the scroll bar on the left.

    Only the drawing changes: the entries, their keys and what the prompt returns are
    questionary's own.
    """
    from prompt_toolkit.layout.containers import ConditionalContainer, Window, WindowAlign
    from questionary.prompts.common import InquirerControl

    for container in application.layout.walk():
        window = container.content if isinstance(container, ConditionalContainer) else container
        if isinstance(window, Window) and isinstance(window.content, InquirerControl):
            control = window.content
            control.text = cast(Any, partial(_mirrored_tokens, control))
            window.align = WindowAlign.RIGHT
            window.left_margins, window.right_margins = window.right_margins, []
            return  # the window is met again inside its container


def _mirrored_tokens(control: Any) -> list[tuple[str, str]]:
    """The lines of a questionary list in right-to-left order, from the list's own state.

    questionary draws `` » 1) text`` (`` » ○ text`` in a checkbox list); here each line is
    ``text (1 « `` (``text ○ « ``), to be aligned right. The lines of an entry after its first
    end under the end of its text. Entries' texts are already in display order.
    """
    from prompt_toolkit.utils import get_cwidth
    from questionary import Separator
    from questionary.constants import INDICATOR_SELECTED, INDICATOR_UNSELECTED

    pointer = str(control.pointer or "")
    pointer = _MIRRORED_POINTERS.get(pointer, pointer)
    tokens: list[tuple[str, str]] = []
    for index, choice in enumerate(control.filtered_choices):
        if isinstance(choice, Separator):
            tokens += [("class:separator", str(choice.title)), ("class:text", " " * 4)]
            tokens.append(("", "\n"))
            continue
        pointed = index == control.pointed_at
        selected = choice.value in control.selected_options
        style = "class:selected" if selected else "class:highlighted" if pointed else "class:text"
        after: list[tuple[str, str]] = []
        if control.use_shortcuts:
            key = "-" if choice.shortcut_key is None else str(choice.shortcut_key)
            after.append((style, f" ({key}"))
        if control.use_indicator:
            mark = INDICATOR_SELECTED if selected else INDICATOR_UNSELECTED
            after.append(("class:selected" if selected else "class:text", f" {mark}"))
        if pointed:
            after += [("[SetCursorPosition]", ""), ("class:pointer", f" {pointer} ")]
        else:
            after.append(("class:text", " " * (2 + max(1, len(pointer)))))
        width = sum(get_cwidth(text) for _, text in after)
        lines = str(choice.title).split("\n")
        tokens += [(style, lines[0].strip()), *after, ("", "\n")]
        for line in lines[1:]:
            tokens += [(style, line.strip()), ("class:text", " " * width), ("", "\n")]
    if tokens:
        tokens.pop()  # no newline after the last line, as questionary draws it
    return tokens


def _exit_on_resize(application: Any, state: Callable[[], object]) -> None:
    """End the prompt with :class:`_Resized` when the terminal changes size."""
    size = application.output.get_size()

    def check(app: Any) -> None:
        now = app.output.get_size()
        future = getattr(app, "future", None)
        if now != size and not app.is_done and future is not None and not future.done():
            app.exit(exception=_Resized(state()))

    application.before_render += check


def _choices(options: Sequence[Option], checked: set[str]) -> list[Any]:
    from questionary import Choice, Separator

    out: list[Any] = []
    previous: int | None = None
    for option in options:
        if previous is not None and option.group != previous:
            out.append(Separator(" "))
        previous = option.group
        out.append(Choice(title=option.label, value=option.value, checked=option.value in checked))
    return out


def _add_keys(question: Any, keys: dict[str, str], *, listed: bool) -> None:
    """Bind single keys that end a list prompt at once, Ctrl-D to the end of input, and
    take away the keys that would end or change a list unseen."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.keys import Keys

    bindings = KeyBindings()

    for key, value in keys.items():

        def choose(event: Any, value: str = value) -> None:
            event.app.exit(result=[value] if listed else value)

        bindings.add(key, eager=True)(choose)

    # questionary's lists ignore Ctrl-D; here it ends the input like it does in a text prompt.
    @bindings.add(Keys.ControlD, eager=True)
    def _end(event: Any) -> None:
        event.app.exit(exception=EOFError)

    # Esc does nothing in a list: Esc then Enter (how a long text is finished) would
    # otherwise end the list without an entry. Enter after it chooses as Enter does.
    @bindings.add(Keys.Escape, eager=True)
    def _escape(event: Any) -> None:
        pass

    if listed:
        # questionary ticks everything with "a" and inverts with "i": keys shown nowhere,
        # that would tick "Don't know" and "Back" with the answers.
        for key in ("a", "i"):
            if key not in keys:
                bindings.add(key, eager=True)(_escape)

    application = question.application
    application.key_bindings = merge_key_bindings([application.key_bindings, bindings])


def _add_text_keys(question: Any, keys: dict[str, str], *, multiline: bool) -> None:
    """Bind single keys that end a text prompt at once when typed into an empty field; in a
    one-line field, a paste of several lines keeps its first line only."""
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.keys import Keys

    bindings = KeyBindings()
    application = question.application

    if not multiline:

        @bindings.add(Keys.BracketedPaste, eager=True)
        def _paste(event: Any) -> None:
            # The rest cannot be part of a one-line answer, and must not become the answers
            # to the next questions: it is left out. The field shows what Enter will record.
            lines = event.data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            event.current_buffer.insert_text(lines[0])

    @Condition
    def empty() -> bool:
        return not application.current_buffer.text

    for key, value in keys.items():

        def choose(event: Any, value: str = value) -> None:
            event.app.exit(result=value)

        bindings.add(key, filter=empty, eager=True)(choose)
    application.key_bindings = merge_key_bindings([application.key_bindings, bindings])


# unsafe_ask returns None only when a prompt is skipped, which never happens here; a None that
# reached the interview could be recorded as an answer, so it ends the input instead.


def _text_result(result: object) -> str:
    if not isinstance(result, str):
        raise EOFError("the prompt ended without an answer")
    return result


def _list_result(result: object) -> list[str]:
    if not isinstance(result, list):
        raise EOFError("the prompt ended without an answer")
    return [str(value) for value in result]
