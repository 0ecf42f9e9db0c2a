"""A questionnaire as an XLSForm, for ODK Collect and KoboToolbox (core: no I/O).

:func:`build_xlsform` lays the questionnaire out as the three sheets of an XLSForm (survey,
choices, settings), as rows of cells; :mod:`screening.xlsform_file` writes them as ``.xlsx``.
Only the survey travels: indicators, dimensions, flags and outcomes stay here, and submissions
come back to be scored (:mod:`screening.odk`).

The layout, which :mod:`screening.odk` reads back:

- each section is a group named by its id; a run of officer-only questions inside a section is
  a nested group ``<section>_officer`` (``_2``, ... for the next runs) labelled "For the officer";
- a question is a field named by its id; "don't know" and "declined" are choices of choice
  questions, and a companion select_one ``<id>_special`` for number, date and text questions,
  shown while the question is empty;
- the hidden field ``screening_questionnaire`` holds ``ID@VERSION``, and an officer-only group
  ``screening_checklist`` holds the checklist (indicators observed directly);
- texts: one ``label::Name (code)`` column per language; a language with gendered forms gets
  its neutral form (else the masculine) under its own code, and two more languages,
  ``code-female`` and ``code-male``, that the officer picks on the tablet for a woman or a man.

Conditions are translated to XPath under the engine's three-valued logic (a question is asked
when its condition is *true*, never when it is unknown). Conditions on what scoring derives
(indicators, dimensions, flags, counts) cannot be computed on a tablet: such a part is taken as
possibly true, so the question is asked more often than here, never less, and every such case is
listed in :attr:`XLSForm.unexpressed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from screening.i18n import t
from screening.model import (
    AllCondition,
    AnswerCondition,
    AnswerState,
    AnyCondition,
    Condition,
    DateQuestion,
    GenderedText,
    MultipleChoiceQuestion,
    NotCondition,
    NoteQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
    Text,
    TextQuestion,
    YesNoQuestion,
)

VERSION_FIELD = "screening_questionnaire"
"""The hidden field that names the questionnaire and its version in every submission."""

CHECKLIST_GROUP = "screening_checklist"
CHECKLIST_FIELD = "screening_indicators"
SPECIAL_SUFFIX = "_special"

LANGUAGE_NAMES = {
    "en": "English", "ar": "Arabic", "ur": "Urdu", "hi": "Hindi", "ml": "Malayalam",
    "bn": "Bengali", "ne": "Nepali", "tl": "Filipino", "fil": "Filipino", "si": "Sinhala",
    "ta": "Tamil", "te": "Telugu", "am": "Amharic", "sw": "Swahili", "id": "Indonesian",
    "fr": "French", "fa": "Persian", "ps": "Pashto", "pa": "Punjabi", "or": "Odia",
}  # fmt: skip
"""English names of languages, for XLSForm's ``label::Name (code)`` columns."""


@dataclass(frozen=True)
class Column:
    """A translated column of the form: its XLSForm header and how to read a text for it."""

    header: str
    language: str
    gender: str | None


@dataclass
class XLSForm:
    """An XLSForm as sheets of rows (the first row of each sheet is its header)."""

    survey: list[list[Any]]
    choices: list[list[Any]]
    settings: list[list[Any]]
    unexpressed: list[str] = field(default_factory=list)
    """Conditions that XLSForm cannot express, one sentence each (question ids, never data)."""
    fields: dict[str, str] = field(default_factory=dict)
    """Every field's group path (``section/question``), by question id."""
    notes: set[str] = field(default_factory=set)
    """The note fields (section introductions, note questions): they carry no answer."""
    companions: dict[str, str] = field(default_factory=dict)
    """The companion fields (\"don't know\", \"declined\"), mapped to their question's id."""
    loose: set[str] = field(default_factory=set)
    """Questions asked on the tablet more often than here (their condition, or their section's,
    uses what scoring derives): an answer to one that does not apply here is left out."""


def _language_columns(q: Questionnaire) -> list[Column]:
    columns: list[Column] = []
    for language in q.languages:
        name = LANGUAGE_NAMES.get(language.code.split("-")[0], language.name)
        columns.append(Column(f"{name} ({language.code})", language.code, None))
        if language.gendered:
            columns.append(
                Column(f"{name}, female ({language.code}-female)", language.code, "female")
            )
            columns.append(Column(f"{name}, male ({language.code}-male)", language.code, "male"))
    return columns


def _text(text: Text | None, column: Column, fallback: str) -> str:
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    found = text.get(column.language, text.get(fallback))
    if found is None:
        found = next(iter(text.values()))
    if isinstance(found, GenderedText):
        return found.form(column.gender)
    return found


