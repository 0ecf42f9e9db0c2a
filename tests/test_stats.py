"""`screening cases stats`: the supervisor's view, on both stores, with small counts hidden."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Run, as_user
from pgcluster import Cluster
from test_store import new_case

from screening.stats import Period, compute
from screening.store import CaseCounts, SqliteStore, open_store

Cli = Callable[..., Run]


@pytest.fixture
def home_sqlite(tmp_path: Path) -> Path:
    return tmp_path / "home"


T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def referral(
    outcome: str,
    *,
    urgent: bool = False,
    complete: bool = True,
    indicators: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> str:
    return json.dumps(
        {
            "complete": complete,
            "recommendation": {"outcome": outcome, "urgent": urgent},
            "indicators": [{"id": i} for i in indicators],
            "flags": [{"id": f} for f in flags],
        }
    )


def fill(store: SqliteStore) -> None:
    """Seven cases: five referred domestic workers from one country (two urgent), one labour
    case in construction that left questions open, one draft."""
    for n in range(5):
        cid = new_case(store, now=T0 + timedelta(days=n))
        store.record_answer(cid, "sector", "domestic_work", officer=None)
        store.record_answer(cid, "nationality", "ph", officer=None)
        store.complete(
            cid,
            referral(
                "trafficking_indicated",
                urgent=n < 2,
                indicators=("documents_taken", "locked_in") if n < 3 else ("documents_taken",),
                flags=("minor",) if n < 2 else (),
            ),
            officer=None,
        )
    labour = new_case(store, now=T0 + timedelta(days=9))
    store.record_answer(labour, "sector", "[bold]construction[/bold]", officer=None)
    store.complete(labour, referral("labour_violation", complete=False), officer=None)
    draft = new_case(store, now=T0 + timedelta(days=30))
    store.record_answer(draft, "sector", "construction", officer=None)


def test_stats_count_by_every_dimension_on_both_stores(location: str, cli: Cli) -> None:
    with open_store(location) as store:
        fill(store)
    run = cli("cases", "stats", "--format", "json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert (report["cases"], report["complete"], report["drafts"]) == (7, 6, "<5")
    assert (report["incomplete"], report["urgent"]) == ("<5", "<5")
    assert report["outcome"] == [
        {"key": "trafficking_indicated", "count": 5},
        {"key": "(draft: not completed)", "count": "<5"},
        {"key": "labour_violation", "count": "<5"},
    ]
    assert report["month"] == [{"key": "2026-11", "count": 6}, {"key": "2026-12", "count": "<5"}]
    assert report["sector"][0] == {"key": "domestic_work", "count": 5}
    assert report["nationality"][0] == {"key": "ph", "count": 5}
    assert report["indicator"] == [
        {"key": "documents_taken", "count": 5},
        {"key": "locked_in", "count": "<5"},
    ]
    assert report["flag"] == [{"key": "minor", "count": "<5"}]
    exact = json.loads(cli("cases", "stats", "--format", "json", "--exact").out)
    assert (exact["drafts"], exact["incomplete"], exact["urgent"]) == (1, 2, 2)
    assert exact["flag"] == [{"key": "minor", "count": 2}]
    assert exact["indicator"][1] == {"key": "locked_in", "count": 3}
    weeks = json.loads(cli("cases", "stats", "--format", "json", "--by", "week", "--exact").out)
    assert weeks["week"] == [
        {"key": "2026-W45", "count": 5},
        {"key": "2026-W46", "count": 1},
        {"key": "2026-W49", "count": 1},
    ]


def test_stats_as_csv_and_as_a_table_with_bars(location: str, cli: Cli) -> None:
    with open_store(location) as store:
        fill(store)
        store.record_answer(new_case(store), "sector", '=HYPERLINK("http://x")', officer=None)
    run = cli("cases", "stats", "--format", "csv")
    assert run.code == 0, run.err
    rows = list(csv.reader(io.StringIO(run.out)))
    assert rows[0] == ["section", "key", "count"]
    assert ["total", "cases", "8"] in rows
    assert ["outcome", "labour_violation", "<5"] in rows
    assert ["sector", '\'=HYPERLINK("http://x")', "<5"] in rows  # not a formula
    table = cli("cases", "stats")
    assert table.code == 0, table.err
    assert "Cases by outcome" in table.out
    assert "█" * 30 in table.out  # the largest row of a section has the full bar
    assert "<5" in table.out
    assert "[bold]construction[/bold]" in table.out  # stored text, never markup


def test_an_officer_gets_their_own_statistics_and_no_exact_counts(
    centre: tuple[Cluster, str], cli: Cli
) -> None:
    cluster, database = centre
    with open_store(as_user(cluster, database, "officer_a")) as store:
        fill(store)
    with open_store(as_user(cluster, database, "officer_b")) as store:
        new_case(store)
    officer = cli(
        "cases", "stats", "--format", "json", "--store", as_user(cluster, database, "officer_b")
    )
    assert officer.code == 0, officer.err
    assert json.loads(officer.out)["cases"] == "<5"
    refused = cli("cases", "stats", "--exact", "--store", as_user(cluster, database, "officer_b"))
    assert refused.code == 1
    assert "--exact is for supervisors" in refused.err
    supervisor = cli(
        "cases",
        "stats",
        "--exact",
        "--format",
        "json",
        "--store",
        as_user(cluster, database, "supervisor_s"),
    )
    assert supervisor.code == 0, supervisor.err
    assert json.loads(supervisor.out)["cases"] == 8


def test_compute_groups_by_iso_week() -> None:
    counts = CaseCounts(
        days=(("complete", "2026-12-31", 1), ("draft", "2027-01-01", 1)),
        outcomes=(("monitor", False, True, 1),),
        items=(("indicator", "x", 1),),
    )
    report = compute(counts, period=Period.WEEK)
    sections = {section.id: section.rows for section in report.sections}
    assert sections["week"] == (("2026-W53", 2),)
    assert sections["indicator"] == (("x", 1),)
    assert sections["outcome"] == (("(draft: not completed)", 1), ("monitor", 1))
    assert report.incomplete == 1


def test_an_indicator_is_counted_once_per_case(location: str) -> None:
    with open_store(location) as store:
        cid = new_case(store)
        store.complete(cid, referral("monitor", indicators=("x", "x")), officer=None)
        counts = store.case_counts()
    assert counts.items == (("indicator", "x", 1),)


def test_cases_completed_before_facts_were_kept_are_counted(home_sqlite: Path) -> None:
    import sqlite3

    with open_store(home_sqlite) as store:
        cid = new_case(store)
        store.record_answer(cid, "sector", "fishing", officer=None)
        store.complete(cid, referral("monitor", indicators=("x",)), officer=None)
    # as a store of schema 2 had it: no facts kept
    with sqlite3.connect(home_sqlite / "cases.sqlite3") as conn:
        conn.execute("DELETE FROM case_fact_items")
        conn.execute("DELETE FROM case_facts")
        conn.execute("DROP TABLE case_fact_items")
        conn.execute("DROP TABLE case_facts")
        conn.execute("DROP INDEX cases_by_status")
        conn.execute("DROP TABLE store_settings")
        conn.execute("DROP TABLE store_keys")
        conn.execute("ALTER TABLE cases DROP COLUMN key_gen")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    with open_store(home_sqlite) as store:  # the upgrade keeps the facts of what is there
        report = compute(store.case_counts())
        assert store.verify().ok
    sections = {section.id: section.rows for section in report.sections}
    assert sections["sector"] == (("fishing", 1),)
    assert sections["indicator"] == (("x", 1),)
    assert sections["outcome"] == (("monitor", 1),)


def test_a_drafts_sector_follows_its_answers(location: str) -> None:
    with open_store(location) as store:
        cid = new_case(store)
        new_case(store)  # nothing answered yet
        store.record_answer(cid, "sector", "fishing", officer=None)
        store.record_answer(cid, "sector", "construction", officer=None)
        store.record_answer(cid, "nationality", 7, officer=None)  # not a choice value
        report = compute(store.case_counts())
        sections = {section.id: section.rows for section in report.sections}
        assert sections["sector"] == (("(not answered)", 1), ("construction", 1))
        assert sections["nationality"] == (("(not answered)", 2),)
        store.clear_answer(cid, "sector", officer=None)
        sections = {s.id: s.rows for s in compute(store.case_counts()).sections}
        assert sections["sector"] == (("(not answered)", 2),)
        assert store.verify().ok
