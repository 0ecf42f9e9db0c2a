"""`screening cases`: list, show, export, delete, verify and purge, against a real store."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import SMALL, Run, write
from test_store import around

from screening.errors import StoreError
from screening.store import DATABASE_NAME, EventType, JSONInput, SqliteStore, open_store

PRIVATE = "Amina Q. secret-name"  # stands for personal data: shown by `show`, never elsewhere
NOTE = "lives at the agency's flat"  # a note on the pii question
OFFICER = "epc-017"
LONG_AGO = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)

Cli = Callable[..., Run]
"""The ``cli`` fixture of conftest: runs `screening ARGS` in-process."""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store directory, named by SCREENING_HOME; no language or rtl setting."""
    path = tmp_path / "home"
    monkeypatch.setenv("SCREENING_HOME", str(path))
    monkeypatch.delenv("SCREENING_UI_LANG", raising=False)
    monkeypatch.delenv("SCREENING_RTL", raising=False)
    return path


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    """The small questionnaire, written inline."""
    return write(tmp_path, "small.yaml", SMALL)


@pytest.fixture
def store(home: Path) -> Iterator[SqliteStore]:
    with open_store() as opened:
        yield opened


@pytest.fixture
def any_store(location: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqliteStore]:
    """An empty store on each backend, which the commands use (SCREENING_STORE)."""
    monkeypatch.delenv("SCREENING_UI_LANG", raising=False)
    monkeypatch.delenv("SCREENING_RTL", raising=False)
    with open_store(location) as opened:
        yield opened


def sha_of(path: Path) -> str:
    from screening.questionnaires import resolve

    return resolve(str(path)).sha256


def new_case(
    store: SqliteStore,
    questionnaire: Path | str,
    *,
    answers: dict[str, JSONInput] | None = None,
    sha256: str | None = None,
    language: str = "en",
    ui_language: str = "en",
    now: datetime | None = None,
) -> str:
    """A draft of the small questionnaire, with answers saved one by one."""
    ref = str(questionnaire)
    case_id = store.create_case(
        questionnaire_id=ref,
        questionnaire_version="1",
        questionnaire_sha256=sha256 or (sha_of(Path(ref)) if Path(ref).exists() else "ab" * 32),
        language=language,
        ui_language=ui_language,
        officer=OFFICER,
        now=now,
    )
    for qid, value in (answers or {}).items():
        store.record_answer(case_id, qid, value, officer=OFFICER, now=now)
    return case_id


DRAFT_ANSWERS: dict[str, JSONInput] = {"age": 30, "name": PRIVATE, "passport": "no"}
FULL_ANSWERS: dict[str, JSONInput] = {
    "age": 40,
    "name": PRIVATE,
    "passport": "no",
    "passport_when": "destination",
    "hours": 14,
    "problems": ["unpaid", "locked"],
}


def complete_case(store: SqliteStore, small_file: Path) -> str:
    """A finished case whose referral was stored as the interview stores it."""
    from screening.answers import AnswerSet
    from screening.pipeline import score_one
    from screening.questionnaires import resolve
    from screening.referral import to_json

    case_id = new_case(store, small_file, answers=FULL_ANSWERS)
    store.record_note(case_id, "name", NOTE, officer=OFFICER)
    store.record_note(case_id, "hours", "says 6 to 22 every day", officer=OFFICER)
    answer_set = AnswerSet(
        label=case_id,
        answers=dict(FULL_ANSWERS),
        case_id=case_id,
        officer=OFFICER,
        notes={"name": [NOTE], "hours": ["says 6 to 22 every day"]},
    )
    _, referral = score_one(answer_set, resolve(str(small_file)))
    store.complete(case_id, to_json(referral), officer=OFFICER)
    return case_id


def assert_valid_referral(document: dict[str, JSONInput]) -> None:
    import jsonschema

    from screening.schemas import referral_schema

    jsonschema.Draft202012Validator(referral_schema()).validate(document)


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err
    assert "internal error" not in run.err


# -- list --------------------------------------------------------------------------------------


def test_list_on_an_empty_store(cli: Cli, home: Path) -> None:
    run = cli("cases", "list")
    assert run.code == 0
    assert run.out == ""
    assert "no cases" in run.err
    run = cli("cases", "list", "--format", "json")
    assert run.code == 0
    assert json.loads(run.out) == []


def test_list_shows_the_cases_without_answers(
    cli: Cli, store: SqliteStore, small_file: Path
) -> None:
    draft = new_case(store, small_file, answers=DRAFT_ANSWERS)
    done = complete_case(store, small_file)
    run = cli("cases", "list")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == [
        "id",
        "status",
        "created",
        "updated",
        "answers",
        "officer",
        "questionnaire",
    ]
    # most recently updated first, one line per case even beyond 80 columns (not a terminal)
    assert [line.split()[:2] for line in lines[1:]] == [[done, "complete"], [draft, "draft"]]
    assert lines[2].split()[5:] == ["3", OFFICER, "small.yaml", "1"]
    assert PRIVATE not in run.out + run.err
    assert NOTE not in run.out + run.err


