with

base_orders as (
    select * from {{ ref('base_orders') }}
),

final as (
    select
        order_id,
        profile_id,
        status,
        upper(currency) as currency,
        order_total_parsed as order_total,
        discount_total_parsed as discount_total,
        status = 'placed' and profile_id is not null as is_purchase,
        cast(ordered_at_parsed as date) as ordered_on,
        ordered_at_parsed as ordered_at
    from base_orders
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
