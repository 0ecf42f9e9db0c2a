"""Translations of the strings the program itself shows (core: pure).

Questionnaire text is translated in the questionnaire file; this module holds the program's own
words: labels, prompts, headings and the sentences of a referral's rationale. They are data:
gettext catalogs inside the package (``screening/locale/``): ``messages.pot`` holds the English
text of every message, ``<language>.po`` its translation, each message found by its key (the
entry's ``msgctxt``). A catalog is read on first use, so every key resolves whatever module was
imported; nothing registers itself. Reading the catalogs is the only reading done here: they are
the package's own files, never a user's. See ``docs/languages.md``.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from screening.records import Record

LANGUAGES = ("en", "ar")
"""Languages the program's own strings are written in; English is the fallback."""

WORKER_LANGUAGES = ("hi", "ur", "ml", "ta", "bn", "ne", "tl", "si")
"""Languages of the workers interviewed whose catalogs hold only the worker-facing messages
(:data:`WORKER_KEYS`): Hindi, Urdu, Malayalam, Tamil, Bengali, Nepali, Tagalog, Sinhala. Every
other message is shown to them in English, and the officer's screens stay in a language of
:data:`LANGUAGES`."""

WORKER_KEYS = ("answer.yes", "answer.no", "answer.dont_know", "answer.declined")
"""The program's messages that the person interviewed reads: the answers offered on every
question. A catalog of a worker language is complete when it translates these."""

RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "he", "ps", "dv", "ckb", "sd", "ug", "yi"})

SOURCE_LANGUAGE = "en"
"""The language of ``messages.pot`` (the msgids)."""

TEMPLATE = "messages.pot"
"""The file, in ``screening/locale/``, that holds every message in the source language."""


class Message(Record):
    """One catalog entry: its key (``msgctxt``), English text and translation, if any."""

    _fields = ("key", "msgid", "msgid_plural", "msgstr", "flags", "line")
    __slots__ = _fields

    key: str
    msgid: str
    msgid_plural: str | None
    msgstr: tuple[str, ...]
    """The translated forms (one, or ``nplurals`` for a plural message); empty strings when
    the entry is not translated yet."""
    flags: frozenset[str]
    line: int

    def __init__(
        self,
        key: str,
        msgid: str,
        msgid_plural: str | None = None,
        msgstr: tuple[str, ...] = (),
        flags: frozenset[str] = frozenset(),
        line: int = 0,
    ) -> None:
        Record.__init__(self, key, msgid, msgid_plural, msgstr, flags, line)

    @property
    def plural(self) -> bool:
        return self.msgid_plural is not None

    @property
    def translated(self) -> bool:
        """Whether the translation may be shown (not empty, not marked fuzzy)."""
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags


class Catalog(Record):
    """A parsed PO (or POT) file."""

    _fields = ("headers", "messages")
    __slots__ = _fields

    headers: dict[str, str]
    messages: dict[str, Message]

    def __init__(self, headers: dict[str, str], messages: dict[str, Message] | None = None) -> None:
        Record.__init__(self, headers, {} if messages is None else messages)

    @property
    def nplurals(self) -> int:
        return _plural_forms(self.headers)[0]

    def plural_index(self, count: int) -> int:
        """Which form of a plural message ``count`` takes (the ``Plural-Forms`` header)."""
        return _plural_forms(self.headers)[1](count)


class CatalogError(ValueError):
    """A catalog file that does not parse (a packaging or editing mistake, shown with its line)."""


# -- reading a PO file ---------------------------------------------------------------------------

_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def _unquote(text: str, name: str, line: int) -> str:
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise CatalogError(f"{name}:{line}: expected a quoted string")
    body = text[1:-1]
    if "\\" not in body and '"' not in body:
        return body  # most strings: nothing to undo
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char == '"':
            raise CatalogError(f"{name}:{line}: unescaped quote inside a string")
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars, None)
        if escaped is None or escaped not in _ESCAPES:
            raise CatalogError(f"{name}:{line}: unknown escape \\{escaped or ''}")
        out.append(_ESCAPES[escaped])
    return "".join(out)


