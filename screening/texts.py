"""Every shown text of a questionnaire under a stable context key (core: no I/O).

Translations are kept apart from the ids and the file's layout by one key per text:
``question:ID`` (a question's or a note's text), ``question:ID/choice:VALUE`` (a choice's
label), ``flag:ID/tell`` (what the person is told when a flag comes up), and for the officer's
texts ``question:ID/guidance``, ``question:ID/message``, ``section:ID/title``,
``section:ID/intro``, ``dimension:ID/title``, ``dimension:ID/description``,
``indicator_set:ID/title``, ``indicator:ID/title``, ``indicator:ID/explanation``,
``indicator:ID/example``, ``flag:ID/title``, ``flag:ID/action``, ``outcome:CODE/title``,
``outcome:CODE/action``, ``outcome:CODE/referral_target``, ``questionnaire/title``,
``questionnaire/description`` and ``questionnaire/threshold``. PO files use the key as
``msgctxt``; ``translated_from`` records, per key, the English each translation was made from.

A text is *put to the person* (worker-facing) when the person hears or reads it: the text and
the choices of a question asked of the person (not officer-only, not in an officer-only
section), a note marked ``read_aloud``, and a flag's ``tell``. A language declared with
``audience: worker`` needs those only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from screening.model import (
    GenderedText,
    Language,
    NoteQuestion,
    Questionnaire,
    Text,
)

Loc = tuple[Any, ...]

FUZZY = "fuzzy"
"""The recorded source of a translation not yet checked against the current English."""


@dataclass(frozen=True)
class Entry:
    """One shown text: its key, its place in the file, and what a translator needs to know."""

    key: str
    loc: Loc
    """The path of the text's value in the file (as the checker's findings)."""
    text: Text
    worker: bool
    """Put to the person: needed in a language with ``audience: worker``."""
    addressed: bool
    """Addressed to the person as a sentence of its own (a question, a read-aloud note, a
    flag's ``tell``): a gendered language needs its forms by gender."""
    notes: tuple[str, ...] = ()
    """Comments for translators (the kind of text, where it is, the officer's guidance)."""


def source_text(text: Text, language: str = "en") -> str | None:
    """A text's form in ``language``, spaces collapsed (the neutral, else the masculine form
    of a text by gender); None when the text lacks it."""
    if isinstance(text, str):
        value: Any = text
    else:
        value = text.get(language)
        if isinstance(value, GenderedText):
            value = value.neutral if value.neutral is not None else value.male
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())


def digest(english: str) -> str:
    """The recorded source of a translation: the first 12 hex digits of the SHA-256 of the
    English with its spaces collapsed (refolding the YAML does not make a translation stale)."""
    return hashlib.sha256(" ".join(english.split()).encode("utf-8")).hexdigest()[:12]


