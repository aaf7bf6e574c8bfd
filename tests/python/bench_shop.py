"""A small clean shop and its project build, shared by the tests of the benchmark's peers.

scripts/bench_pandas.py (the pandas an analyst would write) and scripts/bench_floor.py (a
hand-written DuckDB script) each compute the segment memberships from the raw files; their
tests (test_bench_pandas.py, test_bench_floor.py) check them against the project's
`marts.segment_memberships` on the same files. The shop is made once per session:

  - scripts/generate_data.py, PROFILES profiles, Parquet, `--bad-share 0` (no bad rows, so no
    quarantine; its default noise stays: padded values and Z/+00:00 timestamp suffixes that the
    peers must clean as staging does), D = its last day, 2026-11-01, where the planted
    archetypes give every segment members;
  - `dbt build` of segment_memberships and its parents on it (var raw_data_path), no tests.

A module gets it with its own fixture (a session cache below, so one build serves both):

    @pytest.fixture(scope="module")
    def shop(tmp_path_factory: pytest.TempPathFactory) -> BenchShop:
        return bench_shop(tmp_path_factory)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import PROJECT_DIR, DbtRun, build_project

PROFILES = 2000


@dataclass
class BenchShop:
    raw_dir: Path
    build: DbtRun
    _memberships: dict[str, set[str]] | None = field(default=None, repr=False)

    def memberships(self) -> dict[str, set[str]]:
        """{segment_name: profile_ids} of the project's marts.segment_memberships."""
        if self._memberships is None:
            self._memberships = by_segment(
                self.build.query("select segment_name, profile_id from marts.segment_memberships"))
        return self._memberships


_SHOP: list[BenchShop] = []


def bench_shop(tmp_path_factory: pytest.TempPathFactory) -> BenchShop:
    """The session's shop, generated and built on the first call (raises if the build failed)."""
    if not _SHOP:
        raw_dir = tmp_path_factory.mktemp("bench_shop_raw")
        subprocess.run(
            [sys.executable, str(PROJECT_DIR / "scripts" / "generate_data.py"), "--profiles", str(PROFILES),
             "--format", "parquet", "--bad-share", "0", "--out", str(raw_dir), "--quiet"],
            check=True, cwd=PROJECT_DIR,
        )
        build = build_project(tmp_path_factory.mktemp("bench_shop_build"), raw_data_path=raw_dir,
                              select=["+segment_memberships"], label="bench shop: +segment_memberships")
        _SHOP.append(BenchShop(raw_dir, build))
    _SHOP[0].build.check()  # a failed build fails every user, and is not made again
    return _SHOP[0]


def by_segment(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """(segment_name, profile_id) pairs as {segment_name: profile_ids}."""
    grouped: dict[str, set[str]] = {}
    for segment, profile_id in pairs:
        grouped.setdefault(segment, set()).add(profile_id)
    return grouped


def membership_differences(expected: Mapping[str, set[str]], actual: Mapping[str, set[str]],
                           segments: Iterable[str], shown: int = 5) -> str:
    """A readable account of the segments (among `segments`) whose members differ; '' if none.

    One line per differing segment: its sizes, then up to `shown` profile ids missing from
    `actual` and up to `shown` it has in excess.
    """
    lines = []
    for segment in sorted(segments):
        want, got = expected.get(segment, set()), actual.get(segment, set())
        if want == got:
            continue
        missing, extra = sorted(want - got), sorted(got - want)
        lines.append(
            f"{segment}: project {len(want)}, peer {len(got)}; "
            f"missing {len(missing)} {missing[:shown]}; extra {len(extra)} {extra[:shown]}"
        )
    return "\n".join(lines)
