"""The interactive interview: the officer's screens, the prompts, and autosave (orchestration).

:class:`Interview` walks an :class:`~screening.engine.InterviewEngine` through a questionnaire.
Each screen is drawn with rich and each answer is asked through a
:class:`~screening.ui.prompts.Prompter`. Every answer, note and flag acknowledgement is committed
to the case store before anything else is shown, so Ctrl-C, the end of input or a killed
process loses nothing that was answered; :class:`~screening.errors.Interrupted` then carries
the command that resumes the case.

Text of the questionnaire is shown in the interview language with the officer's language
beneath; right-to-left text goes through :mod:`screening.bidi` for display only (wrapped
first, then reordered), and worker-language text is never put inside a bordered box. Stored
and exported text is always the logical text.

Keys, in every prompt: ``<`` goes back, ``+`` adds a note to the question. In typed answers,
``?`` means "don't know" and ``-`` "declined" (when the question offers them). See
docs/interview.md.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from screening.answers import has_control_characters, note_problem
from screening.bidi import RtlMode, cell_width, display, display_lines
from screening.engine import InterviewEngine, InvalidAnswer
from screening.errors import (
    Interrupted,
    LeaseError,
    ScreeningError,
    StoreError,
)
from screening.i18n import t, ui_language
from screening.model import (
    DECLINED,
    DONT_KNOW,
    DateQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
    Text,
    TextQuestion,
    YesNoQuestion,
)
from screening.sanitize import visible
from screening.session import (
    CaseState,
    InterviewResult,
    InterviewSettings,
    Session,
    brings_checklist,
    resume_command,
)
from screening.ui.prompts import Option, Prompter, PromptScreen, TypedInterrupt
from screening.ui.summary import dimensions_table, print_dimensions, render_summary
from screening.ui.view import View, language_is_rtl

if TYPE_CHECKING:
    from rich.console import Console

    from screening.questionnaires import LoadedQuestionnaire
    from screening.store import CaseStore

__all__ = [
    "BACK_KEY",
    "DECLINED_KEY",
    "DONT_KNOW_KEYS",
    "NOTE_KEY",
    "Action",
    "Answer",
    "Interview",
    "InterviewResult",
    "InterviewSettings",
    "Reply",
    "ask_question",
    "brings_checklist",
    "resume_command",
]

BACK_KEY = "<"
"""Goes back, in every prompt (typed alone in a text prompt)."""
NOTE_KEY = "+"
"""Adds a note to the question, in every prompt (typed alone in a text prompt)."""
DONT_KNOW_KEYS = ("?", "\u061f")
"""Typed alone: the answer "don't know" (``؟`` is the question mark of Arabic keyboards)."""
DECLINED_KEY = "-"
"""Typed alone: the answer "declined"."""
WHOLE_KEY = "="
"""Shows the whole question in a pager, in every prompt (typed alone in a text prompt): a
question too long for the terminal is shortened on its screen."""

CHECKLIST_ITEMS = ("needs", "private", "interpreter", "gender", "explained")
"""The pre-interview checklist, from the interview practice of the TVIT guide and IOM."""


# --------------------------------------------------------------------------- replies


class Action(StrEnum):
    """What an officer can do at a prompt besides answering."""

    BACK = "back"
    NOTE = "note"
    SKIP = "skip"
    CLEAR = "clear"
    WHOLE = "whole"


@dataclass(frozen=True)
class Answer:
    """An answer to record: never ``None``."""

    value: Any


_Drawn = TypeVar("_Drawn")
_REVIEW_PROMPT_LINES = 6
"""Lines the review's prompt takes below the review: its message, three entries, a margin."""

_SUMMARY_END_LINES = 5
"""Rows under the summary: a blank, the case completed, where the referral was written (two
lines in right-to-left screens), and the row the cursor rests on."""

Reply = Answer | Action
"""What a question prompt returns."""


@dataclass(frozen=True)
class _Refusal:
    """Typed text that is not an answer, with the message to show (display form)."""

    message: str


_BACK = "<back>"
_NOTE = "<note>"
_SKIP = "<skip>"
_CLEAR = "<clear>"
_DONT_KNOW = "<dont_know>"
_DECLINED = "<declined>"
_WHOLE = "<whole>"
# Choice values are identifiers (lower case letters, digits, _), so these never collide.
_ACTIONS = {
    _BACK: Action.BACK,
    _NOTE: Action.NOTE,
    _SKIP: Action.SKIP,
    _CLEAR: Action.CLEAR,
    _WHOLE: Action.WHOLE,
}
_SPECIALS = {_DONT_KNOW: DONT_KNOW, _DECLINED: DECLINED}


# --------------------------------------------------------------------------- questions


def _hint(view: View, question: Question, *, answered: bool = False) -> list[str]:
    """The keys of a question's prompt, one short phrase each.

    An optional question already answered is offered "empty to clear the answer" instead of
    "empty to skip".
    """
    parts: list[str] = []
    if isinstance(question, TextQuestion | NumberQuestion | DateQuestion):
        multiline = isinstance(question, TextQuestion) and question.multiline
        parts.append(view.tr("interview.key.multiline" if multiline else "interview.key.confirm"))
        if DONT_KNOW in question.allow:
            parts.append(view.tr("interview.key.dont_know", key=view.ltr(DONT_KNOW_KEYS[0])))
        if DECLINED in question.allow:
            parts.append(view.tr("interview.key.declined", key=view.ltr(DECLINED_KEY)))
        if not question.required:
            parts.append(view.tr("interview.key.clear" if answered else "interview.key.skip"))
    elif isinstance(question, MultipleChoiceQuestion):
        parts.append(view.tr("interview.key.tick"))
        least = question.validation.min_selected if question.validation else None
        if not least:  # "none of these" is only an answer where an empty list is allowed
            parts.append(view.tr("interview.key.none"))
    else:
        parts.append(view.tr("interview.key.choose"))
    parts.append(view.tr("interview.key.back", key=view.ltr(BACK_KEY)))
    parts.append(view.tr("interview.key.note", key=view.ltr(NOTE_KEY)))
    return parts


def _special_options(view: View, question: Question) -> list[Option]:
    options: list[Option] = []
    if isinstance(question, NoteQuestion):
        return options
    alone = view.for_officer(question)
    if DONT_KNOW in question.allow:
        options.append(
            Option(_DONT_KNOW, view.program_label("answer.dont_know", officer_only=alone), 1)
        )
    if DECLINED in question.allow:
        options.append(
            Option(_DECLINED, view.program_label("answer.declined", officer_only=alone), 1)
        )
    return options


def _action_options(
    view: View, question: Question, *, skip: bool, clear: bool = False
) -> list[Option]:
    options = [Option(_NOTE, view.ui_shown("interview.add_note"), 2)]
    if skip:
        options.append(Option(_SKIP, view.ui_shown("interview.skip"), 2))
    if clear:
        options.append(Option(_CLEAR, view.ui_shown("interview.clear"), 2))
    options.append(Option(_BACK, view.ui_shown("interview.back"), 2))
    return options


