"""The layers of docs/architecture.md, read from the code: who may import whom.

Every import of a ``screening`` module is counted, wherever it is written (at the top, inside a
function, under ``TYPE_CHECKING``), so that a lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "screening"

CORE = (
    "bidi",
    "answers",
    "cases_messages",
    "checks",
    "describe",
    "document",
    "engine",
    "errors",
    "evaluate",
    "i18n",
    "limits",
    "model",
    "patterns",
    "plan",
    "records",
    "referral",
    "rtl",
    "sanitize",
    "schemas",
    "scoring",
    "strength",
    "texts",
    "textwidth",
    "xlsform",
)
"""Pure logic: no I/O, no terminal."""

READERS = (
    "answer_files",
    "compiled",
    "loader",
    "plans",
    "questionnaires",
    "quickyaml",
    "reading",
    "scenarios",
)
"""The program's own formats read from files (questionnaires with their cache, answers files,
scenarios), and the reading of a file's text and of the YAML subset answers files use."""

ADAPTERS = ("files", "keys", "odk", "seal", "store", "translations", "xlsform_file")
"""Files written for the user, the case store, other programs' formats."""

USE_CASES = ("api", "casefile", "pipeline", "session", "stats", "training")
"""What a command does, with its adapters given or opened for it; no drawing."""

UI = ("ui",)
"""The terminal layer: the only code that imports rich, questionary and prompt_toolkit."""

CLI = ("cli", "__main__")
"""The command line: parses, calls, hands the result to the terminal layer."""

LAYERS = (CORE, READERS, ADAPTERS, USE_CASES, UI, CLI)
"""From the bottom up: a module imports its own layer and those below it, never one above."""


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The ``screening`` modules a file imports, as dotted names (``from screening import x``
    counts as ``screening.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("screening"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "screening":
                found.update(f"screening.{a.name}" for a in node.names)
            elif node.module.startswith("screening."):
                found.add(node.module)
    return found


def _top(module: str) -> str:
    """The part of the package a module belongs to: ``screening.ui.view`` is in ``ui``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


MODULES = {_module(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int:
    top = _top(module)
    if top == "":  # the package itself: its lazy public API
        return LAYERS.index(USE_CASES)
    return next(n for n, layer in enumerate(LAYERS) if top in layer)


def test_every_module_has_a_layer() -> None:
    """A new module is placed in a layer here (and in docs/architecture.md) before it lands."""
    known = {name for layer in LAYERS for name in layer} | {""}
    assert sorted({_top(m) for m in MODULES} - known) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_layer_above_its_own(module: str) -> None:
    above = [m for m in MODULES[module] if m in MODULES and _layer(m) > _layer(module)]
    assert above == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _top(m) in CORE + READERS))
def test_core_imports_no_use_case_adapter_or_ui(module: str) -> None:
    """The core (and the reading of its files) is free of use cases, the store, the command
    line and the terminal, however the import is written."""
    forbidden = set(ADAPTERS + USE_CASES + UI + CLI)
    assert sorted(m for m in MODULES[module] if _top(m) in forbidden) == []


def test_the_layers_are_read_from_real_imports() -> None:
    """The reading itself: a known import of each kind is seen, and a layer above is caught."""
    assert "screening.model" in MODULES["screening.scoring"]
    assert "screening.ui.view" in MODULES["screening.ui.summary"]  # under TYPE_CHECKING
    assert "screening.ui.prompts" in MODULES["screening.cli.interview"]  # inside a function
    assert _layer("screening.ui.view") > _layer("screening.training")
    assert _layer("screening.cli.cases") > _layer("screening.ui.cases")
