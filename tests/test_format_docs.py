"""docs/questionnaire-format.md cannot fall behind the code.

The examples in the page are run, and every key and value of the format must be documented.
Conventions for the page's fenced blocks:

- every ```yaml block must be readable by the project's YAML loader;
- a ```yaml block whose first line that is not a comment is ``id: ...`` is a complete
  questionnaire and must validate, unless its first line is ``# invalid: NAME``;
- a ```yaml block whose first line is ``# invalid: NAME`` is a file with mistakes on purpose: it
  must fail to validate, and a ```console block shows what ``screening validate NAME`` prints;
- a ```yaml block whose first line is ``# condition`` holds one condition, or a list of them;
- a ```yaml block whose first line is ``# answers: outcome CODE`` is an answers file for one of
  the page's complete questionnaires, and scores as ``CODE``;
- a ```console block starts with ``$ screening ...``; the lines after it are exactly what the
  command prints (stdout, then stderr) when run next to the page's ``# invalid:`` files.
"""

from __future__ import annotations

import re
import shlex
import types
import typing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from screening.answers import answer_set_from_mapping, check_answer_set
from screening.checks import TEXT_FIELDS
from screening.errors import QuestionnaireError
from screening.loader import parse_document, parse_yaml
from screening.model import Condition, Questionnaire
from screening.questionnaires import check_document
from screening.scoring import assess

DOC = Path(__file__).resolve().parent.parent / "docs" / "questionnaire-format.md"

_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[A-Za-z0-9_-]*)\s*$")


@dataclass(frozen=True)
class Block:
    """A fenced code block of the page."""

    lang: str
    text: str
    line: int
    """The line of its opening fence (1-based), for messages."""

    @property
    def first_line(self) -> str:
        """Its first line."""
        return self.text.split("\n", 1)[0].strip()

    @property
    def first_content_line(self) -> str:
        """Its first line that is neither blank nor a comment."""
        for line in self.text.splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                return line
        return ""

    def __str__(self) -> str:
        return f"{DOC.name}:{self.line} ({self.lang} block)"


def _blocks() -> list[Block]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            body.append(lines[end][indent:] if lines[end][:indent].strip() == "" else lines[end])
            end += 1
        assert end < len(lines), f"{DOC.name}:{index + 1}: unclosed code block"
        out.append(Block(opening["lang"], "\n".join(body) + "\n", index + 1))
        index = end + 1
    return out


BLOCKS = _blocks()
YAML_BLOCKS = [b for b in BLOCKS if b.lang == "yaml"]
INVALID = [b for b in YAML_BLOCKS if b.first_line.startswith("# invalid:")]
COMPLETE = [b for b in YAML_BLOCKS if b.first_content_line.startswith("id:") and b not in INVALID]
CONDITIONS = [b for b in YAML_BLOCKS if b.first_line == "# condition"]
ANSWERS = [b for b in YAML_BLOCKS if b.first_line.startswith("# answers")]
CONSOLE = [b for b in BLOCKS if b.lang == "console"]


def _ids(blocks: list[Block]) -> list[str]:
    return [f"line{b.line}" for b in blocks]


def _questionnaire(block: Block) -> Questionnaire:
    return check_document(parse_document(block.text.encode("utf-8"), f"{DOC.name}:{block.line}"))


def test_the_page_has_each_kind_of_example() -> None:
    assert len(COMPLETE) >= 2
    assert len(CONDITIONS) >= 10
    assert INVALID
    assert ANSWERS
    assert CONSOLE


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=_ids(YAML_BLOCKS))
def test_every_yaml_block_is_readable(block: Block) -> None:
    try:
        _, _, found = parse_yaml(block.text, str(block))
    except QuestionnaireError as error:
        pytest.fail(f"{block}: {error.problems[0]}")
    assert found or not block.first_content_line, f"{block} is empty"


@pytest.mark.parametrize("block", COMPLETE, ids=_ids(COMPLETE))
def test_complete_questionnaires_validate(block: Block) -> None:
    try:
        _questionnaire(block)
    except QuestionnaireError as error:
        problems = "\n".join(f"  {p}" for p in error.problems)
        pytest.fail(f"{block} does not validate (lines counted from the fence):\n{problems}")


@pytest.mark.parametrize("block", INVALID, ids=_ids(INVALID))
def test_invalid_examples_are_invalid(block: Block) -> None:
    with pytest.raises(QuestionnaireError):
        _questionnaire(block)


_CONDITION = TypeAdapter(Condition)


@pytest.mark.parametrize("block", CONDITIONS, ids=_ids(CONDITIONS))
def test_condition_examples_are_conditions(block: Block) -> None:
    data, _, _ = parse_yaml(block.text, str(block))
    items = data if isinstance(data, list) else [data]
    for item in items:
        try:
            _CONDITION.validate_python(item)
        except ValidationError as error:
            pytest.fail(f"{block}: {item!r} is not a condition: {error}")


