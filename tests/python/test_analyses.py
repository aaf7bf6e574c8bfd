"""The analyses of analyses/ (compiled, never built): `dbt compile --select
resource_type:analysis` works on a fixture build, and the compiled SQL, run on the build's
DuckDB file, gives answers that agree with the marts, computed here another way.

Two builds of the end_to_end fixture: the default one (conftest's FULL_END_TO_END) and
test_exports.py's CONSENT_OFF (segments_require_email_consent false, win-back samples of
flash_in_the_pan and local_audience with a minimum of 1, so that segment_samples has rows:
the default win-back segments are empty on this fixture). Each is compiled in its own folder
with its own vars, so dbt re-uses the build's parse (a few seconds); --no-write-json keeps the
build's manifest.json and run_results.json as the build left them.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from conftest import END_TO_END, FULL_END_TO_END, BuildFactory, DbtRun, declare_build, run_dbt

ANALYSES = ["segment_overlap_matrix", "rfm_group_migration", "revenue_concentration", "winback_sample_list"]
# The same vars as test_exports.py: one build serves both modules.
CONSENT_OFF_VARS: dict[str, Any] = {
    "segments_require_email_consent": False,
    "winback_samples": {"flash_in_the_pan": 0.5, "local_audience": 0.5},
    "winback_sample_minimum": 1,
}
CONSENT_OFF = declare_build(END_TO_END, vars=CONSENT_OFF_VARS)
NEEDED = ["dim_profiles", "fct_rfm", "int_purchases", "int_as_of_date", "segment_memberships",
          "segment_summary", "segment_samples"]


class Analyses:
    """The compiled analyses of one build, and a way to run them on its database."""

    def __init__(self, build: DbtRun) -> None:
        self.build = build
        self.folder = build.target_path / "compiled" / "personas" / "analyses"

    def run(self, name: str) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.build.database), read_only=True) as connection:
            cursor = connection.execute((self.folder / f"{name}.sql").read_text())
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.build.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()


def compile_analyses(build: DbtRun) -> Analyses:
    build.check(models=NEEDED)
    # dbt opens the database read-write: no connection of this process may hold it.
    build.close()
    compiled = run_dbt(
        ["compile", "--no-write-json", "--select", "resource_type:analysis"],
        workdir=build.workdir,
        vars=build.vars,
        label=f"compile analyses ({build.label})",
    )
    assert compiled.ok, compiled.error_summary()
    analyses = Analyses(build)
    for name in ANALYSES:
        assert (analyses.folder / f"{name}.sql").exists(), name
    return analyses


@pytest.fixture(scope="module")
def default_analyses(dbt_build: BuildFactory) -> Analyses:
    return compile_analyses(dbt_build(FULL_END_TO_END))


@pytest.fixture(scope="module")
def consent_off_analyses(dbt_build: BuildFactory) -> Analyses:
    return compile_analyses(dbt_build(CONSENT_OFF))


@pytest.fixture(params=["default", "consent_off"])
def analyses(request: pytest.FixtureRequest) -> Analyses:
    return request.getfixturevalue(f"{request.param}_analyses")


def memberships(analyses: Analyses) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {
        name: set() for (name,) in analyses.query("select segment_name from marts.segment_summary")
    }
    for segment, profile_id in analyses.query("select segment_name, profile_id from marts.segment_memberships"):
        members[segment].add(profile_id)
    return members


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """exact_ratio: 4 decimals, half away from zero (both operands non-negative)."""
    if denominator == 0:
        return None
    return Decimal((2 * 10_000 * numerator + denominator) // (2 * denominator)) / 10_000


def test_overlap_matrix_agrees_with_the_memberships(analyses: Analyses) -> None:
    rows = analyses.run("segment_overlap_matrix")
    members = memberships(analyses)
    summary = dict(analyses.query("select segment_name, members from marts.segment_summary"))
    assert len(rows) == len(members) ** 2
    assert {(row["segment_name"], row["other_segment_name"]) for row in rows} == {
        (a, b) for a in members for b in members
    }
    for row in rows:
        a, b = row["segment_name"], row["other_segment_name"]
        both = len(members[a] & members[b])
        assert row["members_in_both"] == both, (a, b)
        assert (row["segment_members"], row["other_segment_members"]) == (summary[a], summary[b]), (a, b)
        assert row["share_of_segment"] == ratio(both, summary[a]), (a, b)
        assert row["share_of_other_segment"] == ratio(both, summary[b]), (a, b)
        if a == b:
            assert both == summary[a], a  # the diagonal is the segment's size
    # the fixture must have overlapping segments for this to mean something
    assert any(row["members_in_both"] > 0 and row["segment_name"] != row["other_segment_name"] for row in rows)


def test_rfm_migration_ends_at_fct_rfm(analyses: Analyses) -> None:
    rows = analyses.run("rfm_group_migration")
    assert rows, "no profile in the RFM population at either end"
    (as_of,) = analyses.query("select as_of_date from intermediate.int_as_of_date")[0]
    (from_on,) = analyses.query(f"select cast(date '{as_of}' - interval 3 month as date)")[0]
    assert {(row["from_on"], row["to_on"]) for row in rows} == {(from_on, as_of)}
    outside = "outside_rfm_population"
    # The "to" end is D: the groups of fct_rfm, recomputed.
    to_groups: Counter[str] = Counter()
    for row in rows:
        if row["to_rfm_segment"] != outside:
            to_groups[row["to_rfm_segment"]] += row["profiles"]
    fct_rfm = Counter(
        dict(analyses.query("select rfm_segment, count(*) from marts.fct_rfm where is_in_rfm_population group by 1"))
    )
    assert to_groups == fct_rfm
    # The "from" end: the profiles with a purchase in the 24 months up to from_on.
    (from_population,) = analyses.query(
        f"select count(distinct profile_id) from intermediate.int_purchases "
        f"where ordered_on <= date '{from_on}' and ordered_on > cast(date '{from_on}' - interval 24 month as date)"
    )[0]
    assert sum(row["profiles"] for row in rows if row["from_rfm_segment"] != outside) == from_population
    # shares of each "from" group: its rows' profiles over its size
    sizes: Counter[str] = Counter()
    for row in rows:
        sizes[row["from_rfm_segment"]] += row["profiles"]
    for row in rows:
        assert row["from_group_profiles"] == sizes[row["from_rfm_segment"]]
        assert row["share_of_from_group"] == ratio(row["profiles"], sizes[row["from_rfm_segment"]])
        assert row["is_same_group"] == (row["from_rfm_segment"] == row["to_rfm_segment"])
    assert not any(row["from_rfm_segment"] == row["to_rfm_segment"] == outside for row in rows)


def test_revenue_concentration_adds_up(analyses: Analyses) -> None:
    rows = analyses.run("revenue_concentration")
    revenue = dict(analyses.query("select profile_id, total_revenue from marts.dim_profiles where has_purchased"))
    total = sum(revenue.values())
    assert total > 0, "the fixture has revenue"
    members = memberships(analyses)
    segment_rows = {row["group_name"]: row for row in rows if row["concentration_group"] == "segment"}
    assert set(segment_rows) == set(members)
    for segment, row in segment_rows.items():
        buyers = members[segment] & set(revenue)
        assert row["profiles"] == len(members[segment]), segment
        assert row["buyers"] == len(buyers), segment
        assert row["revenue"] == sum(revenue[profile_id] for profile_id in buyers), segment
        assert Decimal(0) <= row["share_of_revenue"] <= 1, segment
    # the Pareto rows: the top N % of buyers, ceil(N % x buyers) of them, by revenue
    ranked = sorted(revenue.items(), key=lambda item: (-item[1], item[0]))
    # By name, not by size: on a small fixture two of them hold as many buyers (ceil(1 % x 20)
    # = ceil(5 % x 20) = 1), and a sort by size then kept the query's arbitrary order.
    top_by_name = {row["group_name"]: row for row in rows if row["concentration_group"] == "top_buyers"}
    names = [f"top_{percent}_percent_of_buyers" for percent in (1, 5, 10, 20, 50)]
    assert sorted(top_by_name) == sorted(names)
    top_rows = [top_by_name[name] for name in names]
    for percent, row in zip((1, 5, 10, 20, 50), top_rows, strict=True):
        size = -(-percent * len(ranked) // 100)
        assert row["profiles"] == row["buyers"] == size, row
        assert row["revenue"] == sum(amount for _, amount in ranked[:size]), row
        assert row["share_of_revenue"] == ratio(int(row["revenue"] * 100), int(total * 100)), row
    shares = [row["share_of_revenue"] for row in top_rows]
    assert shares == sorted(shares) and shares[-1] <= 1


def test_winback_sample_list_is_segment_samples_with_contact_details(consent_off_analyses: Analyses) -> None:
    analyses = consent_off_analyses
    rows = analyses.run("winback_sample_list")
    samples = analyses.query("select segment_name, profile_id, sample_rank, sample_size from marts.segment_samples")
    assert samples, "CONSENT_OFF's win-back vars must give segment_samples rows"
    assert sorted((row["segment_name"], row["profile_id"], row["sample_rank"], row["sample_size"]) for row in rows) == (
        sorted(samples)
    )
    profiles = {
        row[0]: row[1:]
        for row in analyses.query("select profile_id, email, first_name, email_consent from marts.dim_profiles")
    }
    for row in rows:
        email, first_name, consent = profiles[row["profile_id"]]
        assert (row["email"], row["first_name"]) == (email, first_name)
        assert row["is_emailable"] == (consent == "subscribed" and email is not None), row
    # consent off, local_audience's sample (ceil(50 % x 6) = 3 by md5) holds p05, never_subscribed
    assert any(not row["is_emailable"] for row in rows)
