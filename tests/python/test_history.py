"""Segments over time: the membership history, kept by daily builds and filled by a backfill.

A small generated shop (400 profiles, its last day 2026-11-01) is recorded on three days of
history, two weeks apart (2026-10-04, 2026-10-18, 2026-11-01):
  - independently, one build as of each day (var as_of_date), whose segment_memberships are
    what the history must hold on that day;
  - by `scripts/backfill.py --from 2026-10-04 --to 2026-11-01 --step 14` in one warehouse
    (which ends with the data tests of the history, the trends and the transitions);
  - by the same backfill in another warehouse, killed (SIGKILL) while it records the second
    day, then run again: it must resume and give the same history.
Then, in the first warehouse, a rerun of the last day changes nothing, and a day before it is
refused (the model stops the build; the script stops before running anything).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, LogWatch, build_project, run_dbt

# Left out of `make test-fast` and the pull-request CI (a generated shop, three builds and two backfills).
pytestmark = pytest.mark.slow

DAYS = ("2026-10-04", "2026-10-18", "2026-11-01")
STEP = 14
PROFILES = 400


def _write_shop(folder: Path) -> None:
    subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "generate_data.py"), "--profiles", str(PROFILES),
         "--format", "parquet", "--out", str(folder), "--quiet"],
        check=True, cwd=PROJECT_DIR,
    )


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PERSONAS_TARGET": "duckdb",
        "PERSONAS_DUCKDB_PATH": str(workdir / "personas.duckdb"),
        "PERSONAS_PUBLISH_DIR": str(workdir / "published"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    env.setdefault("PERSONAS_MEMORY_LIMIT", "4GB")
    return env


def _backfill_command(workdir: Path, shop: Path, *extra: str, days: tuple[str, str] = (DAYS[0], DAYS[-1])) -> list[str]:
    return [
        sys.executable, str(PROJECT_DIR / "scripts" / "backfill.py"),
        "--from", days[0], "--to", days[1], "--step", str(STEP),
        "--vars", json.dumps({"raw_data_path": str(shop)}),
        f"--dbt-arg=--target-path={workdir / 'target'}", f"--dbt-arg=--log-path={workdir / 'logs'}",
        *extra,
    ]


def _seed(workdir: Path, shop: Path) -> None:
    """The one seed a raw_data_path build needs (a warehouse that exists before its backfill)."""
    seeded = run_dbt(["seed", "--select", "rfm_segments"], workdir=workdir, vars={"raw_data_path": str(shop)},
                     label="history: seed")
    assert seeded.ok, seeded.error_summary()


def _copy_warehouse(source: Path, workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "personas.duckdb", workdir / "personas.duckdb")


def _backfill(
    workdir: Path, shop: Path, *extra: str, days: tuple[str, str] = (DAYS[0], DAYS[-1])
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_backfill_command(workdir, shop, *extra, days=days), cwd=PROJECT_DIR, env=_env(workdir),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900, check=False)


HISTORY_MODEL_STARTS = "START sql incremental model marts.segment_membership_history"


def _interrupted_then_resumed(workdir: Path, shop: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Kill the backfill (its whole process group) while it records its second day: as soon as
    dbt's log file (the backfill's --log-path) says the history model started for the second
    time, whatever the machine's speed; then run the same backfill again."""
    # dbt.log stays far below the 10 MB at which dbt rotates it (about 1.5 MB a day here).
    watch = LogWatch(workdir / "logs" / "dbt.log", HISTORY_MODEL_STARTS)
    process = subprocess.Popen(_backfill_command(workdir, shop), cwd=PROJECT_DIR, env=_env(workdir),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    assert process.stdout is not None
    buffer = ""
    while "backfill [2/3]" not in buffer:
        character = process.stdout.read(1)
        if not character:
            break
        buffer += character
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline and watch.count() < 2:
        time.sleep(0.005)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    rest, _ = process.communicate(timeout=60)
    return buffer + rest, _backfill(workdir, shop)


def _history(database: Path) -> tuple[Counter[tuple[object, ...]], list[object]]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = Counter(con.execute(
            "select segment_name, profile_id, valid_from, valid_to from marts.segment_membership_history").fetchall())
        days = [row[0] for row in con.execute(
            "select as_of_date from marts.segment_history_days order by 1").fetchall()]
    return rows, days


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("history")
    shop = root / "shop"
    _write_shop(shop)
    backfilled, interrupted = root / "backfilled", root / "interrupted"

    # Both backfills start from a warehouse holding the one seed a raw_data_path build needs.
    seeded = root / "seeded"
    _seed(seeded, shop)
    _copy_warehouse(seeded, backfilled)
    _copy_warehouse(seeded, interrupted)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="history") as pool:
        through = pool.submit(_backfill, backfilled, shop)
        broken = pool.submit(_interrupted_then_resumed, interrupted, shop)
        builds = {
            day: pool.submit(build_project, root / f"as_of_{day}", raw_data_path=shop, vars={"as_of_date": day},
                             select=["+segment_memberships"], label=f"history: build as of {day}")
            for day in DAYS
        }
        result = {
            "shop": shop,
            "backfilled": backfilled,
            "interrupted": interrupted,
            "through": through.result(),
            "broken": broken.result(),
            "builds": {day: future.result() for day, future in builds.items()},
        }
    return result


