-- Purchases as the catalog defines them: staged orders with status 'placed' and a profile,
-- on or before D. One row per order, with whether any of its lines was discounted.
with

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

stg_order_lines as (
    select * from {{ ref('stg_order_lines') }}
),

discounted_orders as (
    select distinct order_id
    from stg_order_lines
    where is_discounted
),

final as (
    select
        stg_orders.order_id,
        stg_orders.profile_id,
        stg_orders.currency,
        stg_orders.order_total,
        {{ personas.money_to_cents('stg_orders.order_total') }} as order_total_cents,
        discounted_orders.order_id is not null as has_discounted_line,
        stg_orders.ordered_on,
        stg_orders.ordered_at
    from stg_orders
    left join discounted_orders
        on stg_orders.order_id = discounted_orders.order_id
    where
        stg_orders.is_purchase
        and {{ personas.on_or_before_as_of('stg_orders.ordered_on') }}
)

select * from final
