-- Purchases as the catalog defines them: staged orders with status 'placed' and a profile,
-- on or before D. One row per order, with whether any of its lines was discounted.
{#- A semi-join (IN) on the discounted lines' order ids: a left join to them made DuckDB hash
    the purchases with all their columns, twice the memory (docs/benchmarks.md, "2026-12-07,
    eleventh session"). Spark (4.3, local) aborts that plan with a ClassCastException in its
    executor (unit test int_purchases_placed_orders_of_a_profile_on_or_before_d): there the
    left join stays. -#}
{%- set semi_join = target.type != 'spark' %}
with

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

stg_order_lines as (
    select * from {{ ref('stg_order_lines') }}
),
{%- if not semi_join %}

discounted_orders as (
    select distinct order_id
    from stg_order_lines
    where is_discounted
),
{%- endif %}

final as (
    select
        stg_orders.order_id,
        stg_orders.profile_id,
        stg_orders.currency,
        stg_orders.order_total,
        {{ personas.money_to_cents('stg_orders.order_total') }} as order_total_cents,
        {%- if semi_join %}
        -- The subquery drops null ids, so that IN is true or false, never null.
        stg_orders.order_id in (
            select stg_order_lines.order_id
            from stg_order_lines
            where stg_order_lines.is_discounted and stg_order_lines.order_id is not null
        ) as has_discounted_line,
        {%- else %}
        discounted_orders.order_id is not null as has_discounted_line,
        {%- endif %}
        stg_orders.ordered_on,
        stg_orders.ordered_at
    from stg_orders
    {%- if not semi_join %}
    left join discounted_orders
        on stg_orders.order_id = discounted_orders.order_id
    {%- endif %}
    where
        stg_orders.is_purchase
        and {{ personas.on_or_before_as_of('stg_orders.ordered_on') }}
)

select * from final
