"""`screening score -` answers JSON Lines record by record while the pipe stays open."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60.0  # seconds: a bound on a hang, far above the time one record takes


def _lines(stream: IO[bytes], out: queue.Queue[bytes]) -> None:
    for line in iter(stream.readline, b""):
        out.put(line)
    out.put(b"")


def test_each_referral_is_written_before_the_next_record_is_read(small: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "screening", "score", "-", "-q", str(small)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    received: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, received), daemon=True).start()
    try:
        process.stdin.write(b'{"case_id": "first", "answers": {"hours": 15}}\n')
        process.stdin.flush()
        # the pipe stays open: the first referral must come back before the second record exists
        first = json.loads(received.get(timeout=WAIT))
        assert first["case_id"] == "first", first
        assert [i["id"] for i in first["indicators"]] == ["long_hours"]
        process.stdin.write(b'{"case_id": "second", "answers": {"age": 20}}\n')
        process.stdin.flush()
        second = json.loads(received.get(timeout=WAIT))
        assert second["case_id"] == "second"
        assert second["indicators"] == []
        process.stdin.close()
        assert received.get(timeout=WAIT) == b""
        assert process.wait(timeout=WAIT) == 0
    finally:
        process.kill()
        process.wait(timeout=WAIT)
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()


def test_a_bad_record_on_an_open_pipe_is_reported_and_the_next_one_answered(small: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "screening", "score", "-", "-q", str(small)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    received: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, received), daemon=True).start()
    try:
        process.stdin.write(b'{"case_id": "a"}\n{"answers": {"age": "old"}}\n{"case_id": "c"}\n')
        process.stdin.flush()
        assert json.loads(received.get(timeout=WAIT))["case_id"] == "a"
        assert json.loads(received.get(timeout=WAIT))["case_id"] == "c"
        process.stdin.close()
        assert process.wait(timeout=WAIT) == 1
        assert "<stdin>:2: " in process.stderr.read().decode()
    finally:
        process.kill()
        process.wait(timeout=WAIT)
        process.stdout.close()
        process.stderr.close()


def test_a_json_lines_file_with_blank_lines_keeps_record_numbers(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", "-", "-q", str(small), stdin=b'\n\n{"case_id": "a"}\n[2]\n')
    assert run.code == 1
    assert [json.loads(line)["case_id"] for line in run.out.splitlines()] == ["a"]
    assert "<stdin>:4: " in run.err


def test_one_json_line_is_one_referral_on_one_line(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("score", "-", "-q", str(small), stdin=b'{"case_id": "a"}\n')
    assert run.code == 0, run.err
    assert len(run.out.splitlines()) == 1
    assert json.loads(run.out)["case_id"] == "a"


def test_a_pretty_printed_json_document_is_read_whole(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    document = json.dumps({"case_id": "p", "answers": {"age": 20}}, indent=2).encode()
    run = cli("score", "-", "-q", str(small), stdin=document)
    assert run.code == 0, run.err
    assert json.loads(run.out)["case_id"] == "p"
    assert run.out.startswith("{\n")
