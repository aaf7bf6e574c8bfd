"""A hand-written scenario: one profile per interesting case, every segment's exact members.

The fixture folder tests/python/fixtures/segment_scenario holds the six raw inputs (read in
place through var raw_data_path) and a README listing each profile, what it is for and the
segments it must be in. The project is built once per module into a temporary DuckDB with
as_of_date = 2026-05-31, then a copy is rebuilt (segments only) with
segments_require_email_consent = false.

Everything expected below is worked out by hand from docs/segment-catalog.md, not read
from the models. When a model disagrees with this file and the arithmetic here is right, the
model is wrong (the catalog is authoritative).

Dates with D = 2026-05-31 (windows are "D − N < day <= D"):
    30 days: day > 2026-05-01      60 days: day > 2026-04-01     90 days: day > 2026-03-02
    15 days: day > 2026-05-16       7 days: day > 2026-05-24    365 days: day > 2025-05-31
    3 months: day > 2026-02-28    4 months: day > 2026-01-31    6 months: day > 2025-11-30
    12 months: day > 2025-05-31  13 months: day > 2025-04-30   24 months: day > 2024-05-31
    lapsed: 2025-04-30 < day <= 2026-01-31    drive-by: 2025-04-30 < day <= 2025-11-30
    dead weight: created on or before 2025-11-30
    current sale summer_2026: 2026-05-20 .. min(2026-06-20, D) = 2026-05-31
    previous edition: summer_2025 and summer_2025_extended both start 2025-06-25 (the tie
    goes to the greatest sale_id, summer_2025_extended): 2025-06-25 .. 2025-07-22. The
    spring_2026 sale (other season) and summer_2024 (older edition) are decoys; autumn_2026
    starts after D.

T, the high-value threshold (mean order_total of all purchases with day <= D, rounded half
away from zero). Purchases are placed orders with a profile; the cancelled (500.00),
refunded (400.00) and after-D (999.00) orders of p_no_counted_purchase and the guest order
(10000.00, no profile) do not count. The 44 purchases, per profile:
    p_biggest_fan 3 x 180.00 = 540.00        p_brand_fan 3 x 40.00 = 120.00
    p_brand_fan_unconsented 3 x 40 = 120.00   p_potential_fan 1 x 400.00 = 400.00
    p_potential_brand_lover 2 x 30 = 60.00    p_recent_edge_in 20.00, p_recent_edge_out 20.00
    p_former_biggest_fan 3 x 250 = 750.00     p_former_brand_fan 3 x 50 = 150.00
    p_flash_in_the_pan 729.76                 p_drive_by 25.00, p_drive_by_edge_in 25.00
    p_drive_by_edge_out 2 x 25 = 50.00        p_aov_equals_t 100.00
    p_aov_rounds_down 100+100+100.01 = 300.01 p_aov_just_above_t 100+100.01 = 200.01
    p_fence_sitter_buyer_out 60.00            p_espresso 45.00, p_clicker_bought_recently 45.00
    p_hv_cart_bought_after 180.00             p_year_edge_in 2 x 60 = 120.00
    p_year_edge_out 2 x 60 = 120.00           p_category_one_order 70.00
    p_discount_order_level_only 35.00         p_sale_buyer 55.00
    p_sale_cart_abandoner 30.00               p_last_sale_buyer 30.00
    count = 3+3+3+1+2+1+1+3+3+1+1+1+2+1+3+2+1+1+1+1+2+2+1+1+1+1+1 = 44
    sum   = 540+120+120+400+60+20+20+750+150+729.76+25+25+50+100+300.01+200.01+60+45+45
            +180+120+120+70+35+55+30+30 = 4399.78
    mean  = 4399.78 / 44 = 99.995 exactly  ->  T = 100.00 (half away from zero; truncating
            would give 99.99 and flip p_aov_equals_t, p_aov_rounds_down and
            p_hv_cart_near_miss into the high-value segments).
AOVs that sit on T: p_aov_equals_t 100.00 (not > T); p_aov_rounds_down 300.01/3 = 100.0033
-> 100.00 (not > T); p_aov_just_above_t 200.01/2 = 100.005 -> 100.01 (> T).

RFM population: a purchase with day > 2024-05-31: every buyer except p_fence_sitter_buyer_out
(its only purchase is on 2024-05-31), n = 26, so score = min(5, 1 + floor(5 (rank-1) / 25))
= min(5, 1 + floor((rank-1) / 5)): ranks 1-5 -> 1, 6-10 -> 2, 11-15 -> 3, 16-20 -> 4,
21-26 -> 5.
    F: frequency 1 x15 -> rank 1 -> 1;  frequency 2 x5 -> rank 16 -> 4;
       frequency 3 x6 -> rank 21 -> 5.
    M (mean order_total in the lookback, ascending, rank):
       20.00 x2 r1 ->1   25.00 x3 r3 ->1   30.00 x3 r6 ->2   35.00 r9 ->2   40.00 x2 r10 ->2
       45.00 x2 r12 ->3  50.00 r14 ->3     55.00 r15 ->3     60.00 x2 r16 ->4  70.00 r18 ->4
       100.00 x2 r19 ->4 100.01 r21 ->5    180.00 x2 r22 ->5 250.00 r24 ->5  400.00 r25 ->5
       729.76 r26 ->5
    R (last purchase day, ascending, rank):
       2025-04-30 r1, 2025-05-01 r2, 2025-06-25 r3, 2025-07-22 r4, 2025-08-15 r5 -> 1
       2025-10-10 r6, 2025-11-30 r7, 2025-12-05 r8, 2026-01-31 r9, 2026-02-01 r10 -> 2
       2026-04-01 x2 r11, 2026-04-05 r13, 2026-04-15 r14, 2026-04-18 r15 -> 3
       2026-04-20 r16, 2026-04-25 x2 r17, 2026-05-01 r19, 2026-05-05 r20 -> 4
       2026-05-10 r21, 05-12 r22, 05-14 r23, 05-19 r24, 05-20 r25, 05-27 r26 -> 5

    profile                      last day    F  M        R F M  loyal bargain big
    p_drive_by_edge_out          2025-04-30  2  25.00    1 4 1        x
    p_drive_by_edge_in           2025-05-01  1  25.00    1 1 1
    p_sale_cart_abandoner        2025-06-25  1  30.00    1 1 2
    p_last_sale_buyer            2025-07-22  1  30.00    1 1 2
    p_flash_in_the_pan           2025-08-15  1  729.76   1 1 5                 x
    p_former_biggest_fan         2025-10-10  3  250.00   2 5 5
    p_drive_by                   2025-11-30  1  25.00    2 1 1
    p_former_brand_fan           2025-12-05  3  50.00    2 5 3
    p_recent_edge_out            2026-01-31  1  20.00    2 1 1
    p_recent_edge_in             2026-02-01  1  20.00    2 1 1
    p_year_edge_in               2026-04-01  2  60.00    3 4 4
    p_year_edge_out              2026-04-01  2  60.00    3 4 4
    p_aov_equals_t               2026-04-05  1  100.00   3 1 4                 x
    p_category_one_order         2026-04-15  1  70.00    3 1 4                 x
    p_discount_order_level_only  2026-04-18  1  35.00    3 1 2
    p_potential_fan              2026-04-20  1  400.00   4 1 5                 x
    p_potential_brand_lover      2026-04-25  2  30.00    4 4 2    x     x
    p_aov_just_above_t           2026-04-25  2  100.01   4 4 5    x
    p_espresso                   2026-05-01  1  45.00    4 1 3
    p_aov_rounds_down            2026-05-05  3  100.00   4 5 4    x
    p_biggest_fan                2026-05-10  3  180.00   5 5 5    x
    p_brand_fan                  2026-05-12  3  40.00    5 5 2    x     x
    p_brand_fan_unconsented      2026-05-14  3  40.00    5 5 2    (x)   (x)   (unconsented)
    p_clicker_bought_recently    2026-05-19  1  45.00    5 1 3
    p_sale_buyer                 2026-05-20  1  55.00    5 1 3
    p_hv_cart_bought_after       2026-05-27  1  180.00   5 1 5                 x
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "segment_scenario"
AS_OF_DATE = "2026-05-31"
DBT_TIMEOUT_SECONDS = 300

ALL_SEGMENTS = [
    "biggest_fans",
    "brand_fans",
    "potential_fans",
    "potential_brand_lovers",
    "former_biggest_fans",
    "former_brand_fans",
    "flash_in_the_pan",
    "drive_by_shoppers",
    "fence_sitters",
    "window_shoppers",
    "espresso_shoppers",
    "interested_shoppers",
    "false_starts",
    "dead_weight",
    "engaged_30d",
    "engaged_60d",
    "engaged_90d",
    "new_subscribers",
    "over_pressured",
    "local_audience",
    "high_value_cart_abandoners",
    "loyal_buyers",
    "bargain_hunters",
    "big_spenders",
    "category_repeat_buyers",
    "discount_buyers",
    "recommendation_clickers",
    "undecided_visitors",
    "current_sale_buyers",
    "sale_cart_abandoners",
    "last_sale_buyers",
    # Beyond the catalog (issue 16): RFM group better at D than 3 months before, and the two
    # segments on the predictions (CLV_VARS below; the table in
    # test_predicted_segments_follow_the_formulas).
    "rising_stars",
    "at_risk_vips",
    "likely_to_buy_soon",
]

# The predictions take fixed BG/NBD and Gamma-Gamma parameters (alpha in days), the SQL path
# of PostgreSQL and Spark, as test_cross_engine does: a fit on 26 buyers says little, and the
# segments' members must be worked out here. at_risk_vip_top_percent 25: with 26 predicted
# customers, the top 6 (100 x rank <= 25 x 26).
CLV_PARAMETERS = {
    "bg_nbd": {"r": 1.0, "alpha": 10.0, "a": 0.8, "b": 2.5},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44},
}
CLV_VARS = {"clv_parameters": CLV_PARAMETERS, "at_risk_vip_top_percent": 25}

# Segments marked (c) in the catalog: consent is required whatever the var says.
ALWAYS_CONSENTED_SEGMENTS = {
    "dead_weight",
    "engaged_30d",
    "engaged_60d",
    "engaged_90d",
    "new_subscribers",
}

ENGAGED_ALL = {"engaged_30d", "engaged_60d", "engaged_90d"}

# Exact segment memberships with the default vars (segments_require_email_consent: true).
# Each profile's reasons are in fixtures/segment_scenario/README.md.
EXPECTED: dict[str, set[str]] = {
    # --- purchase personas (T = 100.00) -----------------------------------------------------
    "p_biggest_fan": {"biggest_fans", "loyal_buyers"},
    "p_brand_fan": {"brand_fans", "loyal_buyers", "bargain_hunters"},
    "p_brand_fan_unconsented": set(),
    "p_potential_fan": {"potential_fans", "big_spenders"},
    "p_potential_brand_lover": {"potential_brand_lovers", "loyal_buyers", "bargain_hunters"},
    "p_recent_edge_in": {"potential_brand_lovers"},
    "p_recent_edge_out": set(),  # lapsed, but less than 6 months ago: no purchase persona
    "p_former_biggest_fan": {"former_biggest_fans"},
    "p_former_brand_fan": {"former_brand_fans"},
    "p_flash_in_the_pan": {"flash_in_the_pan", "big_spenders"},
    "p_drive_by": {"drive_by_shoppers"},
    "p_drive_by_edge_in": {"drive_by_shoppers"},
    "p_drive_by_edge_out": {"dead_weight", "bargain_hunters"},
    "p_aov_equals_t": {"potential_brand_lovers", "big_spenders"},
    "p_aov_rounds_down": {"brand_fans", "loyal_buyers"},
    "p_aov_just_above_t": {"potential_fans", "loyal_buyers", "at_risk_vips"},
    "p_fence_sitter_buyer_out": {"engaged_90d"},
    "p_espresso": {"potential_brand_lovers", "espresso_shoppers"} | ENGAGED_ALL,
    "p_clicker_bought_recently": {"potential_brand_lovers", "likely_to_buy_soon"} | ENGAGED_ALL,
    "p_hv_cart_bought_after": {"potential_fans", "current_sale_buyers", "big_spenders", "likely_to_buy_soon"},
    # rising_stars: cannot_lose_them on 2026-02-28 (their one purchase by then, in 2025: 214),
    # loyal at D (344) after a second purchase on 2026-04-01.
    "p_year_edge_in": {"potential_brand_lovers", "category_repeat_buyers", "discount_buyers", "rising_stars"},
    "p_year_edge_out": {"potential_brand_lovers", "rising_stars"},
    "p_category_one_order": {"potential_brand_lovers", "big_spenders"},
    "p_discount_order_level_only": {"potential_brand_lovers"},
    "p_sale_buyer": {"potential_brand_lovers", "current_sale_buyers", "likely_to_buy_soon"},
    "p_sale_cart_abandoner": {"drive_by_shoppers", "last_sale_buyers", "sale_cart_abandoners"},
    "p_last_sale_buyer": {"drive_by_shoppers", "last_sale_buyers"},
    # --- no counted purchase ----------------------------------------------------------------
    "p_no_counted_purchase": {"interested_shoppers"},
    "p_fence_sitter": {"fence_sitters"} | ENGAGED_ALL,
    "p_fence_sitter_apple_out": {"window_shoppers", "engaged_60d", "engaged_90d"},
    "p_window_shopper": {"window_shoppers"} | ENGAGED_ALL,
    "p_espresso_click_edge_out": {"window_shoppers", "engaged_60d", "engaged_90d"},
    "p_interested": {"interested_shoppers"},
    "p_false_start": {"false_starts"},
    "p_false_start_edge_out": {"window_shoppers"},
    "p_dead_weight": {"dead_weight"},
    "p_dead_weight_created_out": set(),
    "p_dead_weight_unconsented": set(),
    "p_new_subscriber": {"new_subscribers"} | ENGAGED_ALL,
    "p_new_subscriber_grace_edge_out": {"new_subscribers"},
    "p_resubscriber": ENGAGED_ALL,
    "p_over_pressured": {"over_pressured"},
    "p_over_pressured_edge_out": set(),
    "p_local_fr": {"local_audience"},
    "p_unconsented_engaged_fr": set(),
    "p_hv_cart_abandoner": {
        "high_value_cart_abandoners",
        "interested_shoppers",
        "sale_cart_abandoners",
    },
    "p_hv_cart_near_miss": {"interested_shoppers", "sale_cart_abandoners"},
    "p_reco_clicker": {"recommendation_clickers"},
    "p_undecided": {"undecided_visitors"},
    "p_undecided_edge_out": set(),
}

# The profiles whose email_consent is not 'subscribed'.
UNCONSENTED = {"p_brand_fan_unconsented", "p_dead_weight_unconsented", "p_unconsented_engaged_fr"}

# What segments_require_email_consent: false adds: the unconsented profiles, in the non-(c)
# segments they qualify for. p_dead_weight_unconsented qualifies only for dead_weight (c);
# p_unconsented_engaged_fr would be engaged_30d/60d/90d and new_subscribers if consented.
CONSENT_OFF_ADDITIONS: dict[str, set[str]] = {
    "p_brand_fan_unconsented": {"brand_fans", "loyal_buyers", "bargain_hunters"},
    "p_dead_weight_unconsented": set(),
    "p_unconsented_engaged_fr": {"window_shoppers", "local_audience"},
}

# For every segment, profiles that nearly qualify (one condition, often one day, short).
NEAR_MISSES: dict[str, list[str]] = {
    "biggest_fans": ["p_aov_rounds_down", "p_former_biggest_fan", "p_aov_just_above_t"],
    "brand_fans": ["p_potential_brand_lover", "p_former_brand_fan", "p_brand_fan_unconsented"],
    "potential_fans": ["p_aov_equals_t", "p_no_counted_purchase", "p_flash_in_the_pan"],
    "potential_brand_lovers": ["p_recent_edge_out", "p_aov_just_above_t"],
    "former_biggest_fans": ["p_former_brand_fan", "p_flash_in_the_pan", "p_biggest_fan"],
    "former_brand_fans": ["p_former_biggest_fan", "p_drive_by", "p_brand_fan"],
    "flash_in_the_pan": ["p_drive_by", "p_potential_fan", "p_former_biggest_fan"],
    "drive_by_shoppers": ["p_drive_by_edge_out", "p_recent_edge_out", "p_former_brand_fan"],
    "fence_sitters": ["p_fence_sitter_apple_out", "p_fence_sitter_buyer_out"],
    "window_shoppers": ["p_fence_sitter", "p_false_start", "p_over_pressured_edge_out"],
    "espresso_shoppers": [
        "p_clicker_bought_recently",
        "p_espresso_click_edge_out",
        "p_no_counted_purchase",
    ],
    "interested_shoppers": ["p_undecided_edge_out", "p_reco_clicker", "p_sale_buyer"],
    "false_starts": ["p_false_start_edge_out", "p_dead_weight"],
    "dead_weight": [
        "p_dead_weight_created_out",
        "p_dead_weight_unconsented",
        "p_drive_by_edge_in",
        "p_false_start",
    ],
    "engaged_30d": [
        "p_espresso_click_edge_out",
        "p_new_subscriber_grace_edge_out",
        "p_fence_sitter_apple_out",
    ],
    "engaged_60d": ["p_fence_sitter_buyer_out"],
    "engaged_90d": ["p_false_start_edge_out", "p_unconsented_engaged_fr"],
    "new_subscribers": ["p_resubscriber", "p_dead_weight_created_out", "p_unconsented_engaged_fr"],
    "over_pressured": ["p_over_pressured_edge_out"],
    "local_audience": ["p_unconsented_engaged_fr"],
    "high_value_cart_abandoners": ["p_hv_cart_near_miss", "p_hv_cart_bought_after"],
    "loyal_buyers": ["p_year_edge_in", "p_former_biggest_fan", "p_sale_buyer"],
    "bargain_hunters": ["p_former_brand_fan", "p_discount_order_level_only"],
    "big_spenders": ["p_espresso", "p_aov_rounds_down", "p_aov_just_above_t"],
    "category_repeat_buyers": ["p_year_edge_out", "p_category_one_order"],
    "discount_buyers": [
        "p_year_edge_out",
        "p_discount_order_level_only",
        "p_no_counted_purchase",
    ],
    "recommendation_clickers": ["p_clicker_bought_recently"],
    "undecided_visitors": ["p_undecided_edge_out"],
    "current_sale_buyers": ["p_clicker_bought_recently", "p_no_counted_purchase"],
    "sale_cart_abandoners": ["p_sale_buyer", "p_hv_cart_bought_after", "p_no_counted_purchase"],
    "last_sale_buyers": ["p_former_brand_fan", "p_drive_by_edge_out", "p_year_edge_in"],
    # champions at D but first bought after 2026-02-28 (no group then); a group no better at D.
    "rising_stars": ["p_biggest_fan", "p_aov_rounds_down", "p_former_brand_fan"],
    # top 6 but probably alive (0.668); alive 0.496 but rank 14; alive 0.17 but rank 15.
    "at_risk_vips": ["p_biggest_fan", "p_potential_brand_lover", "p_former_biggest_fan"],
    # next order in 40 days; P(alive) 0.470, no expected date; unconsented (46 days anyway).
    "likely_to_buy_soon": ["p_espresso", "p_aov_just_above_t", "p_brand_fan_unconsented"],
}

# (recency, frequency, monetary) scores of the RFM population, from the table above.
EXPECTED_RFM: dict[str, tuple[int, int, int]] = {
    "p_drive_by_edge_out": (1, 4, 1),
    "p_drive_by_edge_in": (1, 1, 1),
    "p_sale_cart_abandoner": (1, 1, 2),
    "p_last_sale_buyer": (1, 1, 2),
    "p_flash_in_the_pan": (1, 1, 5),
    "p_former_biggest_fan": (2, 5, 5),
    "p_drive_by": (2, 1, 1),
    "p_former_brand_fan": (2, 5, 3),
    "p_recent_edge_out": (2, 1, 1),
    "p_recent_edge_in": (2, 1, 1),
    "p_year_edge_in": (3, 4, 4),
    "p_year_edge_out": (3, 4, 4),
    "p_aov_equals_t": (3, 1, 4),
    "p_category_one_order": (3, 1, 4),
    "p_discount_order_level_only": (3, 1, 2),
    "p_potential_fan": (4, 1, 5),
    "p_potential_brand_lover": (4, 4, 2),
    "p_aov_just_above_t": (4, 4, 5),
    "p_espresso": (4, 1, 3),
    "p_aov_rounds_down": (4, 5, 4),
    "p_biggest_fan": (5, 5, 5),
    "p_brand_fan": (5, 5, 2),
    "p_brand_fan_unconsented": (5, 5, 2),
    "p_clicker_bought_recently": (5, 1, 3),
    "p_sale_buyer": (5, 1, 3),
    "p_hv_cart_bought_after": (5, 1, 5),
}


# --- building ---------------------------------------------------------------------------


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if found is None:
        pytest.skip("dbt is not installed in this environment")
    return found


def _run_dbt(args: list[str], workdir: Path, database: Path, build_vars: dict) -> float:
    """Runs one dbt command against `database`, all artefacts under `workdir`; returns seconds."""
    env = dict(os.environ)
    env.update(
        {
            "PERSONAS_DUCKDB_PATH": str(database),
            "DBT_TARGET_PATH": str(workdir / "target"),
            "DBT_LOG_PATH": str(workdir / "logs"),
            "DBT_PROFILES_DIR": str(PROJECT_ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    env.pop("PERSONAS_TARGET", None)
    command = [_dbt_executable(), *args, "--vars", json.dumps(build_vars)]
    started = time.monotonic()
    completed = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).splitlines()
        pytest.fail(f"`{' '.join(command[1:])}` failed (exit {completed.returncode}):\n" + "\n".join(output[-60:]))
    return time.monotonic() - started


@pytest.fixture(scope="module")
def scenario_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Builds the scenario once: 'default' (the catalog's vars) and 'consent_off' (a copy of
    it with only the segment marts and segment_memberships rebuilt with
    segments_require_email_consent: false; everything upstream is unchanged by that var)."""
    workdir = tmp_path_factory.mktemp("segment_scenario")
    default_db = workdir / "default.duckdb"
    base_vars = {"raw_data_path": str(FIXTURE_DIR), "as_of_date": AS_OF_DATE, **CLV_VARS}
    # Models and the rfm_segments seed only. The demo raw seeds are not loaded (staging reads
    # the fixture files); unit tests are left out because, with raw_data_path set, staging
    # reads the files instead of their mocked inputs; data tests are left out to keep this
    # under a minute (the project's own suites run them) and so that a data test failing on
    # this tiny data set cannot skip the segments this module checks.
    _run_dbt(
        [
            "build",
            "--exclude",
            "resource_type:test",
            "resource_type:unit_test",
        ],
        workdir / "default",
        default_db,
        base_vars,
    )
    consent_off_db = workdir / "consent_off.duckdb"
    shutil.copyfile(default_db, consent_off_db)
    _run_dbt(
        ["run", "--select", "tag:segments", "segment_memberships"],
        workdir / "consent_off",
        consent_off_db,
        {**base_vars, "segments_require_email_consent": False},
    )
    yield {"default": default_db, "consent_off": consent_off_db}


