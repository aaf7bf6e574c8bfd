#!/usr/bin/env python3
"""The benchmark's pandas peer: the segment memberships as an analyst would compute them in pandas.

    python scripts/bench_pandas.py RAW_DIR --out memberships.parquet

Reads the raw files of a shop (RAW_DIR/raw_profiles.parquet, raw_orders, raw_order_lines,
raw_email_events, raw_site_visits, as .parquet or .csv, and sales_periods.csv or .parquet:
what scripts/generate_data.py writes), types them as the data contract says, computes the facts
the segment catalog needs and writes every membership (segment_name, profile_id) to --out, one
row per pair, as the project's marts.segment_memberships. Plain idiomatic pandas: whole files
read into DataFrames, vectorized column operations, groupby and merge; no chunking, no engine
tricks. The rules are the catalog's (docs/segment-catalog.md), with the project's D rule and
its vars' defaults, read from dbt_project.yml (--vars overrides them, as dbt's does).

What it assumes: clean data (scripts/generate_data.py --bad-share 0). It does not quarantine
bad rows (missing values, unknown enums, unparseable or negative values, orphans); it does
what staging does to clean rows where that can change a result: every value trimmed and ''
read as null, timestamps with a Z or +00:00 suffix, exact copies of a row collapsed into one,
rows sharing an id but differing dropped (conflicting versions), country upper-cased as
stg_profiles does. On data with bad rows it stops at the first value it cannot type (a
timestamp: run_pandas reports status 'failed'), or gives other memberships than the project's.

Left out: seg_at_risk_vips and seg_likely_to_buy_soon (EXCLUDED_SEGMENTS). They come from the
BG/NBD and Gamma-Gamma fit (models/marts/predictions, a numerical optimisation whose
predictions at a threshold depend on the optimiser's last digits): reproducing them means
re-running the fit, not writing pandas. Compare the other 32 segments.

For scripts/bench.py: run_pandas(raw_dir) runs this file's CLI in a subprocess so that its wall
time and peak memory are its own, and reports running out of memory instead of failing;
project_memberships(database) and differences(project, peer) check it against a build.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]

# The raw data contract's columns (docs/data-contract.md, models/staging/_raw__sources.yml).
CONTRACT: dict[str, list[str]] = {
    "raw_profiles": ["profile_id", "email", "phone_number", "first_name", "created_at", "email_consent",
                     "sms_consent", "country", "region", "city", "birth_date", "gender"],
    "raw_orders": ["order_id", "profile_id", "ordered_at", "status", "currency", "order_total", "discount_total"],
    "raw_order_lines": ["order_id", "line_number", "product_id", "product_name", "category", "quantity",
                        "unit_price", "discount_amount"],
    "raw_email_events": ["event_id", "profile_id", "channel", "event_type", "campaign_id", "occurred_at",
                         "is_apple_privacy_open"],
    "raw_site_visits": ["event_id", "profile_id", "session_id", "event_type", "occurred_at", "product_id",
                        "category", "value"],
    "sales_periods": ["sale_id", "season", "starts_on", "ends_on"],
}
# The key of each entity: rows sharing it but differing are conflicting versions.
KEYS: dict[str, list[str]] = {
    "raw_profiles": ["profile_id"],
    "raw_orders": ["order_id"],
    "raw_order_lines": ["order_id", "line_number"],
    "raw_email_events": ["event_id"],
    "raw_site_visits": ["event_id"],
}

# Every segment of the catalog (macros/segments/segment_models.sql, without `seg_`), in its order.
SEGMENTS = (
    "biggest_fans", "brand_fans", "potential_fans", "potential_brand_lovers", "former_biggest_fans",
    "former_brand_fans", "flash_in_the_pan", "drive_by_shoppers",
    "fence_sitters", "window_shoppers", "espresso_shoppers", "interested_shoppers", "false_starts", "dead_weight",
    "engaged_30d", "engaged_60d", "engaged_90d", "new_subscribers", "over_pressured", "local_audience",
    "high_value_cart_abandoners",
    "loyal_buyers", "bargain_hunters", "big_spenders", "category_repeat_buyers", "discount_buyers",
    "recommendation_clickers", "undecided_visitors", "current_sale_buyers", "sale_cart_abandoners",
    "last_sale_buyers", "rising_stars",
    "at_risk_vips", "likely_to_buy_soon",
)
# Segments on the BG/NBD and Gamma-Gamma predictions: not computed here (see the docstring).
EXCLUDED_SEGMENTS = frozenset({"at_risk_vips", "likely_to_buy_soon"})
COMPARED_SEGMENTS = tuple(name for name in SEGMENTS if name not in EXCLUDED_SEGMENTS)

# RFM groups from worst to best (macros/segments/rfm_group_rank.sql): "a better group" for rising stars.
RFM_GROUP_RANKS = ("lost", "hibernating", "cannot_lose_them", "at_risk", "about_to_sleep", "need_attention",
                   "promising", "new_customers", "potential_loyalist", "loyal", "champions")


def project_vars(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The project's vars: dbt_project.yml's defaults, then `overrides` (as dbt's --vars)."""
    import yaml  # PyYAML, a dependency of dbt-core

    defaults = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return {**defaults, **(overrides or {})}


