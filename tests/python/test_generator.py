"""Tests of scripts/generate_data.py: determinism, the raw data contract, bad rows, money."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTITIES = ["raw_profiles", "raw_orders", "raw_order_lines", "raw_email_events", "raw_site_visits"]

# Copied from the data contract (docs/data-contract.md), column by column, in order:
# the generator's own constant is checked against it, not against itself.
CONTRACT = {
    "raw_profiles": ["profile_id", "email", "phone_number", "first_name", "created_at",
                     "email_consent", "sms_consent", "country", "region", "city", "birth_date",
                     "gender"],
    "raw_orders": ["order_id", "profile_id", "ordered_at", "status", "currency", "order_total",
                   "discount_total"],
    "raw_order_lines": ["order_id", "line_number", "product_id", "product_name", "category",
                        "quantity", "unit_price", "discount_amount"],
    "raw_email_events": ["event_id", "profile_id", "channel", "event_type", "campaign_id",
                         "occurred_at", "is_apple_privacy_open"],
    "raw_site_visits": ["event_id", "profile_id", "session_id", "event_type", "occurred_at",
                        "product_id", "category", "value"],
    "sales_periods": ["sale_id", "season", "starts_on", "ends_on"],
}

SMALL = ["--profiles", "600", "--quiet"]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_data", ROOT / "scripts" /
                                                  "generate_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_data"] = module
    spec.loader.exec_module(module)
    return module


gen = _load()


def run(out: Path, *args: str) -> Path:
    assert gen.main([*SMALL, "--out", str(out), *args]) == 0
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(tmp_path_factory.mktemp("dirty"), "--bad-share", "0.02")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(tmp_path_factory.mktemp("clean"), "--bad-share", "0")


def relation(folder: Path, name: str, fmt: str = "csv") -> str:
    if fmt == "parquet":
        return f"read_parquet('{folder / name}.parquet')"
    return f"read_csv('{folder / name}.csv', all_varchar=true, header=true)"


TS = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(Z|\+00:00)?$"
MONEY = r"^\d+(\.\d{1,2})?$"


def violations(folder: Path, fmt: str = "csv") -> dict[str, int]:
    """Rows per (entity, rule) that the contract calls bad (values read after trimming)."""
    con = duckdb.connect()
    for name in ENTITIES:
        con.execute(f"create view {name} as select * from {relation(folder, name, fmt)}")
    enum = "trim({c}) not in ({values})"
    checks = {
        "profiles_missing": "select count(*) from raw_profiles where coalesce(trim(profile_id), "
                            "'') = '' or coalesce(trim(created_at), '') = '' or "
                            "coalesce(trim(email_consent), '') = ''",
        "profiles_enum": "select count(*) from raw_profiles where " + enum.format(
            c="email_consent", values="'subscribed', 'unsubscribed', 'never_subscribed'")
        + " or " + enum.format(c="sms_consent",
                               values="'subscribed', 'unsubscribed', 'never_subscribed'"),
        "profiles_timestamp": f"select count(*) from raw_profiles where trim(created_at) <> '' "
                              f"and not regexp_matches(trim(created_at), '{TS}')",
        "profiles_duplicate": "select count(*) from (select profile_id from raw_profiles "
                              "group by 1 having count(*) > 1)",
        "orders_enum": "select count(*) from raw_orders where " + enum.format(
            c="status", values="'placed', 'cancelled', 'refunded'"),
        "orders_money": f"select count(*) from raw_orders where not regexp_matches("
                        f"trim(order_total), '{MONEY}') or not regexp_matches(trim("
                        f"discount_total), '{MONEY}')",
        "orders_orphan": "select count(*) from raw_orders where trim(profile_id) <> '' and "
                         "trim(profile_id) not in (select trim(profile_id) from raw_profiles "
                         "where profile_id is not null)",
        "orders_duplicate": "select count(*) from (select order_id from raw_orders group by 1 "
                            "having count(*) > 1)",
        "lines_quantity": "select count(*) from raw_order_lines where not regexp_matches("
                          "trim(quantity), '^[1-9][0-9]*$')",
        "lines_orphan": "select count(*) from raw_order_lines where trim(order_id) not in "
                        "(select trim(order_id) from raw_orders where order_id is not null)",
        "email_enum": "select count(*) from raw_email_events where " + enum.format(
            c="event_type", values=", ".join(f"'{t}'" for t in gen.EMAIL_TYPES))
        + " or " + enum.format(c="channel", values="'email', 'sms'"),
        "email_timestamp": f"select count(*) from raw_email_events where "
                           f"not regexp_matches(trim(occurred_at), '{TS}')",
        "email_orphan": "select count(*) from raw_email_events where trim(profile_id) not in "
                        "(select trim(profile_id) from raw_profiles where profile_id is not null)",
        "email_duplicate": "select count(*) from (select event_id from raw_email_events "
                           "group by 1 having count(*) > 1)",
        "site_enum": "select count(*) from raw_site_visits where " + enum.format(
            c="event_type", values=", ".join(f"'{t}'" for t in gen.SITE_TYPES)),
        "site_money": f"select count(*) from raw_site_visits where trim(value) <> '' and "
                      f"not regexp_matches(trim(value), '{MONEY}')",
        "site_orphan": "select count(*) from raw_site_visits where trim(profile_id) <> '' and "
                       "trim(profile_id) not in (select trim(profile_id) from raw_profiles "
                       "where profile_id is not null)",
    }
    return {name: con.execute(sql).fetchone()[0] for name, sql in checks.items()}


def test_same_arguments_give_identical_bytes(tmp_path: Path, dirty: Path) -> None:
    again = run(tmp_path / "again", "--bad-share", "0.02")
    for name in [*ENTITIES, "sales_periods"]:
        assert (again / f"{name}.csv").read_bytes() == (dirty / f"{name}.csv").read_bytes(), name


def test_another_seed_gives_other_data(tmp_path: Path, dirty: Path) -> None:
    other = run(tmp_path / "other", "--bad-share", "0.02", "--seed", "7")
    assert (other / "raw_orders.csv").read_bytes() != (dirty / "raw_orders.csv").read_bytes()


def test_columns_follow_the_contract(dirty: Path) -> None:
    assert {**gen.COLUMNS, "sales_periods": gen.SALES_COLUMNS} == CONTRACT
    con = duckdb.connect()
    for name in [*ENTITIES, "sales_periods"]:
        cols = [c[0] for c in con.execute(
            f"describe select * from {relation(dirty, name)}").fetchall()]
        assert cols == CONTRACT[name], name


def test_every_file_has_rows(dirty: Path) -> None:
    con = duckdb.connect()
    for name in [*ENTITIES, "sales_periods"]:
        assert con.execute(f"select count(*) from {relation(dirty, name)}").fetchone()[0] > 0


def test_bad_rows_present_when_asked(dirty: Path) -> None:
    found = violations(dirty)
    missing = [rule for rule, n in found.items() if n == 0]
    assert not missing, f"no bad rows for {missing}"


def test_no_bad_rows_when_disabled(clean: Path) -> None:
    found = violations(clean)
    assert {rule: n for rule, n in found.items() if n} == {}


def test_noise_is_there_and_clean(clean: Path) -> None:
    con = duckdb.connect()
    padded = con.execute(f"select count(*) from {relation(clean, 'raw_orders')} "
                         f"where status <> trim(status)").fetchone()[0]
    suffixed = con.execute(f"select count(*) from {relation(clean, 'raw_email_events')} "
                           f"where occurred_at like '%Z' or occurred_at like '%+00:00'"
                           ).fetchone()[0]
    assert padded > 0 and suffixed > 0


def test_order_total_is_the_sum_of_its_lines(clean: Path) -> None:
    con = duckdb.connect()
    wrong = con.execute(f"""
        with lines as (
            select trim(order_id) as order_id,
                sum(trim(quantity)::int * trim(unit_price)::decimal(18, 2)
                    - trim(discount_amount)::decimal(18, 2)) as line_total,
                sum(trim(discount_amount)::decimal(18, 2)) as line_discount
            from {relation(clean, 'raw_order_lines')} group by 1
        )
        select count(*) from {relation(clean, 'raw_orders')} as orders
        left join lines on trim(orders.order_id) = lines.order_id
        where lines.line_total is distinct from trim(orders.order_total)::decimal(18, 2)
            or lines.line_discount is distinct from trim(orders.discount_total)::decimal(18, 2)
            or trim(orders.order_total)::decimal(18, 2) < 0
    """).fetchone()[0]
    assert wrong == 0


def test_formats(clean: Path) -> None:
    con = duckdb.connect()
    orders = relation(clean, "raw_orders")
    assert con.execute(f"select count(*) from {orders} where not regexp_matches(trim(order_total), "
                       f"'^[0-9]+\\.[0-9][0-9]$')").fetchone()[0] == 0
    apple = con.execute(f"select distinct is_apple_privacy_open from "
                        f"{relation(clean, 'raw_email_events')} order by 1").fetchall()
    assert apple == [("false",), ("true",), (None,)]
    last = con.execute(f"select max(left(trim(occurred_at), 10)) from "
                       f"{relation(clean, 'raw_email_events')}").fetchone()[0]
    assert last == "2026-11-01"  # the default --end-date is the latest event day


def test_current_sale_and_previous_edition() -> None:
    end = dt.date(2026, 11, 1)
    sales = gen.build_sales(gen.add_years(end, -3), end)
    current, previous = gen.current_and_previous(sales, end)
    assert current is not None and current.starts_on <= end <= current.ends_on
    assert previous is not None and previous.season == current.season


def test_archetype_rows_are_never_bad(dirty: Path) -> None:
    con = duckdb.connect()
    last = f"p{gen.N_ARCHETYPES:07d}"
    rows = con.execute(f"select count(*), count(distinct profile_id), "
                       f"count(*) filter (where email_consent = 'subscribed') "
                       f"from {relation(dirty, 'raw_profiles')} where profile_id <= '{last}'"
                       ).fetchone()
    assert rows == (gen.N_ARCHETYPES, gen.N_ARCHETYPES, gen.N_ARCHETYPES)


def test_parquet_run(tmp_path: Path) -> None:
    out = tmp_path / "pq"
    assert gen.main(["--profiles", "2000", "--format", "parquet", "--out", str(out), "--quiet",
                     "--chunk-size", "700"]) == 0
    for name in ENTITIES:
        table = pq.read_table(out / f"{name}.parquet")
        assert table.column_names == CONTRACT[name]
        assert all(str(t) == "string" for t in table.schema.types)
        assert table.num_rows > 0
    assert (out / "sales_periods.csv").exists()
    assert sum(violations(out, "parquet").values()) > 0
