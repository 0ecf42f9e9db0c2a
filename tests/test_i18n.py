"""The program's own strings exist in every language it speaks, read from the gettext catalogs."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from screening import i18n
from screening.i18n import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    CatalogError,
    catalog,
    parse_po,
    placeholders,
    t,
    tn,
)

ROOT = Path(__file__).resolve().parent.parent
ARABIC_PLURAL_FORMS = "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;"
TRANSLATIONS = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
KEY = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")


def _forms(language: str, key: str) -> list[str]:
    message = catalog(language).messages[key]
    if language == SOURCE_LANGUAGE:
        return [
            message.msgid,
            *([message.msgid_plural] if message.msgid_plural is not None else []),
        ]
    return list(message.msgstr)


def test_the_catalog_files_parse_with_their_plural_rules() -> None:
    for language in LANGUAGES:
        name = "messages.pot" if language == SOURCE_LANGUAGE else f"{language}.po"
        text = (ROOT / "screening" / "locale" / name).read_text(encoding="utf-8")
        parsed = parse_po(text, name)
        assert parsed.headers["Language"] == language
        assert parsed.headers["Content-Type"] == "text/plain; charset=UTF-8"
        assert len(parsed.messages) > 250
    assert catalog("en").headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert catalog("ar").headers["Plural-Forms"] == ARABIC_PLURAL_FORMS
    assert catalog("ar").nplurals == 6


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("name", ["messages.pot", "ar.po"])
def test_gnu_gettext_reads_the_catalogs(name: str, tmp_path: Path) -> None:
    """The files are what translators' tools (Poedit, Weblate) read: GNU msgfmt accepts them."""
    path = ROOT / "screening" / "locale" / name
    run = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


def test_every_message_has_every_language() -> None:
    source = catalog(SOURCE_LANGUAGE).messages
    for language in TRANSLATIONS:
        translated = catalog(language).messages
        assert set(translated) == set(source)
        for key, message in source.items():
            other = translated[key]
            assert (other.msgid, other.msgid_plural) == (message.msgid, message.msgid_plural), key
            assert other.translated, (language, key)
            assert all(form.strip() for form in other.msgstr), (language, key)


def test_every_plural_message_has_every_form() -> None:
    plurals = [m for m in catalog("en").messages.values() if m.plural]
    assert len(plurals) >= 25
    for message in plurals:
        for language in TRANSLATIONS:
            assert (
                len(catalog(language).messages[message.key].msgstr) == catalog(language).nplurals
            ), message.key
    assert all(len(catalog("ar").messages[m.key].msgstr) == 6 for m in plurals)


def test_placeholders_agree_across_languages() -> None:
    for key, message in catalog(SOURCE_LANGUAGE).messages.items():
        english = [placeholders(form) for form in _forms(SOURCE_LANGUAGE, key)]
        assert all(names == english[-1] for names in english), key
        for language in TRANSLATIONS:
            forms = _forms(language, key)
            if not message.plural:
                assert [placeholders(f) for f in forms] == english, (language, key)
                continue
            # A form may leave out the number itself ("إجابة واحدة"), never anything else; the
            # forms that numbers from 3 up take show every value.
            general = {catalog(language).plural_index(n) for n in range(3, 1000)}
            for index, form in enumerate(forms):
                names = placeholders(form)
                assert names <= english[-1], (language, key, index)
                assert english[-1] - names <= {"count"}, (language, key, index)
                if index in general:
                    assert names == english[-1], (language, key, index)


