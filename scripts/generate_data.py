#!/usr/bin/env python3
"""Generate the raw data of the Personas warehouse: a believable fashion / lifestyle shop.

Writes the five raw entities of ``docs/data-contract.md`` (``raw_profiles``,
``raw_orders``, ``raw_order_lines``, ``raw_email_events``, ``raw_site_visits``), every column
as text so that bad values survive the load, plus the ``sales_periods.csv`` configuration seed.

The population has two parts:

* planted archetypes: the first profiles (``p0000001`` ...) are scripted personas, ten per
  segment of ``docs/segment-catalog.md``, so that at D = ``--end-date`` every segment of the
  catalog has members with the default vars (see ``ARCHETYPE_GROUPS`` and ``--list-archetypes``);
* a random population generated with numpy, chunk by chunk (``--chunk-size`` profiles at a time)
  so that memory stays bounded at a million profiles.

Bad rows of every kind the contract names (and harmless noise that staging must clean) are
mixed into the random population only, never into an archetype's rows.

Same arguments, same bytes: every random draw comes from ``numpy.random.default_rng`` seeded
with ``--seed`` (and the chunk number), nothing depends on the clock or on hash ordering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from tqdm import tqdm

# --------------------------------------------------------------------------------------------
# Contract
# --------------------------------------------------------------------------------------------

COLUMNS: dict[str, list[str]] = {
    "raw_profiles": [
        "profile_id", "email", "phone_number", "first_name", "created_at", "email_consent",
        "sms_consent", "country", "region", "city", "birth_date", "gender",
    ],
    "raw_orders": [
        "order_id", "profile_id", "ordered_at", "status", "currency", "order_total",
        "discount_total",
    ],
    "raw_order_lines": [
        "order_id", "line_number", "product_id", "product_name", "category", "quantity",
        "unit_price", "discount_amount",
    ],
    "raw_email_events": [
        "event_id", "profile_id", "channel", "event_type", "campaign_id", "occurred_at",
        "is_apple_privacy_open",
    ],
    "raw_site_visits": [
        "event_id", "profile_id", "session_id", "event_type", "occurred_at", "product_id",
        "category", "value",
    ],
}
SALES_COLUMNS = ["sale_id", "season", "starts_on", "ends_on"]

CONSENTS = ["subscribed", "unsubscribed", "never_subscribed"]
STATUSES = ["placed", "cancelled", "refunded"]
CURRENCIES = ["EUR", "GBP", "USD", "CHF"]
CHANNELS = ["email", "sms"]
EMAIL_TYPES = [
    "sent", "delivered", "opened", "clicked", "bounced", "unsubscribed", "marked_as_spam",
    "subscribed",
]
SENT, DELIVERED, OPENED, CLICKED, BOUNCED, UNSUBSCRIBED, SPAM, SUBSCRIBED = range(8)
SITE_TYPES = [
    "page_view", "viewed_product", "added_to_cart", "started_checkout", "clicked_recommendation",
]
PAGE_VIEW, VIEWED_PRODUCT, ADDED_TO_CART, STARTED_CHECKOUT, CLICKED_RECO = range(5)

DAY = 86_400
HOUR = 3_600

# --------------------------------------------------------------------------------------------
# Shop vocabulary
# --------------------------------------------------------------------------------------------

CATEGORIES = ["shoes", "bags", "dresses", "accessories", "beauty", "home", "kids", "sport"]
CATEGORY_BASE_PRICE = [85.0, 95.0, 70.0, 30.0, 25.0, 40.0, 28.0, 55.0]
CATEGORY_NOUNS = [
    ["ankle boots", "sneakers", "loafers", "sandals", "ballet flats", "derbies"],
    ["tote bag", "crossbody bag", "backpack", "clutch", "shopper", "belt bag"],
    ["wrap dress", "maxi dress", "shirt dress", "slip dress", "knit dress", "midi dress"],
    ["scarf", "belt", "sunglasses", "beanie", "wallet", "earrings"],
    ["lip balm", "face serum", "hand cream", "eau de toilette", "shampoo bar", "body lotion"],
    ["scented candle", "throw blanket", "vase", "cushion cover", "table runner", "mug set"],
    ["kids sneakers", "baby bodysuit", "kids raincoat", "plush toy", "kids pyjamas", "school bag"],
    ["running tights", "yoga mat", "sports bra", "training shoes", "water bottle", "hoodie"],
]
ADJECTIVES = [
    "Classic", "Soft", "Organic", "Vintage", "Essential", "Urban", "Linen", "Leather", "Cotton",
    "Recycled", "Striped", "Everyday",
]
PRODUCTS_PER_CATEGORY = 30

FEMALE_NAMES = [
    "Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura",
    "Lucía", "Carmen", "Sofia", "Giulia", "Anna", "Hannah", "Lena", "Olivia", "Amelia", "Emily",
    "Claire", "Zoé", "Alice", "Martina",
]
MALE_NAMES = [
    "Lucas", "Hugo", "Louis", "Nathan", "Thomas", "Julien", "Antoine", "Pierre", "Maxime",
    "Pablo", "Javier", "Marco", "Luca", "Lukas", "Felix", "Jonas", "Oliver", "Jack", "Harry",
    "James", "Noah", "Adam", "Karim", "Mehdi",
]
LAST_NAMES = [
    "martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy",
    "moreau", "simon", "laurent", "garcia", "fernandez", "lopez", "rossi", "russo", "ferrari",
    "muller", "schmidt", "schneider", "fischer", "smith", "jones", "taylor", "brown", "nguyen",
    "benali", "girard", "bonnet",
]
EMAIL_DOMAINS = [
    "gmail.com", "yahoo.fr", "hotmail.com", "orange.fr", "outlook.com", "gmx.de", "free.fr",
    "icloud.com", "libero.it", "me.com",
]
EMAIL_DOMAIN_WEIGHTS = [0.38, 0.08, 0.12, 0.08, 0.08, 0.05, 0.05, 0.10, 0.03, 0.03]
APPLE_DOMAINS = {"icloud.com", "me.com"}

COUNTRIES = ["FR", "ES", "DE", "IT", "GB", "US", "BE", "NL"]
COUNTRY_WEIGHTS = [0.40, 0.12, 0.12, 0.10, 0.10, 0.08, 0.04, 0.04]
PLACES: dict[str, list[tuple[str, str]]] = {
    "FR": [
        ("Île-de-France", "Paris"), ("Auvergne-Rhône-Alpes", "Lyon"),
        ("Provence-Alpes-Côte d'Azur", "Marseille"), ("Occitanie", "Toulouse"),
        ("Nouvelle-Aquitaine", "Bordeaux"), ("Hauts-de-France", "Lille"),
        ("Grand Est", "Strasbourg"), ("Pays de la Loire", "Nantes"),
    ],
    "ES": [
        ("Comunidad de Madrid", "Madrid"), ("Cataluña", "Barcelona"),
        ("Comunidad Valenciana", "Valencia"), ("Andalucía", "Sevilla"),
    ],
    "DE": [("Berlin", "Berlin"), ("Bayern", "München"), ("Hamburg", "Hamburg"),
           ("Nordrhein-Westfalen", "Köln")],
    "IT": [("Lazio", "Roma"), ("Lombardia", "Milano"), ("Campania", "Napoli"),
           ("Piemonte", "Torino")],
    "GB": [("England", "London"), ("England", "Manchester"), ("Scotland", "Edinburgh")],
    "US": [("New York", "New York"), ("California", "Los Angeles"), ("Illinois", "Chicago")],
    "BE": [("Bruxelles-Capitale", "Bruxelles"), ("Vlaanderen", "Antwerpen")],
    "NL": [("Noord-Holland", "Amsterdam"), ("Zuid-Holland", "Rotterdam")],
}
# E.164 prefix (country code + mobile prefix) and number of random digits after it.
PHONE_FORMAT = {
    "FR": ("+336", 8), "ES": ("+346", 8), "DE": ("+4917", 8), "IT": ("+393", 9),
    "GB": ("+447", 9), "US": ("+1", 10), "BE": ("+324", 8), "NL": ("+316", 8),
}
# free text as captured by different forms; the first-name list decides which half is used
GENDERS = [
    "female", "F", "Female", "woman", "male", "M", "Male", "man", "non-binary",
    "prefer not to say",
]
GENDER_WEIGHTS = [0.45, 0.12, 0.12, 0.06, 0.0, 0.0, 0.0, 0.0, 0.03, 0.02]  # rest: missing

FLOWS = [
    "f_welcome_1", "f_welcome_2", "f_welcome_3", "f_browse_abandon", "f_cart_abandon_1",
    "f_cart_abandon_2", "f_back_in_stock", "f_price_drop", "f_post_purchase",
]

PRESETS: dict[str, dict[str, float]] = {
    # The demo is loaded by `dbt seed` (Python, row by row): keep it around 200k rows.
    "demo": {"orders": 3.0, "email_events": 36.0, "site_events": 17.0},
    # Benchmark scale: averages of a mature shop.
    "full": {"orders": 10.0, "email_events": 100.0, "site_events": 30.0},
}
AUTO_DEMO_MAX_PROFILES = 20_000


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def epoch(day: dt.date) -> int:
    """Seconds since 1970-01-01 00:00:00 UTC at the start of ``day``."""
    return (day - dt.date(1970, 1, 1)).days * DAY


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` shifted by whole years, 29 February clamped to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def fmt_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers`` (all below 10**width), vectorised in Arrow."""
    padded = pa.array(np.asarray(numbers, dtype=np.int64) + 10**width).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_slice_codeunits(padded, 1), "")