def _literal(value: Any) -> str | None:
    """An XPath literal for a value, or None when it cannot be written as one."""
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        return str(int(value))
    text = str(value)
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None


class _Conditions:
    """Conditions as XPath: for each, when it is surely true and when surely false."""

    def __init__(self, q: Questionnaire, where: list[str], companions: dict[str, str]) -> None:
        self.q = q
        self.companion_of = {qid: name for name, qid in companions.items()}
        self.where = where  # where the condition is, for the report
        self.lost: list[str] = []

    def _loose(self, what: str) -> tuple[str, str]:
        self.lost.append(what)
        return "true()", "true()"

    def pair(self, cond: Condition) -> tuple[str, str]:
        if isinstance(cond, AnswerCondition):
            return self._answer(cond)
        if isinstance(cond, AllCondition):
            parts = [self.pair(sub) for sub in cond.all]
            return _join("and", [p[0] for p in parts]), _join("or", [p[1] for p in parts])
        if isinstance(cond, AnyCondition):
            parts = [self.pair(sub) for sub in cond.any]
            return _join("or", [p[0] for p in parts]), _join("and", [p[1] for p in parts])
        if isinstance(cond, NotCondition):
            true, false = self.pair(cond.not_)
            return false, true
        kind = type(cond).__name__.removesuffix("Condition").lower()
        names = {
            "count": "counts of indicators",
            "indicator": "indicators",
            "dimension": "dimensions",
            "flag": "flags",
        }
        return self._loose(names.get(kind, kind))

    def _answer(self, cond: AnswerCondition) -> tuple[str, str]:
        question = self.q.question(cond.answer)
        ref = f"${{{cond.answer}}}"
        companion = isinstance(question, NumberQuestion | DateQuestion | TextQuestion)
        companion_name = self.companion_of.get(cond.answer)
        special = f"${{{companion_name}}}" if companion_name else "''"
        if cond.is_ is not None:
            if cond.is_ is AnswerState.UNANSWERED:
                expr = f"{ref} = ''" + (f" and {special} = ''" if companion else "")
            elif cond.is_ is AnswerState.ANSWERED:
                expr = (
                    f"{ref} != ''"
                    if companion
                    else f"{ref} != '' and {ref} != 'dont_know' and {ref} != 'declined'"
                    if not isinstance(question, MultipleChoiceQuestion)
                    else f"{ref} != '' and not(selected({ref}, 'dont_know')) and not(selected({ref}, 'declined'))"
                )
            else:
                value = cond.is_.value
                expr = (
                    f"{special} = '{value}'"
                    if companion
                    else f"selected({ref}, '{value}')"
                    if isinstance(question, MultipleChoiceQuestion)
                    else f"{ref} = '{value}'"
                )
            return f"({expr})", f"not({expr})"
        if isinstance(question, MultipleChoiceQuestion):
            known = f"{ref} != '' and not(selected({ref}, 'dont_know')) and not(selected({ref}, 'declined'))"
        elif companion:
            known = f"{ref} != ''"
        else:
            known = f"{ref} != '' and {ref} != 'dont_know' and {ref} != 'declined'"
        tests: list[str] = []
        for name, operand in cond.tests():
            test = self._test(name, operand, ref, question)
            if test is None:
                return self._loose(f"the test '{name}' on the answer to '{cond.answer}'")
            tests.append(test)
        body = _join("and", tests)
        return f"({known} and {body})", f"({known} and not({body}))"

    def _test(self, name: str, operand: Any, ref: str, question: Question | None) -> str | None:
        multiple = isinstance(question, MultipleChoiceQuestion)
        if name == "equals":
            literal = _literal(operand)
            return None if literal is None or multiple else f"{ref} = {literal}"
        if name == "one_of":
            parts = [self._test("equals", item, ref, question) for item in operand]
            return None if any(p is None for p in parts) else _join("or", [p for p in parts if p])
        if name == "contains":
            literal = _literal(operand)
            # a text's "contains" ignores case here; XPath's does not
            return f"selected({ref}, {literal})" if multiple and literal is not None else None
        if isinstance(question, NumberQuestion):
            symbol = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}[name]
            return f"{ref} {symbol} {_literal(operand)}"
        return None


def _join(operator: str, parts: list[str]) -> str:
    if operator == "or" and "true()" in parts:
        return "true()"
    if operator == "and":
        parts = [p for p in parts if p != "true()"] or ["true()"]
    if len(parts) == 1:
        return parts[0]
    return "(" + f" {operator} ".join(parts) + ")"


