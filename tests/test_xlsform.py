"""XLSForm export (converted by pyxform, as ODK's tools do) and ODK / KoboToolbox submissions
scored back: every worked scenario round-trips to the same outcome, flags and indicators."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import SMALL as SMALL_FOR_FUZZ
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from screening.answers import AnswerSet, InvalidRecord
from screening.evaluate import is_special
from screening.model import DateQuestion, NumberQuestion, Questionnaire, TextQuestion
from screening.odk import read_submissions
from screening.pipeline import score_one
from screening.questionnaires import bundled_files, load_path, resolve
from screening.scenarios import checked_answers, load_scenario, scenario_files
from screening.xlsform import CHECKLIST_FIELD, VERSION_FIELD, build_xlsform

GENDERED_LANGUAGE_WARNING = (
    "The following language declarations do not contain valid machine-readable codes"
)


def _export(cli, ref: str, out: Path) -> str:  # type: ignore[no-untyped-def]
    run = cli("export", "xlsform", ref, "--out", str(out))
    assert run.code == 0, run.err
    return str(run.err)


def _converted(path: Path) -> Any:
    result = convert(xlsform=str(path))  # raises PyXFormError on any error
    others = [w for w in result.warnings if not w.startswith(GENDERED_LANGUAGE_WARNING)]
    assert others == []
    return result


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_every_bundled_questionnaire_converts_with_pyxform(cli, path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "form.xlsx"
    _export(cli, str(path), out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    result = _converted(out)
    q = load_path(path).questionnaire
    assert (
        f"<h:title>{q.title if isinstance(q.title, str) else q.title['en']}</h:title>"
        in result.xform
    )
    assert f'version="{q.version}"' in result.xform


def test_the_small_questionnaire_in_every_column(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "form.xlsx"
    err = _export(cli, str(small), out)
    assert "note:" not in err  # every condition could be expressed
    book = load_workbook(out)
    survey = [list(r) for r in book["survey"].iter_rows(values_only=True)]
    header = survey[0]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in survey[1:] if r[1]}
    assert "label::English (en)" in header
    assert "label::Arabic (ar)" in header
    assert rows["age"]["type"] == "integer"
    assert rows["age"]["constraint"] == ". >= 0 and . <= 120"
    assert rows["age"]["required"] == "${age_special} = ''"
    assert rows["age_special"]["type"] == "select_one special_dont_know_declined"
    assert rows["age_special"]["relevant"] == "${age} = ''"
    assert rows["name"]["instance::screening:pii"] == "true"
    assert (
        rows["passport_when"]["relevant"]
        == "(${passport} != '' and ${passport} != 'dont_know' and ${passport} != 'declined' and ${passport} = 'no')"
    )
    assert rows["passport_when"]["label::Arabic (ar)"] == "متى أُخذ؟"
    assert rows[VERSION_FIELD]["calculation"] == "'small@1'"
    choices = [list(r) for r in book["choices"].iter_rows(values_only=True)]
    assert ["passport_when", "dont_know", "Don't know", "لا أعرف"] in choices
    assert ["problems", "declined", "Declined to answer", "رفض الإجابة"] in choices
    _converted(out)


def test_gendered_texts_become_languages_and_scoring_conditions_are_reported(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "form.xlsx"
    err = _export(cli, "ilo_adult_labour", out)
    assert (
        "screening: note: section 'vulnerabilities': its condition uses counts of indicators, indicators"
        in err
    )
    book = load_workbook(out)
    survey = [list(r) for r in book["survey"].iter_rows(values_only=True)]
    header = survey[0]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in survey[1:] if r[1]}
    q = resolve("ilo_adult_labour").questionnaire
    text = q.question("in_danger_now").text  # type: ignore[union-attr]
    assert isinstance(text, dict)
    arabic = text["ar"]
    assert not isinstance(arabic, str)
    assert rows["in_danger_now"]["label::Arabic, female (ar-female)"] == arabic.female
    assert rows["in_danger_now"]["label::Arabic, male (ar-male)"] == arabic.male
    assert rows["in_danger_now"]["label::Arabic (ar)"] == arabic.form(None)
    # the section is asked whenever the rest of its condition allows: never dropped, never narrower
    assert rows["vulnerabilities"]["type"] == "begin_group"
    assert rows["vulnerabilities"]["relevant"] is None


def test_an_existing_file_or_a_link_is_not_replaced(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "form.xlsx"
    out.write_text("keep")
    assert cli("export", "xlsform", str(small), "--out", str(out)).code == 1
    assert out.read_text() == "keep"
    link = tmp_path / "link.xlsx"
    link.symlink_to(out)
    assert cli("export", "xlsform", str(small), "--out", str(link), "--force").code == 1
    assert out.read_text() == "keep"
    assert cli("export", "xlsform", str(small)).code == 2


# ------------------------------------------------------------------ submissions, as ODK makes them


def _submission(
    q: Questionnaire, answers: dict[str, Any], indicators: list[str], case_id: str
) -> dict[str, str]:
    """A submission's fields by group path, as ODK Collect fills the exported form."""
    form = build_xlsform(q)
    values = dict.fromkeys(form.fields.values(), "")
    values[VERSION_FIELD] = f"{q.id}@{q.version}"
    for qid, value in answers.items():
        question = q.question(qid)
        if is_special(value) and isinstance(question, NumberQuestion | DateQuestion | TextQuestion):
            companion = next(name for name, of in form.companions.items() if of == qid)
            values[form.fields[companion]] = value
        elif isinstance(value, list):
            values[form.fields[qid]] = " ".join(value)
        else:
            values[form.fields[qid]] = str(value)
    if indicators:
        values[form.fields[CHECKLIST_FIELD]] = " ".join(indicators)
    values["meta/instanceID"] = f"uuid:{case_id}"
    return values


