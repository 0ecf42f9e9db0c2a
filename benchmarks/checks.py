"""Cost of the cross-reference checks against the size of the questionnaire.

Builds questionnaires of N questions in the shapes whose checks once cost time quadratic in N
(half the questions asked only when a dimension is positive or a count is reached, one
dimension per indicator, the indicators one long chain of references) and times
`screening.checks.check` on each, best of a few runs, next to the time to validate the model
from plain data (pydantic, linear) as a baseline measured in the same run. The checks are linear
when their time per question stays flat as N grows.

Usage: python benchmarks/checks.py [--sizes 1000 2000 4000 8000] [--runs 3]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from screening.checks import check
from screening.model import Questionnaire


def shape(n: int) -> dict[str, Any]:
    """The questionnaire of n questions as plain data (the same shape as the suite's test)."""
    questions: list[dict[str, Any]] = []
    for i in range(n):
        question: dict[str, Any] = {"id": f"q{i}", "type": "yes_no", "text": "Q"}
        if i >= n // 2 and i % 2:
            question["when"] = {"dimension": f"d{i - n // 2}"}
        elif i >= n // 2:
            question["when"] = {"indicators": {"at_least": 1, "dimension": f"d{i - n // 2}"}}
        questions.append(question)
    indicators = [
        {
            "id": f"i{i}",
            "title": "I",
            "dimension": f"d{i}",
            "strength": "strong",
            "source": "x",
            "when": {"answer": f"q{i}", "equals": "yes"}
            if i == 0
            else {"any": [{"answer": f"q{i}", "equals": "yes"}, {"indicator": f"i{i - 1}"}]},
        }
        for i in range(n // 2)
    ]
    return {
        "id": "big",
        "version": "1",
        "title": "Big",
        "languages": [{"code": "en", "name": "English"}],
        "sections": [{"id": "s", "title": "S", "questions": questions}],
        "dimensions": [{"id": f"d{i}", "title": "D"} for i in range(n // 2)],
        "indicators": indicators,
        "outcomes": [{"code": "none", "title": "N", "action": "A", "category": "c"}],
    }


def best(runs: int, work: Any) -> float:
    """The shortest of ``runs`` timings of ``work()``, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'questions':>9} {'model s':>8} {'checks s':>9} {'checks us/question':>19} {'checks/model':>13}"
    )
    for n in args.sizes:
        data = shape(n)
        model_time = best(args.runs, lambda data=data: Questionnaire.model_validate(data))

        def checked(data: dict[str, Any] = data) -> None:
            findings = check(Questionnaire.model_validate(data))
            assert not findings, findings[:3]

        checks_time = best(args.runs, checked) - model_time
        print(
            f"{n:>9,} {model_time:>8.3f} {checks_time:>9.3f} {checks_time / n * 1e6:>19.1f} "
            f"{checks_time / model_time:>13.2f}"
        )


if __name__ == "__main__":
    main()
