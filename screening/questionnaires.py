"""Finding and loading questionnaires: bundled ones by id, any file by path (adapter).

The bundled questionnaires ship inside the package as ``screening.indicators`` (the top-level
``indicators/`` folder of the source tree) and are found through ``importlib.resources``, so
they work from a wheel installed anywhere.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from screening.errors import Problem, QuestionnaireError, UsageError
from screening.loader import Document, parse_document, read_limited
from screening.model import Questionnaire
from screening.plan import Plan, plan_of

# re-exported: finding questionnaires needs no model (screening.plans)
from screening.plans import DEFAULT_QUESTIONNAIRE as DEFAULT_QUESTIONNAIRE
from screening.plans import LoadedPlan as LoadedPlan
from screening.plans import bundled_dir as bundled_dir
from screening.plans import bundled_files as bundled_files
from screening.plans import is_file_ref as is_file_ref
from screening.plans import resolve_plan as resolve_plan
from screening.plans import split_ref as split_ref
from screening.plans import version_key as version_key


@dataclass(frozen=True)
class LoadedQuestionnaire:
    """A checked questionnaire with where it came from and the SHA-256 of its file's bytes."""

    questionnaire: Questionnaire
    path: str
    sha256: str
    warnings: tuple[Problem, ...] = ()
    """What is not shown as written (stale translations), located; ``screening validate``
    prints them."""

    @property
    def plan(self) -> Plan:
        """The questionnaire's scoring plan."""
        return plan_of(self.questionnaire)


def _pydantic_problems(doc: Document, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, int, str]] = set()
    items = error.errors(include_url=False, include_input=False)
    # A text is a string or a map: when the map was meant (an error inside it), the error of
    # the string alternative says nothing more and is left out.
    deeper = {tuple(i["loc"])[:n] for i in items for n in range(len(i["loc"]))}
    meant_map = {loc[:-1] for loc in deeper if loc and loc[-1] in (_TEXT_MAP, "GenderedText")}
    for item in items:
        loc = tuple(item["loc"])
        if loc[-1:] == ("str",) and loc[:-1] in meant_map:
            continue
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


def pydantic_problems(doc: Document, error: ValidationError) -> list[Problem]:
    """The problems of a questionnaire's values that do not have the format's shape, located
    and in file order."""
    return sorted(_pydantic_problems(doc, error), key=_order)


def field_of(loc: tuple[Any, ...]) -> str:
    """The name of the text field a text's error is in (the key before the union's tags)."""
    return str(loc[loc.index(_TEXT_MAP) - 1]) if _TEXT_MAP in loc else ""


_TEXT_MAP = "dict[constrained-str,union[str,GenderedText]]"
_TEXT_UNION = ("str", _TEXT_MAP, "GenderedText")


