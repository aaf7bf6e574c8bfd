-- The staged orders: every contract column of raw_orders, typed (declared in
-- models/staging/_raw__sources.yml; a column added there appears here), plus what the facts
-- read often.
with

base_orders as (
    select * from {{ ref('base_orders') }}
),

final as (
    select
        {{- personas.contract_columns('raw_orders', typed=true, trailing=true, overrides={
            'currency': 'upper(currency)',
        }) }}
        status = 'placed' and profile_id is not null as is_purchase,
        cast(ordered_at_parsed as date) as ordered_on
    from base_orders
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