def test_list_json_and_status_filter(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    draft = new_case(store, small_file, answers=DRAFT_ANSWERS, now=LONG_AGO)
    done = complete_case(store, small_file)
    run = cli("cases", "list", "--format", "json")
    assert run.code == 0, run.err
    cases = json.loads(run.out)
    assert [c["id"] for c in cases] == [done, draft]
    assert cases[1] == {
        "id": draft,
        "status": "draft",
        "questionnaire_id": str(small_file),
        "questionnaire_version": "1",
        "created_at": "2020-03-01T09:00:00.000000Z",
        "updated_at": "2020-03-01T09:00:00.000000Z",
        "answers": 3,
        "officer": OFFICER,
    }
    assert PRIVATE not in run.out
    drafts = json.loads(cli("cases", "list", "--status", "draft", "--format", "json").out)
    assert [c["id"] for c in drafts] == [draft]
    complete = json.loads(cli("cases", "list", "--status", "complete", "--format", "json").out)
    assert [c["id"] for c in complete] == [done]
    assert cli("cases", "list", "--status", "closed").code == 2


# -- show --------------------------------------------------------------------------------------


def test_show_table(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    case_id = new_case(store, small_file, answers={**DRAFT_ANSWERS, "age": 16})
    store.record_note(case_id, "name", NOTE, officer=OFFICER)
    store.acknowledge_flag(case_id, "minor", officer=OFFICER)
    store.set_meta(case_id, "position", "hours")
    run = cli("cases", "show", case_id.lower())
    assert run.code == 0, run.err
    out = " ".join(run.out.split())
    assert f"Case {case_id} (draft)" in out
    assert f"name {PRIVATE} [pii]" in out
    assert "age 16" in out
    assert "passport no" in out
    assert f"name: {NOTE} [pii]" in out
    assert "Acknowledged flags: minor" in out
    assert 'position: "hours"' in out
    assert "Live outcome" in out
    assert "Possible minor" in out  # the urgent flag of the live outcome
    assert "Incomplete" in out
    assert run.err == ""


def test_show_json(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    case_id = new_case(store, small_file, answers=FULL_ANSWERS)
    store.record_note(case_id, "name", NOTE, officer=OFFICER)
    # passport is changed after passport_when was answered: that answer no longer applies
    store.record_answer(case_id, "passport", "yes", officer=OFFICER)
    run = cli("cases", "show", case_id, "--format", "json")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert document["id"] == case_id
    assert document["status"] == "draft"
    assert document["questionnaire"]["changed"] is False
    answers = {a["question_id"]: a for a in document["answers"]}
    assert [a["question_id"] for a in document["answers"]] == [
        "age",
        "name",
        "passport",
        "passport_when",
        "hours",
        "problems",
    ]
    assert answers["name"] == {
        "question_id": "name",
        "value": PRIVATE,
        "pii": True,
        "applies": True,
    }
    assert answers["passport"]["value"] == "yes"
    assert answers["passport_when"]["applies"] is False
    assert answers["problems"]["value"] == ["unpaid", "locked"]
    assert document["notes"] == {"name": [NOTE]}
    assert document["acknowledged_flags"] == []
    outcome = document["outcome"]
    # documents_taken no longer holds (passport kept); locked_in, long_hours and unpaid do
    assert [i["id"] for i in outcome["indicators"]] == ["locked_in", "long_hours", "unpaid"]
    assert outcome["dimensions"][0] == {
        "id": "coercion",
        "positive": False,
        "strong": 1,
        "medium": 0,
        "weak": 0,
    }
    assert outcome["code"] == "labour"
    assert outcome["complete"] is True


def test_show_marks_answers_that_do_not_apply(
    cli: Cli, store: SqliteStore, small_file: Path
) -> None:
    case_id = new_case(
        store, small_file, answers={"passport": "no", "passport_when": "destination"}
    )
    store.record_answer(case_id, "passport", "yes", officer=OFFICER)
    run = cli("cases", "show", case_id)
    assert run.code == 0, run.err
    assert "passport_when  destination  (does not apply)" in run.out


def test_show_warns_when_the_questionnaire_changed(
    cli: Cli, store: SqliteStore, small_file: Path
) -> None:
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS, sha256="ab" * 32)
    run = cli("cases", "show", case_id, "--format", "json")
    assert run.code == 0
    assert json.loads(run.out)["questionnaire"]["changed"] is True
    assert "screening: warning:" in run.err
    assert "has changed since case" in run.err
    assert "abababababab" in run.err
    assert PRIVATE not in run.err
    table = cli("cases", "show", case_id)
    assert table.code == 0
    assert "has changed since" in table.err
    assert PRIVATE in table.out


def test_show_reports_answers_that_no_longer_fit(
    cli: Cli, store: SqliteStore, small_file: Path
) -> None:
    case_id = new_case(store, small_file, answers={"age": 30}, sha256="ab" * 32)
    # answers saved under an older questionnaire: a removed question, a removed choice
    store.record_answer(case_id, "religion", PRIVATE, officer=OFFICER)
    store.record_answer(case_id, "problems", ["unpaid", "beaten"], officer=OFFICER)
    run = cli("cases", "show", case_id)
    assert run.code == 0, run.err
    assert "2 answers of case" in run.err
    assert "religion" in run.err
    assert "problems" in run.err
    assert PRIVATE not in run.err
    assert "beaten" not in run.err
    assert "(no longer fits)" in run.out
    document = json.loads(cli("cases", "show", case_id, "--format", "json").out)
    religion = next(a for a in document["answers"] if a["question_id"] == "religion")
    assert religion["pii"] is True  # unknown now: treated as personal data
    assert religion["applies"] is False
    assert document["answers"][-1]["question_id"] == "religion"


def test_show_escapes_terminal_control_characters(
    cli: Cli, store: SqliteStore, small_file: Path
) -> None:
    case_id = new_case(store, small_file, answers={"name": "A\x1b]0;pwned\x07\x1b[2J"})
    run = cli("cases", "show", case_id)
    assert run.code == 0
    assert "\x1b" not in run.out
    assert "\x07" not in run.out
    assert "A␛]0;pwned␇␛[2J" in run.out  # shown as symbols, read but never acted on


def test_show_needs_the_questionnaire_file(
    cli: Cli, store: SqliteStore, small_file: Path, tmp_path: Path
) -> None:
    # The case names its questionnaire by id, and "small" is not a bundled one.
    case_id = new_case(store, "small", answers=DRAFT_ANSWERS, sha256=sha_of(small_file))
    run = cli("cases", "show", case_id)
    assert run.code == 1
    assert "'small'" in run.err
    assert "--questionnaire" in run.err
    assert_no_traceback(run)
    run = cli("cases", "show", case_id, "--questionnaire", str(small_file))
    assert run.code == 0, run.err
    assert "warning" not in run.err
    other = write(tmp_path, "other.yaml", SMALL.replace("id: small", "id: other", 1))
    run = cli("cases", "show", case_id, "--questionnaire", str(other))
    assert run.code == 1
    assert "'other'" in run.err
    assert "'small'" in run.err


# -- export ------------------------------------------------------------------------------------


def test_export_a_draft(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    store.record_note(case_id, "age", "looks younger", officer=OFFICER)
    head = store.audit_head()
    run = cli("cases", "export", case_id)
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert_valid_referral(document)
    assert document["case_id"] == case_id
    assert document["officer"] == OFFICER
    # the head after the export's own event: the store's current head
    assert document["audit_head"] == store.audit_head() != head
    assert document["complete"] is False
    assert document["questionnaire"]["sha256"] == sha_of(small_file)
    rationale = " ".join(document["recommendation"]["rationale"])
    assert "The screening is incomplete" in rationale
    assert "draft case" in rationale
    answers = {a["question_id"]: a for a in document["answers"]}
    assert answers["name"]["value"] == PRIVATE
    assert answers["age"]["notes"] == ["looks younger"]
    assert "draft" in run.err
    # personal data left the store: the export is audited, even of a draft
    assert store.get_case(case_id).exported_at is not None
    assert store.audit_head() != head
    assert store.verify(store.audit_head()).ok


def test_export_a_complete_case(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    case_id = complete_case(store, small_file)
    stored = store.get_case(case_id).referral_json
    assert stored is not None
    events = store.verify().events
    run = cli("cases", "export", case_id, "--officer", "epc-020")
    assert run.code == 0, run.err
    # the stored document, carrying the head after the export's own event
    expected = {**json.loads(stored), "audit_head": store.audit_head()}
    assert json.loads(run.out) == expected
    assert_valid_referral(json.loads(run.out))
    assert store.get_case(case_id).exported_at is not None
    assert store.verify().events == events + 1
    with around(store) as conn:
        last = conn.execute(
            "SELECT event, officer, case_id FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert last == (EventType.CASE_EXPORTED.value, "epc-020", case_id)
    again = cli("cases", "export", case_id)  # a re-export carries the head of its own time
    assert json.loads(again.out)["audit_head"] == store.audit_head() != expected["audit_head"]


@pytest.mark.parametrize("finished", [False, True], ids=["draft", "complete"])
def test_export_redact(cli: Cli, any_store: SqliteStore, small_file: Path, finished: bool) -> None:
    store = any_store  # on each backend
    if finished:
        case_id = complete_case(store, small_file)
    else:
        case_id = new_case(store, small_file, answers=FULL_ANSWERS)
        store.record_note(case_id, "name", NOTE, officer=OFFICER)
    run = cli("cases", "export", case_id, "--redact")
    assert run.code == 0, run.err
    assert PRIVATE not in run.out
    assert NOTE not in run.out
    document = json.loads(run.out)
    assert_valid_referral(document)
    notes = sum(len(texts) for texts in store.get_case(case_id).notes.values())
    assert notes >= 1
    assert document["redaction"] == {
        "redacted": True,
        "removed_questions": ["name"],
        "removed_notes": notes,  # notes are free text: every one is left out
    }
    assert "name" not in [a["question_id"] for a in document["answers"]]
    assert all(not a["pii"] and not a["notes"] for a in document["answers"])
    assert document["other_notes"] == []
    assert document["recommendation"]["rationale"][-1] == (
        f"Personal data was removed from this document (1 answer, {notes} note{'' if notes == 1 else 's'})."
    )
    assert document["recommendation"]["outcome"] == "refer"


def test_export_to_a_private_file(
    cli: Cli, store: SqliteStore, small_file: Path, tmp_path: Path
) -> None:
    case_id = complete_case(store, small_file)
    target = tmp_path / "out" / "referral.json"
    target.parent.mkdir()
    run = cli("cases", "export", case_id, "--redact", "--out", str(target))
    assert run.code == 0, run.err
    assert run.out == ""
    assert str(target) in run.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert_valid_referral(json.loads(target.read_text(encoding="utf-8")))
    missing = cli("cases", "export", case_id, "--out", str(tmp_path / "nowhere" / "r.json"))
    assert missing.code == 1
    assert "does not exist" in missing.err
    assert_no_traceback(missing)


def test_export_a_complete_case_needs_no_questionnaire(
    cli: Cli, store: SqliteStore, small_file: Path
) -> None:
    case_id = complete_case(store, small_file)
    small_file.unlink()
    run = cli("cases", "export", case_id, "--redact")
    assert run.code == 0, run.err
    assert PRIVATE not in run.out


def test_export_an_invalid_stored_referral(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    store.complete(case_id, json.dumps({"case_id": case_id, "answers": [PRIVATE]}), officer=OFFICER)
    run = cli("cases", "export", case_id)
    assert run.code == 1
    assert "not a valid referral document" in run.err
    assert PRIVATE not in run.err
    assert run.out == ""
    assert store.get_case(case_id).exported_at is None


def test_redact_referral_matches_redacting_at_build_time(small_file: Path) -> None:
    from screening.questionnaires import resolve
    from screening.referral import ExportContext, Referral, build_referral, redact_referral
    from screening.scoring import assess

    loaded = resolve(str(small_file))
    assessment = assess(loaded.questionnaire, FULL_ANSWERS)

    def build(redact: bool) -> Referral:
        context = ExportContext(
            case_id="C-1",
            notes={"name": [NOTE]},
            redact=redact,
            clock=lambda: LONG_AGO,
            new_id=lambda: "id-1",
        )
        return build_referral(assessment, context)

    plain, at_build = build(False), build(True)
    redacted = redact_referral(plain, "en")
    assert redacted == at_build
    # what redaction leaves: no pii answer, no note, and it says so
    assert PRIVATE in plain.model_dump_json()
    assert NOTE in plain.model_dump_json()
    assert PRIVATE not in at_build.model_dump_json()
    assert NOTE not in at_build.model_dump_json()
    assert "name" not in [a["question_id"] for a in at_build.answers]
    assert at_build.redaction.model_dump() == {
        "redacted": True,
        "removed_questions": ["name"],
        "removed_notes": 1,
    }
    assert at_build.recommendation.rationale == [
        *plain.recommendation.rationale,
        "Personal data was removed from this document (1 answer, 1 note).",
    ]
    assert redact_referral(redacted, "en") == redacted  # redacting again changes nothing
    # a referral redacted by an earlier version, whose sentence said "answer(s)": replaced too
    legacy = "Personal data was removed from this document (1 answer(s), 1 note(s))."
    rationale = [*redacted.recommendation.rationale[:-1], legacy]
    older = redacted.model_copy(
        update={
            "recommendation": redacted.recommendation.model_copy(update={"rationale": rationale})
        }
    )
    assert redact_referral(older, "en") == redacted
    arabic = redact_referral(plain, "ar")
    assert arabic.recommendation.rationale[-1] == (
        "حُذفت البيانات الشخصية من هذه الوثيقة (إجابة واحدة، وملاحظة واحدة)."
    )


# -- delete ------------------------------------------------------------------------------------


def test_delete_with_yes(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    keep = new_case(store, small_file)
    run = cli("cases", "delete", case_id, "--yes", "--officer", "epc-020")
    assert run.code == 0, run.err
    assert f"deleted case {case_id}" in run.err
    with pytest.raises(StoreError):
        store.get_case(case_id)
    assert store.get_case(keep).id == keep
    assert store.verify().ok
    with around(store) as conn:
        last = conn.execute(
            "SELECT event, officer FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert last == (EventType.CASE_DELETED.value, "epc-020")


def test_delete_without_a_terminal_needs_yes(
    cli: Cli, store: SqliteStore, small_file: Path
) -> None:
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    run = cli("cases", "delete", case_id)
    assert run.code == 1
    assert "--yes" in run.err
    assert run.err.startswith("screening: error:")
    assert store.get_case(case_id).id == case_id


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_delete_asks_on_a_terminal(
    cli: Cli,
    store: SqliteStore,
    small_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    deleted: bool,
) -> None:
    from screening.cli import cases as cases_cli

    monkeypatch.setattr(cases_cli, "_has_terminal", lambda: True)
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    run = cli("cases", "delete", case_id, stdin=answer.encode())
    assert f"Delete case {case_id} (draft, 3 answers, created" in run.err
    assert PRIVATE not in run.out + run.err
    if deleted:
        assert run.code == 0
        with pytest.raises(StoreError):
            store.get_case(case_id)
    else:
        assert run.code == 1
        assert "was not deleted" in run.err
        assert store.get_case(case_id).id == case_id


def test_delete_interrupted_at_the_question(
    cli: Cli, store: SqliteStore, small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.cli import cases as cases_cli

    monkeypatch.setattr(cases_cli, "_has_terminal", lambda: True)
    case_id = new_case(store, small_file)
    run = cli("cases", "delete", case_id, stdin=b"")  # end of input, as Ctrl-D
    assert run.code == 130
    assert "nothing was deleted" in run.err
    assert store.get_case(case_id).id == case_id


# -- verify ------------------------------------------------------------------------------------


def test_verify_an_intact_log(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    new_case(store, small_file, answers=DRAFT_ANSWERS)
    head = store.audit_head()
    complete_case(store, small_file)
    run = cli("cases", "verify")
    assert run.code == 0, run.err
    events = store.verify().events
    assert events > 1
    assert run.out == f"audit log intact: {events} events, head {store.audit_head()}\n"
    assert cli("cases", "verify", "--expected-head", head).code == 0


def test_verify_an_empty_store(cli: Cli, home: Path) -> None:
    run = cli("cases", "verify")
    assert run.code == 0
    assert run.out == f"audit log intact: 0 events, head {'0' * 64}\n"


def test_verify_detects_an_edited_row(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    with sqlite3.connect(store.path) as conn:
        conn.execute("DROP TRIGGER audit_events_append_only_update")
        conn.execute("UPDATE audit_events SET officer = 'someone-else' WHERE seq = 3")
    run = cli("cases", "verify")
    assert run.code == 1
    assert "audit event 3 was altered after it was written" in run.err
    assert run.out == ""
    assert_no_traceback(run)
    assert store.get_case(case_id).id == case_id  # nothing else was touched


def test_verify_detects_a_truncated_log(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    new_case(store, small_file, answers=DRAFT_ANSWERS)
    head = store.audit_head()
    with sqlite3.connect(store.path) as conn:
        conn.execute("DROP TRIGGER audit_events_append_only_delete")
        conn.execute("DELETE FROM audit_events WHERE seq >= 3")
        previous = conn.execute("SELECT hash FROM audit_events WHERE seq = 2").fetchone()[0]
        conn.execute("UPDATE chain_state SET events = 2, head = ?", (previous,))
    # consistent in itself, but not with the anchor file beside the store
    alone = cli("cases", "verify")
    assert alone.code == 1
    assert "anchor file" in alone.err
    assert "events 3 to" in alone.err
    run = cli("cases", "verify", "--expected-head", head)
    assert run.code == 1
    assert "truncated or rewritten" in run.err
    bad = cli("cases", "verify", "--expected-head", "not-a-head")
    assert bad.code == 2
    assert "not an audit head" in bad.err
    zeros = cli("cases", "verify", "--expected-head", "0" * 64)
    assert zeros.code == 2
    assert "64 zeros is the head of an empty audit" in zeros.err


# -- purge -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("36h", timedelta(hours=36)),
        ("90d", timedelta(days=90)),
        ("12w", timedelta(weeks=12)),
        ("6m", timedelta(days=180)),
        ("1y", timedelta(days=365)),
        (" 2Y ", timedelta(days=730)),
    ],
)
def test_parse_duration(text: str, period: timedelta) -> None:
    from screening.casefile import parse_duration

    assert parse_duration(text) == period


@pytest.mark.parametrize("text", ["", "90", "d", "90x", "1.5d", "-3d", "0d", "90 days", "1000y"])
def test_parse_duration_refuses(text: str) -> None:
    from screening.casefile import parse_duration

    with pytest.raises(ValueError, match="36h"):
        parse_duration(text)


def test_purge_deletes_only_old_cases(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    now = datetime.now(UTC)
    old = new_case(store, small_file, answers=DRAFT_ANSWERS, now=now - timedelta(days=100))
    older = new_case(store, small_file, now=now - timedelta(days=400))
    recent = new_case(store, small_file, answers=DRAFT_ANSWERS, now=now - timedelta(days=80))
    run = cli("cases", "purge", "--older-than", "90d", "--yes", "--officer", "epc-020")
    assert run.code == 0, run.err
    assert sorted(run.out.split()) == sorted([old, older])
    assert "2 cases not updated for 90 days" in run.err
    assert old in run.err
    assert older in run.err
    assert recent not in run.err
    assert PRIVATE not in run.out + run.err
    assert [s.id for s in store.list_cases()] == [recent]
    assert store.verify().ok
    with around(store) as conn:
        purged = conn.execute(
            "SELECT case_id, officer FROM audit_events WHERE event = ?",
            (EventType.CASE_PURGED.value,),
        ).fetchall()
    assert sorted(purged) == sorted([(old, "epc-020"), (older, "epc-020")])


@pytest.mark.parametrize(
    ("duration", "left"),
    [("36h", 0), ("12w", 1), ("6m", 2), ("1y", 3)],
)
def test_purge_durations(
    cli: Cli, store: SqliteStore, small_file: Path, duration: str, left: int
) -> None:
    now = datetime.now(UTC)
    for age in (timedelta(days=2), timedelta(days=90), timedelta(days=200), timedelta(days=400)):
        new_case(store, small_file, now=now - age)
    run = cli("cases", "purge", "--older-than", duration, "--yes")
    assert run.code == 0, run.err
    assert len(run.out.split()) == 4 - left
    assert len(store.list_cases()) == left


def test_purge_with_nothing_to_delete(cli: Cli, any_store: SqliteStore, small_file: Path) -> None:
    store = any_store  # on each backend
    new_case(store, small_file)
    run = cli("cases", "purge", "--older-than", "1y")
    assert run.code == 0
    assert "nothing to purge" in run.err
    assert run.out == ""
    assert len(store.list_cases()) == 1


def test_purge_without_a_terminal_needs_yes(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    old = new_case(store, small_file, now=LONG_AGO)
    run = cli("cases", "purge", "--older-than", "90d")
    assert run.code == 1
    assert old in run.err  # what would be deleted is listed first
    assert "--yes" in run.err
    assert [s.id for s in store.list_cases()] == [old]


def test_purge_asks_on_a_terminal(
    cli: Cli, store: SqliteStore, small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.cli import cases as cases_cli

    monkeypatch.setattr(cases_cli, "_has_terminal", lambda: True)
    old = new_case(store, small_file, now=LONG_AGO)
    declined = cli("cases", "purge", "--older-than", "90d", stdin=b"n\n")
    assert declined.code == 1
    assert "nothing was deleted" in declined.err
    assert [s.id for s in store.list_cases()] == [old]
    accepted = cli("cases", "purge", "--older-than", "90d", stdin=b"y\n")
    assert accepted.code == 0, accepted.err
    assert accepted.out.split() == [old]
    assert store.list_cases() == []


@pytest.mark.parametrize("duration", ["90", "ninety days", "90x", "0d", "-1d", "1.5y", "1000y"])
def test_purge_with_a_bad_duration_is_a_usage_error(cli: Cli, home: Path, duration: str) -> None:
    run = cli("cases", "purge", "--older-than", duration, "--yes")
    assert run.code == 2
    text = " ".join(run.err.split())
    assert "--older-than" in text
    for form in ("36h", "90d", "12w", "6m", "1y"):
        assert form in text
    assert_no_traceback(run)


def test_purge_needs_a_duration(cli: Cli, home: Path) -> None:
    assert cli("cases", "purge", "--yes").code == 2


# -- failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["show"],
        ["show", "--format", "json"],
        ["export"],
        ["export", "--redact"],
        ["delete", "--yes"],
        ["delete"],
    ],
)
def test_unknown_case(
    cli: Cli, any_store: SqliteStore, small_file: Path, command: list[str]
) -> None:
    store = any_store  # on each backend
    new_case(store, small_file, answers=DRAFT_ANSWERS)
    run = cli("cases", command[0], "C-2026-01-01-NOPE22", *command[1:])
    assert run.code == 1
    assert "no case C-2026-01-01-NOPE22" in run.err
    assert "screening cases list" in run.err
    assert run.out == ""
    assert_no_traceback(run)


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["list", "--format", "json"],
        ["show", "C-1"],
        ["export", "C-1"],
        ["delete", "C-1", "--yes"],
        ["verify"],
        ["purge", "--older-than", "90d", "--yes"],
    ],
)
def test_corrupt_store(cli: Cli, home: Path, command: list[str]) -> None:
    home.mkdir(mode=0o700)
    garbage = os.urandom(8192)
    (home / DATABASE_NAME).write_bytes(garbage)
    run = cli("cases", *command)
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[0].startswith("screening: error: cannot open the case store:")
    assert "is damaged or is not a screening case store" in lines[0]
    assert all(line.startswith("  ") for line in lines[1:])  # the hint, indented
    assert_no_traceback(run)
    assert run.out == ""
    assert (home / DATABASE_NAME).read_bytes() == garbage  # never modified


def test_every_cases_command_has_help_with_an_example(cli: Cli) -> None:
    for command in ("list", "show", "export", "delete", "verify", "purge"):
        run = cli("cases", command, "--help")
        assert run.code == 0, command
        assert f"Example: screening cases {command}" in " ".join(run.out.split()), command


# -- in Arabic -----------------------------------------------------------------------------------

AR_NOTE = "قالت إن صاحب العمل أخذ جواز سفرها في المطار ولم يُعِده إليها منذ أربعة عشر شهرًا رغم طلبها"
"""A note in Arabic, long enough to be wrapped on an 80-column screen."""

ENGLISH_WORDS = (
    "Case ",
    "Answers (",
    "none yet",
    "Notes",
    "Acknowledged flags",
    "Metadata",
    "Live outcome",
    "[pii]",
    "(does not apply)",
    "(no longer fits)",
    "questionnaire",
    "officer",
    "created",
    "updated",
    "answer",
    " case",
    "deleted",
    "warning",
)


def assert_no_english(text: str) -> None:
    found = [word for word in ENGLISH_WORDS if word in text]
    assert found == [], text


def test_list_in_arabic(
    cli: Cli, store: SqliteStore, small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = new_case(store, small_file, answers=DRAFT_ANSWERS)
    done = complete_case(store, small_file)
    run = cli("cases", "list", "--ui-lang", "ar")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    # the headers in Arabic, the ids, statuses and codes as they are
    header = lines[0].lstrip("\u200e")
    for word in ("المعرّف", "الوضع", "الإنشاء", "آخر تحديث", "الإجابات", "الموظف", "الاستبيان"):
        assert word in header
    assert [line.split()[:2] for line in lines[1:]] == [[done, "complete"], [draft, "draft"]]
    assert lines[2].split()[5:] == ["3", OFFICER, "small.yaml", "1"]
    assert_no_english(run.out)
    assert "status" not in run.out
    # the environment variable, overridden by the option; an unknown language is English
    monkeypatch.setenv("SCREENING_UI_LANG", "ar")
    assert cli("cases", "list").out == run.out
    english = cli("cases", "list", "--ui-lang", "en").out
    assert english.split()[:3] == ["id", "status", "created"]
    assert cli("cases", "list", "--ui-lang", "fr").out == english


def test_list_in_arabic_on_an_empty_store(cli: Cli, home: Path) -> None:
    run = cli("cases", "list", "--ui-lang", "ar")
    assert run.code == 0
    assert run.err == "screening: لا توجد حالات في المخزن\n"
    run = cli("cases", "list", "--status", "draft", "--ui-lang", "ar")
    assert run.err == "screening: لا توجد في المخزن حالات وضعها draft\n"


@pytest.mark.parametrize("ui_lang", ["ar", "en", "fr"])
def test_json_is_the_same_in_every_language(
    cli: Cli, store: SqliteStore, small_file: Path, ui_lang: str
) -> None:
    draft = new_case(store, small_file, answers=DRAFT_ANSWERS, now=LONG_AGO)
    store.record_note(draft, "name", NOTE, officer=OFFICER)
    done = complete_case(store, small_file)
    for command in (
        ["list", "--format", "json"],
        ["list", "--status", "draft", "--format", "json"],
        ["show", draft, "--format", "json"],
        ["show", done, "--format", "json"],
        ["export", done],
    ):
        plain = cli("cases", *command)
        translated = cli("cases", *command, "--ui-lang", ui_lang, "--rtl", "reorder")
        assert plain.code == translated.code == 0, command
        if command[0] == "export":  # each export carries the head after its own event
            first, second = json.loads(plain.out), json.loads(translated.out)
            assert first.pop("audit_head") != second.pop("audit_head")
            assert first == second
            continue
        assert translated.out == plain.out, command


def arabic_case(store: SqliteStore, small_file: Path, *, ui_language: str = "en") -> str:
    """A draft with a pii answer, an answer that no longer applies, notes, a flag and meta."""
    case_id = new_case(
        store,
        small_file,
        answers={"age": 16, "name": PRIVATE, "passport": "no", "passport_when": "destination"},
        ui_language=ui_language,
    )
    store.record_answer(case_id, "passport", "yes", officer=OFFICER)  # passport_when: no longer
    store.record_note(case_id, "name", AR_NOTE, officer=OFFICER)
    store.record_note(case_id, "age", NOTE, officer=OFFICER)
    store.acknowledge_flag(case_id, "minor", officer=OFFICER)
    store.set_meta(case_id, "position", "hours")
    return case_id


def test_show_in_arabic(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    case_id = arabic_case(store, small_file)
    run = cli("cases", "show", case_id, "--ui-lang", "ar")
    assert run.code == 0, run.err
    assert run.err == ""
    out = " ".join(run.out.split())
    assert f"الحالة {case_id} (draft)" in out
    for heading in (
        "الاستبيان",
        "اللغة",
        "en (لغة الموظف: en)",
        "الإجابات (4)",
        "الملاحظات",
        "تنبيهات أُكِّد الاطلاع عليها: minor",
        "البيانات الوصفية",
        "النتيجة الآنية للإجابات الحالية",
    ):
        assert heading in out, heading
    assert f"name {PRIVATE} [بيانات شخصية]" in out
    assert "passport_when destination (لا تنطبق)" in out
    assert f"name: {AR_NOTE} [بيانات شخصية]" in out
    # the live outcome in Arabic too: the flag, the outcome, the program's headings
    assert "قاصر محتمل" in out
    assert "النتيجة: إحالة" in out or "النتيجة: قضية عمالية" in out or "النتيجة: لا شيء" in out
    assert "المؤشرات المرصودة" in out
    assert_no_english(run.out)
    assert "Outcome" not in run.out
    assert "Possible minor" not in run.out


def test_show_uses_the_case_officer_language_unless_told(
    cli: Cli, store: SqliteStore, small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = arabic_case(store, small_file, ui_language="ar")
    arabic = cli("cases", "show", case_id)
    assert arabic.code == 0, arabic.err
    assert "الملاحظات" in arabic.out
    assert_no_english(arabic.out)
    english = cli("cases", "show", case_id, "--ui-lang", "en")
    assert "Notes" in english.out
    assert "الملاحظات" not in english.out
    # the variable is the officer reading now: it wins over the language saved with the case
    monkeypatch.setenv("SCREENING_UI_LANG", "en")
    assert cli("cases", "show", case_id).out == english.out
    assert cli("cases", "show", case_id, "--ui-lang", "ar").out == arabic.out


def test_show_in_arabic_reordered(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    from screening.bidi import RtlMode, cell_width, display, display_lines

    case_id = arabic_case(store, small_file)
    run = cli("cases", "show", case_id, "--ui-lang", "ar", "--rtl", "reorder")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert all(cell_width(line) <= 80 for line in lines)
    assert "الملاحظات" not in run.out  # never the logical text ...
    assert display("الملاحظات", RtlMode.REORDER, rtl=True) in run.out  # ... but its display form
    # A long note is wrapped first, then each line reordered, right-aligned.
    note = display_lines(f"name: {AR_NOTE}  [بيانات شخصية]", 77, RtlMode.REORDER, rtl=True)
    assert len(note) > 1
    start = lines.index("  " + note[0])
    assert lines[start : start + len(note)] == ["  " + line for line in note]
    # An English note keeps reading left to right.
    assert f"  age: {NOTE}" in lines
    # The summary is reordered too: its headings in display form.
    assert display("المؤشرات المرصودة", RtlMode.REORDER, rtl=True) in run.out
    assert display("قاصر محتمل", RtlMode.REORDER) in run.out


def test_show_warnings_in_arabic(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    case_id = new_case(store, small_file, answers={"age": 30}, sha256="ab" * 32)
    store.record_answer(case_id, "religion", PRIVATE, officer=OFFICER)
    run = cli("cases", "show", case_id, "--ui-lang", "ar")
    assert run.code == 0, run.err
    warnings = run.err.splitlines()
    assert len(warnings) == 2
    assert all(line.startswith("screening: تحذير: ") for line in warnings)
    assert "تغيّر الاستبيان «small»" in warnings[0]
    assert "abababababab" in warnings[0]
    assert str(small_file) in warnings[0]
    assert f"إجابة واحدة من إجابات الحالة {case_id} لم تعد تناسب الاستبيان" in warnings[1]
    assert "religion" in warnings[1]
    assert PRIVATE not in run.err
    assert_no_english(run.err.replace(str(small_file), ""))  # the test's name is in the path
    assert "(لم تعد تناسب الاستبيان)" in run.out
    assert "(تغيّر الملف منذ ذلك الحين: انظر التحذير)" in run.out


def test_export_in_arabic(cli: Cli, store: SqliteStore, small_file: Path, tmp_path: Path) -> None:
    draft = new_case(store, small_file, answers=DRAFT_ANSWERS)
    run = cli("cases", "export", draft, "--ui-lang", "ar")
    assert run.code == 0, run.err
    assert run.err == f"screening: الحالة {draft} مسودة: هذه الإحالة ليست نهائية\n"
    assert_valid_referral(json.loads(run.out))
    out = tmp_path / "referral.json"
    run = cli("cases", "export", draft, "--redact", "--out", str(out), "--ui-lang", "ar")
    assert run.code == 0, run.err
    # the path on a line of its own, where right-to-left text cannot move its "/"
    assert run.err.splitlines() == [
        f"screening: كُتبت مسودة إحالة الحالة {draft} (دون البيانات الشخصية) في:",
        " " * len("screening: ") + str(out),
    ]


def test_delete_in_arabic(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    run = cli("cases", "delete", case_id, "--yes", "--ui-lang", "ar")
    assert run.code == 0, run.err
    assert run.err == f"screening: حُذفت الحالة {case_id}\n"
    with pytest.raises(StoreError):
        store.get_case(case_id)


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False)])
def test_delete_asks_in_arabic(
    cli: Cli,
    store: SqliteStore,
    small_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    deleted: bool,
) -> None:
    from screening.cli import cases as cases_cli

    monkeypatch.setattr(cases_cli, "_has_terminal", lambda: True)
    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    run = cli("cases", "delete", case_id, "--ui-lang", "ar", stdin=answer.encode())
    assert f"هل تحذف الحالة {case_id} (draft، 3 إجابات، أُنشئت" in run.err
    assert "لا يمكن التراجع عن الحذف" in run.err
    assert_no_english(run.err)
    if deleted:
        assert run.code == 0
        assert f"حُذفت الحالة {case_id}" in run.err
    else:
        assert run.code == 1
        assert f"لم تُحذف الحالة {case_id}" in run.err
        assert store.get_case(case_id).id == case_id


def test_purge_in_arabic(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    now = datetime.now(UTC)
    old = new_case(store, small_file, answers=DRAFT_ANSWERS, now=now - timedelta(days=100))
    older = new_case(store, small_file, now=now - timedelta(days=400))
    recent = new_case(store, small_file, now=now - timedelta(days=80))
    nothing = cli("cases", "purge", "--older-than", "1000d", "--ui-lang", "ar")
    assert nothing.code == 0
    assert (
        nothing.err
        == "screening: لا توجد حالة مضى على آخر تحديث لها أكثر من 1000 يوم؛ لا شيء للحذف\n"
    )
    run = cli("cases", "purge", "--older-than", "90d", "--yes", "--ui-lang", "ar")
    assert run.code == 0, run.err
    assert sorted(run.out.split()) == sorted([old, older])  # stdout: the ids only, as in English
    lines = run.err.splitlines()
    assert lines[0] == "screening: حالتان لم تُحدَّثا منذ 90 يومًا:"
    assert any(line.startswith(f"  {old}  draft  آخر تحديث") for line in lines)
    assert lines[-1] == "screening: حُذفت حالتان"
    assert_no_english(run.err)
    assert [s.id for s in store.list_cases()] == [recent]


def test_purge_asks_in_arabic(
    cli: Cli, store: SqliteStore, small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.cli import cases as cases_cli

    monkeypatch.setattr(cases_cli, "_has_terminal", lambda: True)
    old = new_case(store, small_file, now=LONG_AGO)
    run = cli("cases", "purge", "--older-than", "2y", "--ui-lang", "ar", stdin=b"n\n")
    assert run.code == 1
    assert "حالة واحدة لم تُحدَّث منذ سنتين:" in run.err
    assert "هل تحذف هذه الحالة الواحدة؟" in run.err
    assert run.err.endswith("screening: لم يُحذف شيء\n")
    assert [s.id for s in store.list_cases()] == [old]


def test_verify_in_arabic(cli: Cli, store: SqliteStore, small_file: Path) -> None:
    new_case(store, small_file, answers=DRAFT_ANSWERS)
    run = cli("cases", "verify", "--ui-lang", "ar")
    assert run.code == 0, run.err
    events, head = store.verify().events, store.audit_head()
    assert 3 <= events <= 10  # the form of 3 to 10: "4 أحداث"
    assert run.out.splitlines() == [
        f"سجل التدقيق سليم: {events} أحداث، وبصمة آخر حدث:",
        head,
    ]


@pytest.mark.parametrize(
    ("text", "english", "arabic"),
    [
        ("1h", "1 hour", "ساعة واحدة"),
        ("2h", "2 hours", "ساعتين"),
        ("5h", "5 hours", "5 ساعات"),
        ("36h", "36 hours", "36 ساعة"),
        ("1d", "1 day", "يوم واحد"),
        ("2d", "2 days", "يومين"),
        ("10d", "10 days", "10 أيام"),
        ("90d", "90 days", "90 يومًا"),
        ("12w", "84 days", "84 يومًا"),
        ("6m", "180 days", "180 يومًا"),
        ("100d", "100 days", "100 يوم"),
        ("103d", "103 days", "103 أيام"),
        ("1y", "1 year", "سنة واحدة"),
        ("2y", "2 years", "سنتين"),
        ("3y", "3 years", "3 سنوات"),
        ("11y", "11 years", "11 سنة"),
    ],
)
def test_describe_duration(text: str, english: str, arabic: str) -> None:
    from screening.casefile import describe_duration, parse_duration

    period = parse_duration(text)
    assert describe_duration(period) == english
    assert describe_duration(period, "ar") == arabic
    assert describe_duration(period, "fr") == english


def test_every_cases_command_takes_ui_lang(cli: Cli) -> None:
    for command in ("list", "show", "export", "delete", "verify", "purge"):
        run = cli("cases", command, "--help")
        text = " ".join(run.out.split())
        assert "--ui-lang" in text, command
        assert "SCREENING_UI_LANG" in text, command
        assert "--rtl" in text, command


def test_export_is_audited_before_anything_leaves_the_store(
    cli: Cli, store: SqliteStore, small_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.errors import StoreError
    from screening.store.sqlite import SqliteStore as Store

    case_id = complete_case(store, small_file)

    def refuse(self: Store, *args: object, **kwargs: object) -> None:
        raise StoreError("the store stayed locked")

    monkeypatch.setattr(Store, "mark_exported", refuse)
    target = tmp_path / "out.json"
    run = cli("cases", "export", case_id, "--out", str(target))
    assert run.code == 1
    assert not target.exists()
    run = cli("cases", "export", case_id)
    assert run.code == 1
    assert run.out == ""


# -- referral files in the store's folder go with their case -------------------------------------


def referral_files(home: Path, case_id: str) -> list[Path]:
    """The referral an interview left in the store's folder, and a temporary file a killed
    write left beside it."""
    folder = home / "referrals"
    folder.mkdir(mode=0o700, exist_ok=True)
    files = [folder / f"{case_id}.json", folder / f".{case_id}.json.k2j4x.tmp"]
    for path in files:
        path.write_text(json.dumps({"case_id": case_id, "name": PRIVATE}))
    return files


def test_delete_removes_the_referral_files_and_says_so(
    cli: Cli, store: SqliteStore, small_file: Path, home: Path
) -> None:
    case_id = complete_case(store, small_file)
    keep = complete_case(store, small_file)
    doomed = referral_files(home, case_id)
    kept = referral_files(home, keep)
    run = cli("cases", "delete", case_id, "--yes")
    assert run.code == 0, run.err
    assert not any(os.path.lexists(path) for path in doomed)
    assert all(path.exists() for path in kept)
    assert (
        f"screening: removed the referral file of case {case_id} from the store's folder: "
        f"{doomed[0]}"
    ) in run.err.splitlines()
    assert PRIVATE not in run.err


def test_delete_removes_a_link_not_what_it_points_to(
    cli: Cli, store: SqliteStore, small_file: Path, home: Path, tmp_path: Path
) -> None:
    case_id = complete_case(store, small_file)
    victim = tmp_path / "victim.conf"
    victim.write_text("important\n")
    (home / "referrals").mkdir(mode=0o700)
    (home / "referrals" / f"{case_id}.json").symlink_to(victim)
    run = cli("cases", "delete", case_id, "--yes")
    assert run.code == 0, run.err
    assert not os.path.lexists(home / "referrals" / f"{case_id}.json")
    assert victim.read_text() == "important\n"


def test_delete_names_a_referral_written_elsewhere_and_leaves_it(
    cli: Cli, store: SqliteStore, small_file: Path, tmp_path: Path
) -> None:
    case_id = complete_case(store, small_file)
    elsewhere = tmp_path / "given-with-out.json"
    elsewhere.write_text("{}")
    store.set_meta(
        case_id, "interview", {"questionnaire": None, "redact": False, "out": str(elsewhere)}
    )
    run = cli("cases", "delete", case_id, "--yes")
    assert run.code == 0, run.err
    assert (
        f"screening: warning: the referral of case {case_id} written with --out was not "
        f"removed; delete it yourself if it must go: {elsewhere}"
    ) in run.err.splitlines()
    assert elsewhere.exists()


def test_delete_that_cannot_remove_the_file_says_so_and_exits_1(
    cli: Cli, store: SqliteStore, small_file: Path, home: Path
) -> None:
    case_id = complete_case(store, small_file)
    [referral, _] = referral_files(home, case_id)
    referral.unlink()
    referral.mkdir()  # cannot be unlinked as a file
    run = cli("cases", "delete", case_id, "--yes")
    assert run.code == 1
    assert f"deleted case {case_id}" in run.err
    assert (
        f"screening: error: case {case_id} was deleted, but its referral file {referral} could "
        "not be removed"
    ) in run.err
    with pytest.raises(StoreError):
        store.get_case(case_id)


def test_purge_removes_the_referral_files_of_the_purged_cases(
    cli: Cli, store: SqliteStore, small_file: Path, home: Path
) -> None:
    now = datetime.now(UTC)
    old = new_case(store, small_file, answers=DRAFT_ANSWERS, now=now - timedelta(days=100))
    recent = new_case(store, small_file, answers=DRAFT_ANSWERS, now=now - timedelta(days=80))
    doomed = referral_files(home, old)
    kept = referral_files(home, recent)
    run = cli("cases", "purge", "--older-than", "90d", "--yes")
    assert run.code == 0, run.err
    assert run.out.split() == [old]
    assert not any(os.path.lexists(path) for path in doomed)
    assert all(path.exists() for path in kept)
    assert run.err.splitlines()[-1] == (
        "screening: removed 2 referral files of the deleted cases from the store's folder: "
        f"{home / 'referrals'}"
    )


def test_delete_in_arabic_puts_the_path_on_its_own_line(
    cli: Cli, store: SqliteStore, small_file: Path, home: Path
) -> None:
    case_id = complete_case(store, small_file)
    [referral, temporary] = referral_files(home, case_id)
    temporary.unlink()
    run = cli("cases", "delete", case_id, "--yes", "--ui-lang", "ar")
    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        f"screening: حُذفت الحالة {case_id}",
        f"screening: حُذف ملف إحالة الحالة {case_id} من مجلد المخزن:",
        " " * len("screening: ") + str(referral),
    ]


def test_a_removed_referral_is_overwritten_first_unless_linked_elsewhere(tmp_path: Path) -> None:
    from screening.store.paths import _scrub

    alone = tmp_path / "alone.json"
    alone.write_text(PRIVATE)
    _scrub(alone)
    assert alone.read_bytes() == b"\0" * len(PRIVATE.encode())
    shared = tmp_path / "shared.json"
    shared.write_text(PRIVATE)
    os.link(shared, tmp_path / "copy.json")
    _scrub(shared)
    assert (tmp_path / "copy.json").read_text() == PRIVATE


def test_delete_asks_on_the_streams_of_its_environment(
    store: SqliteStore, small_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from screening.cli import main
    from screening.cli.environment import Environment

    case_id = new_case(store, small_file, answers=DRAFT_ANSWERS)
    env = Environment(
        stdin=io.StringIO("maybe\nYes\n"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        environ=dict(os.environ),
        stdin_isatty=True,
        stdout_isatty=False,
    )
    code = 0
    try:
        main(["cases", "delete", case_id], env)
    except SystemExit as ended:
        code = int(ended.code or 0)
    assert code == 0
    said = env.stderr.getvalue()  # type: ignore[attr-defined]
    # asked, refused an answer that is neither yes nor no, asked again, deleted on "Yes"
    assert said.count(f"Delete case {case_id}") == 2
    assert said.count("[y/N]: ") == 2
    assert "Error: invalid input" in said
    with pytest.raises(StoreError):
        store.get_case(case_id)
    # nothing on the process's own streams
    assert capsys.readouterr() == ("", "")
