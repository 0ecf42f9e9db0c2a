"""Translations: languages for the worker's side, stale translations, and the PO workflow
(`screening translations export`, `import`, `status`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from screening.errors import QuestionnaireError
from screening.loader import parse_document
from screening.model import Questionnaire
from screening.questionnaires import check_document, load_path, resolve
from screening.texts import digest, entries

TINY = """\
# yaml-language-server: $schema=../schemas/questionnaire.schema.json
# A small questionnaire: its comments must survive an import.
id: tiny
version: "1"
title: {en: Tiny, ar: صغير}
languages:
  - {code: en, name: English}
  - {code: ar, name: العربية, direction: rtl}
sections:
  - id: safety
    title: {en: Safety, ar: السلامة}
    questions:
      - id: intro
        type: note
        read_aloud: true
        text: {en: I will ask you two questions., ar: سأطرح عليك سؤالين.}
        guidance: {en: Read this aloud., ar: اقرأ هذا بصوت مسموع.}
      - id: officer_note
        type: note
        text: {en: Check the room is private., ar: تأكّد أن الغرفة خاصة.}
      - id: in_danger
        type: yes_no
        text:
          en: Are you in danger now?
          ar: هل أنت في خطر الآن؟  # the plain question
      - id: sector
        type: single_choice
        text: {en: What work do you do?, ar: ما العمل الذي تقوم به؟}
        choices:
          - {value: domestic, label: {en: Domestic work, ar: العمل المنزلي}}
          - {value: other, label: {en: Other work, ar: عمل آخر}}
      - id: seen
        type: yes_no
        officer_only: true
        text: {en: Did you see injuries?, ar: هل رأيت إصابات؟}
flags:
  - id: danger
    title: {en: Danger, ar: خطر}
    when: {answer: in_danger, equals: "yes"}
    action: {en: Call 999., ar: اتصل بالرقم 999.}
    tell:
      en: If you are in danger, call the police on 999. The hotline is 995, day and night.
      ar: إذا كنت في خطر، فاتصل بالشرطة على الرقم 999. الخط الساخن 995، ليلًا ونهارًا.
outcomes:
  - {code: none, title: {en: None, ar: لا شيء}, action: {en: No referral., ar: لا إحالة.}, category: none}
"""

HINDI = {
    "question:intro": "मैं आपसे दो सवाल पूछूँगा।",
    "question:in_danger": "क्या आप अभी खतरे में हैं?",
    "question:sector": "आप क्या काम करते हैं?",
    "question:sector/choice:domestic": "घरेलू काम",
    "question:sector/choice:other": "दूसरा काम",
    "flag:danger/tell": (
        "अगर आप खतरे में हैं, तो पुलिस को 999 पर फ़ोन करें। हेल्पलाइन 995 है, दिन और रात, "
        "और वहाँ कोई आपकी भाषा में आपसे बात कर सकता है जब भी आपको मदद की ज़रूरत हो।"
    ),
}
WORKER_KEYS = set(HINDI)


def _fill(po: str, translations: dict[str, str], *, fuzzy: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A PO file's text with the msgstr of the given keys filled (as a translator would)."""
    for key, text in translations.items():
        pattern = re.compile(
            r'(?P<flags>#, fuzzy\n)?msgctxt "'
            + re.escape(key)
            + r'"\n(?P<id>msgid (?:".*"\n)+)msgstr (?:".*"\n)+'
        )
        found = pattern.search(po)
        assert found is not None, key
        flags = "#, fuzzy\n" if key in fuzzy else ""
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        replacement = f'{flags}msgctxt "{key}"\n{found.group("id")}msgstr "{escaped}"\n'
        po = po[: found.start()] + replacement + po[found.end() :]
    return po


def _entries(po: str) -> dict[str, dict[str, Any]]:
    from babel.messages.pofile import read_po

    catalog = read_po(po.splitlines(keepends=True))
    return {
        str(m.context): {
            "id": m.id,
            "string": m.string,
            "fuzzy": m.fuzzy,
            "comments": m.auto_comments,
        }
        for m in catalog
        if m.id
    }


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    path.chmod(0o644)
    return path