def _entries(text: str, name: str) -> Iterator[tuple[int, set[str], dict[str, str]]]:
    """Each entry's first line, flags and fields (``msgstr[1]`` is a field of its own)."""
    flags: set[str] = set()
    fields: dict[str, str] = {}
    current: str | None = None
    start = 0
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if fields:  # a blank line or a comment ends the entry before it
                yield start, flags, fields
                flags, fields, current = set(), {}, None
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            if current is None:
                raise CatalogError(f"{name}:{number}: a string continues no keyword")
            fields[current] += _unquote(line, name, number)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword not in {"msgctxt", "msgid", "msgid_plural", "msgstr"} and not (
            keyword.startswith("msgstr[") and keyword.endswith("]") and keyword[7:-1].isdigit()
        ):
            raise CatalogError(f"{name}:{number}: unknown keyword {keyword!r}")
        if (
            keyword in ("msgctxt", "msgid")
            and fields
            and any(k.startswith("msgstr") for k in fields)
        ):
            yield start, flags, fields  # a new entry without a blank line before it
            flags, fields = set(), {}
        if keyword in fields:
            raise CatalogError(f"{name}:{number}: {keyword} given twice in one entry")
        if not fields:
            start = number
        fields[keyword] = _unquote(rest, name, number)
        current = keyword
    if fields:
        yield start, flags, fields


def parse_po(text: str, name: str = "<catalog>") -> Catalog:
    """The entries of a PO or POT file, by key (``msgctxt``); raises :class:`CatalogError`."""
    headers: dict[str, str] = {}
    messages: dict[str, Message] = {}
    for line, flags, fields in _entries(text, name):
        if "msgid" not in fields:
            raise CatalogError(f"{name}:{line}: an entry without msgid")
        if "msgctxt" not in fields:
            if fields["msgid"]:
                raise CatalogError(f"{name}:{line}: every message needs its key as msgctxt")
            for header in fields.get("msgstr", "").splitlines():
                key, _, value = header.partition(":")
                headers[key.strip()] = value.strip()
            continue
        key = fields["msgctxt"]
        if key in messages:
            raise CatalogError(f"{name}:{line}: key {key!r} given twice")
        plural = fields.get("msgid_plural")
        if plural is None:
            if "msgstr" not in fields or any(k.startswith("msgstr[") for k in fields):
                raise CatalogError(f"{name}:{line}: {key!r} needs one msgstr")
            forms: tuple[str, ...] = (fields["msgstr"],)
        else:
            indexed = sorted(int(k[7:-1]) for k in fields if k.startswith("msgstr["))
            if "msgstr" in fields or indexed != list(range(len(indexed))) or not indexed:
                raise CatalogError(f"{name}:{line}: {key!r} needs msgstr[0], msgstr[1], ...")
            forms = tuple(fields[f"msgstr[{i}]"] for i in indexed)
        messages[key] = Message(
            key, fields["msgid"], plural, forms if any(forms) else (), frozenset(flags), line
        )
    return Catalog(headers, messages)


def _parse_plural_forms(value: str) -> tuple[int, Callable[[int], int]]:
    parts = dict(p.strip().partition("=")[::2] for p in value.split(";") if p.strip())
    try:
        count = int(parts["nplurals"])
        # gettext's own translation of the C expression, checked token by token
        rule = gettext.c2py(parts["plural"])
    except (KeyError, ValueError) as error:
        raise CatalogError(f"bad Plural-Forms header {value!r}") from error
    return count, rule


def _plural_forms(headers: dict[str, str]) -> tuple[int, Callable[[int], int]]:
    return _cached_plural_forms(headers.get("Plural-Forms", "nplurals=2; plural=(n != 1);"))


@cache
def _cached_plural_forms(value: str) -> tuple[int, Callable[[int], int]]:
    return _parse_plural_forms(value)


# -- the program's catalogs ----------------------------------------------------------------------


_LOCALE = Path(__file__).parent / "locale"
"""The folder of the program's catalogs, inside the package."""


def catalog_file(language: str) -> str:
    """The name, in ``screening/locale/``, of ``language``'s catalog."""
    return TEMPLATE if language == SOURCE_LANGUAGE else f"{language}.po"


