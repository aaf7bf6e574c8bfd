"""pytest glue: build the dbt project into a throw-away DuckDB file and read it back.

A build is one `dbt build` subprocess with its own DuckDB file, --target-path and --log-path
under pytest's temporary directory, so tests never touch personas.duckdb or target/ and can
run next to a developer's own dbt session. Raw data comes from a folder of hand-written CSV
files (tests/python/fixtures/<name>/raw_profiles.csv, ..., sales_periods.csv) read through the
project's `raw_data_path` var; only the `rfm_segments` seed is still loaded as a seed.

A build takes 15-30 s (most of it dbt parsing the project, which no build can share with
another that has different vars), so builds are shared and started early: the session
fixture `dbt_build` makes one build per (fixture folder, vars, selection), and the builds a
module announces with `declare_build` run two at a time from the first test on.

    PINNED = declare_build("end_to_end", vars={"as_of_date": "2026-05-31"})

    def test_something(dbt_build):
        build = dbt_build(PINNED).check()  # or .check(models=["fct_rfm"]): only these built
        rows = build.query("select profile_id from marts.fct_rfm")

`run_dbt` runs any other dbt command (e.g. `docs generate`) in a build's folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

# Every build made in this session, for the timing summary at the end of the run.
_BUILD_LOG: list[tuple[str, float, int]] = []


def dbt_executable() -> str:
    """The dbt of the running interpreter's environment (a venv), else the one on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if found is None:
        raise RuntimeError("dbt is not installed: run `make setup` (or pip install -r requirements.txt)")
    return found


