"""Output files: regular files only, never through a link, an existing file only with --force.

Every command that writes a file (`score --out`, `cases export --out`, `train practice --out`,
`interview --out`) goes through `screening.files.private_file`; the CLI cases below use
`score`, the others are checked for the same refusals once each. The interview's own cases
(a link planted between start and resume) are in test_interview.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Run, write
from test_store import unprivileged_dir

from screening.errors import ScreeningError
from screening.files import check_output, private_file, write_private

POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX file types and permissions")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NEEDS_ROOT = pytest.mark.skipif(not ROOT, reason="needs root (mknod, mount, /dev)")

Cli = Callable[..., Run]

pytestmark = POSIX_ONLY


@pytest.fixture
def answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCREENING_HOME", str(tmp_path / "home"))
    return write(tmp_path, "a.yaml", "answers: {age: 30}\n")


def score_to(cli: Cli, answers: Path, small: Path, target: str, *more: str) -> Run:
    return cli("score", str(answers), "-q", str(small), "--out", target, *more)


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- what is at the target -------------------------------------------------------------------


def test_a_new_file_is_written_0600(cli: Cli, answers: Path, small: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    run = score_to(cli, answers, small, str(target))
    assert run.code == 0, run.err
    assert f"wrote 1 referral to {target}" in run.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["schema_version"]
    assert leftovers(tmp_path) == []


def test_an_existing_file_needs_force(cli: Cli, answers: Path, small: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("kept\n")
    target.chmod(0o644)
    run = score_to(cli, answers, small, str(target))
    assert run.code == 1
    assert f"cannot write {target}: the file exists already" in run.err
    assert "Use --force to replace it, or choose another path." in run.err
    assert "wrote" not in run.err
    assert target.read_text() == "kept\n"
    run = score_to(cli, answers, small, str(target), "--force")
    assert run.code == 0, run.err
    assert json.loads(target.read_text())["schema_version"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # a new file, not the old one's mode
    assert leftovers(tmp_path) == []


def test_a_folder_is_refused(cli: Cli, answers: Path, small: Path, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    run = score_to(cli, answers, small, str(folder), "--force")
    assert run.code == 1
    assert f"cannot write {folder}: it is a folder" in run.err
    assert f"such as {folder / 'referral.json'}" in run.err
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_a_fifo_is_refused_without_opening_it(
    cli: Cli, answers: Path, small: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    run = score_to(cli, answers, small, str(fifo), "--force")  # opening it would block
    assert run.code == 1
    assert f"cannot write {fifo}: it is a named pipe (FIFO), not a regular file" in run.err
    assert "without --out, `score` and `cases export` write to standard output" in run.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("force", [False, True])
def test_a_link_to_a_file_is_refused_and_the_file_kept(
    cli: Cli, answers: Path, small: Path, tmp_path: Path, force: bool
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("important\n")
    link = tmp_path / "r.json"
    link.symlink_to(victim)
    run = score_to(cli, answers, small, str(link), *(["--force"] if force else []))
    assert run.code == 1
    assert f"cannot write {link}: it is a symbolic link" in run.err
    assert "never writes through a link" in run.err
    assert victim.read_text() == "important\n"
    assert link.is_symlink()
    assert os.readlink(link) == str(victim)


def test_a_link_to_a_device_is_refused(
    cli: Cli, answers: Path, small: Path, tmp_path: Path
) -> None:
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    run = score_to(cli, answers, small, str(link), "--force")
    assert run.code == 1
    assert "it is a symbolic link" in run.err
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_dangling_link_is_refused_and_nothing_created_where_it_points(
    cli: Cli, answers: Path, small: Path, tmp_path: Path
) -> None:
    pointed = tmp_path / "created-through-the-link.json"
    link = tmp_path / "r.json"
    link.symlink_to(pointed)
    for more in ([], ["--force"]):
        run = score_to(cli, answers, small, str(link), *more)
        assert run.code == 1
        assert "it is a symbolic link" in run.err
    assert not pointed.exists()
    assert leftovers(tmp_path) == []


@NEEDS_ROOT
def test_a_device_is_refused_even_with_force(
    cli: Cli, answers: Path, small: Path, tmp_path: Path
) -> None:
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    run = score_to(cli, answers, small, str(device), "--force")
    assert run.code == 1
    assert f"cannot write {device}: it is a device, not a regular file" in run.err
    assert "wrote" not in run.err
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert leftovers(tmp_path) == []


@NEEDS_ROOT
def test_dev_null_stays_a_device(cli: Cli, answers: Path, small: Path) -> None:
    """As root, the old code renamed a regular file over /dev/null and said it wrote it."""
    before = os.lstat("/dev/null")
    for more in ([], ["--force"]):
        run = score_to(cli, answers, small, "/dev/null", *more)
        assert run.code == 1
        assert "cannot write /dev/null: it is a device, not a regular file" in run.err
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not [name for name in os.listdir("/dev") if name.startswith(".null.")]


def test_an_empty_path_is_a_usage_error(
    cli: Cli, answers: Path, small: Path, tmp_path: Path
) -> None:
    os.chdir(tmp_path)
    for value in ("", "  "):
        run = score_to(cli, answers, small, value)
        assert run.code == 2
        assert "--out is empty: it needs the path of a file" in run.err
        assert "busy" not in run.err
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not os.path.isfile("/proc/version"), reason="no /proc/version here")
def test_a_proc_file_is_not_said_to_be_in_a_missing_folder(
    cli: Cli, answers: Path, small: Path
) -> None:
    run = score_to(cli, answers, small, "/proc/version")
    assert run.code == 1
    assert "cannot write /proc/version: the file exists already" in run.err
    run = score_to(cli, answers, small, "/proc/version", "--force")
    assert run.code == 1
    assert "the folder /proc does not take new files" in run.err
    assert "does not exist" not in run.err


def test_a_missing_folder_is_named(cli: Cli, answers: Path, small: Path, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "r.json"
    run = score_to(cli, answers, small, str(target))
    assert run.code == 1
    assert f"the folder {target.parent} does not exist" in run.err


def test_a_folder_the_user_may_not_write(tmp_path: Path) -> None:
    with unprivileged_dir() as base:  # as root, as `nobody`: root may write anywhere
        locked = base / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "r.json"
        with pytest.raises(ScreeningError) as caught:
            write_private(target, "x\n")
        assert not target.exists()
    assert caught.value.message == (
        f"cannot write {target}: you may not create files in the folder {locked}"
    )
    assert "Choose a folder of your own" in caught.value.hint


@contextlib.contextmanager
def read_only_mount(base: Path) -> Iterator[Path]:
    """A read-only file system at ``base/ro`` (root and a kernel that lets us mount)."""
    point = base / "ro"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k,mode=0755", "tmpfs", str(point)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only file system here: {done.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], capture_output=True, timeout=30, check=False)


@NEEDS_ROOT
def test_a_read_only_file_system_is_said_so_without_advising_chmod(
    cli: Cli, answers: Path, small: Path, tmp_path: Path
) -> None:
    with read_only_mount(tmp_path) as point:
        target = point / "r.json"
        run = score_to(cli, answers, small, str(target))
    assert run.code == 1
    assert f"the folder {point} is on a read-only file system" in run.err
    assert "Choose a path on a writable disk" in run.err
    assert "chmod" not in run.err


# -- the other commands that write a file ------------------------------------------------------


def test_cases_export_refuses_before_the_export_is_recorded(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.store import open_store

    monkeypatch.setenv("SCREENING_HOME", str(tmp_path / "home"))
    with open_store() as store:
        case_id = store.create_case(
            questionnaire_id="ilo_adult_labour",
            questionnaire_version="1",
            questionnaire_sha256="ab" * 32,
            language="en",
            ui_language="en",
            officer="o",
        )
    target = tmp_path / "r.json"
    target.write_text("kept\n")
    run = cli("cases", "export", case_id, "--out", str(target))
    assert run.code == 1
    assert f"cannot write {target}: the file exists already" in run.err
    assert target.read_text() == "kept\n"
    with open_store() as store:
        assert store.get_case(case_id).exported_at is None
    link = tmp_path / "link.json"
    link.symlink_to(target)
    run = cli("cases", "export", case_id, "--out", str(link), "--force")
    assert run.code == 1
    assert "it is a symbolic link" in run.err
    run = cli("cases", "export", case_id, "--out", str(target), "--force")
    assert run.code == 0, run.err
    assert json.loads(target.read_text())["case_id"] == case_id
    assert cli("cases", "export", case_id, "--out", "").code == 2


def test_train_practice_refuses_an_existing_out_before_it_starts(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("kept\n")
    run = cli("train", "practice", "car_wash_self_harm", "--out", str(target))
    assert run.code == 1
    assert f"cannot write {target}: the file exists already" in run.err
    assert "needs a terminal" not in run.err
    assert target.read_text() == "kept\n"


def test_interview_refuses_an_empty_out(cli: Cli) -> None:
    run = cli("interview", "--out", "")
    assert run.code == 2
    assert "--out is empty" in run.err


# -- the library: what changes between the check and the write ---------------------------------


def write_planting(target: Path, plant: Callable[[], object], *, force: bool = False) -> None:
    """Write ``target`` while ``plant`` puts something there after the first check."""
    with private_file(target, force=force) as out:
        out.write("new\n")
        plant()


def test_a_file_planted_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    with pytest.raises(ScreeningError, match="the file exists already"):
        write_planting(target, lambda: target.write_text("planted\n"))
    assert target.read_text() == "planted\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_a_link_planted_while_writing_is_not_followed(tmp_path: Path, force: bool) -> None:
    victim = tmp_path / "victim"
    victim.write_text("important\n")
    target = tmp_path / "r.json"
    with pytest.raises(ScreeningError, match="symbolic link"):
        write_planting(target, lambda: target.symlink_to(victim), force=force)
    assert victim.read_text() == "important\n"
    assert target.is_symlink()
    assert leftovers(tmp_path) == []


def test_check_output_accepts_a_new_file_and_a_regular_one_with_force(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    check_output(target)
    write_private(target, "one\n")
    check_output(target, force=True)
    with pytest.raises(ScreeningError, match="exists already"):
        check_output(target)
    write_private(target, "two\n", force=True)
    assert target.read_text() == "two\n"


def test_score_refuses_the_target_before_reading_standard_input(
    cli: Cli, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    target = tmp_path / "r.json"
    target.write_text("kept\n")
    stream = io.BytesIO(b"answers: {age: 30}\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream, encoding="utf-8"))
    run = cli("score", "-", "-q", str(small), "--out", str(target))
    assert run.code == 1
    assert "the file exists already" in run.err
    assert stream.tell() == 0
