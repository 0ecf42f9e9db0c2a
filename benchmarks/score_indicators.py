"""Scoring cost against the number of indicators: `screening score` on questionnaires that hold
the default questionnaire's indicators once, twice, four and eight times.

Each copy of an indicator has its own id and the same condition, so every copy is evaluated,
observed, counted and exported like the original. The same answer sets (JSON Lines) are scored
through the CLI's own entry point for each questionnaire, and the cost per set is printed with
what each indicator adds: the cost is linear in the number of indicators when that stays flat.
The json-only floor of `score.py` is printed too, to show how busy the machine was.

Usage: python benchmarks/score_indicators.py [--copies 1 2 4 8] [--sets 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import tempfile
from pathlib import Path
from typing import Any

import yaml
from score import floor, random_answer_set, screening_score

from screening.loader import read_document
from screening.questionnaires import bundled_dir, resolve


def scaled(data: dict[str, Any], copies: int) -> dict[str, Any]:
    """The questionnaire with each indicator ``copies`` times (the copies' ids end in _cN)."""
    out = copy.deepcopy(data)
    out["id"] = f"{data['id']}_x{copies}"
    out["indicators"] = [
        {**indicator, "id": indicator["id"] if n == 0 else f"{indicator['id']}_c{n}"}
        for indicator in data["indicators"]
        for n in range(copies)
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--sets", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    default = resolve(None)
    source = read_document(bundled_dir() / Path(default.path).name)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        sets = Path(folder) / "sets.jsonl"
        with sets.open("w") as handle:
            for _ in range(args.sets):
                handle.write(json.dumps(random_answer_set(default.questionnaire, rng)) + "\n")
        print(
            f"{'indicators':>10} {'floor sets/s':>13} {'us/set':>8} {'us per added indicator':>23}"
        )
        first: tuple[int, float] | None = None
        for copies in args.copies:
            path = Path(folder) / f"x{copies}.yaml"
            path.write_text(yaml.safe_dump(scaled(source.data, copies), allow_unicode=True))
            base = floor(sets, Path(folder) / "floor.jsonl")
            # The answer sets name no questionnaire, so -q decides which one scores them.
            seconds = screening_score(sets, Path(folder) / "out.jsonl", str(path))
            indicators = len(source.data["indicators"]) * copies
            cost = seconds / args.sets * 1e6
            if first is None:
                first = (indicators, cost)
                added = ""
            else:
                added = f"{(cost - first[1]) / (indicators - first[0]):.2f}"
            print(f"{indicators:>10} {args.sets / base:>13,.0f} {cost:>8.0f} {added:>23}")


if __name__ == "__main__":
    main()