def _central_csv(submissions: list[dict[str, str]]) -> str:
    """ODK Central's CSV export: group paths joined by '-', its own columns around them."""
    fields = list(submissions[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["SubmissionDate", *[f.replace("/", "-") for f in fields], "KEY", "ReviewState"]
    )
    for s in submissions:
        writer.writerow(
            ["2026-11-29T10:00:00.000Z", *[s[f] for f in fields], s["meta/instanceID"], ""]
        )
    return out.getvalue()


def _kobo_json(submissions: list[dict[str, str]]) -> str:
    """KoboToolbox's JSON: flat 'group/field' keys, empty fields left out, its own keys."""
    results = [
        {"_id": n, "__version__": "vXyz", **{k: v for k, v in s.items() if v != ""}}
        for n, s in enumerate(submissions, start=1)
    ]
    return json.dumps({"count": len(results), "results": results}, ensure_ascii=False)


def _central_json(submissions: list[dict[str, str]]) -> str:
    """ODK Central's OData JSON: groups as nested objects, empty fields as null."""
    records = []
    for s in submissions:
        record: dict[str, Any] = {"__id": s["meta/instanceID"], "__system": {"submitterId": "5"}}
        for path, value in s.items():
            *groups, name = path.split("/")
            node = record
            for group in groups:
                node = node.setdefault(group, {})
            node[name] = value if value != "" else None
        records.append(record)
    return json.dumps({"@odata.context": "x", "value": records}, ensure_ascii=False)


def _scenarios() -> list[tuple[str, Questionnaire, dict[str, Any], list[str]]]:
    out = []
    for path in scenario_files():
        scenario = load_scenario(path)
        loaded = resolve(scenario.questionnaire)
        checked = checked_answers(scenario, loaded.questionnaire, str(path))
        out.append((scenario.id, loaded.questionnaire, checked.answers, list(checked.indicators)))
    return out


def _summary(document: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    return (
        document["recommendation"]["outcome"],
        sorted(f["id"] for f in document["flags"]),
        sorted(i["id"] for i in document["indicators"]),
    )


@pytest.mark.parametrize("fmt", ["central-csv", "central-json", "kobo-json"])
def test_every_worked_scenario_round_trips_through_odk(cli, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    scenarios = _scenarios()
    assert len(scenarios) >= 17
    by_form: dict[str, list[tuple[str, Questionnaire, dict[str, Any], list[str]]]] = {}
    for item in scenarios:
        by_form.setdefault(f"{item[1].id}@{item[1].version}", []).append(item)
    for ref, items in by_form.items():
        q = items[0][1]
        submissions = [
            _submission(q, answers, indicators, ident) for ident, _, answers, indicators in items
        ]
        path = tmp_path / f"{ref}.{'csv' if fmt == 'central-csv' else 'json'}"
        writers = {
            "central-csv": _central_csv,
            "central-json": _central_json,
            "kobo-json": _kobo_json,
        }
        path.write_text(writers[fmt](submissions), encoding="utf-8")
        run = cli("score", "--from", "odk", str(path), "-q", ref)
        assert run.code == 0, run.err
        documents = [json.loads(line) for line in run.out.splitlines()]
        assert [d["case_id"] for d in documents] == [ident for ident, *_ in items]
        loaded = resolve(ref)
        for document, (ident, _, answers, indicators) in zip(documents, items, strict=True):
            direct = score_one(AnswerSet(ident, answers=answers, indicators=indicators), loaded)[1]
            assert _summary(document) == _summary(json.loads(direct.model_dump_json())), ident


def test_bad_submissions_are_located_and_the_good_ones_scored(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    q = load_path(small).questionnaire
    good = _submission(q, {"age": 30, "problems": ["unpaid"]}, [], "good")
    unknown_choice = _submission(q, {"age": 30, "problems": ["chained"]}, [], "bad-choice")
    other_version = _submission(q, {"age": 30}, [], "bad-version") | {VERSION_FIELD: "small@0"}
    not_a_number = _submission(q, {"hours": "twelve"}, [], "bad-number")
    path = tmp_path / "export.csv"
    path.write_text(
        _central_csv([good, unknown_choice, other_version, not_a_number]), encoding="utf-8"
    )
    run = cli("score", "--from", "odk", str(path), "-q", str(small))
    assert run.code == 1
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["good"]
    assert f"{path}: row 3: " in run.err
    assert "chained" not in run.err  # answers are not repeated in messages
    assert (
        f"{path}: row 4: field '{VERSION_FIELD}': the submission is of 'small@0', not small@1"
        in run.err
    )
    assert f"{path}: row 5: field 'work-hours': question 'hours' takes a number" in run.err


def test_a_field_in_another_group_or_a_missing_group_is_reported(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    q = load_path(small).questionnaire
    moved = {
        k.replace("work/", "job/"): v for k, v in _submission(q, {"age": 30}, [], "moved").items()
    }
    path = tmp_path / "moved.json"
    path.write_text(
        json.dumps([moved, {"work/unknown_field": "x", VERSION_FIELD: "small@1"}]), encoding="utf-8"
    )
    run = cli("score", "--from", "odk", str(path), "-q", str(small))
    assert run.code == 1
    assert "record 1: field 'job/age': the form small@1 has it at 'work/age'" in run.err
    assert "record 2: field 'work/unknown_field': not a field of the form small@1" in run.err
    semicolons = tmp_path / "kobo.csv"
    semicolons.write_text(f"{VERSION_FIELD};_id\nsmall@1;1\n", encoding="utf-8")
    run = cli("score", "--from", "odk", str(semicolons), "-q", str(small))
    assert run.code == 1
    assert "row 2: missing group 'work'" in run.err


CONDITIONS = """\
id: conditions
version: "1"
title: Conditions
languages: [{code: en, name: English}]
sections:
  - id: main
    title: Main
    questions:
      - {id: age, type: number, text: Age}
      - {id: story, type: text, text: Story}
      - id: work
        type: multiple_choice
        text: Work
        choices: [{value: farm, label: Farm}, {value: shop, label: Shop}]
      - id: not_farm
        type: yes_no
        text: Not on a farm?
        when: {not: {answer: work, contains: farm}}
      - id: age_unknown
        type: yes_no
        text: Why unknown?
        when: {any: [{answer: age, is: dont_know}, {answer: age, lt: 18}]}
      - id: story_said
        type: yes_no
        text: Said so?
        when: {answer: story, contains: locked}
      - id: followup
        type: yes_no
        text: Follow up?
        when: {all: [{answer: age, ge: 18}, {indicator: farm_work}]}
dimensions:
  - {id: conditions, title: Conditions, phase: destination}
indicators:
  - {id: farm_work, title: Farm work, dimension: conditions, strength: weak, source: test, when: {answer: work, contains: farm}}
outcomes:
  - {code: none, title: None, action: Nothing., category: none}
"""


def test_conditions_as_xpath_and_what_cannot_be_expressed(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CONDITIONS, encoding="utf-8")
    q = load_path(path).questionnaire
    form = build_xlsform(q)
    header = form.survey[0]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in form.survey[1:] if r[1]}
    known = "${work} != '' and not(selected(${work}, 'dont_know')) and not(selected(${work}, 'declined'))"
    # not: asked when the inner condition is surely false, never when it is unknown
    assert rows["not_farm"]["relevant"] == f"({known} and not(selected(${{work}}, 'farm')))"
    assert (
        rows["age_unknown"]["relevant"]
        == "((${age_special} = 'dont_know') or (${age} != '' and ${age} < 18))"
    )
    assert rows["story_said"]["relevant"] == ""  # a text's contains ignores case here: reported
    assert (
        rows["followup"]["relevant"] == "(${age} != '' and ${age} >= 18)"
    )  # the indicator part: reported
    assert form.loose == {"story_said", "followup"}
    assert len(form.unexpressed) == 2
    assert form.unexpressed[0].startswith(
        "question 'story_said': its condition uses the test 'contains' on the answer to 'story'"
    )
    assert form.unexpressed[1].startswith("question 'followup': its condition uses indicators")
    out = tmp_path / "c.xlsx"
    from screening.xlsform_file import write_xlsform

    write_xlsform(form, out, force=False)
    _converted(out)


def test_an_answer_asked_only_because_the_tablet_could_not_tell_is_left_out(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.yaml"
    path.write_text(CONDITIONS, encoding="utf-8")
    q = load_path(path).questionnaire
    asked = _submission(q, {"age": 30, "work": ["shop"], "followup": "yes"}, [], "s1")
    export = tmp_path / "e.csv"
    export.write_text(_central_csv([asked]), encoding="utf-8")
    run = cli("score", "--from", "odk", str(export), "-q", str(path))
    assert run.code == 0, run.err
    assert f"screening: note: {export}: row 2: left out the answers to followup" in run.err
    assert [a["question_id"] for a in json.loads(run.out)["answers"]] == ["age", "work"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_bytes_give_located_problems_never_a_crash(raw: bytes) -> None:
    q = Questionnaire.model_validate(__import__("yaml").safe_load(SMALL_FOR_FUZZ))
    for item in read_submissions(raw, "x.csv", q):
        assert isinstance(item, AnswerSet | InvalidRecord)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 5000 + b"]" * 5000,
        b'{"value": [{"work": {"age": 1e999}}]}',
        b'{"results": [{"work/age": [1, 2]}]}',
        b"a" * 200_000 + b"\n1\n",
        b'"' + b"x" * 200_000 + b'"\n',
        b"\xff\xfe",
        b"[1, null, {}]",
    ],
    ids=["deep", "infinite", "list", "wide-header", "huge-cell", "not-utf8", "odd-records"],
)
def test_hostile_exports_are_refused_with_a_message(raw: bytes) -> None:
    q = Questionnaire.model_validate(__import__("yaml").safe_load(SMALL_FOR_FUZZ))
    items = list(read_submissions(raw, "x", q))
    assert items
    assert all(
        isinstance(i, InvalidRecord) and i.problems for i in items if not isinstance(i, AnswerSet)
    )
