"""Answer sets and their checking against a questionnaire (core: pure).

An answer set is what `screening score` reads and what an interview produces: answers by
question id, indicators ticked directly (checklist mode), and a few facts about the case.
Messages never repeat an answer's content: they name the record, the question and what is
expected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING, Any

from screening.errors import AnswersError
from screening.evaluate import is_special
from screening.i18n import tn
from screening.limits import MAX_NUMBER, MAX_NUMBER_TEXT
from screening.plan import Plan, plan_of
from screening.records import Record
from screening.scoring import applicable_questions

if TYPE_CHECKING:
    from screening.model import Questionnaire

RECORD_KEYS = ("questionnaire", "case_id", "language", "officer", "answers", "indicators", "notes")


class AnswerSet(Record):
    """One set of answers, as read from a file or given in an interview."""

    _fields = (
        "label", "answers", "indicators", "questionnaire", "case_id", "language", "officer",
        "notes",
    )  # fmt: skip
    __slots__ = _fields

    label: str
    """Where it came from, for messages: ``file.yaml`` or ``batch.jsonl:12``."""
    answers: dict[str, Any]
    indicators: list[str]
    questionnaire: str | None
    case_id: str | None
    language: str | None
    officer: str | None
    notes: dict[str, list[str]]

    def __init__(
        self,
        label: str,
        answers: dict[str, Any] | None = None,
        indicators: list[str] | None = None,
        questionnaire: str | None = None,
        case_id: str | None = None,
        language: str | None = None,
        officer: str | None = None,
        notes: dict[str, list[str]] | None = None,
    ) -> None:
        self.label = label
        self.answers = {} if answers is None else answers
        self.indicators = [] if indicators is None else indicators
        self.questionnaire = questionnaire
        self.case_id = case_id
        self.language = language
        self.officer = officer
        self.notes = {} if notes is None else notes


class InvalidRecord(AnswersError):
    """A record that cannot be scored; ``problems`` name the questions at fault.

    One of the error tree's answers errors (exit 1): a batch reports it and goes on with the
    next record; anywhere else it is shown like any other data error.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), problems=problems)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "null" if value is None else type(value).__name__


def answer_set_from_mapping(data: Any, label: str) -> AnswerSet:
    """Read the shape of one record (``{answers: {...}, indicators: [...], ...}``).

    Raises:
        InvalidRecord: the record is not a mapping, or a key has the wrong type.
    """
    if not isinstance(data, dict):
        raise InvalidRecord([f"expected a mapping with an 'answers' key, found {_kind(data)}"])
    problems: list[str] = []
    unknown = [str(k) for k in data if k not in RECORD_KEYS]
    if unknown:
        problems.append(
            tn(
                "errors.unknown_keys",
                len(unknown),
                "en",
                keys=", ".join(sorted(unknown)),
                allowed=", ".join(RECORD_KEYS),
            )
        )
    answers = data.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        problems.append(
            f"'answers' must be a mapping of question id to answer, found {_kind(answers)}"
        )
        answers = {}
    indicators = data.get("indicators", []) or []
    if not isinstance(indicators, list) or not all(isinstance(i, str) for i in indicators):
        problems.append("'indicators' must be a list of indicator ids")
        indicators = []
    if any(isinstance(k, str) and has_surrogates(k) for k in answers):
        problems.append("a question id in 'answers' is not valid text")
        answers = {}
    if not all(isinstance(i, str) and not has_surrogates(i) for i in indicators):
        problems.append("an indicator id in 'indicators' is not valid text")
        indicators = []
    notes = data.get("notes", {}) or {}
    if not isinstance(notes, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in notes.values()
    ):
        problems.append("'notes' must map question ids to lists of text")
        notes = {}
    elif any(isinstance(k, str) and has_surrogates(k) for k in notes):
        problems.append("a question id in 'notes' is not valid text")
        notes = {}
    else:
        for qid, texts in notes.items():
            problem = note_problem(qid, texts)
            if problem:
                problems.append(problem)
    strings: dict[str, str | None] = {}
    for key in ("questionnaire", "case_id", "language", "officer"):
        value = data.get(key)
        if value is not None and not isinstance(value, str | int):
            problems.append(f"'{key}' must be text, found {_kind(value)}")
            value = None
        elif isinstance(value, str) and has_surrogates(value):
            problems.append(f"'{key}' is not valid text (it holds a lone surrogate)")
            value = None
        strings[key] = str(value) if value is not None else None
    if problems:
        raise InvalidRecord(problems)
    return AnswerSet(
        label=label,
        answers={str(k): v for k, v in answers.items()},
        indicators=list(indicators),
        notes={str(k): list(v) for k, v in notes.items()},
        **strings,
    )