def build_xlsform(q: Questionnaire) -> XLSForm:
    """Lay a questionnaire out as an XLSForm.

    Args:
        q: A checked questionnaire.

    Returns:
        The sheets, what could not be expressed, and the group path of every field.
    """
    columns = _language_columns(q)
    first = q.languages[0].code
    labels = [f"label::{c.header}" for c in columns]
    hints = [f"hint::{c.header}" for c in columns]
    messages = [f"constraint_message::{c.header}" for c in columns]
    survey: list[list[Any]] = [
        ["type", "name", *labels, *hints, "relevant", "required", "constraint", *messages,
         "appearance", "calculation", "instance::screening:pii"]
    ]  # fmt: skip
    choices: list[list[Any]] = [["list_name", "name", *labels]]
    form = XLSForm(survey, choices, [])
    width = len(survey[0])
    taken = {VERSION_FIELD, CHECKLIST_GROUP, CHECKLIST_FIELD}
    taken |= {s.id for s in q.sections} | {qu.id for s in q.sections for qu in s.questions}

    def fresh(base: str) -> str:
        """A field or group name of our own that no section or question of the file has."""
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        return name

    def row(kind: str, name: str, **cells: Any) -> None:
        line: list[Any] = [""] * width
        line[0], line[1] = kind, name
        for key, value in cells.items():
            if value is None:
                continue
            if key in ("label", "hint", "message"):
                offset = {"label": 2, "hint": 2 + len(columns), "message": 5 + 2 * len(columns)}[
                    key
                ]
                for i, column in enumerate(columns):
                    line[offset + i] = _text(value, column, first)
            else:
                line[survey[0].index(key if key != "pii" else "instance::screening:pii")] = value
        survey.append(line)

    def choice(list_name: str, value: str, label: Text) -> None:
        choices.append([list_name, value, *[_text(label, c, first) for c in columns]])

    def program_text(key: str) -> Text:
        return {c.language: t(key, c.language) for c in columns}

    lists_made: set[str] = set()

    def special_list(allow: list[str]) -> str:
        name = "special_" + "_".join(allow)
        if name not in lists_made:
            lists_made.add(name)
            for value in allow:
                choice(name, value, program_text(f"answer.{value}"))
        return name

    loose_now: list[bool] = [False]  # whether the current section's condition is loose

    def relevant(cond: Condition | None, where: str) -> str:
        if cond is None:
            return ""
        conditions = _Conditions(q, [where], form.companions)
        true, _ = conditions.pair(cond)
        if conditions.lost:
            loose_now.append(True)
            kinds = ", ".join(dict.fromkeys(conditions.lost))
            form.unexpressed.append(
                f"{where}: its condition uses {kinds}, which scoring derives and a tablet cannot "
                "compute; on the tablet it is asked whenever the rest of its condition allows"
            )
        return "" if true == "true()" else true

    row("calculate", VERSION_FIELD, calculation=f"'{q.id}@{q.version}'")
    form.fields[VERSION_FIELD] = VERSION_FIELD
    for section in q.sections:
        del loose_now[1:]
        row(
            "begin_group",
            section.id,
            label=section.title,
            relevant=relevant(section.when, f"section '{section.id}'"),
        )
        section_loose = len(loose_now) > 1
        if section.intro is not None:
            intro = fresh(f"{section.id}_intro")
            row("note", intro, label=section.intro)
            form.fields[intro] = f"{section.id}/{intro}"
            form.notes.add(intro)
        open_group = ""
        for question in section.questions:
            officer = bool(getattr(question, "officer_only", False)) and not section.officer_only
            if officer and not open_group:
                open_group = fresh(f"{section.id}_officer")
                row("begin_group", open_group, label=program_text("xlsform.officer_group"))
            elif not officer and open_group:
                row("end_group", "")
                open_group = ""
            path = f"{section.id}/{open_group}" if open_group else section.id
            del loose_now[1:]
            _question(
                q,
                question,
                path,
                row,
                choice,
                special_list,
                relevant,
                program_text,
                form,
                lists_made,
                fresh,
            )
            if section_loose or len(loose_now) > 1:
                form.loose.add(question.id)
        if open_group:
            row("end_group", "")
        row("end_group", "")
    if q.indicators:
        row("begin_group", CHECKLIST_GROUP, label=program_text("xlsform.checklist"))
        row("select_multiple indicators", CHECKLIST_FIELD, label=program_text("xlsform.checklist"))
        for indicator in q.indicators:
            choice("indicators", indicator.id, indicator.title)
        row("end_group", "")
        form.fields[CHECKLIST_FIELD] = f"{CHECKLIST_GROUP}/{CHECKLIST_FIELD}"
    title_column = columns[0]
    form.settings = [
        ["form_title", "form_id", "version", "default_language", "namespaces"],
        [
            _text(q.title, title_column, first),
            q.id,
            q.version,
            title_column.header,
            'screening="https://screening.example.org/xforms"',
        ],
    ]
    return form