_LIST_KEYS = {BACK_KEY: _BACK, NOTE_KEY: _NOTE, WHOLE_KEY: _WHOLE}


def ask_question(
    prompter: Prompter,
    view: View,
    question: Question,
    *,
    current: Any = None,
    typed_draft: str | None = None,
) -> Reply:
    """Ask one question and return the officer's reply.

    Yes/no and single choice questions are select lists, with "don't know" and "declined"
    last among the answers, then "Add a note" and "Back". Multiple choice is a checkbox list
    with the same entries. Number, date and text are typed, checked as they are typed with
    the questionnaire's message (or a translated one); ``<`` goes back, ``+`` adds a note,
    ``?`` is "don't know" and ``-`` "declined". In every prompt ``=`` asks for the whole
    question (:attr:`Action.WHOLE`), which a short terminal may show shortened.

    Args:
        prompter: Where to ask.
        view: The interview's languages and display.
        question: The question.
        current: Its answer so far (offered as the default), or ``None`` when unanswered.
        typed_draft: Text typed in its field but not entered when the interview was paused,
            offered again in the field of an unanswered typed question.

    Returns:
        An :class:`Answer` (checked against the question), or an :class:`Action`.

    With ``--rtl reorder``, a list whose entries begin in a right-to-left language (the
    interview language's, or the officer's for a question the officer answers alone) is laid
    out from the right.
    """
    screen = getattr(prompter, "screen", None)
    if not isinstance(screen, PromptScreen):
        return _ask_question(prompter, view, question, current=current, typed_draft=typed_draft)
    alone = view.for_officer(question) or isinstance(question, NoteQuestion)
    before = screen.rtl
    screen.rtl = view.reorder and view.is_rtl(view.officer_language if alone else view.language)
    try:
        return _ask_question(prompter, view, question, current=current, typed_draft=typed_draft)
    finally:
        screen.rtl = before


def _ask_question(
    prompter: Prompter, view: View, question: Question, *, current: Any, typed_draft: str | None
) -> Reply:
    message = view.ui_shown("interview.answer")
    if isinstance(question, NoteQuestion):
        options = [Option(_SKIP, view.ui_shown("interview.continue"), 0)]
        options += _action_options(view, question, skip=False)
        chosen = prompter.select(message, options, default=_SKIP, instruction=" ", keys=_LIST_KEYS)
        return _ACTIONS[chosen]
    skip = not question.required and current is None
    clear = not question.required and current is not None
    alone = view.for_officer(question)  # then the officer's language only
    default = _option_value(current)
    if isinstance(question, YesNoQuestion | SingleChoiceQuestion):
        if isinstance(question, YesNoQuestion):
            answers = [
                Option("yes", view.program_label("answer.yes", officer_only=alone), 0),
                Option("no", view.program_label("answer.no", officer_only=alone), 0),
            ]
        else:
            answers = [
                Option(c.value, view.label(c.label, officer_only=alone), 0)
                for c in question.choices
            ]
        options = answers + _special_options(view, question)
        options += _action_options(view, question, skip=skip, clear=clear)
        chosen = prompter.select(
            message, options, default=default, instruction=" ", keys=_LIST_KEYS
        )
        return _list_reply(chosen)
    if isinstance(question, MultipleChoiceQuestion):
        options = [
            Option(c.value, view.label(c.label, officer_only=alone), 0) for c in question.choices
        ]
        options += _special_options(view, question)
        options += _action_options(view, question, skip=skip, clear=clear)
        checked: list[str] = []
        if isinstance(current, list):
            checked = [str(v) for v in current]
        elif isinstance(default, str):
            checked = [default]

        def check(values: list[str]) -> str | None:
            return _checkbox_problem(view, question, values)

        ticked = prompter.checkbox(
            message, options, checked=checked, instruction=" ", validate=check, keys=_LIST_KEYS
        )
        if len(ticked) == 1 and (ticked[0] in _ACTIONS or ticked[0] in _SPECIALS):
            return _list_reply(ticked[0])
        problem = _checkbox_problem(view, question, ticked)
        if problem is not None:  # only a prompter that skips validation gets here
            raise InvalidAnswer(question.id, "the ticked entries do not fit the question")
        return Answer(ticked)
    typed_default = "" if current is None or isinstance(current, list) else _typed(current)
    if current is None and typed_draft:
        typed_default = typed_draft

    def validate(typed: str) -> str | None:
        reply = _typed_reply(view, question, typed)
        return reply.message if isinstance(reply, _Refusal) else None

    multiline = isinstance(question, TextQuestion) and question.multiline
    typed = prompter.text(
        message,
        # at once in an empty field, as in the lists
        keys={BACK_KEY: BACK_KEY, WHOLE_KEY: WHOLE_KEY},
        default=typed_default,
        # not questionary's own hint for multi-line text, in English: the keys are above
        instruction=" " if multiline else "",
        validate=validate,
        multiline=multiline,
    )
    reply = _typed_reply(view, question, typed)
    if isinstance(reply, _Refusal):
        raise InvalidAnswer(question.id, "the typed answer does not fit the question")
    if reply is Action.SKIP and current is not None:
        return Action.CLEAR  # the officer emptied the answer that was there
    return reply


def _option_value(current: Any) -> str | None:
    if current == DONT_KNOW:
        return _DONT_KNOW
    if current == DECLINED:
        return _DECLINED
    return current if isinstance(current, str) else None


def _typed(value: Any) -> str:
    if value == DONT_KNOW:
        return DONT_KNOW_KEYS[0]
    if value == DECLINED:
        return DECLINED_KEY
    return str(value)


def _list_reply(chosen: str) -> Reply:
    if chosen in _ACTIONS:
        return _ACTIONS[chosen]
    if chosen in _SPECIALS:
        return Answer(_SPECIALS[chosen])
    return Answer(chosen)


def _checkbox_problem(
    view: View, question: MultipleChoiceQuestion, values: list[str]
) -> str | None:
    others = [v for v in values if v in _ACTIONS or v in _SPECIALS]
    if others:
        return None if len(values) == 1 else view.ui_shown("interview.mixed")
    problem = _problem(question, values)
    if problem:
        return _expected(view, question)
    return None


