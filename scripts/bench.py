#!/usr/bin/env python3
"""Benchmark Personas at a chosen scale: a full build, then one incremental day.

    python scripts/bench.py --profiles 100000          (or: make bench SCALE=100000)

Steps, each timed:
  1. generate the shop with scripts/generate_data.py (Parquet, the `full` preset: about 10
     orders, 100 email events and 30 site events per profile), once per scale: the files are
     kept under --data-dir and reused;
  2. make "yesterday": the same files without the rows of the last day (split_last_day);
     then `dbt parse` once, timed apart: a warehouse's builds reuse the parse until the
     project or its vars change;
  3. full build: `dbt run --full-refresh` of every model on yesterday's files, in a new DuckDB;
  4. incremental day: `dbt run` on today's files into the same database.
Both runs read the same folder (var raw_data_path = <work-dir>/raw, a link to yesterday's
files, then to today's), as a real daily run reads the same folder with one more day in its
files: the var is unchanged, so both runs use dbt's partial parsing, as they would in
production, instead of re-parsing the project (the parse is timed apart, below).
It prints, per phase, the wall time, the peak memory (maximum resident set of the dbt
process), and per layer (staging, intermediate, marts) the seconds dbt spent in its models,
the rows they hold and the rows per second; and writes the same tables, with the machine they
ran on, to --out. Data tests are not part of the timing (`make test` runs them).

Then, on yesterday's files (the full build's input), the yardsticks of issue 17, each in its
own process, timed in the same run so that their ratios hold on a noisy machine:
  5. the floor: scripts/bench_floor.sql, one hand-written DuckDB script computing the facts
     and every segment's memberships (no quarantine tables, no tests);
  6. the peer: scripts/bench_pandas.py, the pandas an analyst would write for the same
     memberships (stopped, and reported, when it outgrows --pandas-memory-limit-mb);
each checked equal to the project's segment_memberships after the full build. The data is
clean by default (--bad-share 0): the peers quarantine nothing, so only on clean data must
they agree with the project (the bad rows' handling is tested by `make test`).
  7. the analyst's loop: on a copy of the project with the demo built, one segment edited and
     `dbt build --select seg_biggest_fans+` timed (issue 17: under 15 s).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import bench_floor  # noqa: E402  (scripts/ is not a package)
import bench_pandas  # noqa: E402

# entity: its timestamp column. The events, orders (and their lines) of the last day are
# what "one more day" adds.
EVENT_TIMESTAMPS = {"raw_orders": "ordered_at", "raw_email_events": "occurred_at", "raw_site_visits": "occurred_at"}
LAYERS = ("staging", "intermediate", "marts")


def split_last_day(today: Path, yesterday: Path) -> str:
    """Write to `yesterday` the raw files of `today` without the rows of its last day.

    The last day is the latest UTC day written in a well-formed timestamp of the orders,
    email events or site visits; rows whose timestamp is missing or malformed stay in
    yesterday (they cannot be placed in time). Order lines of the removed orders go with
    them. Profiles and sales periods are copied unchanged. Returns the removed day.
    """
    yesterday.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    well_formed = "regexp_matches(trim({c}), '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} ')"
    last_day = max(
        con.execute(
            f"select max(substring(trim({column}), 1, 10)) from read_parquet(?) "
            f"where {well_formed.format(c=column)}",
            [str(today / f"{entity}.parquet")],
        ).fetchone()[0]
        for entity, column in EVENT_TIMESTAMPS.items()
    )
    for entity, column in EVENT_TIMESTAMPS.items():
        con.execute(
            f"copy (select * from read_parquet(?) where coalesce(trim({column}), '') not like ? || '%') "
            f"to '{yesterday / (entity + '.parquet')}' (format parquet)",
            [str(today / f"{entity}.parquet"), last_day],
        )
    con.execute(
        "copy (select lines.* from read_parquet(?) as lines "
        "anti join (select trim(order_id) as order_id from read_parquet(?) where trim(ordered_at) like ? || '%') "
        "as removed on trim(lines.order_id) = removed.order_id) "
        f"to '{yesterday / 'raw_order_lines.parquet'}' (format parquet)",
        [str(today / "raw_order_lines.parquet"), str(today / "raw_orders.parquet"), last_day],
    )
    con.close()
    for unchanged in ("raw_profiles.parquet", "sales_periods.csv"):
        shutil.copyfile(today / unchanged, yesterday / unchanged)
    return last_day


@dataclass
class Phase:
    name: str
    seconds: float
    peak_mb: float
    layers: dict[str, tuple[int, float, int]]  # layer: (models, seconds in models, rows)
    slowest: list[tuple[str, float]]  # the models that took longest: (name, seconds)


def _measured(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall seconds and the peak RSS (MB) of its process tree's largest process."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "code = subprocess.call(sys.argv[1:])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", wrapper, *command], env=env, cwd=PROJECT_DIR,
                          stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.monotonic() - started
    lines = done.stderr.strip().splitlines()
    if done.returncode != 0:
        sys.stderr.write("\n".join(lines[:-1]) + "\n")
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}")
    return seconds, int(lines[-1]) / 1024


def _layers(target: Path, database: Path) -> dict[str, tuple[int, float, int]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    con = duckdb.connect(str(database), read_only=True)
    layers: dict[str, list[float]] = {layer: [0, 0.0, 0] for layer in LAYERS}
    for result in results:
        node = manifest.get(result["unique_id"])
        if node is None or node["resource_type"] != "model" or node["schema"] not in layers:
            continue
        entry = layers[node["schema"]]
        entry[0] += 1
        entry[1] += result["execution_time"]
        if node["config"]["materialized"] != "view":  # a view holds no rows of its own
            entry[2] += con.execute(f'select count(*) from "{node["schema"]}"."{node["alias"]}"').fetchone()[0]
    con.close()
    return {layer: (int(v[0]), float(v[1]), int(v[2])) for layer, v in layers.items()}


# The segment history step of a build (models/marts/history): what a daily build adds to keep
# the history, its trends and transitions (issue 16: under 15 s at 1M profiles).
HISTORY_MODELS = ("segment_membership_history", "segment_history_days", "segment_trends", "segment_transitions")
# The predictions step (models/marts/predictions): the buyers' summary, the BG/NBD and
# Gamma-Gamma fit (a Python model on DuckDB; issue 16: under 60 s at 1M profiles) and the
# predictions. The two segments on them are timed with the other segments.
PREDICTION_MODELS = ("int_clv_customer_summary", "clv_model_fit", "fct_customer_predictions")


def _step(target: Path, models: Sequence[str]) -> list[tuple[str, float]]:
    """(model, seconds) of the given models in the last run, in the order of `models`."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    seconds = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}
    return [(model, seconds[model]) for model in models if model in seconds]


