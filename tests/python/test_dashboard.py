"""The marketers' dashboard (reports/), built on the demo and read in a real browser.

A demo build publishes its marts into its own PERSONAS_PUBLISH_DIR; `reports/build_dashboard.py`
makes the site from that copy; the site is served on 127.0.0.1 and every page is opened in
headless Chromium (Debian's /usr/bin/chromium driven by Playwright's Node client from
reports/package-lock.json: never a downloaded browser). What the pages show must equal the
published marts: every segment's size and share on the overview, every cell of the RFM heat map,
every segment's Klaviyo flag, each segment page's size, the reconciliation's quarantined rows.
No page may log a console error, throw, or fail a request. Screenshots of every page are kept
in the test's tmp_path (screenshots/).

Without chromium, node or reports/node_modules, the browser test is skipped with the reason;
under CI=true (or PERSONAS_REQUIRE_ALL_ENGINES=1) it fails instead. The one-line messages for a
missing, incomplete or stale published copy need no browser and always run.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, build_project

REPORTS_DIR = PROJECT_DIR / "reports"
BUILD_SCRIPT = REPORTS_DIR / "build_dashboard.py"
CHECK_PAGES = REPORTS_DIR / "browser" / "check_pages.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FIXED_PAGES = {"index.html", "rfm.html", "performance.html", "data-quality.html", "segments/index.html"}
BROWSER_REQUIRED = os.environ.get("CI", "").lower() == "true" or os.environ.get("PERSONAS_REQUIRE_ALL_ENGINES") == "1"


def _require_browser() -> None:
    """Skip (locally) or fail (CI) unless chromium, node and playwright-core are all here."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if shutil.which("node") is None:
        missing.append("node (Node 20)")
    if not (REPORTS_DIR / "node_modules" / "playwright-core").is_dir():
        missing.append("reports/node_modules/playwright-core (cd reports && npm ci)")
    if not missing:
        return
    reason = "the dashboard's browser test needs " + ", ".join(missing)
    if BROWSER_REQUIRED:
        pytest.fail(f"{reason}, and CI must run it")
    pytest.skip(reason)


def run_builder(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), *args],
        cwd=PROJECT_DIR, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=300, check=False,
    )


def fmt_int(value: int) -> str:
    return f"{value:,}"


def fmt_pct(value: Decimal | None, decimals: int = 2) -> str:
    return "–" if value is None else f"{Decimal(value) * 100:.{decimals}f} %"


# --- the one-line messages ----------------------------------------------------------------------


def test_a_missing_published_copy_is_one_readable_line(tmp_path: Path) -> None:
    result = run_builder("--publish-dir", str(tmp_path / "published"), "--out", str(tmp_path / "site"))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no published copy at" in lines[0] and "make demo" in lines[0], lines[0]
    assert not (tmp_path / "site").exists()


def test_a_published_copy_without_a_needed_relation_is_one_readable_line(tmp_path: Path) -> None:
    published = tmp_path / "published"
    published.mkdir()
    with duckdb.connect(str(published / "personas.duckdb")) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.segment_summary as select 'x' as segment_name")
    (published / "manifest.json").write_text(json.dumps({
        "build_id": "old-build", "built_at": "2026-01-01T00:00:00Z", "as_of_date": "2025-12-31",
        "relations": {"segment_summary": {"rows": 1}},
    }))
    result = run_builder("--publish-dir", str(published), "--out", str(tmp_path / "site"))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "old-build" in lines[0] and "segment_catalog" in lines[0] and "make demo" in lines[0], lines[0]


# --- the demo, built and published once for the module ---------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workdir holding the demo's warehouse and its published copy (workdir/published)."""
    workdir = tmp_path_factory.mktemp("dashboard")
    build_project(workdir, label="dashboard: demo build").check()
    assert (workdir / "published" / "manifest.json").exists(), "the demo build published nothing"
    return workdir


