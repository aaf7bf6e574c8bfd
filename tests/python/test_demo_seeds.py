"""A plain `dbt build` on PostgreSQL leaves the user's raw tables alone (issue 17).

On PostgreSQL (and Spark) the user's raw data lives in tables (`raw.raw_profiles`, ...). The
demo seeds load only when var load_demo_data says so, which on these engines is never by
default: a plain `dbt build` must neither truncate those tables nor reload the demo CSVs into
them, staging must read them, and a raw table that is missing must stop its model with a
message that says where the data goes and how to load the demo instead.

One build on a fresh database, whose only raw table is the user's raw_profiles (one row):
`dbt build` of two raw seeds and the models that read them, with their unit tests but no data
tests, so that the test stays cheap. Runs when PERSONAS_POSTGRES_PORT is set, as test_cross_engine.py.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import Any

import pytest
from test_cross_engine import _create_postgres_database, _dbt, _postgres_connection, _require_engine

from conftest import PROJECT_DIR

# A PostgreSQL server and a build: in `make test`, not `make test-fast`.
pytestmark = pytest.mark.slow

DATABASE = "personas_demo_guard"
# Two raw seeds (selected by name: before the fix they load the demo over the user's tables),
# the staged profiles (read from the user's raw_profiles) and the orders' base model, whose
# raw table does not exist.
SELECTION = ("raw_profiles", "raw_orders", "base_profiles", "stg_profiles", "base_orders_rows")
USER_PROFILE = {
    "profile_id": "user-0001",
    "email": "real.customer@example.com",
    "phone_number": "",
    "first_name": "Real",
    "created_at": "2025-01-15 09:30:00",
    "email_consent": "subscribed",
    "sms_consent": "never_subscribed",
    "country": "FR",
    "region": "Bretagne",
    "city": "Rennes",
    "birth_date": "1990-04-01",
    "gender": "female",
}


@dataclass
class PlainBuild:
    returncode: int
    output: str
    statuses: dict[str, str]
    messages: dict[str, str]
    raw_profiles: list[dict[str, Any]]
    staged_profiles: list[str]
    raw_tables: set[str]


def _query(sql: str) -> list[tuple[Any, ...]]:
    connection = _postgres_connection(DATABASE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def plain_build(tmp_path_factory: pytest.TempPathFactory) -> PlainBuild:
    _require_engine("postgres")
    _create_postgres_database(DATABASE)
    # The user's table: the seed's columns (the contract's), as text, and one row of theirs.
    with (PROJECT_DIR / "seeds" / "raw_profiles.csv").open(newline="") as header_file:
        columns = next(csv.reader(header_file))
    assert set(columns) == set(USER_PROFILE)
    connection = _postgres_connection(DATABASE)
    with connection, connection.cursor() as cursor:
        cursor.execute("create schema raw")
        cursor.execute(f"create table raw.raw_profiles ({', '.join(f'{name} text' for name in columns)})")
        cursor.execute(
            f"insert into raw.raw_profiles ({', '.join(columns)}) values ({', '.join(['%s'] * len(columns))})",
            [USER_PROFILE[name] for name in columns],
        )
    connection.close()

    workdir = tmp_path_factory.mktemp("demo_seeds_postgres")
    build = _dbt(
        # Unit tests included: those given the demo seeds as input exist only with the demo, and
        # the others (stg_profiles') run. Data tests left out: most need models not selected.
        ["build", "--select", *SELECTION, "--exclude-resource-type", "test"],
        PROJECT_DIR, workdir, "postgres", vars={}, database=DATABASE,
    )
    statuses: dict[str, str] = {}
    messages: dict[str, str] = {}
    results_file = workdir / "target" / "run_results.json"
    if results_file.exists():
        for result in json.loads(results_file.read_text())["results"]:
            name = result["unique_id"].split(".")[-1]
            statuses[name] = result["status"]
            messages[name] = result.get("message") or ""
    tables_sql = "select table_name from information_schema.tables where table_schema = '{}'"
    raw_rows = _query(f"select {', '.join(columns)} from raw.raw_profiles")
    raw_profiles = [dict(zip(columns, row, strict=True)) for row in raw_rows]
    raw_tables = {row[0] for row in _query(tables_sql.format("raw"))}
    staged: list[str] = []
    if ("stg_profiles",) in _query(tables_sql.format("staging")):
        staged = [row[0] for row in _query("select profile_id from staging.stg_profiles order by profile_id")]
    return PlainBuild(build.returncode, build.stdout, statuses, messages, raw_profiles, staged, raw_tables)


def test_plain_build_keeps_the_users_raw_rows(plain_build: PlainBuild) -> None:
    assert plain_build.raw_profiles == [USER_PROFILE], (
        f"raw.raw_profiles was rewritten by the build: {len(plain_build.raw_profiles)} rows now"
        f"{', not the user row' if USER_PROFILE not in plain_build.raw_profiles else ''}"
    )
    # No demo seed was loaded beside them either (rfm_segments, reference data, is not selected).
    assert plain_build.raw_tables == {"raw_profiles"}
    assert "raw_profiles" not in plain_build.statuses and "raw_orders" not in plain_build.statuses


def test_staging_reads_the_users_raw_table(plain_build: PlainBuild) -> None:
    assert plain_build.statuses.get("stg_profiles") == "success", plain_build.output[-3000:]
    assert plain_build.staged_profiles == [USER_PROFILE["profile_id"]]


def test_missing_raw_table_stops_its_model_with_a_clear_message(plain_build: PlainBuild) -> None:
    assert plain_build.returncode != 0
    assert plain_build.statuses.get("base_orders_rows") == "error", plain_build.statuses
    message = plain_build.messages["base_orders_rows"]
    # Where the data goes, and how to load the demo instead.
    assert '"raw"."raw_orders"' in message or "raw.raw_orders" in message, message
    assert "load_demo_data" in message, message
    assert "Traceback" not in plain_build.output
