"""The same data and vars give the same segments on DuckDB, PostgreSQL and Spark.

The project is copied, unchanged, into a temporary folder with the hand-written
segment_scenario fixture (tests/python/fixtures/segment_scenario) in place of the demo's raw
seeds: raw files are read through seeds on every engine (var raw_data_path is DuckDB-only).
Each engine builds it with `dbt build` (models, seeds and every data test; unit tests do not
depend on the data and run in `make dbt-test` per engine), as_of_date pinned. Then one
`dbt show` per engine reads back every segment's members, every RFM score and the win-back
samples, and the three are compared; a difference names the segment (or profile) and the
engine.

Engines besides DuckDB need a server or a JVM, so they run when the environment says they are
there:
    PostgreSQL: PERSONAS_POSTGRES_PORT (and PERSONAS_POSTGRES_HOST/USER/PASSWORD) set; a fresh
                database personas_cross_engine is created on that server for the test.
    Spark:      PERSONAS_TEST_SPARK=1 (local pyspark, dbt-spark's session method).
Unset, that engine's test is skipped, saying why. PERSONAS_REQUIRE_ALL_ENGINES=1 (set by
.ci/run) turns a missing engine into a failure: CI never skips.

Spark's build, and every unit test on Spark after it, run in the background from the start of
the session (conftest's declare_background), beside the other tests; this module runs last.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import _BUILD_LOG, FIXTURES_DIR, PROJECT_DIR, background_result, dbt_executable, declare_background

# Left out of `make test-fast` and the pull-request CI (builds on PostgreSQL and Spark).
pytestmark = pytest.mark.slow

# The raw seeds of the project, which this test replaces with the fixture's files (only
# DuckDB reads raw files through var raw_data_path; the other engines load seeds).
RAW_SEEDS = (
    "raw_profiles",
    "raw_orders",
    "raw_order_lines",
    "raw_email_events",
    "raw_site_visits",
    "sales_periods",
)

FIXTURE = "segment_scenario"
# clv_parameters: PostgreSQL and Spark run no dbt Python models, so every engine takes the
# prediction models' SQL path with the same BG/NBD and Gamma-Gamma parameters (chosen so that
# seg_at_risk_vips and seg_likely_to_buy_soon have members on the fixture, away from their
# boundaries); at_risk_vip_top_percent 25: the top 6 of the 26 predicted customers.
VARS = {
    # The fixture is loaded as the demo seeds: PostgreSQL and Spark load them only when asked.
    "load_demo_data": True,
    "as_of_date": "2026-05-31",
    "clv_parameters": {
        "bg_nbd": {"r": 1.0, "alpha": 10.0, "a": 0.8, "b": 2.5},
        "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44},
    },
    "at_risk_vip_top_percent": 25,
}
POSTGRES_DATABASE = "personas_cross_engine"
REQUIRE_ALL = os.environ.get("PERSONAS_REQUIRE_ALL_ENGINES", "") == "1"

# Every segment's members, the RFM figures of every buyer and the win-back samples, as text,
# in one query (a Spark session costs half a minute to start: one `dbt show` per engine).
READ_BACK_SQL = """
select 'member' as kind, segment_name as item, profile_id, 'member' as detail
from {{ ref('segment_memberships') }}
union all
select 'rfm' as kind, 'fct_rfm' as item, profile_id, concat(
    coalesce(rfm_code, '-'), '|', coalesce(rfm_segment, '-'), '|',
    coalesce(cast(recency_score as {{ dbt.type_string() }}), '-'), '|',
    coalesce(cast(frequency_score as {{ dbt.type_string() }}), '-'), '|',
    coalesce(cast(monetary_score as {{ dbt.type_string() }}), '-'), '|',
    coalesce(cast(rfm_monetary as {{ dbt.type_string() }}), '-'), '|',
    cast(average_order_value as {{ dbt.type_string() }}), '|',
    coalesce(cast(high_value_threshold as {{ dbt.type_string() }}), '-'), '|',
    case when is_high_value then 'high_value' else 'not_high_value' end
) as detail
from {{ ref('fct_rfm') }}
union all
select 'sample' as kind, segment_name as item, profile_id, profile_id_md5 as detail
from {{ ref('segment_samples') }}
"""


@dataclass
class EngineBuild:
    engine: str
    rows: set[tuple[str, str, str, str]]
    seconds: float
    project: Path
    workdir: Path


def _skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"{reason}, but PERSONAS_REQUIRE_ALL_ENGINES=1 (CI runs every engine)")
    pytest.skip(reason)


def _require_engine(engine: str) -> None:
    """Skip (or, in CI, fail) unless the environment says the engine is there."""
    if engine == "postgres" and not os.environ.get("PERSONAS_POSTGRES_PORT"):
        _skip_or_fail("PostgreSQL is not available: PERSONAS_POSTGRES_PORT is not set (.ci/run starts a server)")
    if engine == "spark" and os.environ.get("PERSONAS_TEST_SPARK", "") != "1":
        _skip_or_fail("Spark is not available: PERSONAS_TEST_SPARK is not 1 (needs Java 17 and pyspark)")


def _fixture_project(destination: Path, raw_folder: Path = FIXTURES_DIR / FIXTURE) -> Path:
    """A copy of the project whose raw seeds are the CSV files of raw_folder (by default the
    fixture's; nothing else changed)."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "target", "logs", "dbt_packages", "*.duckdb", "*.duckdb.wal", ".duckdb_tmp",
        "spark", "metastore_db", "spark-warehouse", "derby.log", "__pycache__", ".pytest_cache",
        "tests", "bench", "scripts", "docs",
    )
    shutil.copytree(PROJECT_DIR, destination, ignore=ignore)
    for entity in RAW_SEEDS:
        shutil.copyfile(raw_folder / f"{entity}.csv", destination / "seeds" / f"{entity}.csv")
    # The singular and generic data tests belong to the project: keep them.
    shutil.copytree(PROJECT_DIR / "tests", destination / "tests", ignore=shutil.ignore_patterns("python"))
    return destination


