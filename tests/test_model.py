"""The questionnaire model: its constants, and what importing it costs."""

from __future__ import annotations

import subprocess
import sys


def test_the_ilo_rule_is_what_validating_it_gives() -> None:
    from screening.model import ILO_RULE, MinimumCounts

    validated = [MinimumCounts.model_validate(c.model_dump(exclude_unset=True)) for c in ILO_RULE]
    assert validated == list(ILO_RULE)
    assert [c.model_fields_set for c in validated] == [c.model_fields_set for c in ILO_RULE]
    assert [(c.strong, c.medium, c.weak) for c in ILO_RULE] == [
        (2, 0, 0),
        (1, 1, 0),
        (1, 0, 1),
        (0, 3, 0),
        (0, 2, 1),
    ]


def test_importing_the_model_builds_no_validator() -> None:
    code = (
        "import sys\n"
        "import screening.model as m\n"
        "from pydantic import BaseModel\n"
        "built = [n for n, c in vars(m).items() if isinstance(c, type) and issubclass(c, BaseModel)"
        " and c.__pydantic_complete__]\n"
        "print(built, 'importlib.metadata' in sys.modules, 're2' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["[]", "False", "False"]  # no validator, RE2 when used