def _query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _memberships(database: Path) -> dict[str, set[str]]:
    rows = _query(database, "select profile_id, segment_name from marts.segment_memberships")
    memberships: dict[str, set[str]] = {}
    for profile_id, segment_name in rows:
        memberships.setdefault(profile_id, set()).add(segment_name)
    return memberships


def _membership_diff(expected: dict[str, set[str]], got: dict[str, set[str]]) -> str:
    lines = []
    for profile_id in sorted(set(expected) | set(got)):
        want, have = expected.get(profile_id, set()), got.get(profile_id, set())
        if want != have:
            parts = []
            if want - have:
                parts.append(f"missing {sorted(want - have)}")
            if have - want:
                parts.append(f"unexpected {sorted(have - want)}")
            lines.append(f"  {profile_id}: " + "; ".join(parts))
    return "\n".join(lines)


def _fixture_profile_ids() -> set[str]:
    with (FIXTURE_DIR / "raw_profiles.csv").open(newline="") as handle:
        return {row["profile_id"] for row in csv.DictReader(handle)}


# --- the scenario itself (no build needed) -------------------------------------------------


def test_scenario_lists_every_fixture_profile_once() -> None:
    assert set(EXPECTED) == _fixture_profile_ids()
    assert UNCONSENTED <= set(EXPECTED)
    assert set(CONSENT_OFF_ADDITIONS) == UNCONSENTED
    assert all(not EXPECTED[profile_id] for profile_id in UNCONSENTED)


