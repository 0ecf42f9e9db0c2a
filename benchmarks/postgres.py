"""The shared register on PostgreSQL: autosave, 20 officers at once, and `cases stats`, in one run.

1. Autosave over a local Unix socket: ``record_answer`` on the PostgreSQL store (its
   transaction: the chain's row locked, the lease checked, the answer, the case's time and the
   audit event written, committed) next to a bare ``INSERT`` + ``COMMIT`` into a one-table
   database on the same server, interleaved answer by answer. Goal: p95 within 1.5x.
2. 20 interviews at once: 20 simulated officers, one thread and one connection each, answering
   the default questionnaire through the interview engine (random valid answers, one in ten
   going back to change an earlier one) into one store. Reported: answers committed per second,
   p95 latency, answers lost (every last answer read back), and the audit chain verified.
3. ``cases stats`` on 100,000 cases (20 answers each), on SQLite and on PostgreSQL: the time to
   read the facts and count them, and the whole command in a process of its own. Goal: under
   1 s on both.

The server is a throw-away cluster with PostgreSQL's default settings (``fsync`` and
``synchronous_commit`` on) in a temporary folder, started with ``initdb``/``pg_ctl`` from
``pg_config --bindir`` (as ``nobody`` under root), unless ``--url`` names one.

Usage::

    python benchmarks/postgres.py                     # 1,000 answers, 20 x 100, 100,000 cases
    python benchmarks/postgres.py --answers 200 --officers 4 --per-officer 20 --cases 1000
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from interview import _answer  # noqa: E402 - benchmarks/interview.py: a random valid answer
from pgcluster import server_bindir, start_cluster  # noqa: E402

from screening.engine import InterviewEngine  # noqa: E402
from screening.model import NoteQuestion  # noqa: E402
from screening.questionnaires import resolve  # noqa: E402
from screening.stats import compute  # noqa: E402
from screening.store import open_store  # noqa: E402

GOAL_RATIO = 1.5
GOAL_STATS_S = 1.0


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements; exit 1 if a goal is missed or an answer was lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an existing server's database (a new cluster otherwise)")
    parser.add_argument("--answers", type=int, default=1000, help="autosave answers (1000)")
    parser.add_argument("--officers", type=int, default=20, help="officers at once (20)")
    parser.add_argument("--per-officer", type=int, default=100, help="answers each (100)")
    parser.add_argument("--cases", type=int, default=100_000, help="cases for stats (100000)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    cluster = None
    if args.url:
        base_url = args.url
    else:
        bindir = server_bindir()
        if bindir is None:
            print("PostgreSQL server binaries not found (pg_config --bindir)", file=sys.stderr)
            return 1
        cluster = start_cluster(bindir)
    workdir = Path(tempfile.mkdtemp(prefix="pg-bench-"))
    ok = True
    try:

        def database(name: str) -> str:
            if cluster is None:
                return base_url
            cluster.sql(f"CREATE DATABASE {name}")
            return cluster.url(name)

        version = _server_version(database("about") if cluster else base_url)
        print(
            f"python {platform.python_version()}, {version}, {platform.system()} "
            f"{platform.machine()}, {os.cpu_count()} CPUs; times in ms unless said"
        )
        ok &= autosave(database("autosave"), args.answers, random.Random(args.seed))
        ok &= officers(
            database("officers"), args.officers, args.per_officer, random.Random(args.seed)
        )
        ok &= stats(database("stats"), workdir, args.cases, random.Random(args.seed))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if cluster is not None:
            cluster.destroy()
    return 0 if ok else 1


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
        commit = conn.execute("SHOW synchronous_commit").fetchone()
    if row is None or fsync is None or commit is None:
        return "PostgreSQL (version unknown)"
    return f"PostgreSQL {row[0]} (fsync {fsync[0]}, synchronous_commit {commit[0]})"


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


# -- 1. autosave ------------------------------------------------------------------------------


def autosave(url: str, answers: int, rng: random.Random) -> bool:
    import psycopg

    store_ms: list[float] = []
    bare_ms: list[float] = []
    with psycopg.connect(url, autocommit=True) as bare, open_store(url) as store:
        bare.execute(
            "CREATE TABLE bare_answers (seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            " case_id text, question_id text, value_json text, recorded_at text)"
        )
        case_id = ""
        for n in range(answers):
            position = n % 80
            if position == 0:
                case_id = store.create_case(
                    questionnaire_id="bench",
                    questionnaire_version="1",
                    questionnaire_sha256="0" * 64,
                    language="ar",
                    ui_language="en",
                    officer="bench",
                )
            question = f"q{rng.randrange(position) if position and n % 10 == 9 else position:03d}"
            value = rng.choice(["yes", "no", "dont_know", rng.randrange(100), ["a", "b"]])

            started = time.perf_counter()
            store.record_answer(case_id, question, value, officer="bench")
            store_ms.append((time.perf_counter() - started) * 1000)

            started = time.perf_counter()
            bare.execute("BEGIN")
            bare.execute(
                "INSERT INTO bare_answers (case_id, question_id, value_json, recorded_at)"
                " VALUES (%s, %s, %s, %s)",
                (case_id, question, json.dumps(value), datetime.now(UTC).isoformat()),
            )
            bare.execute("COMMIT")
            bare_ms.append((time.perf_counter() - started) * 1000)
        verified = store.verify()
    print(f"\n1. autosave over a Unix socket: {answers} answers, one commit each, interleaved")
    print(f"{'':<40}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for label, samples in (
        ("record_answer (store + audit + lease)", store_ms),
        ("bare INSERT + COMMIT, same server", bare_ms),
    ):
        p50, p95, p99 = percentiles(samples)
        print(f"{label:<40}{p50:>9.3f}{p95:>9.3f}{p99:>9.3f}{max(samples):>9.3f}")
    ratio50 = percentiles(store_ms)[0] / percentiles(bare_ms)[0]
    ratio95 = percentiles(store_ms)[1] / percentiles(bare_ms)[1]
    met = ratio95 <= GOAL_RATIO
    print(
        f"store / bare: p50 {ratio50:.2f}x, p95 {ratio95:.2f}x (goal p95 within "
        f"{GOAL_RATIO:g}x: {'met' if met else 'MISSED'}); chain "
        f"{'intact' if verified.ok else 'BROKEN'} ({verified.events} events)"
    )
    return met and verified.ok


# -- 2. officers at once -----------------------------------------------------------------------


def officers(url: str, count: int, per_officer: int, rng: random.Random) -> bool:
    questionnaire = resolve(None).questionnaire
    with open_store(url):
        pass  # the schema, created once before the officers start
    barrier = threading.Barrier(count)
    latencies: list[list[float]] = [[] for _ in range(count)]
    expected: list[dict[tuple[str, str], Any]] = [{} for _ in range(count)]
    errors: list[BaseException] = []
    seeds = [rng.randrange(1 << 30) for _ in range(count)]

    def officer(index: int) -> None:
        mine = random.Random(seeds[index])
        try:
            with open_store(url) as store:
                barrier.wait()
                engine: InterviewEngine | None = None
                case_id = ""
                while len(latencies[index]) < per_officer:
                    if engine is None or engine.at_review:
                        engine = InterviewEngine(questionnaire)
                        case_id = store.create_case(
                            questionnaire_id=questionnaire.id,
                            questionnaire_version=questionnaire.version,
                            questionnaire_sha256="0" * 64,
                            language="en",
                            ui_language="en",
                            officer=f"officer-{index:02d}",
                            lease=True,
                        )
                    question = engine.current
                    assert question is not None
                    if isinstance(question, NoteQuestion):
                        engine.skip()
                        continue
                    value = engine.normalize(_answer(question, mine))
                    started = time.perf_counter()
                    store.record_answer(case_id, question.id, value, officer=None)
                    latencies[index].append((time.perf_counter() - started) * 1000)
                    expected[index][(case_id, question.id)] = value
                    engine.answer(value)
                    for flag in engine.pending_flags():
                        store.acknowledge_flag(case_id, flag, officer=None)
                        engine.acknowledge(flag)
                    if mine.random() < 0.1 and engine.back():
                        engine.back()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=officer, args=(i,)) for i in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    lost = 0
    with open_store(url) as store:
        cases: dict[str, dict[str, Any]] = {}
        for answers in expected:
            for (case_id, question_id), value in answers.items():
                if case_id not in cases:
                    cases[case_id] = store.get_case(case_id).answers
                stored = cases[case_id].get(question_id)
                if json.dumps(stored, sort_keys=True) != json.dumps(value, sort_keys=True):
                    lost += 1
        verified = store.verify()
    samples = [ms for per in latencies for ms in per]
    p50, p95, p99 = percentiles(samples)
    print(
        f"\n2. {count} officers at once, one connection each, answering through the engine: "
        f"{len(samples)} answers in {len(cases)} cases in {elapsed:.2f} s"
    )
    print(f"answers committed per second: {len(samples) / elapsed:.0f}")
    print(
        f"record_answer latency: p50 {p50:.3f}, p95 {p95:.3f}, p99 {p99:.3f}, max {max(samples):.3f}"
    )
    print(
        f"answers lost: {lost}; errors: {len(errors)}; audit chain: "
        f"{'one, intact' if verified.ok else 'BROKEN: ' + verified.message} "
        f"({verified.events} events)"
    )
    return lost == 0 and not errors and verified.ok


# -- 3. stats on many cases --------------------------------------------------------------------

SECTORS = ["domestic_work", "construction", "cleaning", "agriculture", "hospitality", "retail"]
NATIONALITIES = ["in", "bd", "pk", "ph", "np", "eg", "lk", "et", "id", "ke", "ug", "other"]
OUTCOMES = ["trafficking_indicated", "further_assessment", "labour_violation", "monitor"]
INDICATORS = [f"ind_{n:02d}" for n in range(40)]
FLAGS = ["minor", "immediate_danger", "injury", "self_harm"]


def _rows(cases: int, rng: random.Random) -> tuple[list[tuple[Any, ...]], ...]:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    case_rows, answer_rows, meta_rows, fact_rows, item_rows = [], [], [], [], []
    stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
    for n in range(cases):
        cid = f"C-BENCH-{n:07d}"
        at = (t0 + timedelta(minutes=5 * n)).strftime(stamp)
        complete = rng.random() < 0.85
        case_rows.append(
            (
                cid,
                "complete" if complete else "draft",
                "ilo_adult_labour",
                "2.0.0",
                "0" * 64,
                "en",
                "en",
                f"officer-{n % 12:02d}",
                at,
                at,
                "00" * 32,
                "",
            )
        )
        answers = {"sector": rng.choice(SECTORS), "nationality": rng.choice(NATIONALITIES)}
        answers.update({f"q{k:02d}": rng.choice(["yes", "no", "dont_know"]) for k in range(18)})
        for qid, value in answers.items():
            answer_rows.append((cid, qid, json.dumps(value), "officer", at))
        answers_counted = {"sector": answers["sector"], "nationality": answers["nationality"]}
        if complete:
            summary = {
                "outcome": rng.choice(OUTCOMES),
                "urgent": rng.random() < 0.1,
                "complete": rng.random() < 0.9,
                "indicators": sorted(rng.sample(INDICATORS, rng.randrange(6))),
                "flags": sorted(rng.sample(FLAGS, 1)) if rng.random() < 0.1 else [],
                **answers_counted,
            }
            meta_rows.append((cid, "referral_summary", json.dumps(summary, sort_keys=True)))
            fact_rows.append(
                (cid, summary["outcome"], int(summary["urgent"]), int(summary["complete"]),
                 answers["sector"], answers["nationality"])
            )  # fmt: skip
            item_rows += [(cid, "indicator", item) for item in summary["indicators"]]
            item_rows += [(cid, "flag", item) for item in summary["flags"]]
        else:  # a draft: its facts are its answers counted
            fact_rows.append((cid, None, None, None, answers["sector"], answers["nationality"]))
    return case_rows, answer_rows, meta_rows, fact_rows, item_rows


_FACT_COLUMNS = "case_id, outcome, urgent, complete, sector, nationality"
_CASE_COLUMNS = (
    "id, status, questionnaire_id, questionnaire_version, questionnaire_sha256, language,"
    " ui_language, officer, created_at, updated_at, salt, meta_hash"
)


def _load_sqlite(home: Path, rows: tuple[list[tuple[Any, ...]], ...]) -> None:
    import sqlite3

    open_store(home).close()
    case_rows, answer_rows, meta_rows, fact_rows, item_rows = rows
    conn = sqlite3.connect(home / "cases.sqlite3", isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES ({', '.join('?' * 12)})",  # noqa: S608
        case_rows,
    )
    conn.executemany(
        "INSERT INTO answers (case_id, question_id, value_json, officer, recorded_at)"
        " VALUES (?, ?, ?, ?, ?)",
        answer_rows,
    )
    conn.executemany("INSERT INTO case_meta (case_id, key, value_json) VALUES (?, ?, ?)", meta_rows)
    conn.executemany(
        f"INSERT INTO case_facts ({_FACT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608 - column names are a constant of this module
        fact_rows,
    )
    conn.executemany(
        "INSERT INTO case_fact_items (case_id, kind, item) VALUES (?, ?, ?)", item_rows
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _load_postgres(url: str, rows: tuple[list[tuple[Any, ...]], ...]) -> None:
    import psycopg

    open_store(url).close()
    case_rows, answer_rows, meta_rows, fact_rows, item_rows = rows
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            for table, columns, data in (
                ("cases", _CASE_COLUMNS, case_rows),
                ("answers", "case_id, question_id, value_json, officer, recorded_at", answer_rows),
                ("case_meta", "case_id, key, value_json", meta_rows),
                ("case_facts", _FACT_COLUMNS, fact_rows),
                ("case_fact_items", "case_id, kind, item", item_rows),
            ):
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def stats(url: str, workdir: Path, cases: int, rng: random.Random) -> bool:
    rows = _rows(cases, rng)
    home = workdir / "sqlite"
    started = time.perf_counter()
    _load_sqlite(home, rows)
    _load_postgres(url, rows)
    loaded = time.perf_counter() - started
    print(
        f"\n3. cases stats on {cases:,} cases ({len(rows[1]):,} answer rows), loaded in "
        f"{loaded:.1f} s; best of 3 runs, in seconds"
    )
    print(f"{'':<12}{'facts + counts':>16}{'whole command':>16}")
    met = True
    for label, where in (("SQLite", str(home)), ("PostgreSQL", url)):
        inside = []
        for _ in range(3):
            with open_store(where) as store:
                started = time.perf_counter()
                report = compute(store.case_counts())
                inside.append(time.perf_counter() - started)
            assert report.cases == cases
        command = []
        for _ in range(3):
            started = time.perf_counter()
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "screening",
                    "cases",
                    "stats",
                    "--format",
                    "json",
                    "--store",
                    where,
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            command.append(time.perf_counter() - started)
            json.load(io.StringIO(run.stdout))
        met &= min(command) < GOAL_STATS_S
        print(f"{label:<12}{min(inside):>16.3f}{min(command):>16.3f}")
    print(f"goal: the whole command under {GOAL_STATS_S:g} s on both: {'met' if met else 'MISSED'}")
    return met


if __name__ == "__main__":
    sys.exit(main())