@dataclass
class DbtRun:
    """The outcome of one dbt command run against its own DuckDB file (under workdir)."""

    label: str
    command: list[str]
    vars: dict[str, Any]
    returncode: int
    output: str
    workdir: Path
    seconds: float
    _connection: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @property
    def database(self) -> Path:
        return self.workdir / "personas.duckdb"

    @property
    def target_path(self) -> Path:
        return self.workdir / "target"

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def error_summary(self, max_lines: int = 60) -> str:
        """The part of dbt's output that explains a failure (its closing summary)."""
        lines = self.output.splitlines()
        for index, line in enumerate(lines):
            if "Completed with" in line or "Encountered an error" in line:
                return "\n".join(lines[index : index + max_lines])
        return "\n".join(lines[-max_lines:])

    def node_statuses(self) -> dict[str, str]:
        """{node name: status} of this command's run_results.json (empty if dbt stopped early)."""
        results_file = self.target_path / "run_results.json"
        if not results_file.exists():
            return {}
        results = json.loads(results_file.read_text())
        return {
            result["unique_id"].split(".")[-1]: result["status"]
            for result in results.get("results", [])
        }

    def check(self, models: Sequence[str] | None = None) -> DbtRun:
        """Raise, with dbt's own explanation, unless the command succeeded.

        models: only these models must have been built; failures elsewhere (another team's
        model that is still being written) are tolerated. None: everything must succeed.
        """
        if models is None:
            if not self.ok:
                raise AssertionError(
                    f"dbt failed ({self.label}, exit {self.returncode}): {' '.join(self.command)}\n"
                    f"{self.error_summary()}"
                )
            return self
        statuses = self.node_statuses()
        not_built = {name: statuses.get(name, "not run") for name in models}
        not_built = {name: status for name, status in not_built.items() if status != "success"}
        if not_built:
            raise AssertionError(
                f"dbt did not build {not_built} ({self.label}): {' '.join(self.command)}\n"
                f"{self.error_summary()}"
            )
        return self

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A new read-only connection to the built database (the caller closes it)."""
        return duckdb.connect(str(self.database), read_only=True)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """One shared read-only connection, closed at the end of the session."""
        if self._connection is None:
            self._connection = self.connect()
        return self._connection

    def query(self, sql: str, parameters: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, parameters or []).fetchall()

    def query_dicts(self, sql: str, parameters: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, parameters or [])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def dbt_invocation(
    args: Sequence[str],
    *,
    workdir: Path,
    vars: Mapping[str, Any] | None = None,
    project_dir: Path = PROJECT_DIR,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of `dbt <args>` with everything it writes kept under
    `workdir` (see run_dbt); for a test that runs dbt itself (to interrupt it, say).
    project_dir: the project (default: this one; a test's edited copy otherwise)."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [
        dbt_executable(),
        *args,
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target-path", str(workdir / "target"),
        "--log-path", str(workdir / "logs"),
        "--no-use-colors",
    ]
    if vars:
        command += ["--vars", json.dumps(dict(vars), sort_keys=True)]
    env = dict(os.environ)
    env.update(
        {
            "PERSONAS_TARGET": "duckdb",
            "PERSONAS_DUCKDB_PATH": str(workdir / "personas.duckdb"),
            # The on-run-end hook publishes a build's marts here (macros/publish/).
            "PERSONAS_PUBLISH_DIR": str(workdir / "published"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    # Two builds run at once on small fixtures: a smaller cap than a real build's 8GB.
    env.setdefault("PERSONAS_MEMORY_LIMIT", "4GB")
    # The caller's own dbt settings must not leak in (the flags above win, but be explicit).
    for name in ("DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR"):
        env.pop(name, None)
    return command, env


def run_dbt(
    args: Sequence[str],
    *,
    workdir: Path,
    vars: Mapping[str, Any] | None = None,
    label: str = "",
    timeout: float = 900,
    project_dir: Path = PROJECT_DIR,
) -> DbtRun:
    """Run `dbt <args>` on the project (or project_dir) with everything it writes kept under
    `workdir`.

    The DuckDB file is workdir/personas.duckdb (env PERSONAS_DUCKDB_PATH), the target path
    workdir/target and the logs workdir/logs. Returns the outcome; never raises on a dbt error.
    """
    command, env = dbt_invocation(args, workdir=workdir, vars=vars, project_dir=project_dir)
    started = time.monotonic()
    completed = subprocess.run(
        command,
        cwd=project_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - started
    _BUILD_LOG.append((label or " ".join(args[:1]), seconds, completed.returncode))
    return DbtRun(
        label=label,
        command=command,
        vars=dict(vars or {}),
        returncode=completed.returncode,
        output=completed.stdout,
        workdir=workdir,
        seconds=seconds,
    )


def build_project(
    workdir: Path,
    *,
    raw_data_path: Path | None = None,
    vars: Mapping[str, Any] | None = None,
    select: Sequence[str] = (),
    data_tests: bool = False,
    label: str = "",
) -> DbtRun:
    """`dbt build` the project into workdir/personas.duckdb.

    raw_data_path: a folder of raw CSV (or Parquet) files, one per contract entity; None
    builds the shipped demo seeds. select: dbt selectors (default: the whole project).
    data_tests: also run the data tests (unit tests never run here: they do not depend on the
    data and `make test` runs them); off by default so that a test of someone else's model
    cannot skip the models a Python test reads.
    """
    args, all_vars = build_arguments(raw_data_path=raw_data_path, vars=vars, select=select, data_tests=data_tests)
    return run_dbt(args, workdir=workdir, vars=all_vars, label=label or "build")


def build_arguments(
    *,
    raw_data_path: Path | None = None,
    vars: Mapping[str, Any] | None = None,
    select: Sequence[str] = (),
    data_tests: bool = False,
) -> tuple[list[str], dict[str, Any]]:
    """The dbt arguments and vars of build_project (which documents the parameters)."""
    all_vars = dict(vars or {})
    args = ["build"]
    excluded_types = ["unit_test"] if data_tests else ["unit_test", "test"]
    for resource_type in excluded_types:
        args += ["--exclude-resource-type", resource_type]
    if select:
        # Only tests whose parents are all built: a partial build must not test what it skipped.
        args += ["--select", *select, "--indirect-selection", "buildable"]
    if raw_data_path is not None:
        # The raw seeds are disabled by this var (dbt_project.yml): only rfm_segments loads.
        all_vars["raw_data_path"] = str(raw_data_path)
    return args, all_vars


def raw_data_folder(name: str) -> Path:
    """The fixture folder tests/python/fixtures/<name> (raw CSV files named after the contract)."""
    folder = FIXTURES_DIR / name
    if not folder.is_dir():
        raise FileNotFoundError(f"no fixture folder {folder}")
    return folder


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80].strip("_") or "build"


@dataclass(frozen=True)
class BuildSpec:
    """What to build: a fixture folder (None: the demo seeds), vars, dbt selectors."""

    fixture: str | None
    vars_json: str = "{}"
    select: tuple[str, ...] = ()
    data_tests: bool = False

    @classmethod
    def of(
        cls,
        fixture: str | None,
        vars: Mapping[str, Any] | None = None,
        select: Sequence[str] = (),
        data_tests: bool = False,
    ) -> BuildSpec:
        return cls(fixture, json.dumps(dict(vars or {}), sort_keys=True, default=str), tuple(select), data_tests)

    @property
    def vars(self) -> dict[str, Any]:
        return json.loads(self.vars_json)

    @property
    def label(self) -> str:
        label = f"build {self.fixture or 'demo'} vars={self.vars_json}"
        return label + (f" select={' '.join(self.select)}" if self.select else "")


# Builds the test modules announce at import time (declare_build): they all start, a few at a
# time, as soon as the first test asks for a build, so that dbt's parsing (most of a build's
# time, single-threaded) runs on both cores instead of one build after the other. Each build
# keeps the names of the modules that declared it: only those with a selected test start it
# (`-m "not slow"` must not start the builds of the slow modules it leaves out).
_DECLARED: dict[BuildSpec, set[str]] = {}
PARALLEL_BUILDS = max(1, int(os.environ.get("PERSONAS_TEST_PARALLEL_BUILDS", "2")))


def declare_build(
    fixture: str | None,
    *,
    vars: Mapping[str, Any] | None = None,
    select: Sequence[str] = (),
    data_tests: bool = False,
) -> BuildSpec:
    """Announce (at module level) a build that tests will ask dbt_build for, to start it early."""
    spec = BuildSpec.of(fixture, vars, select, data_tests)
    _DECLARED.setdefault(spec, set()).add(sys._getframe(1).f_globals.get("__name__", ""))
    return spec


BuildFactory = Callable[..., DbtRun]

# The hand-written fixture of test_end_to_end_facts.py (the arithmetic is in that file).
END_TO_END = "end_to_end"
# The whole project on that fixture with the default vars (as_of_date unset): the as-of-date
# default test and the docs-vs-relations test share it.
FULL_END_TO_END = declare_build(END_TO_END)


@pytest.fixture(scope="session")
def dbt_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildFactory]:
    """Factory of shared builds: dbt_build(fixture, vars=..., select=...) -> DbtRun.

    fixture: a folder name under tests/python/fixtures, or None for the demo seeds. The same
    arguments return the same build (built once per session; builds announced with
    declare_build are already running). The build is not checked: call .check() (everything
    succeeded) or .check(models=[...]) (these were built).
    """
    futures: dict[BuildSpec, Future[DbtRun]] = {}
    executor = ThreadPoolExecutor(max_workers=PARALLEL_BUILDS, thread_name_prefix="dbt-build")

    def submit(spec: BuildSpec) -> Future[DbtRun]:
        if spec not in futures:
            workdir = tmp_path_factory.mktemp(_slug(f"build_{spec.fixture or 'demo'}"))
            futures[spec] = executor.submit(
                build_project,
                workdir,
                raw_data_path=raw_data_folder(spec.fixture) if spec.fixture else None,
                vars=spec.vars,
                select=spec.select,
                data_tests=spec.data_tests,
                label=spec.label,
            )
        return futures[spec]

    # The builds of the modules that have a selected test; conftest's own (FULL_END_TO_END,
    # shared by several modules) whenever any selected test uses dbt_build.
    items = request.session.items
    selected_modules = {item.module.__name__ for item in items if getattr(item, "module", None) is not None}
    uses_builds = any("dbt_build" in getattr(item, "fixturenames", ()) for item in items)
    for declared, modules in _DECLARED.items():
        if modules & selected_modules or (__name__ in modules and uses_builds):
            submit(declared)

    def factory(
        fixture: str | None | BuildSpec,
        *,
        vars: Mapping[str, Any] | None = None,
        select: Sequence[str] = (),
        data_tests: bool = False,
    ) -> DbtRun:
        spec = fixture if isinstance(fixture, BuildSpec) else BuildSpec.of(fixture, vars, select, data_tests)
        return submit(spec).result()

    yield factory
    executor.shutdown(wait=True, cancel_futures=True)
    for future in futures.values():
        if future.done() and not future.cancelled() and future.exception() is None:
            future.result().close()


@pytest.fixture(scope="session")
def full_fixture_build(dbt_build: BuildFactory) -> DbtRun:
    """The whole project built on the end_to_end fixture with the default vars. Not checked:
    a model of another team may fail on this data; check the models a test needs."""
    return dbt_build(FULL_END_TO_END)


# --- engine builds in the background ------------------------------------------------------
#
# A Spark build waits on the JVM, the scheduler and the catalog far more than on the CPU (the
# fixture build with its data tests: about 4 minutes, at well under one core), so the Spark
# work of a session runs in one background thread from the session's start, beside the
# DuckDB and PostgreSQL tests, instead of after them. A module announces a job at import:
#
#     SPARK_RUN = declare_background("spark incremental", job, wanted=lambda item: ...)
#
# job(tmp_path_factory) runs once, and only when a selected test wants it (`wanted`, on each
# collected item; `-k duckdb` starts no Spark). A fixture gets its result, or its exception
# (a pytest.fail or skip inside the job fails or skips the test), with background_result.


@dataclass(frozen=True)
class BackgroundJob:
    name: str
    job: Callable[[pytest.TempPathFactory], Any]
    wanted: Callable[[pytest.Item], bool]


_BACKGROUND: list[BackgroundJob] = []
_BACKGROUND_FUTURES: dict[str, Future[Any]] = {}


def declare_background(
    name: str, job: Callable[[pytest.TempPathFactory], Any], wanted: Callable[[pytest.Item], bool]
) -> BackgroundJob:
    """Announce (at module level) a job to run in the background from the session's start."""
    declared = BackgroundJob(name, job, wanted)
    if all(existing.name != name for existing in _BACKGROUND):
        _BACKGROUND.append(declared)
    return declared