def test_every_segment_has_a_member_and_a_near_miss() -> None:
    members = {segment: set() for segment in ALL_SEGMENTS}
    for profile_id, segments in EXPECTED.items():
        assert segments <= set(ALL_SEGMENTS), f"{profile_id}: {segments - set(ALL_SEGMENTS)}"
        for segment in segments:
            members[segment].add(profile_id)
    assert set(NEAR_MISSES) == set(ALL_SEGMENTS)
    for segment in ALL_SEGMENTS:
        assert members[segment], f"{segment} has no member in the scenario"
        assert NEAR_MISSES[segment], f"{segment} has no near miss in the scenario"
        for profile_id in NEAR_MISSES[segment]:
            assert profile_id in EXPECTED, profile_id
            assert segment not in EXPECTED[profile_id], f"{profile_id} is a member of {segment}"


def test_consent_off_additions_avoid_consent_segments() -> None:
    for profile_id, segments in CONSENT_OFF_ADDITIONS.items():
        assert not segments & ALWAYS_CONSENTED_SEGMENTS, profile_id


# --- the built warehouse ------------------------------------------------------------------


def test_every_raw_row_is_staged(scenario_databases: dict[str, Path]) -> None:
    database = scenario_databases["default"]
    for entity in ("profiles", "orders", "order_lines", "email_events", "site_visits"):
        quarantined = _query(database, f"select * from staging.stg_{entity}_quarantine")
        assert quarantined == [], f"fixture rows of raw_{entity} were quarantined: {quarantined}"
    staged = {row[0] for row in _query(database, "select profile_id from marts.dim_profiles")}
    assert staged == set(EXPECTED)


