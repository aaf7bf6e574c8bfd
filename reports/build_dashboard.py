"""Build the marketers' dashboard: a static site made from the published copy of the marts.

Reads $PERSONAS_PUBLISH_DIR (default `published/` in the project root: personas.duckdb and
manifest.json, written by every successful `dbt build`; README, "Reading the marts") and
writes plain HTML pages with inline SVG charts to reports/build/ (or --out):

    index.html              overview: every segment's size and share of the consented list, and
                            how the segments moved over the days of history (a summary)
    trends.html             members per segment over the days of history, joined and left per day
    transitions.html        the flow of each family of segments (the purchase personas) between
                            the last two days of history: a from x to matrix and a Sankey diagram
    predicted-value.html    predicted CLV by RFM group, the fitted BG/NBD and Gamma-Gamma parameters
    rfm.html                the RFM grid: 11 groups, 125 codes, a heat map
    performance.html        segment performance, Klaviyo's minimums flagged
    data-quality.html       quarantined rows by entity and reason, the load reconciliation
    segments/<name>.html    one page per segment (marts.segment_catalog: who, what to do,
                            the exact rule; its size, performance and a sample of members)

Every number shown carries a `data-testid`, so tests/python/test_dashboard.py can compare it
with the marts in a real browser. No JavaScript, no network: the pages open from disk too.

A missing published copy, or one that lacks a relation the dashboard needs, stops the build
with one line saying so (exit 2). A copy older than the warehouse's last write (its last
build failed, so it did not publish) is shown, after a one-line warning.

    .venv/bin/python reports/build_dashboard.py [--publish-dir DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import json
import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from markupsafe import Markup

REPORTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = REPORTS_DIR.parent
RFM_SEED = PROJECT_DIR / "seeds" / "rfm_segments.csv"

# The marts every page reads (models/_dashboard__exposures.yml says which page reads which).
REQUIRED_RELATIONS = (
    "segment_catalog",
    "segment_summary",
    "segment_performance",
    "fct_rfm",
    "dq_quarantine_summary",
    "dq_load_reconciliation",
    "segment_trends",
    "segment_transitions",
    "fct_customer_predictions",
    "clv_model_fit",
)
# The warehouse written later than its published copy by more than this: its last build did
# not publish (it failed). A build that publishes writes the warehouse only seconds after.
STALE_AFTER_SECONDS = 120
SAMPLE_SIZE = 10
# The one-day history message proposes a backfill of this many weeks before the day held.
BACKFILL_WEEKS = 12
# segment_transitions' name for "none of the family's segments".
NO_SEGMENT = "no_segment"
# The family shown first on the transitions page (the default of var segment_transition_families).
MAIN_FAMILY = "purchase_personas"
# How many of the biggest moves between two different segments the transitions page lists.
TOP_MOVES = 12
CLV_PARAMETER_ORDER = ("r", "alpha", "a", "b", "p", "q", "v", "log_likelihood")
# Colours of the Sankey diagram's sources and of the trends' bars (colour-blind safe, Okabe-Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
NO_SEGMENT_COLOUR = "#9aa3b0"

RFM_GROUP_ORDER = (
    "champions", "loyal", "potential_loyalist", "new_customers", "promising", "need_attention",
    "about_to_sleep", "at_risk", "cannot_lose_them", "hibernating", "lost",
)
# The heat map's cell labels (two groups start with L, so not plain initials).
RFM_GROUP_INITIALS = {
    "champions": "CH", "loyal": "LY", "potential_loyalist": "PL", "new_customers": "NC",
    "promising": "PR", "need_attention": "NA", "about_to_sleep": "AS", "at_risk": "AR",
    "cannot_lose_them": "CL", "hibernating": "HI", "lost": "LO",
}
SECTION_TITLES = {
    "purchase_personas": "Purchase personas",
    "engagement_personas": "Engagement personas",
    "engagement_and_list_hygiene": "Engagement and list hygiene",
    "rfm_and_sale_segments": "RFM and sale segments",
    "predicted_personas": "Predicted personas",
}
PAGES = (
    ("index.html", "Overview"),
    ("trends.html", "Trends"),
    ("transitions.html", "Transitions"),
    ("rfm.html", "RFM grid"),
    ("predicted-value.html", "Predicted value"),
    ("performance.html", "Performance"),
    ("data-quality.html", "Data quality"),
    ("segments/index.html", "Segments"),
)


class DashboardError(Exception):
    """A problem with the published copy, told in one line."""


@dataclass(frozen=True)
class PublishedCopy:
    folder: Path  # the build's own folder (published/current resolved), pinned for this run
    database: Path
    manifest: dict[str, Any]


def default_publish_dir() -> Path:
    configured = os.environ.get("PERSONAS_PUBLISH_DIR", "published")
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_DIR / path


def default_warehouse() -> Path:
    configured = os.environ.get("PERSONAS_DUCKDB_PATH", "personas.duckdb")
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_DIR / path


def open_published_copy(publish_dir: Path) -> PublishedCopy:
    """The published build to show: `current` resolved once, so a publish that lands while the
    dashboard builds cannot mix two builds."""
    shown = f"{publish_dir}/"
    current = publish_dir / "current"
    folder = current.resolve() if current.exists() else publish_dir
    database, manifest_file = folder / "personas.duckdb", folder / "manifest.json"
    if not database.is_file() or not manifest_file.is_file():
        raise DashboardError(
            f"no published copy at {shown}: run `make demo` first "
            "(or point PERSONAS_PUBLISH_DIR at the folder a `dbt build` publishes to)"
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DashboardError(f"the published copy at {shown} has an unreadable manifest.json ({error})") from error
    relations = manifest.get("relations") or {}
    missing = [name for name in REQUIRED_RELATIONS if name not in relations]
    if missing:
        raise DashboardError(
            f"the published copy at {shown} (build {manifest.get('build_id', '?')}, built "
            f"{manifest.get('built_at', '?')}) is older than the dashboard: it has no "
            f"{', '.join(missing)}; rebuild it with `make demo` (or your own `dbt build`)"
        )
    return PublishedCopy(folder=folder, database=database, manifest=manifest)


def staleness_warning(copy: PublishedCopy, warehouse: Path) -> str | None:
    """One line when the warehouse was written after its published copy (a failed build)."""
    written = [path.stat().st_mtime for path in (warehouse, Path(f"{warehouse}.wal")) if path.exists()]
    if not written:
        return None
    published = (copy.folder / "manifest.json").stat().st_mtime
    if max(written) - published <= STALE_AFTER_SECONDS:
        return None
    last_write = dt.datetime.fromtimestamp(max(written), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"warning: the published copy (built {copy.manifest.get('built_at', '?')}) is older than the "
        f"warehouse {warehouse.name}'s last write ({last_write}): its last build did not publish "
        "(a model or test failed?), so the dashboard shows the older copy"
    )


# --- formatting -------------------------------------------------------------------------------


def fmt_int(value: Any) -> str:
    return "–" if value is None else f"{int(value):,}"


def fmt_pct(value: Any, decimals: int = 2) -> str:
    return "–" if value is None else f"{Decimal(value) * 100:.{decimals}f} %"


def fmt_money(value: Any) -> str:
    return "–" if value is None else f"{Decimal(value):,.2f}"


def fmt_signed(value: Any) -> str:
    """A change: +12, −3 (a minus sign), ±0."""
    if value is None:
        return "–"
    return f"+{int(value):,}" if value > 0 else (f"−{-int(value):,}" if value < 0 else "±0")


def fmt_flag(value: Any) -> str:
    return "–" if value is None else ("yes" if value else "no")


def fmt_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    return str(value)


_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*")


def _inline(text: str) -> str:
    out, position = [], 0
    for match in _INLINE.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        code, strong, emphasis = match.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif strong is not None:
            out.append(f"<strong>{_inline(strong)}</strong>")
        else:
            out.append(f"<em>{_inline(emphasis)}</em>")
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def markdown(text: str | None) -> Markup:
    """The small markdown of the doc blocks: paragraphs, (nested) `-` lists, bold, italics, code."""
    if not text:
        return Markup("")
    out: list[str] = []
    depth: list[int] = []  # indents of the open lists
    paragraph: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    for line in text.splitlines():
        item = re.match(r"^(\s*)[-*] (.*)$", line)
        if item:
            close_paragraph()
            indent = len(item.group(1))
            if not depth or indent > depth[-1]:
                out.append("<ul>")
                depth.append(indent)
            else:
                while depth and indent < depth[-1]:
                    out.append("</li></ul>")
                    depth.pop()
                out.append("</li>")
            out.append(f"<li>{_inline(item.group(2))}")
        elif not line.strip():
            close_paragraph()
            while depth:
                out.append("</li></ul>")
                depth.pop()
        elif depth:
            out.append(" " + _inline(line.strip()))
        else:
            paragraph.append(line.strip())
    close_paragraph()
    while depth:
        out.append("</li></ul>")
        depth.pop()
    return Markup("".join(out))


# --- charts (inline SVG) --------------------------------------------------------------------


def bar_chart(rows: Sequence[tuple[str, float, str]], *, threshold: float | None = None,
              threshold_label: str = "", unit: str = "", label_width: int = 210) -> Markup:
    """Horizontal bars: (label, value, shown text) per row; an optional vertical threshold line."""
    bar_height, gap, width = 18, 6, 760
    plot = width - label_width - 90
    top = 22 if threshold is not None else 4
    height = top + len(rows) * (bar_height + gap)
    largest = max([value for _, value, _ in rows] + [threshold or 0, 1e-9])
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="bar chart{html.escape(unit)}">'
    ]
    for index, (label, value, shown) in enumerate(rows):
        y = top + index * (bar_height + gap)
        length = max(0.0, value) / largest * plot
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 13}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" rx="2"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 13}">{html.escape(shown)}</text>'
        )
    if threshold is not None:
        x = label_width + threshold / largest * plot
        parts.append(
            f'<line class="threshold" x1="{x:.1f}" y1="14" x2="{x:.1f}" y2="{height}"/>'
            f'<text class="threshold" x="{x:.1f}" y="11" text-anchor="middle">{html.escape(threshold_label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_colour(value: int, largest: int) -> str:
    """White to deep blue, by the cell's share of the largest cell."""
    if value <= 0:
        return "#f4f5f7"
    share = value / largest
    light, dark = (222, 235, 247), (8, 69, 148)
    red, green, blue = (round(light[i] + (dark[i] - light[i]) * share) for i in range(3))
    return f"rgb({red},{green},{blue})"


