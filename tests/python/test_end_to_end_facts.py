"""End to end: hand-written raw files -> staging, quarantine, fct_rfm and fct_engagement.

The fixture is tests/python/fixtures/end_to_end/ (one CSV per raw entity of the data contract,
read through var raw_data_path). Every expected value below is worked out by hand from those
rows and the catalog (docs/segment-catalog.md); the arithmetic is in the comments. Nothing
here is computed by the code under test.

D is pinned to 2026-05-31 unless a test says otherwise. The windows that follow from it:

    in the last 30 days      D - 30 = 2026-05-01   -> days 2026-05-02 .. 2026-05-31
    in the last 60 days      D - 60 = 2026-04-01   -> days 2026-04-02 .. 2026-05-31
    in the last 90 days      D - 90 = 2026-03-02   -> days 2026-03-03 .. 2026-05-31
    last 3 months            2026-05-31 - 3 months = 2026-02-31 -> clamped 2026-02-28
                                                   -> days 2026-03-01 .. 2026-05-31
    last 4 months (recent)   2026-01-31            -> days 2026-02-01 .. 2026-05-31
    13 months (lapsed)       2025-04-31 -> clamped 2025-04-30
                             lapsed: 2025-04-30 < last purchase <= 2026-01-31
    6 months (dead weight)   2025-11-31 -> clamped 2025-11-30
    24 months (RFM)          2024-05-31            -> purchases after 2024-05-31
    7 days (pressure)        D - 7 = 2026-05-24    -> days 2026-05-25 .. 2026-05-31

The 3-month and 90-day windows differ by two days (2026-03-01 and 2026-03-02): an event on
each of those days is in the fixture, so a 90-day interval evaluated as 3 months would show.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from conftest import END_TO_END, BuildFactory, DbtRun, declare_build, raw_data_folder

AS_OF = "2026-05-31"
# Staging, its quarantine views and everything the core marts need; nothing of the segments.
CORE = ("+path:models/marts/core", "path:models/staging")

# The builds of this module, announced so that they start together (see conftest.py).
PINNED = declare_build(END_TO_END, vars={"as_of_date": AS_OF}, select=CORE)
# as_of_date written the French way: not a date.
AS_OF_NOT_A_DATE = declare_build(END_TO_END, vars={"as_of_date": "31/05/2026"}, select=("int_purchases",))
# fixtures/missing_column/raw_orders.csv: the contract's columns less `currency`.
MISSING_COLUMN = declare_build("missing_column", select=("base_orders_rows",))
# fixtures/impossible_dates: well-formed text that is no real date or time (see the test).
IMPOSSIBLE_DATES = declare_build(
    "impossible_dates",
    vars={"as_of_date": AS_OF},
    select=("+stg_profiles_quarantine", "+stg_orders_quarantine", "stg_orders"),
)


@pytest.fixture(scope="module")
def pinned(dbt_build: BuildFactory) -> DbtRun:
    return dbt_build(PINNED).check()


def one_row(build: DbtRun, sql: str, *parameters: Any) -> dict[str, Any]:
    rows = build.query_dicts(sql, list(parameters))
    assert len(rows) == 1, f"expected one row, got {len(rows)}: {sql} {parameters}"
    return rows[0]


# --------------------------------------------------------------------------------------------
# fct_rfm
#
# Purchases (status placed, with a profile, day <= D), from raw_orders.csv:
#   p01  o101 2025-12-01 100.00 | o102 2026-03-10 150.00 | o103 2026-05-20 200.00
#        (o104 cancelled, o950..o957 quarantined, o101's exact copy collapsed: none count)
#   p02  o201 2026-05-01 20.00            (o202 refunded: not a purchase)
#   p03  o301 2024-05-31 30 | o302 2025-02-10 40.00 | o303 2025-05-10 50.00 | o304 2025-08-15 60.00
#   p04  o401 2025-06-01 500.00
#   p05  o501 2024-03-01 80.00
#   p06  o601 2026-05-01 25.00            (o602 2026-06-05, o603 2026-06-10: after D)
#   p07  only o701 2026-06-02: after D -> no row in fct_rfm
#   p10  o1001 2026-01-31 23:30 45.00     (day 2026-01-31, the last day outside "recent")
#   p11  o1101 2024-06-01 10.00 | o1102 2025-04-30 10.01
#   guest o901 (no profile_id) 1000.00 is staged but is not a purchase.
#
# T = mean order_total of those 14 purchases, rounded:
#   count = 3 + 1 + 4 + 1 + 1 + 1 + 1 + 2 = 14
#   sum   = 450 + 20 + 180 + 500 + 80 + 25 + 45 + 20.01 = 1320.01
#   1320.01 / 14 = 94.2864... -> T = 94.29
#
# AOV = revenue / purchases, all time, rounded half away from zero:
#   p01 450/3 = 150.00   p03 180/4 = 45.00   p11 20.01/2 = 10.005 -> 10.01 (half away from 0)
# high value: AOV > 94.29 -> p01 (150.00) and p04 (500.00) only; p05 (80.00) is not.
#
# RFM population: a purchase after 2024-05-31 -> p01 p02 p03 p04 p06 p10 p11, n = 7
# (p05's only purchase is 2024-03-01; p03's o301 on 2024-05-31 is outside the 24 months, so
# p03 has F = 3 and M = (40 + 50 + 60) / 3 = 50.00 although it bought 4 times in all).
# score = min(5, 1 + floor(5 (rank - 1) / 6)):  rank 1 -> 1, 2 -> 1, 3 -> 2, 4 -> 3, 5 -> 4,
#                                              6 -> 1 + floor(25/6) = 5, 7 -> min(5, 6) = 5
# R, last purchase day ascending: p11 2025-04-30 (1), p04 2025-06-01 (2), p03 2025-08-15 (3),
#   p10 2026-01-31 (4), p02 and p06 2026-05-01 (tie: both rank 5), p01 2026-05-20 (7)
#   -> R: p11 1, p04 1, p03 2, p10 3, p02 4, p06 4, p01 5
#   (without rank() ties one of p02/p06 would get rank 6 and score 5)
# F, ascending: F=1 p02 p04 p06 p10 (all rank 1), F=2 p11 (rank 5), F=3 p01 p03 (rank 6)
#   -> F: p02 p04 p06 p10 1, p11 4, p01 p03 5
# M, ascending: p11 10.01 (1), p02 20.00 (2), p06 25.00 (3), p10 45.00 (4), p03 50.00 (5),
#   p01 150.00 (6), p04 500.00 (7)
#   -> M: p11 1, p02 1, p06 2, p10 3, p03 4, p01 5, p04 5
# Codes and the catalog's table: p01 555 champions, p02 411 new_customers, p03 254 at_risk,
#   p04 115 cannot_lose_them, p06 412 new_customers, p10 313 promising, p11 141 lost.
#
# days since last purchase (D - last): p01 05-20 -> 11; p02, p06 05-01 -> 30;
#   p03 2025-08-15 -> 16 (rest of Aug) + 30+31+30+31+31+28+31+30+31 = 289;
#   p04 2025-06-01 -> 365 - 1 = 364; p05 2024-03-01 -> 365 + 365 + (31+30+30) = 821;
#   p10 2026-01-31 -> 28+31+30+31 = 120; p11 2025-04-30 -> 365 + 31 = 396.
# recent (last > 2026-01-31): p01 p02 p06.  lapsed (2025-04-30 < last <= 2026-01-31): p03 p04
#   p10 (p10 exactly on the recent boundary; p11 exactly on the lapsed boundary: neither).
# recent_purchase_count (purchases after 2026-01-31): p01 2 (03-10, 05-20), p02 1, p06 1.
# frequent (>= 3 purchases, all time): p01 (3), p03 (4).
# --------------------------------------------------------------------------------------------

FCT_RFM_COLUMNS = (
    "rfm_code", "rfm_segment", "purchase_count", "recent_purchase_count", "total_revenue",
    "average_order_value", "days_since_last_purchase", "rfm_frequency", "rfm_monetary",
    "recency_score", "frequency_score", "monetary_score", "is_recent_buyer", "is_lapsed_buyer",
    "is_frequent_buyer", "is_high_value", "is_in_rfm_population", "first_purchase_on",
    "last_purchase_on",
)

D = dt.date
M = Decimal
EXPECTED_FCT_RFM: dict[str, tuple[Any, ...]] = {
    # code, segment, purchases, recent purchases, revenue, AOV, days since last, RFM F, RFM M,
    #   R F M scores, recent, lapsed, frequent, high value, in RFM population, first, last
    "p01": ("555", "champions", 3, 2, M("450.00"), M("150.00"), 11, 3, M("150.00"),
            5, 5, 5, True, False, True, True, True, D(2025, 12, 1), D(2026, 5, 20)),
    "p02": ("411", "new_customers", 1, 1, M("20.00"), M("20.00"), 30, 1, M("20.00"),
            4, 1, 1, True, False, False, False, True, D(2026, 5, 1), D(2026, 5, 1)),
    "p03": ("254", "at_risk", 4, 0, M("180.00"), M("45.00"), 289, 3, M("50.00"),
            2, 5, 4, False, True, True, False, True, D(2024, 5, 31), D(2025, 8, 15)),
    "p04": ("115", "cannot_lose_them", 1, 0, M("500.00"), M("500.00"), 364, 1, M("500.00"),
            1, 1, 5, False, True, False, True, True, D(2025, 6, 1), D(2025, 6, 1)),
    "p05": (None, None, 1, 0, M("80.00"), M("80.00"), 821, None, None,
            None, None, None, False, False, False, False, False, D(2024, 3, 1), D(2024, 3, 1)),
    "p06": ("412", "new_customers", 1, 1, M("25.00"), M("25.00"), 30, 1, M("25.00"),
            4, 1, 2, True, False, False, False, True, D(2026, 5, 1), D(2026, 5, 1)),
    "p10": ("313", "promising", 1, 0, M("45.00"), M("45.00"), 120, 1, M("45.00"),
            3, 1, 3, False, True, False, False, True, D(2026, 1, 31), D(2026, 1, 31)),
    "p11": ("141", "lost", 2, 0, M("20.01"), M("10.01"), 396, 2, M("10.01"),
            1, 4, 1, False, False, False, False, True, D(2024, 6, 1), D(2025, 4, 30)),
}


def test_fct_rfm_has_a_row_per_buyer_and_no_other(pinned: DbtRun) -> None:
    # p07 bought only after D, p08 and p12 never bought, o901 is a guest checkout.
    rows = pinned.query("select profile_id from marts.fct_rfm order by profile_id")
    assert [row[0] for row in rows] == sorted(EXPECTED_FCT_RFM)


@pytest.mark.parametrize("profile_id", sorted(EXPECTED_FCT_RFM))
def test_fct_rfm_row(pinned: DbtRun, profile_id: str) -> None:
    row = one_row(
        pinned,
        f"select {', '.join(FCT_RFM_COLUMNS)} from marts.fct_rfm where profile_id = ?",
        profile_id,
    )
    expected = dict(zip(FCT_RFM_COLUMNS, EXPECTED_FCT_RFM[profile_id], strict=True))
    differences = {
        column: {"expected": expected[column], "got": row[column]}
        for column in FCT_RFM_COLUMNS
        if row[column] != expected[column] or type(row[column]) is not type(expected[column])
    }
    assert not differences, f"{profile_id}: {differences}"


def test_high_value_threshold_is_the_rounded_mean_purchase(pinned: DbtRun) -> None:
    # 1320.01 / 14 = 94.2864... -> 94.29 (see above); the guest's 1000.00, the cancelled
    # 999.00, the refunded 500.00 and the orders after D are not in it.
    threshold = one_row(pinned, "select * from intermediate.int_high_value_threshold")
    assert threshold["high_value_threshold"] == Decimal("94.29")
    values = pinned.query("select distinct high_value_threshold from marts.fct_rfm")
    assert values == [(Decimal("94.29"),)]


def test_rfm_ties_share_the_lowest_rank(pinned: DbtRun) -> None:
    # p02 and p06 both last bought on 2026-05-01 (08:00 and 18:00Z: the day counts):
    # rank 5 for both -> 1 + floor(5 * 4 / 6) = 4. Four profiles tie on F = 1 -> score 1.
    rows = dict(pinned.query(
        "select profile_id, recency_score from marts.fct_rfm where profile_id in ('p02', 'p06')"
    ))
    assert rows == {"p02": 4, "p06": 4}
    frequency_ones = pinned.query(
        "select profile_id from marts.fct_rfm where frequency_score = 1 order by profile_id"
    )
    assert [row[0] for row in frequency_ones] == ["p02", "p04", "p06", "p10"]


# --------------------------------------------------------------------------------------------
# fct_engagement
#
# p08's email events (raw_email_events.csv); an engagement is an email opened/clicked that is
# not an Apple privacy open:
#   e801 opened  05-30            30d 60d 90d 3m   (its exact copy is collapsed: counted once)
#   e802 clicked 05-02 00:00:00   30d 60d 90d 3m   first day inside 30 days; a click
#   e803 opened  05-01 23:59:59       60d 90d 3m   day 05-01 = D - 30: outside 30 days
#   e804 opened  04-02                60d 90d 3m   first day inside 60 days
#   e805 opened  04-01                    90d 3m   D - 60: outside 60 days
#   e806 clicked 03-03                    90d 3m   first day inside 90 days (older than 30 d)
#   e807 opened  03-02                        3m   D - 90: outside 90 days, inside 3 months
#   e808 opened  03-01                        3m   first day inside 3 months
#   e809 opened  02-28                             D - 3 months: before the recent window
#   e810 opened  05-20 Apple privacy (TRUE)        a machine open: no engagement
#   e811 opened  06-01                             after D: ignored
#   e812 sms clicked 05-20                         not email: no engagement, no click
#   e813..e817 delivered 05-25..05-29 (5), e818 delivered 05-24 (D - 7: outside)
#   e819 subscribed 01-10, e820 subscribed 05-20, e821 unsubscribed 04-10
# -> 30 days: e801 e802 = 2; 60 days: + e803 e804 = 4; 90 days: + e805 e806 = 6;
#    3 months: + e807 e808 = 8 (>= 3: frequent engager); before the window: e809 = 1;
#    dead-weight window (after 2025-11-30): e801..e809 = 9; all time (<= D): 9;
#    clicks in the last 30 days: e802 = 1; Apple opens: e810 = 1 (recent and in all);
#    delivered in 7 days: 5; first subscribed 2026-01-10; unsubscribed once.
# p08's site events (raw_site_visits.csv, columns in another order plus an extra one):
#   s81 v801 page_view 05-10 (+ exact copy) and v802 viewed_product 05-10; s82 v803
#   added_to_cart 05-02; s83 v804 clicked_recommendation 05-01 (outside 30 days); s84 v805
#   started_checkout 03-01; s85 v806 viewed_product 02-28 (outside 3 months); s86 v807
#   clicked_recommendation 05-31 23:00; s87 v808 page_view 06-01 (after D)
# -> sessions in 30 days: s81 s82 s86 = 3; product interest in 3 months: v802 v803 v805 = 3;
#    recommendation clicks in 30 days: v807 = 1; last visit 2026-05-31 23:00:00.
# p01: e101 clicked 05-15, e102 opened 05-15 -> 2 in every window, 1 click, not frequent;
#    e103 is an sms after D; e990..e997 are quarantined and count nowhere.
# p12 has no event at all: zeros (never null), not frequent.
# --------------------------------------------------------------------------------------------

EXPECTED_FCT_ENGAGEMENT: dict[str, dict[str, Any]] = {
    "p08": {
        "engagements_last_30_days": 2,
        "engagements_last_60_days": 4,
        "engagements_last_90_days": 6,
        "recent_engagement_count": 8,
        "engagements_before_recent_window": 1,
        "engagements_in_dead_weight_window": 9,
        "total_engagements": 9,
        "clicks_in_espresso_window": 1,
        "recent_apple_privacy_opens": 1,
        "total_apple_privacy_opens": 1,
        "emails_delivered_in_pressure_window": 5,
        "sessions_in_intent_window": 3,
        "recent_product_interest_events": 3,
        "recommendation_clicks_in_intent_window": 1,
        "is_frequent_engager": True,
        "has_ever_unsubscribed": True,
        "last_engaged_on": D(2026, 5, 30),
        "first_subscribed_on": D(2026, 1, 10),
        "last_site_visit_at": dt.datetime(2026, 5, 31, 23, 0, 0),
    },
    "p01": {
        "engagements_last_30_days": 2,
        "engagements_last_60_days": 2,
        "engagements_last_90_days": 2,
        "recent_engagement_count": 2,
        "engagements_before_recent_window": 0,
        "engagements_in_dead_weight_window": 2,
        "total_engagements": 2,
        "clicks_in_espresso_window": 1,
        "recent_apple_privacy_opens": 0,
        "total_apple_privacy_opens": 0,
        "emails_delivered_in_pressure_window": 0,
        "sessions_in_intent_window": 0,
        "recent_product_interest_events": 0,
        "recommendation_clicks_in_intent_window": 0,
        "is_frequent_engager": False,
        "has_ever_unsubscribed": False,
        "last_engaged_on": D(2026, 5, 15),
        "first_subscribed_on": None,
        "last_site_visit_at": None,
    },
    "p12": {
        "engagements_last_30_days": 0,
        "engagements_last_60_days": 0,
        "engagements_last_90_days": 0,
        "recent_engagement_count": 0,
        "engagements_before_recent_window": 0,
        "engagements_in_dead_weight_window": 0,
        "total_engagements": 0,
        "clicks_in_espresso_window": 0,
        "recent_apple_privacy_opens": 0,
        "total_apple_privacy_opens": 0,
        "emails_delivered_in_pressure_window": 0,
        "sessions_in_intent_window": 0,
        "recent_product_interest_events": 0,
        "recommendation_clicks_in_intent_window": 0,
        "is_frequent_engager": False,
        "has_ever_unsubscribed": False,
        "last_engaged_on": None,
        "first_subscribed_on": None,
        "last_site_visit_at": None,
    },
}


@pytest.mark.parametrize("profile_id", sorted(EXPECTED_FCT_ENGAGEMENT))
def test_fct_engagement_row(pinned: DbtRun, profile_id: str) -> None:
    expected = EXPECTED_FCT_ENGAGEMENT[profile_id]
    row = one_row(
        pinned,
        f"select {', '.join(expected)} from marts.fct_engagement where profile_id = ?",
        profile_id,
    )
    differences = {
        column: {"expected": value, "got": row[column]}
        for column, value in expected.items()
        if row[column] != value
    }
    assert not differences, f"{profile_id}: {differences}"


def test_fct_engagement_has_a_row_per_staged_profile(pinned: DbtRun) -> None:
    # 11 staged profiles: p01..p08, p10, p11, p12 (p02's exact copy collapsed).
    rows = pinned.query("select profile_id from marts.fct_engagement order by profile_id")
    assert [row[0] for row in rows] == [
        "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p10", "p11", "p12",
    ]


# --------------------------------------------------------------------------------------------
# Staging and quarantine
# --------------------------------------------------------------------------------------------


def test_staging_normalises_values(pinned: DbtRun) -> None:
    # ' A@X.com ' trimmed and lower-cased, 'fr' upper-cased; 'eur' upper-cased; the extra raw
    # columns (loyalty_tier, user_agent) are ignored; the optional flag defaults to false.
    profile = one_row(pinned, "select email, country from staging.stg_profiles where profile_id = 'p01'")
    assert profile == {"email": "a@x.com", "country": "FR"}
    order = one_row(pinned, "select currency, order_total from staging.stg_orders where order_id = 'o102'")
    assert order == {"currency": "EUR", "order_total": Decimal("150.00")}
    # o301's total is written '30' (no decimals): still a valid amount.
    assert one_row(pinned, "select order_total from staging.stg_orders where order_id = 'o301'") == {
        "order_total": Decimal("30.00")
    }
    event = one_row(
        pinned, "select is_apple_privacy_open from staging.stg_email_events where event_id = 'e802'"
    )
    assert event == {"is_apple_privacy_open": False}


# (key, quarantine_reason, quarantine_column) of every quarantined raw row, by entity.
EXPECTED_QUARANTINE: dict[str, tuple[str, set[tuple[str, str, str]]]] = {
    "profiles": ("profile_id", {
        ("p90", "missing_required_value", "email_consent"),  # email_consent empty
        ("p91", "unknown_enum_value", "email_consent"),      # 'Subscribed': enums are case-sensitive
        ("p92", "unparseable_timestamp", "created_at"),      # '+02:00' is not UTC
        ("p93", "conflicting_duplicate", "profile_id"),      # two rows, Ann and Anna: both out
        ("p94", "unparseable_date", "birth_date"),           # '01/02/1990'
    }),
    "orders": ("order_id", {
        ("o950", "missing_required_value", "currency"),
        ("o951", "unknown_enum_value", "status"),            # 'shipped'
        ("o952", "unparseable_timestamp", "ordered_at"),     # '+02:00'
        ("o953", "unparseable_number", "order_total"),       # '12,50'
        ("o954", "negative_money", "order_total"),           # -5.00
        ("o955", "conflicting_duplicate", "order_id"),       # 10.00 and 11.00
        ("o956", "orphan_reference", "profile_id"),          # p404: unknown profile
        ("o957", "orphan_reference", "profile_id"),          # p92: a quarantined profile
    }),
    "order_lines": ("order_id || '-' || line_number", {
        ("o102-2", "missing_required_value", "category"),
        ("o102-3", "quantity_below_one", "quantity"),        # quantity 0
        ("o102-4", "unparseable_number", "quantity"),        # 'two'
        ("o102-5", "negative_money", "discount_amount"),     # -1.00
        ("o201-2", "conflicting_duplicate", "line_number"),  # Hat and Scarf
        ("o404-1", "orphan_reference", "order_id"),          # unknown order
        ("o955-1", "orphan_reference", "order_id"),          # a quarantined order
    }),
    "email_events": ("event_id", {
        ("e990", "unknown_enum_value", "channel"),           # 'push'
        ("e991", "unknown_enum_value", "event_type"),        # 'Opened'
        ("e992", "orphan_reference", "profile_id"),          # p404
        ("e993", "unparseable_boolean", "is_apple_privacy_open"),  # 'maybe'
        ("e994", "conflicting_duplicate", "event_id"),       # campaign c1 and c2
        ("e995", "missing_required_value", "profile_id"),
        ("e996", "orphan_reference", "profile_id"),          # p93: a quarantined profile
        ("e997", "unparseable_timestamp", "occurred_at"),    # '15/05/2026 10:00'
    }),
    "site_visits": ("event_id", {
        ("v990", "unknown_enum_value", "event_type"),        # 'purchase'
        ("v991", "negative_money", "value"),                 # -3.00
        ("v992", "orphan_reference", "profile_id"),          # p404
        ("v993", "missing_required_value", "session_id"),
        ("v994", "conflicting_duplicate", "event_id"),       # sessions s94 and s95
        ("v995", "unparseable_timestamp", "occurred_at"),    # 'T' separator
    }),
}

# raw rows = staged + quarantined + exact copies collapsed, counted by hand in the CSV files:
#   profiles     18 = 11 (p01..p08, p10..p12) + 6 (p90 p91 p92 p93 x2 p94) + 1 (p02's copy)
#   orders       31 = 21 + 9 (o950..o957, o955 twice) + 1 (o101's copy)
#   order_lines  14 =  5 (o101-1 o102-1 o103-1 o103-2 o201-1) + 8 (o201-2 twice) + 1 (o101-1)
#   email_events 34 = 24 (e801..e821, e101..e103) + 9 (e994 twice) + 1 (e801's copy)
#   site_visits  17 =  9 (v801..v809) + 7 (v994 twice) + 1 (v801's copy)
EXPECTED_COUNTS = {
    "profiles": (18, 11, 6, 1),
    "orders": (31, 21, 9, 1),
    "order_lines": (14, 5, 8, 1),
    "email_events": (34, 24, 9, 1),
    "site_visits": (17, 9, 7, 1),
}


@pytest.mark.parametrize("entity", sorted(EXPECTED_QUARANTINE))
def test_each_bad_row_lands_in_quarantine_with_its_reason(pinned: DbtRun, entity: str) -> None:
    key, expected = EXPECTED_QUARANTINE[entity]
    rows = pinned.query(
        f"select distinct {key}, quarantine_reason, quarantine_column"
        f" from staging.stg_{entity}_quarantine"
    )
    assert set(rows) == expected


@pytest.mark.parametrize("entity", sorted(EXPECTED_COUNTS))
def test_raw_rows_reconcile(pinned: DbtRun, entity: str) -> None:
    raw_expected, staged_expected, quarantined_expected, collapsed_expected = EXPECTED_COUNTS[entity]
    with (raw_data_folder(END_TO_END) / f"raw_{entity}.csv").open(newline="") as raw_file:
        raw = sum(1 for _ in csv.DictReader(raw_file))
    staged = pinned.query(f"select count(*) from staging.stg_{entity}")[0][0]
    quarantined = pinned.query(f"select count(*) from staging.stg_{entity}_quarantine")[0][0]
    assert (raw, staged, quarantined) == (raw_expected, staged_expected, quarantined_expected)
    assert raw == staged + quarantined + collapsed_expected


def test_quarantined_rows_count_nowhere(pinned: DbtRun) -> None:
    # The bad orders of p01 (o950..o955) would add purchases and revenue; the bad events of
    # p01 (e991 e993 e994) would add engagements: p01's figures above already exclude them.
    assert one_row(pinned, "select purchase_count from marts.fct_rfm where profile_id = 'p01'") == {
        "purchase_count": 3
    }
    staged_ids = {row[0] for row in pinned.query("select profile_id from staging.stg_profiles")}
    assert staged_ids.isdisjoint({"p90", "p91", "p92", "p93", "p94"})


# --------------------------------------------------------------------------------------------
# The as-of date
# --------------------------------------------------------------------------------------------


def test_events_after_as_of_date_are_ignored(pinned: DbtRun) -> None:
    # p07's only purchase is 2026-06-02; p06's o602/o603 (06-05, 06-10) would make it a
    # frequent, high-value buyer; p08's e811 (06-01) and v808 (06-01) are after D too.
    buyers = {row[0] for row in pinned.query("select profile_id from marts.fct_rfm")}
    assert "p07" not in buyers
    p06 = one_row(
        pinned,
        "select purchase_count, is_frequent_buyer, is_high_value from marts.fct_rfm"
        " where profile_id = 'p06'",
    )
    assert p06 == {"purchase_count": 1, "is_frequent_buyer": False, "is_high_value": False}
    p08 = one_row(
        pinned,
        "select total_engagements, last_site_visit_at from marts.fct_engagement where profile_id = 'p08'",
    )
    assert p08 == {"total_engagements": 9, "last_site_visit_at": dt.datetime(2026, 5, 31, 23, 0)}


def test_as_of_date_defaults_to_the_latest_staged_day(full_fixture_build: DbtRun) -> None:
    # as_of_date unset. Latest day of any staged order, email event or site visit:
    # o702 2026-06-12 (a cancelled order: status does not matter), before e103 2026-06-11
    # (an sms: channel does not matter). The quarantined o951 and e990 (2026-07-01) are later
    # but not staged, so they do not count. -> D = 2026-06-12.
    build = full_fixture_build.check(models=["int_as_of_date", "fct_rfm", "fct_engagement"])
    assert build.query("select as_of_date from intermediate.int_as_of_date") == [(D(2026, 6, 12),)]
    # With D = 2026-06-12 the June rows count: p07 has its purchase (06-02), p06 has three
    # (05-01, 06-05, 06-10) and is a frequent buyer, p01's last purchase is 23 days old
    # (2026-06-12 - 2026-05-20 = 12 + 11), p08 has e811 (06-01): 9 + 1 = 10 engagements.
    rfm = {
        row["profile_id"]: row
        for row in build.query_dicts(
            "select profile_id, purchase_count, is_frequent_buyer, days_since_last_purchase"
            " from marts.fct_rfm where profile_id in ('p01', 'p06', 'p07')"
        )
    }
    assert rfm["p07"]["purchase_count"] == 1
    assert (rfm["p06"]["purchase_count"], rfm["p06"]["is_frequent_buyer"]) == (3, True)
    assert rfm["p01"]["days_since_last_purchase"] == 23
    assert build.query(
        "select total_engagements from marts.fct_engagement where profile_id = 'p08'"
    ) == [(10,)]


def assert_readable_failure(run: DbtRun) -> None:
    assert run.returncode != 0, f"dbt should have failed:\n{run.output[-2000:]}"
    assert "Traceback" not in run.output, f"a stack trace instead of a message:\n{run.output}"


def test_an_as_of_date_that_is_not_a_date_fails_with_a_readable_message(dbt_build: BuildFactory) -> None:
    run = dbt_build(AS_OF_NOT_A_DATE)
    assert_readable_failure(run)
    assert "as_of_date" in run.output and "31/05/2026" in run.output, run.output[-2000:]
    assert "YYYY-MM-DD" in run.output, run.output[-2000:]


def test_a_raw_file_missing_a_contract_column_fails_naming_it(dbt_build: BuildFactory) -> None:
    run = dbt_build(MISSING_COLUMN)
    assert_readable_failure(run)
    # One line of the message names both the raw entity and the missing column.
    assert re.search(r"raw_orders.*\bcurrency\b", run.output), run.output[-2000:]


def test_impossible_calendar_values_are_quarantined_not_fatal(dbt_build: BuildFactory) -> None:
    # fixtures/impossible_dates: p94 born 1990-02-30; p95 created 2025-02-29 (2025 is not a
    # leap year); o952 ordered 2026-02-29 10:00:00; o953 ordered 2026-05-05 25:00:00. Each is
    # written in the contract's format but is no real date or time: the contract says such a
    # value is bad (quarantined, reason named); it must not stop the build with a conversion
    # error. p01 and o101 are fine and staged.
    run = dbt_build(IMPOSSIBLE_DATES).check()
    assert set(run.query(
        "select profile_id, quarantine_reason, quarantine_column from staging.stg_profiles_quarantine"
    )) == {("p94", "unparseable_date", "birth_date"), ("p95", "unparseable_timestamp", "created_at")}
    assert set(run.query(
        "select order_id, quarantine_reason, quarantine_column from staging.stg_orders_quarantine"
    )) == {("o952", "unparseable_timestamp", "ordered_at"), ("o953", "unparseable_timestamp", "ordered_at")}
    assert run.query("select order_id from staging.stg_orders") == [("o101",)]