# --------------------------------------------------------------------------------------------
# The analysis (imports pandas: only the CLI's process runs it)
# --------------------------------------------------------------------------------------------


def compute_memberships(raw_dir: Path, overrides: Mapping[str, Any] | None = None,
                        progress: bool = False) -> tuple[Any, dict[str, float]]:
    """(memberships DataFrame (segment_name, profile_id), seconds per step)."""
    import numpy as np
    import pandas as pd
    from tqdm import tqdm

    v = project_vars(overrides)
    seconds: dict[str, float] = {}
    bar = tqdm(total=8, desc="pandas peer", unit="step", disable=not progress, file=sys.stderr)
    clock = [time.perf_counter()]

    def step(name: str) -> None:
        now = time.perf_counter()
        seconds[name] = now - clock[0]
        clock[0] = now
        bar.set_postfix_str(name)
        bar.update()

    # --- reading and typing ---------------------------------------------------------------

    def read(entity: str) -> pd.DataFrame:
        """The contract's columns as text, trimmed, '' as null; exact copies collapsed and
        conflicting versions (same key, different rows) dropped, as staging does."""
        path = raw_dir / f"{entity}.parquet"
        if path.exists():
            df = pd.read_parquet(path, columns=CONTRACT[entity])
        else:
            df = pd.read_csv(raw_dir / f"{entity}.csv", dtype=str, keep_default_na=False,
                             usecols=CONTRACT[entity])
        for column in df.columns:
            trimmed = df[column].astype("str").str.strip(" ")
            df[column] = trimmed.where(trimmed != "")
        if entity in KEYS:
            started = time.perf_counter()
            df = df.drop_duplicates()
            df = df[~df.duplicated(KEYS[entity], keep=False)]
            # reported apart too (the read steps include it): the contract's rule, not typing
            seconds["of which copies and conflicts"] = (
                seconds.get("of which copies and conflicts", 0.0) + time.perf_counter() - started)
        return df

    def timestamps(text: pd.Series) -> pd.Series:
        # 'YYYY-MM-DD HH:MM:SS', optionally followed by 'Z' or '+00:00' (both UTC)
        return pd.to_datetime(text.str.slice(0, 19), format="%Y-%m-%d %H:%M:%S")

    def cents(text: pd.Series) -> pd.Series:
        # money has at most 2 decimals: whole cents, so that sums and means are exact
        return (pd.to_numeric(text) * 100).round()

    def mean_cents(total: pd.Series, count: pd.Series) -> pd.Series:
        # mean rounded half away from zero to the cent, in integers (non-negative amounts)
        return (2 * total + count) // (2 * count)

    profiles = read("raw_profiles")
    profiles["created_on"] = timestamps(profiles["created_at"]).dt.normalize()
    profiles["country"] = profiles["country"].str.upper()
    profiles["is_email_consented"] = profiles["email_consent"] == "subscribed"
    profiles = profiles.set_index("profile_id")
    step("read profiles")

    orders = read("raw_orders")
    orders["ordered_at"] = timestamps(orders["ordered_at"])
    orders["ordered_on"] = orders["ordered_at"].dt.normalize()
    orders["order_total_cents"] = cents(orders["order_total"]).astype("int64")
    lines = read("raw_order_lines")
    lines["discount_cents"] = cents(lines["discount_amount"])
    step("read orders and lines")

    emails = read("raw_email_events")
    emails["occurred_on"] = timestamps(emails["occurred_at"]).dt.normalize()
    emails["is_apple_privacy_open"] = emails["is_apple_privacy_open"].str.lower().isin(["true", "t", "1", "yes"])
    step("read email events")

    visits = read("raw_site_visits")
    visits["occurred_at"] = timestamps(visits["occurred_at"])
    visits["occurred_on"] = visits["occurred_at"].dt.normalize()
    visits["value_cents"] = cents(visits["value"])
    step("read site visits")

    sales = read("sales_periods")
    for column in ("starts_on", "ends_on"):
        sales[column] = pd.to_datetime(sales[column], format="%Y-%m-%d")

    # --- D and the windows ------------------------------------------------------------------

    if v.get("as_of_date"):
        d = pd.Timestamp(str(v["as_of_date"]))
    else:  # the latest day of any order, email event or site visit
        d = max(orders["ordered_on"].max(), emails["occurred_on"].max(), visits["occurred_on"].max())

    def months_before(day: pd.Timestamp, months: int) -> pd.Timestamp:
        return day - pd.DateOffset(months=int(months))  # calendar months, end of month clamped

    def in_last_days(days: pd.Series, n: int, as_of: pd.Timestamp = d) -> pd.Series:
        return (days > as_of - pd.Timedelta(days=int(n))) & (days <= as_of)

    def in_last_months(days: pd.Series, n: int, as_of: pd.Timestamp = d) -> pd.Series:
        return (days > months_before(as_of, n)) & (days <= as_of)

    def between_months_ago(days: pd.Series, start: int, end: int) -> pd.Series:
        return (days > months_before(d, end)) & (days <= months_before(d, start))

    # --- purchases and the purchase facts ---------------------------------------------------

    discounted_orders = lines.loc[lines["discount_cents"] > 0, "order_id"].unique()
    purchases = orders[(orders["status"] == "placed") & orders["profile_id"].notna() & (orders["ordered_on"] <= d)]
    purchases = purchases.assign(has_discounted_line=purchases["order_id"].isin(discounted_orders))

    if v.get("high_value_threshold") is not None:
        threshold = round(float(v["high_value_threshold"]) * 100)
    elif len(purchases):
        threshold = int(mean_cents(purchases["order_total_cents"].sum(), len(purchases)))
    else:
        threshold = None  # no purchase at all: nobody is high-value

    buyers = purchases.groupby("profile_id").agg(
        purchase_count=("order_id", "size"),
        revenue_cents=("order_total_cents", "sum"),
        last_purchase_on=("ordered_on", "max"),
        last_purchase_at=("ordered_at", "max"),
    )
    buyers["average_order_cents"] = mean_cents(buyers["revenue_cents"], buyers["purchase_count"])

    rfm_segments = pd.read_csv(PROJECT_DIR / "seeds" / "rfm_segments.csv", dtype=str)
    rfm_segment_of = dict(zip(rfm_segments["rfm_code"], rfm_segments["rfm_segment"], strict=True))

    def rfm_codes(as_of: pd.Timestamp) -> pd.Series:
        """rfm_code per profile of the RFM population at `as_of` (a purchase in the lookback)."""
        window = purchases[in_last_months(purchases["ordered_on"], v["rfm_lookback_months"], as_of)]
        population = window.groupby("profile_id").agg(
            recency=("ordered_on", "max"), frequency=("order_id", "size"), revenue=("order_total_cents", "sum"))
        population["monetary"] = mean_cents(population["revenue"], population["frequency"])
        n = len(population)
        code = pd.Series("", index=population.index)
        for metric in ("recency", "frequency", "monetary"):
            rank = population[metric].rank(method="min").astype("int64")  # ties share the lowest rank
            score = 5 if n == 1 else np.minimum(5, 1 + 5 * (rank - 1) // (n - 1))
            code = code + pd.Series(score, index=population.index).astype(str)
        return code

    rfm_code = rfm_codes(d)
    scores = pd.DataFrame({"recency_score": rfm_code.str[0].astype(int), "frequency_score": rfm_code.str[1].astype(int),
                           "monetary_score": rfm_code.str[2].astype(int), "rfm_segment": rfm_code.map(rfm_segment_of)})
    step("purchase facts")

    # --- engagement facts ---------------------------------------------------------------------

    email = emails[(emails["channel"] == "email") & (emails["occurred_on"] <= d)]
    is_open, is_click = email["event_type"] == "opened", email["event_type"] == "clicked"
    human_open = is_open & ~email["is_apple_privacy_open"] if v["exclude_apple_privacy_opens"] else is_open
    engagements = email[human_open | is_click]
    on = engagements["occurred_on"]
    engagement_counts = pd.DataFrame({
        "profile_id": engagements["profile_id"],
        "engagements_last_30_days": in_last_days(on, 30),
        "engagements_last_60_days": in_last_days(on, 60),
        "engagements_last_90_days": in_last_days(on, 90),
        "recent_engagement_count": in_last_months(on, v["recent_engagement_months"]),
        "engagements_before_recent_window": on <= months_before(d, v["recent_engagement_months"]),
        "engagements_in_dead_weight_window": in_last_months(on, v["dead_weight_months"]),
    }).groupby("profile_id").sum()
    clicks = email[is_click]
    clicks_in_espresso_window = (
        clicks[in_last_days(clicks["occurred_on"], v["espresso_days"])]["profile_id"].value_counts())
    deliveries = email[email["event_type"] == "delivered"]
    emails_delivered_in_pressure_window = (
        deliveries[in_last_days(deliveries["occurred_on"], v["pressure_window_days"])]["profile_id"].value_counts())
    ever_unsubscribed = email.loc[email["event_type"] == "unsubscribed", "profile_id"].unique()
    first_subscribed_on = email[email["event_type"] == "subscribed"].groupby("profile_id")["occurred_on"].min()
    step("engagement facts")

    # --- site facts ---------------------------------------------------------------------------

    site = visits[visits["profile_id"].notna() & (visits["occurred_on"] <= d)]
    in_intent_window = site[in_last_days(site["occurred_on"], v["site_intent_days"])]
    sessions_in_intent_window = in_intent_window.groupby("profile_id")["session_id"].nunique()
    recommendation_clicks = in_intent_window.loc[
        in_intent_window["event_type"] == "clicked_recommendation", "profile_id"].value_counts()
    product_interest = site[site["event_type"].isin(["viewed_product", "added_to_cart", "started_checkout"])
                            & in_last_months(site["occurred_on"], v["recent_engagement_months"])]
    recent_product_interest_events = product_interest["profile_id"].value_counts()

    # --- one row per profile ------------------------------------------------------------------

    counts = pd.DataFrame({
        "clicks_in_espresso_window": clicks_in_espresso_window,
        "emails_delivered_in_pressure_window": emails_delivered_in_pressure_window,
        "sessions_in_intent_window": sessions_in_intent_window,
        "recommendation_clicks_in_intent_window": recommendation_clicks,
        "recent_product_interest_events": recent_product_interest_events,
    })
    dim = (profiles[["country", "created_on", "is_email_consented"]]
           .join(buyers).join(scores).join(engagement_counts).join(counts)
           .join(first_subscribed_on.rename("first_subscribed_on")))
    count_columns = [*engagement_counts.columns, *counts.columns]
    dim[count_columns] = dim[count_columns].fillna(0)
    dim["has_purchased"] = dim["purchase_count"].notna()
    dim["has_ever_unsubscribed"] = dim.index.isin(ever_unsubscribed)
    last_on = dim["last_purchase_on"]
    is_recent = in_last_months(last_on, v["recent_purchase_months"])
    is_lapsed = between_months_ago(last_on, v["recent_purchase_months"], v["lapsed_purchase_months"])
    is_frequent = dim["purchase_count"] >= v["frequent_purchase_count"]
    is_high_value = dim["average_order_cents"] > threshold if threshold is not None else pd.Series(False, dim.index)
    is_frequent_engager = dim["recent_engagement_count"] >= v["frequent_engagement_count"]
    grace = in_last_days(dim["first_subscribed_on"], v["new_subscriber_grace_days"])
    step("profile facts")

    # --- the segments -------------------------------------------------------------------------

    members: dict[str, pd.Index] = {}

    def rule(name: str, condition: pd.Series) -> None:
        members[name] = dim.index[condition.fillna(False).astype(bool)]

    rule("biggest_fans", is_recent & is_frequent & is_high_value)
    rule("brand_fans", is_recent & is_frequent & ~is_high_value)
    rule("potential_fans", is_recent & ~is_frequent & is_high_value)
    rule("potential_brand_lovers", is_recent & ~is_frequent & ~is_high_value)
    rule("former_biggest_fans", is_lapsed & is_frequent & is_high_value)
    rule("former_brand_fans", is_lapsed & is_frequent & ~is_high_value)
    rule("flash_in_the_pan", is_lapsed & ~is_frequent & is_high_value)
    rule("drive_by_shoppers", between_months_ago(last_on, v["drive_by_min_months"], v["lapsed_purchase_months"])
         & ~is_frequent & ~is_high_value)

    rule("fence_sitters", ~dim["has_purchased"] & is_frequent_engager)
    rule("window_shoppers", ~dim["has_purchased"] & (dim["recent_engagement_count"] >= 1)
         & (dim["recent_engagement_count"] < v["frequent_engagement_count"]))
    rule("espresso_shoppers", (dim["clicks_in_espresso_window"] > 0) & ~in_last_days(last_on, v["espresso_days"]))
    rule("interested_shoppers", ~dim["has_purchased"] & (dim["recent_product_interest_events"] > 0))
    rule("false_starts", (dim["recent_engagement_count"] == 0)
         & (dim["engagements_before_recent_window"] >= v["frequent_engagement_count"]))
    rule("dead_weight", (dim["created_on"] <= months_before(d, v["dead_weight_months"]))
         & (dim["engagements_in_dead_weight_window"] == 0) & ~in_last_months(last_on, v["lapsed_purchase_months"]))

    for days in (30, 60, 90):
        rule(f"engaged_{days}d", (dim[f"engagements_last_{days}_days"] > 0) | grace)
    rule("new_subscribers", in_last_days(dim["first_subscribed_on"], v["new_subscriber_days"])
         & ~dim["has_ever_unsubscribed"])
    rule("over_pressured", dim["emails_delivered_in_pressure_window"] >= v["pressure_max_messages"])
    local = v["local_countries"]
    local = local.split(",") if isinstance(local, str) else local
    rule("local_audience", dim["country"].isin([str(code).strip().upper() for code in local]))

    if threshold is not None:
        checkouts = site[(site["event_type"] == "started_checkout")
                         & in_last_days(site["occurred_on"], v["cart_abandonment_days"])
                         & (site["value_cents"] > threshold)]
        last_checkout_at = checkouts.groupby("profile_id")["occurred_at"].max()
        last_purchase_at = dim["last_purchase_at"].reindex(last_checkout_at.index)
        rule("high_value_cart_abandoners", pd.Series(last_purchase_at.isna() | (last_purchase_at < last_checkout_at))
             .reindex(dim.index, fill_value=False))
    else:
        members["high_value_cart_abandoners"] = dim.index[:0]

    rule("loyal_buyers", dim["recency_score"].between(4, 5) & dim["frequency_score"].between(4, 5))
    rule("bargain_hunters", dim["monetary_score"].between(1, 2) & dim["frequency_score"].between(4, 5))
    rule("big_spenders", dim["monetary_score"].between(4, 5) & dim["frequency_score"].between(1, 2))

    recent_purchases = purchases[in_last_days(purchases["ordered_on"], v["category_repeat_days"])]
    purchase_categories = (recent_purchases[["order_id", "profile_id"]]
                           .merge(lines[["order_id", "category"]], on="order_id")
                           .drop_duplicates(["order_id", "category"]))
    per_category = purchase_categories.groupby(["profile_id", "category"]).size()
    members["category_repeat_buyers"] = per_category[per_category >= 2].index.unique("profile_id")
    discounted = purchases[purchases["has_discounted_line"]
                           & in_last_months(purchases["ordered_on"], v["discount_lookback_months"])]
    members["discount_buyers"] = pd.Index(discounted["profile_id"].unique())
    rule("recommendation_clickers", (dim["recommendation_clicks_in_intent_window"] > 0)
         & ~in_last_days(last_on, v["site_intent_days"]))
    rule("undecided_visitors", (dim["sessions_in_intent_window"] >= v["undecided_min_visits"])
         & ~in_last_days(last_on, v["site_intent_days"]))

    # The current sale: the latest start on or before D (ties: greatest sale_id); the previous
    # edition: the same season's latest start before it. Windows end at min(ends_on, D).
    by_recency = ["starts_on", "sale_id"]
    started = sales[sales["starts_on"] <= d].sort_values(by_recency, ascending=False)
    empty = dim.index[:0]
    members.update({"current_sale_buyers": empty, "sale_cart_abandoners": empty, "last_sale_buyers": empty})

    def bought_in(sale: pd.Series) -> pd.Index:
        window_end = min(sale["ends_on"], d)
        in_sale = purchases["ordered_on"].between(sale["starts_on"], window_end)
        return pd.Index(purchases.loc[in_sale, "profile_id"].unique())

    if len(started):
        current = started.iloc[0]
        members["current_sale_buyers"] = bought_in(current)
        carts = site[site["event_type"].isin(["added_to_cart", "started_checkout"])
                     & site["occurred_on"].between(current["starts_on"], min(current["ends_on"], d))]
        members["sale_cart_abandoners"] = pd.Index(carts["profile_id"].unique()).difference(
            members["current_sale_buyers"])
        earlier = sales[(sales["season"] == current["season"]) & (sales["starts_on"] < current["starts_on"])]
        if len(earlier):
            members["last_sale_buyers"] = bought_in(earlier.sort_values(by_recency, ascending=False).iloc[0])

    # Rising stars: a better RFM group at D than at the period's start (the RFM rules at that date).
    group_rank = {group: rank for rank, group in enumerate(RFM_GROUP_RANKS, start=1)}
    start_rank = rfm_codes(months_before(d, v["rising_stars_period_months"])).map(rfm_segment_of).map(group_rank)
    now_rank = dim["rfm_segment"].map(group_rank)
    rule("rising_stars", now_rank > start_rank.reindex(dim.index))
    step("segments")

    # Consent: every segment needs it (var segments_require_email_consent), the (c) ones always.
    always_consented = {"dead_weight", "engaged_30d", "engaged_60d", "engaged_90d", "new_subscribers"}
    consented = dim.index[dim["is_email_consented"]]
    frames = []
    for name in COMPARED_SEGMENTS:
        ids = members[name].intersection(dim.index)  # staged profiles only
        if v["segments_require_email_consent"] or name in always_consented:
            ids = ids.intersection(consented)
        frames.append(pd.DataFrame({"segment_name": name, "profile_id": ids.sort_values()}))
    bar.close()
    return pd.concat(frames, ignore_index=True), seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compute every segment membership (but the two predicted ones) from a shop's raw files in pandas.")
    parser.add_argument("raw_dir", type=Path, help="folder of the raw files (raw_profiles.parquet, ...)")
    parser.add_argument("--out", type=Path, required=True, help="Parquet file to write (segment_name, profile_id)")
    parser.add_argument("--vars", default="{}", help="JSON object of dbt vars overriding dbt_project.yml's")
    parser.add_argument("--stats", type=Path, default=None,
                        help="JSON file to write the seconds of each step and the process's peak memory to")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    memberships, seconds = compute_memberships(args.raw_dir, json.loads(args.vars), progress=not args.quiet)
    written = time.perf_counter()
    memberships.to_parquet(args.out, index=False)
    seconds["write"] = time.perf_counter() - written
    if args.stats:
        args.stats.write_text(json.dumps({
            "seconds": time.perf_counter() - started, "steps": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "memberships": len(memberships),
        }))
    return 0


# --------------------------------------------------------------------------------------------
# The timed run (what scripts/bench.py calls; no pandas import in the caller)
# --------------------------------------------------------------------------------------------

# Above this resident size the run is stopped and reported out of memory, before it pushes the
# machine into swap or its other processes into the kernel's OOM killer: two thirds of RAM.
DEFAULT_MEMORY_LIMIT_MB = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**2 * 2 / 3


@dataclass
class PandasResult:
    """One timed run of the pandas peer."""

    status: str  # 'ok', 'out_of_memory' or 'failed'
    seconds: float  # wall time of the subprocess (Python start and imports included)
    peak_mb: float  # its peak resident memory
    memberships: set[tuple[str, str]] | None  # (segment_name, profile_id); None unless ok
    memory_limit_mb: float | None
    message: str = ""  # why it did not finish (the end of its stderr)
    # seconds per step, as the run measured them; 'of which copies and conflicts' is the part of
    # the read steps spent on the contract's duplicate rules (drop_duplicates, duplicated keys)
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def summary(self) -> str:
        if self.ok:
            return f"{self.seconds:.1f} s, peak {self.peak_mb:,.0f} MB, {len(self.memberships or ()):,} memberships"
        return f"{self.status} after {self.seconds:.1f} s (peak {self.peak_mb:,.0f} MB): {self.message}"


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def run_pandas(raw_dir: Path, *, vars: Mapping[str, Any] | None = None,
               memory_limit_mb: float | None = DEFAULT_MEMORY_LIMIT_MB, python: str = sys.executable) -> PandasResult:
    """Run the pandas peer on `raw_dir` in a subprocess; its wall time, peak RSS and memberships.

    The subprocess is this file's CLI, waited for with wait4, so the peak memory is its own
    (ru_maxrss). It is stopped when its resident memory exceeds memory_limit_mb (None: no
    limit but the machine's), and then, or when it dies of a MemoryError or is killed by the
    kernel (SIGKILL, the OOM killer), the result's status is 'out_of_memory': never an exception.
    """
    with tempfile.TemporaryDirectory(prefix="bench_pandas_") as tmp:
        out, stats, log = Path(tmp) / "memberships.parquet", Path(tmp) / "stats.json", Path(tmp) / "stderr.txt"
        command = [python, str(Path(__file__).resolve()), str(raw_dir), "--out", str(out), "--stats", str(stats),
                   "--vars", json.dumps(dict(vars or {})), "--quiet"]
        started = time.monotonic()
        with log.open("wb") as stderr:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        over_limit = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if memory_limit_mb is not None and _rss_mb(process.pid) > memory_limit_mb:
                over_limit = True
                os.kill(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        peak_mb = usage.ru_maxrss / 1024
        error = log.read_text(errors="replace")
        tail = " ".join(error.strip().splitlines()[-3:])
        if over_limit:
            return PandasResult("out_of_memory", seconds, peak_mb, None, memory_limit_mb,
                                f"stopped at {memory_limit_mb:,.0f} MB resident (the limit)")
        if code == -signal.SIGKILL or "MemoryError" in error or "ArrowMemoryError" in error:
            return PandasResult("out_of_memory", seconds, peak_mb, None, memory_limit_mb,
                                tail or "killed by SIGKILL (the kernel's OOM killer)")
        if code != 0:
            return PandasResult("failed", seconds, peak_mb, None, memory_limit_mb, f"exit {code}: {tail}")
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        memberships = set(zip(table.column("segment_name").to_pylist(), table.column("profile_id").to_pylist(),
                              strict=True))
        steps = json.loads(stats.read_text())["steps"]
        return PandasResult("ok", seconds, peak_mb, memberships, memory_limit_mb, steps=steps)


def project_memberships(database: Path) -> set[tuple[str, str]]:
    """(segment_name, profile_id) of a built warehouse's marts.segment_memberships, but the
    EXCLUDED_SEGMENTS: what run_pandas's memberships must equal."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute("select segment_name, profile_id from marts.segment_memberships").fetchall()
    return {(segment, profile_id) for segment, profile_id in rows if segment not in EXCLUDED_SEGMENTS}


def differences(project: set[tuple[str, str]], peer: set[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """{segment: (members the peer lacks, members it has in excess)} for the segments that differ."""
    found: dict[str, list[int]] = {}
    for segment, _ in project - peer:
        found.setdefault(segment, [0, 0])[0] += 1
    for segment, _ in peer - project:
        found.setdefault(segment, [0, 0])[1] += 1
    return {segment: (missing, extra) for segment, (missing, extra) in sorted(found.items())}


if __name__ == "__main__":
    raise SystemExit(main())