# Unicode's control characters (general category Cc) are U+0000-U+001F and U+007F-U+009F.
# Sets of characters, not patterns: checking a text against a set is as quick, and a pattern of
# these ranges costs milliseconds to compile at every start.
_CC = frozenset(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)))
_CONTROL = _CC - {"\t"}
_CONTROL_BUT_NEWLINE = _CONTROL - {"\n"}


def has_control_characters(text: str, *, newlines: bool = False) -> bool:
    """Whether text holds control characters (a tab is allowed; newlines when ``newlines``)."""
    return not (_CONTROL_BUT_NEWLINE if newlines else _CONTROL).isdisjoint(text)


# What an id may not hold: Unicode's control characters (U+0000-U+001F, U+007F-U+009F: escape,
# tab, line breaks), as answers and notes may not, and the characters that reorder or break
# text on a terminal (the bidirectional marks, embeddings, overrides and isolates, the line and
# paragraph separators), which would make an id shown in a list read as another; and lone
# surrogates.
_UNSAFE_ID = _CC | frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)


def id_problem(what: str, text: str) -> str:
    """Why ``text`` cannot be an officer id or a case id ('' when it can); never repeats it."""
    if not _UNSAFE_ID.isdisjoint(text) or has_surrogates(text):
        return (
            f"{what} contains control characters (such as escape, a tab, a line break or a "
            "right-to-left override); give plain text"
        )
    return ""


# A lone surrogate (U+D800-U+DFFF) is no character: JSON's "\ud800" escape and undecodable
# terminal input make one; it cannot be written as UTF-8, so it could be neither stored nor
# exported.