def test_a_published_copy_older_than_the_warehouse_warns_in_one_line(demo: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"")
    later = (demo / "published" / "manifest.json").stat().st_mtime + 3600
    os.utime(warehouse, (later, later))
    result = run_builder("--publish-dir", str(demo / "published"), "--warehouse", str(warehouse),
                         "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "older than the warehouse" in warnings[0], result.stderr
    # The same copy against its own warehouse (written by the build that published it): silent.
    fresh = run_builder("--publish-dir", str(demo / "published"), "--warehouse", str(demo / "personas.duckdb"),
                        "--out", str(tmp_path / "site"))
    assert fresh.returncode == 0 and fresh.stderr.strip() == "", fresh.stderr


@pytest.fixture
def served_site(demo: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The dashboard built from the demo's published copy, served on 127.0.0.1 (a free port)."""
    site = tmp_path / "site"
    result = run_builder(
        "--out", str(site),
        env={"PERSONAS_PUBLISH_DIR": str(demo / "published"), "PERSONAS_DUCKDB_PATH": str(demo / "personas.duckdb")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", site
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


def published_query(demo: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(demo / "published" / "personas.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_every_page_opens_in_chromium_and_shows_the_marts(demo: Path, served_site: tuple[str, Path],
                                                           tmp_path: Path) -> None:
    _require_browser()
    url, site = served_site
    started = time.monotonic()
    completed = subprocess.run(
        ["node", str(CHECK_PAGES), url, str(site / "build.json"), str(tmp_path)],
        cwd=REPORTS_DIR, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    print(f"browser: {time.monotonic() - started:.1f}s, screenshots in {tmp_path / 'screenshots'}")
    results = json.loads((tmp_path / "results.json").read_text())

    # Every page: the fixed ones and one per segment of the catalog, opened cleanly.
    segments = [row[0] for row in published_query(demo, "select segment_name from marts.segment_catalog")]
    assert len(segments) == len(set(segments)) > 0
    assert set(results) == FIXED_PAGES | {f"segments/{name}.html" for name in segments}
    for name, page in results.items():
        assert page["status"] == 200, name
        assert page["console_errors"] == [], (name, page["console_errors"])
        assert page["page_errors"] == [], (name, page["page_errors"])
        assert page["failed_requests"] == [], (name, page["failed_requests"])
        assert page["heading"], name
        assert Path(page["screenshot"]).stat().st_size > 10_000, name

    def shown(page: str, testid: str, key: str) -> dict[str, str]:
        return {item[key]: item["text"] for item in results[page]["shown"] if item["testid"] == testid and key in item}

    # Overview: every segment's size and share, as in segment_summary.
    summary = published_query(
        demo, "select segment_name, members, share_of_consented_profiles from marts.segment_summary")
    assert len(summary) == len(segments)
    assert shown("index.html", "members", "segment") == {name: fmt_int(members) for name, members, _ in summary}
    assert shown("index.html", "share", "segment") == {name: fmt_pct(share) for name, _, share in summary}
    assert sum(members for _, members, _ in summary) > 0

    # RFM grid: all 125 cells, each the count of fct_rfm's population with that code (0 if none).
    counts = dict(published_query(
        demo, "select rfm_code, count(*) from marts.fct_rfm where is_in_rfm_population group by rfm_code"))
    cells = shown("rfm.html", "rfm-cell", "code")
    assert len(cells) == 125
    expected_cells = {f"{r}{f}{m}": fmt_int(counts.get(f"{r}{f}{m}", 0))
                      for r in "12345" for f in "12345" for m in "12345"}
    assert cells == expected_cells
    busiest = max(counts, key=counts.get)
    assert cells[busiest] == fmt_int(counts[busiest]) and counts[busiest] > 0
    groups = shown("rfm.html", "group-profiles", "group")
    assert len(groups) == 11
    assert sum(int(text.replace(",", "")) for text in groups.values()) == sum(counts.values())

    # Performance: every segment's Klaviyo flag; the demo has segments on both sides.
    flags = dict(published_query(demo, "select segment_name, is_below_klaviyo_minimum from marts.segment_performance"))
    expected_flags = {
        name: "nothing delivered" if flag is None else ("⚠ below minimum" if flag else "ok")
        for name, flag in flags.items()
    }
    assert shown("performance.html", "klaviyo-flag", "segment") == expected_flags
    assert {True, False} <= set(flags.values())
    below = [item["text"] for item in results["performance.html"]["shown"] if item["testid"] == "below-count"]
    assert below == [str(sum(1 for flag in flags.values() if flag))]

    # Data quality: quarantined rows per entity, as reconciled.
    reconciliation = dict(published_query(demo, "select entity, quarantined_rows from marts.dq_load_reconciliation"))
    assert shown("data-quality.html", "quarantined-rows", "entity") == {
        entity: fmt_int(rows) for entity, rows in reconciliation.items()}
    reasons = published_query(demo, "select count(*) from marts.dq_quarantine_summary")[0][0]
    assert len([item for item in results["data-quality.html"]["shown"] if item["testid"] == "rows"]) == reasons

    # Each segment's page: its size, and its who / action / rule from the catalog.
    members = {name: count for name, count, _ in summary}
    for name in segments:
        page = results[f"segments/{name}.html"]
        texts = {item["testid"]: item["text"] for item in page["shown"]}
        assert texts["segment-members"] == fmt_int(members[name]), name
        assert texts["who"] and texts["action"] and texts["rule"], name