def _ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic ones from an Arabic keyboard) as ASCII digits."""
    out = []
    for char in text:
        if char.isdecimal() and not char.isascii():
            out.append(str(unicodedata.decimal(char)))
        elif char == "\u066b":  # the Arabic decimal separator
            out.append(".")
        else:
            out.append(char)
    return "".join(out)


def _typed_reply(view: View, question: Question, typed: str) -> Reply | _Refusal:
    """The reply a typed text means, or the message to show (in display form)."""
    assert not isinstance(question, NoteQuestion)
    text = typed.strip()
    if text == BACK_KEY:
        return Action.BACK
    if text == NOTE_KEY:
        return Action.NOTE
    if text == WHOLE_KEY:
        return Action.WHOLE
    if text in DONT_KNOW_KEYS or text == DECLINED_KEY:
        special = DONT_KNOW if text in DONT_KNOW_KEYS else DECLINED
        if special not in question.allow:
            return _Refusal(view.ui_shown("interview.not_offered"))
        return Answer(special)
    if not text:
        if not question.required:
            return Action.SKIP
        return _Refusal(view.ui_shown("interview.required"))
    value: Any = text
    if isinstance(question, NumberQuestion):
        number = _ascii_digits(text)
        try:
            value = int(number)
        except ValueError:
            try:
                value = float(number)
            except ValueError:
                return _Refusal(_expected(view, question))
    elif isinstance(question, DateQuestion):
        value = _ascii_digits(text)
    elif isinstance(question, TextQuestion) and question.multiline:
        value = typed.strip("\n")
    if isinstance(question, TextQuestion) and has_control_characters(
        value, newlines=question.multiline
    ):
        # Pasted escape sequences would be stored, exported and replayed on the screen.
        return _Refusal(view.ui_shown("interview.invalid.control"))
    problem = _problem(question, value)
    if problem:
        return _Refusal(_expected(view, question))
    return Answer(value)


def _problem(question: Question, value: Any) -> str:
    """What is wrong with an answer at the prompt ("" when nothing): a check only; the value
    is normalised once, by the engine, on its way to the store."""
    from screening.answers import normalize_value

    return normalize_value(question, value)[1]


def _limit(number: float) -> str:
    return f"{number:g}"


def _expected(view: View, question: Question) -> str:
    """What the question expects, in the officer's language (display form).

    The questionnaire's own message comes first; else a sentence built from the limits.
    """
    validation = getattr(question, "validation", None)
    if validation is not None and validation.message is not None:
        return view.shown(view.officer(validation.message), view.officer_language)
    main = ""
    clauses: list[str] = []
    if isinstance(question, NumberQuestion):
        whole = validation is not None and validation.integer
        main = view.tr("interview.invalid.whole" if whole else "interview.invalid.number")
        if validation is not None and validation.min is not None:
            clauses.append(view.tr("interview.invalid.at_least", limit=_limit(validation.min)))
        if validation is not None and validation.max is not None:
            clauses.append(view.tr("interview.invalid.at_most", limit=_limit(validation.max)))
    elif isinstance(question, DateQuestion):
        main = view.tr("interview.invalid.date", example=dt.date.today().isoformat())
        if validation is not None and validation.min:
            clauses.append(view.tr("interview.invalid.not_before", limit=validation.min))
        if validation is not None and validation.max:
            clauses.append(view.tr("interview.invalid.not_after", limit=validation.max))
        if validation is not None and validation.not_future:
            clauses.append(view.tr("interview.invalid.not_future"))
    elif isinstance(question, TextQuestion) and validation is not None:
        if validation.max_length is not None:
            clauses.append(view.tr("interview.invalid.max_length", limit=validation.max_length))
        if validation.pattern is not None:
            clauses.append(view.tr("interview.invalid.pattern"))
    elif isinstance(question, MultipleChoiceQuestion) and validation is not None:
        if validation.min_selected is not None:
            clauses.append(
                view.tr("interview.invalid.choose_at_least", limit=validation.min_selected)
            )
        if validation.max_selected is not None:
            clauses.append(
                view.tr("interview.invalid.choose_at_most", limit=validation.max_selected)
            )
    if not main:
        main = clauses.pop(0) if clauses else view.tr("interview.not_offered")
    sentence = main
    if clauses:
        sentence += " (" + view.tr("interview.list_separator").join(clauses) + ")"
    if not sentence.endswith("."):
        sentence += "."
    return view.shown(sentence, view.ui)


# --------------------------------------------------------------------------- the interview


class Interview:
    """One interview, from the officer's id to the written referral.

    Args:
        settings: The command line's options.
        prompter: Where questions are asked.
        console: Where screens are drawn.
        store: The case store; every answer is committed there before the next screen.
        referrals_dir: Where referrals go when ``settings.out`` is not given.
        load: Finds a questionnaire by path or bundled id (``None``: the default).
        clock: The time of the referral.
        new_id: Makes the referral's id.
    """

    def __init__(
        self,
        settings: InterviewSettings,
        *,
        prompter: Prompter,
        console: Console,
        store: CaseStore,
        referrals_dir: Path,
        load: Callable[[str | None], LoadedQuestionnaire] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        self.settings = settings
        self.prompter = prompter
        self.console = console
        self.session = Session(
            settings,
            store=store,
            referrals_dir=referrals_dir,
            load=load,
            clock=clock,
            new_id=new_id,
        )
        """The case, its engine and its lease: what the screens show and change."""
        self._view: View | None = None
        self._status: list[tuple[str, str]] = []
        self._resumed_at: str | None = None  # the first question shown after a resume
        self._asking: str | None = None  # the question whose prompt is on the screen

    @property
    def sleep(self) -> Callable[[float], None]:
        """Waits between two tries to save while the store's server cannot be reached."""
        return self.session.sleep

    @sleep.setter
    def sleep(self, wait: Callable[[float], None]) -> None:
        self.session.sleep = wait

    # -- the whole run -------------------------------------------------------------------

    def run(self) -> InterviewResult:
        """Run the interview to its end.

        Returns:
            The case id, the referral's path and the final assessment.

        Raises:
            Interrupted: Ctrl-C or the end of input; what was answered is saved, and the
                message and hint say how to resume.
            StoreError: The store cannot be written; everything saved before is kept.
            UsageError: Options that do not fit the questionnaire or the case.
            ScreeningError: The referral cannot be written.
        """
        self.session.check_out()
        try:
            if self.settings.resume is not None:
                self._resume(self.settings.resume)
            else:
                self._start()
            return self._interview()
        except (KeyboardInterrupt, EOFError) as stopped:
            kept = self._keep_typed(stopped)
            raise self._interrupted(kept_typed=kept) from None
        except LeaseError:
            raise
        except StoreError as error:
            # The store is failing (locked, full, read-only): leave the lease to expire with
            # this process rather than wait for the store once more to give it back.
            self.session.forget_lease()
            case_id = self.session.case_id
            if case_id is None:
                raise
            hint = self._tr("interview.store_failed", command=resume_command(case_id))
            raise StoreError(error.message, hint=f"{error.hint} {hint}".strip()) from None
        finally:
            self.session.release()

    def _waiting(self, message: str, delay: float) -> None:
        """Said while the store's server cannot be reached and the answer waits to be saved
        (it stays on the screen). Ctrl-C while waiting pauses the interview (exit 130, with
        the resume command); every earlier answer is saved."""
        from rich.text import Text as RichText

        said = self._tr("interview.store_unreachable", message=message, delay=delay)
        self.console.print(RichText(said, style="bold yellow"), soft_wrap=True)

    def _take_over(self, case_id: str, holder: str) -> bool:
        """Ask whether to take over a case open in another terminal."""
        ui = self._ui()
        options = [
            Option("take", self._display(self._tr("interview.lease.take"), ui)),
            Option("leave", self._display(self._tr("interview.lease.leave"), ui)),
        ]
        question = self._tr("interview.lease.held", case_id=case_id, holder=holder)
        return self.prompter.select(self._display(question, ui), options, default="leave") == (
            "take"
        )

    def _keep_typed(self, stopped: BaseException) -> bool:
        """Keep the text typed but not entered when Ctrl-C paused the interview; whether it
        was kept (a store that cannot be written keeps nothing more: the pause goes on)."""
        question_id = self._asking
        if not isinstance(stopped, TypedInterrupt) or question_id is None:
            return False
        if self.session.case is None or self.settings.practice:
            return False
        try:
            self.session.keep_typed_draft(question_id, stopped.typed)
        except ScreeningError:
            return False
        return True

    def _interrupted(self, *, kept_typed: bool = False) -> Interrupted:
        view_ui = self._ui()
        case, engine = self.session.case, self.session.engine
        if case is None:
            return Interrupted(self._display(t("interview.interrupted_early", view_ui), view_ui))
        count = len(engine.answers) if engine is not None else 0
        message = t("interview.interrupted", view_ui, count=count, case_id=case.case_id)
        if kept_typed:
            message += " " + t("interview.typed_kept", view_ui)
        hint = t("interview.resume_hint", view_ui, command=resume_command(case.case_id))
        return Interrupted(self._display(message, view_ui), hint=self._display(hint, view_ui))

    def _use_view(self, view: View) -> None:
        """Make ``view`` the interview's; the prompter's own messages and lists follow its
        language (lists laid out from the right with ``--rtl reorder`` when it reads from right
        to left; a question's answers follow their own language, see :func:`ask_question`)."""
        self._view = view
        screen = _prompt_screen(self.prompter)
        if screen is not None:
            screen.ignored = view.ui_shown("interview.ignored_keys")
            screen.rtl = view.reorder and view.ui_rtl

    def _ui(self) -> str:
        if self._view is not None:
            return self._view.ui
        return ui_language(self.settings.ui_language or "en")

    def _display(self, text: str, ui: str) -> str:
        return display(text, self.settings.rtl, rtl=language_is_rtl(ui))

    def _tr(self, key: str, /, **values: object) -> str:
        return t(key, self._ui(), **values)

    # -- starting --------------------------------------------------------------------------

    def _start(self) -> None:
        settings = self.settings
        loaded = self.session.questionnaire()
        q = loaded.questionnaire
        ui = settings.ui_language or "en"
        # The view starts in the officer's language and learns the interview language next.
        self._use_view(
            View(
                self.console,
                questionnaire=q,
                language=settings.language or q.default_language,
                officer_language=ui,
                mode=settings.rtl,
            )
        )
        officer = settings.officer or self._ask_officer(None)
        language = settings.language or self._ask_language(q)
        self._use_view(
            View(
                self.console,
                questionnaire=q,
                language=language,
                officer_language=ui,
                mode=settings.rtl,
            )
        )
        case_id = self.session.start(loaded, officer=officer, language=language)
        opened = "interview.practice_opened" if settings.practice else "interview.case_opened"
        self._status = [("bold green", self._tr(opened, case_id=case_id))]
        self._rtl_hint()
        if not brings_checklist(q):
            self._checklist()

    def _resume(self, case_id: str) -> None:
        settings = self.settings
        draft = self.session.draft(case_id)
        case, loaded = draft.case, draft.loaded
        q = loaded.questionnaire
        ui = settings.ui_language or case.ui_language
        self._use_view(
            View(
                self.console,
                questionnaire=q,
                language=case.language,
                officer_language=ui,
                mode=settings.rtl,
            )
        )
        taken_from = self.session.hold(
            case.id,
            settings.officer or case.officer,
            lambda holder: self._take_over(case.id, holder),
        )
        officer = settings.officer or self._ask_officer(case.officer)
        engine = self.session.resume(draft, officer=officer)
        self._status = [
            (
                "bold green",
                self._tr("interview.resumed", case_id=case.id, count=len(engine.answers)),
            )
        ]
        if taken_from is not None:
            self._status.append(("yellow", self._tr("interview.lease.taken", holder=taken_from)))
        if loaded.sha256 != case.questionnaire_sha256:
            self._status.append(("yellow", self._tr("interview.questionnaire_changed")))
        self._resumed_at = engine.position
        self._rtl_hint()
        if engine.rejected:
            ids = ", ".join(sorted(engine.rejected))
            self._status.append(
                ("yellow", self._tr("interview.rejected", count=len(engine.rejected), ids=ids))
            )
        if not brings_checklist(q) and "pre_interview_checklist" not in case.meta:
            self._checklist()

    def _rtl_hint(self) -> None:
        """Tell the officer once how to choose the right-to-left display, when it matters.

        With the default (``--rtl off``) right-to-left text is sent as stored, which only
        terminals that do bidi themselves show well; nothing else would tell an officer
        whose terminal shows unjoined letters what to do.
        """
        view = self._require_view()
        if self.settings.rtl_chosen:
            return
        if not (view.is_rtl(view.language) or view.is_rtl(view.ui)):
            return
        sample = "مرحبا بكم"
        # the same words as stored and as reordered: the officer sees which one reads right
        reordered = display(sample, RtlMode.REORDER, rtl=True)
        self._status.append(
            ("yellow", view.tr("interview.rtl_hint", sample=sample, reordered=reordered))
        )

    def _ask_officer(self, default: str | None) -> str:
        view = self._require_view()

        def check(typed: str) -> str | None:
            text = typed.strip()
            if 0 < len(text) <= 64 and text.isprintable():
                return None
            return view.ui_shown("interview.officer_invalid")

        typed = self.prompter.text(
            view.ui_shown("interview.officer_prompt"), default=default or "", validate=check
        )
        return typed.strip()

    def _ask_language(self, q: Questionnaire) -> str:
        if len(q.languages) == 1:
            return q.default_language
        view = self._require_view()
        draft = " — " + view.tr("interview.draft_choice")
        options = [
            Option(
                lang.code,
                display(visible(lang.name), self.settings.rtl)
                + f" ({lang.code})"
                + (draft if lang.status == "draft" else ""),
            )
            for lang in q.languages
        ]
        return self.prompter.select(
            view.ui_shown("interview.language_prompt"), options, default=q.default_language
        )

    def _checklist(self) -> None:
        checklist_screen(self._require_view(), self.session, self.prompter, self._status)

    # -- the questions ---------------------------------------------------------------------

    def _interview(self) -> InterviewResult:
        engine = self._require_engine()
        view = self._require_view()
        address_by = engine.questionnaire.address_by
        while True:
            if address_by is not None:
                gender = engine.answers.get(address_by)
                view.gender = gender if isinstance(gender, str) else None
            self._acknowledge_flags()
            question = engine.current
            if question is None:
                if self._review():
                    return self._finish()
                continue
            shown = question

            def draw(shown: Question = shown) -> None:
                self._show_question(shown)

            draw_above(view, self.prompter, draw)
            current = engine.value(question.id) if engine.is_answered(question.id) else None
            try:
                self._asking = question.id
                reply = ask_question(
                    self.prompter,
                    view,
                    question,
                    current=current,
                    typed_draft=self.session.typed_draft_for(question.id),
                )
                self._asking = None
                self._apply(question, reply)
            except InvalidAnswer:
                # Nothing the officer did not choose is recorded: the question is asked again.
                self._status = [("yellow", view.tr("interview.not_offered"))]
            self._resumed_at = None

    def _apply(self, question: Question, reply: Reply) -> None:
        engine = self._require_engine()
        view = self._require_view()
        if reply is Action.BACK:
            engine.back()
        elif reply is Action.NOTE:
            self._add_note(question)
        elif reply is Action.SKIP:
            engine.skip()
        elif reply is Action.WHOLE:
            show_whole(view, self.session, self.prompter, question)
        elif reply is Action.CLEAR:
            self.session.clear(question)
            self._status = [
                ("dim", view.tr("interview.cleared", question=_short(view.officer(question.text))))
            ]
        elif isinstance(reply, Answer):
            value = self.session.answer(reply.value, self._waiting)
            if self.session.typed_draft_for(question.id) is not None:
                self.session.drop_typed_draft()  # entered now: no longer a draft
            shown = view.officer(question.text)
            self._status = [
                (
                    "dim",
                    view.tr(
                        "interview.saved",
                        question=_short(shown),
                        answer=_short(view.answer_label(question, value)),
                    ),
                )
            ]

    def _add_note(self, question: Question) -> None:
        view = self._require_view()
        refused = view.ui_shown("interview.invalid.control")

        def validate(typed: str) -> str | None:
            # as for text answers: pasted escape sequences would be stored, exported and shown
            return refused if note_problem(question.id, [typed]) else None

        typed = self.prompter.text(
            view.ui_shown("interview.note_prompt"),
            instruction=view.ui_shown("interview.note_hint"),
            validate=validate,
        )
        text = typed.strip()
        if not text or note_problem(question.id, [text]):
            return
        self.session.add_note(question, text)
        self._status = [
            ("dim", view.tr("interview.note_saved", question=_short(view.officer(question.text))))
        ]

    def _acknowledge_flags(self) -> None:
        flag_screens(self._require_view(), self.session, self.prompter, self._status)

    def _show_question(self, question: Question) -> None:
        draw_question(
            self._require_view(),
            self.session,
            question,
            self._status,
            resumed=self._resumed_at == question.id,
        )
        self._status = []

    # -- the review --------------------------------------------------------------------------

    def _review(self) -> bool:
        """Show the review; return True when the officer confirms the end."""
        return review_screen(self._require_view(), self.session, self.prompter, self._status)

    # -- the end -------------------------------------------------------------------------

    def _finish(self) -> InterviewResult:
        from screening.referral import rationale

        view = self._require_view()
        case = self._require_case()
        document, assessment = self.session.finish()
        if self.settings.practice:
            view.clear()
            return InterviewResult(case.case_id, None, assessment)
        # The summary comes first, urgent actions at its top: whatever happens to the file,
        # the officer has seen what to do.
        view.clear()

        def summary() -> None:
            render_summary(view, assessment, rationale=rationale(assessment, view.officer_language))

        # A screenful at a time, urgent actions first: nothing is left only in the scrollback.
        paged(view, self.prompter, summary, below=_SUMMARY_END_LINES)
        path = self.session.write_referral(document)
        view.blank()
        view.say("interview.completed", style="bold green", case_id=case.case_id)
        # Never wrapped: a path cut across lines could not be copied whole. Inside
        # right-to-left text its leading "/" would be moved to its end, so there it goes
        # on a line of its own.
        if view.is_rtl(view.ui):
            view.line(view.tr("interview.written", path="").rstrip() + ":", view.ui, style="bold")
            view.line(str(path), None, style="bold")
        else:
            view.line(view.tr("interview.written", path=str(path)), view.ui, style="bold")
        return InterviewResult(case.case_id, path, assessment)

    # -- helpers -----------------------------------------------------------------------------

    def _require_view(self) -> View:
        if self._view is None:  # pragma: no cover - set before any screen is drawn
            raise RuntimeError("the interview has no view yet")
        return self._view

    def _require_case(self) -> CaseState:
        return self.session.require_case()

    def _require_engine(self) -> InterviewEngine:
        return self.session.require_engine()