def entries(q: Questionnaire) -> Iterator[Entry]:
    """Every shown text of the questionnaire, in file order, each under its key."""
    yield from _field(q.title, "questionnaire/title", ("title",))
    yield from _field(q.description, "questionnaire/description", ("description",))
    yield from _field(q.threshold, "questionnaire/threshold", ("threshold",))
    for si, section in enumerate(q.sections):
        s_loc: Loc = ("sections", si)
        yield from _field(section.title, f"section:{section.id}/title", (*s_loc, "title"))
        yield from _field(section.intro, f"section:{section.id}/intro", (*s_loc, "intro"))
        for qi, question in enumerate(section.questions):
            loc: Loc = (*s_loc, "questions", qi)
            key = f"question:{question.id}"
            guidance = source_text(question.guidance) if question.guidance is not None else None
            if isinstance(question, NoteQuestion):
                worker = question.read_aloud
                notes: tuple[str, ...] = (
                    (f"Read aloud to the person, in section {section.id}.",)
                    if worker
                    else (f"A note for the officer, in section {section.id}.",)
                )
            else:
                worker = not (question.officer_only or section.officer_only)
                who = "Question" if worker else "Officer's question (not read to the person)"
                notes = (f"{who} ({question.type}) in section {section.id}.",)
            if guidance:
                notes += (f"Officer's guidance: {guidance}",)
            yield Entry(key, (*loc, "text"), question.text, worker, worker, notes)
            for ci, choice in enumerate(getattr(question, "choices", ())):
                yield Entry(
                    f"{key}/choice:{choice.value}",
                    (*loc, "choices", ci, "label"),
                    choice.label,
                    worker,
                    False,
                    (f"A choice of question {question.id}.",),
                )
            yield from _field(question.guidance, f"{key}/guidance", (*loc, "guidance"))
            validation = getattr(question, "validation", None)
            if validation is not None:
                yield from _field(
                    validation.message, f"{key}/message", (*loc, "validation", "message")
                )
    for di, dimension in enumerate(q.dimensions):
        loc = ("dimensions", di)
        yield from _field(dimension.title, f"dimension:{dimension.id}/title", (*loc, "title"))
        yield from _field(
            dimension.description, f"dimension:{dimension.id}/description", (*loc, "description")
        )
    for xi, indicator_set in enumerate(q.indicator_sets):
        yield from _field(
            indicator_set.title,
            f"indicator_set:{indicator_set.id}/title",
            ("indicator_sets", xi, "title"),
        )
    for ii, indicator in enumerate(q.indicators):
        loc = ("indicators", ii)
        base = f"indicator:{indicator.id}"
        yield from _field(indicator.title, f"{base}/title", (*loc, "title"))
        yield from _field(indicator.explanation, f"{base}/explanation", (*loc, "explanation"))
        yield from _field(indicator.example, f"{base}/example", (*loc, "example"))
    for fi, flag in enumerate(q.flags):
        loc = ("flags", fi)
        base = f"flag:{flag.id}"
        yield from _field(flag.title, f"{base}/title", (*loc, "title"))
        yield from _field(flag.action, f"{base}/action", (*loc, "action"))
        if flag.tell is not None:
            title = source_text(flag.title) or flag.id
            yield Entry(
                f"{base}/tell",
                (*loc, "tell"),
                flag.tell,
                True,
                True,
                (
                    f"Told to the person when the urgent flag '{title}' comes up: where to get help.",
                ),
            )
    for oi, outcome in enumerate(q.outcomes):
        loc = ("outcomes", oi)
        base = f"outcome:{outcome.code}"
        yield from _field(outcome.title, f"{base}/title", (*loc, "title"))
        yield from _field(outcome.action, f"{base}/action", (*loc, "action"))
        yield from _field(
            outcome.referral_target, f"{base}/referral_target", (*loc, "referral_target")
        )


def _field(text: Text | None, key: str, loc: Loc) -> Iterator[Entry]:
    """An officer's text, when given."""
    if text is not None:
        yield Entry(key, loc, text, False, False)


def needs(language: Language, entry: Entry) -> bool:
    """Whether ``language`` must give the text (a worker language: texts put to the person)."""
    return entry.worker or language.audience == "all"


@dataclass(frozen=True)
class Stale:
    """A translation not shown: its English changed since, or it was never checked against it."""

    key: str
    language: str
    loc: Loc
    reason: str


def stale(q: Questionnaire) -> list[Stale]:
    """The translations of the tracked languages (those in ``translated_from``) that are not
    shown: the English changed since they were made, they are marked fuzzy, or their source
    was never recorded."""
    out: list[Stale] = []
    source = q.default_language
    tracked = {code: keys for code, keys in q.translated_from.items() if code != source}
    if not tracked:
        return out
    for entry in entries(q):
        if isinstance(entry.text, str):
            continue
        english = source_text(entry.text, source)
        for code, keys in tracked.items():
            if code not in entry.text:
                continue
            recorded = keys.get(entry.key)
            if recorded is None:
                reason = "its English source is not recorded in `translated_from`"
            elif recorded == FUZZY:
                reason = "it is marked fuzzy (not yet reviewed)"
            elif english is None or recorded != digest(english):
                reason = "the English has changed since it was translated"
            else:
                continue
            out.append(Stale(entry.key, code, (*entry.loc, code), reason))
    return out


def without(data: Any, places: list[Loc]) -> Any:
    """A copy of parsed YAML data without the values at ``places`` (each a path to a language
    entry of a text map); the rest is shared, not copied."""
    if not places:
        return data
    heads: dict[Any, list[Loc]] = {}
    here: set[Any] = set()
    for place in places:
        if len(place) == 1:
            here.add(place[0])
        else:
            heads.setdefault(place[0], []).append(place[1:])
    if isinstance(data, dict):
        return {k: without(v, heads.get(k, [])) for k, v in data.items() if k not in here}
    if isinstance(data, list):
        return [without(v, heads.get(i, [])) for i, v in enumerate(data)]
    return data  # pragma: no cover - a path always ends at a mapping's key
