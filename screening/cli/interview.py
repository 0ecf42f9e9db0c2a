"""`screening interview`: interview a worker in the terminal and write the referral."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from screening.cli.environment import current
from screening.cli.options import (
    ForceOption,
    SealToOption,
    StoreOption,
    lang_option,
    officer_parser,
    out_option,
    questionnaire_option,
    rtl_option,
)

if TYPE_CHECKING:
    from screening.ui.interview import InterviewSettings


def interview(
    questionnaire: Annotated[
        str | None,
        questionnaire_option(
            "Questionnaire file or bundled id (default: the default questionnaire; when "
            "resuming, the case's).",
        ),
    ] = None,
    officer: Annotated[
        str | None,
        typer.Option(
            "--officer",
            help="Your officer id (asked when not given).",
            parser=officer_parser("--officer"),
        ),
    ] = None,
    lang: Annotated[
        str | None,
        lang_option(
            "Language of the interview (chosen from the questionnaire's when not given).",
        ),
    ] = None,
    ui_lang: Annotated[
        str | None,
        typer.Option("--ui-lang", help="Your own language for the screens (default: en)."),
    ] = None,
    out: Annotated[
        Path | None,
        out_option(
            "Write the referral JSON here (0600); default: referrals/CASE_ID.json in the "
            "data directory (SCREENING_HOME)."
        ),
    ] = None,
    force: ForceOption = False,
    redact: Annotated[
        bool, typer.Option("--redact", help="Leave out every answer marked pii from the referral.")
    ] = False,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            metavar="CASE_ID",
            help="Continue a draft case at its first unanswered question.",
        ),
    ] = None,
    take_over: Annotated[
        bool,
        typer.Option(
            "--take-over",
            help="With --resume: take over a case that is open in another terminal, once you "
            "have made sure that terminal is closed (its next answer is then refused).",
        ),
    ] = False,
    rtl: Annotated[
        str | None,
        rtl_option(
            "reorder: join and reorder right-to-left text for terminals without bidi; "
            "off: send it as stored (default; env SCREENING_RTL). See docs/languages.md.",
        ),
    ] = None,
    seal_to: SealToOption = None,
    where: StoreOption = None,
) -> None:
    """Interview a worker, question by question, and write the referral recommendation.

    Every answer is saved in the case store before the next question appears. A case is
    written from one terminal at a time: resuming a case open elsewhere asks before taking it
    over (--take-over takes it without asking).

    Ctrl-C or Ctrl-D at any prompt pauses the interview (exit 130) and prints how to resume.

    Keys: < goes back and + adds a note; typed answers take ? for "don't know", - for "declined".

    Needs a terminal; to score an answers file, use `screening score`.

    Example: screening interview --officer epc-017 --lang ar --ui-lang en
    """
    import re

    from screening.errors import NoTerminalError, UsageError
    from screening.rtl import rtl_mode_from_env

    mode = rtl_mode_from_env(rtl, current().environ)
    if take_over and resume is None:
        raise UsageError("--take-over goes with --resume CASE_ID", hint="Add --resume CASE_ID.")
    rtl_chosen = rtl is not None or bool(current().environ.get("SCREENING_RTL", "").strip())
    if ui_lang is not None and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", ui_lang):
        raise UsageError(
            f"--ui-lang {ui_lang!r} is not a language code", hint="Use a code such as en or ar."
        )
    if not current().interactive:
        raise NoTerminalError(
            "the interview needs a terminal; to score an answers file without one, use "
            "`screening score FILE`"
        )

    from screening.store import default_home, open_store
    from screening.ui.interview import Interview, InterviewSettings
    from screening.ui.prompts import QuestionaryPrompter

    settings = InterviewSettings(
        questionnaire=questionnaire,
        officer=officer.strip() if officer else None,
        language=lang,
        ui_language=ui_lang,
        out=out,
        seal_to=tuple(seal_to or ()),
        force=force,
        redact=redact,
        resume=resume,
        rtl=mode,
        take_over=take_over,
        rtl_chosen=rtl_chosen,
    )

    def waiting(message: str) -> None:
        current().stderr.write(f"screening: {message}\n")
        current().stderr.flush()

    from screening.store.postgres import is_url

    home = default_home() if not where or is_url(where) else Path(where).expanduser()
    with open_store(where or home, on_wait=waiting) as store:
        store.require_key()  # an encrypted store asks for its passphrase before the first screen
        settings = _officer_of(store, settings)
        Interview(
            settings,
            prompter=QuestionaryPrompter(),
            console=current().view().console,
            store=store,
            referrals_dir=home / "referrals",
        ).run()


def _officer_of(store: object, settings: InterviewSettings) -> InterviewSettings:
    """On a shared register the officer id is the database user, not typed: it is filled in,
    and a different ``--officer`` is refused."""
    import dataclasses

    from screening.errors import UsageError
    from screening.store.postgres import PostgresStore

    if not isinstance(store, PostgresStore) or store.officer_id is None:
        return settings
    if settings.officer is not None and settings.officer != store.officer_id:
        raise UsageError(
            f"--officer {settings.officer!r}: on the shared register {store.where} your "
            f"officer id is your database user, {store.officer_id}",
            hint="Leave out --officer (or connect as your own database user).",
        )
    return dataclasses.replace(settings, officer=store.officer_id)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command()(interview)
