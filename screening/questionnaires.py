"""Finding and loading questionnaires: bundled ones by id, any file by path (adapter).

The bundled questionnaires ship inside the package as ``screening.indicators`` (the top-level
``indicators/`` folder of the source tree) and are found through ``importlib.resources``, so
they work from a wheel installed anywhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from screening.checks import check
from screening.errors import Problem, QuestionnaireError, UsageError
from screening.loader import Document, read_document
from screening.model import Questionnaire

DEFAULT_QUESTIONNAIRE = "ilo_adult_labour"
"""The id of the default questionnaire, used by every command unless told otherwise."""


@dataclass(frozen=True)
class LoadedQuestionnaire:
    """A checked questionnaire with where it came from and the SHA-256 of its file's bytes."""

    questionnaire: Questionnaire
    path: str
    sha256: str


def bundled_dir() -> Path:
    """The folder of the bundled questionnaires (inside the installed package)."""
    try:
        root = resources.files("screening.indicators")
    except ModuleNotFoundError:  # a source checkout run without installing
        return Path(__file__).resolve().parent.parent / "indicators"
    if isinstance(root, Path):
        return root
    # A namespace package gives a MultiplexedPath: its entries are real paths.
    for entry in root.iterdir():
        if isinstance(entry, Path):
            return entry.parent
    return Path(__file__).resolve().parent.parent / "indicators"


def bundled_files() -> list[Path]:
    """Every bundled questionnaire file, sorted by name."""
    return sorted(p for p in bundled_dir().glob("*.yaml") if p.is_file())


def _pydantic_problems(doc: Document, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, int, str]] = set()
    for item in error.errors(include_url=False, include_input=False):
        loc = tuple(item["loc"])
        kind = item["type"]
        ctx: dict[str, Any] = dict(item.get("ctx") or {})
        message = _message(loc, kind, str(item["msg"]), ctx)
        if kind == "unknown_key":
            problem = doc.problem((*loc, ctx["key"]), message, code=kind, key=True)
        else:
            problem = doc.problem(loc, message, code=kind)
        marker = (problem.line or 0, problem.column or 0, problem.message)
        if marker not in seen:
            seen.add(marker)
            problems.append(problem)
    return problems


_TEXT_UNION = ("str", "dict[constrained-str,str]")


def _message(loc: tuple[Any, ...], kind: str, msg: str, ctx: dict[str, Any]) -> str:
    names = [
        p for p in loc if isinstance(p, str) and not p.startswith("<") and p not in _TEXT_UNION
    ]
    field = names[-1] if names else ""
    if any(p in _TEXT_UNION for p in loc):
        return f"'{field}' must be text or a map of language code to text"
    if kind == "missing":
        return f"missing required key '{field}'"
    if kind == "union_tag_invalid":
        return f"unknown {ctx.get('discriminator', 'type').strip(chr(39))} '{ctx.get('tag')}'; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"missing key {ctx.get('discriminator')}"
    if kind in ("unknown_key", "condition_kind") or kind.startswith(
        ("condition_", "rule_", "bad_")
    ):
        return msg
    if kind == "string_pattern_mismatch" and field in (
        "id",
        "value",
        "code",
        "dimension",
        "answer",
    ):
        return f"'{field}' must be an identifier: lower case letters, digits and _ , starting with a letter"
    if kind == "too_short" and field:
        return f"'{field}' must not be empty"
    return f"'{field}': {msg[0].lower() + msg[1:]}" if field else msg


def check_document(doc: Document) -> Questionnaire:
    """Validate parsed YAML as a questionnaire, then run every cross-reference check.

    Raises:
        QuestionnaireError: with every problem, each located at its line and column.
    """
    try:
        questionnaire = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        raise QuestionnaireError(sorted(_pydantic_problems(doc, exc), key=_order)) from None
    findings = check(questionnaire)
    if findings:
        problems = [doc.problem(f.loc, f.message, code=f.code, key=f.key) for f in findings]
        raise QuestionnaireError(sorted(problems, key=_order))
    return questionnaire


def _order(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


def load_path(path: Path, *, display: str | None = None) -> LoadedQuestionnaire:
    """Load and check a questionnaire file.

    Raises:
        QuestionnaireError: the file is unreadable or invalid; every problem is located.
    """
    doc = read_document(path, display=display)
    return LoadedQuestionnaire(check_document(doc), doc.path, doc.sha256)


@functools.cache
def _bundled_index() -> dict[str, Document]:
    """The bundled questionnaires by id, parsed (finding the ids parses them anyway)."""
    index: dict[str, Document] = {}
    for path in bundled_files():
        try:
            doc = read_document(path, display=f"<bundled>/{path.name}")
        except QuestionnaireError:
            continue
        ident = doc.data.get("id")
        if isinstance(ident, str):
            index.setdefault(ident, doc)
    return index


def bundled_ids() -> list[str]:
    """The ids of the bundled questionnaires, sorted."""
    return sorted(_bundled_index())


def resolve(ref: str | None, *, files: bool = True) -> LoadedQuestionnaire:
    """Load a questionnaire by path or by bundled id (the default when ``ref`` is None).

    Args:
        ref: A file path or a bundled id.
        files: Whether ``ref`` may be a file. ``False`` for a name that comes from data (an
            answers record, a stored case) rather than from the command line: only the
            bundled questionnaires are looked at, never a file of that name.

    Raises:
        UsageError: ``ref`` is neither a file nor a bundled id.
        QuestionnaireError: the questionnaire is invalid.
    """
    ref = ref or DEFAULT_QUESTIONNAIRE
    return _resolve_cached(ref, files)


@functools.cache
def _resolve_cached(ref: str, files: bool = True) -> LoadedQuestionnaire:
    candidate = Path(ref)
    if files and (candidate.suffix in (".yaml", ".yml", ".json") or candidate.exists()):
        return load_path(candidate)
    index = _bundled_index()
    if ref in index:
        doc = index[ref]
        return LoadedQuestionnaire(check_document(doc), doc.path, doc.sha256)
    known = ", ".join(sorted(index)) or "none"
    raise UsageError(
        f"no questionnaire '{ref}': not a file and not a bundled id (bundled: {known})",
        hint="Give a path to a questionnaire YAML file, or one of the bundled ids.",
    )
