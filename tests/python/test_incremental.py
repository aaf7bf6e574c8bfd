"""An incremental day equals a full refresh (issue: real data at millions of profiles).

The generator writes a small shop (with its bad rows) as Parquet. "Yesterday" is that shop
without the events, orders and order lines of its last day; "today" is all of it. The test
builds yesterday from scratch, then runs the project again, incrementally, on today's files,
and compares every relation of staging, intermediate and marts with a fresh full build of
today: they must hold exactly the same rows. It also checks that the incremental run
re-derived only the keys touched since yesterday's load, not all of history.

A crash is the other way a daily run meets yesterday's warehouse: the same incremental run,
killed (SIGKILL, its whole process group) as soon as it starts the incremental aggregate of
the email events, after it has committed the re-derived rows of the base models, must leave
a warehouse that the next run brings to exactly the full refresh's rows.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, DbtRun, LogWatch, build_arguments, build_project, dbt_invocation

# Left out of `make test-fast` and the pull-request CI (three builds of a generated shop, one after the other).
pytestmark = pytest.mark.slow

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
from bench import split_last_day  # noqa: E402  (scripts/ is not a package)

INCREMENTAL_MODELS = ("base_orders_rows", "base_order_lines_rows", "base_email_events_rows", "base_site_visits_rows")
# Columns that say when a row was derived, which differ between two builds by design.
LOAD_COLUMNS = ("loaded_at",)
# The segment history (models/marts/history) keeps the day of every build: after yesterday's
# and today's builds it holds two days where a fresh build holds one, by design.
# tests/python/test_history.py checks it against one build per day instead.
HISTORY_RELATIONS = ("segment_membership_history", "segment_history_days", "segment_trends", "segment_transitions")
# Where the crash test kills the daily run: dbt.log's line when the incremental aggregate of
# the email events starts, by then the four base models have committed today's rows.
CRASH_AT = "START sql incremental model intermediate.int_email_activity_daily"


def _write_shop(folder: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "generate_data.py"),
            "--profiles", "1500",
            "--format", "parquet",
            "--out", str(folder),
            "--quiet",
        ],
        check=True,
        cwd=PROJECT_DIR,
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("incremental")
    today, yesterday = root / "today", root / "yesterday"
    _write_shop(today)
    last_day = split_last_day(today, yesterday)

    incremental_dir, full_dir = root / "incremental", root / "full"
    first = build_project(incremental_dir, raw_data_path=yesterday, label="incremental: yesterday, full")
    assert first.ok, first.error_summary()
    with first.connect() as con:
        yesterday_rows = {model: con.execute(f"select count(*) from staging.{model}").fetchone()[0]
                          for model in INCREMENTAL_MODELS}
    # The crash test starts from a copy of yesterday's warehouse.
    crash_dir = root / "crash"
    crash_dir.mkdir()
    shutil.copy2(first.database, crash_dir / first.database.name)
    second = build_project(incremental_dir, raw_data_path=today, label="incremental: today, incremental")
    crashed, after_crash = _crash_then_rerun(crash_dir, today)
    assert second.ok, second.error_summary()
    full = build_project(full_dir, raw_data_path=today, label="incremental: today, full refresh")
    assert full.ok, full.error_summary()
    return {"incremental": second, "full": full, "last_day": last_day, "yesterday_rows": yesterday_rows,
            "crashed": crashed, "after_crash": after_crash}


def _crash_then_rerun(workdir: Path, today: Path) -> tuple[bool, DbtRun]:
    """Run today's incremental build in workdir and kill it at CRASH_AT; then run it again.
    Returns whether the kill happened, and the second run."""
    args, all_vars = build_arguments(raw_data_path=today)
    command, env = dbt_invocation(args, workdir=workdir, vars=all_vars)
    watch = LogWatch(workdir / "logs" / "dbt.log", CRASH_AT)
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    killed = False
    deadline = time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        if watch.count():
            os.killpg(process.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.05)
    if process.poll() is None and not killed:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    rerun = build_project(workdir, raw_data_path=today, label="incremental: today, after a crash")
    return killed, rerun


def _differences(database: Path, reference: Path) -> list[str]:
    """The relations of staging, intermediate and marts (but the history) whose rows differ
    between the two DuckDB files, ignoring when a row was derived; and any relation in one
    only."""
    con = duckdb.connect(str(database), read_only=True)
    con.execute(f"attach '{reference}' as full_build (read_only)")
    mine = _relations(con, database.stem)
    theirs = _relations(con, "full_build")
    differences = [f"{schema}.{name}: only in one of the two" for schema, name in set(mine) ^ set(theirs)]
    assert len(mine) > 60
    for schema, name in mine:
        if name in HISTORY_RELATIONS or (schema, name) not in theirs:
            continue
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
                [database.stem, schema, name],
            ).fetchall()
            if row[0] not in LOAD_COLUMNS
        ]
        column_list = ", ".join(f'"{column}"' for column in columns)
        only_incremental, only_full = con.execute(
            f"select "
            f"(select count(*) from (select {column_list} from {database.stem}.{schema}.{name} "
            f" except all select {column_list} from full_build.{schema}.{name})), "
            f"(select count(*) from (select {column_list} from full_build.{schema}.{name} "
            f" except all select {column_list} from {database.stem}.{schema}.{name}))"
        ).fetchone()
        if only_incremental or only_full:
            differences.append(f"{schema}.{name}: {only_incremental} rows only incremental, {only_full} only full")
    con.close()
    return sorted(differences)


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? and table_schema in ('staging', 'intermediate', 'marts') "
        "order by 1, 2",
        [catalog],
    ).fetchall()


def test_incremental_day_equals_full_refresh(builds: dict[str, object]) -> None:
    differences = _differences(builds["incremental"].database, builds["full"].database)
    assert not differences, "incremental run differs from a full refresh:\n" + "\n".join(differences)


def test_incremental_run_after_a_crash_equals_full_refresh(builds: dict[str, object]) -> None:
    assert builds["crashed"], f"the daily run ended before dbt.log said {CRASH_AT!r}: nothing was interrupted"
    after_crash = builds["after_crash"]
    assert after_crash.ok, after_crash.error_summary()
    differences = _differences(after_crash.database, builds["full"].database)
    assert not differences, "the run after a crash differs from a full refresh:\n" + "\n".join(differences)


def test_incremental_run_rederives_only_the_new_day(builds: dict[str, object]) -> None:
    incremental = builds["incremental"]
    with incremental.connect() as con:
        for model in INCREMENTAL_MODELS:
            total, rederived, new_rows = con.execute(
                f"select count(*), "
                f"count(*) filter (where loaded_at = (select max(loaded_at) from staging.{model})), "
                f"count(*) - ? "
                f"from staging.{model}",
                [builds["yesterday_rows"][model]],
            ).fetchone()
            # The new day's rows are re-derived (with the re-checked last loaded day and the
            # few rows whose timestamp cannot be placed in time), not the whole history.
            assert new_rows > 0, model
            assert rederived >= new_rows, model
            assert rederived < total * 0.2, f"{model}: re-derived {rederived} of {total} rows"


def test_incremental_run_reaggregates_only_the_changed_profile_days(builds: dict[str, object]) -> None:
    """int_email_activity_daily rewrites the (profile, day) pairs of re-derived events, not all."""
    incremental = builds["incremental"]
    with incremental.connect() as con:
        total, rewritten = con.execute(
            "select count(*), count(*) filter (where loaded_at = "
            "(select max(loaded_at) from intermediate.int_email_activity_daily)) "
            "from intermediate.int_email_activity_daily"
        ).fetchone()
    assert rewritten > 0
    assert rewritten < total * 0.2, f"int_email_activity_daily: rewrote {rewritten} of {total} rows"


def test_daily_run_writes_only_the_event_keys_that_changed(builds: dict[str, object]) -> None:
    """The email events and site visits re-derive every key that cannot be placed in time on
    every run, and the last loaded day again, but write only the keys whose rows changed
    (macros/staging/rows_of_changed_keys.sql): after the daily run, the rows of the keys
    re-derived to the same rows keep yesterday's loaded_at, and every row it wrote is of a
    key with a row of the new day."""
    incremental, last_day = builds["incremental"], builds["last_day"]
    with incremental.connect() as con:
        for model in ("base_email_events_rows", "base_site_visits_rows"):
            unplaced, unplaced_written, written, written_old_keys = con.execute(
                f"""
                with latest as (select max(loaded_at) as latest_loaded_at from staging.{model}),
                new_day_keys as (
                    select distinct event_id from staging.{model}
                    where cast(occurred_at_parsed as date) = ?
                )
                select
                    count(*) filter (where key_first_day = 'unplaced'),
                    count(*) filter (where key_first_day = 'unplaced' and loaded_at = latest_loaded_at),
                    count(*) filter (where loaded_at = latest_loaded_at),
                    count(*) filter (
                        where loaded_at = latest_loaded_at
                        and event_id not in (select event_id from new_day_keys)
                    )
                from staging.{model}, latest
                """,
                [last_day],
            ).fetchone()
            assert unplaced > 0, f"{model}: the shop has no row that cannot be placed in time"
            assert written > 0, model
            assert unplaced_written == 0, f"{model}: rewrote {unplaced_written} unchanged unplaced rows"
            assert written_old_keys == 0, f"{model}: wrote {written_old_keys} rows of keys without a new-day row"