# --------------------------------------------------------------------------- the screens


# -- screens above prompts -----------------------------------------------------------------


def _prompt_screen(prompter: Prompter) -> PromptScreen | None:
    """What the prompter knows of the screen, when it is one that draws on a terminal."""
    screen = getattr(prompter, "screen", None)
    return screen if isinstance(screen, PromptScreen) else None


def draw_above(view: View, prompter: Prompter, draw: Callable[[], None]) -> None:
    """Draw a screen above a prompt.

    On a terminal, the prompter learns how many rows it took (a list below gets the rest
    and scrolls inside them, so the header and the question stay in sight) and how to draw
    it again when the terminal is resized.
    """
    screen = _prompt_screen(prompter)
    console = view.console
    if screen is None or not console.is_terminal:
        draw()
        return

    def again() -> int:
        with console.capture() as captured:
            draw()
        text = captured.get()
        console.file.write(text)
        console.file.flush()
        return text.count("\n")

    screen.rows_above = again()
    screen.redraw = again


def _shown_lines(view: View, prompter: Prompter, lines: list[str]) -> None:
    """Lines written on a cleared screen above the next prompt (a page of the review)."""
    screen = _prompt_screen(prompter)
    if screen is None:
        return
    text = "".join(lines)
    console = view.console

    def again() -> int:
        console.file.write(text)
        console.file.flush()
        return text.count("\n")

    screen.rows_above = text.count("\n")
    screen.redraw = again