def test_registry_matches_the_catalog(scenario_databases: dict[str, Path]) -> None:
    rows = _query(scenario_databases["default"], "select segment_name from marts.segment_summary")
    assert sorted(row[0] for row in rows) == sorted(ALL_SEGMENTS)


def test_sale_windows(scenario_databases: dict[str, Path]) -> None:
    rows = _query(
        scenario_databases["default"],
        "select sale_role, sale_id, cast(starts_on as varchar), cast(window_ends_on as varchar)"
        " from intermediate.int_sale_windows order by sale_role",
    )
    assert rows == [
        ("current", "summer_2026", "2026-05-20", "2026-05-31"),
        ("previous", "summer_2025_extended", "2025-06-25", "2025-07-22"),
    ]


def test_high_value_threshold_is_the_rounded_mean(scenario_databases: dict[str, Path]) -> None:
    rows = _query(
        scenario_databases["default"],
        "select cast(high_value_threshold as varchar), cast(shop_mean_order_total as varchar)"
        " from intermediate.int_high_value_threshold",
    )
    assert rows == [("100.00", "100.00")], "T = round(4399.78 / 44 = 99.995) = 100.00"


def test_rfm_scores(scenario_databases: dict[str, Path]) -> None:
    rows = _query(
        scenario_databases["default"],
        "select profile_id, recency_score, frequency_score, monetary_score"
        " from marts.dim_profiles where is_in_rfm_population",
    )
    got = {profile_id: (r, f, m) for profile_id, r, f, m in rows}
    differences = "\n".join(
        f"  {profile_id}: expected {EXPECTED_RFM.get(profile_id)}, got {got.get(profile_id)}"
        for profile_id in sorted(set(EXPECTED_RFM) | set(got))
        if EXPECTED_RFM.get(profile_id) != got.get(profile_id)
    )
    assert not differences, "RFM scores (R, F, M) differ from the hand-computed table:\n" + (differences)


