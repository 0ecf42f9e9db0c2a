"""Shared test helpers: small questionnaires written inline, and running the CLI in-process."""

from __future__ import annotations

import io
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pgcluster import Cluster, server_bindir, start_cluster

SMALL = """\
id: small
version: "1"
title: {en: Small, ar: صغير}
languages:
  - {code: en, name: English}
  - {code: ar, name: العربية, direction: rtl}
sections:
  - id: work
    title: {en: Work, ar: العمل}
    questions:
      - id: age
        type: number
        text: {en: "How old are you?", ar: "كم عمرك؟"}
        validation: {min: 0, max: 120, integer: true}
      - id: name
        type: text
        pii: true
        text: {en: "Your name", ar: "اسمك"}
      - id: passport
        type: yes_no
        text: {en: "Do you keep your passport?", ar: "هل تحتفظ بجواز سفرك؟"}
      - id: passport_when
        type: single_choice
        when: {answer: passport, equals: no}
        text: {en: "When was it taken?", ar: "متى أُخذ؟"}
        choices:
          - {value: recruitment, label: {en: Before travel, ar: قبل السفر}}
          - {value: destination, label: {en: Here, ar: هنا}}
      - id: hours
        type: number
        text: {en: "Hours a day?", ar: "كم ساعة يوميًا؟"}
      - id: problems
        type: multiple_choice
        text: {en: "Which of these?", ar: "أيّ من هذه؟"}
        choices:
          - {value: unpaid, label: {en: Unpaid, ar: بلا أجر}}
          - {value: locked, label: {en: Locked in, ar: محتجز}}
dimensions:
  - {id: coercion, title: {en: Coercion, ar: إكراه}, phase: destination}
  - {id: conditions, title: {en: Conditions, ar: ظروف}, phase: destination}
indicators:
  - id: documents_taken
    title: {en: Documents confiscated, ar: مصادرة الوثائق}
    dimension: coercion
    strength: strong
    source: ILO 2009
    when: {answer: passport_when, equals: destination}
  - id: locked_in
    title: {en: Confinement, ar: الاحتجاز}
    dimension: coercion
    strength: strong
    source: ILO 2009
    when: {answer: problems, contains: locked}
  - id: long_hours
    title: {en: Excessive hours, ar: ساعات مفرطة}
    dimension: conditions
    strength: strong
    source: ILO 2009
    when: {answer: hours, gt: 12}
  - id: unpaid
    title: {en: No salary, ar: بلا أجر}
    dimension: conditions
    strength: medium
    source: ILO 2009
    when: {answer: problems, contains: unpaid}
flags:
  - id: minor
    title: {en: Possible minor, ar: قاصر محتمل}
    when: {answer: age, lt: 18}
    action: {en: Call 995., ar: اتصل بالرقم 995.}
outcomes:
  - code: refer
    title: {en: Refer, ar: إحالة}
    when: {all: [{dimension: coercion}, {dimension: conditions}]}
    action: {en: Refer to the NRM., ar: أحل إلى آلية الإحالة الوطنية.}
    category: trafficking_in_persons
    refer: true
  - code: labour
    title: {en: Labour case, ar: قضية عمالية}
    when: {indicators: {at_least: 1}}
    action: {en: Labour services., ar: خدمات العمل.}
    category: labour_case
  - code: none
    title: {en: None, ar: لا شيء}
    action: {en: No referral., ar: لا إحالة.}
    category: none
"""
"""A small valid questionnaire used across the tests."""


def write(folder: Path, name: str, text: str) -> Path:
    """Write dedented text to ``folder/name`` and return the path."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@dataclass
class Run:
    """What a CLI run produced."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `screening ARGS` in-process; ``stdin`` bytes feed ``-``."""
    from screening.cli import main

    def run(*args: str, stdin: bytes | None = None) -> Run:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The small questionnaire as a file."""
    return write(tmp_path, "small.yaml", SMALL)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled questionnaires go to a cache folder of the test run, never the user's."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


# -- PostgreSQL ----------------------------------------------------------------------------------

NO_SERVER = (
    "PostgreSQL server binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin): "
    "install postgresql-15 to run the store tests against PostgreSQL"
)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"the {name} tool is not installed (CI is set: this test must run here)")
        pytest.skip(f"the {name} tool is not installed")
    return found


@pytest.fixture
def command_line_tool() -> Callable[[str], str]:
    """Where a command-line tool a test needs is: the test is skipped without it, except in CI
    (``CI`` set), where that is a failure, as for the PostgreSQL server."""
    return _tool


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throw-away PostgreSQL cluster for the whole run, on a Unix socket in a temp folder.

    Without the server binaries the PostgreSQL tests are skipped with one reason, except in CI
    (``CI`` set), where that is a failure: CI must run them.
    """
    bindir = server_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail(NO_SERVER + " (CI is set: these tests must run here)")
        pytest.skip(NO_SERVER)
    # fsync off: the tests check what the store commits, not the disk's cache; the benchmarks
    # run their own cluster with the server's defaults.
    cluster = start_cluster(bindir, {"fsync": "off", "max_connections": "100"})
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """The URL of a new, empty database of the test cluster (as its superuser)."""
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def location(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Where a store is, once per backend: a folder for SQLite, a URL for PostgreSQL.

    ``SCREENING_STORE`` is set to it, so the CLI and the interview use the same store.
    """
    if request.param == "sqlite":
        where = str(tmp_path / "home")
        monkeypatch.setenv("SCREENING_HOME", where)
    else:
        where = request.getfixturevalue("pg_url")
        monkeypatch.setenv("SCREENING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SCREENING_STORE", where)
    return where


@pytest.fixture
def centre(pg_cluster: Cluster) -> tuple[Cluster, str]:
    """A database set up as `screening store init` does, with two officers, a supervisor, an
    auditor and a login of no screening role."""
    from screening.store.postgres import init_store

    database = pg_cluster.new_database()
    init_store(pg_cluster.url(database))
    for user, role in (
        ("officer_a", "screening_officer"),
        ("officer_b", "screening_officer"),
        ("supervisor_s", "screening_supervisor"),
        ("auditor_x", "screening_auditor"),
        ("nobody_in_particular", None),
    ):
        pg_cluster.role(user)
        if role:
            pg_cluster.sql(f"GRANT {role} TO {user}")
    return pg_cluster, database


def as_user(cluster: Cluster, database: str, user: str) -> str:
    """The URL of a database of the test cluster for one of its users."""
    return cluster.url(database, user)
