"""An interview session: the case in the store, the engine over it, its lease (a use case).

A :class:`Session` starts a case or resumes a draft, applies the officer's answers, notes and
flag acknowledgements, and finishes the case with its referral. Every change is committed to
the case store before the engine moves on, so Ctrl-C, the end of input or a killed process
loses nothing that was answered. It draws nothing and asks nothing itself: the store, the
questionnaire loader, the clock and the ids are given to it, and what only the officer can
decide (take over a case open elsewhere) is a function it is given. The screens of
:mod:`screening.ui.interview` read it and call it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.bidi import RtlMode
from screening.engine import InterviewEngine
from screening.errors import LeaseError, ScreeningError, StoreError, StoreUnavailable, UsageError
from screening.model import Question, Questionnaire

if TYPE_CHECKING:
    from screening.questionnaires import LoadedQuestionnaire
    from screening.scoring import Assessment
    from screening.store import Case, CaseStore

__all__ = [
    "RETRY_FIRST",
    "RETRY_LONGEST",
    "CaseState",
    "Draft",
    "InterviewResult",
    "InterviewSettings",
    "Session",
    "brings_checklist",
    "resume_command",
]

RETRY_FIRST = 2.0
"""Seconds the interview waits before saving again when the store's server is unreachable
(doubling each time, up to RETRY_LONGEST)."""
RETRY_LONGEST = 30.0


@dataclass
class InterviewSettings:
    """What the command line gave.

    Attributes:
        questionnaire: A questionnaire file or bundled id; the default (or, when resuming,
            the case's) when ``None``.
        officer: The officer's id; asked when ``None``.
        language: The interview language; chosen from the questionnaire's when ``None``.
        ui_language: The officer's language; English (or the case's) when ``None``.
        out: Where to write the referral; ``<referrals dir>/<case id>.json`` when ``None``.
        redact: Leave out every answer marked ``pii`` from the referral.
        resume: The id of a draft case to continue.
        rtl: How right-to-left text is sent to the terminal.
        rtl_chosen: Whether ``rtl`` was chosen by the officer (else the default).
        practice: A trainee's practice run: no case id to keep, no referral written.
        force: Replace an existing regular file at ``out``.
        take_over: When resuming a case open in another terminal, take it over without asking
            (the officer has made sure that the other terminal is closed).
    """

    questionnaire: str | None = None
    officer: str | None = None
    language: str | None = None
    ui_language: str | None = None
    out: Path | None = None
    seal_to: tuple[str, ...] = ()
    """Recipients the referral is sealed to (age); the store's when empty."""
    redact: bool = False
    resume: str | None = None
    rtl: RtlMode = RtlMode.OFF
    practice: bool = False
    force: bool = False
    take_over: bool = False
    rtl_chosen: bool = True
    """Whether ``rtl`` was chosen (``--rtl`` or SCREENING_RTL); if not, and a language is
    right-to-left, the officer is told once how to choose."""


@dataclass(frozen=True)
class InterviewResult:
    """A finished interview."""

    case_id: str
    referral_path: Path | None
    """Where the referral was written (None for a practice run)."""
    assessment: Assessment


TYPED_DRAFT = "typed_draft"
"""The case metadata item that keeps text typed but not entered when an interview is paused."""


@dataclass
class CaseState:
    """The case being interviewed."""

    case_id: str
    officer: str
    loaded: LoadedQuestionnaire
    language: str
    out: Path | None
    redact: bool
    notes: dict[str, int] = field(default_factory=dict)
    typed_draft: tuple[str, str] | None = None
    """Text typed for a question but not entered when the interview was paused (question id,
    text): offered again in the field, never an answer until the officer enters it."""


@dataclass(frozen=True)
class Draft:
    """A draft case found for resuming, with the questionnaire it is continued with."""

    case: Case
    loaded: LoadedQuestionnaire
    kept: dict[str, Any]
    """What the interview kept with the case when it started (questionnaire file, redact,
    out)."""


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


def brings_checklist(questionnaire: Questionnaire) -> bool:
    """Whether a questionnaire has its own pre-interview checklist.

    A questionnaire that opens with a section for the officer only (the default one's
    "Before the interview": who is present, the interpreter, basic needs, consent) checks the
    setting itself, with answers that go into the referral; the program's own five-point
    checklist is then not asked as well.
    """
    return questionnaire.sections[0].officer_only


def resume_command(case_id: str) -> str:
    """The command that continues a case."""
    return f"screening interview --resume {case_id}"