def _message(loc: tuple[Any, ...], kind: str, msg: str, ctx: dict[str, Any]) -> str:
    names = [
        p for p in loc if isinstance(p, str) and not p.startswith("<") and p not in _TEXT_UNION
    ]
    field = names[-1] if names else ""
    if _TEXT_MAP in loc and loc[-1] != _TEXT_MAP:
        language = loc[loc.index(_TEXT_MAP) + 1]
        if "GenderedText" in loc and kind == "extra_forbidden":
            return (
                f"the forms by gender of the '{language}' text of '{field_of(loc)}' are `female`, "
                f"`male` and `neutral`; '{loc[-1]}' is not one of them"
            )
        if "GenderedText" in loc and kind == "missing":
            return (
                f"the '{language}' text of '{field_of(loc)}' has forms by gender: it needs both "
                "`female` and `male`"
            )
        return (
            f"the '{language}' text of '{field_of(loc)}' must be text, or its forms by gender "
            "{female: ..., male: ...}"
        )
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

    Returns:
        The questionnaire as it is shown: stale translations left out (see
        :func:`screening.texts.stale`).

    Raises:
        QuestionnaireError: with every problem, each located at its line and column.
    """
    return _check(doc)[0]


def check_source(doc: Document) -> Questionnaire:
    """:func:`check_document`, keeping the stale translations (for the translation tools)."""
    return _validated(doc)[0]


def _validated(doc: Document, *, snapshot: bool = False) -> tuple[Questionnaire, bytes | None]:
    """The questionnaire of parsed YAML, as written, once every check has passed; with
    ``snapshot``, its compiled snapshot too (when caching is on)."""
    from screening import compiled
    from screening.checks import check  # only when a questionnaire is compiled

    try:
        questionnaire = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        raise QuestionnaireError(sorted(_pydantic_problems(doc, exc), key=_order)) from None
    # taken before the checks use the questionnaire (and fill its lookups)
    taken = (
        compiled.snapshot(questionnaire) if snapshot and compiled.cache_dir() is not None else None
    )
    findings = check(questionnaire)
    if findings:
        problems = [doc.problem(f.loc, f.message, code=f.code, key=f.key) for f in findings]
        raise QuestionnaireError(sorted(problems, key=_order))
    return questionnaire, taken


def _check(doc: Document) -> tuple[Questionnaire, bytes | None, tuple[Problem, ...]]:
    """:func:`check_document`, the questionnaire's compiled snapshot (when caching is on and
    there is nothing to warn about), and the warnings."""
    from screening.checks import warnings
    from screening.texts import stale, without

    questionnaire, taken = _validated(doc, snapshot=True)
    found = warnings(questionnaire)
    notes = tuple(
        sorted((doc.problem(f.loc, f.message, code=f.code, key=f.key) for f in found), key=_order)
    )
    dropped = [s.loc for s in stale(questionnaire)]
    if dropped:  # a stale translation is not shown: the officer's language is, until reviewed
        questionnaire = Questionnaire.model_validate(without(doc.data, dropped))
    # a questionnaire with warnings is not cached, so that they are found every time
    return questionnaire, None if notes else taken, notes


def _order(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


def load_path(path: Path, *, display: str | None = None) -> LoadedQuestionnaire:
    """Load and check a questionnaire file (compiled once, then from the cache).

    Raises:
        QuestionnaireError: the file is unreadable or invalid; every problem is located.
    """
    name = display or str(path)
    raw = read_limited(path)
    return _compile(raw, hashlib.sha256(raw).hexdigest(), name)


def _compile(
    raw: bytes, sha256: str, name: str, doc: Document | None = None
) -> LoadedQuestionnaire:
    """The checked questionnaire of a file's bytes: from the cache, or parsed, checked and
    cached. Only a questionnaire that passes every check is cached, so the problems of an
    invalid file are found afresh every time."""
    from screening import compiled

    cached = compiled.load(sha256)
    if cached is not None:
        return LoadedQuestionnaire(cached, name, sha256)
    if doc is None:
        doc = parse_document(raw, name)
    questionnaire, snapshot, notes = _check(doc)
    if snapshot is not None:
        from screening.plan import plan_of

        compiled.store(sha256, questionnaire.id, questionnaire.version, snapshot)
        compiled.store_plan(sha256, plan_of(questionnaire))
    return LoadedQuestionnaire(questionnaire, name, sha256, notes)


@dataclass(frozen=True)
class _Bundled:
    """A bundled questionnaire file: its bytes, and its parsed YAML when it had to be read."""

    raw: bytes
    sha256: str
    name: str
    doc: Document | None
    path: Path


@functools.cache
def _bundled_index() -> dict[str, dict[str, _Bundled]]:
    """The bundled questionnaires by id, then by version (files that cannot be read are left
    out here and reported by ``screening validate``)."""
    index: dict[str, dict[str, _Bundled]] = {}
    for path in bundled_files():
        try:
            entry, ident, version = _bundled(path)
        except QuestionnaireError:
            continue
        if isinstance(ident, str) and isinstance(version, str):
            index.setdefault(ident, {}).setdefault(version, entry)
    from screening import compiled
    from screening.plans import bundled_table, keep_bundled_table

    if compiled.cache_dir() is not None and bundled_table() is None:
        keep_bundled_table(
            [
                (ident, version, entry.name, entry.sha256)
                for ident, versions in index.items()
                for version, entry in versions.items()
            ]
        )
    return index


def _bundled(path: Path) -> tuple[_Bundled, object, object]:
    """A bundled file, with its id and version: from the cache when it was compiled before;
    otherwise parsed, and compiled now (when valid) so that the next start finds it cached.

    Raises:
        QuestionnaireError: the file cannot be read or parsed.
    """
    from screening import compiled

    name = f"<bundled>/{path.name}"
    raw = read_limited(path)
    sha256 = hashlib.sha256(raw).hexdigest()
    known = compiled.header(sha256)
    if known is not None:
        return _Bundled(raw, sha256, name, None, path), *known
    doc = parse_document(raw, name)
    if compiled.cache_dir() is not None:
        with contextlib.suppress(QuestionnaireError):  # reported when it is asked for
            _compile(raw, sha256, name, doc)
    return _Bundled(raw, sha256, name, doc, path), doc.data.get("id"), doc.data.get("version")


def bundled_versions(ident: str) -> list[str]:
    """The bundled versions of a questionnaire id, oldest first (empty when not bundled)."""
    return sorted(_bundled_index().get(ident, {}), key=version_key)


def bundled_ids() -> list[str]:
    """The ids of the bundled questionnaires, sorted."""
    return sorted(_bundled_index())


def resolve(ref: str | None, *, files: bool = True) -> LoadedQuestionnaire:
    """Load a questionnaire by path or by bundled id (the default when ``ref`` is None).

    A bundled id may name a version, ``ilo_adult_labour@1.0.0``; without one, the newest
    bundled version is loaded.

    Args:
        ref: A file path, or a bundled id (optionally ``ID@VERSION``).
        files: Whether ``ref`` may be a file. ``False`` for a name that comes from data (an
            answers record, a stored case) rather than from the command line: only the
            bundled questionnaires are looked at, never a file of that name.

    Raises:
        UsageError: ``ref`` is neither a file nor a bundled id, or names a version not bundled.
        QuestionnaireError: the questionnaire is invalid.
    """
    ref = ref or DEFAULT_QUESTIONNAIRE
    return _resolve_cached(ref, files)


def is_bundled(ident: str, version: str | None = None) -> bool:
    """Whether the id (in that version, when given) is bundled."""
    versions = _bundled_index().get(ident, {})
    return bool(versions) and (version is None or version in versions)


def source_file(ref: str) -> tuple[Path, str, bool]:
    """The file behind a questionnaire reference, for the tools that edit it.

    Returns:
        The file's path, the name to show for it, and whether it is an older bundled version
        (kept byte for byte, so that the cases started on it still match its SHA-256).

    Raises:
        UsageError: ``ref`` is neither a file nor a bundled id, or names a version not bundled.
    """
    if is_file_ref(ref):
        return Path(ref), ref, False
    ident, version = split_ref(ref)
    versions = _bundled_index().get(ident)
    if not versions:
        _resolve_cached(ref)  # raises the usage error that names the bundled ids
    assert versions is not None
    newest = max(versions, key=version_key)
    chosen = version or newest
    if chosen not in versions:
        _resolve_cached(ref)  # raises the usage error that names the bundled versions
    entry = versions[chosen]
    return entry.path, entry.name, chosen != newest


@functools.cache
def _resolve_cached(ref: str, files: bool = True) -> LoadedQuestionnaire:
    if files and is_file_ref(ref):
        return load_path(Path(ref))
    index = _bundled_index()
    ident, version = split_ref(ref)
    if ident in index:
        versions = index[ident]
        if version is None:
            version = max(versions, key=version_key)
        if version in versions:
            entry = versions[version]
            return _compile(entry.raw, entry.sha256, entry.name, entry.doc)
        known_versions = ", ".join(bundled_versions(ident))
        raise UsageError(
            f"no version '{version}' of questionnaire '{ident}' (bundled: {known_versions})",
            hint=f"Name one of the bundled versions, e.g. {ident}@{bundled_versions(ident)[-1]}, "
            "or give the questionnaire's file.",
        )
    known = ", ".join(sorted(index)) or "none"
    raise UsageError(
        f"no questionnaire '{ref}': not a file and not a bundled id (bundled: {known})",
        hint="Give a path to a questionnaire YAML file, or one of the bundled ids "
        "(optionally with a version: ID@VERSION).",
    )
