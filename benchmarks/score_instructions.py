"""Instructions per answer set of `screening score`, counted by callgrind: a noise-free check.

Times on a shared machine vary by 5 % or more between runs; instruction counts do not. This runs
`screening score FILE.jsonl --out FILE` under `valgrind --tool=callgrind` twice, on one answer
set and on N, and prints (count(N) - count(1)) / (N - 1): the instructions each further set costs,
start-up left out. With `--baseline DIR` (another checkout of the project, a git worktree of an
earlier commit say) the same is counted for it in the same run, for a side-by-side comparison.

Usage: python benchmarks/score_instructions.py [--sets 1000] [--baseline DIR] [--questionnaire ID]
Needs valgrind. Takes about a minute per checkout (callgrind runs Python about 50 times slower).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from score import random_answer_set

from screening.questionnaires import resolve

RUN = (
    "import sys\n"
    "from screening.cli import main\n"
    "try:\n"
    "    main(['score', sys.argv[1], '--out', sys.argv[2]])\n"
    "except SystemExit as exc:\n"
    "    sys.exit(exc.code)\n"
)


def instructions(checkout: Path, answers: Path, out: Path) -> int:
    """Instructions callgrind counts for one run of `screening score` from ``checkout``."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out.unlink(missing_ok=True)  # an existing --out is refused (a baseline may lack --force)
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            RUN,
            str(answers),
            str(out),
        ],
        env=env,
        cwd=answers.parent,
        capture_output=True,
        text=True,
        check=True,
    )  # run from elsewhere: `python -c` puts the working folder first on the import path
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def per_set(checkout: Path, one: Path, many: Path, sets: int, out: Path) -> tuple[float, int]:
    """Instructions per further answer set, and the count for a single set (start-up)."""
    first = instructions(checkout, one, out)
    return (instructions(checkout, many, out) - first) / (sets - 1), first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=1_000)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout to count too")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--questionnaire", default=None, help="a bundled id, ID@VERSION to compare versions"
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed")
    questionnaire = resolve(args.questionnaire).questionnaire
    rng = random.Random(args.seed)
    here = Path(__file__).resolve().parent.parent
    checkouts = [("this checkout", here)] + (
        [("baseline", args.baseline.resolve())] if args.baseline else []
    )
    with tempfile.TemporaryDirectory() as folder:
        one, many, out = (
            Path(folder, "one.jsonl"),
            Path(folder, "many.jsonl"),
            Path(folder, "out.jsonl"),
        )
        named = {"questionnaire": args.questionnaire} if args.questionnaire else {}
        records = [
            json.dumps({**named, **random_answer_set(questionnaire, rng)}) for _ in range(args.sets)
        ]
        one.write_text(records[0] + "\n")
        many.write_text("\n".join(records) + "\n")
        print(f"{'':<15} {'instructions/set':>17} {'start-up':>15}")
        for name, checkout in checkouts:
            cost, start = per_set(checkout, one, many, args.sets, out)
            print(f"{name:<15} {cost:>17,.0f} {start:>15,}")


if __name__ == "__main__":
    main()
