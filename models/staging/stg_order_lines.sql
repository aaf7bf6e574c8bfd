-- The staged order lines: every contract column of raw_order_lines, typed (declared in
-- models/staging/_raw__sources.yml; a column added there appears here), with the line's id.
with

base_order_lines as (
    select * from {{ ref('base_order_lines') }}
),

final as (
    select
        {{ dbt.concat(['order_id', "'-'", 'line_number']) }} as order_line_id,
        {{- personas.contract_columns('raw_order_lines', typed=true, trailing=true) }}
        discount_amount_parsed > 0 as is_discounted
    from base_order_lines
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
