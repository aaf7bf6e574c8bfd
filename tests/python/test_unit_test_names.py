"""Every unit test's name fits PostgreSQL's 63-character identifiers.

dbt names the relation a unit test builds after the test, and PostgreSQL rejects a longer
name at run time ("Relation name ... is longer than 63 characters"), so a long name passes on
DuckDB and fails only in the PostgreSQL build. This catches it on any machine, in a second.
"""

from __future__ import annotations

import yaml

from conftest import PROJECT_DIR

POSTGRES_MAX_IDENTIFIER = 63


def _unit_test_names() -> list[tuple[str, str]]:
    names = []
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for unit_test in document.get("unit_tests", []) or []:
            names.append((str(path.relative_to(PROJECT_DIR)), unit_test["name"]))
    return names


def test_the_project_has_unit_tests() -> None:
    assert len(_unit_test_names()) > 100


def test_unit_test_names_fit_postgres_identifiers() -> None:
    too_long = [
        f"{path}: {name} ({len(name)} characters)"
        for path, name in _unit_test_names()
        if len(name) > POSTGRES_MAX_IDENTIFIER
    ]
    assert not too_long, f"unit test names over {POSTGRES_MAX_IDENTIFIER} characters:\n" + "\n".join(too_long)
