-- D when var as_of_date is unset: the latest day of any staged order, email event or site
-- visit, whatever its status or channel. One row; null when nothing is staged.
with

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

stg_email_events as (
    select * from {{ ref('stg_email_events') }}
),

stg_site_visits as (
    select * from {{ ref('stg_site_visits') }}
),

latest_days as (
    select max(ordered_on) as latest_on from stg_orders
    union all
    select max(occurred_on) as latest_on from stg_email_events
    union all
    select max(occurred_on) as latest_on from stg_site_visits
),

final as (
    select max(latest_on) as as_of_date
    from latest_days
)

select * from final