@pytest.fixture(scope="session", autouse=True)
def background_jobs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # One at a time: two Spark sessions at once, beside the DuckDB builds, would crowd 2 cores.
    # The base temporary directory is made here, in the main thread, before any job starts:
    # pytest creates it lazily and without a lock, so a job's first mktemp racing a test's
    # made two of them, and mktemp then refused its own name ("cross_engine_spark is not a
    # normalized and relative path", seen in CI only, on the Spark tests).
    tmp_path_factory.getbasetemp()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
    for declared in _BACKGROUND:
        if any(declared.wanted(item) for item in request.session.items):
            _BACKGROUND_FUTURES[declared.name] = executor.submit(declared.job, tmp_path_factory)
    yield
    executor.shutdown(wait=True, cancel_futures=True)
    _BACKGROUND_FUTURES.clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules whose tests wait on a background job run last (each module whole, so that
    its module fixtures are built once), so the other tests run while the job does."""
    waiting_modules = {item.module for item in items if any(job.wanted(item) for job in _BACKGROUND)}
    items.sort(key=lambda item: item.module in waiting_modules)  # stable: order kept otherwise


def background_result(declared: BackgroundJob) -> Any:
    """The job's result, waiting for it (started by background_jobs); re-raises its exception."""
    future = _BACKGROUND_FUTURES.get(declared.name)
    if future is None:
        raise RuntimeError(f"background job {declared.name!r} was not started: no collected test is `wanted` by it")
    return future.result()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long each dbt command took: the python suite's budget is a few minutes."""
    if not _BUILD_LOG:
        return
    terminalreporter.section("dbt commands")
    for label, seconds, returncode in _BUILD_LOG:
        status = "ok" if returncode == 0 else f"exit {returncode}"
        terminalreporter.write_line(f"{seconds:6.1f}s  {status:8}  {label}")
    total = sum(seconds for _, seconds, _ in _BUILD_LOG)
    terminalreporter.write_line(f"{total:6.1f}s  total")