def trend_chart(points: Sequence[dict[str, Any]], first: dt.date, last: dt.date) -> Markup:
    """A small multiple of one segment: members per day of history (a line from 0 to the
    segment's largest day), and below it the members who joined (up) and left (down) on each
    day since the previous one (bars scaled to the segment's largest move). The first day has
    no bars: every member counts as joined there. Each day has a tooltip (SVG title)."""
    width, height = 300, 128
    left, right = 44, 10
    line_top, line_bottom = 8, 62
    bar_middle, bar_half = 89, 17
    plot = width - left - right
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return left + (day - first).days / span * plot

    largest = max([point["members"] for point in points] + [1])
    moved = [point for point in points if point["previous_as_of_date"] is not None]
    biggest_move = max([max(point["members_joined"], point["members_left"]) for point in moved] + [1])
    bar_width = max(2.0, min(10.0, plot / max(len(points), 1) * 0.55))

    def y(members: int) -> float:
        return line_bottom - members / largest * (line_bottom - line_top)

    parts = [
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="members per day of history" data-points="{len(points)}">',
        f'<line class="axis" x1="{left}" y1="{line_bottom}" x2="{width - right}" y2="{line_bottom}"/>',
        f'<text x="{left - 5}" y="{line_top + 4}" text-anchor="end">{fmt_int(largest)}</text>',
        f'<text x="{left - 5}" y="{line_bottom + 3}" text-anchor="end">0</text>',
        f'<line class="axis" x1="{left}" y1="{bar_middle}" x2="{width - right}" y2="{bar_middle}"/>',
        f'<text x="{left - 5}" y="{bar_middle - bar_half + 8}" text-anchor="end" class="joined">'
        f'+{fmt_int(biggest_move)}</text>',
        f'<text x="{left - 5}" y="{bar_middle + bar_half}" text-anchor="end" class="left">'
        f'−{fmt_int(biggest_move)}</text>',
    ]
    for point in moved:
        centre = x(point["as_of_date"])
        joined = point["members_joined"] / biggest_move * bar_half
        gone = point["members_left"] / biggest_move * bar_half
        tip = (f'{point["as_of_date"]}: {fmt_int(point["members_joined"])} joined, '
               f'{fmt_int(point["members_left"])} left since {point["previous_as_of_date"]}')
        parts.append(
            f'<rect class="joined" x="{centre - bar_width / 2:.1f}" y="{bar_middle - joined:.1f}" '
            f'width="{bar_width:.1f}" height="{joined:.1f}"><title>{html.escape(tip)}</title></rect>'
            f'<rect class="left" x="{centre - bar_width / 2:.1f}" y="{bar_middle:.1f}" '
            f'width="{bar_width:.1f}" height="{gone:.1f}"><title>{html.escape(tip)}</title></rect>'
        )
    coordinates = " ".join(f'{x(point["as_of_date"]):.1f},{y(point["members"]):.1f}' for point in points)
    parts.append(f'<polyline class="members" points="{coordinates}"/>')
    for point in points:
        tip = f'{point["as_of_date"]}: {fmt_int(point["members"])} members'
        parts.append(
            f'<circle cx="{x(point["as_of_date"]):.1f}" cy="{y(point["members"]):.1f}" r="2.5">'
            f'<title>{html.escape(tip)}</title></circle>'
        )
    parts.append(
        f'<text x="{left}" y="{height - 4}">{first}</text>'
        f'<text x="{width - right}" y="{height - 4}" text-anchor="end">{last}</text></svg>'
    )
    return Markup("".join(parts))


