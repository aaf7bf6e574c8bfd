"""Metrics by name: MetricFlow's `mf query` gives the numbers the marts hold.

The semantic layer (models/marts/semantic, docs/metrics.md) defines the metrics once; this
runs the real CLI, `mf validate-configs` and three `mf query` commands, as subprocesses on
a build of the demo shop (the end_to_end fixture attributes no revenue to any message, so
revenue would only be compared as 0), and compares every row of every answer with SQL on
the marts:

- members and share of consented profiles per segment with segment_summary;
- the email rates per segment with segment_performance's counts (exactly) and its rounded
  rates (to their last decimal); attributed revenue and revenue per recipient likewise;
- members' revenue, orders and AOV per segment with fct_rfm summed over segment_memberships;
- metric_time with D, and the consented list without a group-by with dim_profiles.

`mf` reads <project dir>/target/semantic_manifest.json (a fixed path, not dbt's
--target-path) and opens the DuckDB file of the profile read-write. So the commands run on a
folder of their own: dbt_project.yml (a link), the build's semantic manifest and a copy of
its DuckDB file (named personas.duckdb, as the relation names in the manifest say). Neither
the build nor the project's target/ is touched. Four `mf` commands: about 20 s.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_DIR, BuildFactory, DbtRun, declare_build

# Left out of `make test-fast` and the pull-request CI (a build of the demo shop and MetricFlow's CLI).
pytestmark = pytest.mark.slow

# The models the metrics and the comparisons read.
MODELS = ["segment_measures", "segment_summary", "segment_performance", "segment_memberships", "fct_rfm",
          "dim_profiles", "time_spine_daily"]
GROUP_BY_SEGMENT = "segment__segment_name"
DOCS = PROJECT_DIR / "docs" / "metrics.md"
# The demo seeds, every model, no data test (about 50 s, beside the other builds).
DEMO = declare_build(None)


def mf_executable() -> str:
    """MetricFlow's CLI beside the running interpreter (the venv), else the one on PATH."""
    beside_python = Path(sys.executable).parent / "mf"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("mf")
    if found is None:
        pytest.fail("MetricFlow's `mf` is not installed: run `make setup` (requirements.txt pins dbt-metricflow)")
    return found


