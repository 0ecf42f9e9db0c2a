"""Questionnaires found by id or path, and their scoring plans, without the model (reader).

The bundled questionnaires live in the package (``screening/indicators/`` when installed, the
``indicators/`` folder of the source tree) and are found through ``importlib.resources``.

A single ``screening score case.yaml`` needs a questionnaire's scoring plan
(:mod:`screening.plan`), not its model: :func:`resolve_plan` finds the plan in the compiled
cache (:mod:`screening.compiled`) without parsing YAML or loading pydantic, and only when it is
not there loads the questionnaire through :func:`screening.questionnaires.resolve` (which
checks it, reports its problems, and caches it with its plan for the next call).

Which bundled file holds which id and version is known from the files' SHA-256 and their
compiled entries; to spare hashing every bundled file at every start, that table is kept in the
cache too, and trusted while each bundled file has the same size and modification time, as
Python trusts its bytecode cache.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path

from screening.plan import Plan
from screening.records import Record

DEFAULT_QUESTIONNAIRE = "ilo_adult_labour"
"""The id of the default questionnaire, used by every command unless told otherwise."""


def bundled_dir() -> Path:
    """The folder of the bundled questionnaires (inside the installed package)."""
    here = Path(__file__).parent
    if (here / "indicators").is_dir():  # installed: the data package screening.indicators
        return here / "indicators"
    source = here.parent / "indicators"
    if source.is_dir() and (here.parent / "pyproject.toml").is_file():  # a source checkout
        return source
    from importlib import resources

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
    folder = bundled_dir()
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(folder / n for n in names if n.endswith(".yaml") and (folder / n).is_file())


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key for versions: dotted numbers compare as numbers (``2.10.0`` after ``2.9.1``)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in version.split("."))


def split_ref(ref: str) -> tuple[str, str | None]:
    """``id@version`` as ``(id, version)``; a reference without ``@`` has no version."""
    ident, sep, version = ref.partition("@")
    return (ident, version) if sep else (ref, None)


def is_file_ref(ref: str) -> bool:
    """Whether a questionnaire reference names a file (a YAML or JSON name, or an existing
    path) rather than a bundled id."""
    candidate = Path(ref)
    return candidate.suffix in (".yaml", ".yml", ".json") or candidate.exists()


class LoadedPlan(Record):
    """A checked questionnaire's scoring plan, with where it came from and the SHA-256 of its
    file's bytes."""

    _fields = ("plan", "path", "sha256")
    __slots__ = _fields

    plan: Plan
    path: str
    sha256: str


def resolve_plan(ref: str | None, *, files: bool = True) -> LoadedPlan:
    """The scoring plan of a questionnaire, by path or by bundled id (as
    :func:`screening.questionnaires.resolve`, which it calls when the plan is not cached).

    Raises:
        UsageError: ``ref`` is neither a file nor a bundled id, or names a version not bundled.
        QuestionnaireError: the questionnaire is invalid.
    """
    from screening import compiled

    ref = ref or DEFAULT_QUESTIONNAIRE
    found = _cached(ref, files)
    if found is not None:
        return found
    from screening.plan import plan_of
    from screening.questionnaires import resolve

    loaded = resolve(ref, files=files)
    plan = plan_of(loaded.questionnaire)
    if not loaded.warnings:  # as the model: a questionnaire with warnings is never cached
        compiled.store_plan(loaded.sha256, plan)
    return LoadedPlan(plan, loaded.path, loaded.sha256)


def _cached(ref: str, files: bool) -> LoadedPlan | None:
    """The plan of a questionnaire reference from the cache alone, else ``None``."""
    from screening import compiled

    if compiled.cache_dir() is None:
        return None
    if files and is_file_ref(ref):
        import hashlib

        from screening.errors import QuestionnaireError
        from screening.reading import read_limited

        try:
            raw = read_limited(Path(ref))
        except QuestionnaireError:
            return None  # reported by the full load
        sha256 = hashlib.sha256(raw).hexdigest()
        plan = compiled.load_plan(sha256)
        return None if plan is None else LoadedPlan(plan, ref, sha256)
    table = bundled_table()
    if table is None:
        return None
    ident, version = split_ref(ref)
    versions = table.get(ident)
    if not versions:
        return None
    chosen = version or max(versions, key=version_key)
    if chosen not in versions:
        return None
    name, sha256 = versions[chosen]
    plan = compiled.load_plan(sha256)
    if plan is None or (plan.id, plan.version) != (ident, chosen):
        return None
    return LoadedPlan(plan, name, sha256)


_TABLE_KEY = "bundled"
_TABLE_KIND = ".index"


def _stamps() -> list[list[object]]:
    """Each bundled file's name, size and modification time."""
    out: list[list[object]] = []
    for path in bundled_files():
        info = os.stat(path)
        out.append([path.name, info.st_size, info.st_mtime_ns])
    return out


def bundled_table() -> dict[str, dict[str, tuple[str, str]]] | None:
    """The bundled questionnaires' ids and versions: for each, the name to show and the
    SHA-256 of its file, from the cache while no bundled file has changed; else ``None``."""
    from screening import compiled

    entry = compiled.read_entry(_TABLE_KEY, _TABLE_KIND)
    if entry is None:
        return None
    try:
        data = marshal.loads(entry)  # noqa: S302 - a checked entry of the user's own
        if data["files"] != _stamps():
            return None
        table: dict[str, dict[str, tuple[str, str]]] = {}
        for ident, version, name, sha256 in data["entries"]:
            if not all(isinstance(x, str) for x in (ident, version, name, sha256)):
                return None
            table.setdefault(ident, {})[version] = (name, sha256)
    except (ValueError, KeyError, TypeError, EOFError, OSError):
        return None
    return table


def keep_bundled_table(entries: list[tuple[str, str, str, str]]) -> None:
    """Keep the table of the bundled questionnaires (id, version, name to show, SHA-256), for
    :func:`bundled_table`; best effort."""
    from screening import compiled

    try:
        data = {"files": _stamps(), "entries": [list(e) for e in entries]}
    except OSError:
        return
    compiled.store(_TABLE_KEY, "", "", marshal.dumps(data), _TABLE_KIND)


__all__ = [
    "DEFAULT_QUESTIONNAIRE",
    "LoadedPlan",
    "bundled_dir",
    "bundled_files",
    "bundled_table",
    "is_file_ref",
    "resolve_plan",
    "split_ref",
    "version_key",
]
