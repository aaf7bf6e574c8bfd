-- Purchases as the catalog defines them: staged orders with status 'placed' and a profile,
-- on or before D. One row per order, with whether any of its lines was discounted.
with

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

-- The checked order lines: a line kept by the row checks whose order is a purchase is a
-- staged line (its parent is staged), so only the row checks are applied here, not the parent
-- check of stg_order_lines, which joins every line to the orders and the orders to the profiles
-- (at 1M profiles, 20M lines: docs/benchmarks.md). Orphan lines match no purchase below.
base_order_lines_rows as (
    select * from {{ ref('base_order_lines_rows') }}
),

discounted_orders as (
    select distinct order_id
    from base_order_lines_rows
    where
        not is_collapsed_duplicate
        and row_quarantine_reason is null
        and discount_amount_parsed > 0
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
