"""The store's folder (SCREENING_HOME): created private, never re-moded, refused when unsafe.

A folder shared with others (``/tmp``), one that belongs to another user, and any symbolic link
among the store's own files would let someone else read or plant the cases; each is refused
with one message that says why and what to do, and nothing is changed.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run
from test_files import read_only_mount

from screening.errors import StoreError
from screening.store import DATABASE_NAME, open_store
from screening.store.paths import prepare_referrals

POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX owners and modes")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NEEDS_ROOT = pytest.mark.skipif(not ROOT, reason="needs root (chown to another user, mount)")
NOBODY = 65534

pytestmark = POSIX_ONLY

Cli = Callable[..., Run]


def refused(home: Path) -> StoreError:
    with pytest.raises(StoreError) as caught:
        open_store(home)
    return caught.value


def test_a_missing_folder_is_created_0700_with_its_parents(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b" / "home"
    open_store(home).close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o1777, 0o777, 0o770, 0o730, 0o702])
def test_a_folder_others_may_write_in_is_refused_and_left_as_it_is(
    tmp_path: Path, mode: int
) -> None:
    home = tmp_path / "shared"
    home.mkdir()
    home.chmod(mode)
    error = refused(home)
    assert error.message == (
        f"cannot use {home} for the case store: other users can write in it (mode {mode:o})"
    )
    assert "Set SCREENING_HOME to a folder of your own" in error.hint
    assert f"{home} was left as it is" in error.hint
    assert "chmod" not in error.hint  # `chmod go-w /tmp` would lock everyone else out
    assert stat.S_IMODE(home.stat().st_mode) == mode
    assert list(home.iterdir()) == []


def test_a_folder_readable_by_others_is_used_as_it_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o755)
    open_store(home).close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o755
    assert stat.S_IMODE((home / DATABASE_NAME).stat().st_mode) == 0o600


def test_the_cli_says_why_in_one_message(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "shared"
    home.mkdir()
    home.chmod(0o1777)
    monkeypatch.setenv("SCREENING_HOME", str(home))
    run = cli("cases", "list")
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[0] == (
        f"screening: error: cannot use {home} for the case store: other users can write in it "
        "(mode 1777)"
    )
    assert len(lines) == 2
    assert stat.S_IMODE(home.stat().st_mode) == 0o1777


@NEEDS_ROOT
def test_tmp_itself_is_refused_and_keeps_its_sticky_bit() -> None:
    before = os.stat("/tmp")
    if before.st_uid != 0 or stat.S_IMODE(before.st_mode) != 0o1777:
        pytest.skip("/tmp is not root's shared 1777 folder here")
    env = {**os.environ, "SCREENING_HOME": "/tmp"}
    done = subprocess.run(
        [sys.executable, "-m", "screening", "cases", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "cannot use /tmp for the case store: other users can write in it" in done.stderr
    assert stat.S_IMODE(os.stat("/tmp").st_mode) == 0o1777
    assert not os.path.lexists("/tmp/" + DATABASE_NAME)


@NEEDS_ROOT
@pytest.mark.parametrize("mode", [0o700, 0o755])
def test_a_folder_of_another_user_is_refused(tmp_path: Path, mode: int) -> None:
    home = tmp_path / "theirs"
    home.mkdir(mode=mode)
    home.chmod(mode)
    os.chown(home, NOBODY, NOBODY)
    error = refused(home)
    assert error.message.startswith(
        f"cannot use {home} for the case store: it belongs to another user ("
    )
    assert "Set SCREENING_HOME to a folder of your own" in error.hint
    assert list(home.iterdir()) == []
    assert (home.stat().st_uid, stat.S_IMODE(home.stat().st_mode)) == (NOBODY, mode)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_link_among_the_store_files_is_refused(tmp_path: Path, suffix: str) -> None:
    home = tmp_path / "home"
    open_store(home).close()
    elsewhere = tmp_path / "planted"
    elsewhere.write_bytes(b"")
    name = home / (DATABASE_NAME + suffix)
    name.unlink(missing_ok=True)
    name.symlink_to(elsewhere)
    error = refused(home)
    assert error.message == f"cannot open the case store: {name} is a symbolic link"
    assert "never links" in error.hint
    assert elsewhere.read_bytes() == b""  # nothing was written through it


def test_a_link_as_the_database_to_another_users_readable_file_is_not_followed(
    tmp_path: Path,
) -> None:
    """Someone plants cases.sqlite3 -> a file they can read: the store must not write there."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    theirs = tmp_path / "theirs.sqlite3"
    (home / DATABASE_NAME).symlink_to(theirs)
    error = refused(home)
    assert "is a symbolic link" in error.message
    assert not theirs.exists()


def test_a_database_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    os.mkfifo(home / DATABASE_NAME)
    error = refused(home)
    assert (
        error.message == f"cannot open the case store: {home / DATABASE_NAME} is not a regular file"
    )


@NEEDS_ROOT
def test_a_store_file_of_another_user_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    open_store(home).close()
    os.chown(home / DATABASE_NAME, NOBODY, NOBODY)
    error = refused(home)
    assert error.message.startswith(
        f"cannot open the case store: {home / DATABASE_NAME} belongs to another user ("
    )


def test_a_link_as_the_referrals_folder_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (home / "referrals").symlink_to(elsewhere)
    error = refused(home)
    assert error.message == (
        f"cannot open the case store: the referrals folder {home / 'referrals'} is a symbolic link"
    )
    with pytest.raises(StoreError, match="is a symbolic link"):
        prepare_referrals(home / "referrals")


def test_the_referrals_folder_is_created_0700(tmp_path: Path) -> None:
    home = tmp_path / "home"
    open_store(home).close()
    prepare_referrals(home / "referrals")
    assert stat.S_IMODE((home / "referrals").stat().st_mode) == 0o700
    (home / "referrals").chmod(0o777)
    with pytest.raises(StoreError, match="other users can write in it"):
        prepare_referrals(home / "referrals")


def test_a_link_to_a_private_folder_of_ones_own_is_a_home(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    home = tmp_path / "home"
    home.symlink_to(real)
    with open_store(home) as store:
        assert store.path == home / DATABASE_NAME
    assert (real / DATABASE_NAME).is_file()


@NEEDS_ROOT
def test_a_read_only_medium_is_said_so_without_advising_chmod(tmp_path: Path) -> None:
    with read_only_mount(tmp_path) as point:
        error = refused(point)
    assert error.message == (
        f"cannot open the case store: the directory {point} is on a read-only file system"
    )
    assert "writable disk" in error.hint
    assert "chmod" not in error.hint
