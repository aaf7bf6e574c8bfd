"""The published copy of the marts (macros/publish/, plugins/personas_publish.py).

One warehouse, built on the end_to_end fixture, goes through the life of a real one: a build
that publishes, a second build while another process reads the published copy in a loop, a
build that fails, a publish that runs out of room and one that is killed. After each, the
published copy must be whole and readable, and name the build it should.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, DbtRun, build_project, dbt_executable, raw_data_folder, run_dbt

# Left out of `make test-fast` and the pull-request CI (four builds of one warehouse, one after the other).
pytestmark = pytest.mark.slow

sys.path.insert(0, str(PROJECT_DIR / "plugins"))
import personas_publish  # noqa: E402  (the plugin lives outside the tests' import path)

FIXTURE = "end_to_end"


def published_dir(workdir: Path) -> Path:
    return workdir / "published"


def manifest(workdir: Path) -> dict:
    return json.loads((published_dir(workdir) / "manifest.json").read_text(encoding="utf-8"))


def warehouse_marts(run: DbtRun) -> dict[str, int]:
    """{relation: rows} of the warehouse's marts schema (the build's own DuckDB file)."""
    with duckdb.connect(str(run.database), read_only=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {name: connection.execute(f'select count(*) from marts."{name}"').fetchone()[0] for name in names}


def published_build_ats(path: Path) -> dict[str, set]:
    """{table: its distinct built_at values} of a published DuckDB file, in one connection."""
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            table: {row[0] for row in connection.execute(f'select distinct built_at from marts."{table}"').fetchall()}
            for table in tables
        }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workdir whose warehouse was built (and published) once on the fixture."""
    workdir = tmp_path_factory.mktemp("publish")
    build_project(workdir, raw_data_path=raw_data_folder(FIXTURE), label="publish: first build").check()
    return workdir


def test_a_build_publishes_every_mart_with_a_manifest(warehouse: Path) -> None:
    run = DbtRun("", [], {}, 0, "", warehouse, 0.0)
    expected = warehouse_marts(run)
    published = manifest(warehouse)

    assert set(published["relations"]) == set(expected), "the manifest lists every relation of the marts schema"
    assert {name: entry["rows"] for name, entry in published["relations"].items()} == expected
    assert published["git_commit"] and len(published["git_commit"]) == 40
    assert published["dbt_version"].startswith("1.11")
    with duckdb.connect(str(run.database), read_only=True) as connection:
        as_of = connection.execute("select cast(as_of_date as varchar) from intermediate.int_as_of_date").fetchone()[0]
    assert published["as_of_date"] == as_of

    # Every published table carries the build's built_at, the manifest's, and nothing else.
    built_at = published["built_at"].replace("T", " ").rstrip("Z")
    values = published_build_ats(published_dir(warehouse) / "personas.duckdb")
    assert set(values) == set(expected)
    for table, seen in values.items():
        if expected[table]:
            assert {str(value) for value in seen} == {built_at}, table

    # One Parquet file per relation, the same rows.
    for name, rows in expected.items():
        parquet = published_dir(warehouse) / "parquet" / f"{name}.parquet"
        count = duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchall()[0][0]
        assert count == rows, name

    # The stable names go through `current`, which names a finished build.
    root = published_dir(warehouse)
    assert os.readlink(root / "personas.duckdb") == "current/personas.duckdb"
    assert (root / "current").resolve().name == published["build_id"]


READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    root, stop_file, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    reads = []
    last = False
    while True:
        stopping = stop_file.exists()
        read = {"started": time.time()}
        try:
            with duckdb.connect(str(root / "personas.duckdb"), read_only=True) as connection:
                tables = [row[0] for row in connection.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
                seen = set()
                for table in tables:
                    seen |= {str(row[0]) for row in connection.execute(
                        f'select distinct built_at from marts."{table}"').fetchall()}
            read.update(ok=True, tables=len(tables), built_at=sorted(seen))
        except Exception as error:  # every failure is recorded: the test asserts there is none
            read.update(ok=False, error=f"{type(error).__name__}: {error}")
        reads.append(read)
        if stopping:
            break
        time.sleep(0.05)
    out.write_text(json.dumps(reads))
    """
)


def test_readers_see_one_whole_build_while_the_next_build_runs(warehouse: Path, tmp_path: Path) -> None:
    before = manifest(warehouse)
    stop_file, out = tmp_path / "stop", tmp_path / "reads.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published_dir(warehouse)), str(stop_file), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        rebuild = build_project(warehouse, raw_data_path=raw_data_folder(FIXTURE), label="publish: rebuild")
    finally:
        stop_file.touch()
        reader_output, _ = reader.communicate(timeout=120)
    rebuild.check()
    after = manifest(warehouse)
    assert after["build_id"] != before["build_id"]

    assert reader.returncode == 0, reader_output
    reads = json.loads(out.read_text())
    failures = [read for read in reads if not read["ok"]]
    assert not failures, f"{len(failures)} of {len(reads)} reads failed, first: {failures[0]}"
    assert len(reads) >= 20, "the reader must have read throughout the build"
    expected_tables = len(after["relations"])
    old, new = (build["built_at"].replace("T", " ").rstrip("Z") for build in (before, after))
    for read in reads:
        assert read["tables"] == expected_tables
        assert len(read["built_at"]) == 1, f"one read saw several builds: {read['built_at']}"
        assert read["built_at"][0] in {old, new}
    seen = [read["built_at"][0] for read in reads]
    assert seen[0] == old and seen[-1] == new, "the reader saw the old build, then the new one"
    assert seen == sorted(seen, key=lambda value: value == new), "never back to the old build once swapped"


def test_a_failed_build_leaves_the_published_copy_untouched(warehouse: Path, tmp_path: Path) -> None:
    before = manifest(warehouse)
    current_before = (published_dir(warehouse) / "current").resolve()
    database_bytes = (current_before / "personas.duckdb").read_bytes()

    # The fixture with an orders file that lacks a contract column: base_orders_rows fails
    # when it runs, everything downstream of it is skipped, the rest builds.
    broken = tmp_path / "broken"
    shutil.copytree(raw_data_folder(FIXTURE), broken)
    shutil.copy(raw_data_folder("missing_column") / "raw_orders.csv", broken / "raw_orders.csv")
    failed = build_project(warehouse, raw_data_path=broken, label="publish: failing build")
    assert not failed.ok
    assert "Not published:" in failed.output and "still holds the previous build" in failed.output, failed.output
    assert manifest(warehouse) == before
    assert (published_dir(warehouse) / "current").resolve() == current_before
    assert (current_before / "personas.duckdb").read_bytes() == database_bytes


def publish_operation(workdir: Path) -> subprocess.Popen:
    """`dbt run-operation publish_marts` on the workdir's warehouse, as a process of its own."""
    env = dict(os.environ)
    env.update(
        PERSONAS_TARGET="duckdb",
        PERSONAS_DUCKDB_PATH=str(workdir / "personas.duckdb"),
        PERSONAS_PUBLISH_DIR=str(published_dir(workdir)),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    # The profile of conftest's builds (run_dbt), so that dbt re-uses their parse.
    env.setdefault("PERSONAS_MEMORY_LIMIT", "4GB")
    logs = workdir / f"logs-operation-{time.monotonic_ns()}"
    command = [
        dbt_executable(), "run-operation", "publish_marts",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(workdir / "target"), "--log-path", str(logs), "--no-use-colors",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def assert_still_serves(workdir: Path, build: dict) -> None:
    assert manifest(workdir) == build
    values = published_build_ats(published_dir(workdir) / "personas.duckdb")
    assert {str(value) for seen in values.values() for value in seen} <= {
        build["built_at"].replace("T", " ").rstrip("Z")
    }


def when_publishing_starts(process: subprocess.Popen, builds: Path) -> bool:
    """Wait until the process has made its new build's folder; False if it ended before."""
    leftovers = set(builds.glob("*.partial"))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if set(builds.glob("*.partial")) - leftovers:
            return True
        time.sleep(0.002)
    return False


def test_a_publish_out_of_room_or_killed_leaves_the_previous_copy(warehouse: Path) -> None:
    before = manifest(warehouse)
    builds = published_dir(warehouse) / "builds"

    # Out of room: once the publish has begun, the process may not write past 1 MB in any
    # file (the published DuckDB file is several MB), as on a full disk.
    out_of_room = publish_operation(warehouse)
    assert when_publishing_starts(out_of_room, builds), "the publish ended before it could be limited"
    resource.prlimit(out_of_room.pid, resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))
    output, _ = out_of_room.communicate(timeout=300)
    assert out_of_room.returncode != 0, output
    assert "too large" in output.lower(), output[-3000:]
    assert list(builds.glob("*.partial")), "the failed publish left its partial folder"
    assert_still_serves(warehouse, before)

    # Killed halfway: SIGKILL as soon as the new build's folder appears.
    killed = publish_operation(warehouse)
    assert when_publishing_starts(killed, builds), "the publish ended before it could be killed"
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert_still_serves(warehouse, before)

    # The next publish clears what the dead ones left and swaps in a new build.
    final = publish_operation(warehouse)
    output, _ = final.communicate(timeout=300)
    assert final.returncode == 0, output
    assert not list(builds.glob("*.partial"))
    assert manifest(warehouse)["build_id"] != before["build_id"]


def test_run_operation_on_another_command_does_not_publish(warehouse: Path) -> None:
    """`dbt test` (or seed, compile, ...) runs the hook too, but only `build` publishes."""
    before = manifest(warehouse)
    run = run_dbt(
        ["test", "--select", "fct_rfm"],
        workdir=warehouse,
        vars={"raw_data_path": str(raw_data_folder(FIXTURE))},
        label="publish: dbt test",
    )
    assert run.ok, run.error_summary()
    assert manifest(warehouse) == before


def test_pruning_keeps_the_current_and_two_previous_builds(tmp_path: Path) -> None:
    for index in range(5):
        build_id = f"2026010{index}T000000Z-build{index}"
        folder = Path(personas_publish.prepare(str(tmp_path), build_id))
        (folder / "personas.duckdb").write_bytes(b"x")
        personas_publish.commit(str(tmp_path), build_id, json.dumps({"build_id": build_id}))
    remaining = sorted(path.name for path in (tmp_path / "builds").iterdir())
    assert remaining == [f"2026010{index}T000000Z-build{index}" for index in (2, 3, 4)]
    assert json.loads((tmp_path / "manifest.json").read_text())["build_id"] == "20260104T000000Z-build4"
