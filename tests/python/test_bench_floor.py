"""The benchmark's floor (scripts/bench_floor.sql, run by scripts/bench_floor.py) gives the
project's segment memberships.

On the small clean shop of bench_shop.py (generated and built once per session, shared with
test_bench_pandas.py), run_floor's memberships must equal the project's
marts.segment_memberships segment by segment, every segment of the catalog, the two on the
CLV predictions included. The shop's archetypes give each segment members, and the test
checks they do (seg_at_risk_vips aside: with the shop's fit it may be empty, so the floor's
predictions, which both predicted segments read, are also compared with the project's
marts.fct_customer_predictions, customer by customer).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from bench_shop import BenchShop, bench_shop, by_segment, membership_differences

from conftest import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import bench_floor  # noqa: E402

SEGMENTS = set(re.findall(r"'seg_(\w+)'", (PROJECT_DIR / "macros" / "segments" / "segment_models.sql").read_text()))
# Empty when the shop's fit gives no customer a predicted CLV (the series of E[purchases]
# does not converge) or every buyer a P(alive) near 1; test_predictions_equal_the_projects
# covers what it reads.
MAY_BE_EMPTY = {"at_risk_vips"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> BenchShop:
    return bench_shop(tmp_path_factory)


@pytest.fixture(scope="module")
def floor_run(shop: BenchShop, tmp_path_factory: pytest.TempPathFactory) -> bench_floor.FloorResult:
    return bench_floor.run_floor(shop.raw_dir, threads=2, memory_limit="2GB",
                                 out=tmp_path_factory.mktemp("floor") / "memberships.parquet")


def test_floor_memberships_equal_the_project(shop: BenchShop, floor_run: bench_floor.FloorResult) -> None:
    project = shop.memberships()
    assert len(SEGMENTS) > 30
    empty = sorted(SEGMENTS - MAY_BE_EMPTY - {name for name, members in project.items() if members})
    assert not empty, f"segments with no member in the project's build, compared vacuously: {empty}"
    floor = by_segment(floor_run.pairs())
    assert set(floor) <= SEGMENTS, f"the floor names segments the project lacks: {set(floor) - SEGMENTS}"
    differences = membership_differences(project, floor, SEGMENTS)
    assert not differences, "the floor differs from marts.segment_memberships:\n" + differences
    # The bench's own comparison agrees, from the files.
    assert bench_floor.compare_memberships(floor_run.memberships, shop.build.database) is None


def test_floor_is_measured(floor_run: bench_floor.FloorResult) -> None:
    assert floor_run.seconds > floor_run.sql_seconds > 0
    assert floor_run.fit_seconds > 0 and floor_run.peak_mb > 0
    assert floor_run.rows == len(floor_run.pairs())


def test_predictions_equal_the_projects(shop: BenchShop, tmp_path: Path) -> None:
    """The two predicted segments read P(alive), predicted CLV and the days to the next order:
    the floor's fit and formulas must give the project's numbers (to the last digits, as the
    same operations in the same order do), profile by profile."""
    predictions = tmp_path / "predictions.parquet"
    bench_floor.run_floor(shop.raw_dir, threads=2, memory_limit="2GB", out=tmp_path / "floor.parquet",
                          predictions_out=predictions)
    rows = shop.build.query(
        """
        select
            count(*),
            count(project.profile_id),
            count(floor.profile_id),
            count(project.days_to_next_order),
            count(*) filter (where
                abs(floor.probability_alive - project.probability_alive) > 1e-12
                or floor.predicted_clv is distinct from project.predicted_clv
                and not abs(floor.predicted_clv - project.predicted_clv) <= 1e-9 * abs(project.predicted_clv)
                or floor.days_to_next_order is distinct from project.days_to_next_order
                and not abs(floor.days_to_next_order - project.days_to_next_order) <= 1e-9
            )
        from marts.fct_customer_predictions as project
        full outer join read_parquet(?) as floor
            on project.profile_id = floor.profile_id
        """,
        [str(predictions)],
    )
    customers, in_project, in_floor, with_next_order, differing = rows[0]
    assert customers == in_project == in_floor > 0, "the floor predicts for other customers than the project"
    assert with_next_order > 0, "no customer with a next order: nothing compared"
    assert differing == 0, f"{differing} customers get other predictions from the floor"


def test_compare_memberships_names_what_differs() -> None:
    same = {("biggest_fans", "p1"), ("brand_fans", "p2")}
    assert bench_floor.compare_memberships(same, set(same)) is None
    summary = bench_floor.compare_memberships(same | {("brand_fans", "p3")}, same | {("dead_weight", "p4")})
    assert summary is not None
    assert "brand_fans: 2 / 1; only in floor 1, only in project 0" in summary
    assert "dead_weight: 0 / 1; only in floor 0, only in project 1" in summary
    assert "biggest_fans" not in summary