def paged(view: View, prompter: Prompter, draw: Callable[[], _Drawn], *, below: int) -> _Drawn:
    """Draw a screen a screenful at a time on a short terminal (:meth:`View.paged`)."""

    def more() -> None:
        prompter.select(
            view.ui_shown("interview.more_prompt"),
            [Option("more", view.ui_shown("interview.more"))],
            default="more",
        )

    return view.paged(
        draw, below=below, more=more, shown=lambda lines: _shown_lines(view, prompter, lines)
    )


def header(
    view: View,
    session: Session,
    title: str | None,
    status: list[tuple[str, str]],
    *,
    keep: bool = False,
) -> None:
    """:func:`draw_header` with the status lines, which are then dropped (emptied in place)
    unless ``keep``: an urgent flag's screen keeps them for the question that follows."""
    draw_header(view, session, title, status)
    if not keep:
        status.clear()


def checklist_screen(
    view: View, session: Session, prompter: Prompter, status: list[tuple[str, str]]
) -> None:
    """The checklist before the interview: ticked, or left with what is missing said; the
    ticks are saved in the session."""
    options = [
        Option(item, view.ui_shown(f"interview.checklist.{item}")) for item in CHECKLIST_ITEMS
    ]

    def draw() -> None:
        header(view, session, view.tr("interview.checklist_title"), status, keep=True)
        view.say("interview.key.tick", style="dim", indent=2)

    while True:
        draw_above(view, prompter, draw)
        ticked = prompter.checkbox(
            view.ui_shown("interview.checklist_prompt"), options, instruction=" "
        )
        missing = [item for item in CHECKLIST_ITEMS if item not in ticked]
        if missing:
            view.blank()
            view.say("interview.checklist_missing", style="bold yellow", indent=2)
            for item in missing:
                view.lines(
                    view.tr(f"interview.checklist.{item}"), view.ui, style="yellow", indent=4
                )
            again = prompter.select(
                view.ui_shown("interview.review_prompt"),
                [
                    Option("again", view.ui_shown("interview.checklist_again")),
                    Option("continue", view.ui_shown("interview.checklist_continue")),
                ],
                default="again",
            )
            if again == "again":
                continue
        session.set_checklist(ticked)
        return