def _literal_keys() -> tuple[set[str], set[str]]:
    """Message keys written as literals in the code, and the fixed starts of computed keys."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    namespaces = {key.split(".")[0] for key in catalog("en").messages}
    for path in (ROOT / "screening").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and KEY.fullmatch(arg.value)
                ):
                    if arg.value.split(".")[0] in namespaces:
                        keys.add(arg.value)
                elif (
                    isinstance(arg, ast.JoinedStr)
                    and arg.values
                    and isinstance(arg.values[0], ast.Constant)
                ):
                    start = str(arg.values[0].value)
                    if (
                        "." in start
                        and start.split(".")[0] in namespaces
                        and KEY.fullmatch(start + "x")
                    ):
                        prefixes.add(start)
    return keys, prefixes


def test_every_key_used_in_the_code_is_in_every_catalog() -> None:
    keys, prefixes = _literal_keys()
    assert len(keys) > 200
    assert {
        "cases.purge.done",
        "rationale.redacted.answers",
        "score.wrote",
        "errors.more_problems",
    } <= keys
    for language in LANGUAGES:
        known = set(catalog(language).messages)
        assert keys - known == set(), language
        for prefix in prefixes:
            assert any(k.startswith(prefix) for k in known), (language, prefix)


def test_no_message_says_s_in_brackets() -> None:
    for language in LANGUAGES:
        for key in catalog(language).messages:
            assert not any("(s)" in form for form in _forms(language, key)), key
    written: list[str] = []
    for path in (ROOT / "screening").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings
        skip |= {  # the wording of earlier versions, kept to recognise it in stored referrals
            id(c)
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign)
            and any(getattr(x, "id", "").startswith("_OLD_") for x in n.targets)
            for c in ast.walk(n.value)
        }
        written += [
            f"{path.name}:{n.lineno}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and "(s)" in n.value
            and id(n) not in skip
        ]
    assert written == []


def test_a_key_resolves_whatever_was_imported() -> None:
    script = (
        "import sys\n"
        "from screening.i18n import t\n"
        "print(t('cases.purge.done', 'en', count=2))\n"
        "print(t('train.list_title', 'ar', count=1))\n"
        "print(sorted(m for m in ('screening.cases_messages', 'screening.ui.training') if m in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert run.stdout.splitlines() == ["deleted 2 cases", "حالة تدريبية واحدة", "[]"], run.stderr


@pytest.mark.parametrize(
    ("count", "arabic", "english"),
    [
        (0, "لا إجابات", "0 answers"),
        (1, "إجابة واحدة", "1 answer"),
        (2, "إجابتان", "2 answers"),
        (3, "3 إجابات", "3 answers"),
        (10, "10 إجابات", "10 answers"),
        (11, "11 إجابة", "11 answers"),
        (99, "99 إجابة", "99 answers"),
        (100, "100 إجابة", "100 answers"),
        (102, "102 إجابة", "102 answers"),
        (103, "103 إجابات", "103 answers"),
        (111, "111 إجابة", "111 answers"),
    ],
)
def test_plural_forms_follow_the_language(count: int, arabic: str, english: str) -> None:
    assert tn("rationale.redacted.answers", count, "ar") == arabic
    assert tn("rationale.redacted.answers", count, "en") == english
    assert t("rationale.redacted.answers", "ar", count=count) == arabic


def test_plurals_in_sentences() -> None:
    assert tn("score.wrote", 1, "en", path="out.jsonl") == "wrote 1 referral to out.jsonl"
    assert tn("score.wrote", 50, "en", path="out.jsonl") == "wrote 50 referrals to out.jsonl"
    assert tn("score.wrote", 2, "ar", path="out.jsonl") == "كُتبت إحالتان في out.jsonl"
    assert tn("interview.resumed", 1, "en", case_id="c1") == "Resuming case c1: 1 answer kept."
    assert (
        tn("interview.resumed", 12, "ar", case_id="c1")
        == "استئناف الحالة c1، وفيها 12 إجابة محفوظة."
    )


def test_plural_and_singular_messages_are_asked_for_as_such() -> None:
    with pytest.raises(TypeError, match="integer count"):
        t("cases.purge.done", "en")
    with pytest.raises(ValueError, match="not a plural"):
        tn("answer.yes", 2, "en")
    with pytest.raises(KeyError):
        t("no.such.key", "en")


def test_unknown_language_falls_back_to_english() -> None:
    assert t("answer.dont_know", "fr") == "Don't know"
    assert t("answer.dont_know", "ar") == "لا أعرف"
    assert tn("cases.purge.done", 3, "fr") == "deleted 3 cases"


HEADER = (
    'msgid ""\nmsgstr ""\n"Language: xx\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
)


def test_the_reader_follows_the_po_format() -> None:
    text = HEADER + (
        "# a translator's comment\n"
        "#, fuzzy, python-brace-format\n"
        'msgctxt "a.fuzzy"\nmsgid "Old {x}"\nmsgstr "Vieux {x}"\n\n'
        'msgctxt "a.long"\nmsgid ""\n"first line\\n"\n"second \\"quoted\\" \\\\ end"\nmsgstr "x"\n\n'
        'msgctxt "a.empty"\nmsgid "Not yet"\nmsgstr ""\n'
        'msgctxt "a.plural"\nmsgid "{count} cat"\nmsgid_plural "{count} cats"\nmsgstr[0] "{count} chat"\nmsgstr[1] "{count} chats"\n\n'
        '#~ msgctxt "a.gone"\n#~ msgid "Gone"\n#~ msgstr "Parti"\n'
    )
    parsed = parse_po(text, "xx.po")
    assert set(parsed.messages) == {"a.fuzzy", "a.long", "a.empty", "a.plural"}
    assert not parsed.messages["a.fuzzy"].translated  # fuzzy: shown in English until reviewed
    assert parsed.messages["a.long"].msgid == 'first line\nsecond "quoted" \\ end'
    assert not parsed.messages["a.empty"].translated
    assert parsed.messages["a.plural"].msgstr == ("{count} chat", "{count} chats")
    assert [parsed.plural_index(n) for n in (0, 1, 2)] == [1, 0, 1]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('msgid "no key"\nmsgstr "x"\n', "needs its key as msgctxt"),
        (
            'msgctxt "k"\nmsgid "a"\nmsgstr "x"\n\nmsgctxt "k"\nmsgid "b"\nmsgstr "y"\n',
            "given twice",
        ),
        ('msgctxt "k"\nmsgid "a"\nmsgstr "x\n', "quoted string"),
        ('msgctxt "k"\nmsgid "a\\q"\nmsgstr "x"\n', "unknown escape"),
        ('msgctxt "k"\nmsgid "a"\nmsgid_plural "as"\nmsgstr "x"\n', "msgstr[0]"),
        ('msgctxt "k"\nmsgid "a"\nmsgstrr "x"\n', "unknown keyword"),
    ],
)
def test_a_broken_catalog_is_refused_with_its_line(entry: str, problem: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(problem)) as raised:
        parse_po(HEADER + entry, "xx.po")
    assert str(raised.value).startswith("xx.po:")


def test_a_dict_catalog_converts_to_po_entries(tmp_path: Path) -> None:
    source = tmp_path / "new_messages.py"
    source.write_text(
        "register({\n"
        '    "cases.stats.title": {"en": "Cases by status", "ar": "الحالات حسب الوضع"},\n'
        '    "cases.stats.count": {"en": ["{count} case", "{count} cases"],\n'
        '                          "ar": ["لا حالات", "حالة واحدة", "حالتان", "{count} حالات", "{count} حالة", "{count} حالة"]},\n'
        '    "answer.yes": {"en": "Yes", "ar": "نعم"},\n'
        "})\n",
        encoding="utf-8",
    )
    tool = [sys.executable, str(ROOT / "tools" / "dict_to_po.py"), "--check"]
    run = subprocess.run([*tool, str(source)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "screening/locale/messages.pot: new messages: 2",
        "screening/locale/ar.po: new messages: 2",
    ]
    source.write_text('register({"answer.yes": {"en": "Yes!", "ar": "نعم"}})\n', encoding="utf-8")
    run = subprocess.run([*tool, str(source)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "'answer.yes' differs from messages.pot" in run.stderr

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from dict_to_po import entry
    finally:
        sys.path.remove(str(ROOT / "tools"))
    written = HEADER + entry(
        "cases.stats.count", ["{count} case", "{count} cases"], ["{count} x", "{count} xs"]
    )
    parsed = parse_po(written).messages["cases.stats.count"]
    assert (parsed.msgid, parsed.msgid_plural, parsed.msgstr) == (
        "{count} case",
        "{count} cases",
        ("{count} x", "{count} xs"),
    )
    assert "python-brace-format" in parsed.flags


@pytest.mark.parametrize(
    "language",
    ["en", *sorted(p.stem for p in (Path(i18n.__file__).parent / "locale").glob("*.po"))],
)
def test_reading_a_catalog_entry_by_entry_gives_what_reading_it_whole_gives(
    language: str,
) -> None:
    """Messages are read entry by entry as they are asked for; every entry, the headers and
    the plural forms are what parsing the whole file gives."""
    whole = i18n.catalog(language)
    entries = i18n._entries_of(language)
    for key, message in whole.messages.items():
        found = entries.message(key)
        assert found is not None
        assert (found.key, found.msgid, found.msgid_plural, found.msgstr, found.flags) == (
            message.key,
            message.msgid,
            message.msgid_plural,
            message.msgstr,
            message.flags,
        )
    assert entries.headers == whole.headers
    assert [entries.plural_index(n) for n in range(30)] == [
        whole.plural_index(n) for n in range(30)
    ]
    assert entries.message("no.such.key") is None
