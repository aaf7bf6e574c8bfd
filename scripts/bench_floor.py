#!/usr/bin/env python3
"""The engine's floor: every segment membership from the raw files in one DuckDB script.

    python scripts/bench_floor.py RAW_DIR [--out memberships.parquet] [--compare personas.duckdb]

scripts/bench_floor.sql computes, by hand and with nothing else (no quarantine, no tests, no
models in between), what the project computes into marts.segment_memberships; `make bench`
prints the project's time as a ratio to it. It runs in a subprocess of its own, so that its
peak memory (maximum resident set) is its own: a Python process holding an in-memory DuckDB
with the given threads and memory_limit. The script runs in two parts around the CLV fit,
which is Python in the project too (plugins/personas_clv.py, the code of the project's
Python model, on the same inputs in the same order, so the same parameters): the SQL splits at
the line `-- floor: clv fit`.

RAW_DIR holds raw_profiles, raw_orders, raw_order_lines, raw_email_events and raw_site_visits
as .parquet and sales_periods.csv (scripts/generate_data.py --format parquet). The floor
equals the project on clean data (--bad-share 0) only: like staging it collapses exact copies
of a row and drops conflicting versions of a key, but it quarantines nothing else.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas

PROJECT_DIR = Path(__file__).resolve().parents[1]
FLOOR_SQL = PROJECT_DIR / "scripts" / "bench_floor.sql"
FIT_MARKER = "-- floor: clv fit"
# Inputs of the fit, exactly as the project's Python model (clv_model_fit.py) queries them.
TRIPLES = (
    "select cast(frequency as double) as x, cast(recency_days as double) as t_x,"
    " cast(age_days as double) as t, count(*) as customers"
    " from clv_summary group by frequency, recency_days, age_days order by 1, 2, 3"
)
SPENDS = (
    "select cast(frequency as double) as x, repeat_monetary_value as m, count(*) as customers"
    " from clv_summary where frequency > 0 and repeat_monetary_value > 0"
    " group by frequency, repeat_monetary_value order by 1, 2"
)
CLV_MIN_CUSTOMERS = 10  # var clv_min_customers (dbt_project.yml)
CLV_VARIABLES = {"r": "clv_r", "alpha": "clv_alpha", "a": "clv_a", "b": "clv_b",
                 "p": "clv_p", "q": "clv_q", "v": "clv_v"}

# Memberships as pairs, a Parquet file of them, or a DuckDB database holding the project's
# marts.segment_memberships.
MembershipSource = Path | str | Iterable[tuple[str, str]]


@dataclass
class FloorResult:
    seconds: float  # wall time of the whole subprocess (Python start-up included)
    peak_mb: float  # its maximum resident set
    sql_seconds: float  # the two parts of the SQL script
    fit_seconds: float  # the CLV fit between them
    rows: int  # memberships
    memberships: Path  # Parquet file (segment_name, profile_id)

    def pairs(self) -> set[tuple[str, str]]:
        """The memberships as a set of (segment_name, profile_id)."""
        return _pairs(self.memberships)


def run_floor(raw_dir: Path, threads: int, memory_limit: str, out: Path | None = None,
              variables: Mapping[str, Any] | None = None, predictions_out: Path | None = None) -> FloorResult:
    """Run scripts/bench_floor.sql on raw_dir in a subprocess and time it.

    out: where the memberships are written (Parquet); default a new temporary folder.
    variables: dbt vars to set instead of their defaults ({"as_of_date": "2026-05-31", ...}:
    the vars the script reads, plus clv_min_customers for the fit), and collapse_repeats
    (false: do not look for repeated rows). predictions_out: also write the CLV predictions
    there (Parquet: profile_id, probability_alive, predicted_clv, days_to_next_order), outside
    the timing. Raises RuntimeError, with the subprocess's error output, if it fails.
    """
    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="bench_floor_")) / "memberships.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    config = {"raw_dir": str(Path(raw_dir).resolve()), "threads": threads, "memory_limit": memory_limit,
              "out": str(out.resolve()), "variables": dict(variables or {}),
              "predictions_out": str(Path(predictions_out).resolve()) if predictions_out else None}
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(config)],
                          capture_output=True, text=True, check=False, cwd=PROJECT_DIR)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"bench_floor failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return FloorResult(seconds=seconds, peak_mb=report["peak_kb"] / 1024, sql_seconds=report["sql_seconds"],
                       fit_seconds=report["fit_seconds"], rows=report["rows"], memberships=out)


def _worker(config: dict[str, object]) -> dict[str, float]:
    """Inside the subprocess: run the script, fit, write the memberships; report the figures."""
    sys.path.insert(0, str(PROJECT_DIR / "plugins"))
    import personas_clv as clv  # scipy: imported before the clock starts, as dbt imports it at start-up

    script = FLOOR_SQL.read_text()
    parts = re.split(f"^{re.escape(FIT_MARKER)}$", script, flags=re.MULTILINE)
    if len(parts) != 2:
        raise SystemExit(f"{FLOOR_SQL} must hold the line '{FIT_MARKER}' once")
    before_fit, after_fit = parts
    spill = tempfile.TemporaryDirectory(prefix="bench_floor_spill_")
    con = duckdb.connect(config={"threads": int(config["threads"]), "memory_limit": str(config["memory_limit"]),
                                 "temp_directory": spill.name})
    variables = dict(config.get("variables") or {})
    min_customers = int(variables.pop("clv_min_customers", CLV_MIN_CUSTOMERS))
    for name, value in {"raw_dir": config["raw_dir"], **variables}.items():
        if not re.fullmatch(r"[a-z_]+", name):
            raise SystemExit(f"not a variable name: {name!r}")
        _run(con, f"set variable {name} = {_literal(value)}")

    started = time.monotonic()
    _run(con, before_fit)
    sql_seconds = time.monotonic() - started

    started = time.monotonic()
    triples = con.sql(TRIPLES).fetchnumpy()
    spends = con.sql(SPENDS).fetchnumpy()
    bg_nbd = clv.fit_bg_nbd(triples["x"], triples["t_x"], triples["t"], weights=triples["customers"],
                            min_customers=min_customers)
    gamma_gamma = clv.fit_gamma_gamma(spends["x"], spends["m"], weights=spends["customers"],
                                      min_customers=min_customers)
    for name, value in ((name, value) for model in clv.parameters_var(bg_nbd, gamma_gamma).values()
                        for name, value in model.items()):
        # repr: the shortest text that reads back as the same double.
        _run(con, f"set variable {CLV_VARIABLES[name]} = cast('{value!r}' as double)")
    fit_seconds = time.monotonic() - started

    started = time.monotonic()
    _run(con, after_fit)
    _run(con, f"copy memberships to '{_quoted(str(config['out']))}' (format parquet)")
    sql_seconds += time.monotonic() - started
    rows = con.sql("select count(*) from memberships").fetchall()[0][0]
    if config.get("predictions_out"):
        _run(con, f"copy predictions to '{_quoted(str(config['predictions_out']))}' (format parquet)")
    con.close()
    spill.cleanup()
    return {"sql_seconds": sql_seconds, "fit_seconds": fit_seconds, "rows": rows,
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run every statement of `sql` to its end (DuckDB's Python client runs the last statement
    of a script only when its result is fetched)."""
    result = con.execute(sql)
    if result is not None:
        result.fetchall()


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _literal(value: Any) -> str:
    """A Python value (JSON's kinds) as a DuckDB literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return f"'{_quoted(str(value))}'"


def _register(con: duckdb.DuckDBPyConnection, name: str, source: MembershipSource) -> None:
    """A view `name`(segment_name, profile_id) over the source."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.suffix == ".parquet":
            con.execute(f"create view {name} as select segment_name, profile_id "
                        f"from read_parquet('{_quoted(str(path))}')")
        else:
            con.execute(f"attach '{_quoted(str(path))}' as {name}_db (read_only)")
            con.execute(f"create view {name} as select segment_name, profile_id "
                        f"from {name}_db.marts.segment_memberships")
        return
    # One column each, registered as a DataFrame: executemany inserts row by row, which took
    # more than ten minutes for the 3.6 M memberships of 1M profiles.
    pairs = sorted(set(source))
    frame = pandas.DataFrame(pairs, columns=["segment_name", "profile_id"], dtype="object")
    con.register(f"{name}_frame", frame)
    con.execute(f"create table {name} as select cast(segment_name as varchar) as segment_name, "
                f"cast(profile_id as varchar) as profile_id from {name}_frame")
    con.unregister(f"{name}_frame")


