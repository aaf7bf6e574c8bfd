-- One row per (raw entity, quarantine reason, failing column) that occurs: how many raw rows
-- were quarantined for it. What the data owner fixes first.
with

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

quarantined as (
    select
        'raw_profiles' as entity,
        quarantine_reason,
        quarantine_column
    from stg_profiles_quarantine
    union all
    select
        'raw_orders' as entity,
        quarantine_reason,
        quarantine_column
    from stg_orders_quarantine
    union all
    select
        'raw_order_lines' as entity,
        quarantine_reason,
        quarantine_column
    from stg_order_lines_quarantine
    union all
    select
        'raw_email_events' as entity,
        quarantine_reason,
        quarantine_column
    from stg_email_events_quarantine
    union all
    select
        'raw_site_visits' as entity,
        quarantine_reason,
        quarantine_column
    from stg_site_visits_quarantine
),

final as (
    select
        entity,
        quarantine_reason,
        quarantine_column,
        count(*) as quarantined_rows
    from quarantined
    group by entity, quarantine_reason, quarantine_column
)

select * from final