def test_segment_memberships_are_exact(scenario_databases: dict[str, Path]) -> None:
    database = scenario_databases["default"]
    duplicates = _query(
        database,
        "select segment_name, profile_id, count(*) from marts.segment_memberships group by 1, 2 having count(*) > 1",
    )
    assert duplicates == []
    differences = _membership_diff(EXPECTED, _memberships(database))
    assert not differences, "segment memberships differ from the scenario:\n" + differences


def _peer_predictions() -> dict[str, dict[str, float]]:
    """The predictions of the RFM population (EXPECTED_RFM), computed from the raw orders file
    by plugins/personas_clv.py's formulas (scipy's hyp2f1): the peer of the models' SQL.
    Purchases as in the docstring: placed orders with a profile, day <= D."""
    import datetime as dt

    import numpy as np

    sys.path.insert(0, str(PROJECT_ROOT / "plugins"))
    import personas_clv as clv

    as_of = dt.date.fromisoformat(AS_OF_DATE)
    with (FIXTURE_DIR / "raw_orders.csv").open(newline="") as handle:
        orders = [
            row for row in csv.DictReader(handle)
            if row["status"] == "placed" and row["profile_id"]
            and dt.date.fromisoformat(row["ordered_at"][:10]) <= as_of
        ]  # fmt: skip
    assert len(orders) == 44, "the 44 purchases of the docstring"
    summary = clv.summarise_transactions(
        np.array([row["profile_id"] for row in orders]),
        np.array([dt.date.fromisoformat(row["ordered_at"][:10]).toordinal() for row in orders]),
        np.array([float(row["order_total"]) for row in orders]),
        as_of.toordinal(),
    )
    x, t_x, age = summary["x"], summary["t_x"], summary["T"]
    bg_nbd, gamma_gamma = CLV_PARAMETERS["bg_nbd"], CLV_PARAMETERS["gamma_gamma"]
    alive = clv.bg_nbd_probability_alive(bg_nbd, x, t_x, age)
    purchases = clv.bg_nbd_expected_purchases(bg_nbd, 90, x, t_x, age)
    value = clv.gamma_gamma_expected_value(gamma_gamma, x, summary["m"])
    next_order = clv.bg_nbd_median_days_to_next_purchase(bg_nbd, x, t_x, age)
    return {
        str(profile_id): {
            "probability_alive": float(alive[i]),
            "expected_purchases": float(purchases[i]),
            "expected_order_value": float(value[i]),
            "predicted_clv": float(purchases[i] * value[i]),
            "days_to_next_order": float(next_order[i]),
        }
        for i, profile_id in enumerate(summary["customer_id"])
        if profile_id in EXPECTED_RFM
    }


