"""Sealed referrals: the age format, opened by pyrage and by the age tool; nothing in the clear."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyrage
import pytest
from conftest import SMALL, Run, write
from test_interview import MAIN, S, T
from test_interview import Run as InterviewRun
from test_interview import settings_for as interview_settings

from screening.files import write_private
from screening.keys import Holders, init_keys, read_key_file, unlock
from screening.store import SqliteStore, open_store

AGE = shutil.which("age")


def _identity(folder: Path, name: str = "centre") -> tuple[Path, str]:
    """An age identity file as age-keygen writes it (0600), and its recipient."""
    identity = pyrage.x25519.Identity.generate()
    path = folder / f"{name}.key"
    public = str(identity.to_public())
    write_private(path, f"# created: 2026-11-29\n# public key: {public}\n{identity}\n")
    return path, public


def _decrypt(data: bytes, key: Path) -> str:
    identities = [
        pyrage.x25519.Identity.from_str(line)
        for line in key.read_text(encoding="utf-8").splitlines()
        if line.startswith("AGE-SECRET-KEY-")
    ]
    return bytes(pyrage.decrypt(data, identities)).decode("utf-8")


def _age_decrypt(path: Path, key: Path) -> str:
    assert AGE is not None
    result = subprocess.run(
        [AGE, "--decrypt", "--identity", str(key), str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8")


def _marker() -> str:
    return "MARKER-" + secrets.token_hex(8)


def _answers(folder: Path, marker: str) -> Path:
    return write(
        folder,
        "answers.yaml",
        f"""\
        questionnaire: small
        case_id: case-1
        answers:
          name: "{marker}"
          passport: "no"
          passport_when: destination
          hours: 14
        """,
    )


def test_score_seal_to_writes_an_age_file_that_pyrage_and_age_open(
    tmp_path: Path, small: Path, cli: object
) -> None:
    key, recipient = _identity(tmp_path)
    marker = _marker()
    answers = _answers(tmp_path, marker)
    out = tmp_path / "referral.json.age"
    run: Run = cli(
        "score", str(answers), "-q", str(small), "--seal-to", recipient, "--out", str(out)
    )  # type: ignore[operator]
    assert run.code == 0, run.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    assert marker.encode() not in data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    document = json.loads(_decrypt(data, key))
    assert document["case_id"] == "case-1"
    assert {"question_id": "name", "value": marker} in [
        {k: a[k] for k in ("question_id", "value")} for a in document["answers"]
    ]
    if AGE is not None:
        assert json.loads(_age_decrypt(out, key)) == document
    run = cli("open", str(out), "--identity", str(key))  # type: ignore[operator]
    assert run.code == 0, run.err
    assert json.loads(run.out) == document


def test_the_age_tool_opens_a_sealed_referral(
    tmp_path: Path, small: Path, cli: object, command_line_tool: Callable[[str], str]
) -> None:
    command_line_tool("age")
    key, recipient = _identity(tmp_path)
    out = tmp_path / "r.age"
    run: Run = cli(
        "score",
        str(_answers(tmp_path, "x")),
        "-q",
        str(small),
        "--seal-to",
        recipient,
        "-o",
        str(out),
    )  # type: ignore[operator]
    assert run.code == 0, run.err
    assert json.loads(_age_decrypt(out, key))["case_id"] == "case-1"


def test_several_recipients_a_recipients_file_and_a_stranger(
    tmp_path: Path, small: Path, cli: object
) -> None:
    first, first_public = _identity(tmp_path, "first")
    second, second_public = _identity(tmp_path, "second")
    stranger, _ = _identity(tmp_path, "stranger")
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(f"# the centre\n{second_public}\n", encoding="utf-8")
    out = tmp_path / "r.age"
    run: Run = cli(  # type: ignore[operator]
        "score", str(_answers(tmp_path, "x")), "-q", str(small),
        "--seal-to", first_public, "--seal-to", str(recipients), "-o", str(out),
    )  # fmt: skip
    assert run.code == 0, run.err
    data = out.read_bytes()
    assert _decrypt(data, first) == _decrypt(data, second)
    run = cli("open", str(out), "--identity", str(stranger))  # type: ignore[operator]
    assert run.code == 1
    assert "cannot be opened with this identity" in run.err
    bad = cli("score", str(_answers(tmp_path, "x")), "-q", str(small), "--seal-to", "age1nonsense")  # type: ignore[operator]
    assert bad.code == 2
    assert "is not an age recipient" in bad.err


def test_a_sealed_referral_is_not_written_to_a_terminal_or_left_as_clear_text(
    tmp_path: Path, small: Path
) -> None:
    _key, recipient = _identity(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "screening", "score", str(_answers(tmp_path, "x")),
         "-q", str(small), "--seal-to", recipient],
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.startswith(b"age-encryption.org/v1\n")


# -- from the store ------------------------------------------------------------------------------


def _encrypted_store(home: Path, key_file: Path) -> SqliteStore:
    store = open_store(home)
    init_keys(
        store,
        Holders(passphrase="correct horse battery", key_file=key_file, kdf_time=0.01),
        write_key_file=write_private,
    )
    secret = read_key_file(key_file)[1]
    store.set_unlocker(lambda s: unlock(s, key_file=secret))
    return store


def test_an_interview_on_an_encrypted_store_keeps_its_referral_sealed(
    tmp_path: Path, cli: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_engine import INTERVIEW_YAML

    home = tmp_path / "home"
    key_file = tmp_path / "store.key"
    centre_key, centre = _identity(tmp_path)
    questionnaire = tmp_path / "interview_test.yaml"
    questionnaire.write_text(INTERVIEW_YAML, encoding="utf-8")
    marker = _marker()
    script = [step for step in MAIN]
    assert script[5] == T("Worker is shaking")
    assert script[-1] == T("ACME Ltd")
    script[5] = T(f"note {marker}")
    script[-1] = T(f"account {marker}")
    script += [S("finish"), S("yes")]
    with _encrypted_store(home, key_file) as store:
        store.set_setting("seal_to", centre)
        run = InterviewRun(store, home, interview_settings(questionnaire), script)
        result = run.run()
    path = result.referral_path
    assert path == home / "referrals" / f"{result.case_id}.json.age"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Nothing in the store's folder is clear text.
    for found in home.rglob("*"):
        if found.is_file():
            assert marker.encode() not in found.read_bytes(), found
    document = json.loads(_decrypt(path.read_bytes(), centre_key))  # the centre opens it
    assert document["case_id"] == result.case_id
    assert marker in json.dumps(document, ensure_ascii=False)
    if AGE is not None:
        assert json.loads(_age_decrypt(path, centre_key)) == document
    # The officer opens it with the store's own identity (the store's key unlocks it).
    monkeypatch.setenv("SCREENING_HOME", str(home))
    monkeypatch.delenv("SCREENING_STORE", raising=False)
    monkeypatch.setenv("SCREENING_KEY_FILE", str(key_file))
    opened: Run = cli("open", str(path))  # type: ignore[operator]
    assert opened.code == 0, opened.err
    assert json.loads(opened.out) == document
    # Deleting the case removes the sealed copy too.
    deleted: Run = cli("cases", "delete", result.case_id, "--yes")  # type: ignore[operator]
    assert deleted.code == 0, deleted.err
    assert not path.exists()


def test_cases_export_seals_to_the_stores_recipient_or_to_seal_to(
    location: str, tmp_path: Path, cli: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "store.key"
    centre_key, centre = _identity(tmp_path, "centre")
    other_key, other = _identity(tmp_path, "other")
    marker = _marker()
    with open_store(location) as store:
        init_keys(
            store,
            Holders(passphrase="correct horse battery", key_file=key_file, kdf_time=0.01),
            write_key_file=write_private,
        )
    monkeypatch.setenv("SCREENING_KEY_FILE", str(key_file))
    small = write(tmp_path, "small.yaml", SMALL)
    with open_store(location) as store:
        cid = store.create_case(
            questionnaire_id=str(small),
            questionnaire_version="1",
            questionnaire_sha256="ab" * 32,
            language="en",
            ui_language="en",
            officer="o",
        )
        store.record_answer(cid, "name", marker, officer="o")
    run: Run = cli("keys", "seal-to", centre)  # type: ignore[operator]
    assert run.code == 0, run.err
    out = tmp_path / "export.age"
    run = cli("cases", "export", cid, "-q", str(small), "--out", str(out))  # type: ignore[operator]
    assert run.code == 0, run.err
    assert marker.encode() not in out.read_bytes()
    assert marker in _decrypt(out.read_bytes(), centre_key)
    out2 = tmp_path / "export2.age"
    run = cli("cases", "export", cid, "-q", str(small), "--seal-to", other, "-o", str(out2))  # type: ignore[operator]
    assert run.code == 0, run.err
    assert marker in _decrypt(out2.read_bytes(), other_key)
    with pytest.raises(pyrage.DecryptError):
        _decrypt(out2.read_bytes(), centre_key)
    run = cli("keys", "seal-to", "--clear")  # type: ignore[operator]
    assert run.code == 0, run.err
    run = cli("cases", "export", cid, "-q", str(small))  # type: ignore[operator]
    assert run.code == 0, run.err
    assert marker in run.out  # asked for in the clear, on standard output


def test_a_rotation_keeps_the_stores_identity(tmp_path: Path) -> None:
    from screening.keys import rotate_keys
    from screening.seal import store_identity, write_referral

    home = tmp_path / "home"
    with _encrypted_store(home, tmp_path / "k") as store:
        target = home / "referrals"
        target.mkdir(mode=0o700)
        path = write_referral(store, target / "c.json", '{"a": 1}', kept=True)
        assert path == target / "c.json.age"
        rotate_keys(
            store,
            Holders(key_file=tmp_path / "k2", recovery=False, kdf_time=0.01),
            write_key_file=write_private,
        )
        identities = store_identity(store)
    assert json.loads(bytes(pyrage.decrypt(path.read_bytes(), identities)).decode()) == {"a": 1}


# -- the officer's day in a terminal ---------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal (pexpect)")
def test_an_officers_day_in_a_terminal(tmp_path: Path) -> None:
    """Unlock, interview, pause, resume, and the referral sealed to the centre (README)."""
    import pexpect
    from test_interview_e2e import QUESTIONNAIRE, TICK_ALL, answer, spawn

    home = tmp_path / "home"
    questionnaire = tmp_path / "e2e.yaml"
    questionnaire.write_text(QUESTIONNAIRE, encoding="utf-8")
    centre_key, centre = _identity(tmp_path)
    with _encrypted_store(home, tmp_path / "store.key") as store:
        store.set_setting("seal_to", centre)

    child = spawn(home, "-q", str(questionnaire), "--officer", "epc-017", "--lang", "en")
    child.expect_exact("Passphrase or recovery key for")
    child.sendline("not the passphrase")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "the passphrase does not unlock the case store" in str(child.before)

    child = spawn(home, "-q", str(questionnaire), "--officer", "epc-017", "--lang", "en")
    child.expect_exact("Passphrase or recovery key for")
    child.sendline("correct horse battery")
    child.expect_exact("Confirm")
    child.send(TICK_ALL)
    answer(child, "How old are you?", "41\r")
    answer(child, "Are you in danger right now?", "\x03")  # Ctrl-C: paused
    child.expect(r"interview paused: 1 answer saved in case (C-[0-9A-Z-]+)")
    case_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    child = spawn(home, "--resume", case_id, "--officer", "epc-017")
    child.expect_exact("Passphrase or recovery key for")
    child.sendline("correct horse battery")
    answer(child, "Are you in danger right now?", "2\r")
    answer(child, "Do you keep your passport?", "1\r")
    child.expect_exact("Finish and write the referral")
    child.send("\r")
    child.expect_exact("Finish the interview?")
    child.send("1\r")
    child.expect(r"Referral written to (\S+\.json\.age)")
    path = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert path == home / "referrals" / f"{case_id}.json.age"
    document = json.loads(_decrypt(path.read_bytes(), centre_key))
    assert document["case_id"] == case_id
    assert [a["question_id"] for a in document["answers"]] == ["age", "in_danger", "passport"]
    if AGE is not None:
        assert json.loads(_age_decrypt(path, centre_key)) == document