@cache
def has_catalog(language: str) -> bool:
    """Whether the package has a catalog for ``language`` (English always has its template)."""
    return (_LOCALE / catalog_file(language)).is_file()


@cache
def catalog(language: str = SOURCE_LANGUAGE) -> Catalog:
    """The program's catalog of ``language`` (read once, on first use)."""
    name = catalog_file(language)
    text = (_LOCALE / name).read_text(encoding="utf-8")
    return parse_po(text, f"screening/locale/{name}")


def _translated_language(language: str) -> bool:
    return language in LANGUAGES or (language in WORKER_LANGUAGES and has_catalog(language))


class _Entries:
    """A catalog read one entry at a time, as messages are asked for.

    A command shows a handful of messages; reading the whole English catalog for them took
    longer than the rest of a ``screening score`` call. An entry is found by its key, written
    on one line as the catalogs write it (``msgctxt "KEY"``), and parsed by :func:`parse_po`
    from the blank line before it to the blank line after it, as the whole file would be. A key
    written any other way, or not found, is looked up in the whole catalog (``whole``). The
    tests compare every entry with the whole catalog's.
    """

    def __init__(self, text: str, name: str, whole: Callable[[], Catalog]) -> None:
        self.text = text
        self.name = name
        self.whole = whole
        self.parsed: dict[str, Message | None] = {}

    @functools.cached_property
    def headers(self) -> dict[str, str]:
        """The catalog's headers (its first entry, without a key)."""
        end = self.text.find("\n\n")
        return parse_po(self.text if end < 0 else self.text[:end], self.name).headers

    def plural_index(self, count: int) -> int:
        """Which form of a plural message ``count`` takes (the ``Plural-Forms`` header)."""
        return _plural_forms(self.headers)[1](count)

    def message(self, key: str) -> Message | None:
        if key not in self.parsed:
            self.parsed[key] = self._find(key)
        return self.parsed[key]

    def _find(self, key: str) -> Message | None:
        text = self.text
        at = text.find(f'\nmsgctxt "{key}"\n')
        found = None
        if at >= 0:
            start = text.rfind("\n\n", 0, at) + 2 if text.rfind("\n\n", 0, at) >= 0 else 0
            end = text.find("\n\n", at)
            part = text[start : len(text) if end < 0 else end]
            found = parse_po(part, self.name).messages.get(key)
        return found if found is not None else self.whole().messages.get(key)


@cache
def _entries_of(language: str) -> _Entries:
    """The entries of ``language``'s catalog, read on demand."""
    name = catalog_file(language)
    text = (_LOCALE / name).read_text(encoding="utf-8").removeprefix("\ufeff")
    return _Entries(text, f"screening/locale/{name}", lambda: catalog(language))


def _message(language: str, key: str) -> Message | None:
    """The entry ``key`` of ``language``'s catalog (a key with an escape: read whole)."""
    if "\\" in key or '"' in key:
        return catalog(language).messages.get(key)
    return _entries_of(language).message(key)


def _template(key: str, language: str, count: int | None) -> str:
    source = _message(SOURCE_LANGUAGE, key)
    if source is None:
        raise KeyError(key)
    if source.plural != (count is not None):
        raise ValueError(
            f"message {key!r} is {'' if source.plural else 'not '}a plural: use {'tn' if source.plural else 't'}"
        )
    if language != SOURCE_LANGUAGE and _translated_language(language):
        translated = _message(language, key)
        if translated is not None and translated.translated and translated.msgid == source.msgid:
            if count is None:
                return translated.msgstr[0]
            index = _entries_of(language).plural_index(count)
            if 0 <= index < len(translated.msgstr):
                return translated.msgstr[index]
    if count is None:
        return source.msgid
    return (
        source.msgid
        if _entries_of(SOURCE_LANGUAGE).plural_index(count) == 0
        else (source.msgid_plural or source.msgid)
    )


