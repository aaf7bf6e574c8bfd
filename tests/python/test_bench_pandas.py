"""The benchmark's pandas peer (scripts/bench_pandas.py) gives the project's segment memberships.

On the small clean shop of bench_shop.py (generated, built once per session), run_pandas's
memberships must equal the project's marts.segment_memberships segment by segment, for every
segment but the two on the CLV predictions (bench_pandas.EXCLUDED_SEGMENTS). The planted
archetypes give each compared segment members at the shop's D, and the test checks they do, so
that no segment is equal only because both sides are empty.
"""

from __future__ import annotations

import re
import sys

import pytest
from bench_shop import BenchShop, bench_shop, by_segment, membership_differences

from conftest import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import bench_pandas  # noqa: E402


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> BenchShop:
    return bench_shop(tmp_path_factory)


@pytest.fixture(scope="module")
def pandas_run(shop: BenchShop) -> bench_pandas.PandasResult:
    result = bench_pandas.run_pandas(shop.raw_dir)
    assert result.ok, result.summary
    return result


def test_peer_knows_every_segment_of_the_project() -> None:
    registry = (PROJECT_DIR / "macros" / "segments" / "segment_models.sql").read_text()
    assert set(bench_pandas.SEGMENTS) == set(re.findall(r"'seg_(\w+)'", registry))
    assert bench_pandas.EXCLUDED_SEGMENTS < set(bench_pandas.SEGMENTS)


def test_pandas_memberships_equal_the_project(shop: BenchShop, pandas_run: bench_pandas.PandasResult) -> None:
    project = shop.memberships()
    empty = [name for name in bench_pandas.COMPARED_SEGMENTS if not project.get(name)]
    assert not empty, f"segments with no member in the project's build, compared vacuously: {empty}"
    differences = membership_differences(project, by_segment(pandas_run.memberships or ()),
                                         bench_pandas.COMPARED_SEGMENTS)
    assert not differences, "the pandas peer differs from marts.segment_memberships:\n" + differences
    assert bench_pandas.differences(
        bench_pandas.project_memberships(shop.build.database), pandas_run.memberships or set()) == {}


def test_run_is_measured_and_out_of_memory_is_reported(shop: BenchShop,
                                                       pandas_run: bench_pandas.PandasResult) -> None:
    assert pandas_run.seconds > 0 and pandas_run.peak_mb > 0
    assert set(pandas_run.steps) >= {"read email events", "segments", "write"}
    # A limit below what the run needs: stopped and reported, not raised.
    starved = bench_pandas.run_pandas(shop.raw_dir, memory_limit_mb=pandas_run.peak_mb / 4)
    assert starved.status == "out_of_memory" and starved.memberships is None, starved.summary