def flag_screens(
    view: View, session: Session, prompter: Prompter, status: list[tuple[str, str]]
) -> None:
    """A screen for each urgent flag raised and not yet acknowledged; each acknowledgement is
    saved in the session before the next screen."""
    engine = session.require_engine()
    case = session.require_case()
    for flag_id in engine.pending_flags():
        flag = case.loaded.questionnaire.flag(flag_id)
        if flag is None:
            continue

        def urgent(v: View, flag: Any = flag) -> None:
            draw_urgent(v, flag.title, flag.action, flag.tell)

        def intro(v: View) -> None:
            v.blank()
            v.say("interview.flag_intro", style="bold", indent=2)

        parts: list[_Part] = [("worker", urgent), ("keys", intro)]

        def draw(parts: list[_Part] = parts) -> None:
            draw_fitted(view, lambda v: draw_header(v, session, None, status), parts)

        while True:
            draw_above(view, prompter, draw)
            chosen = prompter.select(
                view.ui_shown("interview.flag_prompt"),
                [Option("ack", view.ui_shown("interview.flag_ack"))],
                default="ack",
                keys={WHOLE_KEY: "whole"},
            )
            if chosen != "whole":
                break
            _show_parts(view, prompter, parts[:1])
        session.acknowledge(flag_id)


def review_screen(
    view: View, session: Session, prompter: Prompter, status: list[tuple[str, str]]
) -> bool:
    """The review: the answers and the live outcome, paged; then finish, change an answer or
    go back. Returns True when the officer confirms the end."""
    engine = session.require_engine()

    def draw() -> list[tuple[str, str, list[Option]]]:
        header(view, session, view.tr("interview.review_title"), status)
        view.say("interview.review_intro", style="italic", indent=2)
        entries = draw_answers(view, session)
        draw_live_outcome(view, session)
        return entries

    entries = paged(view, prompter, draw, below=_REVIEW_PROMPT_LINES)
    choice = prompter.select(
        view.ui_shown("interview.review_prompt"),
        [
            Option("finish", view.ui_shown("interview.finish"), 0),
            Option("edit", view.ui_shown("interview.edit"), 0),
            Option(_BACK, view.ui_shown("interview.back_to_questions"), 1),
        ],
        default="finish",
        keys={BACK_KEY: _BACK},
    )
    if choice == _BACK:
        engine.back()
        return False
    if choice == "edit":
        target = _choose_answer(view, session, prompter, status, entries)
        if target is not None:
            engine.jump(target, edit=True)
        return False
    gaps = len(engine.assessment().gaps)
    if gaps:
        view.say("interview.gaps", style="yellow", indent=2, count=gaps)
    confirm = prompter.select(
        view.ui_shown("interview.confirm_prompt"),
        [
            Option("yes", view.ui_shown("interview.confirm_yes")),
            Option("no", view.ui_shown("interview.confirm_no")),
        ],
        default="no",
    )
    return confirm == "yes"


def _choose_answer(
    view: View,
    session: Session,
    prompter: Prompter,
    status: list[tuple[str, str]],
    sections: list[tuple[str, str, list[Option]]],
) -> str | None:
    """The question whose answer the officer wants to change: its section, then itself.

    Two short lists rather than one long one: a list longer than the terminal cannot be
    seen whole.
    """
    back = Option(_BACK, view.ui_shown("interview.back"), 1)
    # a screen of its own: the lists get every row under the header
    draw_above(
        view, prompter, lambda: header(view, session, view.tr("interview.review_title"), status)
    )
    while True:
        if len(sections) == 1:
            entries = sections[0][2]
        else:
            chosen = prompter.select(
                view.ui_shown("interview.section_prompt"),
                [
                    Option(sid, view.shown(f"{title} ({len(items)})", view.officer_language))
                    for sid, title, items in sections
                ]
                + [back],
                keys={BACK_KEY: _BACK},
            )
            if chosen == _BACK:
                return None
            entries = next(items for sid, _, items in sections if sid == chosen)
        target = prompter.select(
            view.ui_shown("interview.edit_prompt"), [*entries, back], keys={BACK_KEY: _BACK}
        )
        if target != _BACK:
            return target
        if len(sections) == 1:
            return None


