"""Slim CI (`make test-slim`, the pull-request job of .github/workflows/ci.yml) picks what a
change touches, and falls back to the whole build where dbt's state comparison is blind.

In a copy of the project, `make slim-state` records the main branch's state (manifest.json and
the checksums; dbt is swapped for a stand-in that parses instead of building, and writes an
empty warehouse file: the selection never reads the warehouse). Then, in the same copy:
- unchanged: `make dbt-slim` runs `dbt build --select state:modified+ --defer --state ...`;
- one segment model edited: `dbt ls --select state:modified+ --state ...` lists that model and
  every model downstream of it (from main's manifest), and none of its parents or siblings,
  although the warehouse path, target path and log path differ from the state's;
- a seed over 1 MB edited (dbt compares only its path): dbt-slim adds `<seed>+`;
- a var's default changed in dbt_project.yml (not compared by dbt): dbt-slim builds everything.
make runs with DBT=echo for dbt-slim, so no build runs: each case reads the command it chose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, dbt_executable

SEGMENT = "seg_fence_sitters"
SEGMENT_FILE = Path("models/marts/engagement_personas/seg_fence_sitters.sql")
BIG_SEED = "raw_site_visits"  # over 1 MB: dbt cannot tell whether it changed
# Upstream of the segment or beside it: never selected by an edit of the segment.
UNRELATED = ["dim_profiles", "fct_rfm", "fct_engagement", "stg_orders", "seg_biggest_fans", "seg_dead_weight"]

# `dbt` for `make slim-state`: `build` becomes `parse` with the same target and log paths,
# and the warehouse file is created empty.
STAND_IN = """\
import os, subprocess, sys
args = sys.argv[1:]
assert args[0] == "build", args
keep = []
for flag in ("--target-path", "--log-path"):
    keep += [flag, args[args.index(flag) + 1]]
open(os.environ["PERSONAS_DUCKDB_PATH"], "w").close()
sys.exit(subprocess.run([{dbt!r}, "parse", "--no-use-colors", *keep]).returncode)
"""


def _make(project: Path, *args: str) -> str:
    venv_dbt = Path(sys.executable).parent / "dbt"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DBT_", "MAKE"))}
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    # -o: never remake the venv's dbt (its requirements.txt may look newer in the copy).
    command = ["make", "--no-print-directory", "-o", str(venv_dbt), f"VENV={venv_dbt.parent.parent}", *args]
    completed = subprocess.run(command, cwd=project, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=600, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{' '.join(command)} failed:\n{output[-3000:]}"
    return output


def _chosen_build(output: str) -> str:
    """The dbt command dbt-slim ran (DBT=echo prints it), its last line starting with `build`."""
    builds = [line for line in output.splitlines() if line.startswith("build ")]
    assert builds, f"dbt-slim ran no build:\n{output}"
    return builds[-1]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("slim_ci")
    copy = root / "project"
    copy_project(copy, "docs")
    stand_in = root / "dbt_stand_in.py"
    stand_in.write_text(STAND_IN.format(dbt=dbt_executable()))
    state = root / "state"
    _make(copy, "slim-state", f"STATE={state}", f"DBT={sys.executable} {stand_in}")
    return {"copy": copy, "state": state, "root": root}


def test_slim_state_holds_the_manifest_warehouse_and_checksums(project: dict[str, Path]) -> None:
    state = project["state"]
    for name in ("manifest.json", "personas.duckdb", "inputs.sha256", "seeds.sha256"):
        assert (state / name).is_file(), f"make slim-state wrote no {name}"
    assert f"seeds/{BIG_SEED}.csv" in (state / "seeds.sha256").read_text()


def test_unchanged_project_builds_state_modified_with_defer(project: dict[str, Path]) -> None:
    output = _make(project["copy"], "dbt-slim", f"STATE={project['state']}", "DBT=echo")
    build = _chosen_build(output)
    assert build.startswith("build --select state:modified+ --defer"), build
    assert f"--state {project['state']}" in build


def test_an_edited_segment_selects_it_and_its_descendants_only(project: dict[str, Path]) -> None:
    copy, state = project["copy"], project["state"]
    segment_file = copy / SEGMENT_FILE
    original = segment_file.read_text()
    assert "and is_frequent_engager\n" in original
    segment_file.write_text(original.replace("and is_frequent_engager\n",
                                             "and is_frequent_engager\n        and recent_engagement_count >= 1\n"))
    try:
        workdir = project["root"] / "ls"
        env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
        env["PERSONAS_DUCKDB_PATH"] = str(workdir / "personas.duckdb")
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        completed = subprocess.run(
            [dbt_executable(), "ls", "--select", "state:modified+", "--state", str(state), "--resource-type", "model",
             "--output", "json", "--output-keys", "unique_id", "--quiet",
             "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
            cwd=copy, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False,
        )
    finally:
        segment_file.write_text(original)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    selected = {json.loads(line)["unique_id"] for line in completed.stdout.splitlines() if line.startswith("{")}

    child_map = json.loads((state / "manifest.json").read_text())["child_map"]
    segment_id = f"model.personas.{SEGMENT}"
    expected, todo = {segment_id}, [segment_id]
    while todo:
        for child in child_map.get(todo.pop(), []):
            if child.startswith("model.") and child not in expected:
                expected.add(child)
                todo.append(child)
    assert len(expected) > 1, "the segment has no downstream model in main's manifest"
    assert selected == expected
    assert not selected & {f"model.personas.{name}" for name in UNRELATED}


def test_a_big_seed_whose_file_changed_is_selected_with_its_descendants(project: dict[str, Path]) -> None:
    seed = project["copy"] / "seeds" / f"{BIG_SEED}.csv"
    original = seed.read_bytes()
    assert len(original) > 1024 * 1024, f"{seed.name} is under 1 MB: dbt compares its contents itself"
    seed.write_bytes(original + original.splitlines(keepends=True)[-1])
    try:
        output = _make(project["copy"], "dbt-slim", f"STATE={project['state']}", "DBT=echo")
    finally:
        seed.write_bytes(original)
    assert _chosen_build(output).startswith(f"build --select state:modified+ {BIG_SEED}+ --defer")


def test_a_changed_var_default_builds_everything(project: dict[str, Path]) -> None:
    project_file = project["copy"] / "dbt_project.yml"
    original = project_file.read_text()
    assert "\n  frequent_purchase_count: 3 " in original
    project_file.write_text(original.replace("\n  frequent_purchase_count: 3 ", "\n  frequent_purchase_count: 4 "))
    try:
        output = _make(project["copy"], "dbt-slim", f"STATE={project['state']}", "DBT=echo")
    finally:
        project_file.write_text(original)
    assert "dbt_project.yml changed" in output
    build = _chosen_build(output)
    assert "--select" not in build and "--state" not in build, build
