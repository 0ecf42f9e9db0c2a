"""Catalogs of the workers' languages: the answers the person reads, every other message English."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from screening import i18n
from screening.i18n import (
    LANGUAGES,
    WORKER_KEYS,
    WORKER_LANGUAGES,
    catalog,
    has_catalog,
    parse_po,
    reader_language,
    reader_texts,
    t,
    translation_status,
    worker_language,
)

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "screening" / "locale"
PRESENT = [code for code in WORKER_LANGUAGES if (LOCALE / f"{code}.po").is_file()]
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def test_worker_languages_are_not_program_languages() -> None:
    assert set(WORKER_LANGUAGES).isdisjoint(LANGUAGES)
    assert set(WORKER_KEYS) <= set(catalog("en").messages)
    assert all(not catalog("en").messages[key].plural for key in WORKER_KEYS)


@pytest.mark.parametrize("code", PRESENT)
def test_a_worker_catalog_is_complete_with_the_worker_facing_answers(code: str) -> None:
    parsed = parse_po((LOCALE / f"{code}.po").read_text(encoding="utf-8"), f"{code}.po")
    assert parsed.headers["Language"] == code
    assert parsed.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert "nplurals=" in parsed.headers["Plural-Forms"]
    source = catalog("en").messages
    assert set(WORKER_KEYS) <= set(parsed.messages)
    for key, message in parsed.messages.items():
        assert key in source, (code, key)  # no key the program does not have
        assert message.msgid == source[key].msgid, (code, key)
    for key in WORKER_KEYS:
        text = parsed.messages[key].msgstr[0]
        assert parsed.messages[key].translated, (code, key)
        assert text, (code, key)
        assert text.strip() == text, (code, key)
        assert unicodedata.is_normalized("NFC", text), (code, key)
        assert BIDI_CONTROLS.isdisjoint(text), (code, key)
        assert t(key, code) == text
    assert worker_language(code) == code


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("code", PRESENT)
def test_gnu_gettext_reads_the_worker_catalogs(code: str, tmp_path: Path) -> None:
    run = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(LOCALE / f"{code}.po")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


@pytest.mark.parametrize("code", PRESENT)
def test_other_messages_fall_back_to_english(code: str) -> None:
    assert t("cases.purge.done", code, count=3) == "deleted 3 cases"
    assert t("interview.resumed", code, count=1, case_id="c1") == "Resuming case c1: 1 answer kept."


def test_a_catalog_says_whether_it_is_a_draft(monkeypatch: pytest.MonkeyPatch) -> None:
    for code in PRESENT:
        declared = catalog(code).headers.get("X-Translation-Status", "reviewed")
        assert translation_status(code) == ("draft" if declared == "draft" else "reviewed")
    draft = parse_po(
        'msgid ""\nmsgstr ""\n"Language: ta\\n"\n"X-Translation-Status: Draft\\n"\n', "ta.po"
    )
    real_catalog = i18n.catalog
    monkeypatch.setattr(i18n, "has_catalog", lambda code: code in {"en", "ar", "ta"})
    monkeypatch.setattr(
        i18n, "catalog", lambda code="en": draft if code == "ta" else real_catalog(code)
    )
    assert translation_status("ta") == "draft"
    assert translation_status("ar") == "reviewed"
    assert translation_status("en") == "reviewed"
    assert translation_status("fr") == "reviewed"


def test_the_worker_reads_the_answers_in_their_language(monkeypatch: pytest.MonkeyPatch) -> None:
    hindi = i18n.parse_po(
        'msgid ""\nmsgstr ""\n"Language: hi\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n'
        '"X-Translation-Status: draft\\n"\n\n'
        'msgctxt "answer.yes"\nmsgid "Yes"\nmsgstr "हाँ"\n\n'
        'msgctxt "answer.no"\nmsgid "No"\nmsgstr "नहीं"\n\n'
        'msgctxt "answer.dont_know"\nmsgid "Don\'t know"\nmsgstr "पता नहीं"\n\n'
        'msgctxt "answer.declined"\nmsgid "Declined to answer"\nmsgstr "मुझे जवाब नहीं देना"\n',
        "hi.po",
    )
    real_catalog = i18n.catalog
    monkeypatch.setattr(i18n, "has_catalog", lambda code: code in {"en", "ar", "hi"})
    monkeypatch.setattr(
        i18n, "catalog", lambda code="en": hindi if code == "hi" else real_catalog(code)
    )
    i18n._complete.cache_clear()
    try:
        assert worker_language("hi") == "hi"
        assert worker_language("hi-IN") == "hi"
        assert worker_language("ml") is None  # no catalog: the officer's language only
        assert worker_language(None) is None
        assert worker_language("ar") == "ar"

        assert reader_language("answer.yes", "hi", "ar") == "hi"
        assert reader_language("cases.purge.done", "hi", "ar") == "ar"
        assert reader_language("answer.yes", "ml", "ar") == "ar"
        assert reader_language("answer.yes", "hi", "fr") == "hi"
        assert reader_language("cases.purge.done", "hi", "fr") == "en"

        assert reader_texts("answer.yes", "hi", "en") == [("हाँ", "hi"), ("Yes", "en")]
        assert reader_texts("answer.declined", "hi", "ar") == [
            ("मुझे जवाब नहीं देना", "hi"),
            ("رفض الإجابة", "ar"),
        ]
        assert reader_texts("answer.yes", "ml", "en") == [("Yes", "en")]
        assert reader_texts("answer.yes", "en", "en") == [("Yes", "en")]
        assert reader_texts("answer.yes", "ar", "ar") == [("نعم", "ar")]
        assert reader_texts("cases.purge.done", "hi", "en", count=2) == [("deleted 2 cases", "en")]
    finally:
        i18n._complete.cache_clear()


def test_a_worker_catalog_without_every_answer_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(Path(i18n.__file__).parent / "locale", locale)
    (locale / "ta.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: ta\\n"\n\n'
        'msgctxt "answer.yes"\nmsgid "Yes"\nmsgstr "ஆம்"\n\n'
        '#, fuzzy\nmsgctxt "answer.no"\nmsgid "No"\nmsgstr "இல்லை"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "_LOCALE", locale)
    caches = (i18n._complete, i18n.catalog, i18n.has_catalog, i18n._entries_of)
    for cached in caches:
        cached.cache_clear()
    try:
        assert worker_language("ta") is None  # the officer reads every answer to the person
        assert t("answer.yes", "ta") == "ஆம்"  # what is translated is still found by t
        assert t("answer.no", "ta") == "No"  # fuzzy: English until reviewed
        assert reader_texts("answer.yes", "ta", "en") == [("Yes", "en")]
    finally:
        for cached in caches:
            cached.cache_clear()


def test_a_missing_catalog_is_no_error() -> None:
    assert not has_catalog("xx")
    assert t("answer.yes", "xx") == "Yes"
    assert worker_language("xx") is None
