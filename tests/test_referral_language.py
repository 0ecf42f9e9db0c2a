"""The referral records the interview language and the review status declared for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.questionnaires import load_path
from screening.referral import ExportContext, Referral, build_referral
from screening.scoring import assess


def _referral(
    small: Path, language: str | None, statuses: dict[str, object] | None = None
) -> Referral:
    q = load_path(small).questionnaire
    if statuses is not None:
        languages = [
            lang.model_copy(update={"status": statuses.get(lang.code, "reviewed")})
            for lang in q.languages
        ]
        q = q.model_copy(update={"languages": languages})
    return build_referral(assess(q, {}), ExportContext(case_id="c1", language=language))


def test_a_language_without_a_declared_status_counts_as_reviewed(small: Path) -> None:
    referral = _referral(small, "ar")
    assert (referral.language, referral.language_status) == ("ar", "reviewed")
    assert _referral(small, None).language_status == "reviewed"  # the default language


@pytest.mark.parametrize(
    ("declared", "recorded"),
    [("draft", "draft"), ("reviewed", "reviewed")],
)
def test_the_declared_status_is_recorded(small: Path, declared: object, recorded: str) -> None:
    referral = _referral(small, "ar", {"ar": declared, "en": "reviewed"})
    assert referral.language_status == recorded
    assert referral.model_dump(mode="json")["language_status"] == recorded
    assert _referral(small, "en", {"ar": declared, "en": "reviewed"}).language_status == "reviewed"


def test_a_language_the_questionnaire_does_not_declare_has_no_status(small: Path) -> None:
    assert _referral(small, "hi").language_status is None


def test_documents_written_before_the_field_still_read(small: Path) -> None:
    document = _referral(small, "ar").model_dump(mode="json")
    del document["language_status"]
    assert Referral.model_validate(document).language_status is None