def _translated(cli: Any, tiny: Path, tmp_path: Path) -> Path:
    """Export Hindi, translate every entry, import it; the PO file."""
    po = tmp_path / "hi.po"
    assert cli("translations", "export", str(tiny), "--lang", "hi", "--out", str(po)).code == 0
    po.write_text(_fill(po.read_text(encoding="utf-8"), HINDI), encoding="utf-8")
    run = cli("translations", "import", str(po), "--questionnaire", str(tiny))
    assert run.code == 0, run.err
    return po


def _data(path: Path) -> Any:
    return parse_document(path.read_bytes(), path.name).data


def _questionnaire(path: Path) -> Questionnaire:
    return load_path(path).questionnaire


# ------------------------------------------------------------------ export


def test_export_holds_the_texts_put_to_the_person_with_keys_comments_and_the_arabic(
    cli: Any, tiny: Path, tmp_path: Path
) -> None:
    po = tmp_path / "hi.po"
    run = cli("translations", "export", str(tiny), "--lang", "hi", "--out", str(po))
    assert run.code == 0, run.err
    assert stat.S_IMODE(po.stat().st_mode) == 0o600
    found = _entries(po.read_text(encoding="utf-8"))
    # the officer's note, the officer-only question, titles and actions are not for the worker
    assert list(found) == [
        "question:intro",
        "question:in_danger",
        "question:sector",
        "question:sector/choice:domestic",
        "question:sector/choice:other",
        "flag:danger/tell",
    ]
    assert found["question:in_danger"]["id"] == "Are you in danger now?"
    assert found["question:in_danger"]["string"] == ""
    assert "Arabic: هل أنت في خطر الآن؟" in found["question:in_danger"]["comments"]
    assert "Question (yes_no) in section safety." in found["question:in_danger"]["comments"]
    assert any("Read this aloud." in c for c in found["question:intro"]["comments"])
    text = po.read_text(encoding="utf-8")
    assert "Language: hi\\n" in text
    assert "Project-Id-Version: tiny 1\\n" in text


