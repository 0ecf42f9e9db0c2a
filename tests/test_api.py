"""The public Python API: docs/api.md runs as written, the names are there, and it behaves."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import screening
import screening.api

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("target", ["docs/api.md", "screening.api", "screening"])
def test_the_documented_examples_run(target: str) -> None:
    flags = doctest.ELLIPSIS
    if target.endswith(".md"):
        result = doctest.testfile(str(ROOT / target), module_relative=False, optionflags=flags)
    else:
        result = doctest.testmod(sys.modules[target], optionflags=flags)
    assert result.attempted > 0
    assert result.failed == 0


def test_every_public_name_resolves_and_is_documented() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in screening.__all__:
        assert getattr(screening, name) is not None
        assert f"`{name}`" in page, name
    assert set(screening.__all__) <= set(dir(screening))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = screening.nothing_here


def test_importing_the_package_loads_no_heavy_library() -> None:
    code = "import sys, screening; print(sorted(m for m in ('pydantic', 'yaml', 'rich', 'typer', 'screening.model') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]"


def test_the_stream_is_read_one_record_at_a_time() -> None:
    taken: list[int] = []

    def records() -> Iterator[dict[str, object]]:
        for number in range(1, 4):
            taken.append(number)
            yield {"case_id": str(number), "answers": {"age": 30}}

    results = screening.score_stream(records())
    first = next(results)
    assert first.referral is not None
    assert first.referral.case_id == "1"
    assert taken == [1]  # the second record was not asked for before the first was answered
    assert [r.number for r in results] == [2, 3]


def test_stream_records_as_bytes_and_bad_json_are_reported_in_place() -> None:
    results = list(
        screening.score_stream([b'{"answers": {"age": 30}}\n', b"{not json", b'{"a": 1, "a": 2}'])
    )
    assert [r.ok for r in results] == [True, False, False]
    assert results[1].problems[0].startswith("not valid JSON")
    assert results[2].problems == ["duplicate key 'a'"]


def test_a_questionnaire_file_and_a_record_that_names_another(small: Path) -> None:
    loaded = screening.load_questionnaire(small)
    assert screening.load_questionnaire(str(small)) is loaded
    referral = screening.score({"answers": {"hours": 15}}, loaded)
    assert [i["id"] for i in referral.indicators] == ["long_hours"]
    assert (
        screening.score({"questionnaire": "small@1", "answers": {}}, loaded).questionnaire.id
        == "small"
    )
    with pytest.raises(screening.AnswersError) as caught:
        screening.score({"questionnaire": "ilo_adult_labour", "answers": {}}, loaded)
    assert "names questionnaire 'ilo_adult_labour'" in caught.value.problems[0]


def test_the_api_gives_the_referral_the_command_gives(cli, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = {
        "case_id": "C-9",
        "language": "ar",
        "answers": {"age": 15, "name": "Ana", "passport": "no", "passport_when": "destination"},
    }
    path = tmp_path / "a.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    run = cli("score", str(path), "-q", str(small), "--redact")
    assert run.code == 0, run.err
    from_cli = json.loads(run.out)
    from_api = json.loads(screening.to_json(screening.score(record, small, redact=True)))
    for changing in ("referral_id", "created_at"):
        from_cli.pop(changing)
        from_api.pop(changing)
    assert from_api == from_cli


def test_validate_referral_refuses_what_is_not_a_referral() -> None:
    with pytest.raises(screening.ReferralError, match="not JSON"):
        screening.validate_referral("{")
    document = json.loads(screening.to_json(screening.score({"answers": {"age": 30}})))
    document["recommendation"]["outcome"] = 7
    with pytest.raises(screening.ReferralError) as caught:
        screening.validate_referral(document)
    assert caught.value.problems[0].startswith("recommendation.outcome: ")
    assert isinstance(caught.value, screening.ScreeningError)


def test_the_readme_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.+?)\n```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    assert capsys.readouterr().out == "labour_violation\n"
