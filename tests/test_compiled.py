"""Compiled questionnaires in the cache folder: used when sound, ignored and rebuilt otherwise."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import screening.questionnaires as questionnaires
from screening import compiled
from screening.errors import QuestionnaireError
from screening.questionnaires import load_path


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SCREENING_NO_CACHE", raising=False)
    return tmp_path / "xdg" / "screening"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names parsed from YAML (a load from the cache parses nothing)."""
    seen: list[str] = []
    real = questionnaires.parse_document

    def counting(raw: bytes, name: str):  # type: ignore[no-untyped-def]
        seen.append(name)
        return real(raw, name)

    monkeypatch.setattr(questionnaires, "parse_document", counting)
    return seen


def _entry(cache: Path) -> Path:
    (entry,) = cache.glob("*.questionnaire")
    return entry


def test_a_questionnaire_is_compiled_once_then_loaded_from_the_cache(
    cache: Path, small: Path, parses: list[str]
) -> None:
    first = load_path(small)
    assert parses == [str(small)]
    entry = _entry(cache)
    assert entry.name == f"{first.sha256}-{compiled.program_stamp()[:16]}.questionnaire"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    second = load_path(small)
    assert parses == [str(small)]  # not parsed again
    assert second.questionnaire == first.questionnaire
    assert second.sha256 == first.sha256
    assert second.questionnaire.indicator("long_hours") is not None


def test_a_damaged_entry_is_ignored_and_rebuilt(
    cache: Path, small: Path, parses: list[str]
) -> None:
    load_path(small)
    entry = _entry(cache)
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert load_path(small).questionnaire.id == "small"
    assert len(parses) == 2
    entry.write_bytes(b"")  # truncated to nothing
    assert load_path(small).questionnaire.id == "small"
    assert len(parses) == 3
    load_path(small)
    assert len(parses) == 3  # the rebuilt entry is sound


def test_an_entry_of_another_program_version_is_ignored(
    cache: Path, small: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_path(small)
    ours = _entry(cache)
    real = compiled.program_stamp()
    monkeypatch.setattr(compiled, "program_stamp", lambda: "0" * 64)
    load_path(small)
    assert len(parses) == 2
    load_path(small)
    assert len(parses) == 2  # rebuilt for this version
    # each version keeps its own entry: they do not replace each other at every call
    entries = sorted(cache.glob("*.questionnaire"))
    assert len(entries) == 2
    other = next(e for e in entries if e != ours)
    monkeypatch.setattr(compiled, "program_stamp", lambda: real)
    load_path(small)
    assert len(parses) == 2
    # another version's entry under this version's name is still refused by its stamp
    other.replace(ours)
    load_path(small)
    assert len(parses) == 3


def test_the_cache_keeps_the_newest_entries_only(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compiled, "KEPT_ENTRIES", 3)
    for n in range(5):
        compiled.store(f"{n:064x}", "q", "1", b"payload")
        os.utime(next(cache.glob(f"{n:064x}-*")), ns=(n * 10**9, n * 10**9))
    kept = sorted(p.name[:64] for p in cache.glob("*.questionnaire"))
    assert kept == [f"{n:064x}" for n in (2, 3, 4)]


def test_an_entry_open_to_others_or_not_the_users_is_ignored(
    cache: Path, small: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_path(small)
    entry = _entry(cache)
    entry.chmod(0o644)
    load_path(small)
    assert len(parses) == 2
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600  # replaced by a private one
    real_uid = os.geteuid()
    monkeypatch.setattr(compiled.os, "geteuid", lambda: real_uid + 1)
    load_path(small)
    assert len(parses) == 3


def test_a_symlink_is_never_followed(
    cache: Path, small: Path, parses: list[str], tmp_path: Path
) -> None:
    loaded = load_path(small)
    entry = _entry(cache)
    elsewhere = tmp_path / "elsewhere"
    entry.rename(elsewhere)
    kept = elsewhere.read_bytes()
    entry.symlink_to(elsewhere)
    assert load_path(small).sha256 == loaded.sha256
    assert len(parses) == 2
    assert not entry.is_symlink()  # the link itself was replaced, by a regular file
    assert elsewhere.read_bytes() == kept


def test_a_cache_folder_that_is_a_link_or_open_to_others_is_not_used(
    cache: Path, small: Path, parses: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    cache.parent.mkdir()
    cache.symlink_to(target)
    load_path(small)
    load_path(small)
    assert len(parses) == 2
    assert list(target.iterdir()) == []
    cache.unlink()
    cache.mkdir(mode=0o700)
    cache.chmod(0o755)
    load_path(small)
    load_path(small)
    assert len(parses) == 4
    assert list(cache.iterdir()) == []


def test_an_invalid_questionnaire_is_not_cached(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(QuestionnaireError):
            load_path(bad)
    assert not cache.exists() or list(cache.glob("*.questionnaire")) == []


def test_the_cache_can_be_turned_off(
    cache: Path, small: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_NO_CACHE", "1")
    load_path(small)
    load_path(small)
    assert len(parses) == 2
    assert not cache.exists()


def test_a_cached_questionnaire_scores_as_a_fresh_one(cache: Path, small: Path) -> None:
    from screening.answers import AnswerSet
    from screening.pipeline import score_one

    record = AnswerSet(
        "r",
        answers={
            "age": 15,
            "passport": "no",
            "passport_when": "destination",
            "problems": ["locked"],
        },
    )
    fresh = score_one(record, load_path(small))[0]
    cached = score_one(record, load_path(small))[0]
    assert cached.indicators == fresh.indicators
    assert cached.flags == fresh.flags
    assert cached.outcome.code == fresh.outcome.code
