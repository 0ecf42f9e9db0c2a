"""A whole interview in a worker's language, in a pseudo-terminal (pexpect): the brief screen in
each of the eight workers' languages, as drafts, from the first question to the referral."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest

from screening.i18n import t
from screening.model import text_for
from screening.questionnaires import resolve

ROOT = Path(__file__).resolve().parent.parent
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals")

ANSWERS = {
    "in_danger_now": "1",  # yes: the urgent flag tells the person where to get help
    "needs_medical_care": "2",
    "afraid_to_go_back": "2",
    "may_be_under_18": "2",  # the officer's own question: in English only
    "self_harm_thoughts": "2",
    "could_not_leave": "2",
    "documents_kept": "1",  # yes: an indicator
    "threatened_or_hurt": "2",
    "debt_cannot_repay": "2",
    "job_not_as_promised": "3",  # don't know, offered in the worker's language
    "not_paid_as_promised": "2",
    "made_to_do_things": "2",
    "scared_or_unsafe": "2",
}


def _opening(text: str) -> str:
    """The first words of a text: what fits on one screen line whatever the wrapping."""
    return " ".join(text.split()[:3])


@POSIX_ONLY
@pytest.mark.parametrize("language", ["hi", "ur", "ml", "ta", "bn", "ne", "tl", "si"])
def test_a_whole_brief_screen_in_the_workers_language(tmp_path: Path, language: str) -> None:
    q = resolve("brief_screen").questionnaire
    declared = q.language(language)
    assert declared is not None
    assert declared.status == "draft"
    home = tmp_path / "home"
    env = {
        **os.environ,
        "SCREENING_HOME": str(home),
        "NO_COLOR": "1",
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    env.pop("SCREENING_RTL", None)
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "screening",
            "interview",
            "--questionnaire",
            "brief_screen",
            "--lang",
            language,
            "--officer",
            "o-1",
        ],
        cwd=str(ROOT),
        env=env,
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=20,
    )
    # every screen says the translation is a draft, in the officer's language
    child.expect_exact("Draft translation")
    child.expect_exact("Confirm")
    child.send(" " + "\x1b[B " * 4 + "\r")  # the pre-interview checklist, every item ticked
    yes = t("answer.yes", language)
    assert yes != t("answer.yes", "en")
    for section in q.sections:
        for question in section.questions:
            if question.type == "note":
                child.expect_exact(_opening(text_for(question.text, language)))
                child.expect_exact("Answer")
                child.send("\r")
                continue
            officer_only = getattr(question, "officer_only", False)
            shown = text_for(question.text, "en" if officer_only else language)
            child.expect_exact(_opening(shown))
            if not officer_only:
                child.expect_exact(_opening(text_for(question.text, "en")))  # beneath
            child.expect_exact("Answer")
            if not officer_only:
                child.expect_exact(yes)  # the answers in the worker's language too
            child.send(ANSWERS[question.id] + "\r")
            if question.id == "in_danger_now":
                flag = q.flag("immediate_danger")
                assert flag is not None
                assert flag.tell is not None
                child.expect_exact(_opening(text_for(flag.tell, language)))
                child.expect_exact("Acknowledge")
                child.send("\r")
    while child.expect_exact(["Show more", "Finish and write the referral"]) == 0:
        child.send("\r")  # the review is paged at this size
    child.send("\r")
    child.expect_exact("Finish the interview?")
    child.send("1\r")
    child.expect(r"Referral written to (\S+\.json)")
    path = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    document = json.loads(path.read_text(encoding="utf-8"))
    assert (document["language"], document["language_status"]) == (language, "draft")
    answers = {a["question_id"]: a["value"] for a in document["answers"]}
    assert answers["documents_kept"] == "yes"
    assert answers["job_not_as_promised"] == "dont_know"
    assert answers["may_be_under_18"] == "no"
    assert "immediate_danger" in {f["id"] for f in document["flags"]}
    assert document["recommendation"]["urgent"] is True