def sankey_chart(flows: Sequence[tuple[str, str, int]], order: Sequence[str], *,
                 before: str, after: str) -> Markup:
    """Two columns of nodes (the segments on the day before, the segments on the day after),
    each as tall as its profiles, joined by bands as wide as the profiles that went from one
    to the other. flows: (from, to, profiles); order: the nodes' order, top to bottom."""
    width, label_width, node_width, gap = 760, 230, 14, 8
    flows = [flow for flow in flows if flow[2] > 0]
    total = sum(profiles for _, _, profiles in flows)
    sources = [name for name in order if any(flow[0] == name for flow in flows)]
    targets = [name for name in order if any(flow[1] == name for flow in flows)]
    if not total:
        return Markup("")
    plot_height = 420
    height = plot_height + 34
    scale = (plot_height - gap * (max(len(sources), len(targets)) - 1)) / total
    x_left, x_right = label_width, width - label_width

    def colour(name: str) -> str:
        return NO_SEGMENT_COLOUR if name == NO_SEGMENT else PALETTE[order.index(name) % len(PALETTE)]

    def stack(names: Sequence[str], side: int) -> dict[str, float]:
        tops, y = {}, 24.0
        for name in names:
            tops[name] = y
            y += sum(flow[2] for flow in flows if flow[side] == name) * scale + gap
        return tops

    source_top, target_top = stack(sources, 0), stack(targets, 1)
    parts = [
        f'<svg class="sankey" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="moves from {html.escape(before)} to {html.escape(after)}">',
        f'<text x="{x_left}" y="14" text-anchor="middle" class="day">{html.escape(before)}</text>',
        f'<text x="{x_right}" y="14" text-anchor="middle" class="day">{html.escape(after)}</text>',
    ]
    # Bands: out of each source in the targets' order, into each target in the sources' order.
    out_offset = dict(source_top)
    in_offset = dict(target_top)
    by_source = sorted(flows, key=lambda flow: (sources.index(flow[0]), targets.index(flow[1])))
    in_position: dict[tuple[str, str], float] = {}
    for flow in sorted(flows, key=lambda flow: (targets.index(flow[1]), sources.index(flow[0]))):
        in_position[(flow[0], flow[1])] = in_offset[flow[1]]
        in_offset[flow[1]] += flow[2] * scale
    middle = (x_left + x_right) / 2
    for source, target, profiles in by_source:
        thickness = profiles * scale
        y0, y1 = out_offset[source], in_position[(source, target)]
        out_offset[source] += thickness
        x0, x1 = x_left + node_width, x_right
        tip = f"{label(source)} → {label(target)}: {fmt_int(profiles)} profiles"
        stay = ' class="stay"' if source == target else ""
        parts.append(
            f'<path d="M{x0},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} {x1},{y1:.1f} '
            f'L{x1},{y1 + thickness:.1f} C{middle:.1f},{y1 + thickness:.1f} {middle:.1f},{y0 + thickness:.1f} '
            f'{x0},{y0 + thickness:.1f} Z" style="fill: {colour(source)}"'
            f'{stay}><title>{html.escape(tip)}</title></path>'
        )
    for names, tops, side, x in ((sources, source_top, 0, x_left), (targets, target_top, 1, x_right)):
        for name in names:
            profiles = sum(flow[2] for flow in flows if flow[side] == name)
            size = profiles * scale
            text = f"{label(name)} {fmt_int(profiles)}"
            anchor, text_x = ("end", x - 6) if side == 0 else ("start", x + node_width + 6)
            parts.append(
                f'<rect x="{x}" y="{tops[name]:.1f}" width="{node_width}" height="{max(size, 1):.1f}" '
                f'style="fill: {colour(name)}"/>'
                f'<text x="{text_x}" y="{tops[name] + size / 2 + 4:.1f}" text-anchor="{anchor}">'
                f'{html.escape(text)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def label(segment: str) -> str:
    """A segment's name as shown: `no_segment` reads "no segment"."""
    return "no segment" if segment == NO_SEGMENT else segment


# --- the data ---------------------------------------------------------------------------------


def rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, list(parameters))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rfm_reference() -> dict[str, str]:
    """{rfm_code: group} of the rfm_segments seed: the 125 codes, also those nobody holds."""
    with RFM_SEED.open(encoding="utf-8", newline="") as handle:
        return {row["rfm_code"]: row["rfm_segment"] for row in csv.DictReader(handle)}