def t(key: str, language: str, /, **values: object) -> str:
    """The message ``key`` in ``language`` (English when missing), formatted with ``values``.

    A plural message takes the form its ``count`` value calls for (see :func:`tn`).
    """
    source = _message(SOURCE_LANGUAGE, key)
    if source is not None and source.plural:
        count = values.pop("count", None)
        if not isinstance(count, int):
            raise TypeError(f"message {key!r} is a plural: it needs an integer count")
        return tn(key, count, language, **values)
    template = _template(key, language, None)
    return template.format(**values) if values else template


def tn(key: str, count: int, language: str, /, **values: object) -> str:
    """The plural message ``key`` in the form ``count`` takes in ``language``.

    ``{count}`` in the text is ``count``.
    """
    values["count"] = count
    return _template(key, language, count).format(**values)


def placeholders(text: str) -> set[str]:
    """The names of the ``{name}`` fields of a message text."""
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def ui_language(code: str | None) -> str:
    """The program language to use for ``code``: itself when translated, else English."""
    if code and code in LANGUAGES:
        return code
    if code and code.split("-")[0] in LANGUAGES:
        return code.split("-")[0]
    return "en"


def translation_status(language: str) -> str:
    """``draft`` or ``reviewed``: the review status a catalog declares.

    Read from the catalog's ``X-Translation-Status`` header; a catalog without the header (and
    English, the source) counts as ``reviewed``. A language without a catalog is ``draft``
    only if it says so, so it counts as ``reviewed`` too: its messages are shown in English.
    """
    if language == SOURCE_LANGUAGE or not has_catalog(language):
        return "reviewed"
    status = catalog(language).headers.get("X-Translation-Status", "reviewed").strip().lower()
    return "draft" if status == "draft" else "reviewed"


def worker_language(code: str | None) -> str | None:
    """The language in which the person interviewed reads the worker-facing messages.

    Args:
        code: The interview language (``hi``, ``ur-PK``, ``ar``...), or None.

    Returns:
        ``code`` (or its base language) when the program has its worker-facing messages in that
        language (a language of :data:`LANGUAGES`, or of :data:`WORKER_LANGUAGES` with a
        catalog); None when it has not, and they are shown in the officer's language only.
    """
    if not code:
        return None
    for candidate in (code, code.split("-")[0]):
        if candidate in LANGUAGES or (
            candidate in WORKER_LANGUAGES and has_catalog(candidate) and _complete(candidate)
        ):
            return candidate
    return None


@cache
def _complete(language: str) -> bool:
    messages = catalog(language).messages
    return all(key in messages and messages[key].translated for key in WORKER_KEYS)


def reader_language(key: str, worker: str | None, officer: str | None) -> str:
    """The language message ``key`` is shown in: the worker's for the worker-facing messages.

    Args:
        key: A message key.
        worker: The interview language (the person's), or None.
        officer: The officer's language (``--ui-lang``), or None for English.

    Returns:
        For a key of :data:`WORKER_KEYS`, the worker's language when the program has its
        worker-facing messages (:func:`worker_language`); for every other key, and when it
        has not, the officer's program language (:func:`ui_language`).
    """
    if key in WORKER_KEYS:
        language = worker_language(worker)
        if language is not None:
            return language
    return ui_language(officer)


def reader_texts(
    key: str, worker: str | None, officer: str | None, /, **values: object
) -> list[tuple[str, str]]:
    """The texts a screen shows for message ``key``, each with its language.

    A worker-facing message (:data:`WORKER_KEYS`) is given in the worker's language first, with
    the officer's text after it when that is different ("हाँ" then "Yes"); every other message
    only in the officer's language.

    Args:
        key: A message key.
        worker: The interview language, or None.
        officer: The officer's language, or None for English.
        values: The message's ``{name}`` fields.

    Returns:
        One or two ``(text, language)`` pairs, the worker's first.
    """
    officer_language = ui_language(officer)
    officer_text = t(key, officer_language, **values)
    language = reader_language(key, worker, officer)
    if language == officer_language:
        return [(officer_text, officer_language)]
    worker_text = t(key, language, **values)
    if worker_text == officer_text:
        return [(officer_text, officer_language)]
    return [(worker_text, language), (officer_text, officer_language)]