def draw_header(
    view: View, session: Session, title: str | None, status: Sequence[tuple[str, str]] = ()
) -> None:
    """Clear the screen and draw the case line, the section and progress, raised flags, and
    the status lines (style and text: what was just saved)."""
    case = session.require_case()
    engine = session.require_engine()
    q = case.loaded.questionnaire
    view.clear()
    top = (
        view.tr("interview.case", case_id=case.case_id)
        + " · "
        + view.tr("interview.officer", officer=case.officer)
        + " · "
        + view.officer(q.title)
    )
    view.lines(top, view.ui, style="bold", indent=0)
    progress = engine.progress()
    if engine.current is None:  # the review: nothing is left to ask
        left = view.tr("interview.progress_done", answered=progress.answered)
    elif progress.undecided:
        left = view.tr(
            "interview.progress_range",
            answered=progress.answered,
            low=progress.remaining,
            high=progress.at_most,
        )
    else:
        left = view.tr(
            "interview.progress", answered=progress.answered, remaining=progress.remaining
        )
    section = engine.section()
    if title is None and section is not None:
        index = next(i for i, s in enumerate(q.sections) if s.id == section.id) + 1
        title = view.tr(
            "interview.section",
            index=index,
            total=len(q.sections),
            title=view.officer(section.title),
        )
    view.lines(f"{title or ''} · {left}", view.ui, style="bold cyan", indent=0)
    raised = [q.flag(f) for f in engine.raised_flags()]
    titles = [view.officer(f.title) for f in raised if f is not None]
    if titles:
        joined = view.tr("interview.list_separator").join(titles)
        view.lines(
            "⚠ " + view.tr("interview.urgent_now", titles=joined),
            view.ui,
            style="bold red",
            indent=0,
        )
    draft = _draft_mark(view, q)
    if draft:
        view.lines("⚠ " + draft, view.ui, style="bold yellow", indent=0)
    for style, text in status:
        view.lines(text, view.ui, style=style, indent=0)
    view.console.rule(style="dim")


def _draft_mark(view: View, q: Questionnaire) -> str | None:
    """The line every screen shows while the interview language is a draft translation."""
    declared = q.language(view.language)
    if declared is None or declared.status != "draft":
        return None
    return view.tr("interview.draft_language", language=declared.name)


def draw_urgent(view: View, title: Text, action: Text, tell: Text | None = None) -> None:
    """A red block with a flag's title and action in both languages, then what the person is
    told (``tell``) in their language with the officer's beneath.

    No box is drawn around it: rich mis-measures some scripts, and a right border would
    be out of line. A red bar on the left marks it instead.
    """
    from rich.text import Text as RichText

    width = max(20, view.console.width - 3)

    def bar(text: str, language: str, style: str) -> None:
        # questionnaire text, made visible (no control or bidi character acts on the terminal)
        for line in display_lines(visible(text), width, view.mode, rtl=view.is_rtl(language)):
            shown = RichText("▌ ", style="red")
            shown.append(line, style=style)
            view.console.print(shown, soft_wrap=True)

    heading = visible(f"{view.tr('interview.urgent')}: {view.officer(title)}")
    for line in display_lines(heading, width, view.mode, rtl=view.is_rtl(view.ui)):
        padded = line + " " * max(0, width - cell_width(line))
        view.console.print(RichText("▌ " + padded, style="bold white on red"), soft_wrap=True)
    worker, officer = view.worker(action), view.officer(action)
    if worker != officer:
        bar(worker, view.language, "bold red")
    bar(officer, view.officer_language, "bold red")
    if tell is None:
        return
    bar(view.tr("interview.tell_person"), view.ui, "")
    worker, officer = view.worker(tell), view.officer(tell)
    bar(worker, view.language, "bold")
    if officer != worker:
        bar(officer, view.officer_language, "cyan")


_PROMPT_ROOM = 5
"""Rows a prompt needs at least under the screen above it: its message, three entries of a
list (which scrolls inside them), and the row the cursor rests on."""

_Part = tuple[str, Callable[[View], None]]
"""A piece of a question's screen: its kind and how to draw it."""


def draw_question(
    view: View,
    session: Session,
    question: Question,
    status: Sequence[tuple[str, str]] = (),
    *,
    resumed: bool = False,
) -> None:
    """The header, then a question in both languages with its guidance and its keys;
    ``resumed``: the first question after a resume, shown with the answers it follows.

    On a terminal too short for it all above a prompt, the question is shortened so that the
    header and the question's first lines stay in sight (:func:`fit_parts`); the key
    :data:`WHOLE_KEY` shows it whole.
    """
    parts = question_parts(view, session, question, resumed=resumed)
    draw_fitted(view, lambda v: draw_header(v, session, None, status), parts)


def draw_fitted(view: View, top: Callable[[View], None], parts: Sequence[_Part]) -> None:
    """Draw ``top`` (the header), then the parts in the rows left above a prompt, shortened
    when they do not fit (:func:`fit_parts`); anywhere but on a terminal, whole."""
    console = view.console
    if not console.is_terminal:
        top(view)
        draw_whole(view, parts)
        return
    header_rows = len(view.measure(top))
    top(view)
    fit_parts(view, parts, console.height - header_rows - _PROMPT_ROOM)


def question_parts(
    view: View, session: Session, question: Question, *, resumed: bool = False
) -> list[_Part]:
    """What is drawn of a question under the header, in order, each part with its kind:
    ``intro`` (the section's), ``body`` (notices above the text), ``worker`` (the text as
    read to the person, or the officer's alone), ``officer`` (the officer's language beneath
    the person's), ``guidance``, ``notes``, and ``keys`` (a blank line and the keys)."""
    engine = session.require_engine()
    q = session.require_case().loaded.questionnaire
    parts: list[_Part] = []
    section = q.section_of(question.id)
    first = next(x for x in engine.applicable() if q.section_of(x.id).id == section.id)
    if first.id == question.id and section.intro is not None:
        intro = section.intro

        def draw_intro(v: View) -> None:
            v.lines(v.officer(intro), v.officer_language, style="italic", indent=2)
            v.blank()

        parts.append(("intro", draw_intro))
    if engine.editing:
        parts.append(("body", lambda v: v.say("interview.editing", style="yellow", indent=2)))
    if resumed:
        parts.append(("body", lambda v: draw_follow_up(v, session, question)))
    if view.for_officer(question):
        if not isinstance(question, NoteQuestion):
            parts.append(
                ("body", lambda v: v.say("interview.officer_only", style="magenta", indent=2))
            )
        parts.append(
            (
                "worker",
                lambda v: v.lines(
                    v.officer(question.text), v.officer_language, style="bold", indent=2
                ),
            )
        )
    else:
        if view.untranslated(question.text):
            parts.append(
                ("body", lambda v: v.say("interview.not_translated", style="bold yellow", indent=2))
            )
        worker = view.worker(question.text)
        parts.append(("worker", lambda v: v.lines(worker, v.language, style="bold", indent=2)))
        officer = view.officer(question.text)
        if officer != worker:
            parts.append(
                ("officer", lambda v: v.lines(officer, v.officer_language, style="cyan", indent=2))
            )
    guidance = question.guidance
    if guidance is not None:
        parts.append(
            (
                "guidance",
                lambda v: v.lines(v.officer(guidance), v.officer_language, style="dim", indent=2),
            )
        )
    notes = session.require_case().notes.get(question.id, 0)
    if notes:
        parts.append(
            ("notes", lambda v: v.say("interview.notes_count", style="dim", indent=2, count=notes))
        )

    def draw_keys(v: View) -> None:
        v.blank()
        if not isinstance(question, NoteQuestion):
            answered = question.id in session.require_engine().answers
            v.phrases(_hint(v, question, answered=answered), v.ui, style="dim", indent=2)

    parts.append(("keys", draw_keys))
    return parts