@dataclass
class MetricFlow:
    """A folder `mf` treats as the dbt project: the build's semantic manifest and database."""

    folder: Path
    build: DbtRun

    @property
    def database(self) -> Path:
        return self.folder / "personas.duckdb"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        for name in ("DBT_TARGET_PATH", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR"):
            env.pop(name, None)
        env.update(
            {
                "PERSONAS_TARGET": "duckdb",
                "PERSONAS_DUCKDB_PATH": str(self.database),
                "PERSONAS_MEMORY_LIMIT": "2GB",
                # mf looks for dbt_project.yml and target/semantic_manifest.json here...
                "DBT_PROJECT_DIR": str(self.folder),
                # ... for profiles.yml in the project root, and writes its log here.
                "DBT_PROFILES_DIR": str(PROJECT_DIR),
                "DBT_LOG_PATH": str(self.folder / "logs"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            }
        )
        # From the project root: profiles.yml's plugin path (module_paths) is relative to it.
        return subprocess.run(
            [mf_executable(), *args],
            cwd=PROJECT_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def query(self, metrics: list[str], group_by: str | None = None) -> list[dict[str, str]]:
        """`mf query` of these metrics; its rows as read from the CSV it writes (null: '')."""
        output = self.folder / f"query_{len(list(self.folder.glob('query_*.csv')))}.csv"
        args = ["query", "--metrics", ",".join(metrics), "--csv", str(output), "--quiet"]
        if group_by:
            args += ["--group-by", group_by]
        completed = self.run(*args)
        assert completed.returncode == 0 and output.exists(), (
            f"mf {' '.join(args)} failed (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
        with output.open(newline="") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def metricflow(dbt_build: BuildFactory, tmp_path_factory: pytest.TempPathFactory) -> MetricFlow:
    build = dbt_build(DEMO).check(models=MODELS)
    folder = tmp_path_factory.mktemp("metricflow")
    (folder / "dbt_project.yml").symlink_to(PROJECT_DIR / "dbt_project.yml")
    (folder / "target").mkdir()
    shutil.copy2(build.target_path / "semantic_manifest.json", folder / "target" / "semantic_manifest.json")
    # A copy: mf opens the file for writing, which a read-only connection to the build's
    # file (this session's) would block.
    shutil.copy2(build.database, folder / "personas.duckdb")
    wal = build.database.with_name(build.database.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, folder / "personas.duckdb.wal")
    return MetricFlow(folder, build)


def by_segment(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    keyed = {row[GROUP_BY_SEGMENT]: row for row in rows}
    assert len(keyed) == len(rows), f"mf returned a segment twice: {sorted(row[GROUP_BY_SEGMENT] for row in rows)}"
    return keyed


def number(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text)


def ratio(numerator: Any, denominator: Any) -> Fraction | None:
    """numerator ÷ denominator, exact; None when the denominator is 0 (MetricFlow: NULLIF)."""
    return None if denominator == 0 else Fraction(Decimal(numerator)) / Fraction(Decimal(denominator))


def assert_same_ratio(segment: str, metric: str, got: str, exact: Fraction | None, mart: Any, scale: int) -> None:
    """The metric equals the exact ratio of the marts' counts (up to float precision), and the
    mart's own rate is that ratio rounded to `scale` decimals; both null when undefined."""
    if exact is None:
        assert got == "", f"{segment}: {metric} is {got!r}, expected null (denominator 0)"
        assert mart is None, f"{segment}: the mart's {metric} is {mart}, expected null"
        return
    assert got != "", f"{segment}: {metric} is null, expected {float(exact)}"
    value = float(got)
    assert value == pytest.approx(float(exact), rel=1e-12, abs=1e-15), (
        f"{segment}: {metric} is {value}, the marts' counts give {exact} = {float(exact)}"
    )
    assert mart is not None and abs(Fraction(Decimal(mart)) - exact) <= Fraction(1, 2 * 10**scale), (
        f"{segment}: the mart's {metric} {mart} is not {float(exact)} rounded to {scale} decimals"
    )


def test_semantic_layer_validates_against_the_warehouse(metricflow: MetricFlow) -> None:
    completed = metricflow.run("validate-configs")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "against data warehouse" in output, output
    assert not re.search(r"ERRORS: [1-9]", output), output


def test_documented_metrics_are_the_defined_metrics(metricflow: MetricFlow) -> None:
    manifest = json.loads((metricflow.folder / "target" / "semantic_manifest.json").read_text())
    defined = {metric["name"] for metric in manifest["metrics"]}
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOCS.read_text(), flags=re.MULTILINE))
    assert defined == documented, (
        f"docs/metrics.md documents {sorted(documented - defined)} that no YAML defines, "
        f"and misses {sorted(defined - documented)}"
    )
    spines = manifest["project_configuration"]["time_spines"]
    assert [spine["node_relation"]["alias"] for spine in spines] == ["time_spine_daily"]


def test_members_and_share_of_consented_profiles_per_segment(metricflow: MetricFlow) -> None:
    rows = by_segment(
        metricflow.query(["segment_members", "consented_profiles", "share_of_consented_profiles"], GROUP_BY_SEGMENT)
    )
    summary = {
        row["segment_name"]: row
        for row in metricflow.build.query_dicts("select * from marts.segment_summary")
    }
    assert set(rows) == set(summary), "mf and segment_summary list different segments"
    assert any(row["members"] > 0 for row in summary.values()), "the fixture has no member: nothing compared"
    for segment, expected in summary.items():
        got = rows[segment]
        assert int(got["segment_members"]) == expected["members"], segment
        assert int(got["consented_profiles"]) == expected["consented_profiles"], segment
        assert_same_ratio(
            segment,
            "share_of_consented_profiles",
            got["share_of_consented_profiles"],
            ratio(expected["members"], expected["consented_profiles"]),
            expected["share_of_consented_profiles"],
            scale=4,
        )


RATES = {
    # metric: (numerator, denominator, decimals of segment_performance's rate)
    "deliverability_rate": ("messages_delivered", "messages_sent", 4),
    "open_rate": ("unique_opens", "messages_delivered", 4),
    "click_rate": ("unique_clicks", "messages_delivered", 4),
    "unsubscribe_rate": ("unsubscribes", "messages_delivered", 4),
    "spam_rate": ("spam_complaints", "messages_delivered", 6),
    "conversion_rate": ("converted_messages", "messages_delivered", 4),
    "revenue_per_recipient": ("attributed_revenue", "recipients", 2),
}
MEMBER_PURCHASES = """
    select
        segment_memberships.segment_name,
        sum(fct_rfm.total_revenue) as member_revenue,
        sum(fct_rfm.purchase_count) as member_orders
    from marts.segment_memberships as segment_memberships
    inner join marts.fct_rfm as fct_rfm
        on segment_memberships.profile_id = fct_rfm.profile_id
    group by segment_memberships.segment_name
"""


def test_rates_and_revenue_per_segment(metricflow: MetricFlow) -> None:
    counts = ["messages_delivered", "unique_opens", "attributed_revenue", "member_orders", "member_revenue"]
    rows = by_segment(metricflow.query([*RATES, "average_order_value", *counts], GROUP_BY_SEGMENT))
    performance = {
        row["segment_name"]: row
        for row in metricflow.build.query_dicts("select * from marts.segment_performance")
    }
    purchases = {row["segment_name"]: row for row in metricflow.build.query_dicts(MEMBER_PURCHASES)}
    assert set(rows) == set(performance), "mf and segment_performance list different segments"
    assert any(row["messages_delivered"] > 0 for row in performance.values()), "nothing delivered: no rate compared"
    assert any(row["attributed_revenue"] > 0 for row in performance.values()), "no attributed revenue to compare"
    assert purchases, "no member of any segment bought: no AOV compared"
    for segment, expected in performance.items():
        got = rows[segment]
        assert int(got["messages_delivered"]) == expected["messages_delivered"], segment
        assert int(got["unique_opens"]) == expected["unique_opens"], segment
        assert number(got["attributed_revenue"]) == expected["attributed_revenue"], segment
        for metric, (numerator, denominator, scale) in RATES.items():
            assert_same_ratio(
                segment, metric, got[metric], ratio(expected[numerator], expected[denominator]), expected[metric], scale
            )
        bought = purchases.get(segment, {"member_revenue": Decimal(0), "member_orders": 0})
        assert number(got["member_revenue"]) == bought["member_revenue"], segment
        assert int(got["member_orders"]) == bought["member_orders"], segment
        aov = ratio(bought["member_revenue"], bought["member_orders"])
        if aov is None:
            assert got["average_order_value"] == "", segment
        else:
            assert float(got["average_order_value"]) == pytest.approx(float(aov), rel=1e-12), segment


def test_metric_time_is_the_as_of_date(metricflow: MetricFlow) -> None:
    """Without a segment: one row at D, the consented list counted once (not once per segment)."""
    rows = metricflow.query(["segment_members", "consented_profiles"], "metric_time__day")
    (as_of_date,) = metricflow.build.query("select as_of_date from intermediate.int_as_of_date")[0]
    ((consented,),) = metricflow.build.query("select count(*) from marts.dim_profiles where is_email_consented")
    ((memberships,),) = metricflow.build.query("select count(*) from marts.segment_memberships")
    assert len(rows) == 1, rows
    assert rows[0]["metric_time__day"][:10] == as_of_date.isoformat()
    assert int(rows[0]["consented_profiles"]) == consented
    assert int(rows[0]["segment_members"]) == memberships
