"""`screening score`: answers files in every form, batches, the export contract, redaction."""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from conftest import write
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from screening.answers import AnswerSet, has_control_characters, normalize_value
from screening.pipeline import score_one
from screening.questionnaires import load_path
from screening.referral import ExportContext, Referral, build_referral, to_json
from screening.schemas import referral_schema
from screening.scoring import assess

VALIDATOR = jsonschema.Draft202012Validator(
    referral_schema(), format_checker=jsonschema.FormatChecker()
)
GOLDEN = Path(__file__).parent / "golden"

FULL = {
    "age": 30,
    "name": "Maria",
    "passport": "no",
    "passport_when": "destination",
    "hours": 15,
    "problems": ["locked", "unpaid"],
}


def test_one_file_gives_one_document_that_validates(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(
        tmp_path,
        "a.yaml",
        "case_id: C-1\nlanguage: ar\nanswers:\n  age: 15\n  passport: no\n  passport_when: destination\n",
    )
    run = cli("score", str(answers), "-q", str(small))
    assert run.code == 0, run.err
    document = json.loads(run.out)
    VALIDATOR.validate(document)
    assert document["case_id"] == "C-1"
    assert document["language"] == "ar"
    assert document["recommendation"]["urgent"] is True
    assert document["flags"] == [
        {"id": "minor", "title": "قاصر محتمل", "action": "اتصل بالرقم 995."}
    ]
    assert document["recommendation"]["action"].startswith("اتصل بالرقم 995.")
    assert document["questionnaire"]["sha256"] == load_path(small).sha256


def test_json_and_yaml_booleans_for_yes_no(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(
        tmp_path,
        "a.json",
        json.dumps({"answers": {"passport": False, "passport_when": "destination"}}),
    )
    document = json.loads(cli("score", str(answers), "-q", str(small)).out)
    assert document["answers"][0] == {
        "question_id": "passport",
        "value": "no",
        "status": "answered",
        "pii": False,
        "notes": [],
    }
    assert [i["id"] for i in document["indicators"]] == ["documents_taken"]


def test_special_answers_are_explicit_values(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(tmp_path, "a.yaml", "answers: {age: dont_know, hours: declined}\n")
    document = json.loads(cli("score", str(answers), "-q", str(small)).out)
    assert {(a["question_id"], a["value"], a["status"]) for a in document["answers"]} == {
        ("age", "dont_know", "dont_know"),
        ("hours", "declined", "declined"),
    }
    assert document["complete"] is False
    assert any("incomplete" in line for line in document["recommendation"]["rationale"])


def test_jsonl_batch_keeps_order_and_survives_bad_records(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [
        {"case_id": "first", "answers": {"age": 40}},
        {"case_id": "bad-type", "answers": {"age": "forty"}},
        "not json",
        {"case_id": "bad-choice", "answers": {"passport": "no", "passport_when": "moon"}},
        {
            "case_id": "not-applicable",
            "answers": {"passport": "yes", "passport_when": "destination"},
        },
        {"case_id": "unknown", "answers": {"nope": 1}, "indicators": ["nothing"]},
        {"case_id": "last", "indicators": ["locked_in"]},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    run = cli("score", str(batch), "-q", str(small))
    assert run.code == 1
    out = [json.loads(line) for line in run.out.splitlines()]
    assert [d["case_id"] for d in out] == ["first", "last"]
    for document in out:
        VALIDATOR.validate(document)
    errors = run.err.splitlines()
    assert f"screening: error: {batch}:2: 'age' is a number question; found text" in errors
    assert any(e.startswith(f"screening: error: {batch}:3: not valid JSON") for e in errors)
    assert (
        f"screening: error: {batch}:4: 'passport_when': not one of its choices (recruitment, destination)"
        in errors
    )
    assert any(
        e.startswith(f"screening: error: {batch}:5: 'passport_when' is answered but does not apply")
        for e in errors
    )
    assert f"screening: error: {batch}:6: unknown question 'nope'" in errors
    assert f"screening: error: {batch}:6: unknown indicator 'nothing'" in errors
    assert errors[-1] == "screening: error: 5 answer sets could not be scored (see above)"
    assert "forty" not in run.err  # answer content never appears in messages


def test_several_files_give_json_lines(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = write(tmp_path, "a.yaml", "case_id: a\nanswers: {age: 20}\n")
    b = write(tmp_path, "b.json", '{"case_id": "b", "answers": {"hours": 20}}')
    run = cli("score", str(a), str(b), "-q", str(small))
    assert run.code == 0
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["a", "b"]


def test_stdin_document_and_jsonl(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", "-", "-q", str(small), stdin=b"case_id: s\nanswers: {age: 20}\n")
    assert json.loads(run.out)["case_id"] == "s"
    run = cli("score", "-", "-q", str(small), stdin=b'{"case_id": "x"}\n{"case_id": "y"}\n')
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["x", "y"]


def test_redact_removes_pii_answers_and_says_so(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(
        tmp_path,
        "a.yaml",
        "answers: {name: Maria Santos, age: 30}\nnotes: {name: [spelled M-A-R-I-A]}\n",
    )
    run = cli("score", str(answers), "-q", str(small), "--redact")
    document = json.loads(run.out)
    VALIDATOR.validate(document)
    assert "Maria" not in run.out
    assert "M-A-R-I-A" not in run.out
    assert document["redaction"] == {
        "redacted": True,
        "removed_questions": ["name"],
        "removed_notes": 1,
    }
    assert [a["question_id"] for a in document["answers"]] == ["age"]
    assert any(
        "Personal data was removed" in line for line in document["recommendation"]["rationale"]
    )


def test_redact_leaves_out_every_note_and_keeps_notes_on_unanswered_questions(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Notes are free text: a name can hide in a note on any question."""
    answers = write(
        tmp_path,
        "a.yaml",
        "answers: {age: 30, passport: no, passport_when: destination}\n"
        "notes: {passport: [Maria says Ana holds it], hours: [did not want to say]}\n",
    )
    plain = json.loads(cli("score", str(answers), "-q", str(small)).out)
    assert plain["other_notes"] == [{"question_id": "hours", "notes": ["did not want to say"]}]
    run = cli("score", str(answers), "-q", str(small), "--redact")
    assert "Maria" not in run.out
    assert "did not want" not in run.out
    document = json.loads(run.out)
    VALIDATOR.validate(document)
    assert document["redaction"]["removed_notes"] == 2
    assert document["other_notes"] == []


def test_out_file_is_private(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(tmp_path, "a.yaml", "answers: {age: 30}\n")
    target = tmp_path / "out" / "r.json"
    run = cli("score", str(answers), "-q", str(small), "--out", str(target))
    assert run.code == 1
    assert "does not exist" in run.err
    target.parent.mkdir()
    run = cli("score", str(answers), "-q", str(small), "--out", str(target))
    assert run.code == 0, run.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    VALIDATOR.validate(json.loads(target.read_text()))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02", "binary file"),
        (b"- 1\n", "expected a mapping with an 'answers' key, found a list"),
        (b"answers: [1, 2]\n", "'answers' must be a mapping of question id to answer"),
        (b"answer: {}\n", "unknown key answer"),
        (b"answers: {age: 30\n", "YAML syntax error"),
        (b"answers: {age: 200}\n", "'age' must be at most 120"),
        (b"answers: {age: 30.5}\n", "'age' expects a whole number"),
        (b"answers: {age: null}\n", "null is not an answer"),
        (b"answers: {problems: [unpaid, unpaid]}\n", "a choice is given twice"),
        (b"language: fr\nanswers: {}\n", "language 'fr' is not one of the questionnaire's"),
    ],
)
def test_bad_answers_files(cli, small: Path, tmp_path: Path, content: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    run = cli("score", str(path), "-q", str(small))
    assert run.code == 1
    assert message in run.err
    assert "Traceback" not in run.err
    assert run.out == ""


def test_missing_answers_file_and_unknown_questionnaire(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", str(tmp_path / "nope.yaml"), "-q", str(small))
    assert (run.code, run.err.strip()) == (
        1,
        f"screening: error: {tmp_path / 'nope.yaml'}: no such file",
    )
    run = cli("score", "-", "-q", "no_such_id", stdin=b"answers: {}\n")
    assert run.code == 2
    assert "no questionnaire 'no_such_id'" in run.err


def test_table_format_shows_the_summary(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(tmp_path, "a.yaml", "answers: {age: 15, hours: 14, problems: [unpaid]}\n")
    run = cli("score", str(answers), "-q", str(small), "--format", "table")
    assert run.code == 0
    urgent = run.out.index("URGENT")
    assert urgent < run.out.index("Outcome: Labour case")
    assert "labour" in run.out.split("Outcome: Labour case", 1)[1]
    assert "Excessive hours" in run.out
    assert "from: hours" in run.out


def test_golden_referral(small: Path) -> None:
    """The export's exact shape, with the clock and ids fixed."""
    loaded = load_path(small)
    assessment = assess(loaded.questionnaire, FULL)
    ids = iter(["11111111-1111-4111-8111-111111111111"])
    context = ExportContext(
        case_id="C-2026-11-29-GOLDEN",
        officer="epc-017",
        sha256="a" * 64,
        clock=lambda: datetime(2026, 11, 29, 9, 30, tzinfo=UTC),
        new_id=lambda: next(ids),
        notes={"hours": ["Says 6am to 9pm, every day"]},
    )
    text = to_json(build_referral(assessment, context)) + "\n"
    golden = GOLDEN / "referral-small.json"
    if os.environ.get("SCREENING_UPDATE_GOLDEN"):  # regenerate on purpose, then review the diff
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    VALIDATOR.validate(json.loads(text))


def test_score_one_is_the_path_of_every_input(small: Path) -> None:
    loaded = load_path(small)
    assessment, referral = score_one(AnswerSet(label="x", answers=dict(FULL)), loaded)
    assert referral.recommendation.outcome == assessment.outcome.code == "refer"
    assert referral.recommendation.refer is True


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"answers": {"age": NaN}}', "NaN is not a JSON number"),
        ('{"answers": {"age": Infinity}}', "Infinity is not a JSON number"),
        ('{"answers": {"age": ' + "9" * 5000 + "}}", "a number with too many digits"),
        ('{"answers": {}, "answers": {}}', "duplicate key 'answers'"),
    ],
)
def test_json_that_is_not_a_usable_answer_set(
    cli, small: Path, tmp_path: Path, line: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    for name, content in (("a.jsonl", line + "\n"), ("a.json", line)):
        path = tmp_path / name
        path.write_text(content)
        run = cli("score", str(path), "-q", str(small))
        assert run.code == 1
        assert f"{path}" in run.err
        assert message in run.err, run.err


def test_unknown_export_language_is_a_usage_error(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(tmp_path, "a.yaml", "answers: {age: 30}\n")
    run = cli("score", str(answers), "-q", str(small), "--lang", "xx")
    assert run.code == 2
    assert "--lang xx: the questionnaire has no such language (en, ar)" in run.err


def test_batch_to_a_file_streams_every_good_record(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "".join(
            json.dumps({"case_id": f"c{i}", "answers": {"age": 20 + i}}) + "\n" for i in range(50)
        )
        + "{bad\n"
    )
    target = tmp_path / "out.jsonl"
    run = cli("score", str(batch), "-q", str(small), "--out", str(target))
    assert run.code == 1
    assert "wrote 50 referrals" in run.err
    lines = target.read_text().splitlines()
    assert [json.loads(line)["case_id"] for line in lines] == [f"c{i}" for i in range(50)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".out.jsonl.*"))  # no temporary file left behind


def test_table_in_arabic_reordered_for_terminals_without_bidi(
    cli, small: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from screening.bidi import RtlMode, display

    answers = write(tmp_path, "a.yaml", "language: ar\nanswers: {age: 15}\n")
    run = cli("score", str(answers), "-q", str(small), "--format", "table", "--rtl", "reorder")
    assert run.code == 0, run.err
    assert display("اتصل بالرقم 995.", RtlMode.REORDER).strip() in run.out
    assert "اتصل بالرقم 995." not in run.out  # nothing left in stored (logical) order
    assert cli("score", str(answers), "-q", str(small), "--rtl", "sideways").code == 2


def test_stdin_jsonl_with_a_bom_and_a_bad_record(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    stream = b'\xef\xbb\xbf{"case_id": "a"}\n[1]\n{"case_id": "b"}\n'
    run = cli("score", "-", "-q", str(small), stdin=stream)
    assert run.code == 1
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["a", "b"]
    assert "<stdin>:2: expected a mapping with an 'answers' key, found a list" in run.err


def test_unanswered_consent_is_unknown_not_not_asked(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(
        tmp_path, "a.yaml", "answers: {consent_referral: granted, consent_support: refused}\n"
    )
    consent = json.loads(cli("score", str(answers)).out)["consent"]
    assert (consent["referral"], consent["support"], consent["data_sharing"]) == (
        "granted",
        "declined",
        "unknown",
    )


def test_text_with_control_characters_is_refused(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"answers": {"name": "Ana\u001b[41mX"}}))
    run = cli("score", str(path), "-q", str(small))
    assert run.code == 1
    assert "'name' contains control characters; give plain text" in run.err
    assert "\u001b" not in run.err


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x2FF)), newlines=st.booleans())
def test_control_characters_are_unicodes_category_cc(text: str, newlines: bool) -> None:
    allowed = "\t\n" if newlines else "\t"
    expected = any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)
    assert has_control_characters(text, newlines=newlines) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["locked", "unpaid"], (["unpaid", "locked"], "")),  # stored in the questionnaire's order
        ("unpaid", (["unpaid"], "")),
        (
            ["unpaid", "nope", "nope", "also"],
            (None, "'problems': 3 values are not among its choices (unpaid, locked)"),
        ),
        (["unpaid", "unpaid"], (None, "'problems': a choice is given twice")),
        ([1], (None, "'problems' is a multiple choice question; expected a list of choice values")),
    ],
)
def test_multiple_choice_answers(small: Path, value: object, expected: tuple[object, str]) -> None:
    question = load_path(small).questionnaire.question("problems")
    assert question is not None
    assert normalize_value(question, value) == expected


@pytest.mark.parametrize("value", [True, [1], None, {"a": 1}, [["x"]]])
def test_the_export_model_refuses_answer_values_the_published_schema_refuses(value: object) -> None:
    document = json.loads((GOLDEN / "referral-small.json").read_text())
    document["answers"][0]["value"] = value
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)
    with pytest.raises(ValidationError):
        Referral.model_validate_json(json.dumps(document))


