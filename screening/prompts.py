"""Prompts in the terminal with questionary (adapter: the only module that imports questionary
and prompt_toolkit).

The interview talks to a :class:`Prompter`: a select list, a checkbox list and a line of text,
each given its message and its options already in their display form. This module neither
decides what an answer means nor what Ctrl-C means: :class:`QuestionaryPrompter` asks with
``unsafe_ask`` so that Ctrl-C raises ``KeyboardInterrupt`` and the end of input (Ctrl-D)
raises ``EOFError``, and the caller keeps the draft and exits 130. A prompt never returns
``None``.

questionary is imported when the first prompt is made, not when this module is imported, so
the interview's own module and its tests load without it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

__all__ = ["Option", "Prompter", "QuestionaryPrompter", "Validator"]

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
    ) -> str:
        """A line (or lines) of text; returns it as typed.

        Args:
            message: The prompt line.
            default: Text already in the field.
            instruction: A hint shown after the message.
            validate: Refuses the text with a message; the prompt stays open.
            multiline: Enter starts a new line; Esc then Enter (or Alt-Enter) finishes.
        """
        ...


# Entries of a list are numbered 1-9, 0, then a-z; j and k are not used to move the pointer,
# so that they can be numbers too.
_MAX_SHORTCUTS = 36


class QuestionaryPrompter:
    """A :class:`Prompter` over questionary, in the terminal or on given input and output.

    Args:
        input: Where keys come from; the terminal when omitted (tests pass a pipe input).
        output: Where the prompt is drawn; the terminal when omitted (tests pass a
            ``DummyOutput``).
    """

    def __init__(self, *, input: Input | None = None, output: Output | None = None) -> None:
        self._io: dict[str, Any] = {}
        if input is not None:
            self._io["input"] = input
        if output is not None:
            self._io["output"] = output

    def select(
        self,
        message: str,
        options: Sequence[Option],
        *,
        default: str | None = None,
        instruction: str = "",
        keys: Mapping[str, str] | None = None,
    ) -> str:
        """See :meth:`Prompter.select`."""
        import questionary

        shortcuts = len(options) <= _MAX_SHORTCUTS
        question = questionary.select(
            message,
            choices=_choices(options, set()),
            default=default if default in {o.value for o in options} else None,
            qmark="?",
            instruction=instruction or " ",
            use_shortcuts=shortcuts,
            use_jk_keys=False,
            erase_when_done=True,
            **self._io,
        )
        _add_keys(question, dict(keys or {}), listed=False)
        return _text_result(question.unsafe_ask())

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

        def ask(ticked: list[str]) -> list[str]:
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
            values = _list_result(question.unsafe_ask())
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
    ) -> str:
        """See :meth:`Prompter.text`.

        A refused text is asked again, as typed, with the message just above the prompt.
        """
        import questionary

        def ask(typed: str) -> str:
            question = questionary.text(
                message,
                default=typed,
                qmark="?",
                instruction=instruction or None,
                multiline=multiline,
                erase_when_done=True,
                **self._io,
            )
            return _text_result(question.unsafe_ask())

        def check(typed: str) -> str | None:
            return None if validate is None else validate(typed)

        return self._until_accepted(ask, default, check)

    def _until_accepted(
        self, ask: Callable[[_T], _T], first: _T, check: Callable[[_T], str | None]
    ) -> _T:
        # questionary shows a refusal in a toolbar at the bottom of the terminal, far from
        # the prompt; here the prompt is asked again with the message on the line above it.
        from prompt_toolkit import print_formatted_text
        from prompt_toolkit.application.current import get_app_session
        from prompt_toolkit.formatted_text import FormattedText
        from prompt_toolkit.utils import get_cwidth

        output = self._io.get("output") or get_app_session().output
        value, rows = first, 0
        while True:
            value = ask(value)
            problem = check(value)
            if rows:  # the previous message gives way to the new one, or to nothing
                output.cursor_up(rows)
                output.erase_down()
                output.flush()
                rows = 0
            if problem is None:
                return value
            line = "\u2717 " + problem
            print_formatted_text(FormattedText([("fg:ansired bold", line)]), output=output)
            columns = max(1, output.get_size().columns)
            rows = max(1, -(-get_cwidth(line) // columns))


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
    """Bind single keys that end a list prompt at once, and Ctrl-D to the end of input."""
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

    application = question.application
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
