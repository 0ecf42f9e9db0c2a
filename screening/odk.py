"""Submissions from ODK Central and KoboToolbox, read back as answer sets (adapter).

A form made by ``screening export xlsform`` (:mod:`screening.xlsform`) comes back as the CSV or
JSON export of the server: ODK Central's CSV (group paths joined by ``-``) or its OData JSON
(``{"value": [...]}``, groups nested), KoboToolbox's CSV (``/`` or ``-`` paths, ``,`` or ``;``
between cells) or its JSON (``{"results": [...]}``, or a plain list, flat ``group/field``
keys). Multiple choices are space-separated values; the companion question ``<id>_special``
carries "don't know" and "declined" for numbers, dates and texts; ``screening_indicators`` the
checklist; ``screening_questionnaire`` names the form's questionnaire and version.

Each submission becomes an :class:`AnswerSet`, or an :class:`InvalidRecord` whose problems say
where (row or record number, field) and what; the others are still scored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from screening.answers import AnswerSet, InvalidRecord, answer_set_from_mapping, check_answer_set
from screening.model import (
    MultipleChoiceQuestion,
    NoteQuestion,
    NumberQuestion,
    Questionnaire,
)
from screening.xlsform import (
    CHECKLIST_FIELD,
    VERSION_FIELD,
    XLSForm,
    build_xlsform,
)

_METADATA = frozenset(
    {
        "start", "end", "today", "deviceid", "phonenumber", "username", "simserial",
        "subscriberid", "audit", "SubmissionDate", "KEY", "SubmitterID", "SubmitterName",
        "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID",
        "Edits", "FormVersion", "instanceID", "instanceName",
    }
)  # fmt: skip
"""Fields the servers add to every submission (besides those starting ``_`` or ``meta``)."""

_ID_KEYS = ("meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_uuid", "__id")
"""Where a submission's own id is found; it becomes the referral's ``case_id``."""

MAX_EXPORT_BYTES = 64 * 1024 * 1024
"""An export larger than this is refused (split it on the server by date)."""

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

Item = AnswerSet | InvalidRecord


def _invalid(label: str, problems: list[str]) -> InvalidRecord:
    bad = InvalidRecord(problems)
    bad.label = label  # type: ignore[attr-defined]
    return bad


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


def _segments(key: str) -> list[str]:
    return [part for part in re.split(r"[/\-]", key) if part]


class _Reader:
    """Turns one submission (a flat mapping of field paths to values) into an answer set."""

    def __init__(self, q: Questionnaire, form: XLSForm) -> None:
        self.q = q
        self.form = form
        self.expected = f"{q.id}@{q.version}"
        self.paths = {tuple(path.split("/")): qid for qid, path in form.fields.items()}
        self.by_id = {path.split("/")[-1]: path for path in form.fields.values()}
        self.groups = {section.id for section in q.sections}

    def _is_metadata(self, key: str) -> bool:
        first = key.split("/")[0].split("-")[0]
        return (
            key.startswith("_")
            or first in ("meta", "formhub")
            or key in _METADATA
            or first in _METADATA
        )

    def record(self, values: dict[str, Any], label: str, note: Callable[[str], None]) -> Item:
        problems: list[str] = []
        answers: dict[str, Any] = {}
        specials: dict[str, str] = {}
        indicators: list[str] = []
        version: Any = None
        for key, value in values.items():
            if self._is_metadata(key):
                continue
            parts = tuple(_segments(key))
            field_id = self.paths.get(parts)
            if field_id is None:
                last = parts[-1] if parts else key
                if parts[:-1] in self.paths and self._is_choice(self.paths[parts[:-1]], last):
                    continue  # a multiple choice split into one 0/1 column per choice
                if last in self.by_id:
                    problems.append(
                        f"field '{key}': the form {self.expected} has it at "
                        f"'{self.by_id[last]}'; the file is not an export of this form version"
                    )
                else:
                    problems.append(f"field '{key}': not a field of the form {self.expected}")
                continue
            if value is None or value == "" or field_id in self.form.notes:
                continue
            if field_id == VERSION_FIELD:
                version = value
            elif field_id == CHECKLIST_FIELD:
                indicators = str(value).split()
            elif field_id in self.form.companions:
                specials[self.form.companions[field_id]] = str(value)
            else:
                converted = self._value(field_id, value)
                if converted is None:
                    problems.append(f"field '{key}': question '{field_id}' takes a number")
                else:
                    answers[field_id] = converted
        if version is None:
            problems.insert(
                0,
                f"field '{VERSION_FIELD}' is missing: not a submission of a form made by "
                "`screening export xlsform`",
            )
        elif version != self.expected:
            problems.insert(
                0,
                f"field '{VERSION_FIELD}': the submission is of '{_shown(str(version))}', "
                f"not {self.expected}; score it with --questionnaire naming that version",
            )
        if values.get("FormVersion") not in (None, "", self.q.version):
            problems.insert(0, f"field 'FormVersion': the form's version is not {self.q.version}")
        companion_of = {qid: name for name, qid in self.form.companions.items()}
        for qid, special in specials.items():
            if qid in answers:
                problems.append(
                    f"field '{self.form.fields[companion_of[qid]]}': question '{qid}' has both an answer and '{_shown(special)}'"
                )
            else:
                answers[qid] = special
        if problems:
            return _invalid(label, problems)
        case_id = next((str(values[k]) for k in _ID_KEYS if values.get(k)), None)
        data: dict[str, Any] = {"answers": answers, "indicators": indicators}
        if case_id is not None:
            data["case_id"] = case_id.removeprefix("uuid:")
        try:
            answer_set = answer_set_from_mapping(data, label)
            return self._applicable(answer_set, label, note)
        except InvalidRecord as bad:
            return _invalid(label, bad.problems)

    def _is_choice(self, field_id: str, value: str) -> bool:
        question = self.q.question(field_id)
        return isinstance(question, MultipleChoiceQuestion) and (
            value in question.choice_values or value in ("dont_know", "declined")
        )

    def _value(self, field_id: str, value: Any) -> Any:
        question = self.q.question(field_id)
        if isinstance(question, MultipleChoiceQuestion):
            chosen = str(value).split() if isinstance(value, str) else value
            # "don't know" and "declined" are choices on the tablet, whole answers here
            return chosen[0] if chosen in (["dont_know"], ["declined"]) else chosen
        if isinstance(question, NumberQuestion) and isinstance(value, str):
            text = value.strip()
            if not _NUMBER.match(text):
                return None
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if isinstance(question, NoteQuestion):
            return None
        return value

    def _applicable(
        self, answer_set: AnswerSet, label: str, note: Callable[[str], None]
    ) -> AnswerSet:
        """Leave out answers to questions the tablet asked because it could not compute their
        condition (one on indicators, say), and that do not apply here."""
        if not self.form.loose & set(answer_set.answers):
            return answer_set
        from screening.scoring import applicable_questions

        checked = check_answer_set(self.q, answer_set, applicability=False)
        _, kept = applicable_questions(self.q, checked.answers)
        dropped = [qid for qid in answer_set.answers if qid not in kept and qid in self.form.loose]
        if dropped:
            note(
                f"{label}: left out the answers to {', '.join(dropped)}: asked on the tablet, "
                "but their condition does not hold here"
            )
            for qid in dropped:
                del answer_set.answers[qid]
        return answer_set


def _shown(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= 64 else cleaned[:63] + "…"


def read_submissions(
    raw: bytes, name: str, q: Questionnaire, *, note: Callable[[str], None] = lambda _: None
) -> Iterator[Item]:
    """The submissions of an ODK Central or KoboToolbox export, one item each, in order.

    Args:
        raw: The file's bytes (CSV or JSON).
        name: The file's name, for messages (``export.csv: row 3``).
        q: The questionnaire the form was made from.
        note: Called with a message (no personal data) when answers are left out.

    Yields:
        An answer set per submission, or an invalid record naming each problem's field.
    """
    form = build_xlsform(q)
    reader = _Reader(q, form)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield _invalid(name, ["not UTF-8 text: export the submissions as CSV or JSON"])
        return
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        yield from _json(stripped, name, reader, note)
    else:
        yield from _csv(text, name, reader, note)


def _json(text: str, name: str, reader: _Reader, note: Callable[[str], None]) -> Iterator[Item]:
    from screening.answer_files import loads_strict

    try:
        data = loads_strict(text)
    except ValueError as exc:
        yield _invalid(name, [str(exc)])
        return
    records = data.get("value", data.get("results")) if isinstance(data, dict) else data
    if not isinstance(records, list):
        yield _invalid(
            name,
            ["expected a list of submissions (ODK Central's 'value', KoboToolbox's 'results')"],
        )
        return
    for number, record in enumerate(records, start=1):
        label = f"{name}: record {number}"
        if not isinstance(record, dict):
            yield _invalid(label, ["a submission is a JSON object"])
            continue
        flat = _flatten(record)
        lists = [
            key
            for key, value in flat.items()
            if isinstance(value, list) and not reader._is_metadata(key)
        ]
        if lists:
            yield _invalid(
                label, [f"field '{key}': repeated groups are not part of the form" for key in lists]
            )
            continue
        yield reader.record(flat, label, note)


def _csv(text: str, name: str, reader: _Reader, note: Callable[[str], None]) -> Iterator[Item]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except (StopIteration, csv.Error):
        yield _invalid(name, ["the file is empty: expected a header row of field names"])
        return
    present = {
        _segments(key)[0] for key in header if _segments(key) and not reader._is_metadata(key)
    }
    missing = sorted(
        group
        for group in reader.groups
        if group not in present
        and any(path.startswith(group + "/") for path in reader.form.fields.values())
    )
    number = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _invalid(f"{name}: row {number + 1}", [f"not valid CSV ({exc})"])
            return
        number += 1
        label = f"{name}: row {number}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield _invalid(label, [f"{len(row)} cells where the header has {len(header)}"])
            continue
        if missing:
            yield _invalid(
                label,
                [
                    f"missing group '{group}': the file is not an export of this form version"
                    for group in missing
                ],
            )
            continue
        yield reader.record(dict(zip(header, row, strict=True)), label, note)