@pytest.mark.parametrize("value", ["yes", 3, 2.5, ["a", "b"], []])
def test_the_export_model_keeps_answer_values_exactly(value: object) -> None:
    document = json.loads((GOLDEN / "referral-small.json").read_text())
    document["answers"][0]["value"] = value
    VALIDATOR.validate(document)
    kept = Referral.model_validate_json(json.dumps(document)).answers[0]["value"]
    assert (kept, type(kept)) == (value, type(value))


# -- which questionnaire a record may name ---------------------------------------------------------

NOT_BUNDLED = "which is not a bundled questionnaire"
GIVE_THE_FILE = "to use a questionnaire file, pass it with --questionnaire FILE"


@pytest.mark.parametrize("named", ["/etc/passwd", "../small.yaml", "small.yaml", "small", "/etc"])
def test_a_record_that_names_a_file_is_refused_without_reading_it(  # type: ignore[no-untyped-def]
    cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small").write_text(small.read_text())  # a file by the bare name too
    answers = write(tmp_path, "a.json", json.dumps({"questionnaire": named, "answers": {}}))
    run = cli("score", str(answers))
    assert run.code == 1
    assert f"{answers}: the record names questionnaire '{named}', {NOT_BUNDLED}" in run.err
    assert GIVE_THE_FILE in run.err
    assert "root:" not in run.err  # nothing of the file is shown
    assert run.out == ""


def test_a_record_that_names_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    answers = write(tmp_path, "a.json", json.dumps({"questionnaire": str(fifo), "answers": {}}))
    done = subprocess.run(
        [sys.executable, "-m", "screening", "score", str(answers)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # opening the pipe would block
        env={**os.environ, "SCREENING_HOME": str(tmp_path / "home")},
    )
    assert done.returncode == 1
    assert NOT_BUNDLED in done.stderr


def test_a_record_name_with_control_characters_is_shown_harmlessly(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write(
        tmp_path, "a.json", json.dumps({"questionnaire": "x\x1b[2Jy" + "z" * 100, "answers": {}})
    )
    run = cli("score", str(answers))
    assert run.code == 1
    assert "\x1b" not in run.err
    assert "'x␛[2Jy" in run.err
    assert "z" * 70 not in run.err


def test_a_record_may_name_a_bundled_id_or_the_questionnaire_given(  # type: ignore[no-untyped-def]
    cli, small: Path, tmp_path: Path
) -> None:
    bundled = write(
        tmp_path, "b.json", json.dumps({"questionnaire": "ilo_adult_labour", "answers": {}})
    )
    run = cli("score", str(bundled))
    assert run.code == 0, run.err
    assert json.loads(run.out)["questionnaire"]["id"] == "ilo_adult_labour"
    for named in (str(small), "small"):  # the text given with -q, or its id
        answers = write(
            tmp_path, "a.json", json.dumps({"questionnaire": named, "answers": {"age": 30}})
        )
        run = cli("score", str(answers), "-q", str(small))
        assert run.code == 0, run.err
        assert json.loads(run.out)["questionnaire"]["id"] == "small"
    other = write(tmp_path, "o.json", json.dumps({"questionnaire": "/etc/passwd", "answers": {}}))
    run = cli("score", str(other), "-q", str(small))
    assert run.code == 1
    assert (
        "the record names questionnaire '/etc/passwd' but --questionnaire is 'small' (version 1)"
        in run.err
    )