def test_a_full_language_exports_the_officers_texts_too(
    cli: Any, tiny: Path, tmp_path: Path
) -> None:
    po = tmp_path / "ur.po"
    args = ("translations", "export", str(tiny), "--lang", "ur", "--audience", "all")
    assert cli(*args, "--out", str(po)).code == 0
    keys = set(_entries(po.read_text(encoding="utf-8")))
    assert keys == {e.key for e in entries(_questionnaire(tiny))}
    assert {
        "questionnaire/title",
        "section:safety/title",
        "question:intro/guidance",
        "question:officer_note",
        "question:seen",
        "flag:danger/title",
        "flag:danger/action",
        "outcome:none/title",
        "outcome:none/action",
    } <= keys


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("ref", ["tiny", "ilo_adult_labour", "brief_screen"])
def test_exported_files_pass_msgfmt_check(cli: Any, tiny: Path, tmp_path: Path, ref: str) -> None:
    """What Poedit and every gettext tool read: `msgfmt -c` finds no error."""
    source = str(tiny) if ref == "tiny" else ref
    for lang, audience in (("hi", "worker"), ("ur", "all")):
        po = tmp_path / f"{ref}-{lang}.po"
        args = ("translations", "export", source, "--lang", lang, "--audience", audience)
        assert cli(*args, "--out", str(po)).code == 0
        if ref == "tiny":
            po.write_text(_fill(po.read_text(encoding="utf-8"), HINDI), encoding="utf-8")
        result = subprocess.run(
            ["msgfmt", "-c", "-o", os.devnull, str(po)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr


def test_the_bundled_questionnaires_export_the_keys_translators_work_from(
    cli: Any, tmp_path: Path
) -> None:
    """The keys of the worker's texts: the question, its choices, what a flag tells."""
    po = tmp_path / "ml.po"
    assert cli("translations", "export", "brief_screen", "--lang", "ml", "--out", str(po)).code == 0
    found = _entries(po.read_text(encoding="utf-8"))
    q = resolve("brief_screen").questionnaire
    assert "question:screen_intro" in found
    assert {f"flag:{f.id}/tell" for f in q.flags} <= set(found)
    assert "question:may_be_under_18" not in found  # officer-only
    assert len(found) == 19


# ------------------------------------------------------------------ import and round trip


def test_import_writes_the_translations_keeping_comments_and_layout(
    cli: Any, tiny: Path, tmp_path: Path
) -> None:
    _translated(cli, tiny, tmp_path)
    text = tiny.read_text(encoding="utf-8")
    assert text.startswith(TINY.split("id: tiny", 1)[0])  # the comments at the top
    assert "# the plain question" in text
    assert "  - {code: hi, name: हिन्दी, audience: worker, status: draft}\n" in text
    assert stat.S_IMODE(tiny.stat().st_mode) == 0o644  # an existing file keeps its mode
    q = _questionnaire(tiny)
    assert q.language("hi") is not None
    assert q.language("hi").status == "draft"  # type: ignore[union-attr]
    for entry in entries(q):
        if entry.key in HINDI:
            assert isinstance(entry.text, dict)
            assert entry.text["hi"] == HINDI[entry.key]
        elif isinstance(entry.text, dict):
            assert "hi" not in entry.text
    assert load_path(tiny).warnings == ()
    # the data, less Hindi, is what it was
    data = _data(tiny)
    del data["translated_from"]
    data["languages"].pop()

    def drop(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: drop(v) for k, v in node.items() if k != "hi"}
        if isinstance(node, list):
            return [drop(v) for v in node]
        return node

    assert drop(data) == parse_document(TINY.encode(), "tiny").data


def test_export_then_import_leaves_the_file_byte_for_byte(
    cli: Any, tiny: Path, tmp_path: Path
) -> None:
    _translated(cli, tiny, tmp_path)
    before = tiny.read_bytes()
    again = tmp_path / "again.po"
    assert cli("translations", "export", str(tiny), "--lang", "hi", "--out", str(again)).code == 0
    assert {k: v["string"] for k, v in _entries(again.read_text(encoding="utf-8")).items()} == HINDI
    run = cli("translations", "import", str(again), "--questionnaire", str(tiny))
    assert run.code == 0, run.err
    assert "already has every translation" in run.err
    assert tiny.read_bytes() == before


def test_import_finds_the_questionnaire_the_po_file_names(cli: Any, tmp_path: Path) -> None:
    """A bundled questionnaire, read from the Project-Id-Version header (not written here:
    checked only)."""
    from screening.translations import import_po

    po = tmp_path / "am.po"
    assert cli("translations", "export", "brief_screen", "--lang", "am", "--out", str(po)).code == 0
    filled = _fill(
        po.read_text(encoding="utf-8"),
        {k: f"[am] {v['id']}" for k, v in _entries(po.read_text(encoding="utf-8")).items()},
    )
    result = import_po(filled.encode(), "am.po", None, write=False)
    assert result.questionnaire == "brief_screen 1.1.0"
    assert result.declared
    assert result.written == 19
    assert result.changed


def test_a_one_language_text_becomes_a_map_and_long_translations_are_folded(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(
        "id: one\nversion: '1'\ntitle: One\nlanguages: [{code: en, name: English}]\n"
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: q, type: yes_no, text: Are you free to leave your place of work?}\n"
        "outcomes:\n  - {code: none, title: None, action: No referral., category: none}\n",
        encoding="utf-8",
    )
    po = tmp_path / "ne.po"
    assert cli("translations", "export", str(path), "--lang", "ne", "--out", str(po)).code == 0
    long = " ".join(["के तपाईं आफ्नो कामको ठाउँबाट जान स्वतन्त्र हुनुहुन्छ?"] * 6)
    po.write_text(_fill(po.read_text(encoding="utf-8"), {"question:q": long}), encoding="utf-8")
    assert cli("translations", "import", str(po), "-q", str(path)).code == 0
    text = path.read_text(encoding="utf-8")
    assert "ne: >-\n" in text
    assert max(len(line) for line in text.splitlines()) < 110
    q = _questionnaire(path)
    assert q.sections[0].questions[0].text == {
        "en": "Are you free to leave your place of work?",
        "ne": long,
    }
    assert q.title == "One"  # the officer's texts stay plain


# ------------------------------------------------------------------ stale translations


def test_a_changed_english_text_makes_its_translation_stale_and_not_shown(
    cli: Any, tiny: Path, tmp_path: Path
) -> None:
    _translated(cli, tiny, tmp_path)
    tiny.write_text(
        tiny.read_text(encoding="utf-8").replace(
            "en: Are you in danger now?", "en: Are you in danger right now?"
        ),
        encoding="utf-8",
    )
    loaded = load_path(tiny)
    question = loaded.questionnaire.question("in_danger")
    assert question is not None
    assert question.text == {"en": "Are you in danger right now?", "ar": "هل أنت في خطر الآن؟"}
    sector = loaded.questionnaire.question("sector")
    assert isinstance(sector.text, dict)  # type: ignore[union-attr]
    assert "hi" in sector.text  # type: ignore[union-attr]  # the others are still shown
    assert [w.code for w in loaded.warnings] == ["stale_translation"]
    again = load_path(tiny)  # a questionnaire with warnings is never cached without them
    assert again.warnings == loaded.warnings
    assert "hi" not in again.questionnaire.question("in_danger").text  # type: ignore[union-attr,operator]

    # on screen, the question put to the person in the officer's words says so
    from screening.ui.view import View

    view = View(language="hi", officer_language="en", questionnaire=loaded.questionnaire)
    assert view.untranslated(question.text)
    assert not view.untranslated(sector.text)  # type: ignore[union-attr]
    assert not View(language="en", questionnaire=loaded.questionnaire).untranslated(question.text)

    run = cli("validate", str(tiny))
    assert run.code == 0
    assert re.search(
        r"tiny\.yaml:\d+:\d+: warning: the 'hi' translation of question:in_danger is not shown: "
        r"the English has changed since it was translated",
        run.out,
    ), run.out
    run = cli("validate", "--format", "json", str(tiny))
    document = json.loads(run.out)
    assert document["valid"] is True
    assert [w["code"] for w in document["files"][0]["warnings"]] == ["stale_translation"]

    run = cli("translations", "status", str(tiny), "--format", "json")
    hindi = json.loads(run.out)[0]["languages"][1]
    assert (hindi["translated"], hindi["fuzzy"], hindi["missing"]) == (5, 1, 0)

    # exported again: fuzzy, with the new English; reviewed (mark cleared), it is shown again
    po = tmp_path / "review.po"
    assert cli("translations", "export", str(tiny), "--lang", "hi", "--out", str(po)).code == 0
    entry = _entries(po.read_text(encoding="utf-8"))["question:in_danger"]
    assert entry["fuzzy"]
    assert entry["id"] == "Are you in danger right now?"
    assert entry["string"] == HINDI["question:in_danger"]
    po.write_text(po.read_text(encoding="utf-8").replace("#, fuzzy\n", ""), encoding="utf-8")
    assert cli("translations", "import", str(po), "-q", str(tiny)).code == 0
    loaded = load_path(tiny)
    assert loaded.warnings == ()
    question = loaded.questionnaire.question("in_danger")
    assert question.text["hi"] == HINDI["question:in_danger"]  # type: ignore[union-attr,index]


def test_a_po_entry_made_from_other_english_or_marked_fuzzy_is_imported_stale(
    cli: Any, tiny: Path, tmp_path: Path
) -> None:
    po = tmp_path / "hi.po"
    assert cli("translations", "export", str(tiny), "--lang", "hi", "--out", str(po)).code == 0
    text = _fill(po.read_text(encoding="utf-8"), HINDI, fuzzy={"question:sector"})
    # a translator's file from before the English changed
    text = text.replace('msgid "Are you in danger now?"', 'msgid "Are you in danger?"')
    po.write_text(text, encoding="utf-8")
    run = cli("translations", "import", str(po), "-q", str(tiny))
    assert run.code == 0, run.err
    assert "2 stale" in run.err
    q = _questionnaire(tiny)
    for qid in ("in_danger", "sector"):
        shown = q.question(qid).text  # type: ignore[union-attr]
        assert isinstance(shown, dict)
        assert "hi" not in shown, qid
    data = _data(tiny)
    assert data["translated_from"]["hi"]["question:sector"] == "fuzzy"
    assert data["translated_from"]["hi"]["question:in_danger"] == digest("Are you in danger?")
    # written, though: the reviewer finds it in the next export
    assert data["sections"][0]["questions"][2]["text"]["hi"] == HINDI["question:in_danger"]
    hindi = json.loads(cli("translations", "status", str(tiny), "--format", "json").out)[0][
        "languages"
    ][1]
    assert (hindi["translated"], hindi["fuzzy"], hindi["missing"]) == (4, 2, 0)


# ------------------------------------------------------------------ status


def test_status_counts_are_exact(cli: Any, tiny: Path, tmp_path: Path) -> None:
    # a second worker language, half translated: the file does not validate, status still counts
    half = (
        TINY.replace(
            "  - {code: ar, name: العربية, direction: rtl}\n",
            "  - {code: ar, name: العربية, direction: rtl}\n"
            "  - {code: ne, name: नेपाली, audience: worker, status: reviewed, reviewed_by: 'R. Thapa, 2026-11-30'}\n",
        )
        .replace("ar: سأطرح عليك سؤالين.}", "ar: سأطرح عليك سؤالين., ne: म तपाईंलाई दुई प्रश्न सोध्नेछु।}")
        .replace("ar: عمل آخر}", "ar: عمل آخر, ne: अर्को काम}")
    )
    tiny.write_text(half, encoding="utf-8")
    with pytest.raises(QuestionnaireError):
        load_path(tiny)
    run = cli("translations", "status", str(tiny), "--format", "json")
    assert run.code == 0, run.err
    (document,) = json.loads(run.out)
    assert (document["id"], document["version"]) == ("tiny", "1")
    assert document["languages"] == [
        {
            "code": "ar",
            "name": "العربية",
            "audience": "all",
            "status": "reviewed",
            "reviewed_by": None,
            "translated": 15,
            "fuzzy": 0,
            "missing": 0,
            "total": 15,
            "complete": True,
        },
        {
            "code": "ne",
            "name": "नेपाली",
            "audience": "worker",
            "status": "reviewed",
            "reviewed_by": "R. Thapa, 2026-11-30",
            "translated": 2,
            "fuzzy": 0,
            "missing": 4,
            "total": 6,
            "complete": False,
        },
    ]
    text = cli("translations", "status", str(tiny)).out
    # columns padded in terminal cells: नेपाली takes five (its vowel signs: one cell or none)
    assert (
        "ne नेपाली    worker    2/6         0      4        reviewed by R. Thapa, 2026-11-30" in text
    )


def test_status_of_the_bundled_questionnaires(cli: Any) -> None:
    run = cli("translations", "status", "--format", "json")
    assert run.code == 0
    found = {(d["id"], d["version"]): d["languages"] for d in json.loads(run.out)}
    assert set(found) == {("brief_screen", "1.1.0"), ("ilo_adult_labour", "2.1.0")}
    for languages in found.values():
        assert all(lang["complete"] for lang in languages)


# ------------------------------------------------------------------ the checker


def _problems(text: str) -> list[str]:
    try:
        check_document(parse_document(text.encode("utf-8"), "q.yaml"))
    except QuestionnaireError as error:
        return [str(p) for p in error.problems]
    return []


def _with_hindi(text: str, *, drop: str = "") -> str:
    """TINY with Hindi declared for the worker's side and its texts, less the one of ``drop``."""
    text = text.replace(
        "  - {code: ar, name: العربية, direction: rtl}\n",
        "  - {code: ar, name: العربية, direction: rtl}\n"
        "  - {code: hi, name: हिन्दी, audience: worker, status: draft}\n",
    )
    places = {
        "question:intro": ("ar: سأطرح عليك سؤالين.}", "ar: سأطرح عليك سؤالين., hi: दो सवाल}"),
        "question:in_danger": (
            "ar: هل أنت في خطر الآن؟  # the plain question",
            "ar: هل أنت في خطر الآن؟\n          hi: खतरा?",
        ),
        "question:sector": ("ar: ما العمل الذي تقوم به؟}", "ar: ما العمل الذي تقوم به؟, hi: काम?}"),
        "question:sector/choice:domestic": ("ar: العمل المنزلي}", "ar: العمل المنزلي, hi: घरेलू}"),
        "question:sector/choice:other": ("ar: عمل آخر}", "ar: عمل آخر, hi: दूसरा}"),
        "flag:danger/tell": (
            "ar: إذا كنت في خطر، فاتصل بالشرطة على الرقم 999. الخط الساخن 995، ليلًا ونهارًا.",
            "ar: إذا كنت في خطر، فاتصل بالشرطة على الرقم 999. الخط الساخن 995، ليلًا ونهارًا.\n"
            "      hi: 999 पर फ़ोन करें।",
        ),
    }
    for key, (old, new) in places.items():
        if key != drop:
            assert old in text, key
            text = text.replace(old, new)
    return text


def test_a_worker_language_needs_every_text_put_to_the_person_and_no_other() -> None:
    assert _problems(_with_hindi(TINY)) == []
    for key in WORKER_KEYS:
        problems = _problems(_with_hindi(TINY, drop=key))
        assert len(problems) == 1, (key, problems)
        assert (
            "missing the 'hi' text: 'hi' is declared for the worker's side (`audience: worker`), "
            "and this text is put to the person; add `hi: ...`" in problems[0]
        )
        assert re.match(r"q\.yaml:\d+:\d+: ", problems[0])


def test_a_full_language_needs_every_text() -> None:
    full = _with_hindi(TINY).replace("audience: worker, ", "")
    problems = _problems(full)
    # the officer's texts: titles, guidance, the officer's note and question, action, outcome
    assert len(problems) == 9
    assert all("missing the 'hi' text (declared in languages)" in p for p in problems)


def test_texts_read_to_the_person_need_the_forms_by_gender_of_a_gendered_language() -> None:
    gendered = (
        TINY.replace(
            "  - {code: ar, name: العربية, direction: rtl}\n",
            "  - {code: ar, name: العربية, direction: rtl, gendered: true}\n",
        )
        .replace("sections:\n", "address_by: gender\nsections:\n", 1)
        .replace(
            "    questions:\n",
            "    questions:\n"
            "      - id: gender\n"
            "        type: single_choice\n"
            "        officer_only: true\n"
            "        text: {en: Gender, ar: الجنس}\n"
            "        choices:\n"
            "          - {value: female, label: {en: Woman, ar: امرأة}}\n"
            "          - {value: male, label: {en: Man, ar: رجل}}\n",
            1,
        )
    )
    problems = _problems(gendered)
    messages = [p.split(": ", 1)[1] for p in problems]
    assert messages == [
        "note 'intro' is read aloud to the person: its 'ar' text needs a feminine and a "
        "masculine form; write it as `ar: {female: ..., male: ...}`",
        "question 'in_danger' is put to the person: its 'ar' text needs a feminine and a "
        "masculine form; write it as `ar: {female: ..., male: ...}`",
        "question 'sector' is put to the person: its 'ar' text needs a feminine and a "
        "masculine form; write it as `ar: {female: ..., male: ...}`",
        "the `tell` of flag 'danger' is said to the person: its 'ar' text needs a feminine and "
        "a masculine form; write it as `ar: {female: ..., male: ...}`",
    ]


def test_translated_from_names_declared_languages_only() -> None:
    text = _with_hindi(TINY) + 'translated_from:\n  ur:\n    question:intro: "0123456789ab"\n'
    problems = _problems(text)
    assert len(problems) == 1
    assert "language 'ur' is not declared in `languages`" in problems[0]
    text = _with_hindi(TINY) + 'translated_from:\n  en:\n    question:intro: "0123456789ab"\n'
    assert "'en' is the source language" in _problems(text)[0]


def test_a_record_of_a_text_that_is_gone_is_a_warning() -> None:
    text = _with_hindi(TINY) + 'translated_from:\n  hi:\n    question:gone: "0123456789ab"\n'
    from screening.questionnaires import LoadedQuestionnaire, _compile

    raw = text.encode()
    loaded: LoadedQuestionnaire = _compile(raw, digest(text) + "x", "q.yaml")
    codes = sorted({w.code for w in loaded.warnings})
    # the translations without a record are not shown; the stray record is named
    assert codes == ["stale_translation", "unknown_key"]
    assert any("no text has the key 'question:gone'" in str(w) for w in loaded.warnings)


def test_every_shown_text_has_a_key() -> None:
    """The keys cover every text the checker sees (the default questionnaire has them all)."""
    from screening.checks import TEXT_FIELDS, _field_keys

    q = resolve("ilo_adult_labour").questionnaire
    walked: set[tuple[Any, ...]] = set()

    def walk(model: BaseModel, loc: tuple[Any, ...]) -> None:
        for name, key in _field_keys(type(model)):
            value = getattr(model, name)
            if name in TEXT_FIELDS and value is not None and not isinstance(value, BaseModel):
                walked.add((*loc, key))
            elif isinstance(value, BaseModel):
                walk(value, (*loc, key))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        walk(item, (*loc, key, index))

    walk(q, ())
    keyed = list(entries(q))
    assert {e.loc for e in keyed} == walked
    assert len({e.key for e in keyed}) == len(keyed)


# ------------------------------------------------------------------ bad input


def _po(cli: Any, tiny: Path, tmp_path: Path) -> Path:
    po = tmp_path / "hi.po"
    assert cli("translations", "export", str(tiny), "--lang", "hi", "--out", str(po)).code == 0
    po.write_text(_fill(po.read_text(encoding="utf-8"), HINDI), encoding="utf-8")
    return po


def test_a_po_file_with_a_syntax_error_is_refused_with_its_line(
    cli: Any, tiny: Path, tmp_path: Path
) -> None:
    po = _po(cli, tiny, tmp_path)
    lines = po.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("msgctxt")) + 1
    lines[number] = 'msgid "unterminated'
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = tiny.read_bytes()
    run = cli("translations", "import", str(po), "-q", str(tiny))
    assert run.code == 1
    assert f"hi.po:{number + 1}: not a valid PO file" in run.err, run.err
    assert "Traceback" not in run.err
    assert tiny.read_bytes() == before


def test_an_unknown_key_is_refused_with_its_line(cli: Any, tiny: Path, tmp_path: Path) -> None:
    po = _po(cli, tiny, tmp_path)
    text = po.read_text(encoding="utf-8").replace(
        'msgctxt "question:sector"', 'msgctxt "question:job"'
    )
    po.write_text(text, encoding="utf-8")
    number = text.splitlines().index('msgctxt "question:job"') + 1
    before = tiny.read_bytes()
    run = cli("translations", "import", str(po), "-q", str(tiny))
    assert run.code == 1
    assert f"hi.po:{number}: the key 'question:job' is not a text of tiny 1" in run.err
    assert tiny.read_bytes() == before


def test_a_key_given_twice_is_refused(cli: Any, tiny: Path, tmp_path: Path) -> None:
    po = _po(cli, tiny, tmp_path)
    text = po.read_text(encoding="utf-8")
    po.write_text(text + '\nmsgctxt "question:sector"\nmsgid "x"\nmsgstr "y"\n', encoding="utf-8")
    run = cli("translations", "import", str(po), "-q", str(tiny))
    assert run.code == 1
    assert "the key 'question:sector' is given twice" in run.err


@pytest.mark.parametrize(
    ("change", "args", "code", "message"),
    [
        (("Language: hi", "Language: ne"), ("--lang", "hi"), 1, "the file is in 'ne'"),
        (("Language: hi", "Language: en"), (), 1, "the language tiny is written in"),
        (("Language: hi\\n", ""), (), 2, "does not say its language"),
        (("Language: hi", "Language: Hindi!"), (), 1, "the Language header 'Hindi!' is not"),
    ],
)
def test_a_file_in_the_wrong_language_is_refused(
    cli: Any,
    tiny: Path,
    tmp_path: Path,
    change: tuple[str, str],
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    po = _po(cli, tiny, tmp_path)
    po.write_text(po.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    before = tiny.read_bytes()
    run = cli("translations", "import", str(po), "-q", str(tiny), *args)
    assert run.code == code, run.err
    assert message in run.err
    assert run.err.startswith("screening: error: ")
    assert tiny.read_bytes() == before


def test_an_incomplete_translation_writes_nothing(cli: Any, tiny: Path, tmp_path: Path) -> None:
    po = tmp_path / "hi.po"
    assert cli("translations", "export", str(tiny), "--lang", "hi", "--out", str(po)).code == 0
    half = {k: v for k, v in HINDI.items() if k != "flag:danger/tell"}
    po.write_text(_fill(po.read_text(encoding="utf-8"), half), encoding="utf-8")
    before = tiny.read_bytes()
    run = cli("translations", "import", str(po), "-q", str(tiny))
    assert run.code == 1
    assert "missing the 'hi' text" in run.err
    assert "Nothing was written:" in run.err
    assert tiny.read_bytes() == before


def test_a_gendered_language_and_an_older_bundled_version_are_not_written(
    cli: Any, tmp_path: Path
) -> None:
    po = tmp_path / "ar.po"
    assert (
        cli("translations", "export", "ilo_adult_labour", "--lang", "ar", "--out", str(po)).code
        == 0
    )
    run = cli("translations", "import", str(po))
    assert run.code == 2
    assert "forms by the person's gender" in run.err
    po = tmp_path / "hi.po"
    args = ("translations", "export", "ilo_adult_labour@2.0.0", "--lang", "hi", "--out", str(po))
    assert cli(*args).code == 0
    run = cli("translations", "import", str(po))  # names ilo_adult_labour 2.0.0
    assert run.code == 2
    assert "an older version of ilo_adult_labour, kept as it is" in run.err


def test_a_bundled_questionnaire_is_not_changed_in_place(cli: Any, tmp_path: Path) -> None:
    from screening.questionnaires import source_file

    po = tmp_path / "hi.po"
    assert cli("translations", "export", "brief_screen", "--lang", "hi", "--out", str(po)).code == 0
    edited = po.read_text(encoding="utf-8").replace('msgstr "हाँ"', 'msgstr "जी हाँ"', 1)
    edited = re.sub(r'(msgctxt "question:in_danger_now"\nmsgid "[^"]*"\nmsgstr ")', r"\1!", edited)
    po.write_text(edited, encoding="utf-8")
    path, _, _ = source_file("brief_screen")
    before = path.read_bytes()
    for args in ((), ("--questionnaire", "brief_screen")):
        run = cli("translations", "import", str(po), *args)
        assert run.code == 2, run.err
        assert "bundled with the program and is not changed in place" in run.err
        assert path.read_bytes() == before
    copy = tmp_path / "mine.yaml"
    copy.write_bytes(before)
    assert cli("translations", "import", str(po), "--questionnaire", str(copy)).code == 0
    assert copy.read_bytes() != before


def test_export_and_status_write_on_the_streams_of_their_environment(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import os

    from screening.cli import main
    from screening.cli.environment import Environment

    def run(*argv: str) -> tuple[str, str]:
        env = Environment(
            stdin=io.StringIO(),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            environ=dict(os.environ),
            stdin_isatty=False,
            stdout_isatty=False,
        )
        code = 0
        try:
            main(list(argv), env)
        except SystemExit as ended:
            code = int(ended.code or 0)
        assert code == 0, env.stderr.getvalue()  # type: ignore[attr-defined]
        return env.stdout.getvalue(), env.stderr.getvalue()  # type: ignore[attr-defined]

    out, _ = run("translations", "export", str(tiny), "--lang", "hi")
    assert "Language: hi\\n" in out  # the PO file, on the given standard output
    out, _ = run("translations", "status", str(tiny))
    assert "  ar العربية  all       15/15" in out  # the table, on the given standard output
    assert capsys.readouterr() == ("", "")