def _question(
    q: Questionnaire,
    question: Question,
    path: str,
    row: Any,
    choice: Any,
    special_list: Any,
    relevant: Any,
    program_text: Any,
    form: XLSForm,
    lists_made: set[str],
    fresh: Any,
) -> None:
    when = relevant(question.when, f"question '{question.id}'")
    form.fields[question.id] = f"{path}/{question.id}"
    if isinstance(question, NoteQuestion):
        row("note", question.id, label=question.text, hint=question.guidance, relevant=when)
        form.notes.add(question.id)
        return
    pii = "true" if question.pii else ""
    hint: Any = question.guidance
    allow = list(question.allow)
    required = "yes" if question.required else ""
    validation = getattr(question, "validation", None)
    message = getattr(validation, "message", None) if validation is not None else None
    if isinstance(question, YesNoQuestion | SingleChoiceQuestion | MultipleChoiceQuestion):
        name = question.id
        if isinstance(question, YesNoQuestion):
            name = "yes_no" + ("_" + "_".join(allow) if allow else "")
            if name not in lists_made:
                lists_made.add(name)
                choice(name, "yes", program_text("answer.yes"))
                choice(name, "no", program_text("answer.no"))
                for value in allow:
                    choice(name, value, program_text(f"answer.{value}"))
        else:
            for option in question.choices:
                choice(name, option.value, option.label)
            for value in allow:
                choice(name, value, program_text(f"answer.{value}"))
        kind = "select_multiple" if isinstance(question, MultipleChoiceQuestion) else "select_one"
        constraint = ""
        if isinstance(question, MultipleChoiceQuestion):
            parts = [f"not(selected(., '{v}') and count-selected(.) > 1)" for v in allow]
            selection = question.validation
            if selection is not None and selection.min_selected is not None:
                parts.append(f"count-selected(.) >= {selection.min_selected}")
            if selection is not None and selection.max_selected is not None:
                parts.append(f"count-selected(.) <= {selection.max_selected}")
            constraint = " and ".join(parts)
            if allow and message is None:
                message = program_text("xlsform.exclusive")
        row(f"{kind} {name}", question.id, label=question.text, hint=hint, relevant=when,
            required=required, constraint=constraint, message=message if constraint else None, pii=pii)  # fmt: skip
        return
    companion = fresh(question.id + SPECIAL_SUFFIX) if allow else ""
    special = f"${{{companion}}}"
    own_required = (f"{special} = ''" if allow else "yes") if question.required else ""
    constraint = ""
    appearance = ""
    if isinstance(question, NumberQuestion):
        number = question.validation
        kind = "integer" if number is not None and number.integer else "decimal"
        parts = []
        if number is not None and number.min is not None:
            parts.append(f". >= {_literal(number.min)}")
        if number is not None and number.max is not None:
            parts.append(f". <= {_literal(number.max)}")
        constraint = " and ".join(parts)
    elif isinstance(question, DateQuestion):
        kind = "date"
        dates = question.validation
        parts = []
        if dates is not None and dates.min is not None:
            parts.append(f". >= date('{dates.min}')")
        if dates is not None and dates.max is not None:
            parts.append(f". <= date('{dates.max}')")
        if dates is not None and dates.not_future:
            parts.append(". <= today()")
        constraint = " and ".join(parts)
    else:
        assert isinstance(question, TextQuestion)
        kind = "text"
        appearance = "multiline" if question.multiline else ""
        text = question.validation
        parts = []
        if text is not None and text.pattern is not None:
            literal = _literal(text.pattern)
            if literal is None:
                form.unexpressed.append(
                    f"question '{question.id}': its pattern holds both kinds of quote and cannot be written in XPath; not checked on the tablet"
                )
            else:
                parts.append(f"regex(., {literal})")
        if text is not None and text.max_length is not None:
            parts.append(f"string-length(.) <= {text.max_length}")
        constraint = " and ".join(parts)
    row(kind, question.id, label=question.text, hint=hint, relevant=when, required=own_required,
        constraint=constraint, message=message if constraint else None, appearance=appearance, pii=pii)  # fmt: skip
    if allow:
        row(
            f"select_one {special_list(allow)}",
            companion,
            label=program_text("xlsform.special"),
            relevant=f"{when + ' and ' if when else ''}${{{question.id}}} = ''",
        )
        form.fields[companion] = f"{path}/{companion}"
        form.companions[companion] = question.id
