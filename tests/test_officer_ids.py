"""Officer and case ids with control characters (escape, bidirectional overrides, tabs, line
breaks) are refused before anything is stored, as answers and notes are."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run
from test_store import new_case

from screening.answers import id_problem
from screening.errors import StoreError
from screening.store import open_store

Cli = Callable[..., Run]

HOSTILE = {
    "right-to-left override": "epc\u202e710",
    "isolate": "epc\u2066017\u2069",
    "escape": "epc\x1b[31m017",
    "tab": "epc\t017",
    "line break": "epc\n017",
    "delete": "epc\x7f017",
    "C1 control": "epc\x9b017",
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=list(HOSTILE))
def test_the_rule(value: str) -> None:
    problem = id_problem("the officer id", value)
    assert problem.startswith("the officer id contains control characters")
    assert value not in problem


@pytest.mark.parametrize("value", ["epc-017", "अधिकारी-७", "ഓഫീസർ\u200d1", "officer one"])
def test_plain_ids_pass(value: str) -> None:
    assert id_problem("the officer id", value) == ""


def test_the_store_refuses_them_before_it_writes(location: str) -> None:
    with open_store(location) as store:
        with pytest.raises(StoreError, match="the officer id contains control characters"):
            new_case(store, officer=HOSTILE["escape"])
        assert store.list_cases() == []
        cid = new_case(store, officer="epc-017")
        head = store.audit_head()
        for value in HOSTILE.values():
            with pytest.raises(StoreError, match="control characters"):
                store.record_answer(cid, "age", 30, officer=value)
            with pytest.raises(StoreError, match="control characters"):
                store.record_note(cid, "age", "a note", officer=value)
            with pytest.raises(StoreError, match="control characters"):
                store.reassign(cid, value, by="epc-017")
            with pytest.raises(StoreError, match="control characters"):
                store.delete_case(cid, officer=value)
        assert store.audit_head() == head
        assert store.get_case(cid).answers == {}


def test_the_command_line_refuses_them_as_usage_errors(location: str, cli: Cli) -> None:
    with open_store(location) as store:
        cid = new_case(store, officer="epc-017")
    for args in (
        ("cases", "reassign", cid, "--to", HOSTILE["right-to-left override"]),
        ("cases", "delete", cid, "--yes", "--officer", HOSTILE["escape"]),
        ("cases", "export", cid, "--officer", HOSTILE["isolate"]),
        ("interview", "--officer", HOSTILE["line break"]),
    ):
        run = cli(*args)
        assert run.code == 2, (args, run.err)
        option = "--to" if "--to" in args else "--officer"
        assert f"screening: error: {option}: the officer id contains control characters" in run.err
        assert "\x1b" not in run.err
        assert "\u202e" not in run.err
    with open_store(location) as store:
        case = store.get_case(cid)
        assert case.officer == "epc-017"
        assert case.exported_at is None


def test_a_score_record_with_such_an_officer_or_case_id_is_refused(
    cli: Cli, small: Path, tmp_path: Path
) -> None:
    lines = [
        {"case_id": "first", "answers": {"age": 40}},
        {"case_id": "second", "officer": HOSTILE["right-to-left override"], "answers": {}},
        {"case_id": HOSTILE["escape"], "answers": {}},
        {"case_id": "last", "officer": "epc-017", "answers": {}},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    run = cli("score", str(batch), "-q", str(small))
    assert run.code == 1
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["first", "last"]
    errors = run.err.splitlines()
    assert any(
        e.startswith(f"screening: error: {batch}:2: 'officer' contains control") for e in errors
    )
    assert any(
        e.startswith(f"screening: error: {batch}:3: 'case_id' contains control") for e in errors
    )
    assert "\x1b" not in run.err
    assert "\u202e" not in run.err
