#!/usr/bin/env python3
"""Fill marts.segment_membership_history for past days, one as-of date at a time.

    python scripts/backfill.py --from 2026-01-01 --to 2026-05-31 --step 7
    (or: make backfill FROM=2026-01-01 TO=2026-05-31 STEP=7)

The days are FROM, FROM + STEP, ... and TO itself. Each day is one `dbt run` of what the
history needs (`--select +segment_history_days`; the staging models, which do not depend on the
as-of date, only on the first day) with --vars '{as_of_date: <day>, publish: false}': the
project's time travel, so the history on each day holds the memberships a build as of that
day gives. One progress line per day. At the end, `dbt run` of segment_summary (the list of
segments), segment_trends and segment_transitions, `dbt test --select tag:history` (the history's data tests and
invariants), and one publish (`dbt run-operation publish_marts`, DuckDB): the marts are then as
of the last day run, and the next daily build brings them back to today (and adds today to the
history).

The history only moves forward (the model refuses an as-of date before its latest day):
 - days already recorded (marts.segment_history_days) are skipped, so a backfill that was
   interrupted and is run again resumes where it stopped, with the same result as one that
   ran through;
 - a day before the latest recorded day that is not recorded itself cannot be added: the
   script stops before doing anything, unless --reset (RESET=1), which drops the history
   (dbt run-operation reset_segment_history) and records every requested day from scratch.
   That drops the days recorded by earlier daily builds too, unless they are requested again.

dbt runs inside this process (dbtRunner), which parses the project once and reuses the
manifest for every day: a change of --vars would otherwise make each `dbt run` re-parse the
whole project. Environment and extra dbt options are those of any dbt command
(PERSONAS_TARGET, PERSONAS_DUCKDB_PATH, ...); --dbt-arg passes one more option to every dbt
command (e.g. --dbt-arg=--target-path=/tmp/x/target), --vars adds vars (JSON) to every day's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
RECORDED_PREFIX = "segment_history_days_recorded:"


def backfill_days(first: dt.date, last: dt.date, step: int) -> list[dt.date]:
    """FROM, FROM + STEP, ... up to TO, and TO itself."""
    if step < 1:
        raise ValueError("STEP must be at least 1 (days)")
    if last < first:
        raise ValueError(f"TO ({last}) is before FROM ({first})")
    days = []
    day = first
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=step)
    if days[-1] != last:
        days.append(last)
    return days


def plan(
    requested: Sequence[dt.date], recorded: Sequence[dt.date]
) -> tuple[list[dt.date], list[dt.date], list[dt.date]]:
    """(to run, already recorded, out of order) for the requested days and the recorded ones."""
    latest = max(recorded) if recorded else None
    recorded_set = set(recorded)
    to_run = [day for day in requested if day not in recorded_set and (latest is None or day > latest)]
    done = [day for day in requested if day in recorded_set]
    out_of_order = [day for day in requested if day not in recorded_set and latest is not None and day < latest]
    return to_run, done, out_of_order


class Dbt:
    """dbt in this process: the project is parsed once, and every command reuses that manifest.

    A change of --vars makes dbt re-parse the whole project (about half a minute here), which
    would be paid on every day of the backfill; vars are read when a model is compiled, so a
    manifest parsed without as_of_date serves every day (the vars of each command apply).
    """

    def __init__(self, extra_args: Sequence[str], parse_vars: dict[str, object]) -> None:
        from dbt.cli.main import dbtRunner  # noqa: PLC0415  (dbt is heavy: only when running)

        self.extra_args = ["--project-dir", str(PROJECT_DIR), *extra_args]
        self.printed: list[str] = []
        self._runner_class = dbtRunner
        parsed = dbtRunner(callbacks=[self._on_event]).invoke(
            ["parse", "--quiet", "--vars", json.dumps(parse_vars), *self.extra_args])
        if not parsed.success:
            raise RuntimeError(f"dbt parse failed: {parsed.exception}")
        self.manifest = parsed.result

    def _on_event(self, event: object) -> None:
        info = getattr(event, "info", None)
        if info is not None and getattr(info, "name", "") == "PrintEvent":
            self.printed.append(info.msg)

    def invoke(self, args: Sequence[str]) -> tuple[bool, int, str]:
        """(success, nodes that passed, error text) of `dbt <args>`."""
        self.printed.clear()
        runner = self._runner_class(manifest=self.manifest, callbacks=[self._on_event])
        done = runner.invoke([*args, "--quiet", *self.extra_args])
        results = getattr(done.result, "results", None) or []
        passed = sum(1 for result in results if str(result.status) in ("success", "pass"))
        errors = [f"{result.node.name}: {result.message}" for result in results
                  if str(result.status) in ("error", "fail")]
        if done.exception is not None:
            errors.append(str(done.exception))
        return done.success, passed, "\n".join(errors)


def _fail(message: str, details: str = "") -> int:
    if details:
        sys.stderr.write(details.rstrip() + "\n")
    sys.stderr.write(f"backfill: {message}\n")
    return 1


def recorded_days(dbt: Dbt) -> list[dt.date]:
    success, _, errors = dbt.invoke(["run-operation", "segment_history_days_recorded"])
    if not success:
        raise RuntimeError(errors)
    for line in dbt.printed:
        if line.startswith(RECORDED_PREFIX):
            values = line[len(RECORDED_PREFIX):].strip()
            return [dt.date.fromisoformat(value) for value in values.split(",") if value]
    raise RuntimeError(f"no '{RECORDED_PREFIX}' line printed")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="first", required=True, type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="last", required=True, type=dt.date.fromisoformat, help="last day, YYYY-MM-DD")
    parser.add_argument("--step", type=int, default=1, help="days between two recorded days (default 1)")
    parser.add_argument("--reset", action="store_true",
                        help="drop the history first and record every requested day from scratch")
    parser.add_argument("--vars", default="{}", help="more dbt vars for every day, as JSON")
    parser.add_argument("--dbt-arg", action="append", default=[], help="one more option for every dbt command")
    parser.add_argument("--no-final-build", action="store_true",
                        help="skip the closing run of trends and transitions, test of the history and publish")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        requested = backfill_days(args.first, args.last, args.step)
        extra_vars = json.loads(args.vars)
    except ValueError as error:
        return _fail(str(error))
    started_all = time.monotonic()
    dbt = Dbt(args.dbt_arg, {**extra_vars, "publish": False})

    if args.reset:
        print("backfill: dropping the history (dbt run-operation reset_segment_history)", flush=True)
        success, _, errors = dbt.invoke(["run-operation", "reset_segment_history"])
        if not success:
            return _fail("reset_segment_history failed", errors)
        recorded: list[dt.date] = []
    else:
        try:
            recorded = recorded_days(dbt)
        except RuntimeError as error:
            return _fail(f"could not read the recorded days: {error}")

    to_run, done_days, out_of_order = plan(requested, recorded)
    if out_of_order:
        return _fail(
            f"the history already holds days up to {max(recorded)}; {len(out_of_order)} requested day(s) "
            f"before it are not recorded ({', '.join(map(str, out_of_order[:5]))}"
            f"{', ...' if len(out_of_order) > 5 else ''}) and cannot be added: the history only moves "
            "forward. Run again with --reset (make backfill ... RESET=1) to drop it and record the "
            "requested days from scratch."
        )
    if done_days:
        print(f"backfill: {len(done_days)} of {len(requested)} days already recorded (resuming after "
              f"{max(done_days)})", flush=True)

    # The staging models do not depend on the as-of date: built on the first day run only (and
    # then only if this backfill runs any day at all).
    for index, day in enumerate(to_run, start=1):
        day_vars = {**extra_vars, "as_of_date": day.isoformat(), "publish": False}
        selection = ["--select", "+segment_history_days"]
        if index > 1:
            selection += ["--exclude", "tag:staging"]
        print(f"backfill [{index}/{len(to_run)}] as of {day} ...", end="", flush=True)
        started = time.monotonic()
        success, passed, errors = dbt.invoke(["run", *selection, "--vars", json.dumps(day_vars)])
        seconds = time.monotonic() - started
        if not success:
            print(" FAILED", flush=True)
            return _fail(f"dbt run as of {day} failed; the days before it are recorded: "
                         "run the same command again to resume", errors)
        print(f" recorded ({passed} models, {seconds:.1f} s)", flush=True)

    if not args.no_final_build:
        # Never the history models themselves: the memberships in the warehouse are those of
        # the last day run, which a rerun as of another day would record under that day.
        # `dbt run` + `dbt test` + one publish, as `make publish` documents (a `dbt build` of a
        # selection would publish before the tests of the history ran).
        final_vars = dict(extra_vars)
        if to_run:  # the marts (and the published manifest) are as of the last day run
            final_vars["as_of_date"] = to_run[-1].isoformat()
        print("backfill: dbt run of segment_trends and segment_transitions, dbt test of the history, publish ...",
              end="", flush=True)
        started = time.monotonic()
        for command in (
            ["run", "--select", "segment_summary", "segment_trends", "segment_transitions"],
            ["test", "--select", "tag:history"],
            ["run-operation", "publish_marts"],  # DuckDB; nothing elsewhere, nor with var publish false
        ):
            success, _, errors = dbt.invoke([*command, "--vars", json.dumps(final_vars)])
            if not success:
                print(" FAILED", flush=True)
                return _fail(f"dbt {command[0]} failed", errors)
        print(f" done ({time.monotonic() - started:.1f} s)", flush=True)
    print(f"backfill: {len(to_run)} day(s) recorded, {len(done_days)} already there, "
          f"{time.monotonic() - started_all:.0f} s in all", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
