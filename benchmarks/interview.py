"""Interview latency: the time from an answer to the next question being ready.

After the officer presses Enter, the interview checks the answer, commits it to the case store
(``record_answer``, a durable SQLite commit), moves the engine on (skip logic over every
question, a full live assessment, the flags just raised, progress) and draws the next screen.
This measures the first three per answer, on the default questionnaire with random valid
answers, one in ten going back to change an earlier answer as officers do; drawing the screen
is left out (it depends on the terminal).

Side by side, in the same run and directory and interleaved answer by answer, a baseline: a
bare ``sqlite3`` insert and commit with the store's PRAGMAs (the one of
``benchmarks/autosave.py``), the least any durable autosave can cost on this disk.

Goal (docs/interview.md, DESIGN.md section 8): engine + autosave under 10 ms per answer at the
95th percentile.

Usage::

    python benchmarks/interview.py                     # 1,000 answers, default questionnaire
    python benchmarks/interview.py --answers 5000 --questionnaire indicators/brief-screen.yaml
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import screening  # noqa: F401
except ModuleNotFoundError:  # run from a checkout without installing it
    sys.path.insert(0, str(HERE.parent))

from autosave import _baseline_connection, percentiles  # noqa: E402

from screening.answers import normalize_value  # noqa: E402
from screening.engine import InterviewEngine  # noqa: E402
from screening.model import (  # noqa: E402
    DateQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from screening.questionnaires import resolve  # noqa: E402
from screening.store import open_store  # noqa: E402

GOAL_P95_MS = 10.0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print p50/p95/p99/max in ms; exit 1 if the p95 misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000, help="answers to give (1000)")
    parser.add_argument("--questionnaire", help="file or bundled id (the default questionnaire)")
    parser.add_argument("--dir", type=Path, help="where to put the databases (a temporary dir)")
    parser.add_argument("--seed", type=int, default=2026, help="seed for the answers")
    args = parser.parse_args(argv)
    loaded = resolve(args.questionnaire)
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="interview-", dir=args.dir))
    else:
        workdir = Path(tempfile.mkdtemp(prefix="interview-"))
    try:
        samples, interviews = measure(
            workdir, loaded.questionnaire, args.answers, random.Random(args.seed)
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    q = loaded.questionnaire
    print(
        f"interview: {args.answers} answers in {interviews} interviews of '{q.id}' "
        f"({len(q.questions())} questions, {len(q.indicators)} indicators, {len(q.flags)} flags)"
    )
    print(
        f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.machine()}"
    )
    print(f"{'':<40}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for label, key in (
        ("engine step (check, move, assess)", "engine"),
        ("autosave (record_answer, durable)", "store"),
        ("engine + autosave, per answer", "total"),
        ("baseline (bare insert + commit)", "baseline"),
    ):
        p50, p95, p99 = percentiles(samples[key])
        print(f"{label:<40}{p50:>9.3f}{p95:>9.3f}{p99:>9.3f}{max(samples[key]):>9.3f}")
    p95 = percentiles(samples["total"])[1]
    verdict = "met" if p95 < GOAL_P95_MS else "MISSED"
    print(f"goal p95 < {GOAL_P95_MS:g} ms per answer: {verdict} ({p95:.3f} ms); times in ms")
    return 0 if p95 < GOAL_P95_MS else 1


def measure(
    workdir: Path, q: Any, answers: int, rng: random.Random
) -> tuple[dict[str, list[float]], int]:
    """Give ``answers`` answers through whole interviews; time each step."""
    samples: dict[str, list[float]] = {"engine": [], "store": [], "total": [], "baseline": []}
    baseline = _baseline_connection(workdir / "baseline.sqlite3")
    interviews = 0
    with open_store(workdir / "store") as store:
        engine: InterviewEngine | None = None
        case_id = ""
        while len(samples["total"]) < answers:
            if engine is None or engine.at_review:
                engine = InterviewEngine(q)
                case_id = store.create_case(
                    questionnaire_id=q.id,
                    questionnaire_version=q.version,
                    questionnaire_sha256="0" * 64,
                    language=q.default_language,
                    ui_language="en",
                    officer="bench",
                )
                interviews += 1
            question = engine.current
            assert question is not None
            if isinstance(question, NoteQuestion):
                engine.skip()
                continue
            value = _answer(question, rng)

            started = time.perf_counter()
            checked = engine.normalize(value)
            saved = time.perf_counter()
            store.record_answer(case_id, question.id, checked, officer="bench")
            stored = time.perf_counter()
            engine.answer(checked)
            engine.pending_flags()
            engine.progress()
            done = time.perf_counter()

            samples["store"].append((stored - saved) * 1000)
            samples["engine"].append(((saved - started) + (done - stored)) * 1000)
            samples["total"].append((done - started) * 1000)

            for flag in engine.pending_flags():  # the officer acknowledges; not timed
                store.acknowledge_flag(case_id, flag, officer="bench")
                engine.acknowledge(flag)
            if rng.random() < 0.1 and engine.back():
                engine.back()  # go back to change an earlier answer

            started = time.perf_counter()
            baseline.execute("BEGIN IMMEDIATE")
            baseline.execute(
                "INSERT INTO answers (case_id, question_id, value_json, recorded_at)"
                " VALUES (?, ?, ?, ?)",
                (case_id, question.id, repr(checked), time.time()),
            )
            baseline.execute("COMMIT")
            samples["baseline"].append((time.perf_counter() - started) * 1000)
    baseline.close()
    return samples, interviews


def _answer(question: Question, rng: random.Random) -> Any:
    """A random answer the question accepts ("don't know" now and then)."""
    allow = getattr(question, "allow", [])
    if allow and rng.random() < 0.05:
        return rng.choice(allow)
    for _ in range(100):
        value = _candidate(question, rng)
        _, problem = normalize_value(question, value)
        if not problem:
            return value
    return allow[0] if allow else _candidate(question, rng)


def _candidate(question: Question, rng: random.Random) -> Any:
    if isinstance(question, YesNoQuestion):
        return rng.choice(["yes", "no"])
    if isinstance(question, SingleChoiceQuestion):
        return rng.choice(question.choices).value
    if isinstance(question, MultipleChoiceQuestion):
        values = [c.value for c in question.choices]
        return rng.sample(values, rng.randint(0, min(3, len(values))))
    if isinstance(question, NumberQuestion):
        low = (
            question.validation.min
            if question.validation and question.validation.min is not None
            else 0
        )
        high = (
            question.validation.max
            if question.validation and question.validation.max is not None
            else 80
        )
        return rng.randint(int(low), int(high))
    if isinstance(question, DateQuestion):
        return f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if isinstance(question, TextQuestion):
        return "free text answer " * rng.randint(1, 6)
    return None


if __name__ == "__main__":
    raise SystemExit(main())