def _complete_by_id() -> dict[str, Questionnaire]:
    loaded = [_questionnaire(b) for b in COMPLETE]
    return {q.id: q for q in loaded}


@pytest.mark.parametrize("block", ANSWERS, ids=_ids(ANSWERS))
def test_answers_examples_score_as_the_page_says(block: Block) -> None:
    marker = re.fullmatch(r"# answers: outcome (\w+)", block.first_line)
    assert marker, f"{block}: the first line must be '# answers: outcome CODE'"
    data, _, _ = parse_yaml(block.text, str(block))
    answer_set = answer_set_from_mapping(data, str(block))
    questionnaires = _complete_by_id()
    assert answer_set.questionnaire in questionnaires, (
        f"{block}: 'questionnaire' must name one of the page's complete examples "
        f"({', '.join(sorted(questionnaires))})"
    )
    questionnaire = questionnaires[answer_set.questionnaire]
    checked = check_answer_set(questionnaire, answer_set)
    assessment = assess(questionnaire, checked.answers, checked.indicators)
    assert assessment.outcome.code == marker[1], f"{block}"


@pytest.mark.parametrize("block", CONSOLE, ids=_ids(CONSOLE))
def test_console_examples_print_what_the_page_shows(
    block: Block,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for invalid in INVALID:
        name = invalid.first_line.removeprefix("# invalid:").strip()
        (tmp_path / name).write_text(invalid.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    command, *expected = block.text.rstrip("\n").splitlines()
    assert command.startswith("$ screening "), f"{block}: starts with '$ screening ...'"
    run = cli(*shlex.split(command)[2:])  # after "$ screening"
    shown = (run.out + run.err).rstrip("\n").splitlines()
    assert shown == expected, f"{block}: the command prints something else"
    valid = (
        ("file valid" in block.text)
        or ("files valid" in block.text)
        or ('"valid": true' in block.text)
    )
    assert run.code == (0 if valid else 1)


# --------------------------------------------------------------------------- every key documented


def _walk(annotation: Any, models: dict[str, type[BaseModel]], values: set[str]) -> None:
    """Collect the models and the enumerated values reachable from a type annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        _walk(typing.get_args(annotation)[0], models, values)
    elif origin is typing.Literal:
        values.update(str(v) for v in typing.get_args(annotation))
    elif origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            _walk(arg, models, values)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.__name__ not in models:
            models[annotation.__name__] = annotation
            for field in annotation.model_fields.values():
                _walk(field.annotation, models, values)
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        values.update(str(member.value) for member in annotation)


def _format() -> tuple[dict[str, type[BaseModel]], set[str]]:
    models: dict[str, type[BaseModel]] = {}
    values: set[str] = set()
    _walk(Questionnaire, models, values)
    return models, values


def test_the_walk_reaches_every_part_of_the_format() -> None:
    models, values = _format()
    for name in (
        "Language",
        "ConsentQuestions",
        "Section",
        "Choice",
        "YesNoQuestion",
        "NoteQuestion",
        "NumberValidation",
        "TextValidation",
        "DateValidation",
        "SelectionValidation",
        "MinimumCounts",
        "Dimension",
        "Indicator",
        "Flag",
        "Outcome",
        "AnswerCondition",
        "CountSpec",
        "AllCondition",
        "AnyCondition",
        "NotCondition",
    ):
        assert name in models
    assert {"yes_no", "note", "rtl", "strong", "destination", "unanswered", "dont_know"} <= values


def _documented(name: str, page: str) -> bool:
    return f"`{name}`" in page or f"`{name}:" in page


@pytest.mark.parametrize("model", sorted(_format()[0]))
def test_every_key_is_documented(model: str) -> None:
    page = DOC.read_text(encoding="utf-8")
    cls = _format()[0][model]
    missing = [
        field.alias or name
        for name, field in cls.model_fields.items()
        if not _documented(field.alias or name, page)
    ]
    assert not missing, f"{model}: keys not documented in {DOC.name}: {', '.join(missing)}"


def test_every_enumerated_value_is_documented() -> None:
    page = DOC.read_text(encoding="utf-8")
    missing = sorted(v for v in _format()[1] if not _documented(v, page))
    assert not missing, f"values not documented in {DOC.name}: {', '.join(missing)}"


def test_the_list_of_shown_texts_is_complete() -> None:
    page = DOC.read_text(encoding="utf-8")
    section = page.split("## 3. Identifiers and shown text", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in TEXT_FIELDS if f"`{name}`" not in section]
    assert not missing, f"section 3 does not list these shown texts: {', '.join(missing)}"
