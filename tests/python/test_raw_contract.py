"""The raw data contract is declared once, in models/staging/_raw__sources.yml, and staging is
generated from it.

A copy of the project gets two new columns on raw_orders by one YAML edit and nothing else (no
model, macro or generated file touched): a text column and a required money column. Built on
a few hand-written rows, both must reach stg_orders (the money column typed) and
stg_orders_quarantine, and the money column must be checked as the contract's other money
columns are (missing, unparseable, negative). The same copy checks the source freshness query
and the error a wrong declaration gives.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT_DIR, DbtRun, copy_project, run_dbt

DECLARATION = Path("models/staging/_raw__sources.yml")

PROFILES = (
    "profile_id,email,phone_number,first_name,created_at,email_consent,sms_consent,country,region,city,"
    "birth_date,gender\n"
    "p1,a@example.com,,Ann,2026-01-01 00:00:00,subscribed,never_subscribed,FR,,Paris,,\n"
)

# The new columns are last; o5's timestamp is bad, so freshness must skip it, not fail on it.
ORDERS = """order_id,profile_id,ordered_at,status,currency,order_total,discount_total,coupon_code,gift_wrap_fee
o1,p1,2026-10-01 10:00:00,placed,EUR,10.00,0.00,SPRING,1.50
o2,p1,2026-10-02 11:00:00,placed,EUR,10.00,0.00,SPRING,abc
o3,p1,2026-10-03 12:00:00,placed,EUR,10.00,0.00,,
o4,p1,2026-10-04 13:00:00,placed,EUR,10.00,0.00,SUMMER,-1.00
o5,p1,2099-13-45 10:00:00,placed,EUR,10.00,0.00,SUMMER,1.00
"""

NEW_COLUMNS = [
    {"name": "coupon_code", "description": "The coupon the buyer entered (a column added by this test)."},
    {
        "name": "gift_wrap_fee",
        "description": "What gift wrapping cost (a column added by this test).",
        "config": {"meta": {"type": "money", "required": True}},
    },
]


def _declare(project: Path, entity: str, columns: list[dict]) -> None:
    """The one edit: append columns to an entity's declaration."""
    path = project / DECLARATION
    declaration = yaml.safe_load(path.read_text())
    raw = next(source for source in declaration["sources"] if source["name"] == "raw")
    table = next(table for table in raw["tables"] if table["name"] == entity)
    table["columns"].extend(columns)
    path.write_text(yaml.safe_dump(declaration, sort_keys=False))


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("raw_contract")
    project = copy_project(root / "project")
    _declare(project, "raw_orders", NEW_COLUMNS)
    raw = root / "raw"
    raw.mkdir()
    (raw / "raw_profiles.csv").write_text(PROFILES)
    (raw / "raw_orders.csv").write_text(ORDERS)
    run = run_dbt(
        ["run", "--select", "+stg_orders", "+stg_orders_quarantine"],
        workdir=root / "build",
        vars={"raw_data_path": str(raw)},
        label="raw contract: two declared columns",
        project_dir=project,
    )
    assert run.ok, run.error_summary()
    return {"project": project, "raw": raw, "run": run, "root": root}


def test_generated_copy_for_unit_tests_is_current() -> None:
    completed = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "raw_contract.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr


def test_the_edit_touched_only_the_declaration(extended: dict[str, object]) -> None:
    project = extended["project"]
    assert isinstance(project, Path)
    changed = [
        path.relative_to(project)
        for path in project.rglob("*")
        if path.is_file()
        and (PROJECT_DIR / path.relative_to(project)).is_file()
        and path.read_bytes() != (PROJECT_DIR / path.relative_to(project)).read_bytes()
    ]
    assert changed == [DECLARATION]


def test_declared_columns_reach_the_staged_orders_typed(extended: dict[str, object]) -> None:
    run = extended["run"]
    assert isinstance(run, DbtRun)
    rows = run.query_dicts("select order_id, coupon_code, gift_wrap_fee from staging.stg_orders order by order_id")
    assert rows == [{"order_id": "o1", "coupon_code": "SPRING", "gift_wrap_fee": Decimal("1.50")}]


def test_declared_columns_are_checked_and_kept_in_quarantine(extended: dict[str, object]) -> None:
    run = extended["run"]
    assert isinstance(run, DbtRun)
    rows = run.query_dicts(
        "select order_id, coupon_code, gift_wrap_fee, quarantine_reason, quarantine_column "
        "from staging.stg_orders_quarantine order by order_id"
    )
    assert rows == [
        {"order_id": "o2", "coupon_code": "SPRING", "gift_wrap_fee": "abc",
         "quarantine_reason": "unparseable_number", "quarantine_column": "gift_wrap_fee"},
        {"order_id": "o3", "coupon_code": None, "gift_wrap_fee": None,
         "quarantine_reason": "missing_required_value", "quarantine_column": "gift_wrap_fee"},
        {"order_id": "o4", "coupon_code": "SUMMER", "gift_wrap_fee": "-1.00",
         "quarantine_reason": "negative_money", "quarantine_column": "gift_wrap_fee"},
        {"order_id": "o5", "coupon_code": "SUMMER", "gift_wrap_fee": "1.00",
         "quarantine_reason": "unparseable_timestamp", "quarantine_column": "ordered_at"},
    ]


def test_source_freshness_reads_the_latest_parseable_timestamp(extended: dict[str, object]) -> None:
    root, project, raw = extended["root"], extended["project"], extended["raw"]
    assert isinstance(root, Path) and isinstance(project, Path) and isinstance(raw, Path)
    workdir = root / "freshness"
    run = run_dbt(
        ["source", "freshness", "--select", "source:raw.raw_orders"],
        workdir=workdir, vars={"raw_data_path": str(raw)}, label="raw contract: freshness", project_dir=project,
    )
    # The orders are weeks old: stale (an error) by the declared thresholds, but measured.
    assert "Runtime Error" not in run.output, run.output[-3000:]
    results = json.loads((workdir / "target" / "sources.json").read_text())["results"]
    assert [result["unique_id"] for result in results] == ["source.personas.raw.raw_orders"]
    assert results[0]["max_loaded_at"].startswith("2026-10-04T13:00:00"), results[0]
    assert results[0]["status"] == "error"


def test_a_wrong_declaration_stops_the_build_with_its_name(extended: dict[str, object]) -> None:
    root, project, raw = extended["root"], extended["project"], extended["raw"]
    assert isinstance(root, Path) and isinstance(project, Path) and isinstance(raw, Path)
    wrong = copy_project(root / "wrong")
    _declare(wrong, "raw_orders", [{"name": "gift_wrap_fee", "config": {"meta": {"type": "decimal"}}}])
    run = run_dbt(
        ["compile", "--select", "base_orders_rows"],
        workdir=root / "wrong_build", vars={"raw_data_path": str(raw)}, label="raw contract: wrong type",
        project_dir=wrong,
    )
    assert not run.ok
    assert "raw_orders.gift_wrap_fee: type 'decimal' is not one of text, timestamp, date, integer, money, boolean" in (
        run.output
    ), run.output[-3000:]
