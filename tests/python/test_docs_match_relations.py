"""Docs cannot drift: the columns documented in YAML are exactly the columns of the relation.

For every model of the project (one test per models/**/*.sql file) this compares the columns
that its YAML documents (target/manifest.json) with the columns of the relation dbt built
(target/catalog.json from `dbt docs generate`). A difference fails with the model's name and
the columns that are undocumented or documented but missing. It reuses the whole-project
build of the end_to_end fixture (columns do not depend on the data).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_DIR, DbtRun, dbt_executable, run_dbt

MODEL_NAMES = sorted(path.stem for path in (PROJECT_DIR / "models").rglob("*.sql"))


@pytest.fixture(scope="module")
def docs(full_fixture_build: DbtRun) -> dict[str, Any]:
    """manifest.json and catalog.json of the full build, after `dbt docs generate`."""
    # Same vars and target path as the build: dbt re-uses its parse, and --no-compile skips
    # compiling every model again; the catalog only reads the database. dbt opens the file
    # for writing, so this session's read-only connection to it must be closed first.
    full_fixture_build.close()
    generated = run_dbt(
        ["docs", "generate", "--no-compile"],
        workdir=full_fixture_build.workdir,
        vars=full_fixture_build.vars,
        label="docs generate (full end_to_end build)",
    ).check()
    target: Path = generated.target_path
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    return {"manifest": manifest, "catalog": catalog, "build": full_fixture_build}


def model_node(manifest: dict[str, Any], name: str) -> tuple[str, dict[str, Any]] | None:
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "model" and node["name"] == name and node["package_name"] == "personas":
            return unique_id, node
    return None


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_documented_columns_match_the_relation(docs: dict[str, Any], model: str) -> None:
    found = model_node(docs["manifest"], model)
    if found is None:
        pytest.skip(f"{model} is not an enabled model of the project")
    unique_id, node = found
    if node["config"].get("materialized") == "ephemeral":
        pytest.skip(f"{model} is ephemeral: no relation to compare")

    catalog_node = docs["catalog"]["nodes"].get(unique_id)
    if catalog_node is None:
        status = docs["build"].node_statuses().get(model, "not run")
        pytest.fail(
            f"{model}: no relation in the database to compare with (build status: {status}); "
            "see the build's output for its error"
        )

    documented = {name.lower() for name in node["columns"]}
    built = {name.lower() for name in catalog_node["columns"]}
    if not documented:
        pytest.fail(
            f"{model}: no column documented in YAML (add the model and its columns to the "
            f"folder's _<folder>__models.yml); the relation has: {sorted(built)}"
        )
    problems = []
    undocumented = sorted(built - documented)
    stale = sorted(documented - built)
    if undocumented:
        problems.append(f"columns of the relation not documented in YAML: {undocumented}")
    if stale:
        problems.append(f"columns documented in YAML but not in the relation: {stale}")
    assert not problems, f"{model} ({node['original_file_path']}): " + "; ".join(problems)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_docs_site_serves_the_lineage_down_to_the_exposures(docs: dict[str, Any]) -> None:
    """`make docs` serves what `dbt docs generate` wrote, on 127.0.0.1; its manifest holds the
    exposures (the exports, the dashboard's pages), each depending on the marts it reads."""
    build: DbtRun = docs["build"]
    port = free_port()
    command = [
        dbt_executable(), "docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(build.target_path), "--log-path", str(build.workdir / "logs"),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as response:
                    index = response.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.json", timeout=10) as response:
            served = json.loads(response.read())
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert "dbt" in index.lower()
    exposures = {node["name"]: node for node in served["exposures"].values()}
    assert "segment_exports" in exposures
    readers: dict[str, set[str]] = {}
    for name, exposure in exposures.items():
        for unique_id in exposure["depends_on"]["nodes"]:
            readers.setdefault(unique_id.split(".")[-1], set()).add(name)
    segments = sorted(path.stem for path in (PROJECT_DIR / "models" / "marts").rglob("seg_*.sql"))
    assert segments and all("segment_exports" in readers.get(segment, set()) for segment in segments)