def _members_in_history(database: Path, day: str) -> set[tuple[str, str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return set(con.execute(
            "select segment_name, profile_id from marts.segment_membership_history "
            "where valid_from <= cast(? as date) and (valid_to is null or valid_to > cast(? as date))",
            [day, day],
        ).fetchall())


def test_backfill_records_every_day(recorded: dict[str, object]) -> None:
    through = recorded["through"]
    assert through.returncode == 0, through.stdout + through.stderr
    # One progress line per day, then the closing build (which ran the data tests).
    for index, day in enumerate(DAYS, start=1):
        assert f"backfill [{index}/{len(DAYS)}] as of {day} ... recorded" in through.stdout
    _, days = _history(recorded["backfilled"] / "personas.duckdb")
    assert [str(day) for day in days] == list(DAYS)


def test_history_on_each_day_equals_that_days_build(recorded: dict[str, object]) -> None:
    database = recorded["backfilled"] / "personas.duckdb"
    for day, build in recorded["builds"].items():
        build.check(models=["segment_memberships"])
        expected = set(build.query("select segment_name, profile_id from marts.segment_memberships"))
        assert expected, f"no membership as of {day}"
        assert _members_in_history(database, day) == expected, day


def test_members_leave_and_come_back_with_two_intervals(recorded: dict[str, object]) -> None:
    rows, _ = _history(recorded["backfilled"] / "personas.duckdb")
    intervals: dict[tuple[object, object], list[tuple[object, object]]] = {}
    for segment, profile, valid_from, valid_to in rows:
        intervals.setdefault((segment, profile), []).append((valid_from, valid_to))
    returned = {key: sorted(spans) for key, spans in intervals.items() if len(spans) > 1}
    assert returned, "no member left and came back on these days"
    for key, spans in returned.items():
        # In on the first day, out on the second (valid_to exclusive), back on the third.
        assert [(str(a), str(b) if b else None) for a, b in spans] == [(DAYS[0], DAYS[1]), (DAYS[2], None)], key
        segment, profile = key
        members = {day: (segment, profile) in set(build.query(
            "select segment_name, profile_id from marts.segment_memberships"))
            for day, build in recorded["builds"].items()}
        assert members == {DAYS[0]: True, DAYS[1]: False, DAYS[2]: True}, key


def test_trends_and_transitions_follow_the_builds(recorded: dict[str, object]) -> None:
    with duckdb.connect(str(recorded["backfilled"] / "personas.duckdb"), read_only=True) as con:
        trends = {(segment, str(day)): members for segment, day, members in con.execute(
            "select segment_name, as_of_date, members from marts.segment_trends").fetchall()}
        moves = con.execute(
            "select count(*) from marts.segment_transitions where from_segment <> to_segment").fetchone()[0]
    for day, build in recorded["builds"].items():
        counts = dict(build.query("select segment_name, count(*) from marts.segment_memberships group by 1"))
        for (segment, trend_day), members in trends.items():
            if trend_day == day:
                assert members == counts.get(segment, 0), (segment, day)
    assert moves > 0


def test_interrupted_backfill_resumes_to_the_same_history(recorded: dict[str, object]) -> None:
    killed_output, resumed = recorded["broken"]
    assert "backfill [2/3]" in killed_output and "backfill: 3 day(s) recorded" not in killed_output
    assert f"backfill [2/3] as of {DAYS[1]} ... recorded" not in killed_output, "killed while recording day 2"
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "already recorded (resuming after" in resumed.stdout
    assert _history(recorded["interrupted"] / "personas.duckdb") == _history(
        recorded["backfilled"] / "personas.duckdb")


RERUN_AND_EARLIER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from backfill import Dbt
extra = json.loads(sys.argv[2])
dbt = Dbt(sys.argv[4:], {**extra, "publish": False})
outcomes = []
for day in json.loads(sys.argv[3]):
    success, _, errors = dbt.invoke(["run", "--select", "+segment_history_days", "--exclude", "tag:staging",
                                     "--vars", json.dumps({**extra, "as_of_date": day, "publish": False})])
    outcomes.append([day, success, errors])
print("OUTCOMES " + json.dumps(outcomes))
"""


def test_rerun_of_the_last_day_changes_nothing_and_an_earlier_day_is_refused(recorded: dict[str, object]) -> None:
    workdir, shop = recorded["backfilled"], recorded["shop"]
    assert recorded["through"].returncode == 0
    before = _history(workdir / "personas.duckdb")
    done = subprocess.run(
        [sys.executable, "-c", RERUN_AND_EARLIER, str(PROJECT_DIR / "scripts"),
         json.dumps({"raw_data_path": str(shop)}), json.dumps([DAYS[-1], DAYS[1]]),
         "--project-dir", str(PROJECT_DIR), "--target-path", str(workdir / "target"),
         "--log-path", str(workdir / "logs")],
        cwd=PROJECT_DIR, env=_env(workdir), capture_output=True, text=True, timeout=600, check=False,
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("OUTCOMES ")), None)
    assert line is not None, done.stdout + done.stderr
    (rerun_day, rerun_ok, rerun_errors), (earlier_day, earlier_ok, earlier_errors) = json.loads(line[9:])
    assert rerun_ok, rerun_errors
    assert _history(workdir / "personas.duckdb") == before
    assert not earlier_ok
    assert "only moves forward" in earlier_errors and DAYS[-1] in earlier_errors
    assert _history(workdir / "personas.duckdb") == before

    # The script skips recorded days, and refuses a day before the latest recorded one that is
    # not recorded, before running anything.
    again = _backfill(workdir, shop, "--no-final-build")
    assert again.returncode == 0 and "3 of 3 days already recorded" in again.stdout, again.stdout + again.stderr
    earlier = _backfill(workdir, shop, "--no-final-build", days=("2026-10-11", "2026-10-11"))
    assert earlier.returncode == 1, earlier.stdout + earlier.stderr
    assert "cannot be added" in earlier.stderr and "--reset" in earlier.stderr
    assert "backfill [" not in earlier.stdout
    assert _history(workdir / "personas.duckdb") == before
