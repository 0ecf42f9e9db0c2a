"""The benchmark scripts still run (tiny sizes; their figures are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("autosave.py", ["--answers", "20"]),
        ("interview.py", ["--answers", "20"]),
        ("score_indicators.py", ["--copies", "1", "2", "--sets", "5"]),
        ("checks.py", ["--sizes", "20", "40", "--runs", "1"]),
        ("startup.py", ["--runs", "1"]),
        ("answers_file.py", ["--runs", "1"]),
        (
            "encryption.py",
            ["--answers", "20", "--sets", "10", "--rounds", "1", "--kdf-time", "0.01"],
        ),
    ],
)
def test_benchmark_runs(script: str, args: list[str], tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stderr  # autosave exits 1 when its goal is missed
    assert "Traceback" not in run.stderr
    assert run.stdout.strip()


def test_score_benchmark_prints_a_row_per_size(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "score.py"), "--sizes", "4", "6"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rows = [line.split() for line in run.stdout.splitlines() if line.split()[:1] in (["4"], ["6"])]
    assert [row[0] for row in rows] == ["4", "6"]
    assert all(float(row[2].replace(",", "")) > 0 for row in rows)


def test_postgres_benchmark_runs(pg_cluster: object, tmp_path: Path) -> None:
    """Its own throw-away cluster (the fixture only makes the test skip, or fail in CI, without
    the server binaries)."""
    run = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "postgres.py"),
            "--answers",
            "20",
            "--officers",
            "2",
            "--per-officer",
            "5",
            "--cases",
            "200",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stderr  # 1 when a goal is missed
    assert "Traceback" not in run.stderr
    assert "answers lost: 0" in run.stdout
    assert "cases stats on 200 cases" in run.stdout
