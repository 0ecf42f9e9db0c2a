"""Reading one YAML answers file in a fresh process, imports included, interleaved.

Each run is a fresh process that imports ``screening.answers`` (the checking of answer sets,
which every way of reading pays), then starts the clock, imports ``screening.answer_files``,
reads the case file and makes its answer set, and prints the time and whether PyYAML was
imported. The case is the one ``benchmarks/startup.py`` scores: the worked scenario
``construction_unpaid_wages`` written by ``yaml.safe_dump``.

With ``--baseline CHECKOUT`` (a git worktree of an earlier commit), that checkout runs in the same
rounds (on ``PYTHONPATH``), so that a change is compared with what came before under the same
noise.

Usage: .venv/bin/python benchmarks/answers_file.py [--runs 21] [--baseline ../earlier-checkout]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CASE = """
import sys
from pathlib import Path

import yaml

from screening.scenarios import load_scenario, scenario_files

(path,) = [p for p in scenario_files() if p.stem == "construction-unpaid-wages"]
answers = dict(load_scenario(path).answers)
Path(sys.argv[1]).write_text(yaml.safe_dump({"case_id": "C-1", "answers": answers}), encoding="utf-8")
"""

READ = """
import sys
import time

import screening.answers

started = time.perf_counter()
from screening.answer_files import read_answer_sets

items, _ = read_answer_sets(sys.argv[1])
(found,) = list(items)
elapsed = time.perf_counter() - started
assert isinstance(found, screening.answers.AnswerSet), found
print(elapsed * 1000, "yaml" in sys.modules)
"""


def _run(case: Path, env: dict[str, str], cwd: str) -> tuple[float, bool]:
    done = subprocess.run(
        [sys.executable, "-c", READ, str(case)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=True,
    )
    elapsed, imported = done.stdout.split()
    return float(elapsed), imported == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--baseline", type=Path, help="an earlier checkout to run alongside")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: with bytecode
        case = Path(folder) / "case.yaml"
        subprocess.run([sys.executable, "-c", CASE, str(case)], cwd=folder, env=env, check=True)
        envs = {"this checkout": env}
        if args.baseline is not None:
            envs["baseline"] = {**env, "PYTHONPATH": str(args.baseline.resolve())}
        for name in envs:
            _run(case, envs[name], folder)  # warm the file cache and the bytecode
        times: dict[str, list[float]] = {name: [] for name in envs}
        imported: dict[str, bool] = {}
        for _ in range(args.runs):
            for name in envs:
                elapsed, imported[name] = _run(case, envs[name], folder)
                times[name].append(elapsed)
    print(f"runs each (interleaved):    {args.runs}")
    for name, values in times.items():
        yaml = "imports yaml" if imported[name] else "no yaml"
        print(f"{name + ':':28}{statistics.median(values):7.1f} ms (median; {yaml})")


if __name__ == "__main__":
    main()