_DROPPED = ("intro", "guidance", "officer")
"""What a screen too short for a question loses first, in this order."""


def fit_parts(view: View, parts: Sequence[_Part], room: int) -> bool:
    """Draw the parts of a screen in at most ``room`` rows when they do not fit whole.

    Dropped first, in this order: the section's intro, the guidance, then the officer's
    language beneath the person's (what is read to the person stays). What is still too tall
    is cut after its first lines with a line saying that :data:`WHOLE_KEY` shows it whole;
    the keys stay. Returns True when the parts were shortened.
    """
    from rich.text import Text as RichText

    def rows(part: _Part) -> list[str]:
        return view.measure(part[1])

    drawn = [(kind, draw, rows((kind, draw))) for kind, draw in parts]
    if sum(len(lines) for _, _, lines in drawn) <= room:
        for _, draw, _ in drawn:
            draw(view)
        return False
    kept = list(drawn)
    for kind in _DROPPED:
        if sum(len(lines) for _, _, lines in kept) + 1 <= room:
            break
        if kind == "officer" and not any(k == "worker" for k, _, _ in kept):
            continue
        kept = [entry for entry in kept if entry[0] != kind]
    marker = view.tr("interview.cut", key=view.ltr(WHOLE_KEY))
    keys_hint = [view.tr("interview.key.whole", key=view.ltr(WHOLE_KEY))]
    tail = [entry for entry in kept if entry[0] == "keys"]
    head = [entry for entry in kept if entry[0] != "keys"]
    tail_rows = sum(len(lines) for _, _, lines in tail)
    measure_marker = rows(("marker", lambda v: v.lines(marker, v.ui, style="bold yellow")))
    if sum(len(lines) for _, _, lines in kept) + 1 <= room:  # and a line for the key
        for _, draw, _ in kept:
            draw(view)
        view.phrases(keys_hint, view.ui, style="dim", indent=2)
        return True
    lines = [line for _, _, part in head for line in part]
    left = max(1, room - tail_rows - len(measure_marker))
    for line in lines[:left]:
        view.console.print(RichText.from_ansi(line), soft_wrap=True)
    view.lines(marker, view.ui, style="bold yellow")
    for _, draw, _ in tail:
        draw(view)
    return True


def draw_whole(view: View, parts: Sequence[_Part]) -> None:
    """Every part of a screen, none left out (what :data:`WHOLE_KEY` shows)."""
    for _, draw in parts:
        draw(view)


def show_whole(view: View, session: Session, prompter: Prompter, question: Question) -> None:
    """The whole of a question's text, a screenful at a time, until the officer goes back to
    its prompt (:data:`WHOLE_KEY`)."""
    _show_parts(view, prompter, question_parts(view, session, question))


def _show_parts(view: View, prompter: Prompter, parts: Sequence[_Part]) -> None:
    """Parts of a screen whole, a screenful at a time, until the officer goes back."""
    view.clear()
    paged(view, prompter, lambda: draw_whole(view, parts), below=_PROMPT_ROOM)
    prompter.select(
        view.ui_shown("interview.whole_back"),
        [Option("back", view.ui_shown("interview.continue"))],
        default="back",
    )


def draw_follow_up(view: View, session: Session, question: Question) -> None:
    """After a resume, the earlier answers a follow-up question refers to."""
    from screening.evaluate import referenced_questions

    engine = session.require_engine()
    q = session.require_case().loaded.questionnaire
    if question.when is None:
        return
    for qid in sorted(referenced_questions(question.when), key=q.position):
        earlier = q.question(qid)
        if earlier is None or not engine.is_answered(qid):
            continue
        view.say(
            "interview.follow_up",
            style="dim",
            indent=2,
            question=_short(view.officer(earlier.text)),
            answer=_short(view.answer_label(earlier, engine.value(qid))),
        )


def draw_answers(view: View, session: Session) -> list[tuple[str, str, list[Option]]]:
    """Print every answer by section; return each section's id, title and "change" entries."""
    engine = session.require_engine()
    case = session.require_case()
    sections: list[tuple[str, str, list[Option]]] = []
    number = 0
    for section, items in engine.review():
        title = view.officer(section.title)
        view.lines(title, view.officer_language, style="bold underline", indent=2)
        entries: list[Option] = []
        for item in items:
            number += 1
            question_text = " ".join(view.officer(item.question.text).split())
            if item.answered:
                answer = " / ".join(view.answer_label(item.question, item.value).splitlines())
                style = ""
            else:
                answer = view.tr("interview.no_answer")
                style = "yellow"
            notes = case.notes.get(item.question.id, 0)
            if notes:
                answer += " (" + view.tr("interview.notes_count", count=notes) + ")"
            line = f"{number}. {question_text} — {answer}"
            view.lines(line, view.officer_language, style=style, indent=4, hang=len(f"{number}. "))
            # wrapped by the view when too long, never folded by the terminal (that would
            # break the display order of right-to-left text)
            entries.append(Option(item.question.id, view.entry([(line, view.officer_language)])))
        sections.append((section.id, title, entries))
    aside = engine.set_aside()
    if aside:
        view.blank()
        if view.ui == "en":
            names = ", ".join(aside)
        else:  # titles, not ids, for an officer who does not read English
            questions = [case.loaded.questionnaire.question(a) for a in aside]
            names = view.tr("interview.answer_separator").join(
                _short(view.officer(q.text), 40) for q in questions if q is not None
            )
        view.say("interview.set_aside", style="dim", indent=2, ids=names)
    return sections


def draw_live_outcome(view: View, session: Session) -> None:
    """The outcome of the answers so far, and the dimensions."""
    engine = session.require_engine()
    assessment = engine.assessment()
    view.blank()
    outcome = assessment.outcome
    titles = view.ui != "en"  # an officer who does not read English reads titles, not ids
    view.say(
        "interview.live_outcome_title" if titles else "interview.live_outcome",
        style="bold yellow" if outcome.refer else "bold green",
        indent=2,
        title=view.officer(outcome.title),
        code=outcome.code,
    )
    view.lines(view.officer(outcome.action), view.officer_language, indent=4)
    if not assessment.dimensions:
        return

    def name(dimension: Any) -> str:
        return view.shown(view.officer(dimension.title), view.officer_language)

    mirrored = view.reorder and view.is_rtl(view.officer_language)
    table = dimensions_table(assessment, view.ui_shown, name if titles else None, mirrored=mirrored)
    print_dimensions(view, table)


def _short(text: str, limit: int = 60) -> str:
    """The first line of a text, cut to ``limit`` characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"
