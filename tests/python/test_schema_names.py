"""Schema names follow the target (issue 17): exact on production, prefixed everywhere else.

On a target named in var production_targets (by default every target of profiles.yml but
postgres_dev) the schemas are exactly raw, staging, intermediate and marts, which BI, the
exports and the published copy rely on. On any other target (a developer's or a CI job's on a
shared database) they are <target schema>_<name>, so that two of them never overwrite each
other (macros/utils/generate_schema_name.sql).

Production: the manifest of the session's whole-project build (conftest's full_fixture_build,
target duckdb, shared with other tests). Another target: one `dbt ls` on the duckdb target
with var production_targets not naming it, which is what makes a target a developer's (no
adapter but DuckDB needed; its target schema is `main`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import PROJECT_DIR, DbtRun, run_dbt

PRODUCTION_SCHEMAS = {"model": {"staging", "intermediate", "marts"}, "seed": {"raw"}}


def _schemas(nodes: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """{(resource type, name): schema} of the project's models and seeds."""
    return {
        (node["resource_type"], node["name"]): node["schema"]
        for node in nodes
        if node["resource_type"] in PRODUCTION_SCHEMAS
    }


@pytest.fixture(scope="module")
def production(full_fixture_build: DbtRun) -> dict[tuple[str, str], str]:
    manifest = json.loads((full_fixture_build.target_path / "manifest.json").read_text())
    return _schemas([node for node in manifest["nodes"].values() if node["package_name"] == "personas"])


@pytest.fixture(scope="module")
def developer(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    listing = run_dbt(
        [
            "ls", "--resource-type", "model", "--resource-type", "seed",
            "--output", "json", "--output-keys", "resource_type", "name", "schema",
        ],
        workdir=tmp_path_factory.mktemp("schema_names_dev"),
        vars={"production_targets": ["postgres", "spark"]},
        label="ls (duckdb as a developer's target)",
    ).check()
    return _schemas([json.loads(line) for line in listing.output.splitlines() if line.startswith("{")])


def test_production_targets_keep_the_exact_names(production: dict[tuple[str, str], str]) -> None:
    for resource_type, expected in PRODUCTION_SCHEMAS.items():
        assert {schema for (kind, _), schema in production.items() if kind == resource_type} == expected
    assert production[("model", "seg_biggest_fans")] == "marts"


def test_other_targets_prefix_the_target_schema(
    developer: dict[tuple[str, str], str], production: dict[tuple[str, str], str]
) -> None:
    assert ("model", "seg_biggest_fans") in developer
    # Node by node: the production name behind the target schema (main) of the duckdb target.
    wrong = {
        node: schema
        for node, schema in developer.items()
        if node in production and schema != f"main_{production[node]}"
    }
    assert not wrong, f"{len(wrong)} nodes not main_<production schema>, e.g. {sorted(wrong.items())[:3]}"
    # The demo seeds (enabled on this run, not on the fixture build) land in main_raw too.
    assert developer[("seed", "raw_profiles")] == "main_raw"


def test_the_targets_of_profiles_yml_are_production_but_postgres_dev() -> None:
    """Nothing changes for an existing target: each is in the default production_targets."""
    profiles: dict[str, Any] = yaml.safe_load(Path(PROJECT_DIR / "profiles.yml").read_text())
    project: dict[str, Any] = yaml.safe_load(Path(PROJECT_DIR / "dbt_project.yml").read_text())
    production_targets = set(project["vars"]["production_targets"])
    outputs = set(profiles["personas"]["outputs"])
    assert outputs - production_targets == {"postgres_dev"}
    assert production_targets <= outputs
