"""Scoring throughput: `screening score` on JSON Lines, next to a json-only floor.

Generates random answer sets for a questionnaire (the default one unless told otherwise),
writes them as JSON Lines, then, for each size, times in this process:
  - the floor: reading every record with `json.loads` and writing it back with `json.dumps`;
  - screening: `screening score FILE.jsonl --out FILE` through the CLI's own entry point.
Prints answer sets per second for both, and the cost per set, at each size so that the cost can
be seen to be linear. Goal: 2,000 answer sets per second or more on one core.

Usage: python benchmarks/score.py [--sizes 1000 10000 100000] [--questionnaire ID|PATH] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from screening.model import (
    DateQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from screening.questionnaires import resolve
from screening.scoring import applicable_questions


def random_value(question: Question, rng: random.Random) -> Any:
    """A plausible random answer, with some "don't know" and "declined"."""
    if question.allow and rng.random() < 0.05:
        return rng.choice(question.allow)
    if isinstance(question, YesNoQuestion):
        return "yes" if rng.random() < 0.3 else "no"
    if isinstance(question, SingleChoiceQuestion):
        return rng.choice(question.choices).value
    if isinstance(question, MultipleChoiceQuestion):
        picked = [c.value for c in question.choices if rng.random() < 0.3]
        return picked or [question.choices[0].value]
    if isinstance(question, NumberQuestion):
        low = (
            int(question.validation.min)
            if question.validation and question.validation.min is not None
            else 0
        )
        high = (
            int(question.validation.max)
            if question.validation and question.validation.max is not None
            else 100
        )
        return rng.randint(low, high)
    if isinstance(question, DateQuestion):
        return f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if isinstance(question, TextQuestion):
        return "".join(rng.choice("abcdefgh ") for _ in range(rng.randint(5, 40)))
    raise TypeError(type(question).__name__)


def random_answer_set(q: Questionnaire, rng: random.Random) -> dict[str, Any]:
    """A random answer set in which every answer applies (skip logic honoured)."""
    answers = {
        qid: random_value(question, rng)
        for qid, question in q.questions().items()
        if not isinstance(question, NoteQuestion) and rng.random() < 0.95
    }
    _, kept = applicable_questions(q, answers)
    return {"case_id": f"B-{rng.getrandbits(32):08x}", "answers": kept}


def floor(path: Path, out: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as source, out.open("w") as sink:
        for line in source:
            sink.write(json.dumps(json.loads(line)) + "\n")
    return time.perf_counter() - started


def screening_score(path: Path, out: Path, questionnaire: str | None) -> float:
    from screening.cli import main

    args = ["score", str(path), "--out", str(out), "--force"]  # each size writes it again
    if questionnaire:
        args += ["-q", questionnaire]
    started = time.perf_counter()
    try:
        main(args)
    except SystemExit as exc:
        if exc.code:
            raise RuntimeError(f"screening score exited {exc.code}") from None
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--questionnaire", default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    loaded = resolve(args.questionnaire)
    rng = random.Random(args.seed)
    pool = [random_answer_set(loaded.questionnaire, rng) for _ in range(2_000)]
    print(
        f"questionnaire: {loaded.questionnaire.id} {loaded.questionnaire.version}: "
        f"{len(loaded.questionnaire.questions())} questions, {len(loaded.questionnaire.indicators)} indicators"
    )
    print(f"{'sets':>8} {'floor sets/s':>14} {'screening sets/s':>17} {'us/set':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"sets-{size}.jsonl"
            with path.open("w") as handle:
                for index in range(size):
                    handle.write(json.dumps(pool[index % len(pool)]) + "\n")
            base = floor(path, Path(folder) / "floor.jsonl")
            ours = screening_score(path, Path(folder) / "out.jsonl", args.questionnaire)
            print(
                f"{size:>8} {size / base:>14,.0f} {size / ours:>17,.0f} {ours / size * 1e6:>8.0f}"
            )


if __name__ == "__main__":
    main()
