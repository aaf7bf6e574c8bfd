"""An incremental day equals a full refresh on PostgreSQL and Spark too.

test_incremental.py proves it on DuckDB, reading raw files through var raw_data_path, which is
DuckDB-only. Here raw data goes through the seeds, as in test_cross_engine.py: the generator
writes a small shop (with its bad rows), split_last_day (scripts/bench.py) makes "yesterday"
(the shop without the orders, order lines and events of its last day), and both are turned
into CSV files. Per engine, in a copy of the project whose raw seeds are yesterday's files:

  1. `dbt build` (no tests) of the seeds, the three incremental base_<entity>_rows models and
     int_email_activity_daily: yesterday, from scratch. Only they carry state from one run to
     the next; every other model is rebuilt whole by the next run anyway, so building it here
     would only cost time (on Spark, a third of the test's);
  2. the seeds replaced by today's files, `dbt build` of everything: the seeds are reloaded
     whole (PostgreSQL truncates them, Spark recreates them), the incremental models run
     incrementally (delete+insert on PostgreSQL, insert_overwrite of partitions on Spark),
     the rest is built;
  3. an independent build of today from scratch (another PostgreSQL database, another
     PERSONAS_SPARK_DIR);

then every relation of staging, intermediate and marts of 2 and 3 must hold the same rows (as
multisets, the `loaded_at` columns aside), and the incremental run must have re-derived only a
small share of the rows of each incremental model (and added the new day's).

Reading back: PostgreSQL with psycopg2 (tables and views). Spark with DuckDB, from the Parquet
files of each table under $PERSONAS_SPARK_DIR/warehouse/<schema>.db/<table>/ (hive-partitioned
for the base_<entity>_rows models): no more Spark sessions. Spark's views (the stg_ models,
base_<entity>, the scoped event views) have no files; they are SQL over the tables compared
here, and the intermediate and marts tables built from them are compared.

Engines are there or not as in test_cross_engine.py: PostgreSQL when PERSONAS_POSTGRES_PORT is
set (databases personas_incr_day and personas_incr_full are created on that server), Spark
when PERSONAS_TEST_SPARK=1; otherwise skipped, or failed with PERSONAS_REQUIRE_ALL_ENGINES=1.
Spark's three builds run in the background from the start of the session (conftest's
declare_background); this module runs last.
Nothing is generated before an engine is known to run, so `make test` without them stays as fast.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from test_cross_engine import (
    RAW_SEEDS,
    _create_postgres_database,
    _dbt,
    _fixture_project,
    _postgres_connection,
    _require_engine,
    _summary,
)

from conftest import _BUILD_LOG, PROJECT_DIR, background_result, declare_background

# Left out of `make test-fast` and the pull-request CI (incremental days on PostgreSQL and Spark).
pytestmark = pytest.mark.slow

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
from bench import split_last_day  # noqa: E402  (scripts/ is not a package)

INCREMENTAL_MODELS = ("base_orders_rows", "base_email_events_rows", "base_site_visits_rows")
# Order lines follow their orders: incremental on PostgreSQL, a table rebuilt every run on Spark.
INCREMENTAL_MODELS_BY_ENGINE = {"postgres": (*INCREMENTAL_MODELS, "base_order_lines_rows"), "spark": INCREMENTAL_MODELS}
# Every model that keeps state from one run to the next: the rows models and the daily email
# counts built on them. Yesterday's build makes them all, so today's run is incremental for each.
STATEFUL_MODELS = (*INCREMENTAL_MODELS, "base_order_lines_rows", "int_email_activity_daily")
SCHEMAS = ("staging", "intermediate", "marts")
# Columns that say when a row was derived, which differ between two builds by design.
LOAD_COLUMNS = ("loaded_at",)
# Small enough that Spark's seeding (SQL inserts) stays quick, large enough for every segment
# and the generator's bad rows: about 500 profiles and 20,000 raw rows.
PROFILES = 500
# The first 290 profiles are the generator's archetypes, with orders and events in the shop's
# last days; the last day is what "today" adds.
BUILD = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
POSTGRES_DATABASES = {"incremental": "personas_incr_day", "full": "personas_incr_full"}


@dataclass
class Shop:
    today: Path  # CSV files, one per raw seed
    yesterday: Path
    last_day: str


_SHOP: list[Shop] = []
_SHOP_LOCK = threading.Lock()


def make_shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """The generated shop, once per session (the Spark run asks for it from the background)."""
    with _SHOP_LOCK:
        if not _SHOP:
            _SHOP.append(_generate_shop(tmp_path_factory))
        return _SHOP[0]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory)


def _generate_shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """The generated shop as CSV seeds: today's, and yesterday's (without its last day)."""
    root = tmp_path_factory.mktemp("incremental_engines_shop")
    parquet_today, parquet_yesterday = root / "parquet_today", root / "parquet_yesterday"
    subprocess.run(
        [
            sys.executable, str(PROJECT_DIR / "scripts" / "generate_data.py"),
            "--profiles", str(PROFILES), "--format", "parquet", "--out", str(parquet_today), "--quiet",
        ],
        check=True,
        cwd=PROJECT_DIR,
    )
    last_day = split_last_day(parquet_today, parquet_yesterday)
    folders = {}
    for name, source in (("today", parquet_today), ("yesterday", parquet_yesterday)):
        folder = root / f"csv_{name}"
        folder.mkdir()
        con = duckdb.connect()
        for entity in RAW_SEEDS:
            if (source / f"{entity}.csv").exists():  # sales_periods is CSV already
                shutil.copyfile(source / f"{entity}.csv", folder / f"{entity}.csv")
                continue
            con.execute(
                f"copy (select * from read_parquet('{source / (entity + '.parquet')}')) "
                f"to '{folder / (entity + '.csv')}' (format csv, header true)"
            )
        con.close()
        folders[name] = folder
    return Shop(folders["today"], folders["yesterday"], last_day)


# --- reading an engine's relations back --------------------------------------------------


class Reader:
    """Rows of the relations of one build, for the comparison (a multiset per relation)."""

    def relations(self) -> list[str]:
        raise NotImplementedError

    def columns(self, relation: str) -> list[str]:
        raise NotImplementedError

    def rows(self, relation: str, columns: list[str]) -> Counter[tuple[object, ...]]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class PostgresReader(Reader):
    def __init__(self, database: str) -> None:
        self.connection = _postgres_connection(database)

    def _fetch(self, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall()

    def relations(self) -> list[str]:
        return [
            f"{schema}.{name}"
            for schema, name in self._fetch(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in %s order by 1, 2",
                (SCHEMAS,),
            )
        ]

    def columns(self, relation: str) -> list[str]:
        schema, name = relation.split(".")
        return [
            row[0]
            for row in self._fetch(
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, name),
            )
        ]

    def rows(self, relation: str, columns: list[str]) -> Counter[tuple[object, ...]]:
        column_list = ", ".join(f'"{column}"' for column in columns)
        return Counter(self._fetch(f"select {column_list} from {relation}"))

    def close(self) -> None:
        self.connection.close()


class SparkFilesReader(Reader):
    """A Spark build's tables, read by DuckDB from their Parquet files (no Spark session).

    A table is the folder warehouse/<schema>.db/<table>: its part-*.parquet files, or, when
    partitioned, <column>=<value>/part-*.parquet (read with hive partitioning, values as
    text). Only one level is globbed, so Spark's hidden staging folders of a job that did not
    finish (.spark-staging-*) and checksum files (.crc) are never read. A table with no file
    (an empty partitioned table) reads as no rows and no columns.
    """

    def __init__(self, spark_dir: Path) -> None:
        self.warehouse = spark_dir / "warehouse"
        self.con = duckdb.connect()

    def _folder(self, relation: str) -> Path:
        schema, name = relation.split(".")
        return self.warehouse / f"{schema}.db" / name

    def _source(self, relation: str) -> str | None:
        folder = self._folder(relation)
        if any(folder.glob("*.parquet")):
            return f"read_parquet('{folder}/*.parquet')"
        if any(folder.glob("*=*/*.parquet")):
            return (
                f"read_parquet('{folder}/*=*/*.parquet', hive_partitioning = true, "
                "hive_types_autocast = false)"
            )
        return None

    def relations(self) -> list[str]:
        return sorted(
            f"{schema}.{table.name}"
            for schema in SCHEMAS
            if (self.warehouse / f"{schema}.db").is_dir()
            for table in (self.warehouse / f"{schema}.db").iterdir()
            if table.is_dir() and not table.name.startswith((".", "_"))
        )

    def columns(self, relation: str) -> list[str]:
        source = self._source(relation)
        if source is None:
            return []
        return [row[0] for row in self.con.execute(f"describe select * from {source}").fetchall()]

    def rows(self, relation: str, columns: list[str]) -> Counter[tuple[object, ...]]:
        source = self._source(relation)
        if source is None or not columns:
            return Counter()
        column_list = ", ".join(f'"{column}"' for column in columns)
        return Counter(self.con.execute(f"select {column_list} from {source}").fetchall())

    def close(self) -> None:
        self.con.close()


# --- one engine: yesterday, today incrementally, today from scratch ----------------------


@dataclass
class EngineRun:
    engine: str
    incremental: Reader
    full: Reader
    yesterday_rows: dict[str, int]
    seconds: float

    def close(self) -> None:
        self.incremental.close()
        self.full.close()


def _reader(engine: str, workdir: Path, build: str) -> Reader:
    if engine == "postgres":
        return PostgresReader(POSTGRES_DATABASES[build])
    return SparkFilesReader(workdir / "spark")


def _build(engine: str, project: Path, workdir: Path, build: str, label: str, select: tuple[str, ...] = ()) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    args = BUILD + (["--select", *select] if select else [])
    # The shop is loaded as the demo seeds, which PostgreSQL and Spark load only when asked.
    result = _dbt(args, project, workdir, engine, vars={"load_demo_data": True}, database=POSTGRES_DATABASES[build])
    _BUILD_LOG.append((f"incremental on {engine}: {label}", time.monotonic() - started, result.returncode))
    if result.returncode != 0:
        pytest.fail(f"{engine}: dbt build ({label}) failed:\n{_summary(result.stdout)}")


def _copy_seeds(raw_folder: Path, project: Path) -> None:
    for entity in RAW_SEEDS:
        shutil.copyfile(raw_folder / f"{entity}.csv", project / "seeds" / f"{entity}.csv")


def run_engine(engine: str, shop: Shop, root: Path) -> EngineRun:
    started = time.monotonic()
    project = _fixture_project(root / "project", shop.yesterday)
    incremental_dir, full_dir = root / "incremental", root / "full"
    if engine == "postgres":
        for database in POSTGRES_DATABASES.values():
            _create_postgres_database(database)

    _build(engine, project, incremental_dir, "incremental", "yesterday, from scratch (incremental models)",
           select=tuple(f"+{model}" for model in STATEFUL_MODELS))
    reader = _reader(engine, incremental_dir, "incremental")
    yesterday_rows = {model: sum(reader.rows(f"staging.{model}", ["loaded_at"]).values())
                      for model in INCREMENTAL_MODELS_BY_ENGINE[engine]}
    reader.close()

    _copy_seeds(shop.today, project)
    _build(engine, project, incremental_dir, "incremental", "today, incremental")
    _build(engine, project, full_dir, "full", "today, from scratch")
    return EngineRun(
        engine,
        _reader(engine, incremental_dir, "incremental"),
        _reader(engine, full_dir, "full"),
        yesterday_rows,
        time.monotonic() - started,
    )


@pytest.fixture(scope="module")
def postgres_run(shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineRun]:
    _require_engine("postgres")
    run = run_engine("postgres", shop, tmp_path_factory.mktemp("incremental_postgres"))
    yield run
    run.close()


def _spark_run(tmp_path_factory: pytest.TempPathFactory) -> EngineRun:
    _require_engine("spark")
    return run_engine("spark", make_shop(tmp_path_factory), tmp_path_factory.mktemp("incremental_spark"))


# Spark's three builds run in the background from the session's start (conftest).
SPARK_JOB = declare_background(
    "incremental on spark",
    _spark_run,
    wanted=lambda item: getattr(getattr(item, "callspec", None), "params", {}).get("engine_run") == "spark",
)


@pytest.fixture(scope="module")
def spark_run() -> Iterator[EngineRun]:
    run = background_result(SPARK_JOB)
    yield run
    run.close()


# The engine fixtures are requested by name (skip checks happen before the shop is generated).
ENGINES = ("postgres", "spark")


@pytest.fixture(params=ENGINES)
def engine_run(request: pytest.FixtureRequest) -> EngineRun:
    return request.getfixturevalue(f"{request.param}_run")


def test_incremental_day_equals_full_refresh(engine_run: EngineRun) -> None:
    engine = engine_run.engine
    mine, theirs = engine_run.incremental.relations(), engine_run.full.relations()
    assert mine == theirs, (
        f"{engine}: relations only incremental {sorted(set(mine) - set(theirs))}, "
        f"only full {sorted(set(theirs) - set(mine))}"
    )
    assert len(mine) > 40, f"{engine}: only {len(mine)} relations in {SCHEMAS}"
    assert all(f"staging.{model}" in mine for model in INCREMENTAL_MODELS), mine

    differences = []
    for relation in mine:
        columns = [c for c in engine_run.incremental.columns(relation) if c not in LOAD_COLUMNS]
        full_columns = [c for c in engine_run.full.columns(relation) if c not in LOAD_COLUMNS]
        if sorted(columns) != sorted(full_columns):
            differences.append(f"{engine}: {relation}: columns {columns} (incremental) vs {full_columns} (full)")
            continue
        ours, full = engine_run.incremental.rows(relation, columns), engine_run.full.rows(relation, columns)
        if ours != full:
            only_ours, only_full = ours - full, full - ours
            example = next(iter(only_ours or only_full))
            differences.append(
                f"{engine}: {relation}: {sum(only_ours.values())} rows only incremental, "
                f"{sum(only_full.values())} only full (e.g. {dict(zip(columns, example, strict=True))})"
            )
    assert not differences, f"incremental run differs from a full refresh on {engine}:\n" + "\n".join(differences)


def test_incremental_run_rederives_only_the_new_day(engine_run: EngineRun) -> None:
    engine = engine_run.engine
    for model in INCREMENTAL_MODELS_BY_ENGINE[engine]:
        loaded = engine_run.incremental.rows(f"staging.{model}", ["loaded_at"])
        total = sum(loaded.values())
        rederived = loaded[max(loaded)]
        yesterday = engine_run.yesterday_rows[model]
        new_rows = total - yesterday
        # The new day's rows are re-derived (with the re-checked last loaded day and the rows
        # whose timestamp cannot be placed in time; on Spark, whole day partitions), not the
        # whole history.
        assert new_rows > 0, f"{engine}: {model}: no new rows ({total} today, {yesterday} yesterday)"
        assert rederived >= new_rows, f"{engine}: {model}: re-derived {rederived}, fewer than the {new_rows} new rows"
        assert rederived < total * 0.2, f"{engine}: {model}: re-derived {rederived} of {total} rows"