def _environment(engine: str, workdir: Path, database: str = POSTGRES_DATABASE) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR"):
        env.pop(name, None)
    env.update(
        {
            "PERSONAS_TARGET": engine,
            "PERSONAS_DUCKDB_PATH": str(workdir / "personas.duckdb"),
            "PERSONAS_POSTGRES_DATABASE": database,
            "PERSONAS_SPARK_DIR": str(workdir / "spark"),
            "PERSONAS_PUBLISH_DIR": str(workdir / "published"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    env.setdefault("PERSONAS_MEMORY_LIMIT", "2GB")
    if engine == "spark":
        # A Spark job of this size waits on scheduling and the catalog, not on the CPU: four
        # at once keep two cores busy.
        env.setdefault("PERSONAS_THREADS", "4")
    return env


def _dbt(
    args: list[str], project: Path, workdir: Path, engine: str,
    vars: dict[str, str] | None = None, database: str = POSTGRES_DATABASE,
) -> subprocess.CompletedProcess[str]:
    """dbt on the copy `project`, everything it writes under workdir; vars: VARS unless given."""
    command = [
        dbt_executable(), *args,
        "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"),
        "--no-use-colors", "--vars", json.dumps(VARS if vars is None else vars),
    ]
    return subprocess.run(
        # From the project's root, as dbt is run (profiles.yml's module_paths are relative to it).
        command, cwd=project, env=_environment(engine, workdir, database), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3600, check=False,
    )


def _summary(output: str, lines: int = 60) -> str:
    text = output.splitlines()
    for index, line in enumerate(text):
        if "Completed with" in line or "Encountered an error" in line:
            return "\n".join(text[index : index + lines])
    return "\n".join(text[-lines:])


def _postgres_connection(database: str) -> Any:  # psycopg2 is imported lazily: no type here
    """A connection to `database` on the server of PERSONAS_POSTGRES_* (the caller closes it)."""
    import psycopg2  # dbt-postgres installs it

    return psycopg2.connect(
        host=os.environ.get("PERSONAS_POSTGRES_HOST", "127.0.0.1"),
        port=int(os.environ["PERSONAS_POSTGRES_PORT"]),
        user=os.environ.get("PERSONAS_POSTGRES_USER", "postgres"),
        password=os.environ.get("PERSONAS_POSTGRES_PASSWORD", ""),
        dbname=database,
    )


def _create_postgres_database(database: str = POSTGRES_DATABASE) -> None:
    """(Re)create an empty database of that name on the server."""
    connection = _postgres_connection("postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"drop database if exists {database}")
        cursor.execute(f"create database {database}")
    connection.close()


def build_and_read(engine: str, workdir: Path) -> EngineBuild:
    """Build the fixture project on one engine (data tests included) and read the results."""
    workdir.mkdir(parents=True, exist_ok=True)
    project = _fixture_project(workdir / "project")
    if engine == "postgres":
        _create_postgres_database()
    started = time.monotonic()
    build = _dbt(["build", "--exclude-resource-type", "unit_test"], project, workdir, engine)
    if build.returncode != 0:
        pytest.fail(f"dbt build of the {FIXTURE} fixture failed on {engine}:\n{_summary(build.stdout)}")
    show = _dbt(
        ["show", "--inline", READ_BACK_SQL, "--limit", "-1", "--output", "json", "--log-format", "json"],
        project, workdir, engine,
    )
    seconds = time.monotonic() - started
    # In the closing "dbt commands" summary of the session, beside the DuckDB builds.
    _BUILD_LOG.append((f"cross-engine: {FIXTURE} build + show on {engine}", seconds, build.returncode))
    preview = None
    for line in show.stdout.splitlines():
        if '"ShowNode"' in line:
            preview = json.loads(json.loads(line)["data"]["preview"])
    if show.returncode != 0 or preview is None:
        pytest.fail(f"dbt show of the results failed on {engine}:\n{_summary(show.stdout)}")
    rows = {(row["kind"], row["item"], row["profile_id"], row["detail"]) for row in preview}
    return EngineBuild(engine, rows, seconds, project, workdir)


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> EngineBuild:
    return build_and_read("duckdb", tmp_path_factory.mktemp("cross_engine_duckdb"))


@pytest.fixture(scope="module")
def postgres_build(tmp_path_factory: pytest.TempPathFactory) -> EngineBuild:
    _require_engine("postgres")
    return build_and_read("postgres", tmp_path_factory.mktemp("cross_engine_postgres"))


@dataclass
class SparkResults:
    build: EngineBuild
    unit_tests: subprocess.CompletedProcess[str]


def _spark_build_and_unit_tests(tmp_path_factory: pytest.TempPathFactory) -> SparkResults:
    """The fixture on Spark, then every unit test on Spark (in the background: conftest)."""
    _require_engine("spark")
    build = build_and_read("spark", tmp_path_factory.mktemp("cross_engine_spark"))
    # Unit tests need their inputs' relations to exist (dbt reads their columns), which the
    # fixture build has just made; a Spark session is too slow to seed the demo again for them.
    started = time.monotonic()
    unit_tests = _dbt(["test", "--select", "test_type:unit"], build.project, build.workdir, "spark")
    _BUILD_LOG.append(("cross-engine: unit tests on spark", time.monotonic() - started, unit_tests.returncode))
    return SparkResults(build, unit_tests)


SPARK_JOB = declare_background(
    "cross-engine on spark",
    _spark_build_and_unit_tests,
    wanted=lambda item: "spark_results" in getattr(item, "fixturenames", ()),
)


@pytest.fixture(scope="module")
def spark_results() -> SparkResults:
    return background_result(SPARK_JOB)


@pytest.fixture(scope="module")
def spark_build(spark_results: SparkResults) -> EngineBuild:
    return spark_results.build


def _differences(reference: EngineBuild, other: EngineBuild) -> list[str]:
    """One line per segment (or RFM profile, or sample) that differs, naming the engine."""
    messages: list[str] = []
    members: dict[str, dict[str, set[str]]] = {}
    for build in (reference, other):
        for kind, item, profile_id, _ in build.rows:
            if kind == "member":
                members.setdefault(item, {}).setdefault(build.engine, set()).add(profile_id)
    for segment in sorted(members):
        ours = members[segment].get(reference.engine, set())
        theirs = members[segment].get(other.engine, set())
        if ours != theirs:
            messages.append(
                f"segment {segment} on {other.engine}: missing {sorted(ours - theirs)}, "
                f"extra {sorted(theirs - ours)} (compared with {reference.engine})"
            )
    for kind in ("rfm", "sample"):
        ours = {(item, pid): detail for k, item, pid, detail in reference.rows if k == kind}
        theirs = {(item, pid): detail for k, item, pid, detail in other.rows if k == kind}
        for key in sorted(set(ours) | set(theirs)):
            if ours.get(key) != theirs.get(key):
                what = "RFM of profile" if kind == "rfm" else f"win-back sample {key[0]}, profile"
                messages.append(
                    f"{what} {key[1]} on {other.engine}: {theirs.get(key, 'absent')} "
                    f"(on {reference.engine}: {ours.get(key, 'absent')})"
                )
    return messages


def test_duckdb_builds_every_segment_of_the_fixture(duckdb_build: EngineBuild) -> None:
    segments = {item for kind, item, _, _ in duckdb_build.rows if kind == "member"}
    # The scenario has members in every segment of the registry: a comparison over empty
    # segments proves nothing.
    registry = set(re.findall(r"'seg_(\w+)'", (PROJECT_DIR / "macros/segments/segment_models.sql").read_text()))
    assert segments == registry, f"segments without members on duckdb: {sorted(registry - segments)}"
    assert any(kind == "rfm" for kind, *_ in duckdb_build.rows)


def test_postgres_gives_the_same_segments(duckdb_build: EngineBuild, postgres_build: EngineBuild) -> None:
    differences = _differences(duckdb_build, postgres_build)
    assert not differences, "\n".join(differences)


def test_spark_gives_the_same_segments(duckdb_build: EngineBuild, spark_build: EngineBuild) -> None:
    differences = _differences(duckdb_build, spark_build)
    assert not differences, "\n".join(differences)


def test_unit_tests_pass_on_spark(spark_results: SparkResults) -> None:
    """Every unit test, on Spark, after the fixture build (DuckDB and PostgreSQL run them in
    `make dbt-test`)."""
    result = spark_results.unit_tests
    assert result.returncode == 0, f"unit tests failed on spark:\n{_summary(result.stdout)}"
