-- One row per (purchase, category): the categories of the lines of each purchase.
with

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

-- The checked order lines (see int_purchases): a line kept by the row checks whose order is a
-- purchase is a staged line, so the parent check of stg_order_lines is not repeated here.
base_order_lines_rows as (
    select * from {{ ref('base_order_lines_rows') }}
),

checked_lines as (
    select
        order_id,
        category
    from base_order_lines_rows
    where
        not is_collapsed_duplicate
        and row_quarantine_reason is null
),

final as (
    select distinct
        int_purchases.order_id,
        int_purchases.profile_id,
        checked_lines.category,
        int_purchases.ordered_on
    from int_purchases
    inner join checked_lines
        on int_purchases.order_id = checked_lines.order_id
)

select * from final
