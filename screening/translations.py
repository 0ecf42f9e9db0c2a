"""Translating a questionnaire with gettext PO files (adapter: Babel reads and writes PO files,
ruamel.yaml writes the questionnaire back with its comments and layout).

- :func:`export_po`: the texts a language needs, as a PO catalog: ``msgctxt`` is the text's
  stable key (:mod:`screening.texts`), ``msgid`` the English, translator comments say what the
  text is (with the officer's guidance and the Arabic as a second reference), ``msgstr`` the
  translation the file has, marked ``fuzzy`` when it is stale.
- :func:`import_po`: writes a PO file's translations into the questionnaire. A translation made
  from other English than the file's now, or marked fuzzy, is written but recorded as stale
  (not shown until reviewed); the language is declared (``status: draft``) when it is new. The
  result is checked as a questionnaire before anything is written.
- :func:`status`: per language, how many texts are translated, stale (fuzzy) and missing.
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.errors import Problem, QuestionnaireError, UsageError
from screening.model import GenderedText, Language, Questionnaire
from screening.texts import FUZZY, Entry, digest, entries, needs, source_text, stale

_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_CONTEXT_LINE = re.compile(r'^msgctxt\s+"(.*)"\s*$')
_STRING = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(
    r"^(?:\s*$|#.*$|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[[0-9]+\])?)\s+"
    + _STRING
    + r"\s*$|\s*"
    + _STRING
    + r"\s*$)"
)
_LANGUAGE_HEADER = re.compile(r'^"Language:\s*(.*?)\\n"\s*$')
# what a translation may not hold: control characters other than line feed, and the bidi
# controls (embeddings, overrides, isolates), which reorder the text around them on screen
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMES = {"tl": "Tagalog"}
"""A language's own name where the CLDR's is not the one its speakers in the Gulf use."""
_SECOND = {"ar": "Arabic"}
FOLD = 92
"""Long translations are folded (``>-``) at about this many characters."""


@dataclass(frozen=True)
class Source:
    """A questionnaire file opened for translation: its text and its questionnaire as written
    (stale translations included)."""

    path: Path
    name: str
    text: str
    questionnaire: Questionnaire
    old_version: bool


def open_source(ref: str | None) -> Source:
    """Open a questionnaire (a file, or a bundled id, optionally ``ID@VERSION``) as written.

    Raises:
        UsageError: no such file or bundled questionnaire.
        QuestionnaireError: the file is not a valid questionnaire.
    """
    from screening.loader import decode_text, parse_document, read_limited
    from screening.questionnaires import DEFAULT_QUESTIONNAIRE, check_source, source_file

    path, name, old = source_file(ref or DEFAULT_QUESTIONNAIRE)
    raw = read_limited(path)
    doc = parse_document(raw, name)
    return Source(path, name, decode_text(raw, name), check_source(doc), old)


# --------------------------------------------------------------------------- export


def _language_name(code: str) -> str:
    """A language's name for itself (CLDR), for a new declaration."""
    from babel import Locale, UnknownLocaleError

    if code in _NAMES:
        return _NAMES[code]
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return str(locale.get_language_name(code.replace("-", "_")) or code)


