-- One row per raw entity: the rows read from the raw input itself, and where each went
-- (staged, quarantined, or collapsed into an exact copy). The data test on this model proves
-- the contract's reconciliation: raw = staged + quarantined + collapsed duplicates.
with

raw_profiles as (
    select * from {{ personas.raw_relation('raw_profiles') }} as raw_profiles
),

raw_orders as (
    select * from {{ personas.raw_relation('raw_orders') }} as raw_orders
),

raw_order_lines as (
    select * from {{ personas.raw_relation('raw_order_lines') }} as raw_order_lines
),

raw_email_events as (
    select * from {{ personas.raw_relation('raw_email_events') }} as raw_email_events
),

raw_site_visits as (
    select * from {{ personas.raw_relation('raw_site_visits') }} as raw_site_visits
),

base_profiles as (
    select * from {{ ref('base_profiles') }}
),

base_orders as (
    select * from {{ ref('base_orders') }}
),

base_order_lines as (
    select * from {{ ref('base_order_lines') }}
),

base_email_events as (
    select * from {{ ref('base_email_events') }}
),

base_site_visits as (
    select * from {{ ref('base_site_visits') }}
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

stg_order_lines as (
    select * from {{ ref('stg_order_lines') }}
),

stg_email_events as (
    select * from {{ ref('stg_email_events') }}
),

stg_site_visits as (
    select * from {{ ref('stg_site_visits') }}
),

stg_profiles_quarantine as (
    select * from {{ ref('stg_profiles_quarantine') }}
),

stg_orders_quarantine as (
    select * from {{ ref('stg_orders_quarantine') }}
),

stg_order_lines_quarantine as (
    select * from {{ ref('stg_order_lines_quarantine') }}
),

stg_email_events_quarantine as (
    select * from {{ ref('stg_email_events_quarantine') }}
),

stg_site_visits_quarantine as (
    select * from {{ ref('stg_site_visits_quarantine') }}
),

-- One row per (raw entity, place a raw row can end in) with its count.
row_counts as (
    select
        'raw_profiles' as entity,
        'raw' as counted_in,
        count(*) as row_count
    from raw_profiles
    union all
    select
        'raw_profiles' as entity,
        'staged' as counted_in,
        count(*) as row_count
    from stg_profiles
    union all
    select
        'raw_profiles' as entity,
        'quarantined' as counted_in,
        count(*) as row_count
    from stg_profiles_quarantine
    union all
    select
        'raw_profiles' as entity,
        'collapsed' as counted_in,
        count(*) as row_count
    from base_profiles
    where is_collapsed_duplicate
    union all
    select
        'raw_orders' as entity,
        'raw' as counted_in,
        count(*) as row_count
    from raw_orders
    union all
    select
        'raw_orders' as entity,
        'staged' as counted_in,
        count(*) as row_count
    from stg_orders
    union all
    select
        'raw_orders' as entity,
        'quarantined' as counted_in,
        count(*) as row_count
    from stg_orders_quarantine
    union all
    select
        'raw_orders' as entity,
        'collapsed' as counted_in,
        count(*) as row_count
    from base_orders
    where is_collapsed_duplicate
    union all
    select
        'raw_order_lines' as entity,
        'raw' as counted_in,
        count(*) as row_count
    from raw_order_lines
    union all
    select
        'raw_order_lines' as entity,
        'staged' as counted_in,
        count(*) as row_count
    from stg_order_lines
    union all
    select
        'raw_order_lines' as entity,
        'quarantined' as counted_in,
        count(*) as row_count
    from stg_order_lines_quarantine
    union all
    select
        'raw_order_lines' as entity,
        'collapsed' as counted_in,
        count(*) as row_count
    from base_order_lines
    where is_collapsed_duplicate
    union all
    select
        'raw_email_events' as entity,
        'raw' as counted_in,
        count(*) as row_count
    from raw_email_events
    union all
    select
        'raw_email_events' as entity,
        'staged' as counted_in,
        count(*) as row_count
    from stg_email_events
    union all
    select
        'raw_email_events' as entity,
        'quarantined' as counted_in,
        count(*) as row_count
    from stg_email_events_quarantine
    union all
    select
        'raw_email_events' as entity,
        'collapsed' as counted_in,
        count(*) as row_count
    from base_email_events
    where is_collapsed_duplicate
    union all
    select
        'raw_site_visits' as entity,
        'raw' as counted_in,
        count(*) as row_count
    from raw_site_visits
    union all
    select
        'raw_site_visits' as entity,
        'staged' as counted_in,
        count(*) as row_count
    from stg_site_visits
    union all
    select
        'raw_site_visits' as entity,
        'quarantined' as counted_in,
        count(*) as row_count
    from stg_site_visits_quarantine
    union all
    select
        'raw_site_visits' as entity,
        'collapsed' as counted_in,
        count(*) as row_count
    from base_site_visits
    where is_collapsed_duplicate
),

per_entity as (
    select
        entity,
        cast(
            sum(case when counted_in = 'raw' then row_count else 0 end) as {{ dbt.type_bigint() }}
        ) as raw_rows,
        cast(
            sum(case when counted_in = 'staged' then row_count else 0 end) as {{ dbt.type_bigint() }}
        ) as staged_rows,
        cast(
            sum(case when counted_in = 'quarantined' then row_count else 0 end) as {{ dbt.type_bigint() }}
        ) as quarantined_rows,
        cast(
            sum(case when counted_in = 'collapsed' then row_count else 0 end) as {{ dbt.type_bigint() }}
        ) as collapsed_duplicates
    from row_counts
    group by entity
),

final as (
    select
        entity,
        raw_rows,
        staged_rows,
        quarantined_rows,
        collapsed_duplicates,
        raw_rows = staged_rows + quarantined_rows + collapsed_duplicates as is_reconciled
    from per_entity
)

select * from final