def load(copy: PublishedCopy) -> dict[str, Any]:
    with duckdb.connect(str(copy.database), read_only=True) as connection:
        segments = rows(connection, """
            select
                catalog.segment_name, catalog.mart_name, catalog.catalog_section, catalog.catalog_order,
                catalog.who, catalog.marketer_action, catalog.segment_rule, catalog.description,
                summary.members, summary.consented_profiles, summary.share_of_consented_profiles
            from marts.segment_catalog as catalog
            left join marts.segment_summary as summary on catalog.segment_name = summary.segment_name
            order by catalog.catalog_order
        """)
        performance = {
            row["segment_name"]: row
            for row in rows(connection, "select * exclude (built_at) from marts.segment_performance")
        }
        rfm_cells = {
            row["rfm_code"]: row
            for row in rows(connection, """
                select rfm_code, rfm_segment, count(*) as profiles
                from marts.fct_rfm
                where is_in_rfm_population
                group by rfm_code, rfm_segment
            """)
        }
        quarantine = rows(connection, """
            select entity, quarantine_reason, quarantine_column, quarantined_rows
            from marts.dq_quarantine_summary
            order by entity, quarantined_rows desc, quarantine_reason, quarantine_column
        """)
        reconciliation = rows(connection, """
            select entity, raw_rows, staged_rows, quarantined_rows, collapsed_duplicates, is_reconciled
            from marts.dq_load_reconciliation
            order by entity
        """)
        trends = rows(connection, """
            select segment_name, as_of_date, previous_as_of_date, members, members_joined, members_left
            from marts.segment_trends
            order by segment_name, as_of_date
        """)
        transitions = rows(connection, """
            select segment_family, previous_as_of_date, as_of_date, from_segment, to_segment, profiles
            from marts.segment_transitions
            order by segment_family, as_of_date, from_segment, to_segment
        """)
        # Every profile of the RFM population has a row (a data test says so); its RFM group is
        # fct_rfm.rfm_segment. Averages and sums skip the null predictions (prediction_status).
        predicted_by_group = rows(connection, """
            select
                rfm.rfm_segment,
                count(*) as customers,
                count(predictions.predicted_clv) as predicted_customers,
                sum(predictions.predicted_clv) as sum_predicted_clv,
                avg(predictions.predicted_clv) as mean_predicted_clv,
                avg(predictions.probability_alive) as mean_probability_alive,
                avg(predictions.expected_purchases) as mean_expected_purchases
            from marts.fct_customer_predictions as predictions
            left join marts.fct_rfm as rfm on predictions.profile_id = rfm.profile_id
            group by rfm.rfm_segment
        """)
        predicted_total = rows(connection, """
            select
                count(*) as customers,
                count(predicted_clv) as predicted_customers,
                sum(predicted_clv) as sum_predicted_clv,
                avg(predicted_clv) as mean_predicted_clv,
                avg(probability_alive) as mean_probability_alive,
                avg(expected_purchases) as mean_expected_purchases
            from marts.fct_customer_predictions
        """)[0]
        prediction_statuses = rows(connection, """
            select prediction_status, count(*) as customers
            from marts.fct_customer_predictions
            group by prediction_status
            order by customers desc, prediction_status
        """)
        horizons = [row["horizon_days"] for row in rows(
            connection, "select distinct horizon_days from marts.fct_customer_predictions order by horizon_days")]
        clv_fit = rows(connection, """
            select model_name, parameter_name, parameter_value, parameter_unit, fit_status, fit_message,
                customers, distinct_tuples
            from marts.clv_model_fit
            order by model_name
        """)
        samples: dict[str, dict[str, Any]] = {}
        published = set(copy.manifest.get("relations") or {})
        for segment in segments:
            mart = segment["mart_name"]
            if mart not in published:
                samples[segment["segment_name"]] = {"columns": [], "rows": [], "missing": True}
                continue
            cursor = connection.execute(
                f'select * exclude (built_at) from marts."{mart}" order by profile_id limit {SAMPLE_SIZE}'
            )
            samples[segment["segment_name"]] = {
                "columns": [column[0] for column in cursor.description],
                "rows": cursor.fetchall(),
                "missing": False,
            }
    return {
        "segments": segments,
        "performance": performance,
        "rfm_cells": rfm_cells,
        "quarantine": quarantine,
        "reconciliation": reconciliation,
        "samples": samples,
        "trends": trends,
        "transitions": transitions,
        "predicted_by_group": predicted_by_group,
        "predicted_total": predicted_total,
        "prediction_statuses": prediction_statuses,
        "horizons": horizons,
        "clv_fit": clv_fit,
    }


