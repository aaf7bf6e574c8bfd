"""The marketers' dashboard (reports/), built on the demo and read in a real browser.

A demo build publishes its marts into its own PERSONAS_PUBLISH_DIR; `reports/build_dashboard.py`
makes the site from that copy; the site is served on 127.0.0.1 and every page is opened in
headless Chromium (Debian's /usr/bin/chromium driven by Playwright's Node client from
reports/package-lock.json: never a downloaded browser). What the pages show must equal the
published marts: every segment's size and share on the overview, every cell of the RFM heat map,
every segment's Klaviyo flag, each segment page's size, the reconciliation's quarantined rows,
the customers, predicted CLV and P(alive) of every RFM group and every fitted CLV parameter.
No page may log a console error, throw, or fail a request. Screenshots of every page are kept
in the test's tmp_path (screenshots/).

The demo is built once, so its history holds one day: the trends and transitions pages (and the
overview) must say so and name the backfill to run, not draw an empty chart. A copy of its
warehouse is then backfilled over three days of history two weeks apart (scripts/backfill.py
--reset, about 50 s), and its trends and transitions pages must show segment_trends (members,
joined and left) and the last period of segment_transitions (every cell of the from x to matrix,
"no segment" included; the totals equal the members of segment_trends on both days). Null
predictions (a failed Gamma-Gamma fit, made by editing a copy of the published marts) must be
told with their number and reason.

Without chromium, node or reports/node_modules, the browser test is skipped with the reason;
under CI=true (or PERSONAS_REQUIRE_ALL_ENGINES=1) it fails instead. The one-line messages for a
missing, incomplete or stale published copy need no browser and always run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, build_project

# Left out of `make test-fast` and the pull-request CI (a demo build, a backfill and a headless browser).
pytestmark = pytest.mark.slow

REPORTS_DIR = PROJECT_DIR / "reports"
BUILD_SCRIPT = REPORTS_DIR / "build_dashboard.py"
CHECK_PAGES = REPORTS_DIR / "browser" / "check_pages.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FIXED_PAGES = {
    "index.html", "trends.html", "transitions.html", "predicted-value.html", "rfm.html", "performance.html",
    "data-quality.html", "segments/index.html",
}
HISTORY_PAGES = ("index.html", "trends.html", "transitions.html")
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


def fmt_pct(value: Decimal | float | None, decimals: int = 2) -> str:
    return "–" if value is None else f"{Decimal(value) * 100:.{decimals}f} %"


def fmt_signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else (f"−{-value:,}" if value < 0 else "±0")


def number(text: str) -> float:
    """A number as shown (1,234.56; 12.5 %)."""
    return float(text.replace(",", "").replace("%", "").strip())


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


def build_site(workdir: Path, site: Path) -> None:
    """The dashboard of workdir's published copy (workdir/published), written to site."""
    result = run_builder(
        "--out", str(site),
        env={"PERSONAS_PUBLISH_DIR": str(workdir / "published"),
             "PERSONAS_DUCKDB_PATH": str(workdir / "personas.duckdb")},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 (a free port): its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def browse(url: str, pages_json: Path, out: Path) -> dict[str, dict]:
    """Open the pages listed in pages_json in chromium (browser/check_pages.mjs): what each shows."""
    started = time.monotonic()
    completed = subprocess.run(
        ["node", str(CHECK_PAGES), url, str(pages_json), str(out)],
        cwd=REPORTS_DIR, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    print(f"browser: {time.monotonic() - started:.1f}s, screenshots in {out / 'screenshots'}")
    results = json.loads((out / "results.json").read_text())
    for name, page in results.items():
        assert page["status"] == 200, name
        assert page["console_errors"] == [], (name, page["console_errors"])
        assert page["page_errors"] == [], (name, page["page_errors"])
        assert page["failed_requests"] == [], (name, page["failed_requests"])
        assert page["heading"], name
        assert Path(page["screenshot"]).stat().st_size > 10_000, name
    return results


def shown_on(results: dict[str, dict], page: str, testid: str, *keys: str) -> dict:
    """{key value (a tuple for several keys): text} of the elements of the page with this data-testid."""
    return {
        (item[keys[0]] if len(keys) == 1 else tuple(item[key] for key in keys)): item["text"]
        for item in results[page]["shown"] if item["testid"] == testid and all(key in item for key in keys)
    }


def texts_of(results: dict[str, dict], page: str, testid: str) -> list[str]:
    return [item["text"] for item in results[page]["shown"] if item["testid"] == testid]


@pytest.fixture
def served_site(demo: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The dashboard built from the demo's published copy, served on 127.0.0.1 (a free port)."""
    site = tmp_path / "site"
    build_site(demo, site)
    with serve(site) as url:
        yield url, site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


def published_query(demo: Path, sql: str, parameters: Sequence[object] = ()) -> list[tuple]:
    with duckdb.connect(str(demo / "published" / "personas.duckdb"), read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def test_every_page_opens_in_chromium_and_shows_the_marts(demo: Path, served_site: tuple[str, Path],
                                                           tmp_path: Path) -> None:
    _require_browser()
    url, site = served_site
    # Every page: the fixed ones and one per segment of the catalog, opened cleanly (browse).
    results = browse(url, site / "build.json", tmp_path)
    segments = [row[0] for row in published_query(demo, "select segment_name from marts.segment_catalog")]
    assert len(segments) == len(set(segments)) > 0
    assert set(results) == FIXED_PAGES | {f"segments/{name}.html" for name in segments}

    def shown(page: str, testid: str, key: str) -> dict[str, str]:
        return shown_on(results, page, testid, key)

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

    # One build, so one day of history: the history pages say so and name the backfill to run
    # (the weeks before that day, RESET=1) instead of drawing empty charts.
    days = [row[0] for row in published_query(demo, "select as_of_date from marts.segment_history_days")]
    assert len(days) == 1
    check_one_day_history(results, days[0])

    # Predicted value: every RFM group of the population as fct_customer_predictions says.
    check_predicted_value(results, demo)


def check_one_day_history(results: dict[str, dict], day: dt.date) -> None:
    for page in HISTORY_PAGES:
        messages = texts_of(results, page, "history-message")
        assert len(messages) == 1, (page, messages)
        message = " ".join(messages[0].split())
        assert message.startswith(f"The history holds one day ({day})"), message
        assert f"make backfill FROM={day - dt.timedelta(weeks=12)} TO={day} STEP=7 RESET=1" in message, message
        assert not texts_of(results, page, "trend-chart"), page
    assert not texts_of(results, "index.html", "overview-history-days")
    assert not texts_of(results, "transitions.html", "transition")


def check_predicted_value(results: dict[str, dict], workdir: Path) -> None:
    page = "predicted-value.html"
    groups = {
        group: (customers, predicted, clv_sum, probability_alive)
        for group, customers, predicted, clv_sum, probability_alive in published_query(workdir, """
            select rfm.rfm_segment, count(*), count(predictions.predicted_clv), sum(predictions.predicted_clv),
                avg(predictions.probability_alive)
            from marts.fct_customer_predictions as predictions
            inner join marts.fct_rfm as rfm on predictions.profile_id = rfm.profile_id
            group by rfm.rfm_segment
        """)
    }
    population = published_query(workdir, "select count(*) from marts.fct_rfm where is_in_rfm_population")[0][0]
    assert sum(customers for customers, _, _, _ in groups.values()) == population > 0
    customers = shown_on(results, page, "customers", "group")
    assert customers == {group: fmt_int(row[0]) for group, row in groups.items()} | {"all": fmt_int(population)}
    assert shown_on(results, page, "predicted-customers", "group") == (
        {group: fmt_int(row[1]) for group, row in groups.items()}
        | {"all": fmt_int(sum(row[1] for row in groups.values()))})
    sums = shown_on(results, page, "sum-clv", "group")
    alive = shown_on(results, page, "mean-probability-alive", "group")
    for group, (_, predicted, clv_sum, probability_alive) in groups.items():
        if predicted:
            assert number(sums[group]) == pytest.approx(clv_sum, abs=0.006), group
            assert number(alive[group]) / 100 == pytest.approx(probability_alive, abs=0.00006), group
        else:
            assert sums[group] == "–", group
    predicted_sum = sum(row[2] for row in groups.values() if row[2] is not None)
    assert number(sums["all"]) == pytest.approx(predicted_sum, abs=0.006 * (len(groups) + 1))
    # The fitted parameters, 4 significant digits (log-likelihoods: one decimal).
    fitted = published_query(workdir, "select model_name, parameter_name, parameter_value from marts.clv_model_fit")
    values = shown_on(results, page, "parameter-value", "model", "parameter")
    assert set(values) == {(model, parameter) for model, parameter, _ in fitted}
    for model, parameter, value in fitted:
        if value is None:
            assert values[(model, parameter)] == "–"
        else:
            assert number(values[(model, parameter)]) == pytest.approx(value, rel=6e-4, abs=0.06), (model, parameter)
    nulls = published_query(
        workdir, "select count(*) from marts.fct_customer_predictions where prediction_status <> 'predicted'")[0][0]
    assert texts_of(results, page, "null-customers") == ([fmt_int(nulls)] if nulls else [])


# --- three days of history --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_demo(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo's warehouse whose history holds three days two weeks apart, ending on the
    demo's as-of date: scripts/backfill.py --reset (the days come before the one the demo recorded),
    which publishes at its end into workdir/published."""
    workdir = tmp_path_factory.mktemp("dashboard_history")
    for name in ("personas.duckdb", "personas.duckdb.wal"):
        if (demo / name).exists():
            shutil.copyfile(demo / name, workdir / name)
    last = dt.date.fromisoformat(json.loads((demo / "published" / "manifest.json").read_text())["as_of_date"])
    env = {
        **os.environ, "PERSONAS_TARGET": "duckdb", "PERSONAS_DUCKDB_PATH": str(workdir / "personas.duckdb"),
        "PERSONAS_PUBLISH_DIR": str(workdir / "published"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.setdefault("PERSONAS_MEMORY_LIMIT", "4GB")
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "backfill.py"),
         "--from", str(last - dt.timedelta(days=28)), "--to", str(last), "--step", "14", "--reset",
         f"--dbt-arg=--target-path={workdir / 'target'}", f"--dbt-arg=--log-path={workdir / 'logs'}"],
        cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    print(f"dashboard history: backfill of 3 days in {time.monotonic() - started:.1f}s")
    return workdir


def test_the_history_pages_show_the_trends_and_the_last_transitions(history_demo: Path, tmp_path: Path) -> None:
    _require_browser()
    site = tmp_path / "site"
    build_site(history_demo, site)
    pages = tmp_path / "pages.json"
    pages.write_text(json.dumps({"pages": [*HISTORY_PAGES, "predicted-value.html"]}))
    with serve(site) as url:
        results = browse(url, pages, tmp_path)

    days = [row[0] for row in published_query(
        history_demo, "select as_of_date from marts.segment_history_days order by as_of_date")]
    assert len(days) == 3
    first, previous, last = days[0], days[-2], days[-1]
    for page in HISTORY_PAGES:
        assert texts_of(results, page, "history-message") == [], page

    # Trends: one chart per segment; its members on the last day, the change since the first,
    # and the last period's joined and left, as segment_trends says.
    trends = {
        (name, day): (members, joined, left)
        for name, day, members, joined, left in published_query(history_demo, """
            select segment_name, as_of_date, members, members_joined, members_left from marts.segment_trends
        """)
    }
    names = {name for name, _ in trends}
    assert texts_of(results, "trends.html", "history-days") == ["3"]
    assert texts_of(results, "trends.html", "history-first") == [str(first)]
    assert texts_of(results, "trends.html", "history-last") == [str(last)]
    assert len(texts_of(results, "trends.html", "trend-chart")) == len(names)
    assert shown_on(results, "trends.html", "trend-members", "segment") == {
        name: fmt_int(trends[(name, last)][0]) for name in names}
    assert shown_on(results, "trends.html", "trend-change", "segment") == {
        name: fmt_signed(trends[(name, last)][0] - trends[(name, first)][0]) for name in names}
    assert shown_on(results, "trends.html", "previous-members", "segment") == {
        name: fmt_int(trends[(name, previous)][0]) for name in names}
    assert shown_on(results, "trends.html", "last-joined", "segment") == {
        name: fmt_int(trends[(name, last)][1]) for name in names}
    assert shown_on(results, "trends.html", "last-left", "segment") == {
        name: fmt_int(trends[(name, last)][2]) for name in names}
    assert sum(trends[(name, last)][1] + trends[(name, last)][2] for name in names) > 0  # someone moved
    assert texts_of(results, "index.html", "overview-history-days") == ["3"]
    change = max(trends[(name, last)][0] - trends[(name, first)][0] for name in names)
    assert texts_of(results, "index.html", "overview-rising") == ([fmt_signed(change)] if change > 0 else [])

    # Transitions of the purchase personas: the last period only, every cell of the from x to
    # matrix (0 where nobody moved; "no segment" on both axes, but not no segment to no segment).
    family = "purchase_personas"
    moves = {
        (source, target): profiles
        for source, target, profiles in published_query(history_demo, """
            select from_segment, to_segment, profiles from marts.segment_transitions
            where segment_family = ? and previous_as_of_date = ? and as_of_date = ?
        """, [family, previous, last])
    }
    assert any(source != target for source, target in moves) and ("no_segment", "no_segment") not in moves
    assert texts_of(results, "transitions.html", "transition-before") == [str(previous)]
    assert texts_of(results, "transitions.html", "transition-after") == [str(last)]
    cells = shown_on(results, "transitions.html", "transition", "family", "from", "to")
    order = sorted({source for _, source, _ in cells})
    assert "no_segment" in order and set(moves) <= {(source, target) for _, source, target in cells}
    assert set(cells) == {(family, source, target) for source in order for target in order} - {
        (family, "no_segment", "no_segment")}
    assert cells == {(family, source, target): fmt_int(moves.get((source, target), 0)) for _, source, target in cells}
    # The totals: a persona's row is its members on the previous day, its column its members on the
    # last day (segment_trends, another mart); no segment's row the arrivals, its column the departures.
    personas = [name for name in order if name != "no_segment"]
    assert shown_on(results, "transitions.html", "transition-from-total", "from") == {
        **{name: fmt_int(trends[(name, previous)][0]) for name in personas},
        "no_segment": fmt_int(sum(profiles for (source, _), profiles in moves.items() if source == "no_segment")),
    }
    assert shown_on(results, "transitions.html", "transition-to-total", "to") == {
        **{name: fmt_int(trends[(name, last)][0]) for name in personas},
        "no_segment": fmt_int(sum(profiles for (_, target), profiles in moves.items() if target == "no_segment")),
    }
    check_predicted_value(results, history_demo)


def test_null_predictions_are_told_with_their_reason(demo: Path, tmp_path: Path) -> None:
    """A failed Gamma-Gamma fit, written into a copy of the demo's published marts: the page counts
    the customers without a predicted CLV, says why, and shows no sum for a group without any."""
    published = tmp_path / "published"
    published.mkdir()
    shutil.copyfile(demo / "published" / "personas.duckdb", published / "personas.duckdb")
    shutil.copyfile(demo / "published" / "manifest.json", published / "manifest.json")
    with duckdb.connect(str(published / "personas.duckdb")) as connection:
        connection.execute("""
            update marts.clv_model_fit
            set parameter_value = null, fit_status = 'too_few_repeat_customers',
                fit_message = 'only 7 repeat buyers, fewer than 10'
            where model_name = 'gamma_gamma'
        """)
        connection.execute("""
            update marts.fct_customer_predictions
            set expected_order_value = null, predicted_clv = null,
                prediction_status = 'gamma_gamma_too_few_repeat_customers'
            where profile_id in (select profile_id from marts.fct_rfm where rfm_segment in ('lost', 'champions'))
        """)
        nulls = connection.execute("""
            select count(*) from marts.fct_customer_predictions where prediction_status <> 'predicted'
        """).fetchall()[0][0]
    assert nulls > 0
    result = run_builder("--publish-dir", str(published), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    page = " ".join((tmp_path / "site" / "predicted-value.html").read_text(encoding="utf-8").split())
    assert f'<strong data-testid="null-customers">{fmt_int(nulls)}</strong>' in page
    assert "<code>gamma_gamma_too_few_repeat_customers</code>" in page
    assert "no Gamma-Gamma fit" in page and "too few repeat buyers; only 7 repeat buyers, fewer than 10" in page
    assert page.count('data-testid="fit-failed"') == 1
    lost = page[page.index('<tr data-group="lost">'):]
    lost = lost[:lost.index("</tr>")]
    assert '<td class="num" data-testid="predicted-customers">0</td>' in lost
    assert '<td class="num" data-testid="sum-clv">–</td>' in lost
