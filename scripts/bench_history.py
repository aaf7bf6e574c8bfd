#!/usr/bin/env python3
"""Time the segment history step of a daily build at a multiple of a benchmarked scale.

    python scripts/bench_history.py --from-database bench/work/100000/personas.duckdb --factor 10 \
        --history-days 365

`make bench SCALE=N` times a full build and an incremental day of N profiles, and reports the
history step (segment_membership_history, segment_history_days, segment_trends,
segment_transitions) of that day. The history step reads nothing but segment_memberships and
the history itself, so its cost at a larger scale can be measured without generating and
building that shop: this copies, from a benchmarked warehouse whose history holds two days
(the bench's full build and its incremental day), the memberships of both days and the
segment list into a new DuckDB file, each profile repeated --factor times (profile_id#k),
adds --history-days earlier days of history (closed intervals, with the day-to-day churn of the
source: the same number of joiners and leavers per day, spread over the segments), and then
times `dbt run --select tag:history` as of the second day, as a daily build would run it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from-database", type=Path, required=True, help="a benchmarked warehouse (2 days of history)")
    parser.add_argument("--factor", type=int, default=10, help="repeat every profile this many times")
    parser.add_argument("--history-days", type=int, default=365, help="earlier days of history to add")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_DIR / "bench" / "work" / "history")
    args = parser.parse_args()

    args.work_dir.mkdir(parents=True, exist_ok=True)
    database = args.work_dir / "personas.duckdb"
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    con.execute(f"attach '{args.from_database}' as source (read_only)")
    days = [row[0] for row in con.execute(
        "select as_of_date from source.marts.segment_history_days order by 1").fetchall()]
    if len(days) != 2:
        raise SystemExit(f"expected 2 days of history in {args.from_database}, found {days}")
    first, second = days
    con.execute("create schema marts")
    con.execute("create table marts.segment_summary as select segment_name from source.marts.segment_summary")
    copies = f"(select range as copy_number from range({args.factor}))"
    # Today's memberships, and the history as the first day left it (every interval open).
    con.execute(f"""
        create table marts.segment_memberships as
        select segment_name, profile_id || '#' || copy_number as profile_id
        from source.marts.segment_memberships cross join {copies}""")
    con.execute(f"""
        create table marts.segment_membership_history as
        select segment_name, profile_id || '#' || copy_number as profile_id, valid_from,
               cast(null as date) as valid_to
        from source.marts.segment_membership_history cross join {copies}
        where valid_from <= date '{first}' and (valid_to is null or valid_to > date '{first}')""")
    churn = con.execute(f"""
        select count(*) filter (where valid_to = date '{second}'), count(*) filter (where valid_from = date '{second}')
        from source.marts.segment_membership_history""").fetchone()
    per_day = max(churn) * args.factor
    # Earlier days: per day, `per_day` intervals that opened that day and closed the next
    # (profiles of their own, so they never meet today's intervals).
    con.execute(f"""
        insert into marts.segment_membership_history
        with segments as (select segment_name, row_number() over (order by segment_name) - 1 as n,
                                 count(*) over () as segments from marts.segment_summary)
        select segments.segment_name, 'old#' || day_number || '#' || i as profile_id,
               date '{first}' - cast(day_number + 1 as integer) as valid_from,
               date '{first}' - cast(day_number as integer) as valid_to
        from range(1, {args.history_days} + 1) as days(day_number)
        cross join range({per_day}) as intervals(i)
        inner join segments on segments.n = i % segments.segments""")
    con.execute(f"""
        create table marts.segment_history_days as
        select date '{first}' - cast(range as integer) as as_of_date, cast(current_timestamp as timestamp) as loaded_at
        from range(0, {args.history_days} + 2)""")
    sizes = con.execute("""select (select count(*) from marts.segment_memberships),
        (select count(*) from marts.segment_membership_history),
        (select count(*) from marts.segment_history_days)""").fetchone()
    con.close()
    print(f"memberships today {sizes[0]:,}; history {sizes[1]:,} intervals over {sizes[2]} days; "
          f"{per_day:,} joiners or leavers a day (source: {churn[0]:,} left, {churn[1]:,} joined)", flush=True)

    dbt = str(Path(sys.executable).parent / "dbt")
    env = dict(os.environ, PERSONAS_TARGET="duckdb", PERSONAS_DUCKDB_PATH=str(database),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    target = args.work_dir / "target"
    common = ["--target-path", str(target), "--log-path", str(args.work_dir / "logs"), "--quiet",
              "--vars", json.dumps({"as_of_date": str(second), "publish": False})]
    subprocess.run([dbt, "parse", *common], env=env, cwd=PROJECT_DIR, check=True)
    started = time.monotonic()
    subprocess.run([dbt, "run", "--select", "tag:history", *common], env=env, cwd=PROJECT_DIR, check=True)
    wall = time.monotonic() - started
    results = json.loads((target / "run_results.json").read_text())["results"]
    models = ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.1f} s" for r in results)
    print(f"history step as of {second}: {sum(r['execution_time'] for r in results):.1f} s in the models "
          f"({models}); dbt run wall time {wall:.1f} s (parsing done before)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
