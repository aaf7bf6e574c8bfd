"""Build the marketers' dashboard: a static site made from the published copy of the marts.

Reads $PERSONAS_PUBLISH_DIR (default `published/` in the project root: personas.duckdb and
manifest.json, written by every successful `dbt build`; README, "Reading the marts") and
writes plain HTML pages with inline SVG charts to reports/build/ (or --out):

    index.html              overview: every segment's size and share of the consented list
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
)
# The warehouse written later than its published copy by more than this: its last build did
# not publish (it failed). A build that publishes writes the warehouse only seconds after.
STALE_AFTER_SECONDS = 120
SAMPLE_SIZE = 10

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
}
PAGES = (
    ("index.html", "Overview"),
    ("rfm.html", "RFM grid"),
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
    pages: dict[str, str] = {
        "index.html": env.get_template("overview.html").render(
            common, root="", page="index.html",
            chart=bar_chart([
                (segment["segment_name"], segment["members"] or 0, fmt_int(segment["members"]))
                for segment in segments
            ]),
            largest=largest,
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
