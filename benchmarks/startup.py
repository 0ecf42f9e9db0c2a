"""Start-up time of single calls, side by side with a bare Typer app, interleaved.

Four commands run in fresh processes, one after another in each round, so that machine noise
hits all alike: a bare two-command Typer app's ``--help`` and one of its subcommands, then
``screening --help`` and ``screening score case.yaml`` for a full case (the worked scenario
``construction_unpaid_wages`` of the default questionnaire). They run from an empty folder so
that ``python -m screening`` is the installed package, with its bytecode, and a cache folder of the run's own,
warmed once, as an officer's is after the first call. Prints each median and the two ratios.

Goals: ``--help`` within 1.05x the bare app's, ``score case.yaml`` within 1.1x the bare
subcommand's.

With ``--baseline CHECKOUT`` (a git worktree of an earlier commit), the same two screening
commands of that checkout run in the same rounds (on ``PYTHONPATH``, with a cache folder of their
own), so that a change is compared with what came before under the same noise.

Usage: .venv/bin/python benchmarks/startup.py [--runs 21] [--baseline ../earlier-checkout]
"""

from __future__ import annotations

import argparse
import os
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
    print(name)


@app.command()
def second(count: int = 1) -> None:
    """Second command."""


if __name__ == "__main__":
    app()
'''

CASE = """
import sys
from pathlib import Path

import yaml

from screening.scenarios import load_scenario, scenario_files

(path,) = [p for p in scenario_files() if p.stem == "construction-unpaid-wages"]
answers = dict(load_scenario(path).answers)
Path(sys.argv[1]).write_text(yaml.safe_dump({"case_id": "C-1", "answers": answers}), encoding="utf-8")
"""


def _time(command: list[str], cwd: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=env
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--baseline", type=Path, help="an earlier checkout to run alongside")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(folder) / "cache")}
        env.pop("SCREENING_NO_CACHE", None)
        # An installed package has bytecode (pip compiles it); a checkout run where this is set
        # would compile every module of screening afresh at each start, unlike Typer's.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        bare = Path(folder) / "bare.py"
        bare.write_text(BARE_APP)
        case = Path(folder) / "case.yaml"
        made = subprocess.run(
            [sys.executable, "-c", CASE, str(case)],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            check=False,
        )
        if made.returncode != 0:
            raise SystemExit(
                "screening is not installed in this Python: run the README's install first\n"
                + made.stderr
            )
        commands = {
            "bare Typer app --help": [sys.executable, str(bare), "--help"],
            "screening --help": [sys.executable, "-m", "screening", "--help"],
            "bare Typer subcommand": [sys.executable, str(bare), "first", "x"],
            "screening score case.yaml": [sys.executable, "-m", "screening", "score", str(case)],
        }
        envs = dict.fromkeys(commands, env)
        if args.baseline is not None:
            earlier = {
                **env,
                "PYTHONPATH": str(args.baseline.resolve()),
                "XDG_CACHE_HOME": str(Path(folder) / "cache-baseline"),
            }
            for name in ("screening --help", "screening score case.yaml"):
                commands[f"baseline {name[10:]}"] = commands[name]
                envs[f"baseline {name[10:]}"] = earlier
        where = subprocess.run(
            [sys.executable, "-c", "import screening; print(screening.__file__)"],
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            check=True,
        )
        print(f"screening from:             {where.stdout.strip()}")
        for name, command in commands.items():
            # warm the file cache, the bytecode and the compiled questionnaire
            _time(command, folder, envs[name])
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(_time(command, folder, envs[name]))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"runs each (interleaved):    {args.runs}")
    for name, median in medians.items():
        print(f"{name + ':':28}{median * 1000:7.1f} ms (median)")
    help_ratio = medians["screening --help"] / medians["bare Typer app --help"]
    score_ratio = medians["screening score case.yaml"] / medians["bare Typer subcommand"]
    print(f"{'ratio --help:':28}{help_ratio:7.2f} (goal <= 1.05)")
    print(f"{'ratio score case.yaml:':28}{score_ratio:7.2f} (goal <= 1.10)")
    if args.baseline is not None:
        earlier_help = medians["baseline --help"] / medians["bare Typer app --help"]
        earlier_score = medians["baseline score case.yaml"] / medians["bare Typer subcommand"]
        print(f"{'baseline ratio --help:':28}{earlier_help:7.2f}")
        print(f"{'baseline ratio score:':28}{earlier_score:7.2f}")


if __name__ == "__main__":
    main()