def has_surrogates(text: str) -> bool:
    """Whether text holds a lone surrogate code point (not valid Unicode text)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # only a surrogate code point cannot be encoded
        return True
    return False


def text_problem(what: str, text: str, *, newlines: bool) -> str:
    """Why text cannot be kept as an answer or a note ('' when it can); never repeats it."""
    if has_surrogates(text):
        return f"{what} is not valid text (it holds a lone surrogate, such as the JSON escape \\ud800); give plain text"
    if has_control_characters(text, newlines=newlines):
        return f"{what} contains control characters; give plain text"
    return ""


def note_problem(question_id: str, texts: list[str]) -> str:
    """Why the notes on a question cannot be kept ('' when they can); notes may span lines."""
    for text in texts:
        problem = text_problem(f"a note on '{question_id}'", text, newlines=True)
        if problem:
            return problem
    return ""


def normalize_value(question: Any, value: Any) -> tuple[Any, str]:
    """Check one answer against its question (of the model or of a plan, told apart by their
    ``type``); return the stored value or a problem.

    Yes/no answers may be given as booleans. Returns ``(value, "")`` when valid, else
    ``(None, problem)``; the problem never repeats the value.
    """
    qid = question.id
    kind = question.type
    if kind == "note":
        return None, f"'{qid}' is a note and takes no answer"
    if is_special(value):
        if value not in question.allow:
            return None, f"'{qid}' does not allow the answer {value!r}"
        return value, ""
    if value is None:
        return (
            None,
            f"'{qid}': null is not an answer; leave the question out, or answer dont_know or declined",
        )
    if kind == "yes_no":
        if isinstance(value, bool):
            return ("yes" if value else "no"), ""
        if value in ("yes", "no"):
            return value, ""
        return (
            None,
            f"'{qid}' is a yes/no question; expected yes, no, dont_know or declined, found {_kind(value)}",
        )
    if kind == "single_choice":
        names = question.choice_values
        if isinstance(value, str) and value in names:
            return value, ""
        return None, f"'{qid}': not one of its choices ({', '.join(names)})"
    if kind == "multiple_choice":
        values = question.choice_values
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return None, f"'{qid}' is a multiple choice question; expected a list of choice values"
        chosen = set(items)
        bad = chosen.difference(values)
        if bad:
            count = sum(1 for i in items if i in bad)
            return (
                None,
                tn("errors.not_choices", count, "en", question=qid, values=", ".join(values)),
            )
        if len(chosen) != len(items):
            return None, f"'{qid}': a choice is given twice"
        selection = question.validation
        if selection is not None:
            if selection.min_selected is not None and len(items) < selection.min_selected:
                return None, f"'{qid}': choose at least {selection.min_selected}"
            if selection.max_selected is not None and len(items) > selection.max_selected:
                return None, f"'{qid}': choose at most {selection.max_selected}"
        return [v for v in values if v in chosen], ""
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"'{qid}' is a number question; found {_kind(value)}"
        # before any conversion to float: an integer of 400 digits has no float
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"'{qid}' must be a finite number, not infinity or NaN"
        if abs(value) > MAX_NUMBER:
            return None, f"'{qid}' is out of range: numbers lie between {MAX_NUMBER_TEXT}"
        number_rule = question.validation
        if number_rule is not None:
            if number_rule.integer and float(value) != int(value):
                return None, f"'{qid}' expects a whole number"
            if number_rule.min is not None and value < number_rule.min:
                return None, f"'{qid}' must be at least {number_rule.min:g}"
            if number_rule.max is not None and value > number_rule.max:
                return None, f"'{qid}' must be at most {number_rule.max:g}"
        if (
            isinstance(value, float)
            and value.is_integer()
            and number_rule is not None
            and number_rule.integer
        ):
            value = int(value)
        return value, ""
    if kind == "date":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return None, f"'{qid}' is a date question; expected YYYY-MM-DD"
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None, f"'{qid}': not a real date"
        date_rule = question.validation
        if date_rule is not None:
            if date_rule.min and value < date_rule.min:
                return None, f"'{qid}' must not be before {date_rule.min}"
            if date_rule.max and value > date_rule.max:
                return None, f"'{qid}' must not be after {date_rule.max}"
            if date_rule.not_future and day > dt.date.today():
                return None, f"'{qid}' must not be in the future"
        return value, ""
    if kind == "text":
        if not isinstance(value, str):
            return None, f"'{qid}' is a text question; found {_kind(value)}"
        problem = text_problem(f"'{qid}'", value, newlines=question.multiline)
        if problem:
            return None, problem
        text_rule = question.validation
        if text_rule is not None:
            if text_rule.max_length is not None and len(value) > text_rule.max_length:
                return None, f"'{qid}' is longer than {text_rule.max_length} characters"
            if text_rule.pattern is not None:
                from screening.patterns import fullmatch  # RE2 and its bounds, when one is set

                if not fullmatch(text_rule.pattern, value):
                    return None, f"'{qid}' does not have the expected form"
        return value, ""
    return None, f"'{qid}': unsupported question type"  # pragma: no cover


def not_applicable_problem(question_id: str) -> str:
    """The message for an answer to a question whose condition is false."""
    return (
        f"'{question_id}' is answered but does not apply: its condition (`when`) is false for "
        "the other answers; remove it or correct the answer it depends on"
    )


def check_answer_set(
    questionnaire: Questionnaire | Plan, answer_set: AnswerSet, *, applicability: bool = True
) -> AnswerSet:
    """Check an answer set against its questionnaire and normalise its values.

    Raises:
        InvalidRecord: unknown question or indicator ids, values of the wrong type or not among
            the choices, or (with ``applicability``) answers to questions whose condition is
            false. Callers that score the answers anyway can skip that last check and read
            ``Assessment.not_applicable`` instead, which is the same test done once.
    """
    q = plan_of(questionnaire)
    problems: list[str] = []
    normalized: dict[str, Any] = {}
    plain = q.plain_answers()
    for qid, value in answer_set.answers.items():
        accepted = plain.get(qid)
        if accepted is not None and value.__class__ is str and value in accepted:
            normalized[qid] = value  # the common case, decided without the full check
            continue
        question = q.question(qid)
        if question is None:
            problems.append(f"unknown question '{qid}'")
            continue
        stored, problem = normalize_value(question, value)
        if problem:
            problems.append(problem)
        else:
            normalized[qid] = stored
    for indicator_id in answer_set.indicators:
        if q.indicator(indicator_id) is None:
            problems.append(f"unknown indicator '{indicator_id}'")
    for qid in answer_set.notes:
        if q.question(qid) is None:
            problems.append(f"note for unknown question '{qid}'")
    if answer_set.language is not None and answer_set.language not in q.language_codes:
        problems.append(
            f"language '{answer_set.language}' is not one of the questionnaire's ({', '.join(q.language_codes)})"
        )
    if not problems and applicability:
        _, kept = applicable_questions(q, normalized)
        problems.extend(not_applicable_problem(qid) for qid in normalized if qid not in kept)
    if problems:
        raise InvalidRecord(problems)
    return AnswerSet(
        label=answer_set.label,
        answers={
            qid: normalized[qid] for qid in sorted(normalized, key=q.question_order().__getitem__)
        },
        indicators=list(dict.fromkeys(answer_set.indicators)),
        questionnaire=answer_set.questionnaire,
        case_id=answer_set.case_id,
        language=answer_set.language,
        officer=answer_set.officer,
        notes=answer_set.notes,
    )
