"""Each worker language keeps to its glossary (docs/glossary.md, "The workers' languages"): no
word its table rejects appears in that language's text of the bundled questionnaires."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
QUESTIONNAIRES = [
    ROOT / "indicators" / "ilo-adult-labour.yaml",
    ROOT / "indicators" / "brief-screen.yaml",
]
LANGUAGES = ["hi", "ur", "ml", "ta", "bn", "ne", "tl", "si"]


def _tables() -> dict[str, list[list[str]]]:
    """The rows of each worker language's table, by language code."""
    text = GLOSSARY.read_text(encoding="utf-8").split("\n## The workers' languages", 1)[1]
    tables: dict[str, list[list[str]]] = {}
    code = None
    for line in text.splitlines():
        heading = re.match(r"### .*\((\w+)\)\s*$", line)
        if heading:
            code = heading.group(1)
            tables[code] = []
        elif code and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 4 and cells[0] not in ("concept",) and not set(cells[0]) <= {"-"}:
                tables[code].append(cells)
    return tables


def _words(text: str) -> list[str]:
    """Text cut into words: runs of letters, marks and digits (joiners kept inside)."""
    out, word = [], ""
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.category(char)[0] in "LMN" or char in "\u200c\u200d":
            word += char
        elif word:
            out.append(word)
            word = ""
    if word:
        out.append(word)
    return [w.casefold() for w in out]


def _rejected(cell: str, latin: bool) -> list[list[str]]:
    """The variants a 'rejected' cell names, each as words; explanations are left out."""
    cell = re.sub(r"\([^)]*\)", " ", cell)
    found = []
    for item in re.split(r"[;,،]", cell):
        item = item.strip().strip("\"“”«»'")
        if not item or "..." in item or "…" in item:
            continue
        if not latin and re.search(r"[A-Za-z]", item):
            continue  # a note in English, not a variant
        if latin and not re.fullmatch(r"[A-Za-z][A-Za-z -]*", item):
            continue
        words = _words(item)
        if words:
            found.append(words)
    return found


@functools.cache
def _data(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _texts(data: Any, code: str) -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == code and isinstance(value, str):
                found.append(value)
            elif key == code and isinstance(value, dict):
                found += [v for v in value.values() if isinstance(v, str)]
            else:
                found += _texts(value, code)
    elif isinstance(data, list):
        for item in data:
            found += _texts(item, code)
    return found


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def test_every_worker_language_has_a_glossary_table() -> None:
    tables = _tables()
    assert sorted(tables) == sorted(LANGUAGES)
    for code, rows in tables.items():
        concepts = " ".join(row[0].lower() for row in rows)
        for concept in ("passport", "sponsor", "debt", "recruit", "employer", "police"):
            assert concept in concepts, f"{code}: no glossary row for {concept}"
        assert any(_rejected(row[3], code == "tl") for row in rows), code


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_rejected_word_in_the_language(code: str) -> None:
    phrases = [p for row in _tables()[code] for p in _rejected(row[3], code == "tl")]
    assert phrases
    for path in QUESTIONNAIRES:
        texts = _texts(_data(path), code)
        assert texts, f"{path.name} has no '{code}' text"
        for text in texts:
            words = _words(text)
            for phrase in phrases:
                assert not _contains(words, phrase), (
                    f"{path.name} ({code}): '{' '.join(phrase)}' is rejected by docs/glossary.md: {text}"
                )


def test_whole_words_only() -> None:
    """Urdu «دین» (religion) is not found inside «دینا» (to give)."""
    assert not _contains(_words("آپ کو پیسے دینا ہوں گے"), _words("دین"))
    assert _contains(_words("یہ دین ہے"), _words("دین"))