def fmt_money(cents: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Non-negative cents as ``123.45`` strings (null where ``missing``)."""
    cents = np.asarray(cents, dtype=np.int64)
    whole = pa.array(cents // 100).cast(pa.string())
    frac = pc.utf8_slice_codeunits(pa.array(cents % 100 + 100).cast(pa.string()), 1)
    out = pc.binary_join_element_wise(whole, frac, ".")
    if missing is not None and missing.any():
        out = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), out)
    return out


def fmt_ts(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds as ``YYYY-MM-DD HH:MM:SS`` strings."""
    return pa.array(np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")).cast(pa.string())


def take_str(values: Sequence[str | None], idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as an Arrow string array; a negative index gives null."""
    idx = np.asarray(idx, dtype=np.int64)
    mask = idx < 0
    indices = pa.array(np.where(mask, 0, idx), mask=mask if mask.any() else None)
    return pa.array(list(values), type=pa.string()).take(indices)


def null_where(arr: pa.Array, mask: np.ndarray) -> pa.Array:
    if not mask.any():
        return arr
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)


def week_campaign_id(ts: int) -> str:
    iso = dt.datetime.fromtimestamp(ts, dt.UTC).isocalendar()
    return f"c{iso.year}w{iso.week:02d}"


# --------------------------------------------------------------------------------------------
# Calendar: sales periods and campaigns
# --------------------------------------------------------------------------------------------

SALE_SEASONS = [
    # season, (month, day) start, (month, day) end: editions repeat every year.
    ("winter", (1, 8), (2, 4)),
    ("summer", (6, 25), (7, 22)),
    ("black_friday", (10, 20), (11, 30)),  # early access from 20 October to Cyber Monday week
]


@dataclass(frozen=True)
class Sale:
    sale_id: str
    season: str
    starts_on: dt.date
    ends_on: dt.date


def build_sales(start: dt.date, end: dt.date) -> list[Sale]:
    """Every edition that overlaps the history and has started by ``end``, by start day."""
    sales = []
    for year in range(start.year, end.year + 1):
        for season, (m1, d1), (m2, d2) in SALE_SEASONS:
            sale = Sale(f"{season}_{year}", season, dt.date(year, m1, d1), dt.date(year, m2, d2))
            if sale.starts_on <= end and sale.ends_on >= start:
                sales.append(sale)
    return sorted(sales, key=lambda s: (s.starts_on, s.sale_id))


def current_and_previous(sales: list[Sale], end: dt.date) -> tuple[Sale | None, Sale | None]:
    """The catalog's current sale at D = ``end`` and its previous edition."""
    started = [s for s in sales if s.starts_on <= end]
    if not started:
        return None, None
    current = max(started, key=lambda s: (s.starts_on, s.sale_id))
    older = [s for s in sales if s.season == current.season and s.starts_on < current.starts_on]
    previous = max(older, key=lambda s: (s.starts_on, s.sale_id)) if older else None
    return current, previous


@dataclass
class Calendar:
    start_ts: int
    end_ts: int  # last second of the end date
    end_day_ts: int  # midnight starting the end date
    sales: list[Sale]
    sale_start: np.ndarray  # seconds
    sale_end: np.ndarray  # seconds, last second, clipped to end_ts
    week_ts: np.ndarray  # weekly newsletter send times (Tuesday 09:00)
    sms_ts: np.ndarray  # monthly SMS send times (first Thursday 17:00)
    campaign_ids: list[str]  # weekly ids, then SMS ids, then flow ids
    sms_offset: int
    flow_offset: int

    def flow(self, name: str) -> int:
        return self.flow_offset + FLOWS.index(name)


def build_calendar(end: dt.date, years: int) -> Calendar:
    start = add_years(end, -years)
    start_ts, end_day_ts = epoch(start), epoch(end)
    end_ts = end_day_ts + DAY - 1
    sales = build_sales(start, end)
    first_tuesday = start + dt.timedelta(days=(1 - start.weekday()) % 7)
    week_ts = np.arange(epoch(first_tuesday) + 9 * HOUR, end_ts + 1, 7 * DAY, dtype=np.int64)
    sms = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        thursday = month + dt.timedelta(days=(3 - month.weekday()) % 7)
        ts = epoch(thursday) + 17 * HOUR
        if start_ts <= ts <= end_ts:
            sms.append((ts, f"s{thursday.year}m{thursday.month:02d}"))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    ids = [week_campaign_id(int(t)) for t in week_ts] + [s for _, s in sms] + FLOWS
    return Calendar(
        start_ts=start_ts,
        end_ts=end_ts,
        end_day_ts=end_day_ts,
        sales=sales,
        sale_start=np.array([epoch(s.starts_on) for s in sales], dtype=np.int64),
        sale_end=np.array([min(epoch(s.ends_on) + DAY - 1, end_ts) for s in sales], np.int64),
        week_ts=week_ts,
        sms_ts=np.array([t for t, _ in sms], dtype=np.int64),
        campaign_ids=ids,
        sms_offset=len(week_ts),
        flow_offset=len(week_ts) + len(sms),
    )


# --------------------------------------------------------------------------------------------
# Product catalog
# --------------------------------------------------------------------------------------------


@dataclass
class Catalog:
    product_ids: list[str]
    names: list[str]
    category: np.ndarray  # category index per product
    price: np.ndarray  # cents


def build_catalog(seed: int) -> Catalog:
    rng = np.random.default_rng([seed, 7])
    ids, names, cats, prices = [], [], [], []
    for c, cat in enumerate(CATEGORIES):
        nouns = CATEGORY_NOUNS[c]
        for j in range(PRODUCTS_PER_CATEGORY):
            ids.append(f"SKU-{cat[:3].upper()}-{j + 1:03d}")
            names.append(f"{ADJECTIVES[int(rng.integers(len(ADJECTIVES)))]} {nouns[j % len(nouns)]}")
            cats.append(c)
            euros = CATEGORY_BASE_PRICE[c] * float(rng.lognormal(0.0, 0.35))
            prices.append(round(max(euros, 4.0)) * 100 - 10)  # 49.90 style prices
    return Catalog(ids, names, np.array(cats, dtype=np.int64), np.array(prices, dtype=np.int64))


def product_in_category(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    return category * PRODUCTS_PER_CATEGORY + rng.integers(0, PRODUCTS_PER_CATEGORY, len(category))


# --------------------------------------------------------------------------------------------
# Internal columnar representation (numbers), before formatting to text
# --------------------------------------------------------------------------------------------


@dataclass
class Orders:
    profile: np.ndarray  # global profile index (ordering key)
    ts: np.ndarray
    status: np.ndarray
    currency: np.ndarray
    guest: np.ndarray  # written with an empty profile_id
    protected: np.ndarray  # archetype rows: never made bad
    # lines
    line_order: np.ndarray  # index into the orders above
    line_product: np.ndarray
    line_qty: np.ndarray
    line_price: np.ndarray  # cents
    line_discount: np.ndarray  # cents


@dataclass
class EmailEvents:
    profile: np.ndarray
    channel: np.ndarray
    etype: np.ndarray
    campaign: np.ndarray  # index into Calendar.campaign_ids, -1 none
    ts: np.ndarray
    apple: np.ndarray  # 0 null, 1 false, 2 true
    protected: np.ndarray


@dataclass
class Sessions:
    profile: np.ndarray
    start: np.ndarray
    anonymous: np.ndarray
    protected: np.ndarray
    # events
    ev_session: np.ndarray  # index into the sessions above
    ev_type: np.ndarray
    ev_ts: np.ndarray
    ev_product: np.ndarray  # -1 none
    ev_value: np.ndarray  # cents, -1 none


def _cat(arrays: Sequence[np.ndarray], dtype: type | str = np.int64) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=dtype) for a in arrays]) if arrays else np.zeros(
        0, dtype=dtype
    )


def concat_orders(parts: Sequence[Orders]) -> Orders:
    offsets = np.cumsum([0] + [len(p.profile) for p in parts])
    return Orders(
        profile=_cat([p.profile for p in parts]),
        ts=_cat([p.ts for p in parts]),
        status=_cat([p.status for p in parts]),
        currency=_cat([p.currency for p in parts]),
        guest=_cat([p.guest for p in parts], bool),
        protected=_cat([p.protected for p in parts], bool),
        line_order=_cat([p.line_order + o for p, o in zip(parts, offsets, strict=False)]),
        line_product=_cat([p.line_product for p in parts]),
        line_qty=_cat([p.line_qty for p in parts]),
        line_price=_cat([p.line_price for p in parts]),
        line_discount=_cat([p.line_discount for p in parts]),
    )


def concat_email(parts: Sequence[EmailEvents]) -> EmailEvents:
    return EmailEvents(
        profile=_cat([p.profile for p in parts]),
        channel=_cat([p.channel for p in parts]),
        etype=_cat([p.etype for p in parts]),
        campaign=_cat([p.campaign for p in parts]),
        ts=_cat([p.ts for p in parts]),
        apple=_cat([p.apple for p in parts]),
        protected=_cat([p.protected for p in parts], bool),
    )


def concat_sessions(parts: Sequence[Sessions]) -> Sessions:
    offsets = np.cumsum([0] + [len(p.profile) for p in parts])
    return Sessions(
        profile=_cat([p.profile for p in parts]),
        start=_cat([p.start for p in parts]),
        anonymous=_cat([p.anonymous for p in parts], bool),
        protected=_cat([p.protected for p in parts], bool),
        ev_session=_cat([p.ev_session + o for p, o in zip(parts, offsets, strict=False)]),
        ev_type=_cat([p.ev_type for p in parts]),
        ev_ts=_cat([p.ev_ts for p in parts]),
        ev_product=_cat([p.ev_product for p in parts]),
        ev_value=_cat([p.ev_value for p in parts]),
    )


@dataclass
class ProfileAttrs:
    """Per-profile numbers the behaviour generators need (one entry per profile of a chunk)."""

    index: np.ndarray  # global profile index
    created: np.ndarray
    email_consent: np.ndarray
    sms_consent: np.ndarray
    country: np.ndarray  # index into COUNTRIES, -1 missing
    apple_user: np.ndarray


# --------------------------------------------------------------------------------------------
# Planted archetypes
# --------------------------------------------------------------------------------------------

ARCHETYPE_GROUP_SIZE = 10
ARCHETYPE_GROUPS = [
    # (name, segments the group is planted for)
    ("biggest_fans", "seg_biggest_fans"),
    ("brand_fans", "seg_brand_fans"),
    ("potential_fans", "seg_potential_fans"),
    ("potential_brand_lovers", "seg_potential_brand_lovers"),
    ("former_biggest_fans", "seg_former_biggest_fans"),
    ("former_brand_fans", "seg_former_brand_fans"),
    ("flash_in_the_pan", "seg_flash_in_the_pan"),
    ("drive_by_shoppers", "seg_drive_by_shoppers"),
    ("fence_sitters", "seg_fence_sitters, seg_engaged_30d/60d/90d"),
    ("window_shoppers", "seg_window_shoppers (plus an Apple-privacy open that must not count)"),
    ("espresso_shoppers", "seg_espresso_shoppers"),
    ("interested_shoppers", "seg_interested_shoppers"),
    ("false_starts", "seg_false_starts"),
    ("dead_weight", "seg_dead_weight"),
    ("engaged", "seg_engaged_30d / 60d / 90d (last engagement 5..85 days ago)"),
    ("new_subscribers", "seg_new_subscribers, seg_engaged_30d (15-day grace)"),
    ("re_subscribers", "re-subscribed: consented but never seg_new_subscribers"),
    ("over_pressured", "seg_over_pressured (7+ deliveries in 7 days, some on D)"),
    ("high_value_cart_abandoners", "seg_high_value_cart_abandoners"),
    ("loyal_buyers", "seg_loyal_buyers (RFM R and F 4-5)"),
    ("bargain_hunters", "seg_bargain_hunters (RFM M 1-2, F 4-5)"),
    ("big_spenders", "seg_big_spenders (RFM M 4-5, F 1-2)"),
    ("category_repeat_buyers", "seg_category_repeat_buyers"),
    ("discount_buyers", "seg_discount_buyers"),
    ("recommendation_clickers", "seg_recommendation_clickers"),
    ("undecided_visitors", "seg_undecided_visitors"),
    ("current_sale_buyers", "seg_current_sale_buyers"),
    ("sale_cart_abandoners", "seg_sale_cart_abandoners"),
    ("last_sale_buyers", "seg_last_sale_buyers"),
]
N_ARCHETYPES = ARCHETYPE_GROUP_SIZE * len(ARCHETYPE_GROUPS)
ARCHETYPE_COUNTRIES = [0, 0, 1, 2, 0, 3, 4, 0, 5, 0]  # indices into COUNTRIES: 50 % FR


def archetype_ranges() -> list[tuple[str, str, str, str]]:
    """(group, first profile_id, last profile_id, segments) of every planted group."""
    rows = []
    for g, (name, segments) in enumerate(ARCHETYPE_GROUPS):
        lo = g * ARCHETYPE_GROUP_SIZE + 1
        hi = lo + ARCHETYPE_GROUP_SIZE - 1
        rows.append((name, f"p{lo:07d}", f"p{hi:07d}", segments))
    return rows


class ArchetypeBuilder:
    """Scripted personas, written relative to D (the end date) in days ago."""

    def __init__(self, cal: Calendar, catalog: Catalog, seed: int) -> None:
        self.cal = cal
        self.catalog = catalog
        self.rng = np.random.default_rng([seed, 999])
        n = N_ARCHETYPES
        self.created = np.zeros(n, dtype=np.int64)
        self.sms_consent = np.full(n, 2, dtype=np.int64)
        self.country = np.array([ARCHETYPE_COUNTRIES[i % 10] for i in range(n)], dtype=np.int64)
        self.orders: list[tuple[int, int, list[tuple[int, int, int, int]]]] = []
        self.email: list[tuple[int, int, int, int, int, int]] = []
        self.sessions: list[tuple[int, int, list[tuple[int, int, int, int]]]] = []
        self.used_campaigns: dict[int, set[int]] = {}
        self.sub_start = np.zeros(n, dtype=np.int64)
        self.gaps: dict[int, tuple[int, int]] = {}

    # -- time -------------------------------------------------------------------------------
    def at(self, days_ago: float, hour: float = 12.0) -> int:
        ts = (self.cal.end_day_ts - round(days_ago) * DAY + int(hour * HOUR)
              + int(self.rng.integers(0, 1800)))  # not on the hour: looks captured, not typed
        return int(min(max(ts, self.cal.start_ts + HOUR), self.cal.end_ts - 60))

    def jitter(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    # -- building blocks ---------------------------------------------------------------------
    def profile(self, p: int, created_days_ago: float, subscribe: bool = True) -> None:
        self.created[p] = self.at(created_days_ago, self.jitter(8, 20))
        if subscribe:
            self.sub_start[p] = self.created[p] + 60
            self.email.append((p, 0, SUBSCRIBED, -1, int(self.sub_start[p]), 0))
            self.welcome(p)

    def welcome(self, p: int) -> None:
        for step, delay in enumerate((120, 2 * DAY + 3 * HOUR, 5 * DAY + 3 * HOUR)):
            ts = int(self.sub_start[p]) + delay
            if ts <= self.cal.end_ts - 300:
                self.message(p, self.cal.flow(f"f_welcome_{step + 1}"), ts)

    def message(self, p: int, campaign: int, ts: int, open_at: int | None = None,
                click: bool = False, apple_open: bool = False) -> None:
        self.email.append((p, 0, SENT, campaign, ts, 0))
        self.email.append((p, 0, DELIVERED, campaign, ts + 20, 0))
        if apple_open:
            self.email.append((p, 0, OPENED, campaign, ts + 300, 2))
        if open_at is not None:
            self.email.append((p, 0, OPENED, campaign, open_at, 1))
            if click:
                self.email.append((p, 0, CLICKED, campaign, open_at + 90, 0))
        self.used_campaigns.setdefault(p, set()).add(campaign)

    def engage(self, p: int, days_ago: float, click: bool = False, apple: bool = False) -> None:
        """A human open (and click) of the weekly newsletter, on day D - days_ago."""
        open_at = self.at(days_ago, self.jitter(18, 21))
        w = int(np.searchsorted(self.cal.week_ts, open_at, side="right")) - 1
        while w >= 0 and w in self.used_campaigns.get(p, set()):
            w -= 1
        if w < 0:
            return
        self.message(p, w, int(self.cal.week_ts[w]) + int(self.rng.integers(0, 600)),
                     open_at=open_at, click=click, apple_open=apple)

    def baseline_deliveries(self, p: int, weeks: int = 6) -> None:
        """The last newsletters, delivered and never opened."""
        used = self.used_campaigns.get(p, set())
        gap = self.gaps.get(p)
        n_weeks = len(self.cal.week_ts)
        for w in range(max(0, n_weeks - weeks), n_weeks):
            ts = int(self.cal.week_ts[w]) + int(self.rng.integers(0, 600))
            if w in used or ts < self.sub_start[p] or ts > self.cal.end_ts - 60:
                continue
            if gap is not None and gap[0] <= ts < gap[1]:
                continue
            self.message(p, w, ts)

    def order(self, p: int, ts: int, euros: float, category: int | None = None,
              discount_share: float = 0.0, lines: int = 1) -> None:
        """A placed EUR order worth about ``euros``, spread over ``lines`` lines."""
        out = []
        for _ in range(lines):
            cat = int(self.rng.integers(len(CATEGORIES))) if category is None else category
            product = cat * PRODUCTS_PER_CATEGORY + int(self.rng.integers(PRODUCTS_PER_CATEGORY))
            price = max(100, round(euros / lines * self.jitter(0.9, 1.1) * 100))
            discount = round(price * discount_share)
            out.append((product, 1, price, discount))
        self.orders.append((p, ts, out))

    def session(self, p: int, ts: int, events: Sequence[tuple[int, int, int]]) -> None:
        """A site visit: events (type, product, value cents) a minute apart."""
        self.sessions.append((p, ts, [(e, pr, v, ts + 60 * i) for i, (e, pr, v) in
                                      enumerate(events)]))

    def browse(self, p: int, days_ago: float, kind: int = VIEWED_PRODUCT,
               value: int = -1, category: int | None = None) -> None:
        cat = int(self.rng.integers(len(CATEGORIES))) if category is None else category
        product = cat * PRODUCTS_PER_CATEGORY + int(self.rng.integers(PRODUCTS_PER_CATEGORY))
        events = [(PAGE_VIEW, -1, -1), (VIEWED_PRODUCT, product, -1)]
        if kind == ADDED_TO_CART:
            events.append((ADDED_TO_CART, product, value))
        elif kind == STARTED_CHECKOUT:
            events += [(ADDED_TO_CART, product, value), (STARTED_CHECKOUT, -1, value)]
        elif kind == CLICKED_RECO:
            events.append((CLICKED_RECO, product, -1))
        self.session(p, self.at(days_ago, self.jitter(9, 20)), events)

    # -- the groups --------------------------------------------------------------------------
    def build(self) -> None:
        rng = self.rng
        def high() -> float:
            return self.jitter(380, 620)

        def low() -> float:
            return self.jitter(18, 32)

        cur, prev = current_and_previous(self.cal.sales, self.to_date())
        groups: dict[str, Callable[[int, int], None]] = {}

        def group(fn: Callable[[int, int], None]) -> Callable[[int, int], None]:
            groups[fn.__name__] = fn
            return fn

        @group
        def biggest_fans(p: int, i: int) -> None:
            self.profile(p, 820)
            for k in (640, 420, 210, 25 + i):
                self.order(p, self.at(k, 14), high(), lines=2)
            self.engage(p, 10 + i, click=True)

        @group
        def brand_fans(p: int, i: int) -> None:
            self.profile(p, 760)
            for k in (520, 330, 160, 40 + i):
                self.order(p, self.at(k, 11), low())
            self.engage(p, 30 + i)

        @group
        def potential_fans(p: int, i: int) -> None:
            self.profile(p, 300)
            self.order(p, self.at(20 + 3 * i, 15), high(), lines=2)

        @group
        def potential_brand_lovers(p: int, i: int) -> None:
            self.profile(p, 400)
            if i % 2:
                self.order(p, self.at(380, 10), low())
            self.order(p, self.at(15 + 4 * i, 10), low())

        @group
        def former_biggest_fans(p: int, i: int) -> None:
            self.profile(p, 900)
            for k in (700, 450, 180 + 8 * i):
                self.order(p, self.at(k, 16), high(), lines=2)

        @group
        def former_brand_fans(p: int, i: int) -> None:
            self.profile(p, 950)
            for k in (820, 600, 400, 170 + 10 * i):
                self.order(p, self.at(k, 9), low())

        @group
        def flash_in_the_pan(p: int, i: int) -> None:
            self.profile(p, 500)
            self.order(p, self.at(200 + 12 * i, 13), high(), lines=2)

        @group
        def drive_by_shoppers(p: int, i: int) -> None:
            self.profile(p, 600)
            self.order(p, self.at(230 + 12 * i, 17), low())

        @group
        def fence_sitters(p: int, i: int) -> None:
            self.profile(p, 300)
            for k in (8, 22, 41, 63):
                self.engage(p, k + (i % 4), click=k == 22)

        @group
        def window_shoppers(p: int, i: int) -> None:
            self.profile(p, 350)
            self.engage(p, 20 + i, click=i % 2 == 0)  # 1 or 2 engagement events
            if self.cal.week_ts.size:
                w = len(self.cal.week_ts) - 1  # latest newsletter: machine open only
                if w not in self.used_campaigns.get(p, set()):
                    self.message(p, w, int(self.cal.week_ts[w]), apple_open=True)

        @group
        def espresso_shoppers(p: int, i: int) -> None:
            self.profile(p, 450)
            if i % 2:
                self.order(p, self.at(120 + i, 12), low())
            self.engage(p, 3 + 2 * i, click=True)

        @group
        def interested_shoppers(p: int, i: int) -> None:
            self.profile(p, 200)
            self.browse(p, 5 + 5 * i)

        @group
        def false_starts(p: int, i: int) -> None:
            self.profile(p, 600)
            for k in (150, 210, 270, 330):
                self.engage(p, k + i, click=k == 210)

        @group
        def dead_weight(p: int, i: int) -> None:
            self.profile(p, 700)
            if i % 2:
                self.engage(p, 260 + i)
            if i % 3 == 0:
                self.order(p, self.at(480 + i, 12), low())

        @group
        def engaged(p: int, i: int) -> None:
            self.profile(p, 380)
            self.engage(p, 5 + 9 * i, click=i % 3 == 0)

        @group
        def new_subscribers(p: int, i: int) -> None:
            self.profile(p, 3 + 2.5 * i)
            if i % 3 == 0:
                self.engage(p, 1, click=True)

        @group
        def re_subscribers(p: int, i: int) -> None:
            if i < 5:  # long-time subscriber who left and came back
                first, left, back = 500, 200, 10 + i
            else:  # a first subscribe within 30 days does not make them new: they left once
                first, left, back = 26, 18, 6 + i
            self.profile(p, first)
            self.gaps[p] = (self.at(left, 12), self.at(back, 12))
            self.email.append((p, 0, UNSUBSCRIBED, -1, self.at(left, 12), 0))
            self.email.append((p, 0, SUBSCRIBED, -1, self.at(back, 12), 0))

        @group
        def over_pressured(p: int, i: int) -> None:
            self.profile(p, 400)
            flows = ["f_browse_abandon", "f_cart_abandon_1", "f_cart_abandon_2",
                     "f_back_in_stock", "f_price_drop", "f_post_purchase", "f_browse_abandon"]
            for k, flow in zip((6, 5, 4, 3, 2, 1, 0), flows, strict=True):
                self.message(p, self.cal.flow(flow), self.at(k, self.jitter(7, 9)))
            self.browse(p, 0, ADDED_TO_CART, value=int(self.jitter(40, 80) * 100))

        @group
        def high_value_cart_abandoners(p: int, i: int) -> None:
            self.profile(p, 420)
            if i % 2:
                self.order(p, self.at(90 + i, 12), low())
            self.browse(p, 1 + i % 5, STARTED_CHECKOUT, value=int(self.jitter(700, 950) * 100))

        @group
        def loyal_buyers(p: int, i: int) -> None:
            self.profile(p, 800)
            for k in (690, 600, 500, 400, 300, 200, 100, 2 + i):
                self.order(p, self.at(k, 19), self.jitter(70, 110), lines=2)

        @group
        def bargain_hunters(p: int, i: int) -> None:
            self.profile(p, 800)
            for k in (680, 590, 480, 390, 290, 200, 110, 40 + i):
                self.order(p, self.at(k, 20), self.jitter(8, 14), category=4)

        @group
        def big_spenders(p: int, i: int) -> None:
            self.profile(p, 700)
            self.order(p, self.at(300 + 25 * i, 15), self.jitter(650, 900), lines=3)

        @group
        def category_repeat_buyers(p: int, i: int) -> None:
            self.profile(p, 600)
            cat = i % len(CATEGORIES)
            for k in (300, 150, 20 + i):
                self.order(p, self.at(k, 12), self.jitter(60, 120), category=cat)

        @group
        def discount_buyers(p: int, i: int) -> None:
            self.profile(p, 500)
            self.order(p, self.at(30 + 25 * i, 12), self.jitter(50, 90), discount_share=0.3)

        @group
        def recommendation_clickers(p: int, i: int) -> None:
            self.profile(p, 400)
            if i % 2:
                self.order(p, self.at(120 + i, 12), low())
            self.browse(p, 2 + 2 * i, CLICKED_RECO)

        @group
        def undecided_visitors(p: int, i: int) -> None:
            self.profile(p, 500)
            if i % 2:
                self.order(p, self.at(200 + i, 12), low())
            for s in range(12):
                self.browse(p, (2 * s + i) % 28)

        def in_window(sale: Sale, h: float) -> int:
            first = self.cal.end_day_ts - epoch(sale.starts_on)  # seconds before D
            last = max(self.cal.end_day_ts - epoch(min(sale.ends_on, self.to_date())), 0)
            days_ago = last // DAY + int(rng.integers(0, first // DAY - last // DAY + 1))
            return self.at(days_ago, h)

        @group
        def current_sale_buyers(p: int, i: int) -> None:
            self.profile(p, 300)
            if cur is not None:
                self.order(p, in_window(cur, self.jitter(9, 18)), self.jitter(40, 120),
                           discount_share=0.25)

        @group
        def sale_cart_abandoners(p: int, i: int) -> None:
            self.profile(p, 300)
            if cur is not None:
                ts = in_window(cur, self.jitter(9, 18))
                product = int(rng.integers(len(self.catalog.product_ids)))
                value = int(self.catalog.price[product])
                self.session(p, ts, [(PAGE_VIEW, -1, -1), (VIEWED_PRODUCT, product, -1),
                                     (ADDED_TO_CART, product, value)])

        @group
        def last_sale_buyers(p: int, i: int) -> None:
            self.profile(p, 700)
            if prev is not None:
                self.order(p, in_window(prev, self.jitter(9, 18)), self.jitter(40, 120),
                           discount_share=0.3)

        for g, (name, _) in enumerate(ARCHETYPE_GROUPS):
            for i in range(ARCHETYPE_GROUP_SIZE):
                p = g * ARCHETYPE_GROUP_SIZE + i
                groups[name](p, i)
                self.baseline_deliveries(p)

    def to_date(self) -> dt.date:
        return dt.date(1970, 1, 1) + dt.timedelta(days=self.cal.end_day_ts // DAY)

    # -- export ------------------------------------------------------------------------------
    def export(self, n_profiles: int) -> tuple[Orders, EmailEvents, Sessions]:
        def keep(p: int) -> bool:
            return p < n_profiles

        orders = [o for o in self.orders if keep(o[0])]
        lines = [(k, line) for k, o in enumerate(orders) for line in o[2]]
        o = Orders(
            profile=np.array([x[0] for x in orders], dtype=np.int64),
            ts=np.array([x[1] for x in orders], dtype=np.int64),
            status=np.zeros(len(orders), dtype=np.int64),
            currency=np.zeros(len(orders), dtype=np.int64),
            guest=np.zeros(len(orders), dtype=bool),
            protected=np.ones(len(orders), dtype=bool),
            line_order=np.array([k for k, _ in lines], dtype=np.int64),
            line_product=np.array([ln[0] for _, ln in lines], dtype=np.int64),
            line_qty=np.array([ln[1] for _, ln in lines], dtype=np.int64),
            line_price=np.array([ln[2] for _, ln in lines], dtype=np.int64),
            line_discount=np.array([ln[3] for _, ln in lines], dtype=np.int64),
        )
        em = [e for e in self.email if keep(e[0]) and e[4] <= self.cal.end_ts]
        cols = list(zip(*em, strict=True)) if em else [()] * 6
        e = EmailEvents(
            profile=np.array(cols[0], dtype=np.int64),
            channel=np.array(cols[1], dtype=np.int64),
            etype=np.array(cols[2], dtype=np.int64),
            campaign=np.array(cols[3], dtype=np.int64),
            ts=np.array(cols[4], dtype=np.int64),
            apple=np.array(cols[5], dtype=np.int64),
            protected=np.ones(len(em), dtype=bool),
        )
        sess = [s for s in self.sessions if keep(s[0])]
        evs = [(k, ev) for k, s in enumerate(sess) for ev in s[2] if ev[3] <= self.cal.end_ts]
        s = Sessions(
            profile=np.array([x[0] for x in sess], dtype=np.int64),
            start=np.array([x[1] for x in sess], dtype=np.int64),
            anonymous=np.zeros(len(sess), dtype=bool),
            protected=np.ones(len(sess), dtype=bool),
            ev_session=np.array([k for k, _ in evs], dtype=np.int64),
            ev_type=np.array([ev[0] for _, ev in evs], dtype=np.int64),
            ev_ts=np.array([ev[3] for _, ev in evs], dtype=np.int64),
            ev_product=np.array([ev[1] for _, ev in evs], dtype=np.int64),
            ev_value=np.array([ev[2] for _, ev in evs], dtype=np.int64),
        )
        return o, e, s


# --------------------------------------------------------------------------------------------
# Random population
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    orders: float
    email_events: float
    site_events: float


def gen_profiles(rng: np.random.Generator, lo: int, hi: int, cal: Calendar,
                 arch: ArchetypeBuilder) -> tuple[pa.Table, ProfileAttrs]:
    n = hi - lo
    index = np.arange(lo, hi, dtype=np.int64)
    span = cal.end_ts - cal.start_ts
    created = cal.start_ts + (rng.random(n) ** 0.75 * (span - 2 * HOUR)).astype(np.int64)
    email_consent = rng.choice(3, n, p=[0.70, 0.15, 0.15])
    country = rng.choice(len(COUNTRIES), n, p=COUNTRY_WEIGHTS)
    has_phone = rng.random(n) < 0.6
    sms_consent = np.where(has_phone, rng.choice(3, n, p=[0.40, 0.10, 0.50]), 2)
    female = rng.random(n) < 0.62
    fname = np.where(female, rng.integers(0, len(FEMALE_NAMES), n),
                     len(FEMALE_NAMES) + rng.integers(0, len(MALE_NAMES), n))
    # archetypes: scripted creation, consent and country
    is_arch = index < N_ARCHETYPES
    if is_arch.any():
        a = index[is_arch]
        created[is_arch] = arch.created[a]
        email_consent[is_arch] = 0
        sms_consent[is_arch] = 2
        country[is_arch] = arch.country[a]
        has_phone[is_arch] = a % 3 == 0
    country_missing = (rng.random(n) < 0.02) & ~is_arch
    names = FEMALE_NAMES + MALE_NAMES
    first_name = null_where(take_str(names, fname), (rng.random(n) < 0.03) & ~is_arch)
    lower_first = [
        nm.lower().replace("é", "e").replace("è", "e").replace("ë", "e").replace("ï", "i")
        .replace("í", "i") for nm in names
    ]
    last = rng.integers(0, len(LAST_NAMES), n)
    domain = rng.choice(len(EMAIL_DOMAINS), n, p=EMAIL_DOMAIN_WEIGHTS)
    number = rng.integers(0, 100, n)
    number_str = null_where(pa.array(number).cast(pa.string()), rng.random(n) < 0.5)
    number_str = pc.fill_null(number_str, "")
    capital = rng.random(n) < 0.12
    first_cap = [x.capitalize() for x in lower_first]
    last_cap = [x.capitalize() for x in LAST_NAMES]
    first_part = pc.if_else(pa.array(capital), take_str(first_cap, fname), take_str(lower_first, fname))
    last_part = pc.if_else(pa.array(capital), take_str(last_cap, last), take_str(LAST_NAMES, last))
    local = pc.binary_join_element_wise(first_part, ".", last_part, number_str, "")
    email = pc.binary_join_element_wise(local, "@", take_str(EMAIL_DOMAINS, domain), "")
    email = null_where(email, (rng.random(n) < 0.03) & ~is_arch)
    apple_user = np.isin(domain, [EMAIL_DOMAINS.index(d) for d in sorted(APPLE_DOMAINS)]) | (
        rng.random(n) < 0.15
    )
    # phone numbers, E.164
    digits = np.array([PHONE_FORMAT[c][1] for c in COUNTRIES])[country]
    low = 10 ** (digits - 1)
    num = low + (rng.random(n) * (9 * low)).astype(np.int64)
    prefix = take_str([PHONE_FORMAT[c][0] for c in COUNTRIES], country)
    phone = null_where(pc.binary_join_element_wise(prefix, pa.array(num).cast(pa.string()), ""),
                       ~has_phone)
    # places
    place_list = [(c, r, ci) for c in COUNTRIES for r, ci in PLACES[c]]
    offsets = np.array([sum(len(PLACES[c]) for c in COUNTRIES[:k]) for k in range(len(COUNTRIES))])
    sizes = np.array([len(PLACES[c]) for c in COUNTRIES])
    place = offsets[country] + (rng.random(n) * sizes[country]).astype(np.int64)
    region = null_where(take_str([r for _, r, _ in place_list], place),
                        country_missing | ((rng.random(n) < 0.05) & ~is_arch))
    city = null_where(take_str([ci for _, _, ci in place_list], place), country_missing)
    country_str = null_where(take_str(COUNTRIES, country), country_missing)
    end_day = cal.end_day_ts // DAY
    birth_days = end_day - rng.integers(18 * 365, 76 * 365, n)
    birth = null_where(pa.array(birth_days.astype("datetime64[D]")).cast(pa.string()),
                       rng.random(n) < 0.15)
    gender_idx = rng.choice(len(GENDERS) + 1, n, p=[*GENDER_WEIGHTS, 1 - sum(GENDER_WEIGHTS)])
    gender_idx = np.where(~female & (gender_idx < 4), gender_idx + 4, gender_idx)
    gender = take_str(GENDERS, np.where(gender_idx == len(GENDERS), -1, gender_idx))
    table = pa.table(
        {
            "profile_id": fmt_ids("p", index + 1, 7),
            "email": email,
            "phone_number": phone,
            "first_name": first_name,
            "created_at": fmt_ts(created),
            "email_consent": take_str(CONSENTS, email_consent),
            "sms_consent": take_str(CONSENTS, sms_consent),
            "country": country_str,
            "region": region,
            "city": city,
            "birth_date": birth,
            "gender": gender,
        }
    )
    attrs = ProfileAttrs(index, created, email_consent, sms_consent,
                         np.where(country_missing, -1, country), apple_user)
    return table, attrs


def sale_index(cal: Calendar, ts: np.ndarray) -> np.ndarray:
    """Index of the sale whose window holds ``ts``, or -1."""
    if not len(cal.sales):
        return np.full(len(ts), -1)
    k = np.searchsorted(cal.sale_start, ts, side="right") - 1
    kk = np.clip(k, 0, None)
    return np.where((k >= 0) & (ts <= cal.sale_end[kk]), k, -1)


def gen_orders(rng: np.random.Generator, pa_: ProfileAttrs, cal: Calendar, catalog: Catalog,
               rates: Rates) -> Orders:
    sel = pa_.index >= N_ARCHETYPES
    prof, created, country = pa_.index[sel], pa_.created[sel], pa_.country[sel]
    n = len(prof)
    buyer_share = 0.62
    buyer = rng.random(n) < buyer_share
    extra_mean = max(rates.orders / buyer_share - 1.0, 0.01)
    n_orders = buyer * (1 + rng.poisson(rng.gamma(1.0, extra_mean, n)))
    rows = np.repeat(np.arange(n), n_orders)
    m = len(rows)
    c = created[rows]
    ts = c + (rng.random(m) * (cal.end_ts - c)).astype(np.int64)
    if len(cal.sales):  # a third of the orders happen during a sale
        k = rng.integers(0, len(cal.sales), m)
        s_ts = cal.sale_start[k] + (rng.random(m) * (cal.sale_end[k] - cal.sale_start[k])).astype(
            np.int64)
        ts = np.where((rng.random(m) < 0.33) & (s_ts > c), s_ts, ts)
    status = rng.choice(3, m, p=[0.9, 0.06, 0.04])
    ctry = country[rows]
    currency = np.zeros(m, dtype=np.int64)
    currency[(ctry == COUNTRIES.index("GB")) & (rng.random(m) < 0.7)] = 1
    currency[(ctry == COUNTRIES.index("US")) & (rng.random(m) < 0.8)] = 2
    currency[rng.random(m) < 0.003] = 3
    guest = rng.random(m) < 0.04
    # lines
    n_lines = 1 + np.minimum(rng.poisson(0.7, m), 4)
    lo = np.repeat(np.arange(m), n_lines)
    nl = len(lo)
    favourite = rng.integers(0, len(CATEGORIES), n)[rows][lo]
    cat = np.where(rng.random(nl) < 0.55, favourite, rng.integers(0, len(CATEGORIES), nl))
    product = product_in_category(rng, cat)
    qty = rng.choice([1, 2, 3], nl, p=[0.82, 0.14, 0.04])
    price = catalog.price[product]
    in_sale = sale_index(cal, ts)[lo] >= 0
    share = np.where(
        in_sale,
        np.where(rng.random(nl) < 0.7, rng.choice([0.2, 0.3, 0.4, 0.5], nl), 0.0),
        np.where(rng.random(nl) < 0.07, rng.choice([0.1, 0.15], nl), 0.0),
    )
    discount = np.round(qty * price * share).astype(np.int64)
    return Orders(prof[rows], ts, status, currency, guest, np.zeros(m, bool), lo, product, qty,
                  price, discount)


def gen_email(rng: np.random.Generator, pa_: ProfileAttrs, cal: Calendar,
              rates: Rates) -> EmailEvents:
    sel = pa_.index >= N_ARCHETYPES
    prof, created = pa_.index[sel], pa_.created[sel]
    consent, sms_consent, apple_user = pa_.email_consent[sel], pa_.sms_consent[sel], pa_.apple_user[sel]
    n = len(prof)
    end = cal.end_ts
    never = np.int64(end + 10 * DAY)
    W = len(cal.week_ts)
    ever = consent != 2
    late = rng.random(n) < 0.2
    sub_start = created + np.where(late, rng.exponential(20 * DAY, n), rng.integers(30, 600, n)
                                   ).astype(np.int64)
    ever &= sub_start < end - HOUR
    sub_start = np.where(ever, sub_start, never)
    first_w = np.searchsorted(cal.week_ts, sub_start, side="left")
    has_week = first_w < W
    # unsubscribed: leave after a newsletter; subscribed re-subscribers: leave and come back
    unsub = ever & (consent == 1)
    resub = ever & (consent == 0) & (rng.random(n) < 0.08) & has_week
    leave_w = first_w + (rng.random(n) * (W - first_w) * np.where(resub, 0.7, 1.0)).astype(np.int64)
    leave_w = np.minimum(leave_w, W - 1)
    leave_ts = np.where(has_week, cal.week_ts[np.clip(leave_w, 0, W - 1)] + HOUR
                        + rng.integers(0, 3 * DAY, n),
                        sub_start + (rng.random(n) * (end - sub_start)).astype(np.int64))
    leave_ts = np.minimum(leave_ts, end - 60)
    back_ts = leave_ts + (DAY + rng.exponential(45 * DAY, n)).astype(np.int64)
    back_ts = np.where(back_ts >= end - 60, leave_ts + ((end - 60 - leave_ts) // 2), back_ts)
    sub_end = np.where(unsub, leave_ts, end)
    gap_start = np.where(resub, leave_ts, never)
    gap_end = np.where(resub, back_ts, never)
    # engagement propensities
    open_rate = rng.beta(1.0, 2.6, n)
    click_rate = rng.beta(1.0, 5.0, n)
    dormant_at = np.where(rng.random(n) < 0.45,
                          sub_start + (rng.random(n) * (end - np.minimum(sub_start, end))).astype(
                              np.int64), never)
    # weekly newsletters: reach q tuned so that the average events per profile meets the target
    msg_target = max(rates.email_events / 2.55 - 0.85 * 3 - 0.3, 0.5)
    avail_weeks = 0.85 * 0.42 * max(W, 1)
    q = min(1.0, msg_target / avail_weeks)
    wk = cal.week_ts[None, :]
    active = (wk >= sub_start[:, None]) & (wk <= sub_end[:, None]) & (rng.random((n, W)) < q)
    active &= ~((wk >= gap_start[:, None]) & (wk < gap_end[:, None]))
    forced_rows = np.nonzero((unsub | resub) & has_week)[0]
    active[forced_rows, leave_w[forced_rows]] = True
    forced = np.zeros((n, W), dtype=bool)
    forced[forced_rows, leave_w[forced_rows]] = True
    mi, mw = np.nonzero(active)
    m_forced = forced[mi, mw]
    m_ts = cal.week_ts[mw] + rng.integers(0, 1800, len(mi))
    m_campaign = mw
    # welcome flow
    f_rows, f_ts, f_camp = [], [], []
    for step, delay in enumerate((120, 2 * DAY + 3 * HOUR, 5 * DAY + 3 * HOUR)):
        t = sub_start + delay + rng.integers(0, 600, n)
        ok = ever & (t <= sub_end) & (t <= end) & ~((t >= gap_start) & (t < gap_end))
        f_rows.append(np.nonzero(ok)[0])
        f_ts.append(t[ok])
        f_camp.append(np.full(ok.sum(), cal.flow(f"f_welcome_{step + 1}")))
    # SMS: monthly campaigns to SMS subscribers
    sms_ever = sms_consent != 2
    sms_start = np.where(sms_ever, created + rng.integers(60, 30 * DAY, n), never)
    sms_ever &= sms_start < end - HOUR
    sms_start = np.where(sms_ever, sms_start, never)
    sms_left = sms_ever & (sms_consent == 1)
    sms_end = np.where(sms_left, sms_start + (rng.random(n) * (end - np.minimum(sms_start, end))
                                              ).astype(np.int64), end)
    S = len(cal.sms_ts)
    sms_active = ((cal.sms_ts[None, :] >= sms_start[:, None])
                  & (cal.sms_ts[None, :] <= sms_end[:, None]) & (rng.random((n, S)) < 0.4))
    si, sw = np.nonzero(sms_active)
    # all messages
    rows = np.concatenate([mi, *f_rows, si])
    ts = np.concatenate([m_ts, *f_ts, cal.sms_ts[sw] + rng.integers(0, 600, len(si))])
    camp = np.concatenate([m_campaign, *f_camp, cal.sms_offset + sw])
    channel = np.concatenate([np.zeros(len(ts) - len(si), np.int64), np.ones(len(si), np.int64)])
    is_forced = np.concatenate([m_forced, np.zeros(len(ts) - len(mi), bool)])
    k = len(rows)
    email = channel == 0
    delivered = is_forced | (rng.random(k) < np.where(email, 0.975, 0.98))
    d_ts = ts + rng.integers(5, 120, k)
    dormant = ts > dormant_at[rows]
    apple_open = email & delivered & apple_user[rows] & (rng.random(k) < 0.95)
    human_open = email & delivered & (rng.random(k) < open_rate[rows] * np.where(dormant, 0.03, 1))
    o_ts = d_ts + (30 + rng.exponential(4 * HOUR, k)).astype(np.int64)
    click = np.where(email, human_open & (rng.random(k) < click_rate[rows]),
                     delivered & (rng.random(k) < 0.06))
    c_ts = np.where(email, o_ts, d_ts) + rng.integers(10, 900, k)
    spam = email & delivered & (rng.random(k) < 0.0008)
    parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray, int]] = [
        # (mask, ts, type, ..., apple code)
        (np.ones(k, bool), ts, SENT, camp, channel, 0),
        (delivered, d_ts, DELIVERED, camp, channel, 0),
        (~delivered, d_ts, BOUNCED, camp, channel, 0),
        (apple_open, d_ts + rng.integers(60, 3600, k), OPENED, camp, channel, 2),
        (human_open, o_ts, OPENED, camp, channel, 1),
        (click, c_ts, CLICKED, camp, channel, 0),
        (spam, d_ts + rng.integers(60, 7200, k), SPAM, camp, channel, 0),
    ]
    ev_rows, ev_ts, ev_type, ev_camp, ev_chan, ev_apple = [], [], [], [], [], []
    for mask, t, typ, cp, ch, ap in parts:
        ev_rows.append(rows[mask])
        ev_ts.append(t[mask])
        ev_type.append(np.full(mask.sum(), typ))
        ev_camp.append(cp[mask])
        ev_chan.append(ch[mask])
        ev_apple.append(np.full(mask.sum(), ap))

    def add(mask: np.ndarray, t: np.ndarray, typ: int, cp: np.ndarray, ch: int) -> None:
        idx = np.nonzero(mask)[0]
        ev_rows.append(idx)
        ev_ts.append(t[idx])
        ev_type.append(np.full(len(idx), typ))
        ev_camp.append(cp[idx])
        ev_chan.append(np.full(len(idx), ch))
        ev_apple.append(np.zeros(len(idx), np.int64))

    none = np.full(n, -1)
    add(ever, sub_start, SUBSCRIBED, none, 0)
    leave_camp = np.where(has_week, np.clip(leave_w, 0, W - 1), -1)
    add(unsub | resub, leave_ts, UNSUBSCRIBED, leave_camp, 0)
    add(resub, back_ts, SUBSCRIBED, none, 0)
    add(sms_ever, sms_start, SUBSCRIBED, none, 1)
    add(sms_left, sms_end, UNSUBSCRIBED, none, 1)
    r = np.concatenate(ev_rows)
    t = np.concatenate(ev_ts)
    keep = t <= end
    return EmailEvents(
        profile=prof[r][keep],
        channel=np.concatenate(ev_chan)[keep],
        etype=np.concatenate(ev_type)[keep],
        campaign=np.concatenate(ev_camp)[keep],
        ts=t[keep],
        apple=np.concatenate(ev_apple)[keep],
        protected=np.zeros(int(keep.sum()), bool),
    )


def gen_sessions(rng: np.random.Generator, pa_: ProfileAttrs, cal: Calendar, catalog: Catalog,
                 rates: Rates) -> Sessions:
    sel = pa_.index >= N_ARCHETYPES
    prof, created = pa_.index[sel], pa_.created[sel]
    n = len(prof)
    events_per_session = 3.2
    mean_sessions = rates.site_events / events_per_session
    n_sess = rng.poisson(rng.gamma(1.5, mean_sessions / 1.5, n))
    rows = np.repeat(np.arange(n), n_sess)
    s = len(rows)
    c = created[rows]
    start = c + (rng.random(s) ** 0.8 * (cal.end_ts - c)).astype(np.int64)
    anonymous = rng.random(s) < 0.1
    n_ev = 1 + np.minimum(rng.poisson(events_per_session - 1, s), 11)
    ev_s = np.repeat(np.arange(s), n_ev)
    e = len(ev_s)
    first = np.zeros(e, bool)
    first[np.cumsum(n_ev) - n_ev] = True
    etype = rng.choice(5, e, p=[0.22, 0.50, 0.13, 0.06, 0.09])
    etype[first] = PAGE_VIEW
    gaps = rng.integers(15, 240, e)
    gaps[first] = 0
    cum = np.cumsum(gaps)
    offset = cum - np.repeat(cum[np.cumsum(n_ev) - n_ev], n_ev)
    ts = start[ev_s] + offset
    favourite = rng.integers(0, len(CATEGORIES), n)[rows][ev_s]
    cat = np.where(rng.random(e) < 0.5, favourite, rng.integers(0, len(CATEGORIES), e))
    product = product_in_category(rng, cat)
    is_product = np.isin(etype, [VIEWED_PRODUCT, ADDED_TO_CART, CLICKED_RECO])
    product = np.where(is_product, product, -1)
    cart = (catalog.price[np.clip(product, 0, None)] * rng.choice([1, 2, 3], e, p=[0.7, 0.2, 0.1]))
    checkout = (rng.lognormal(np.log(80), 0.6, e) * 100).astype(np.int64)
    value = np.where(etype == ADDED_TO_CART, cart, np.where(etype == STARTED_CHECKOUT, checkout, -1))
    keep = ts <= cal.end_ts
    return Sessions(prof[rows], start, anonymous, np.zeros(s, bool), ev_s[keep], etype[keep],
                    ts[keep], product[keep], value[keep])


# --------------------------------------------------------------------------------------------
# Formatting to text tables (ids assigned in order)
# --------------------------------------------------------------------------------------------


@dataclass
class Counters:
    order: int = 0
    email: int = 0
    session: int = 0
    site: int = 0


def profile_ids(profile: np.ndarray) -> pa.Array:
    return fmt_ids("p", profile + 1, 7)


def format_orders(o: Orders, catalog: Catalog, counters: Counters) -> tuple[
        pa.Table, np.ndarray, pa.Table, np.ndarray]:
    order = np.lexsort((o.ts, o.profile))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    line_new_order = rank[o.line_order]
    lorder = np.argsort(line_new_order, kind="stable")
    lo = line_new_order[lorder]
    starts = np.searchsorted(lo, np.arange(len(order)))
    line_number = np.arange(len(lo)) - starts[lo] + 1
    qty, price, disc = o.line_qty[lorder], o.line_price[lorder], o.line_discount[lorder]
    product = o.line_product[lorder]
    net = qty * price - disc
    total = np.bincount(lo, weights=net, minlength=len(order)).astype(np.int64)
    disc_total = np.bincount(lo, weights=disc, minlength=len(order)).astype(np.int64)
    ids = fmt_ids("o", counters.order + 1 + np.arange(len(order)), 9)
    counters.order += len(order)
    profile = null_where(profile_ids(o.profile[order]), o.guest[order])
    orders = pa.table({
        "order_id": ids,
        "profile_id": profile,
        "ordered_at": fmt_ts(o.ts[order]),
        "status": take_str(STATUSES, o.status[order]),
        "currency": take_str(CURRENCIES, o.currency[order]),
        "order_total": fmt_money(total),
        "discount_total": fmt_money(disc_total),
    })
    lines = pa.table({
        "order_id": ids.take(pa.array(lo)),
        "line_number": pa.array(line_number).cast(pa.string()),
        "product_id": take_str(catalog.product_ids, product),
        "product_name": take_str(catalog.names, product),
        "category": take_str(CATEGORIES, catalog.category[product]),
        "quantity": pa.array(qty).cast(pa.string()),
        "unit_price": fmt_money(price),
        "discount_amount": fmt_money(disc),
    })
    return orders, o.protected[order], lines, o.protected[order][lo]


def format_email(e: EmailEvents, cal: Calendar, counters: Counters) -> tuple[pa.Table, np.ndarray]:
    order = np.lexsort((e.ts, e.profile))
    n = len(order)
    apple = e.apple[order]
    table = pa.table({
        "event_id": fmt_ids("e", counters.email + 1 + np.arange(n), 10),
        "profile_id": profile_ids(e.profile[order]),
        "channel": take_str(CHANNELS, e.channel[order]),
        "event_type": take_str(EMAIL_TYPES, e.etype[order]),
        "campaign_id": take_str(cal.campaign_ids, e.campaign[order]),
        "occurred_at": fmt_ts(e.ts[order]),
        "is_apple_privacy_open": take_str(["false", "true"], apple - 1),
    })
    counters.email += n
    return table, e.protected[order]


def format_sessions(s: Sessions, catalog: Catalog, counters: Counters) -> tuple[pa.Table,
                                                                               np.ndarray]:
    order = np.lexsort((s.start, s.profile))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    ev_new = rank[s.ev_session]
    ev_order = np.lexsort((s.ev_ts, ev_new))
    n = len(ev_order)
    product = s.ev_product[ev_order]
    value = s.ev_value[ev_order]
    session_ids = fmt_ids("s", counters.session + 1 + rank, 9)
    counters.session += len(order)
    prof = null_where(profile_ids(s.profile[s.ev_session][ev_order]), s.anonymous[s.ev_session][
        ev_order])
    table = pa.table({
        "event_id": fmt_ids("v", counters.site + 1 + np.arange(n), 10),
        "profile_id": prof,
        "session_id": session_ids.take(pa.array(s.ev_session[ev_order])),
        "event_type": take_str(SITE_TYPES, s.ev_type[ev_order]),
        "occurred_at": fmt_ts(s.ev_ts[ev_order]),
        "product_id": take_str(catalog.product_ids, product),
        "category": take_str(CATEGORIES, np.where(product >= 0, catalog.category[
            np.clip(product, 0, None)], -1)),
        "value": fmt_money(np.clip(value, 0, None), missing=value < 0),
    })
    counters.site += n
    return table, s.protected[s.ev_session][ev_order]


# --------------------------------------------------------------------------------------------
# Bad rows and noise
# --------------------------------------------------------------------------------------------

BAD_KINDS = [
    "missing_required", "unknown_enum", "unparseable_timestamp", "non_numeric_money",
    "negative_money", "bad_quantity", "orphan_reference", "conflicting_duplicate",
    "exact_duplicate",
]
NOISE_KINDS = ["noise_timestamp_suffix", "noise_padded_value", "noise_email_case"]
BAD_TIMESTAMP_FORMATS = ["slashes", "day_first", "offset", "word"]


@dataclass(frozen=True)
class BadSpec:
    id_cols: tuple[str, ...]
    missing: tuple[str, ...]
    enums: tuple[tuple[str, tuple[str, ...]], ...]
    timestamp: str
    money: tuple[str, ...] = ()
    quantity: str | None = None
    orphan_ref: str | None = None  # the reference an orphan copy points elsewhere
    orphan_suffix: str = "x"
    new_id: str | None = None  # id column given a fresh value on an orphan copy
    conflict: str = ""  # column that differs on a conflicting duplicate
    pad: tuple[str, ...] = ()
    email: str | None = None

    def kinds(self) -> list[str]:
        kinds = ["missing_required"]
        if self.enums:
            kinds.append("unknown_enum")
        if self.timestamp:
            kinds.append("unparseable_timestamp")
        if self.money:
            kinds += ["non_numeric_money", "negative_money"]
        if self.quantity:
            kinds.append("bad_quantity")
        if self.orphan_ref:
            kinds.append("orphan_reference")
        return [*kinds, "conflicting_duplicate", "exact_duplicate"]

    def noise_kinds(self) -> list[str]:
        kinds = ["noise_timestamp_suffix"] if self.timestamp else []
        kinds.append("noise_padded_value")
        return [*kinds, "noise_email_case"] if self.email else kinds


BAD_SPECS: dict[str, BadSpec] = {
    "raw_profiles": BadSpec(
        id_cols=("profile_id",),
        missing=("created_at", "email_consent", "sms_consent", "profile_id"),
        enums=(("email_consent", ("maybe", "Subscribed", "opted_in")),
               ("sms_consent", ("yes", "UNSUBSCRIBED"))),
        timestamp="created_at",
        conflict="email_consent",
        pad=("first_name", "country", "email_consent"),
        email="email",
    ),
    "raw_orders": BadSpec(
        id_cols=("order_id",),
        missing=("ordered_at", "status", "currency", "order_total", "order_id"),
        enums=(("status", ("Placed", "shipped", "PLACED", "pending")),),
        timestamp="ordered_at",
        money=("order_total", "discount_total"),
        orphan_ref="profile_id",
        new_id="order_id",
        conflict="order_total",
        pad=("status", "currency", "order_total"),
    ),
    "raw_order_lines": BadSpec(
        id_cols=("order_id", "line_number"),
        missing=("product_id", "category", "quantity", "unit_price", "line_number"),
        enums=(),
        timestamp="",
        money=("unit_price", "discount_amount"),
        quantity="quantity",
        orphan_ref="order_id",
        orphan_suffix="z",
        conflict="quantity",
        pad=("category", "quantity", "product_id"),
    ),
    "raw_email_events": BadSpec(
        id_cols=("event_id",),
        missing=("event_type", "occurred_at", "channel", "event_id", "profile_id"),
        enums=(("event_type", ("opend", "Clicked", "bounce", "SENT")),
               ("channel", ("whatsapp", "Email", "push"))),
        timestamp="occurred_at",
        orphan_ref="profile_id",
        new_id="event_id",
        conflict="occurred_at",
        pad=("event_type", "channel", "campaign_id"),
    ),
    "raw_site_visits": BadSpec(
        id_cols=("event_id",),
        missing=("session_id", "event_type", "occurred_at", "event_id"),
        enums=(("event_type", ("add_to_cart", "PageView", "checkout_started")),),
        timestamp="occurred_at",
        money=("value",),
        orphan_ref="profile_id",
        new_id="event_id",
        conflict="occurred_at",
        pad=("event_type", "category", "session_id"),
    ),
}


def _bad_timestamp(value: str, variant: int) -> str:
    date, _, clock = value.partition(" ")
    y, m, d = date.split("-")
    fmt = BAD_TIMESTAMP_FORMATS[variant % len(BAD_TIMESTAMP_FORMATS)]
    if fmt == "slashes":
        return f"{y}/{m}/{d} {clock[:5]}"
    if fmt == "day_first":
        return f"{d}-{m}-{y}"
    if fmt == "offset":
        return f"{date}T{clock}+02:00"
    return "yesterday"


def _shift_hour(value: str) -> str:
    t = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S") - dt.timedelta(hours=1)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def inject_bad_rows(table: pa.Table, protected: np.ndarray, spec: BadSpec,
                    rng: np.random.Generator, bad_share: float, noise_share: float,
                    counts: dict[str, int]) -> pa.Table:
    """Mutate or copy random unprotected rows into bad rows and noise; returns the new table."""
    n = table.num_rows
    eligible = np.nonzero(~protected)[0]
    kinds = spec.kinds() if bad_share > 0 else []
    noise = spec.noise_kinds() if noise_share > 0 else []
    n_bad = round(bad_share * len(eligible)) if kinds else 0
    if kinds:
        n_bad = max(n_bad, len(kinds))
    n_noise = max(round(noise_share * len(eligible)), len(noise)) if noise else 0
    total = min(n_bad + n_noise, len(eligible))
    if total == 0:
        return table
    n_bad = min(n_bad, total)
    chosen = np.sort(rng.choice(eligible, total, replace=False))
    perm = rng.permutation(total)
    bad_rows, noise_rows = chosen[perm[:n_bad]], chosen[perm[n_bad:]]
    kind_of = rng.permutation(np.arange(len(bad_rows)) % len(kinds)) if kinds else []
    noise_of = rng.permutation(np.arange(len(noise_rows)) % len(noise)) if noise else []

    cache: dict[str, list[str | None]] = {}
    slot = {row: k for k, row in enumerate(chosen.tolist())}

    def value(col: str, row: int) -> str | None:
        if col not in cache:
            cache[col] = table.column(col).take(pa.array(chosen)).to_pylist()
        return cache[col][slot[row]]

    edits: list[tuple[int, str, str | None]] = []  # (row, column, new value) on base rows
    inserts: list[tuple[int, dict[str, str | None]]] = []  # (source row, column overrides)
    variants = rng.integers(0, 1_000_000, total)
    for j, row in enumerate(bad_rows.tolist()):
        kind, v = kinds[kind_of[j]], int(variants[j])
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "missing_required":
            edits.append((row, spec.missing[v % len(spec.missing)], None if v % 4 else "   "))
        elif kind == "unknown_enum":
            col, bad = spec.enums[v % len(spec.enums)]
            edits.append((row, col, bad[(v // 7) % len(bad)]))
        elif kind == "unparseable_timestamp":
            col = spec.timestamp
            edits.append((row, col, _bad_timestamp(value(col, row) or "", v // 3)))
        elif kind == "non_numeric_money":
            col = spec.money[v % len(spec.money)]
            old = value(col, row) or "0.00"
            edits.append((row, col, [old.replace(".", ","), "N/A", "12.5.0", "€" + old][v % 4]))
        elif kind == "negative_money":
            col = spec.money[v % len(spec.money)]
            old = value(col, row) or "0.00"
            edits.append((row, col, "-" + (old if old not in ("0.00", "") else "5.00")))
        elif kind == "bad_quantity":
            edits.append((row, spec.quantity or "", ["0", "two", "-1"][v % 3]))
        elif kind == "orphan_reference":
            ref = spec.orphan_ref or ""
            over: dict[str, str | None] = {ref: (value(ref, row) or "p0000000") + spec.orphan_suffix}
            if spec.new_id:
                over[spec.new_id] = (value(spec.new_id, row) or "") + "x"
            inserts.append((row, over))
        elif kind == "conflicting_duplicate":
            col = spec.conflict
            old = value(col, row)
            if col == "email_consent":
                new = "unsubscribed" if old == "subscribed" else "subscribed"
            elif col == "order_total":
                new = f"{float(old or 0) + 1:.2f}"
            elif col == "quantity":
                new = str(int(old or 1) + 1)
            else:
                new = _shift_hour(old) if old else "2020-01-01 00:00:00"
            inserts.append((row, {col: new}))
        else:  # exact duplicate
            inserts.append((row, {}))
    for j, row in enumerate(noise_rows.tolist()):
        kind, v = noise[noise_of[j]], int(variants[n_bad + j])
        if kind == "noise_timestamp_suffix":
            col = spec.timestamp
            old = value(col, row)
            new = None if old is None else old + ("Z", "+00:00")[v % 2]
        elif kind == "noise_padded_value":
            cols = [spec.pad[(v + k) % len(spec.pad)] for k in range(len(spec.pad))]
            col = next((c for c in cols if value(c, row) is not None), cols[0])
            old = value(col, row)
            new = None if old is None else (" " + old + "  ", "   " + old)[v % 2]
        else:
            col = spec.email or ""
            old = value(col, row)
            new = None if old is None else ("  " + old.upper(), old.title() + " ")[v % 2]
        if new is not None:  # a null stays null: nothing to pad, not counted
            counts[kind] = counts.get(kind, 0) + 1
            edits.append((row, col, new))

    # build the new row order: each copy right after its source row (ids stay sorted)
    src = np.array([r for r, _ in inserts], dtype=np.int64)
    keys = np.concatenate([np.arange(n, dtype=np.int64) * 2, src * 2 + 1])
    order = np.argsort(keys, kind="stable")
    position = np.empty(len(keys), dtype=np.int64)
    position[order] = np.arange(len(keys))
    take = np.concatenate([np.arange(n, dtype=np.int64), src])[order]
    out = table.take(pa.array(take)) if len(src) else table
    by_col: dict[str, list[tuple[int, str | None]]] = {}
    for row, col, val in edits:
        by_col.setdefault(col, []).append((int(position[row]), val))
    for k, (_, over) in enumerate(inserts):
        for col, val in over.items():
            by_col.setdefault(col, []).append((int(position[n + k]), val))
    columns = []
    for name in out.column_names:
        arr = out.column(name).combine_chunks()
        if name in by_col:
            changes = sorted(by_col[name], key=lambda x: x[0])
            mask = np.zeros(out.num_rows, dtype=bool)
            mask[[p for p, _ in changes]] = True
            arr = pc.replace_with_mask(arr, pa.array(mask), pa.array([v for _, v in changes],
                                                                     type=pa.string()))
        columns.append(arr)
    return pa.table(columns, names=out.column_names)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

SCHEMAS = {name: pa.schema([(c, pa.string()) for c in cols]) for name, cols in COLUMNS.items()}


class Writer:
    """One output file per entity, appended chunk by chunk.

    Writing happens on one background thread (Arrow releases the GIL while it encodes), so the
    next chunk is generated while the previous one is written; one thread keeps the order.
    """

    def __init__(self, out: Path, fmt: str) -> None:
        self.fmt = fmt
        self.paths: dict[str, Path] = {}
        self.writers: dict[str, pacsv.CSVWriter | pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: list[Future[None]] = []
        for name, schema in SCHEMAS.items():
            path = out / f"{name}.{fmt}"
            self.paths[name] = path
            self.rows[name] = 0
            if fmt == "csv":
                self.writers[name] = pacsv.CSVWriter(
                    str(path), schema,
                    write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed"),
                )
            else:
                self.writers[name] = pq.ParquetWriter(str(path), schema, compression="zstd")

    def write(self, name: str, table: pa.Table) -> None:
        table = table.select(COLUMNS[name]).cast(SCHEMAS[name])
        self.rows[name] += table.num_rows
        self.pending.append(self.pool.submit(self.writers[name].write_table, table))

    def drain(self, keep: int = 0) -> None:
        """Wait until at most ``keep`` writes are pending (bounds memory), raising errors."""
        while len(self.pending) > keep:
            self.pending.pop(0).result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            self.pool.shutdown(wait=True)
            for w in self.writers.values():
                w.close()


def write_sales(out: Path, sales: list[Sale]) -> Path:
    path = out / "sales_periods.csv"
    lines = [",".join(SALES_COLUMNS)]
    lines += [f"{s.sale_id},{s.season},{s.starts_on},{s.ends_on}" for s in sales]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    rows: dict[str, int]
    paths: dict[str, Path]
    bad: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0


def generate(profiles: int, seed: int, end_date: dt.date, years: int, fmt: str, out: Path,
             bad_share: float, noise_share: float, chunk_size: int, rates: Rates,
             progress: bool = True) -> Result:
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    cal = build_calendar(end_date, years)
    catalog = build_catalog(seed)
    arch = ArchetypeBuilder(cal, catalog, seed)
    arch.build()
    write_sales(out, cal.sales)
    writer = Writer(out, fmt)
    counters = Counters()
    bad: dict[str, dict[str, int]] = {name: {} for name in COLUMNS}
    bounds = list(range(0, profiles, chunk_size))
    bar = tqdm(bounds, desc="generating", unit="chunk", disable=not progress, file=sys.stderr)
    try:
        for chunk_no, lo in enumerate(bar):
            hi = min(lo + chunk_size, profiles)
            rng = np.random.default_rng([seed, chunk_no])
            profiles_t, attrs = gen_profiles(rng, lo, hi, cal, arch)
            orders_parts = [gen_orders(rng, attrs, cal, catalog, rates)]
            email_parts = [gen_email(rng, attrs, cal, rates)]
            session_parts = [gen_sessions(rng, attrs, cal, catalog, rates)]
            if lo < N_ARCHETYPES:
                a_orders, a_email, a_sessions = arch.export(min(hi, N_ARCHETYPES))
                orders_parts.insert(0, a_orders)
                email_parts.insert(0, a_email)
                session_parts.insert(0, a_sessions)
            orders_t, orders_p, lines_t, lines_p = format_orders(
                concat_orders(orders_parts), catalog, counters)
            email_t, email_p = format_email(concat_email(email_parts), cal, counters)
            site_t, site_p = format_sessions(concat_sessions(session_parts), catalog, counters)
            profiles_p = attrs.index < N_ARCHETYPES
            bad_rng = np.random.default_rng([seed, chunk_no, 1])
            for name, table, prot in (
                ("raw_profiles", profiles_t, profiles_p),
                ("raw_orders", orders_t, orders_p),
                ("raw_order_lines", lines_t, lines_p),
                ("raw_email_events", email_t, email_p),
                ("raw_site_visits", site_t, site_p),
            ):
                table = inject_bad_rows(table, prot, BAD_SPECS[name], bad_rng, bad_share,
                                        noise_share, bad[name])
                writer.write(name, table)
            writer.drain(keep=len(COLUMNS))  # at most one chunk in flight
            bar.set_postfix(rows=sum(writer.rows.values()))
    finally:
        writer.close()
    paths = dict(writer.paths)
    paths["sales_periods"] = out / "sales_periods.csv"
    rows = dict(writer.rows)
    rows["sales_periods"] = len(cal.sales)
    return Result(rows, paths, bad, time.perf_counter() - started)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="generate_data.py",
        description=(
            "Write the raw data of the Personas warehouse (a believable shop): raw_profiles, "
            "raw_orders, raw_order_lines, raw_email_events and raw_site_visits (every column "
            "as text, in the data contract's order) plus sales_periods.csv. The first "
            f"{N_ARCHETYPES} profiles are planted archetypes that give every segment of the "
            "catalog members at D = --end-date. Same arguments, byte-identical files."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--profiles", type=int, default=3000,
                        help="number of profiles (the default is the shipped demo)")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 1),
                        help="YYYY-MM-DD: the latest event day written (D of the demo)")
    parser.add_argument("--years", type=int, default=3,
                        help="years of history before --end-date (archetypes need at least 3)")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv",
                        help="file format of the five raw entities (sales_periods is always csv)")
    parser.add_argument("--out", type=Path, default=Path("seeds"), help="output directory")
    parser.add_argument("--bad-share", type=float, default=0.01,
                        help="share of rows per entity turned into bad rows (missing value, "
                             "unknown enum, bad timestamp, bad money/quantity, orphan, "
                             "conflicting and exact duplicates); 0 disables")
    parser.add_argument("--noise-share", type=float, default=0.01,
                        help="share of rows per entity given harmless noise that staging must "
                             "clean, not quarantine (padded values, Z/+00:00 suffixes, email "
                             "case and spaces); 0 disables")
    parser.add_argument("--chunk-size", type=int, default=25_000,
                        help="profiles generated per chunk (bounds memory; part of the "
                             "determinism inputs: change it and the random population changes)")
    parser.add_argument("--preset", choices=["auto", "demo", "full"], default="auto",
                        help="per-profile averages: demo = "
                             f"{PRESETS['demo']} (small enough for dbt seed), full = "
                             f"{PRESETS['full']} (benchmark scale); auto = demo up to "
                             f"{AUTO_DEMO_MAX_PROFILES} profiles, full above")
    parser.add_argument("--orders-per-profile", type=float, default=None,
                        help="override the preset's average orders per profile")
    parser.add_argument("--email-events-per-profile", type=float, default=None,
                        help="override the preset's average email/SMS events per profile")
    parser.add_argument("--site-events-per-profile", type=float, default=None,
                        help="override the preset's average site events per profile")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    parser.add_argument("--list-archetypes", action="store_true",
                        help="print the planted archetype profile_id ranges and exit")
    args = parser.parse_args(argv)
    if args.profiles < 1 or args.chunk_size < 1 or args.years < 1:
        parser.error("--profiles, --chunk-size and --years must be positive")
    if not 0 <= args.bad_share < 0.5 or not 0 <= args.noise_share < 0.5:
        parser.error("--bad-share and --noise-share must be in [0, 0.5)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list_archetypes:
        for name, first, last, segments in archetype_ranges():
            print(f"{first}..{last}  {name:<28} {segments}")
        return 0
    preset = args.preset
    if preset == "auto":
        preset = "demo" if args.profiles <= AUTO_DEMO_MAX_PROFILES else "full"
    base = PRESETS[preset]
    rates = Rates(
        orders=args.orders_per_profile or base["orders"],
        email_events=args.email_events_per_profile or base["email_events"],
        site_events=args.site_events_per_profile or base["site_events"],
    )
    result = generate(args.profiles, args.seed, args.end_date, args.years, args.format, args.out,
                      args.bad_share, args.noise_share, args.chunk_size, rates,
                      progress=not args.quiet)
    if not args.quiet:
        print(f"wrote {sum(result.rows.values()):,} rows in {result.seconds:.1f} s "
              f"(preset {preset}, {rates})", file=sys.stderr)
        for name, n in result.rows.items():
            print(f"  {result.paths[name]}: {n:,} rows", file=sys.stderr)
        for name, kinds in result.bad.items():
            if kinds:
                text = ", ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
                print(f"  injected into {name}: {text}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
