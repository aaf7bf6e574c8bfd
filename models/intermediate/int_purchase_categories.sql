-- One row per (purchase, category): the categories of the lines of each purchase.
with

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

stg_order_lines as (
    select * from {{ ref('stg_order_lines') }}
),

final as (
    select distinct
        int_purchases.order_id,
        int_purchases.profile_id,
        stg_order_lines.category,
        int_purchases.ordered_on
    from int_purchases
    inner join stg_order_lines
        on int_purchases.order_id = stg_order_lines.order_id
)

select * from final