def rfm_grid(cells: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The heat map (R down, F and M across) and the 11 groups' totals."""
    reference = rfm_reference()
    mismatched = sorted(
        code for code, cell in cells.items() if reference.get(code) != cell["rfm_segment"]
    )
    largest = max([cell["profiles"] for cell in cells.values()] + [1])
    population = sum(cell["profiles"] for cell in cells.values())
    grid = []
    for recency in "54321":
        line = []
        for frequency in "12345":
            for monetary in "12345":
                code = f"{recency}{frequency}{monetary}"
                profiles = cells.get(code, {}).get("profiles", 0)
                line.append({
                    "code": code,
                    "group": reference.get(code, "?"),
                    "profiles": profiles,
                    "colour": heat_colour(profiles, largest),
                    "dark": profiles > largest * 0.55,
                })
        grid.append({"recency": recency, "cells": line})
    groups = []
    for group in RFM_GROUP_ORDER:
        codes = sorted(code for code, name in reference.items() if name == group)
        profiles = sum(cells.get(code, {}).get("profiles", 0) for code in codes)
        groups.append({
            "group": group,
            "codes": len(codes),
            "codes_held": sum(1 for code in codes if code in cells),
            "profiles": profiles,
            "share": Decimal(profiles) / population if population else None,
        })
    return {
        "grid": grid,
        "groups": groups,
        "population": population,
        "codes": len(reference),
        "mismatched": mismatched,
        "initials": RFM_GROUP_INITIALS,
    }


# --- history: trends and transitions -----------------------------------------------------------


def backfill_command(day: dt.date) -> str:
    """The backfill that records the BACKFILL_WEEKS weeks before `day`, weekly, and `day` again
    (RESET=1: the days come before the one held, which the backfill refuses otherwise)."""
    return f"make backfill FROM={day - dt.timedelta(weeks=BACKFILL_WEEKS)} TO={day} STEP=7 RESET=1"


def history_view(trend_rows: Sequence[dict[str, Any]], segments: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The days of history, one card per segment (members per day, the last move), and the
    overview's summary; `enough` is False when the history holds fewer than two days."""
    days = sorted({row["as_of_date"] for row in trend_rows})
    by_segment: dict[str, list[dict[str, Any]]] = {}
    for row in trend_rows:
        by_segment.setdefault(row["segment_name"], []).append(row)
    sections = {segment["segment_name"]: segment["catalog_section"] for segment in segments}
    names = [name for name in sections if name in by_segment]
    names += sorted(name for name in by_segment if name not in sections)  # removed from the registry
    enough = len(days) >= 2
    cards = []
    for name in names:
        points = sorted(by_segment[name], key=lambda row: row["as_of_date"])
        first, last = points[0], points[-1]
        cards.append({
            "segment": name,
            "section": sections.get(name, "not_in_catalog"),
            "in_catalog": name in sections,
            "first_members": first["members"],
            "members": last["members"],
            "change": last["members"] - first["members"],
            "previous_members": points[-2]["members"] if len(points) > 1 else None,
            "joined": last["members_joined"] if len(points) > 1 else None,
            "left": last["members_left"] if len(points) > 1 else None,
            "joined_since_first": sum(point["members_joined"] for point in points[1:]),
            "left_since_first": sum(point["members_left"] for point in points[1:]),
            "chart": trend_chart(points, days[0], days[-1]) if enough else None,
        })
    rising = max(cards, key=lambda card: (card["change"], card["segment"]), default=None)
    falling = min(cards, key=lambda card: (card["change"], card["segment"]), default=None)
    return {
        "days": days,
        "first": days[0] if days else None,
        "last": days[-1] if days else None,
        "previous": days[-2] if enough else None,
        "enough": enough,
        "command": backfill_command(days[-1] if days else dt.date.today()),
        "cards": cards,
        "rising": rising if rising and rising["change"] > 0 else None,
        "falling": falling if falling and falling["change"] < 0 else None,
    }


def transitions_view(
    transition_rows: Sequence[dict[str, Any]], segments: Sequence[dict[str, Any]],
    last_period: tuple[dt.date, dt.date] | None,
) -> list[dict[str, Any]]:
    """Per family of segments (MAIN_FAMILY first): the from x to matrix of the last period of
    segment_transitions (the last two days of history, `last_period`; a family nobody was in on
    either day has no row there, and shows zeros), the Sankey diagram, the biggest moves, and
    every period's stays, moves, arrivals and departures."""
    catalog_order = {segment["segment_name"]: index for index, segment in enumerate(segments)}
    families = sorted({row["segment_family"] for row in transition_rows}, key=lambda name: (name != MAIN_FAMILY, name))
    views = []
    for family in families:
        family_rows = [row for row in transition_rows if row["segment_family"] == family]
        periods = sorted({(row["previous_as_of_date"], row["as_of_date"]) for row in family_rows},
                         key=lambda period: period[1])
        before, after = last_period or periods[-1]
        names = {row["from_segment"] for row in family_rows} | {row["to_segment"] for row in family_rows}
        names |= {segment["segment_name"] for segment in segments if segment["catalog_section"] == family}
        names.discard(NO_SEGMENT)
        order = sorted(names, key=lambda name: (catalog_order.get(name, len(catalog_order)), name)) + [NO_SEGMENT]
        last = {(row["from_segment"], row["to_segment"]): row["profiles"]
                for row in family_rows if row["as_of_date"] == after}
        largest_move = max([profiles for (source, target), profiles in last.items() if source != target] + [1])
        matrix = []
        for source in order:
            cells = []
            for target in order:
                profiles = last.get((source, target), 0)
                stay = source == target
                cells.append({
                    "to": target,
                    "profiles": profiles,
                    "stay": stay,
                    "na": stay and source == NO_SEGMENT,  # nobody counts in no segment on both days
                    "colour": "#e9edf3" if stay else heat_colour(profiles, largest_move),
                    "dark": not stay and profiles > largest_move * 0.55,
                })
            matrix.append({"from": source, "cells": cells, "total": sum(cell["profiles"] for cell in cells)})
        column_totals = [sum(last.get((source, target), 0) for source in order) for target in order]
        moves = sorted(((source, target, profiles) for (source, target), profiles in last.items() if source != target),
                       key=lambda move: (-move[2], order.index(move[0]), order.index(move[1])))
        history = []
        for previous, day in reversed(periods):
            period = [row for row in family_rows if row["as_of_date"] == day]
            history.append({
                "before": previous,
                "after": day,
                "stayed": sum(row["profiles"] for row in period if row["from_segment"] == row["to_segment"]),
                "moved": sum(row["profiles"] for row in period if row["from_segment"] != row["to_segment"]
                             and NO_SEGMENT not in (row["from_segment"], row["to_segment"])),
                "arrived": sum(row["profiles"] for row in period if row["from_segment"] == NO_SEGMENT),
                "departed": sum(row["profiles"] for row in period if row["to_segment"] == NO_SEGMENT),
            })
        views.append({
            "family": family,
            "before": before,
            "after": after,
            "order": order,
            "matrix": matrix,
            "column_totals": column_totals,
            "total": sum(last.values()),
            "sankey": sankey_chart([(source, target, profiles) for (source, target), profiles in last.items()],
                                   order, before=str(before), after=str(after)),
            "moves_chart": bar_chart(
                [(f"{label(source)} → {label(target)}", profiles, fmt_int(profiles))
                 for source, target, profiles in moves[:TOP_MOVES]],
                label_width=380,
            ) if moves else None,
            "moves_shown": min(len(moves), TOP_MOVES),
            "moves": len(moves),
            "periods": history,
        })
    return views


# --- predictions -------------------------------------------------------------------------------

FIT_STATUS_WORDS = {
    "too_few_customers": "fewer buyers than var clv_min_customers",
    "no_repeat_purchases": "nobody bought on a second day",
    "too_few_repeat_customers": "too few repeat buyers",
    "no_spend_variation": "every repeat purchase has the same value",
    "optimizer_failed": "the optimizer did not converge",
    "parameter_at_bound": "a parameter went to 0 or infinity: the data cannot identify it",
    "q_not_above_1": "q ≤ 1: the mean spend is undefined",
    "no_parameters": "no Python fit on this engine and var clv_parameters unset",
}


def fmt_parameter(value: Any) -> str:
    """A fitted parameter: 4 significant digits, a log-likelihood with one decimal."""
    if value is None:
        return "–"
    value = float(value)
    return f"{value:,.1f}" if abs(value) >= 1000 else f"{value:.4g}"


def prediction_reason(status: str, fits: dict[str, dict[str, Any]]) -> str:
    """Why a prediction_status other than `predicted` left nulls, in words."""
    for model, what in (("bg_nbd", "no BG/NBD fit: every prediction is null"),
                        ("gamma_gamma", "no Gamma-Gamma fit: expected order value and predicted CLV are null")):
        if status.startswith(f"{model}_"):
            fit_status = status.removeprefix(f"{model}_")
            words = FIT_STATUS_WORDS.get(fit_status, fit_status.replace("_", " "))
            message = (fits.get(model) or {}).get("fit_message")
            return f"{what} ({words}{'; ' + message if message else ''})"
    if status == "series_not_converged":
        return "the expected purchases' series did not converge within 1,000 terms: expected purchases and CLV are null"
    return status.replace("_", " ")


def predicted_value_view(data: dict[str, Any]) -> dict[str, Any]:
    """Predicted CLV by RFM group, the fit's parameters, and the nulls with their reasons."""
    by_group = {row["rfm_segment"]: row for row in data["predicted_by_group"]}
    names = [name for name in RFM_GROUP_ORDER if name in by_group]
    names += sorted(name for name in by_group if name is not None and name not in RFM_GROUP_ORDER)
    names += [None] if None in by_group else []  # a profile missing from fct_rfm
    total = data["predicted_total"]
    grand = total["sum_predicted_clv"]
    groups = [
        {**by_group[name], "group": name or "no RFM group",
         "share": Decimal(str(by_group[name]["sum_predicted_clv"])) / Decimal(str(grand))
         if grand and by_group[name]["sum_predicted_clv"] is not None else None}
        for name in names
    ]
    fits: dict[str, dict[str, Any]] = {}
    for row in data["clv_fit"]:
        fit = fits.setdefault(row["model_name"], {
            "model": row["model_name"], "fit_status": row["fit_status"], "fit_message": row["fit_message"],
            "customers": row["customers"], "distinct_tuples": row["distinct_tuples"], "parameters": [],
        })
        fit["parameters"].append(row)
    for fit in fits.values():
        fit["parameters"].sort(key=lambda row: (
            CLV_PARAMETER_ORDER.index(row["parameter_name"]) if row["parameter_name"] in CLV_PARAMETER_ORDER
            else len(CLV_PARAMETER_ORDER), row["parameter_name"]))
        fit["usable"] = fit["fit_status"] in ("fitted", "from_var")
    nulls = [
        {**row, "reason": prediction_reason(row["prediction_status"], fits)}
        for row in data["prediction_statuses"] if row["prediction_status"] != "predicted"
    ]
    return {
        "groups": groups,
        "total": total,
        "fits": [fits[name] for name in sorted(fits, key=lambda name: (name != "bg_nbd", name))],
        "nulls": nulls,
        "null_customers": sum(row["customers"] for row in nulls),
        "horizons": data["horizons"],
        "chart": bar_chart([
            (group["group"], float(group["sum_predicted_clv"] or 0), fmt_money(group["sum_predicted_clv"]))
            for group in groups
        ]) if groups else None,
    }


# --- the site ---------------------------------------------------------------------------------


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(REPORTS_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        int=fmt_int, pct=fmt_pct, money=fmt_money, flag=fmt_flag, value=fmt_value, markdown=markdown,
        parameter=fmt_parameter, segment_label=label, signed=fmt_signed,
        title=lambda name: name.replace("_", " ").capitalize(),
    )
    return env


def build(copy: PublishedCopy, out: Path) -> list[Path]:
    data = load(copy)
    env = environment()
    manifest = copy.manifest
    segments = data["segments"]
    performance = data["performance"]
    common = {
        "pages": PAGES,
        "manifest": manifest,
        "sections": SECTION_TITLES,
        "segments": segments,
    }

    largest = max([segment["members"] or 0 for segment in segments] + [1])
    history = history_view(data["trends"], segments)
    pages: dict[str, str] = {
        "index.html": env.get_template("overview.html").render(
            common, root="", page="index.html",
            chart=bar_chart([
                (segment["segment_name"], segment["members"] or 0, fmt_int(segment["members"]))
                for segment in segments
            ]),
            largest=largest, history=history,
        ),
        "trends.html": env.get_template("trends.html").render(
            common, root="", page="trends.html", history=history,
        ),
        "transitions.html": env.get_template("transitions.html").render(
            common, root="", page="transitions.html", history=history,
            families=transitions_view(
                data["transitions"], segments,
                (history["previous"], history["last"]) if history["enough"] else None,
            ),
        ),
        "predicted-value.html": env.get_template("predicted_value.html").render(
            common, root="", page="predicted-value.html", predicted=predicted_value_view(data),
        ),
        "rfm.html": env.get_template("rfm.html").render(
            common, root="", page="rfm.html", rfm=rfm_grid(data["rfm_cells"]),
        ),
        "performance.html": env.get_template("performance.html").render(
            common, root="", page="performance.html", performance=performance,
            chart=bar_chart(
                [
                    (segment["segment_name"], float(performance[segment["segment_name"]]["open_rate"] or 0),
                     fmt_pct(performance[segment["segment_name"]]["open_rate"]))
                    for segment in segments if segment["segment_name"] in performance
                ],
                threshold=0.10, threshold_label="Klaviyo minimum 10 %",
            ),
            below=[name for name, row in performance.items() if row["is_below_klaviyo_minimum"]],
        ),
        "data-quality.html": env.get_template("data_quality.html").render(
            common, root="", page="data-quality.html",
            quarantine=data["quarantine"], reconciliation=data["reconciliation"],
            chart=bar_chart([
                (row["entity"], row["quarantined_rows"], fmt_int(row["quarantined_rows"]))
                for row in data["reconciliation"]
            ]),
        ),
        "segments/index.html": env.get_template("segments.html").render(
            common, root="../", page="segments/index.html",
        ),
    }
    for segment in segments:
        name = segment["segment_name"]
        pages[f"segments/{name}.html"] = env.get_template("segment.html").render(
            common, root="../", page="segments/index.html", segment=segment,
            performance=performance.get(name), sample=data["samples"][name], sample_size=SAMPLE_SIZE,
        )

    # Write into a fresh folder beside the target, then swap it in: a half-written site is
    # never served.
    out = out.resolve()
    staging = out.with_name(f".{out.name}.next")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "segments").mkdir(parents=True)
    shutil.copytree(REPORTS_DIR / "static", staging / "static")
    written = []
    for relative, text in pages.items():
        path = staging / relative
        path.write_text(text, encoding="utf-8")
        written.append(out / relative)
    (staging / "build.json").write_text(
        json.dumps({"build_id": manifest.get("build_id"), "built_at": manifest.get("built_at"),
                    "pages": sorted(pages)}, indent=2) + "\n",
        encoding="utf-8",
    )
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the marketers' dashboard (static HTML) from the published copy of the marts.",
    )
    parser.add_argument(
        "--publish-dir", type=Path, default=None,
        help="the published copy (default: $PERSONAS_PUBLISH_DIR, else published/ in the project root)",
    )
    parser.add_argument(
        "--warehouse", type=Path, default=None,
        help="the warehouse file, to warn when the published copy is older than its last write "
             "(default: $PERSONAS_DUCKDB_PATH, else personas.duckdb in the project root)",
    )
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "build",
                        help="where the site is written (default: reports/build/)")
    args = parser.parse_args(argv)
    publish_dir = args.publish_dir or default_publish_dir()
    try:
        copy = open_published_copy(publish_dir)
    except DashboardError as error:
        print(f"dashboard: {error}", file=sys.stderr)
        return 2
    warning = staleness_warning(copy, args.warehouse or default_warehouse())
    if warning:
        print(f"dashboard: {warning}", file=sys.stderr)
    written = build(copy, args.out)
    print(
        f"dashboard: {len(written)} pages in {args.out.resolve()}/ from the published build "
        f"{copy.manifest.get('build_id')} (as of {copy.manifest.get('as_of_date')})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