def _slowest(target: Path, count: int = 8) -> list[tuple[str, float]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = sorted(((r["unique_id"].split(".")[-1], r["execution_time"]) for r in results), key=lambda item: -item[1])
    return timed[:count]


def _table(phases: list[Phase]) -> str:
    lines = [
        "| phase | wall (s) | peak memory (MB) | layer | models | seconds in models | rows in tables | rows/s |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for phase in phases:
        for index, (layer, (models, seconds, rows)) in enumerate(phase.layers.items()):
            head = (phase.name, f"{phase.seconds:.1f}", f"{phase.peak_mb:,.0f}") if index == 0 else ("", "", "")
            rate = f"{rows / seconds:,.0f}" if seconds > 0 and rows else "-"
            lines.append(f"| {' | '.join(head)} | {layer} | {models} | {seconds:.1f} | {rows:,} | {rate} |")
    return "\n".join(lines)


def _machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GB memory, {platform.system()} {platform.release()}"


# The analyst's loop (issue 17: under 15 s): edit one segment, rebuild it and what reads it.
ANALYST_SEGMENT = "seg_biggest_fans"
# What a copy of the project needs to build the demo (tests/python is pytest's, not dbt's).
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests", "analyses", "plugins")


def analyst_loop(dbt: str, work_dir: Path, env: dict[str, str]) -> tuple[float, int]:
    """Time the analyst's loop on the demo: in a copy of the project with the demo built (not
    timed), append a comment to models/.../ANALYST_SEGMENT.sql, as an edit would, and run
    `dbt build --select ANALYST_SEGMENT+` (its tests, the outputs that read it, the publish
    step). Returns the wall seconds of that build and the nodes it ran."""
    project = work_dir / "analyst"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("python", "__pycache__"))
        else:
            shutil.copy2(source, project / name)
    loop_env = dict(env, PERSONAS_DUCKDB_PATH=str(project / "personas.duckdb"),
                    PERSONAS_PUBLISH_DIR=str(project / "published"))
    common = ["--target-path", str(project / "target"), "--log-path", str(project / "logs"), "--quiet"]
    for command in (["seed", "--full-refresh"], ["build", "--exclude", "resource_type:seed"]):
        subprocess.run([dbt, *command, *common], env=loop_env, cwd=project, check=True)
    model = next((project / "models").rglob(f"{ANALYST_SEGMENT}.sql"))
    model.write_text(model.read_text() + "\n-- edited (the benchmark's analyst loop)\n")
    started = time.monotonic()
    subprocess.run([dbt, "build", "--select", f"{ANALYST_SEGMENT}+", *common], env=loop_env, cwd=project, check=True)
    seconds = time.monotonic() - started
    nodes = len(json.loads((project / "target" / "run_results.json").read_text())["results"])
    return seconds, nodes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=100_000, help="profiles to generate (the scale)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the generated files are kept (default: bench/data/<profiles>)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="DuckDB file, dbt target and logs (default: bench/work/<profiles>)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default: bench/out/bench-<profiles>.md)")
    parser.add_argument("--threads", type=int, default=2, help="dbt and DuckDB threads")
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB memory_limit (the profile's default)")
    parser.add_argument("--bad-share", type=float, default=0.0,
                        help="share of bad rows in the generated data (default 0: the peers must agree)")
    parser.add_argument("--pandas-memory-limit-mb", type=float, default=bench_pandas.DEFAULT_MEMORY_LIMIT_MB,
                        help="stop the pandas peer beyond this resident memory (default: 2/3 of the machine's)")
    parser.add_argument("--skip", action="append", default=[], choices=["floor", "pandas", "analyst-loop"],
                        help="leave out a yardstick (repeatable)")
    return parser.parse_args(argv)


def _peers(args: argparse.Namespace, folder: Path, project: set[tuple[str, str]], work_dir: Path,
           full_seconds: float) -> list[str]:
    """Run the floor and the pandas peer on `folder`; the report's lines on them."""
    lines = ["| run | wall (s) | peak memory (MB) | project full build / run | memberships |",
             "|---|---:|---:|---:|---|"]
    floor_seconds = None
    if "floor" not in args.skip:
        print(f"floor (scripts/bench_floor.sql) on {folder} ...", flush=True)
        floor = bench_floor.run_floor(folder, args.threads, args.memory_limit, out=work_dir / "floor.parquet")
        floor_seconds = floor.seconds
        differs = bench_floor.compare_memberships(floor.memberships, project)
        verdict = f"equal ({floor.rows:,})" if differs is None else "DIFFER: " + differs.replace("\n", "; ")
        lines.append(f"| floor (SQL {floor.sql_seconds:.1f} s, CLV fit {floor.fit_seconds:.1f} s) "
                     f"| {floor.seconds:.1f} | {floor.peak_mb:,.0f} | {full_seconds / floor.seconds:.1f}x "
                     f"| {verdict} |")
    if "pandas" not in args.skip:
        print(f"pandas peer (scripts/bench_pandas.py) on {folder} ...", flush=True)
        peer = bench_pandas.run_pandas(folder, memory_limit_mb=args.pandas_memory_limit_mb)
        if peer.status == "ok" and peer.memberships is not None:
            compared = {pair for pair in project if pair[0] not in bench_pandas.EXCLUDED_SEGMENTS}
            differs_by = bench_pandas.differences(compared, peer.memberships)
            verdict = (f"equal ({len(peer.memberships):,}; without {', '.join(sorted(bench_pandas.EXCLUDED_SEGMENTS))})"
                       if not differs_by else "DIFFER: " + "; ".join(
                           f"{name} {missing} missing, {extra} extra" for name, (missing, extra) in differs_by.items()))
        else:
            verdict = f"{peer.status}: {peer.message}"
        ratio = f"{full_seconds / peer.seconds:.1f}x" if peer.status == "ok" else "-"
        lines.append(f"| pandas peer | {peer.seconds:.1f} | {peer.peak_mb:,.0f} | {ratio} | {verdict} |")
    if floor_seconds:
        lines += ["", f"Project full build / floor: {full_seconds / floor_seconds:.1f}x "
                  "(issue 17's target: at most 4x)."]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Clean data has a folder of its own: the older folders (bench/data/<profiles>) hold 1 % bad rows.
    default_name = f"{args.profiles}-clean" if args.bad_share == 0 else f"{args.profiles}-bad{args.bad_share:g}"
    data_dir = args.data_dir or PROJECT_DIR / "bench" / "data" / default_name
    work_dir = args.work_dir or PROJECT_DIR / "bench" / "work" / str(args.profiles)
    out = args.out or PROJECT_DIR / "bench" / "out" / f"bench-{args.profiles}.md"
    today, yesterday = data_dir / "today", data_dir / "yesterday"
    dbt = str(Path(sys.executable).parent / "dbt") if (Path(sys.executable).parent / "dbt").exists() else "dbt"

    generated = 0.0
    if not (today / "raw_email_events.parquet").exists():
        print(f"generating {args.profiles:,} profiles into {today} ...", flush=True)
        started = time.monotonic()
        subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "generate_data.py"),
                        "--profiles", str(args.profiles), "--format", "parquet", "--preset", "full",
                        "--bad-share", str(args.bad_share),
                        "--out", str(today)], check=True, cwd=PROJECT_DIR)
        generated = time.monotonic() - started
    if not (yesterday / "raw_email_events.parquet").exists():
        split_last_day(today, yesterday)

    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    target = work_dir / "target"
    env = dict(os.environ)
    env.update({
        "PERSONAS_TARGET": "duckdb",
        "PERSONAS_DUCKDB_PATH": str(work_dir / "personas.duckdb"),
        "PERSONAS_THREADS": str(args.threads),
        "PERSONAS_MEMORY_LIMIT": args.memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    raw = work_dir / "raw"
    variables = ["--vars", json.dumps({"raw_data_path": str(raw)})]
    common = ["--target-path", str(target), "--log-path", str(work_dir / "logs"), "--quiet", *variables]
    # The project is parsed once, with the vars of every run after it: a warehouse's builds
    # reuse dbt's partial parsing until the project or its vars change. Timed on its own line.
    print("dbt parse ...", flush=True)
    parse_seconds, _ = _measured([dbt, "parse", *common], env)
    subprocess.run([dbt, "seed", "--select", "rfm_segments", *common], env=env, cwd=PROJECT_DIR, check=True)

    # The 1-minute load average at the start and after each step: the 5 and 15-minute averages
    # also hold the work done before the benchmark started.
    load_samples = [os.getloadavg()[0]]
    phases = []
    steps: dict[str, list[tuple[str, list[tuple[str, float]]]]] = {"Segment history": [], "Predictions": []}
    for name, folder, extra in (("full build", yesterday, ["--full-refresh"]), ("incremental day", today, [])):
        print(f"{name} on {folder} ...", flush=True)
        if raw.is_symlink():
            raw.unlink()
        raw.symlink_to(folder.resolve(), target_is_directory=True)
        command = [dbt, "run", *extra, *common]
        seconds, peak = _measured(command, env)
        phases.append(Phase(name, seconds, peak, _layers(target, work_dir / "personas.duckdb"), _slowest(target)))
        load_samples.append(os.getloadavg()[0])
        steps["Segment history"].append((name, _step(target, HISTORY_MODELS)))
        steps["Predictions"].append((name, _step(target, PREDICTION_MODELS)))
        if name == "full build":
            with duckdb.connect(str(work_dir / "personas.duckdb"), read_only=True) as con:
                project_pairs = set(
                    con.execute("select segment_name, profile_id from marts.segment_memberships").fetchall())

    peers = _peers(args, yesterday, project_pairs, work_dir, phases[0].seconds)
    load_samples.append(os.getloadavg()[0])
    loop = None
    if "analyst-loop" not in args.skip:
        print(f"analyst's loop (demo, dbt build --select {ANALYST_SEGMENT}+) ...", flush=True)
        loop = analyst_loop(dbt, work_dir, env)

    full, day = phases
    load_samples.append(os.getloadavg()[0])
    load = ", ".join(f"{value:.1f}" for value in load_samples)
    # A load average above the number of cores means other work competed for them.
    busy = max(load_samples) > (os.cpu_count() or 1) + 0.5
    slowest = [
        f"Slowest models, {phase.name}: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phase.slowest) + "."
        for phase in phases
    ]
    report = "\n".join([
        f"## {args.profiles:,} profiles",
        "",
        f"Machine: {_machine()}; dbt threads {args.threads}, DuckDB memory_limit {args.memory_limit}.",
        f"Data generation: {generated:.0f} s." if generated else "Data generation: reused files.",
        f"Load average (1 min) at the start and after the full build, the day, the yardsticks and the end: {load}"
        + (" — other work shared the cores: the figures are pessimistic." if busy else " (a quiet machine)."),
        "",
        _table(phases),
        "",
        f"Parsing the project (`dbt parse`, {parse_seconds:.1f} s) is not in the wall times above: dbt parses"
        " again only when the project or its vars change (the runs above reuse that parse).",
        "",
        f"Incremental day / full build: {100 * day.seconds / full.seconds:.1f} % of the wall time.",
        "",
        *slowest,
        "",
        *(f"{step} step, {name}: {sum(seconds for _, seconds in models):.1f} s ("
          + ", ".join(f"{model} {seconds:.1f} s" for model, seconds in models) + ")."
          for step, runs in steps.items() for name, models in runs),
        "",
        "Yardsticks, on the full build's files ("
        + ("clean" if args.bad_share == 0 else f"{args.bad_share:g} bad rows") + "):",
        "",
        *peers,
        "",
        (f"Analyst's loop (the demo, {ANALYST_SEGMENT} edited): `dbt build --select {ANALYST_SEGMENT}+` "
         f"{loop[0]:.1f} s for {loop[1]} nodes (issue 17's target: under 15 s)." if loop else ""),
        "",
    ])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print()
    print(report)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
