-- The engine's floor for `make bench` (issue 17): every segment membership of the catalog
-- (docs/segment-catalog.md), computed by hand in one DuckDB script from the raw files,
-- with none of the project's machinery: no quarantine, no data tests, no incremental
-- bookkeeping, no models in between. scripts/bench.py times it beside the project and prints
-- the project's time as a ratio to it; tests/python/test_bench_floor.py checks that on clean
-- data it finds exactly the project's marts.segment_memberships, segment by segment.
--
-- Input: the folder in variable raw_dir (`set variable raw_dir = '/path'` before running),
-- holding raw_profiles, raw_orders, raw_order_lines, raw_email_events and raw_site_visits as
-- .parquet and sales_periods.csv, as scripts/generate_data.py writes them. Every value is
-- text. Output: the table memberships(segment_name, profile_id), one row per member.
--
-- Clean data only. Raw values are typed as the data contract says: trimmed, '' is null,
-- timestamps read from their first 19 characters (so a 'Z' or '+00:00' suffix is fine),
-- money as decimal(18, 2), booleans as text; exact copies of a row are one row and rows
-- sharing a key but differing are left out, as staging does (single_versions). Nothing else
-- of the quarantine is looked for (missing values, unknown enum values, negative money,
-- orphans): on bad data the answer differs from the project's, and the script must only not
-- fail, so a bad value becomes a null (try_cast), never an error.
--
-- The CLV fit is Python (plugins/personas_clv.py, as in the project's Python model): the
-- runner, scripts/bench_floor.py, runs this script in two parts split at the line
-- `-- floor: clv fit`, fits the buyers of the table clv_summary there, and sets the variables
-- clv_r, clv_alpha, clv_a, clv_b (BG/NBD) and clv_p, clv_q, clv_v (Gamma-Gamma). Run whole
-- without them (e.g. in the duckdb CLI), the two predicted segments are empty. The vars
-- below are the project's, with dbt_project.yml's defaults (clv_parameters, which replaces
-- the fit, is not read).

-- A variable set before the script (scripts/bench_floor.py: run_floor(variables=...)) wins.
set variable as_of_date = cast(getvariable('as_of_date') as date);
set variable high_value_threshold = cast(getvariable('high_value_threshold') as decimal(18, 2));
set variable frequent_purchase_count = coalesce(getvariable('frequent_purchase_count'), 3);
set variable recent_purchase_months = coalesce(getvariable('recent_purchase_months'), 4);
set variable lapsed_purchase_months = coalesce(getvariable('lapsed_purchase_months'), 13);
set variable drive_by_min_months = coalesce(getvariable('drive_by_min_months'), 6);
set variable exclude_apple_privacy_opens = coalesce(getvariable('exclude_apple_privacy_opens'), true);
set variable recent_engagement_months = coalesce(getvariable('recent_engagement_months'), 3);
set variable frequent_engagement_count = coalesce(getvariable('frequent_engagement_count'), 3);
set variable espresso_days = coalesce(getvariable('espresso_days'), 30);
set variable dead_weight_months = coalesce(getvariable('dead_weight_months'), 6);
set variable new_subscriber_grace_days = coalesce(getvariable('new_subscriber_grace_days'), 15);
set variable new_subscriber_days = coalesce(getvariable('new_subscriber_days'), 30);
set variable pressure_window_days = coalesce(getvariable('pressure_window_days'), 7);
set variable pressure_max_messages = coalesce(getvariable('pressure_max_messages'), 5);
set variable local_countries = coalesce(getvariable('local_countries'), ['FR']);
set variable cart_abandonment_days = coalesce(getvariable('cart_abandonment_days'), 7);
set variable segments_require_email_consent = coalesce(getvariable('segments_require_email_consent'), true);
set variable rfm_lookback_months = coalesce(getvariable('rfm_lookback_months'), 24);
set variable category_repeat_days = coalesce(getvariable('category_repeat_days'), 365);
set variable discount_lookback_months = coalesce(getvariable('discount_lookback_months'), 12);
set variable site_intent_days = coalesce(getvariable('site_intent_days'), 30);
set variable undecided_min_visits = coalesce(getvariable('undecided_min_visits'), 10);
set variable rising_stars_period_months = coalesce(getvariable('rising_stars_period_months'), 3);
set variable clv_horizon_days = coalesce(getvariable('clv_horizon_days'), 90);
set variable at_risk_vip_top_percent = coalesce(getvariable('at_risk_vip_top_percent'), 20);
set variable at_risk_vip_min_clv = cast(getvariable('at_risk_vip_min_clv') as double);
set variable at_risk_vip_max_probability_alive = coalesce(getvariable('at_risk_vip_max_probability_alive'), 0.5);
set variable likely_to_buy_days = coalesce(getvariable('likely_to_buy_days'), 30);
-- Not a var of the project: false skips looking for repeated rows (single_versions below).
set variable collapse_repeats = coalesce(getvariable('collapse_repeats'), true);

-- The catalog's windows on a day, relative to D (variable d, set below once it is known).
-- "in the last N days": D - N < day <= D, in integer days; "in the last N months": calendar
-- months, end of month clamped; "between A and B months ago": D - B months < day <= D - A months.
create or replace temp macro months_before(day, months) as cast(day - to_months(months) as date);
create or replace temp macro in_last_days(day, days) as
    day > getvariable('d') - days and day <= getvariable('d');
create or replace temp macro in_last_months(day, months) as
    day > months_before(getvariable('d'), months) and day <= getvariable('d');
create or replace temp macro between_months_ago(day, from_months, to_months) as
    day > months_before(getvariable('d'), to_months) and day <= months_before(getvariable('d'), from_months);
-- A contract value: trimmed, '' is null. trim() only where an end is a space: most values
-- have none, and copying every one of them costs more than the test (DuckDB's trim removes
-- spaces, as in the project).
create or replace temp macro text_value(raw) as
    nullif(case when starts_with(raw, ' ') or ends_with(raw, ' ') then trim(raw) else raw end, '');
-- Mean of cents over a count, rounded half away from zero to the cent, in integers.
create or replace temp macro mean_cents(total_cents, row_count) as
    (2 * total_cents + row_count) // (2 * row_count);
-- RFM score of a rank() in a population of n (1 worst, 5 best), in integers.
create or replace temp macro rfm_score(rank_value, population_size) as
    case when population_size = 1 then 5 else least(5, 1 + 5 * (rank_value - 1) // (population_size - 1)) end;

-- The raw files, every value text. row_key: the entity's key, trimmed (an order line's: its
-- order and line number, '1' and '01' being one line).
create or replace temp view raw_profiles as
select
    *,
    text_value(profile_id) as row_key
from read_parquet(getvariable('raw_dir') || '/raw_profiles.parquet');

create or replace temp view raw_orders as
select
    *,
    text_value(order_id) as row_key
from read_parquet(getvariable('raw_dir') || '/raw_orders.parquet');

create or replace temp view raw_order_lines as
select
    *,
    concat_ws(
        '|',
        text_value(order_id),
        coalesce(cast(try_cast(text_value(line_number) as integer) as varchar), text_value(line_number))
    ) as row_key
from read_parquet(getvariable('raw_dir') || '/raw_order_lines.parquet');

create or replace temp view raw_email_events as
select
    *,
    text_value(event_id) as row_key
from read_parquet(getvariable('raw_dir') || '/raw_email_events.parquet');

create or replace temp view raw_site_visits as
select
    *,
    text_value(event_id) as row_key
from read_parquet(getvariable('raw_dir') || '/raw_site_visits.parquet');

-- The rows of a raw relation with exact copies (after trimming) collapsed into one and the
-- keys with several different rows (conflicting versions) left out, as staging does. Most
-- keys occur once: sorting the hashes of the keys finds the few that repeat (a neighbour
-- with the same hash; cheaper than grouping millions of keys), and only their rows are
-- trimmed and compared. Variable collapse_repeats false skips it (clean data from
-- scripts/generate_data.py --bad-share 0 holds no repeated key, so it changes no result).
create or replace temp macro single_versions(relation) as table
with repeated_keys as (
    select distinct key_hash
    from (
        select
            hash(row_key) as key_hash,
            lead(hash(row_key)) over (order by hash(row_key)) as next_key_hash
        from query_table(relation)
        where getvariable('collapse_repeats')
    )
    where key_hash = next_key_hash
),

repeated_rows as (
    select distinct
        text_value(columns(* exclude (row_key))),
        row_key
    from (
        select repeated.*
        from query_table(relation) as repeated
        semi join repeated_keys
            on hash(repeated.row_key) = repeated_keys.key_hash
    )
)

select once.*
from query_table(relation) as once
anti join repeated_keys
    on hash(once.row_key) = repeated_keys.key_hash
union all
select * from repeated_rows
qualify count(*) over (partition by row_key) = 1;

-- D: var as_of_date, else the latest day of any order, email event or site visit. A
-- timestamp of the contract's shape sorts as text in time order: the latest text is the
-- latest day. (A copy or another version of a row brings no later day.)
create or replace temp macro latest_day(timestamp_text) as
    try_cast(left(max(text_value(timestamp_text)) filter (
        where text_value(timestamp_text) like '____-__-__ __:__:__%'
    ), 10) as date);

set variable d = coalesce(
    getvariable('as_of_date'),
    greatest(
        (select latest_day(ordered_at) from raw_orders),
        (select latest_day(occurred_at) from raw_email_events),
        (select latest_day(occurred_at) from raw_site_visits)
    )
);

-- The raw entities typed, only the columns a segment needs, events after D left out.
create or replace temp table order_lines as
select
    text_value(order_id) as order_id,
    text_value(category) as category,
    coalesce(try_cast(text_value(discount_amount) as decimal(18, 2)) > 0, false) as is_discounted
from single_versions('raw_order_lines');

-- Email and SMS events (every window on them ends at D), with the catalog's engagement: an email open or click; with var
-- exclude_apple_privacy_opens, an open flagged as an Apple Mail Privacy Protection open is not one.
create or replace temp view email_events as
with typed as (
    select
        text_value(profile_id) as profile_id,
        text_value(channel) = 'email' as is_email,
        text_value(event_type) as event_type,
        is_apple_privacy_open,
        try_cast(left(text_value(occurred_at), 10) as date) as occurred_on
    from single_versions('raw_email_events')
)

select
    profile_id,
    occurred_on,
    is_email and (
        event_type = 'clicked'
        or event_type = 'opened' and not (
            getvariable('exclude_apple_privacy_opens')
            and coalesce(lower(text_value(is_apple_privacy_open)) in ('true', 't', '1', 'yes'), false)
        )
    ) as is_engagement,
    is_email and event_type = 'clicked' as is_click,
    is_email and event_type = 'delivered' as is_delivery,
    is_email and event_type = 'subscribed' as is_subscription,
    is_email and event_type = 'unsubscribed' as is_unsubscription
from typed;

-- Site events; the time of day is only read where a rule needs it (checkouts). Every
-- window on events ends at D: later events count nowhere.
create or replace temp view site_visits as
with typed as (
    select
        text_value(profile_id) as profile_id,
        text_value(session_id) as session_id,
        text_value(event_type) as event_type,
        value,
        occurred_at,
        try_cast(left(text_value(occurred_at), 10) as date) as occurred_on
    from single_versions('raw_site_visits')
)

select
    profile_id,
    session_id,
    event_type,
    occurred_on,
    case
        when event_type = 'started_checkout' then cast(try_cast(text_value(value) as decimal(18, 2)) * 100 as bigint)
    end as checkout_value_cents,
    case
        when event_type = 'started_checkout' then try_cast(left(text_value(occurred_at), 19) as timestamp)
    end as checkout_at
from typed;

-- Purchases: placed orders of a profile, on or before D.
create or replace temp table purchases as
with orders as (
    select
        text_value(profile_id) as profile_id,
        row_key as order_id,
        text_value(status) as status,
        cast(try_cast(text_value(order_total) as decimal(18, 2)) * 100 as bigint) as order_total_cents,
        try_cast(left(text_value(ordered_at), 19) as timestamp) as ordered_at
    from single_versions('raw_orders')
)

select
    profile_id,
    order_id,
    order_total_cents,
    cast(ordered_at as date) as ordered_on,
    ordered_at
from orders
where status = 'placed' and profile_id is not null and cast(ordered_at as date) <= getvariable('d');

-- T in cents: var high_value_threshold, else the mean purchase, rounded. Null: nobody is high-value.
set variable high_value_threshold_cents = coalesce(
    cast(getvariable('high_value_threshold') * 100 as bigint),
    (select mean_cents(sum(order_total_cents), count(*)) from purchases)
);

-- The current sale (latest start on or before D; ties: greatest sale_id) and its previous
-- edition (same season, latest earlier start), windows clipped to D.
create or replace temp table sales_periods as
select
    text_value(sale_id) as sale_id,
    text_value(season) as season,
    try_cast(text_value(starts_on) as date) as starts_on,
    try_cast(text_value(ends_on) as date) as ends_on
from read_csv(getvariable('raw_dir') || '/sales_periods.csv', header = true, all_varchar = true);

set variable current_sale = (
    select {'sale_id': sale_id, 'season': season, 'starts_on': starts_on, 'ends_on': least(ends_on, getvariable('d'))}
    from sales_periods
    where starts_on <= getvariable('d')
    order by starts_on desc, sale_id desc
    limit 1
);

set variable previous_sale = (
    select {'starts_on': starts_on, 'ends_on': least(ends_on, getvariable('d'))}
    from sales_periods
    where season = getvariable('current_sale').season and starts_on < getvariable('current_sale').starts_on
    order by starts_on desc, sale_id desc
    limit 1
);

create or replace temp macro in_sale(day, sale) as day >= sale.starts_on and day <= sale.ends_on;

-- Purchase facts per buyer. AOV and T compared in whole cents.
create or replace temp table purchase_facts as
with discounted_orders as (
    select distinct order_id
    from order_lines
    where is_discounted
)

select
    purchases.profile_id,
    count(*) as purchase_count,
    sum(purchases.order_total_cents) as revenue_cents,
    max(purchases.ordered_on) as last_purchase_on,
    max(purchases.ordered_at) as last_purchase_at,
    count(*) filter (where in_sale(purchases.ordered_on, getvariable('current_sale'))) as current_sale_purchases,
    count(*) filter (where in_sale(purchases.ordered_on, getvariable('previous_sale'))) as previous_sale_purchases,
    count(discounted_orders.order_id) filter (
        where in_last_months(purchases.ordered_on, getvariable('discount_lookback_months'))
    ) as recent_discounted_purchases
from purchases
left join discounted_orders
    on purchases.order_id = discounted_orders.order_id
group by purchases.profile_id;

-- The RFM population at a date and its scores: purchases in the last rfm_lookback_months
-- months before it; R = last purchase day, F = purchases, M = mean purchase in cents, each
-- ranked with rank() (ties share the lowest rank, the worst gets 1).
create or replace temp macro rfm_scores(as_of) as table
with population as (
    select
        profile_id,
        max(ordered_on) as last_purchase_on,
        count(*) as rfm_purchase_count,
        mean_cents(sum(order_total_cents), count(*)) as rfm_monetary_cents
    from purchases
    where ordered_on > months_before(as_of, getvariable('rfm_lookback_months')) and ordered_on <= as_of
    group by profile_id
)

select
    profile_id,
    rfm_score(rank() over (order by last_purchase_on), count(*) over ()) as recency_score,
    rfm_score(rank() over (order by rfm_purchase_count), count(*) over ()) as frequency_score,
    rfm_score(rank() over (order by rfm_monetary_cents), count(*) over ()) as monetary_score
from population;

-- The catalog's table of RFM groups, from worst (1) to best (11) for seg_rising_stars.
create or replace temp table rfm_groups as
select
    rfm_segment,
    group_rank,
    unnest(codes) as rfm_code
from (
    values
    ('champions', 11, ['555', '554', '544', '545', '454', '455', '445']),
    ('loyal', 10, ['543', '444', '435', '355', '354', '345', '344', '335']),
    ('potential_loyalist', 9, [
        '553', '551', '552', '541', '542', '533', '532', '531', '452', '451', '442', '441', '431', '453',
        '433', '432', '423', '353', '352', '351', '342', '341', '333', '323'
    ]),
    ('new_customers', 8, ['512', '511', '422', '421', '412', '411', '311']),
    ('promising', 7, [
        '525', '524', '523', '522', '521', '515', '514', '513', '425', '424', '413', '414', '415', '315',
        '314', '313'
    ]),
    ('need_attention', 6, ['535', '534', '443', '434', '343', '334', '325', '324']),
    ('about_to_sleep', 5, ['331', '321', '312', '221', '213', '231', '241', '251']),
    ('at_risk', 4, [
        '255', '254', '245', '244', '253', '252', '243', '242', '235', '234', '225', '224', '153', '152',
        '145', '143', '142', '135', '134', '133', '125', '124'
    ]),
    ('cannot_lose_them', 3, ['155', '154', '144', '214', '215', '115', '114', '113']),
    ('hibernating', 2, ['332', '322', '233', '232', '223', '222', '132', '123', '122', '212', '211']),
    ('lost', 1, ['111', '112', '121', '131', '141', '151'])
) as rfm_group_codes (rfm_segment, group_rank, codes);

create or replace temp table rfm_now as
select
    rfm_scores.*,
    rfm_groups.group_rank
from rfm_scores(getvariable('d')) as rfm_scores
inner join rfm_groups
    on concat(rfm_scores.recency_score, rfm_scores.frequency_score, rfm_scores.monetary_score) = rfm_groups.rfm_code;

-- Email facts per profile (each window ends at D).
create or replace temp table email_facts as
select
    profile_id,
    count(*) filter (where is_engagement and in_last_days(occurred_on, 30)) as engagements_last_30_days,
    count(*) filter (where is_engagement and in_last_days(occurred_on, 60)) as engagements_last_60_days,
    count(*) filter (where is_engagement and in_last_days(occurred_on, 90)) as engagements_last_90_days,
    count(*) filter (
        where is_engagement and in_last_months(occurred_on, getvariable('recent_engagement_months'))
    ) as recent_engagements,
    count(*) filter (
        where
            is_engagement
            and occurred_on <= months_before(getvariable('d'), getvariable('recent_engagement_months'))
    ) as engagements_before_recent_window,
    count(*) filter (
        where is_engagement and in_last_months(occurred_on, getvariable('dead_weight_months'))
    ) as engagements_in_dead_weight_window,
    count(*) filter (where is_click and in_last_days(occurred_on, getvariable('espresso_days'))) as espresso_clicks,
    count(*) filter (
        where is_delivery and in_last_days(occurred_on, getvariable('pressure_window_days'))
    ) as pressure_deliveries,
    min(occurred_on) filter (where is_subscription and occurred_on <= getvariable('d')) as first_subscribed_on,
    coalesce(bool_or(is_unsubscription and occurred_on <= getvariable('d')), false) as has_ever_unsubscribed
from email_events
group by profile_id;

-- Site facts per known visitor, events on or before D.
create or replace temp table site_facts as
select
    profile_id,
    count(distinct session_id) filter (
        where in_last_days(occurred_on, getvariable('site_intent_days'))
    ) as intent_sessions,
    count(*) filter (
        where
            event_type in ('viewed_product', 'added_to_cart', 'started_checkout')
            and in_last_months(occurred_on, getvariable('recent_engagement_months'))
    ) as recent_product_interest_events,
    count(*) filter (
        where
            event_type = 'clicked_recommendation'
            and in_last_days(occurred_on, getvariable('site_intent_days'))
    ) as recommendation_clicks,
    max(checkout_at) filter (
        where
            in_last_days(occurred_on, getvariable('cart_abandonment_days'))
            and checkout_value_cents > getvariable('high_value_threshold_cents')
    ) as last_high_value_checkout_at,
    count(*) filter (
        where
            event_type in ('added_to_cart', 'started_checkout')
            and in_sale(occurred_on, getvariable('current_sale'))
    ) as current_sale_cart_events
from site_visits
where profile_id is not null
group by profile_id;

-- One row per profile: its attributes and every fact the segments read, with the catalog's flags.
create or replace temp table profile_facts as
with profiles as (
    select
        row_key as profile_id,
        text_value(email_consent) = 'subscribed' as is_email_consented,
        upper(text_value(country)) as country,
        cast(try_cast(left(text_value(created_at), 19) as timestamp) as date) as created_on
    from single_versions('raw_profiles')
)

select
    profiles.profile_id,
    profiles.country,
    profiles.created_on,
    profiles.is_email_consented,
    purchase_facts.profile_id is not null as has_purchased,
    purchase_facts.last_purchase_on,
    purchase_facts.last_purchase_at,
    coalesce(purchase_facts.current_sale_purchases, 0) as current_sale_purchases,
    coalesce(purchase_facts.previous_sale_purchases, 0) as previous_sale_purchases,
    coalesce(purchase_facts.recent_discounted_purchases, 0) as recent_discounted_purchases,
    coalesce(in_last_months(purchase_facts.last_purchase_on, getvariable('recent_purchase_months')), false)
        as is_recent_buyer,
    coalesce(
        between_months_ago(
            purchase_facts.last_purchase_on,
            getvariable('recent_purchase_months'),
            getvariable('lapsed_purchase_months')
        ),
        false
    ) as is_lapsed_buyer,
    coalesce(purchase_facts.purchase_count >= getvariable('frequent_purchase_count'), false) as is_frequent_buyer,
    coalesce(
        mean_cents(purchase_facts.revenue_cents, purchase_facts.purchase_count)
        > getvariable('high_value_threshold_cents'),
        false
    ) as is_high_value,
    rfm_now.recency_score,
    rfm_now.frequency_score,
    rfm_now.monetary_score,
    rfm_now.group_rank as rfm_group_rank,
    coalesce(email_facts.engagements_last_30_days, 0) as engagements_last_30_days,
    coalesce(email_facts.engagements_last_60_days, 0) as engagements_last_60_days,
    coalesce(email_facts.engagements_last_90_days, 0) as engagements_last_90_days,
    coalesce(email_facts.recent_engagements, 0) as recent_engagements,
    coalesce(email_facts.engagements_before_recent_window, 0) as engagements_before_recent_window,
    coalesce(email_facts.engagements_in_dead_weight_window, 0) as engagements_in_dead_weight_window,
    coalesce(email_facts.espresso_clicks, 0) as espresso_clicks,
    coalesce(email_facts.pressure_deliveries, 0) as pressure_deliveries,
    email_facts.first_subscribed_on,
    coalesce(email_facts.has_ever_unsubscribed, false) as has_ever_unsubscribed,
    coalesce(site_facts.intent_sessions, 0) as intent_sessions,
    coalesce(site_facts.recent_product_interest_events, 0) as recent_product_interest_events,
    coalesce(site_facts.recommendation_clicks, 0) as recommendation_clicks,
    site_facts.last_high_value_checkout_at,
    coalesce(site_facts.current_sale_cart_events, 0) as current_sale_cart_events
from profiles
left join purchase_facts
    on profiles.profile_id = purchase_facts.profile_id
left join rfm_now
    on profiles.profile_id = rfm_now.profile_id
left join email_facts
    on profiles.profile_id = email_facts.profile_id
left join site_facts
    on profiles.profile_id = site_facts.profile_id;

-- The inputs of the CLV models, one row per buyer: repeat purchases are distinct purchase
-- days (the orders of a day are one purchase of their summed value).
create or replace temp table clv_summary as
with purchase_days as (
    select
        profile_id,
        ordered_on,
        sum(order_total_cents) as day_total_cents
    from purchases
    group by profile_id, ordered_on
)

select
    purchase_days.profile_id,
    count(*) - 1 as frequency,
    max(purchase_days.ordered_on) - min(purchase_days.ordered_on) as recency_days,
    getvariable('d') - min(purchase_days.ordered_on) as age_days,
    case
        when count(*) > 1
            then
                cast(sum(purchase_days.day_total_cents) - arg_min(purchase_days.day_total_cents, purchase_days.ordered_on)
                    as double)
                / (100 * (count(*) - 1))
    end as repeat_monetary_value,
    rfm_now.profile_id is not null as is_in_rfm_population
from purchase_days
left join rfm_now
    on purchase_days.profile_id = rfm_now.profile_id
group by purchase_days.profile_id, rfm_now.profile_id;

-- floor: clv fit

-- Predictions for the RFM population (docs/predictions.md), from the fitted parameters.
-- BG/NBD: P(alive), E[purchases in the horizon] through the Euler-transformed Gauss
-- hypergeometric series, summed once per distinct (x, T) in the order of its terms, and the
-- median days to the next order; Gamma-Gamma: the expected order value.
create or replace temp table predictions as
with parameters as (
    select
        getvariable('clv_r') as r,
        getvariable('clv_alpha') as alpha,
        getvariable('clv_a') as a,
        getvariable('clv_b') as b,
        getvariable('clv_p') as p,
        getvariable('clv_q') as q,
        getvariable('clv_v') as v,
        cast(getvariable('clv_horizon_days') as double) as horizon
),

customers as (
    select
        clv_summary.profile_id,
        clv_summary.frequency,
        clv_summary.recency_days,
        clv_summary.age_days,
        clv_summary.repeat_monetary_value,
        parameters.*
    from clv_summary
    cross join parameters
    where
        clv_summary.is_in_rfm_population
        and parameters.r > 0 and parameters.alpha > 0 and parameters.a > 0 and parameters.b > 0
),

series_terms as (
    select
        pairs.frequency,
        pairs.age_days,
        term.k,
        -- sign and logarithm of the k-th term, a product of k factors
        sum(
            ln(greatest(abs(pairs.a + pairs.b - 1 - pairs.r + term.k - 1), 1e-300))
            + case when term.k > 1 then ln(pairs.a + term.k - 2) else 0 end
            - ln(greatest(abs(pairs.a + pairs.b + pairs.frequency - 1 + term.k - 1), 1e-300))
            - ln(term.k)
            + pairs.log_z
        ) over running as log_term,
        sum(
            cast(pairs.a + pairs.b - 1 - pairs.r + term.k - 1 < 0 as integer)
            + cast(pairs.a + pairs.b + pairs.frequency - 1 + term.k - 1 < 0 as integer)
        ) over running as negative_factors,
        pairs.terms
    from (
        select distinct
            frequency,
            age_days,
            r,
            a,
            b,
            ln(horizon) - ln(alpha + age_days + horizon) as log_z,
            least(1000, cast(ceil(45 / -(ln(horizon) - ln(alpha + age_days + horizon))) as integer) + 20) as terms
        from customers
    ) as pairs
    inner join range(1, 1001) as term (k)
        on term.k <= pairs.terms
    window running as (
        partition by pairs.frequency, pairs.age_days order by term.k rows between unbounded preceding and current row
    )
),

series as (
    select
        frequency,
        age_days,
        k,
        terms,
        log_term,
        sum(
            case
                when log_term > -300
                    then (1 - 2 * (negative_factors % 2)) * exp(least(greatest(log_term, -300), 300))
                else 0
            end
        ) over (
            partition by frequency, age_days order by k rows between unbounded preceding and current row
        ) as series_sum
    from series_terms
),

alive as (
    select
        customers.*,
        series.series_sum,
        coalesce(
            series.log_term < -35 or series.log_term < ln(greatest(abs(series.series_sum), 1e-300)) - 35, false
        ) as is_series_converged,
        ln(customers.alpha + customers.age_days) - ln(customers.alpha + customers.age_days + customers.horizon)
            as log_one_minus_z,
        case
            when customers.frequency = 0 then cast(1 as double)
            else 1 / (1 + exp(least(greatest(
                ln(customers.a) - ln(customers.b + customers.frequency - 1)
                + (customers.r + customers.frequency)
                * (ln(customers.alpha + customers.age_days) - ln(customers.alpha + customers.recency_days)),
                -300), 300)))
        end as probability_alive
    from customers
    left join series
        on
            customers.frequency = series.frequency
            and customers.age_days = series.age_days
            and series.k = series.terms
)

select
    profile_id,
    probability_alive,
    case
        when is_series_converged and p > 0 and q > 1 and v > 0
            then
                (a + b + frequency - 1)
                * (
                    case
                        when abs(a - 1) < 1e-9 then -log_one_minus_z
                        else (1 - exp(least(greatest((a - 1) * log_one_minus_z, -300), 300))) / (a - 1)
                    end
                    - exp(least(greatest((a - 1) * log_one_minus_z, -300), 300)) * series_sum
                )
                * probability_alive
                * ((p * v + p * frequency * coalesce(repeat_monetary_value, 0)) / (p * frequency + q - 1))
    end as predicted_clv,
    case
        when probability_alive > 0.5
            then (alpha + age_days) * (exp(least(greatest(-ln(1 - 0.5 / probability_alive) / (r + frequency), -300), 300)) - 1)
    end as days_to_next_order
from alive;

-- Every segment of the catalog: its members, one row each.
create or replace table memberships as
with consented as (
    select * from profile_facts
    where is_email_consented or not getvariable('segments_require_email_consent')
),

always_consented as (
    select * from profile_facts
    where is_email_consented
),

category_purchases as (
    select
        purchases.profile_id,
        order_lines.category,
        count(distinct purchases.order_id) as category_purchase_count
    from purchases
    inner join order_lines
        on purchases.order_id = order_lines.order_id
    where in_last_days(purchases.ordered_on, getvariable('category_repeat_days'))
    group by purchases.profile_id, order_lines.category
),

rfm_at_period_start as (
    select
        rfm_scores.profile_id,
        rfm_groups.group_rank
    from rfm_scores(months_before(getvariable('d'), getvariable('rising_stars_period_months'))) as rfm_scores
    inner join rfm_groups
        on concat(rfm_scores.recency_score, rfm_scores.frequency_score, rfm_scores.monetary_score) = rfm_groups.rfm_code
),

ranked_predictions as (
    select
        profile_id,
        predicted_clv,
        probability_alive,
        rank() over (order by predicted_clv desc) as predicted_clv_rank,
        count(*) over () as predicted_customers
    from predictions
    where predicted_clv is not null
),

members as (
    -- Purchase personas
    select 'biggest_fans' as segment_name, profile_id from consented
    where is_recent_buyer and is_frequent_buyer and is_high_value
    union all
    select 'brand_fans' as segment_name, profile_id from consented
    where is_recent_buyer and is_frequent_buyer and not is_high_value
    union all
    select 'potential_fans' as segment_name, profile_id from consented
    where is_recent_buyer and not is_frequent_buyer and is_high_value
    union all
    select 'potential_brand_lovers' as segment_name, profile_id from consented
    where is_recent_buyer and not is_frequent_buyer and not is_high_value
    union all
    select 'former_biggest_fans' as segment_name, profile_id from consented
    where is_lapsed_buyer and is_frequent_buyer and is_high_value
    union all
    select 'former_brand_fans' as segment_name, profile_id from consented
    where is_lapsed_buyer and is_frequent_buyer and not is_high_value
    union all
    select 'flash_in_the_pan' as segment_name, profile_id from consented
    where is_lapsed_buyer and not is_frequent_buyer and is_high_value
    union all
    select 'drive_by_shoppers' as segment_name, profile_id from consented
    where
        between_months_ago(
            last_purchase_on, getvariable('drive_by_min_months'), getvariable('lapsed_purchase_months')
        )
        and not is_frequent_buyer and not is_high_value
    union all
    -- Engagement personas
    select 'fence_sitters' as segment_name, profile_id from consented
    where not has_purchased and recent_engagements >= getvariable('frequent_engagement_count')
    union all
    select 'window_shoppers' as segment_name, profile_id from consented
    where not has_purchased and recent_engagements between 1 and getvariable('frequent_engagement_count') - 1
    union all
    select 'espresso_shoppers' as segment_name, profile_id from consented
    where
        espresso_clicks > 0
        and coalesce(not in_last_days(last_purchase_on, getvariable('espresso_days')), true)
    union all
    select 'interested_shoppers' as segment_name, profile_id from consented
    where not has_purchased and recent_product_interest_events > 0
    union all
    select 'false_starts' as segment_name, profile_id from consented
    where recent_engagements = 0 and engagements_before_recent_window >= getvariable('frequent_engagement_count')
    union all
    select 'dead_weight' as segment_name, profile_id from always_consented
    where
        created_on <= months_before(getvariable('d'), getvariable('dead_weight_months'))
        and engagements_in_dead_weight_window = 0
        and coalesce(not in_last_months(last_purchase_on, getvariable('lapsed_purchase_months')), true)
    union all
    -- Engagement and list hygiene
    select 'engaged_30d' as segment_name, profile_id from always_consented
    where
        engagements_last_30_days > 0
        or in_last_days(first_subscribed_on, getvariable('new_subscriber_grace_days'))
    union all
    select 'engaged_60d' as segment_name, profile_id from always_consented
    where
        engagements_last_60_days > 0
        or in_last_days(first_subscribed_on, getvariable('new_subscriber_grace_days'))
    union all
    select 'engaged_90d' as segment_name, profile_id from always_consented
    where
        engagements_last_90_days > 0
        or in_last_days(first_subscribed_on, getvariable('new_subscriber_grace_days'))
    union all
    select 'new_subscribers' as segment_name, profile_id from always_consented
    where in_last_days(first_subscribed_on, getvariable('new_subscriber_days')) and not has_ever_unsubscribed
    union all
    select 'over_pressured' as segment_name, profile_id from consented
    where pressure_deliveries >= getvariable('pressure_max_messages')
    union all
    select 'local_audience' as segment_name, profile_id from consented
    where list_contains(getvariable('local_countries'), country)
    union all
    select 'high_value_cart_abandoners' as segment_name, profile_id from consented
    where
        last_high_value_checkout_at is not null
        and coalesce(last_purchase_at < last_high_value_checkout_at, true)
    union all
    -- RFM scores and sale segments
    select 'loyal_buyers' as segment_name, profile_id from consented
    where recency_score >= 4 and frequency_score >= 4
    union all
    select 'bargain_hunters' as segment_name, profile_id from consented
    where monetary_score <= 2 and frequency_score >= 4
    union all
    select 'big_spenders' as segment_name, profile_id from consented
    where monetary_score >= 4 and frequency_score <= 2
    union all
    select distinct 'category_repeat_buyers' as segment_name, consented.profile_id
    from consented
    inner join category_purchases
        on consented.profile_id = category_purchases.profile_id
    where category_purchases.category_purchase_count >= 2
    union all
    select 'discount_buyers' as segment_name, profile_id from consented
    where recent_discounted_purchases > 0
    union all
    select 'recommendation_clickers' as segment_name, profile_id from consented
    where
        recommendation_clicks > 0
        and coalesce(not in_last_days(last_purchase_on, getvariable('site_intent_days')), true)
    union all
    select 'undecided_visitors' as segment_name, profile_id from consented
    where
        intent_sessions >= getvariable('undecided_min_visits')
        and coalesce(not in_last_days(last_purchase_on, getvariable('site_intent_days')), true)
    union all
    select 'current_sale_buyers' as segment_name, profile_id from consented
    where current_sale_purchases > 0
    union all
    select 'sale_cart_abandoners' as segment_name, profile_id from consented
    where current_sale_cart_events > 0 and current_sale_purchases = 0
    union all
    select 'last_sale_buyers' as segment_name, profile_id from consented
    where previous_sale_purchases > 0
    union all
    select 'rising_stars' as segment_name, consented.profile_id
    from consented
    inner join rfm_at_period_start
        on consented.profile_id = rfm_at_period_start.profile_id
    where consented.rfm_group_rank > rfm_at_period_start.group_rank
    union all
    -- Predicted personas
    select 'at_risk_vips' as segment_name, consented.profile_id
    from consented
    inner join ranked_predictions
        on consented.profile_id = ranked_predictions.profile_id
    where
        case
            when getvariable('at_risk_vip_min_clv') is null
                then
                    100 * ranked_predictions.predicted_clv_rank
                    <= getvariable('at_risk_vip_top_percent') * ranked_predictions.predicted_customers
            else ranked_predictions.predicted_clv >= getvariable('at_risk_vip_min_clv')
        end
        and ranked_predictions.probability_alive < getvariable('at_risk_vip_max_probability_alive')
    union all
    select 'likely_to_buy_soon' as segment_name, consented.profile_id
    from consented
    inner join predictions
        on consented.profile_id = predictions.profile_id
    where
        predictions.days_to_next_order <= 36500
        and ceil(predictions.days_to_next_order) <= getvariable('likely_to_buy_days')
)

select * from members;
