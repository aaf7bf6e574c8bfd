with

base_order_lines as (
    select * from {{ ref('base_order_lines') }}
),

final as (
    select
        {{ dbt.concat(['order_id', "'-'", 'line_number']) }} as order_line_id,
        order_id,
        product_id,
        product_name,
        category,
        line_number_parsed as line_number,
        quantity_parsed as quantity,
        unit_price_parsed as unit_price,
        discount_amount_parsed as discount_amount,
        discount_amount_parsed > 0 as is_discounted
    from base_order_lines
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