def _rtl(code: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        return bool(Locale.parse(code.replace("-", "_")).character_order == "right-to-left")
    except (ValueError, UnknownLocaleError):
        return False


def _check_code(code: str) -> None:
    if not _CODE.match(code):
        raise UsageError(
            f"--lang {code!r} is not a language code",
            hint="Give 2 or 3 lower-case letters, optionally with subtags: hi, ur, fil, zh-Hant.",
        )


def _form(text: Any) -> str | None:
    """A text map's entry as one string (the neutral, else masculine form by gender)."""
    if isinstance(text, GenderedText):
        return text.neutral if text.neutral is not None else text.male
    return text if isinstance(text, str) and text.strip() else None


def export_po(source: Source, code: str, *, audience: str | None = None) -> bytes:
    """The PO catalog of the texts language ``code`` needs.

    Args:
        source: The questionnaire.
        code: The language to translate into (declared or not).
        audience: ``worker`` (the texts put to the person) or ``all``; by default the
            declared language's, and ``worker`` for a language not declared yet.

    Raises:
        UsageError: ``code`` is not a language code, or is the source language.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    q = source.questionnaire
    _check_code(code)
    if code == q.default_language:
        raise UsageError(
            f"--lang {code}: '{code}' is the language the questionnaire is written in",
            hint="Name the language to translate into, such as --lang hi.",
        )
    declared = q.language(code)
    wanted = audience or (declared.audience if declared is not None else "worker")
    target = Language.model_validate({"code": code, "name": code, "audience": wanted})
    second = next(
        (lang for lang in q.languages[1:] if lang.audience == "all" and lang.code != code), None
    )
    old = {(s.key, s.language) for s in stale(q)}
    catalog = Catalog(
        locale=code.replace("-", "_"),
        project=q.id,
        version=q.version,
        fuzzy=False,
        header_comment=(
            f"# {q.id} {q.version}: the texts to translate into '{code}'"
            f"{' (put to the person)' if target.audience == 'worker' else ''}.\n"
            "# msgctxt is the text's key: keep it, and the msgid, as they are. Import the\n"
            "# translated file with: screening translations import FILE.po\n#"
        ),
    )
    catalog.revision_date = catalog.creation_date
    for entry in entries(q):
        if not needs(target, entry):
            continue
        english = source_text(entry.text, q.default_language)
        if english is None:
            continue
        comments = list(entry.notes)
        if target.audience == "worker":  # the officer reads the guidance in English or Arabic
            comments = [
                c.replace("Officer's guidance: ", "Officer's guidance (not translated): ", 1)
                for c in comments
            ]
        if second is not None and not isinstance(entry.text, str):
            reference = _form(entry.text.get(second.code))
            if reference:
                name = _SECOND.get(second.code, second.name)
                comments.append(f"{name}: {' '.join(reference.split())}")
        current = None if isinstance(entry.text, str) else _form(entry.text.get(code))
        flags = ["fuzzy"] if current and (entry.key, code) in old else []
        catalog.add(
            english,
            string=current or "",
            context=entry.key,
            auto_comments=comments,
            flags=flags,
        )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, include_lineno=False)
    return buffer.getvalue()


# --------------------------------------------------------------------------- import


@dataclass
class Imported:
    """What an import did."""

    path: Path
    name: str
    questionnaire: str
    language: str
    written: int = 0
    """Translations written or changed."""
    stale: int = 0
    """Of those and the others, how many are recorded as stale (fuzzy)."""
    unchanged: int = 0
    declared: bool = False
    """The language was declared by this import."""
    changed: bool = False
    """Whether the file was rewritten."""
    keys: list[str] = field(default_factory=list)


def _po_problem(name: str, line: int | None, message: str) -> Problem:
    return Problem(message, name, line, None, "po")


def read_catalog(raw: bytes, name: str) -> tuple[Any, dict[str, int]]:
    """Parse PO bytes with Babel, more strictly than Babel does (it passes over an unclosed
    string, losing the entry).

    Returns:
        The catalog, and the line of each entry's ``msgctxt``, by key.

    Raises:
        QuestionnaireError: not a PO file (located at the line where it stops being one), an
            entry given twice, or a Language header that is not a language code.
    """
    from babel.messages.pofile import PoFileError, read_po

    hint = "Check the file with `msgfmt -c -o /dev/null FILE.po`, or open it in Poedit."
    if b"\x00" in raw:
        raise QuestionnaireError([_po_problem(name, None, "this is a binary file, not a PO file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise QuestionnaireError(
            [_po_problem(name, line, "the file is not UTF-8 text; save it as UTF-8")]
        ) from None
    seen: dict[str, int] = {}
    in_header = True
    for number, line_text in enumerate(text.splitlines(), 1):
        if not _PO_LINE.match(line_text):
            raise QuestionnaireError(
                [
                    _po_problem(
                        name,
                        number,
                        "not a valid PO file: a line is a comment (#), a keyword (msgctxt, "
                        'msgid, msgstr) and a quoted string, or a quoted string ("...", '
                        "closed on its line)",
                    )
                ],
                hint=hint,
            )
        if line_text.startswith(("msgctxt", "msgid")) and not line_text.startswith('msgid ""'):
            in_header = False
        language = _LANGUAGE_HEADER.match(line_text) if in_header else None
        if language is not None and language.group(1) and not _CODE.match(language.group(1)):
            raise QuestionnaireError(
                [
                    _po_problem(
                        name,
                        number,
                        f"the Language header '{language.group(1)}' is not a language code",
                    )
                ],
                hint="Write it as 2 or 3 lower-case letters, such as `Language: hi`.",
            )
        found = _CONTEXT_LINE.match(line_text)
        if found is None:
            continue
        key = found.group(1)
        if key in seen:
            raise QuestionnaireError(
                [
                    _po_problem(
                        name,
                        number,
                        f"the key '{key}' is given twice (first on line {seen[key]}); keep one",
                    )
                ]
            )
        seen[key] = number
    try:
        return read_po(io.StringIO(text), abort_invalid=True), seen
    except PoFileError as exc:
        line = exc.lineno + 1 if isinstance(exc.lineno, int) else None
        message = str(exc).rsplit(" on ", 1)[0]
        raise QuestionnaireError(
            [_po_problem(name, line, f"not a valid PO file: {message}")], hint=hint
        ) from None
    except (ValueError, IndexError, KeyError) as exc:  # Babel fails in these ways too
        raise QuestionnaireError(
            [_po_problem(name, None, f"not a valid PO file ({type(exc).__name__})")], hint=hint
        ) from None


def po_questionnaire(catalog: Any) -> str | None:
    """The questionnaire a PO file names in its ``Project-Id-Version`` (``ID VERSION``)."""
    from screening.questionnaires import bundled_ids

    project = f"{catalog.project or ''} {catalog.version or ''}".split()
    known = set(bundled_ids())
    for index, word in enumerate(project):
        if word in known:
            following = project[index + 1] if index + 1 < len(project) else ""
            return f"{word}@{following}" if re.match(r"^[0-9][0-9A-Za-z.]*$", following) else word
    return None


def import_po(
    raw: bytes,
    name: str,
    ref: str | None,
    *,
    language: str | None = None,
    write: bool = True,
) -> Imported:
    """Write the translations of a PO file into its questionnaire.

    Args:
        raw: The PO file's bytes.
        name: The PO file's name, for messages.
        ref: The questionnaire (file or bundled id); by default the one the PO file names.
        language: The language the file must be in; by default its ``Language`` header.
        write: False to check and count only.

    Raises:
        QuestionnaireError: the PO file is not valid, names a key the questionnaire does not
            have, holds a character a text may not, or the questionnaire would not be valid
            with its translations (each located).
        UsageError: no questionnaire or language can be told, or the language cannot be
            imported (the source language, one with forms by gender).
    """
    catalog, lines = read_catalog(raw, name)
    header = str(catalog.locale_identifier or "").replace("_", "-")
    if language is not None:
        _check_code(language)
        if header and header != language:
            raise QuestionnaireError(
                [
                    _po_problem(
                        name,
                        None,
                        f"the file is in '{header}' (its Language header), not '{language}'",
                    )
                ],
                hint="Import the file of that language, or leave --lang out.",
            )
    code = language or header
    if not code:
        raise UsageError(
            f"{name}: the PO file does not say its language (no `Language:` header)",
            hint="Give it with --lang CODE, or add the header `Language: CODE`.",
        )
    if not _CODE.match(code):
        raise QuestionnaireError(
            [_po_problem(name, None, f"the Language header '{code}' is not a language code")],
            hint="Write it as 2 or 3 lower-case letters, such as `Language: hi`.",
        )
    named = ref or po_questionnaire(catalog)
    if named is None:
        raise UsageError(
            f"{name}: the PO file does not name a bundled questionnaire (Project-Id-Version)",
            hint="Say which with --questionnaire FILE or ID.",
        )
    source = open_source(named)
    q = source.questionnaire
    if source.old_version:
        raise UsageError(
            f"{source.name} is an older version of {q.id}, kept as it is (cases started on it "
            "are checked against its SHA-256)",
            hint=f"Import into the newest version: --questionnaire {q.id}.",
        )
    if code == q.default_language:
        raise QuestionnaireError(
            [
                _po_problem(
                    name,
                    None,
                    f"the file is in '{code}', the language {q.id} is written in; a translation "
                    "is into another language",
                )
            ]
        )
    declared = q.language(code)
    if declared is not None and declared.gendered:
        raise UsageError(
            f"'{code}' has forms by the person's gender in {q.id}, which a PO file cannot hold",
            hint="Edit its texts in the questionnaire file (`{female: ..., male: ...}`).",
        )
    by_key = {e.key: e for e in entries(q)}
    recorded = dict(q.translated_from.get(code, {}))
    changes: list[tuple[Entry, str | None, str]] = []  # entry, new text (None: keep), source
    result = Imported(source.path, source.name, f"{q.id} {q.version}", code)
    officer = False
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.context
        line = lines.get(key) if key else message.lineno
        entry = by_key.get(key) if key else None
        if entry is None:
            what = f"the key '{key}'" if key else "an entry without msgctxt"
            raise QuestionnaireError(
                [_po_problem(name, line, f"{what} is not a text of {q.id} {q.version}")],
                hint=f"Export the file again from {q.id} {q.version}: "
                f"screening translations export {q.id} --lang {code}.",
            )
        if not isinstance(message.id, str) or not isinstance(message.string, str):
            raise QuestionnaireError(
                [_po_problem(name, line, "plural forms have no place in a questionnaire")]
            )
        translation = message.string
        if not translation.strip():
            continue
        bad = _FORBIDDEN.search(translation)
        if bad:
            raise QuestionnaireError(
                [
                    _po_problem(
                        name,
                        line,
                        f"the translation of '{key}' holds the character U+{ord(bad.group()):04X} "
                        "(a control or bidi character); remove it",
                    )
                ]
            )
        english = source_text(entry.text, q.default_language) or ""
        made_from = " ".join(message.id.split())
        if message.fuzzy:
            mark = FUZZY
        elif made_from != english:
            mark = digest(made_from)  # made from other English: stale until reviewed
        else:
            mark = digest(english)
        if mark != digest(english):
            result.stale += 1
        if not entry.worker:
            officer = True
        current = None if isinstance(entry.text, str) else _form(entry.text.get(code))
        if current == translation and recorded.get(key) == mark:
            result.unchanged += 1
            continue
        changes.append((entry, None if current == translation else translation, mark))
        result.keys.append(key)
    if not changes and declared is not None:
        return result
    if code not in q.translated_from:
        # the language is tracked from now on: the translations the file has already, written
        # beside the English, are recorded as made from the English they stand beside
        imported = {e.key for e, _, _ in changes}
        for kept in by_key.values():
            source_english = source_text(kept.text, q.default_language)
            if (
                kept.key not in imported
                and source_english is not None
                and not isinstance(kept.text, str)
                and _form(kept.text.get(code)) is not None
            ):
                changes.append((kept, None, digest(source_english)))
    text = _rewrite(source, code, changes, declared is None, "all" if officer else "worker")
    result.declared = declared is None
    result.written = sum(1 for _, new, _ in changes if new is not None)
    _check_result(text, source)
    result.changed = text != source.text
    if write and result.changed:
        from screening.questionnaires import is_file_ref

        if not is_file_ref(named):
            raise UsageError(
                f"{source.name} is bundled with the program and is not changed in place: it would "
                "then differ from the release of the same version, and a new installation would "
                "undo it",
                hint=(
                    f"Import into a questionnaire file of your own, a copy of {q.id} "
                    f"(--questionnaire my-{q.id}.yaml); in a source checkout, give the file itself "
                    "(--questionnaire indicators/...yaml)."
                ),
            )
        from screening.files import write_private

        mode = stat.S_IMODE(os.lstat(source.path).st_mode)
        write_private(source.path, text, force=True, mode=mode)
    return result


def _check_result(text: str, source: Source) -> None:
    """Refuse a result that is not a valid questionnaire (nothing is written then)."""
    from screening.loader import parse_document
    from screening.questionnaires import check_source

    try:
        check_source(parse_document(text.encode("utf-8"), source.name))
    except QuestionnaireError as error:
        raise QuestionnaireError(
            error.problems,
            hint="Nothing was written: with these translations the questionnaire would not be "
            "valid (the lines are those of the file as it would be). A language needs every "
            "text put to the person: finish the PO file.",
        ) from None


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: comments, order, quotes and folded blocks are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a line of the file
    yaml.allow_unicode = True
    return yaml


def _rewrite(
    source: Source,
    code: str,
    changes: Iterable[tuple[Entry, str | None, str]],
    declare: bool,
    audience: str,
) -> str:
    """The questionnaire's text with the translations and their sources written in."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString
    from ruamel.yaml.util import load_yaml_guess_indent

    yaml = _yaml()
    # the file's own indentation: ruamel guesses a sequence's (its items' keys) and the dash's
    _, sequence, offset = load_yaml_guess_indent(source.text)
    offset = offset or 0
    sequence = sequence or 2
    yaml.indent(mapping=max(sequence - offset, 1), sequence=sequence, offset=offset)
    data = yaml.load(source.text)
    if declare:
        entry = CommentedMap()
        entry["code"] = code
        entry["name"] = _language_name(code)
        if _rtl(code):
            entry["direction"] = "rtl"
        entry["audience"] = audience
        entry["status"] = "draft"
        entry.fa.set_flow_style()
        data["languages"].append(entry)
    sources = data.get("translated_from")
    if sources is None:
        sources = CommentedMap()
        data["translated_from"] = sources
        data.yaml_set_comment_before_after_key(
            "translated_from",
            before="\nThe English each translation was made from (12 hex digits of its SHA-256), "
            "by text;\nwritten by `screening translations import`.",
        )
    recorded = sources.get(code)
    if recorded is None:
        recorded = CommentedMap()
        sources[code] = recorded
    for entry_, new, mark in changes:
        if new is not None:
            _put(data, entry_.loc, code, new, source.questionnaire.default_language)
        recorded[entry_.key] = DoubleQuotedScalarString(mark)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _put(data: Any, loc: tuple[Any, ...], code: str, text: str, first: str) -> None:
    """Write ``text`` as the ``code`` entry of the text at ``loc`` (a plain string becomes a
    map of languages; a flow-style map becomes a block, one language a line)."""
    from ruamel.yaml.comments import CommentedMap

    parents = [data]
    node = data
    for part in loc[:-1]:
        node = node[part]
        parents.append(node)
    holder, name = node, loc[-1]
    value = holder[name]
    if not isinstance(value, dict):
        value = CommentedMap([(first, value)])
        holder[name] = value
    value[code] = _scalar(text)
    value.fa.set_block_style()  # one language a line
    for parent in parents:  # a block cannot sit inside a flow collection
        if hasattr(parent, "fa") and parent.fa.flow_style():
            parent.fa.set_block_style()


def _scalar(text: str) -> Any:
    """A translation as YAML writes it best: long text folded (``>-``), lines kept as lines."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    if "\n" in text:
        return LiteralScalarString(text)
    if len(text) <= FOLD or text != text.strip() or "  " in text:
        return text
    folded = FoldedScalarString(text)
    positions: list[int] = []
    start = 0
    while len(text) - start > FOLD:
        cut = text.rfind(" ", start + 1, start + FOLD)
        if cut <= start:
            cut = text.find(" ", start + FOLD)
            if cut < 0:
                break
        positions.append(cut)
        start = cut + 1
    folded.fold_pos = positions
    return folded


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class LanguageStatus:
    """How far one language of a questionnaire is translated."""

    code: str
    name: str
    audience: str
    status: str
    reviewed_by: str | None
    translated: int
    fuzzy: int
    missing: int

    @property
    def total(self) -> int:
        """The texts the language needs."""
        return self.translated + self.fuzzy + self.missing

    @property
    def complete(self) -> bool:
        """Every text it needs is translated and current."""
        return self.fuzzy == 0 and self.missing == 0

    def as_dict(self) -> dict[str, object]:
        """For ``--format json``."""
        return {
            "code": self.code,
            "name": self.name,
            "audience": self.audience,
            "status": self.status,
            "reviewed_by": self.reviewed_by,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "missing": self.missing,
            "total": self.total,
            "complete": self.complete,
        }


def status(q: Questionnaire) -> list[LanguageStatus]:
    """Per declared language but the first: translated, stale (fuzzy) and missing texts."""
    old = {(s.key, s.language) for s in stale(q)}
    every = list(entries(q))
    out: list[LanguageStatus] = []
    for language in q.languages[1:]:
        counts = {"translated": 0, "fuzzy": 0, "missing": 0}
        for entry in every:
            if not needs(language, entry):
                continue
            if isinstance(entry.text, str) or _form(entry.text.get(language.code)) is None:
                counts["missing"] += 1
            elif (entry.key, language.code) in old:
                counts["fuzzy"] += 1
            else:
                counts["translated"] += 1
        out.append(
            LanguageStatus(
                language.code,
                language.name,
                language.audience,
                language.status,
                language.reviewed_by,
                **counts,
            )
        )
    return out


def status_lines(name: str, q: Questionnaire, statuses: list[LanguageStatus]) -> list[str]:
    """A questionnaire's :func:`status` as a small table for people."""
    lines = [f"{q.id} {q.version} ({name})"]
    if not statuses:
        return [*lines, "  one language only: nothing to translate", ""]
    rows = [("language", "audience", "translated", "fuzzy", "missing", "status")]
    for s in statuses:
        review = s.status
        if s.status == "reviewed" and s.reviewed_by:
            review += f" by {s.reviewed_by}"
        elif s.complete and s.status == "draft":
            review += " (complete)"
        rows.append(
            (
                f"{s.code} {s.name}",
                s.audience,
                f"{s.translated}/{s.total}",
                str(s.fuzzy),
                str(s.missing),
                review,
            )
        )
    from screening.textwidth import pad, width

    # measured in terminal cells (language names in their own scripts), not in characters
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [pad(cell, columns) for cell, columns in zip(row, widths, strict=False)]
        lines.append("  " + "  ".join([*cells, row[-1]]).rstrip())
    return [*lines, ""]


def status_of(ref: str) -> tuple[str, Questionnaire, list[LanguageStatus]]:
    """:func:`status` of a questionnaire file or bundled id, valid or not (a language half
    translated is what this is for): only the shape of its values must be right.

    Raises:
        UsageError: no such file or bundled questionnaire.
        QuestionnaireError: the file is not YAML, or its values do not have the format's shape.
    """
    from pydantic import ValidationError

    from screening.loader import parse_document, read_limited
    from screening.questionnaires import pydantic_problems, source_file

    path, name, _ = source_file(ref)
    doc = parse_document(read_limited(path), name)
    try:
        q = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        raise QuestionnaireError(pydantic_problems(doc, exc)) from None
    return name, q, status(q)


__all__ = [
    "Imported",
    "LanguageStatus",
    "Source",
    "export_po",
    "import_po",
    "open_source",
    "status",
    "status_of",
]
