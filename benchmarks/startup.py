"""Start-up time: `screening --help` against a bare two-command Typer app, side by side.

Both run as `python <entry> --help` in fresh processes, interleaved so that machine noise hits
both alike, from an empty folder so that `python -m screening` is the installed package (with the
bytecode pip compiled at install), as an officer runs it. Prints each median and their ratio
(goal: 1.2 or less).

Usage: .venv/bin/python benchmarks/startup.py [--runs 15]   (after the README's install)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = '''
import typer

app = typer.Typer()


@app.command()
def first(name: str) -> None:
    """First command."""


@app.command()
def second(count: int = 1) -> None:
    """Second command."""


if __name__ == "__main__":
    app()
'''


def _time(command: list[str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "bare.py"
        bare.write_text(BARE_APP)
        ours_cmd = [sys.executable, "-m", "screening", "--help"]
        bare_cmd = [sys.executable, str(bare), "--help"]
        where = subprocess.run(
            [sys.executable, "-c", "import screening; print(screening.__file__)"],
            capture_output=True, text=True, cwd=folder, check=False,
        )
        if where.returncode != 0:
            raise SystemExit("screening is not installed in this Python: run the README's install first")
        print(f"screening from:           {where.stdout.strip()}")
        _time(ours_cmd, folder), _time(bare_cmd, folder)  # warm the file cache and the bytecode
        ours: list[float] = []
        base: list[float] = []
        for _ in range(args.runs):
            ours.append(_time(ours_cmd, folder))
            base.append(_time(bare_cmd, folder))
    m_ours, m_base = statistics.median(ours), statistics.median(base)
    print(f"runs each:                {args.runs}")
    print(f"bare Typer app --help:    {m_base * 1000:7.1f} ms (median)")
    print(f"screening --help:         {m_ours * 1000:7.1f} ms (median)")
    print(f"ratio:                    {m_ours / m_base:7.2f} (goal <= 1.20)")


if __name__ == "__main__":
    main()
