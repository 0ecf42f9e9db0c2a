"""The interview on the bundled questionnaires: Arabic in the feminine for a woman, and a case
started on version 1.0.0 that resumes and exports on 1.0.0 after 2.0.0 is bundled."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console  # noqa: TID251 - the screens are drawn on a console of the test
from test_interview import FIXED_TIME, S, ScriptedPrompter, Stop

from screening.errors import Interrupted
from screening.store import open_store
from screening.ui.interview import Interview, InterviewSettings

# The officer's checks of 2.0.0 up to the first question put to the person.
CHECKS_2 = [
    S("no_one"),  # who_present
    S("none_needed"),  # interpreter
    None,  # gender: filled in by each test
    S("yes"),  # same_gender_offered
    S("yes"),  # basic_needs_met
    S(label="Continue"),  # the consent script
    S("granted"),
    S("granted"),
    S("granted"),
    S("interviewing_officer"),
]


def interview(
    home: Path, settings: InterviewSettings, script: list
) -> tuple[Interview, io.StringIO, ScriptedPrompter]:  # type: ignore[type-arg]
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, color_system=None, highlight=False)
    prompter = ScriptedPrompter(script)
    store = open_store(home)
    run = Interview(
        settings,
        prompter=prompter,
        console=console,
        store=store,
        referrals_dir=home / "referrals",
        clock=lambda: FIXED_TIME,
    )
    return run, buffer, prompter


@pytest.mark.parametrize(
    ("gender", "shown", "not_shown"),
    [
        ("female", "هل تشعرين أنكِ في خطر الآن؟", "هل تشعر أنك في خطر الآن؟"),
        ("male", "هل تشعر أنك في خطر الآن؟", "هل تشعرين أنكِ في خطر الآن؟"),
        ("other", "هل تشعر أنك في خطر الآن؟", "هل تشعرين أنكِ في خطر الآن؟"),
    ],
)
def test_the_arabic_interview_reads_in_the_persons_gender(
    tmp_path: Path, gender: str, shown: str, not_shown: str
) -> None:
    script = [step if step is not None else S(gender) for step in CHECKS_2]
    settings = InterviewSettings(officer="epc-017", language="ar", ui_language="en")
    run, buffer, prompter = interview(
        tmp_path / "home", settings, [*script, Stop(KeyboardInterrupt())]
    )
    with pytest.raises(Interrupted):
        run.run()
    screen = buffer.getvalue()
    assert shown in screen
    assert not_shown not in screen
    # the officer-only question on gender was asked in the officer's language, without "declined"
    gender_prompt = prompter.prompts[2][1]
    assert gender_prompt[:3] == [
        "A woman or a girl",
        "A man or a boy",
        "Another answer, or the person prefers not to say",
    ]
    assert "Don't know" in gender_prompt
    assert not any("Declined" in label for label in gender_prompt)


def test_a_case_started_on_version_1_resumes_and_exports_on_version_1(
    tmp_path: Path, cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    settings = InterviewSettings(
        questionnaire="ilo_adult_labour@1.0.0", officer="epc-017", language="en"
    )
    # 1.0.0 opens with the officer's checks too; stop after the first one
    run, _, _prompter = interview(home, settings, [S("no_one"), Stop(KeyboardInterrupt())])
    with pytest.raises(Interrupted):
        run.run()
    case_id = run.session.require_case().case_id
    assert run.session.require_case().loaded.questionnaire.version == "1.0.0"

    resumed, buffer, _ = interview(
        home, InterviewSettings(resume=case_id, officer="epc-017"), [Stop(KeyboardInterrupt())]
    )
    with pytest.raises(Interrupted):
        resumed.run()
    assert resumed.session.require_case().loaded.questionnaire.version == "1.0.0"
    assert "has changed" not in buffer.getvalue()

    monkeypatch.setenv("SCREENING_HOME", str(home))
    exported = cli("cases", "export", case_id)
    assert exported.code == 0, exported.err
    referral = json.loads(exported.out)
    assert referral["questionnaire"]["id"] == "ilo_adult_labour"
    assert referral["questionnaire"]["version"] == "1.0.0"


def test_a_demo_reads_the_arabic_in_the_gender_of_the_scenarios_person(cli) -> None:  # type: ignore[no-untyped-def]
    woman = cli("train", "demo", "salon_sexual_exploitation", "--lang", "ar")
    assert woman.code == 0, woman.err
    assert "هل تشعرين أنكِ في خطر الآن؟" in woman.out
    man = cli("train", "demo", "driver_passport_retained", "--lang", "ar")
    assert "هل تشعر أنك في خطر الآن؟" in man.out