class Session:
    """One interview's data: the case, the engine, the lease; every change saved first.

    Args:
        settings: The command line's options.
        store: The case store; every answer is committed there before the engine moves.
        referrals_dir: Where referrals go when ``settings.out`` is not given.
        load: Finds a questionnaire by path or bundled id (``None``: the default).
        clock: The time of the referral (now, when not given).
        new_id: Makes the referral's id (a random UUID, when not given).
    """

    def __init__(
        self,
        settings: InterviewSettings,
        *,
        store: CaseStore,
        referrals_dir: Path,
        load: Callable[[str | None], LoadedQuestionnaire] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.referrals_dir = referrals_dir
        if load is None:
            from screening.questionnaires import resolve

            load = resolve
        self.load = load
        self.clock = clock or _now
        self.new_id = new_id or _new_id
        self.sleep: Callable[[float], None] = _sleep
        """Waits between two tries to save while the store's server cannot be reached."""
        self.case: CaseState | None = None
        self.engine: InterviewEngine | None = None
        self.held: str | None = None
        """The case whose lease this session holds."""

    # -- state -------------------------------------------------------------------------------

    def require_case(self) -> CaseState:
        """The case being interviewed (set when the interview has started or resumed)."""
        if self.case is None:  # pragma: no cover - set before any question is asked
            raise RuntimeError("the interview has no case yet")
        return self.case

    def require_engine(self) -> InterviewEngine:
        """The engine over the case's answers."""
        if self.engine is None:  # pragma: no cover - set with the case
            raise RuntimeError("the interview has no engine yet")
        return self.engine

    @property
    def case_id(self) -> str | None:
        """The case being interviewed, else the one asked for with ``--resume``."""
        return self.case.case_id if self.case is not None else self.settings.resume

    # -- saving ------------------------------------------------------------------------------

    def until_saved(
        self, save: Callable[[], object], on_wait: Callable[[str, float], None]
    ) -> None:
        """Save, and while the store's server cannot be reached, tell ``on_wait`` (the
        store's message, the seconds of the wait), wait and try again.

        The answer stays in memory until it is committed; saving it twice is harmless (the
        same value again adds nothing). Ctrl-C while waiting ends the wait; every earlier
        answer is saved.
        """
        delay = RETRY_FIRST
        while True:
            try:
                save()
                return
            except StoreUnavailable as error:
                on_wait(error.message, delay)
                self.sleep(delay)
                delay = min(delay * 2, RETRY_LONGEST)

    # -- the lease ---------------------------------------------------------------------------

    def release(self) -> None:
        """Give the case back (at the end, on Ctrl-C, on any error): another terminal may
        resume it at once."""
        held, self.held = self.held, None
        if held is not None:
            with contextlib.suppress(StoreError):
                self.store.release_lease(held)

    def forget_lease(self) -> None:
        """Leave the lease to expire with this process (the store is failing: waiting for it
        once more to give the lease back would only delay the error)."""
        self.held = None

    def hold(
        self, case_id: str, officer: str | None, take_over: Callable[[str], bool]
    ) -> str | None:
        """Take the case's lease (one writer per case).

        Args:
            case_id: The case.
            officer: Who holds it now.
            take_over: Asked, with the holder described, when another terminal holds the
                case (unless the settings say to take it over): whether to take it.

        Returns:
            The holder taken over, described, or None when the case was free.

        Raises:
            LeaseError: The case is held elsewhere and is not taken over.
        """
        try:
            previous = self.store.acquire_lease(
                case_id, officer=officer, take_over=self.settings.take_over
            )
        except LeaseError as held:
            holder = self.store.lease_holder(case_id)
            if not take_over(holder.describe() if holder is not None else "?"):
                raise held from None
            previous = self.store.acquire_lease(case_id, officer=officer, take_over=True)
        self.held = case_id
        return None if previous is None else previous.describe()

    # -- starting ----------------------------------------------------------------------------

    def check_out(self) -> None:
        """Refuse an ``--out`` that cannot be written, before anything is asked."""
        from screening.files import check_output

        if self.settings.out is not None:
            check_output(self.settings.out, force=self.settings.force)

    def questionnaire(self) -> LoadedQuestionnaire:
        """The questionnaire of a new case, its ``--lang`` checked."""
        settings = self.settings
        loaded = self.load(settings.questionnaire)
        q = loaded.questionnaire
        if settings.language is not None and settings.language not in q.language_codes:
            raise UsageError(
                f"--lang {settings.language}: the questionnaire '{q.id}' has no such language",
                hint=f"Use one of: {', '.join(q.language_codes)}.",
            )
        return loaded

    def start(self, loaded: LoadedQuestionnaire, *, officer: str, language: str) -> str:
        """Open a new case with its lease, in one commit; returns its id."""
        settings = self.settings
        q = loaded.questionnaire
        # Kept with the case, so that `--resume CASE_ID` alone finds the same questionnaire
        # file and exports the same way; written with the case and its lease, in one commit.
        source = settings.questionnaire
        case_id = self.store.create_case(
            questionnaire_id=q.id,
            questionnaire_version=q.version,
            questionnaire_sha256=loaded.sha256,
            language=language,
            ui_language=settings.ui_language or "en",
            officer=officer,
            meta={
                "interview": {
                    "questionnaire": str(Path(source).resolve())
                    if source and Path(source).is_file()
                    else None,
                    "redact": settings.redact,
                    # The folder is made absolute, the file name is kept as given: a link put
                    # there later is refused when the referral is written, never followed.
                    "out": str(settings.out.absolute().parent.resolve() / settings.out.name)
                    if settings.out
                    else None,
                }
            },
            lease=True,
        )
        self.held = case_id
        self.case = CaseState(case_id, officer, loaded, language, settings.out, settings.redact)
        self.engine = InterviewEngine(q)
        return case_id

    def draft(self, case_id: str) -> Draft:
        """A draft case to resume, with the questionnaire it is continued with.

        Raises:
            ScreeningError: The case is complete.
            UsageError: ``--questionnaire`` or ``--lang`` do not fit the case.
        """
        settings = self.settings
        case = self.store.get_case(case_id)
        if case.status.value != "draft":
            raise ScreeningError(
                f"case {case.id} is complete: its referral was issued",
                hint=f"Export it again with `screening cases export {case.id}`, or start a new interview.",
            )
        kept = case.meta.get("interview")
        kept = kept if isinstance(kept, dict) else {}
        source = kept.get("questionnaire")
        from screening.questionnaires import is_bundled

        if settings.questionnaire is not None:
            loaded = self.load(settings.questionnaire)
        elif is_bundled(case.questionnaire_id, case.questionnaire_version):
            # The version the case was started on, even when a newer one is bundled now.
            loaded = self.load(f"{case.questionnaire_id}@{case.questionnaire_version}")
        elif isinstance(source, str) and Path(source).is_file():
            loaded = self.load(source)
        else:
            loaded = self.load(case.questionnaire_id)
        q = loaded.questionnaire
        if q.id != case.questionnaire_id:
            raise UsageError(
                f"case {case.id} was started with questionnaire '{case.questionnaire_id}', "
                f"not '{q.id}'",
                hint="Leave out --questionnaire, or give the file of the case's questionnaire.",
            )
        if settings.language is not None and settings.language != case.language:
            raise UsageError(
                f"case {case.id} is interviewed in '{case.language}', not '{settings.language}'",
                hint="Leave out --lang when resuming.",
            )
        return Draft(case, loaded, kept)

    def resume(self, draft: Draft, *, officer: str) -> InterviewEngine:
        """Continue a draft (its lease already held): its answers, notes and flags; a kept
        ``--out`` checked again, now.

        Raises:
            ScreeningError: The kept ``--out`` cannot be written now.
        """
        settings = self.settings
        case = draft.case
        redact = settings.redact or draft.kept.get("redact") is True
        out = settings.out
        kept_out = draft.kept.get("out")
        if out is None and isinstance(kept_out, str):
            from screening.files import check_kept_output

            out = Path(kept_out)
            try:  # what is there now, not what was there at the start
                check_kept_output(out, force=settings.force)
            except ScreeningError as error:
                raise ScreeningError(
                    error.message,
                    hint=f"{error.hint} To resume with the referral written elsewhere: "
                    f"`{resume_command(case.id)} --out FILE`.",
                ) from None
        self.case = CaseState(case.id, officer, draft.loaded, case.language, out, redact)
        kept_text = case.meta.get(TYPED_DRAFT)
        if isinstance(kept_text, dict):
            qid, text = kept_text.get("question"), kept_text.get("text")
            if isinstance(qid, str) and isinstance(text, str):
                self.case.typed_draft = (qid, text)
        self.case.notes = {qid: len(notes) for qid, notes in case.notes.items()}
        self.engine = InterviewEngine(
            draft.loaded.questionnaire, case.answers, acknowledged=case.acknowledged_flags
        )
        return self.engine

    def set_checklist(self, ticked: Sequence[str]) -> None:
        """Keep the pre-interview checklist as ticked."""
        case = self.require_case()
        self.store.set_meta(case.case_id, "pre_interview_checklist", list(ticked))

    # -- the questions -----------------------------------------------------------------------

    def answer(self, value: Any, on_wait: Callable[[str, float], None]) -> Any:
        """Answer the current question: the value normalised once, saved, then recorded by
        the engine; returns the value saved.

        Raises:
            InvalidAnswer: The value does not fit the question (nothing is saved).
        """
        engine = self.require_engine()
        case = self.require_case()
        question = engine.current
        assert question is not None  # normalize() refuses the review
        value = engine.normalize(value)
        self.until_saved(
            lambda: self.store.record_answer(
                case.case_id, question.id, value, officer=case.officer
            ),
            on_wait,
        )
        engine.record(value)
        return value

    def keep_typed_draft(self, question_id: str, text: str) -> None:
        """Keep text typed but not entered (the interview is being paused), to offer it again
        in the field on resume. Kept with the case's metadata (encrypted on an encrypted
        store); it is no answer and no referral carries it."""
        case = self.require_case()
        self.store.set_meta(case.case_id, TYPED_DRAFT, {"question": question_id, "text": text})
        case.typed_draft = (question_id, text)

    def typed_draft_for(self, question_id: str) -> str | None:
        """The text kept for a question when the interview was paused, if any."""
        case = self.require_case()
        if case.typed_draft is not None and case.typed_draft[0] == question_id:
            return case.typed_draft[1]
        return None

    def drop_typed_draft(self) -> None:
        """Forget the kept text (its question was answered)."""
        case = self.require_case()
        if case.typed_draft is not None:
            self.store.set_meta(case.case_id, TYPED_DRAFT, None)
            case.typed_draft = None

    def clear(self, question: Question) -> None:
        """Withdraw the answer to an optional question, in the store first."""
        case = self.require_case()
        self.store.clear_answer(case.case_id, question.id, officer=case.officer)
        self.require_engine().clear()

    def add_note(self, question: Question, text: str) -> None:
        """Keep a note on a question."""
        case = self.require_case()
        self.store.record_note(case.case_id, question.id, text, officer=case.officer)
        case.notes[question.id] = case.notes.get(question.id, 0) + 1

    def acknowledge(self, flag_id: str) -> None:
        """The officer has seen an urgent flag: kept in the store, then told to the engine."""
        case = self.require_case()
        self.store.acknowledge_flag(case.case_id, flag_id, officer=case.officer)
        self.require_engine().acknowledge(flag_id)

    # -- the end -----------------------------------------------------------------------------

    def finish(self) -> tuple[str, Assessment]:
        """Complete the case: its referral built (:func:`screening.pipeline.build`) and kept
        in the store; returns the JSON document and the final assessment."""
        from screening.pipeline import build
        from screening.referral import ExportContext, to_json

        engine = self.require_engine()
        case = self.require_case()
        self.drop_typed_draft()  # text never entered is no part of a completed case
        assessment = engine.assessment()
        stored = self.store.get_case(case.case_id)
        context = ExportContext(
            case_id=case.case_id,
            language=case.language,
            officer=case.officer,
            sha256=case.loaded.sha256,
            redact=case.redact,
            notes={qid: list(notes) for qid, notes in stored.notes.items()},
            audit_head=self.store.audit_head(),
            clock=self.clock,
            new_id=self.new_id,
        )
        document = to_json(build(assessment, context))
        self.store.complete(case.case_id, document, officer=case.officer)
        return document, assessment

    def write_referral(self, document: str) -> Path:
        """Write the referral of the completed case (``--out``, else the store's referrals
        folder) and record its export.

        Raises:
            ScreeningError: The file cannot be written; the hint says how to export it.
        """
        from screening.files import check_kept_output
        from screening.seal import write_referral
        from screening.store.paths import prepare_referrals

        case = self.require_case()
        path = case.out
        # The store's own referrals folder is private: a stale file there is replaced.
        force = self.settings.force or path is None
        try:
            if path is None:
                prepare_referrals(self.referrals_dir)
                path = self.referrals_dir / f"{case.case_id}.json"
            elif self.settings.out is None:  # kept from the start: checked again, now
                check_kept_output(path, force=force)
            # Sealed (path.age) to --seal-to or the store's recipients, and the copy kept in an
            # encrypted store's folder to the store itself.
            written = write_referral(
                self.store,
                path,
                document,
                seal_to=self.settings.seal_to,
                kept=case.out is None,
                force=force,
            )
            assert written is not None
            path = written
        except (ScreeningError, OSError) as error:
            message = (
                error.message
                if isinstance(error, ScreeningError)
                else f"cannot write the referral: {error.strerror}"
            )
            raise ScreeningError(
                message,
                hint=f"The case {case.case_id} is complete and its referral is kept in the case "
                f"store: `screening cases export {case.case_id} --out FILE` writes it.",
            ) from None
        self.store.mark_exported(case.case_id, officer=case.officer)
        return path