class LogWatch:
    """Counts the occurrences of one text (a dbt.log line such as "START sql ... model X") in a
    log file as it grows, reading only what was appended since the last look; for a test that
    interrupts a dbt run at a given point."""

    def __init__(self, log: Path, text: str) -> None:
        self.log, self.text, self.offset, self.tail, self.seen = log, text, 0, "", 0

    def count(self) -> int:
        try:
            with self.log.open("rb") as handle:
                handle.seek(self.offset)
                new = handle.read()
        except FileNotFoundError:
            return self.seen
        self.offset += len(new)
        text = self.tail + new.decode("utf-8", errors="replace")
        self.seen += text.count(self.text)
        # a match cut in two by a read: keep the last len - 1 characters (too short to hold a
        # whole match, so none is counted twice)
        self.tail = text[-(len(self.text) - 1) :]
        return self.seen


def copy_project(destination: Path, *also_ignored: str) -> Path:
    """A copy of the project's tracked sources at `destination`, for a test that edits or runs
    it apart: no build output, warehouse files, virtual environment or Python tests, and
    nothing matching also_ignored (shutil patterns)."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "target", "logs", "dbt_packages", "*.duckdb", "*.duckdb.wal", "*.duckdb.tmp",
        "published", "exports", "bench", "state", "node_modules", "build", "__pycache__", ".pytest_cache",
        "python", *also_ignored,
    )
    shutil.copytree(PROJECT_DIR, destination, ignore=ignore)
    return destination