def test_predicted_segments_follow_the_formulas(scenario_databases: dict[str, Path]) -> None:
    """The predictions of the scenario, and the two segments on them, against the peer.

    With CLV_PARAMETERS (r 1, alpha 10 days, a 0.8, b 2.5; p 6.25, q 3.74, v 15.44) and 90 days:
        profile                    x  t_x    T  P(alive)  CLV     rank  next order (days)
        p_biggest_fan              2   61   82  0.668   239.65    1    53.8
        p_aov_rounds_down          2   61   87  0.632   124.58    2    66.6
        p_hv_cart_bought_after     0    0    4  1        113.54    3    14
        p_sale_buyer               0    0   11  1         87.56    4    21
        p_clicker_bought_recently  0    0   12  1         84.88    5    22
        p_aov_just_above_t         1   31   67  0.470    68.81    6    none (P(alive) <= 1/2)
        p_brand_fan_unconsented    2   61   78  0.697    65.89    7    46.1
        p_espresso                 0    0   30  1         55.50    9    40
        p_potential_brand_lover    1   36   72  0.496    27.17   14    none
        p_former_biggest_fan       2  122  355  0.171    25.02   15    none
    (a one-time buyer is alive with certainty under BG/NBD; with r = 1 its median wait is
    alpha + T days). At-risk VIPs: rank <= 6 and P(alive) < 0.5: p_aov_just_above_t. Likely to
    buy soon: next order within 30 days, consented: the three recent one-time buyers.
    """
    peer = _peer_predictions()
    assert set(peer) == set(EXPECTED_RFM)
    rows = _query(
        scenario_databases["default"],
        "select profile_id, probability_alive, expected_purchases, expected_order_value, predicted_clv,"
        " days_to_next_order, prediction_status from marts.fct_customer_predictions",
    )
    built = {row[0]: row[1:] for row in rows}
    assert set(built) == set(peer)
    for profile_id, values in peer.items():
        *numbers, status = built[profile_id]
        assert status == "predicted", profile_id
        for name, got in zip(
            ("probability_alive", "expected_purchases", "expected_order_value", "predicted_clv", "days_to_next_order"),
            numbers,
            strict=True,
        ):
            want = values[name]
            if want != want:  # NaN: no expected next order
                assert got is None, (profile_id, name, got)
            else:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (profile_id, name)

    # The two segments' rules on the peer's numbers equal the hand-kept EXPECTED.
    clvs = [values["predicted_clv"] for values in peer.values()]
    at_risk = {
        profile_id for profile_id, values in peer.items()
        if 100 * (1 + sum(clv > values["predicted_clv"] for clv in clvs)) <= 25 * len(clvs)
        and values["probability_alive"] < 0.5 and profile_id not in UNCONSENTED
    }  # fmt: skip
    soon = {
        profile_id for profile_id, values in peer.items()
        if values["days_to_next_order"] <= 30 and profile_id not in UNCONSENTED
    }  # fmt: skip
    assert at_risk == {profile_id for profile_id, segments in EXPECTED.items() if "at_risk_vips" in segments}
    assert soon == {profile_id for profile_id, segments in EXPECTED.items() if "likely_to_buy_soon" in segments}


def test_consent_off_adds_exactly_the_unconsented_profiles(
    scenario_databases: dict[str, Path],
) -> None:
    expected = {
        profile_id: segments | CONSENT_OFF_ADDITIONS.get(profile_id, set()) for profile_id, segments in EXPECTED.items()
    }
    got = _memberships(scenario_databases["consent_off"])
    differences = _membership_diff(expected, got)
    assert not differences, "segment memberships with segments_require_email_consent: false differ:\n" + differences
    baseline = _memberships(scenario_databases["default"])
    added = {
        (profile_id, segment)
        for profile_id, segments in got.items()
        for segment in segments - baseline.get(profile_id, set())
    }
    assert {profile_id for profile_id, _ in added} <= UNCONSENTED
    assert not {segment for _, segment in added} & ALWAYS_CONSENTED_SEGMENTS
