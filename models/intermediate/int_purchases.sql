-- Purchases as the catalog defines them: staged orders with status 'placed' and a profile,
-- on or before D. One row per order, with whether any of its lines was discounted.
with

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

stg_order_lines as (
    select * from {{ ref('stg_order_lines') }}
),

final as (
    select
        stg_orders.order_id,
        stg_orders.profile_id,
        stg_orders.currency,
        stg_orders.order_total,
        {{ personas.money_to_cents('stg_orders.order_total') }} as order_total_cents,
        -- A semi-join on the discounted lines' order ids: a left join to them made DuckDB hash
        -- the purchases with all their columns, twice the memory (docs/benchmarks.md,
        -- "2026-12-07, eleventh session"). order_id is never null on either side.
        stg_orders.order_id in (
            select stg_order_lines.order_id
            from stg_order_lines
            where stg_order_lines.is_discounted and stg_order_lines.order_id is not null
        ) as has_discounted_line,
        stg_orders.ordered_on,
        stg_orders.ordered_at
    from stg_orders
    where
        stg_orders.is_purchase
        and {{ personas.on_or_before_as_of('stg_orders.ordered_on') }}
)

select * from final