def _pairs(source: MembershipSource) -> set[tuple[str, str]]:
    con = duckdb.connect()
    _register(con, "memberships", source)
    pairs = set(con.sql("select segment_name, profile_id from memberships").fetchall())
    con.close()
    return pairs


def compare_memberships(floor: MembershipSource, project: MembershipSource) -> str | None:
    """None if both hold the same (segment_name, profile_id) pairs, else a readable summary of
    every segment that differs: members in each, and how many are only in one of them.

    floor, project: a set of pairs, a Parquet file of them, or a DuckDB database file holding
    the project's marts.segment_memberships."""
    con = duckdb.connect()
    _register(con, "floor_side", floor)
    _register(con, "project_side", project)
    rows = con.sql("""
        with
        floor_pairs as (select distinct segment_name, profile_id from floor_side),
        project_pairs as (select distinct segment_name, profile_id from project_side),
        both_sides as (
            select
                coalesce(floor_pairs.segment_name, project_pairs.segment_name) as segment_name,
                floor_pairs.profile_id is not null as in_floor,
                project_pairs.profile_id is not null as in_project
            from floor_pairs
            full outer join project_pairs
                on floor_pairs.segment_name = project_pairs.segment_name
                and floor_pairs.profile_id = project_pairs.profile_id
        )
        select
            segment_name,
            count(*) filter (where in_floor) as floor_members,
            count(*) filter (where in_project) as project_members,
            count(*) filter (where not in_project) as only_in_floor,
            count(*) filter (where not in_floor) as only_in_project
        from both_sides
        group by segment_name
        having count(*) filter (where not (in_floor and in_project)) > 0
        order by segment_name
    """).fetchall()
    con.close()
    if not rows:
        return None
    lines = [f"{len(rows)} segment(s) differ (members: floor / project; only in floor, only in project):"]
    lines += [f"  {name}: {floor_n} / {project_n}; only in floor {only_floor}, only in project {only_project}"
              for name, floor_n, project_n, only_floor, only_project in rows]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw_dir", type=Path, nargs="?", help="folder of the raw files")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the memberships (segment_name, profile_id) to this Parquet file "
                             "(default: a temporary file)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (bench's default)")
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB memory_limit (bench's default)")
    parser.add_argument("--vars", type=json.loads, default={},
                        help="dbt vars instead of their defaults, as JSON, e.g. '{\"as_of_date\": \"2026-05-31\"}'; "
                             "also collapse_repeats (false: skip looking for repeated rows)")
    parser.add_argument("--compare", type=Path, default=None,
                        help="a DuckDB database built by the project (or a Parquet file of memberships): "
                             "compare its marts.segment_memberships with the floor's; exit 1 if they differ")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is None and args.raw_dir is None:
        parser.error("RAW_DIR is required")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker is not None:
        print(json.dumps(_worker(json.loads(args.worker))))
        return 0
    print(f"floor on {args.raw_dir} (threads {args.threads}, memory_limit {args.memory_limit}) ...",
          file=sys.stderr, flush=True)
    result = run_floor(args.raw_dir, args.threads, args.memory_limit, out=args.out, variables=args.vars)
    print(f"wall {result.seconds:.1f} s (SQL {result.sql_seconds:.1f} s, CLV fit {result.fit_seconds:.1f} s), "
          f"peak memory {result.peak_mb:,.0f} MB, {result.rows:,} memberships in {result.memberships}")
    if args.compare is not None:
        difference = compare_memberships(result.memberships, args.compare)
        print(difference or f"equal to the memberships of {args.compare}")
        return 1 if difference else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
