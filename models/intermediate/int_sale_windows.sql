-- The current sale and its previous edition (catalog, "RFM scores and sale segments").
-- Current sale: the sale with the latest starts_on on or before D (ties: the greatest
-- sale_id, the same rule the catalog gives for editions), its window starts_on ..
-- min(ends_on, D). Previous edition: the sale of the same season with the latest starts_on
-- before the current one's (ties: the greatest sale_id), its window clipped to D as well.
-- One row per role ('current', 'previous'); a role with no sale has no row.
with

stg_sales_periods as (
    select * from {{ ref('stg_sales_periods') }}
),

started_sales as (
    select
        sale_id,
        season,
        starts_on,
        ends_on,
        row_number() over (order by starts_on desc, sale_id desc) as recency_rank
    from stg_sales_periods
    where starts_on <= {{ personas.as_of_date() }}
),

current_sale as (
    select * from started_sales
    where recency_rank = 1
),

earlier_editions as (
    select
        stg_sales_periods.sale_id,
        stg_sales_periods.season,
        stg_sales_periods.starts_on,
        stg_sales_periods.ends_on,
        row_number() over (
            order by stg_sales_periods.starts_on desc, stg_sales_periods.sale_id desc
        ) as recency_rank
    from stg_sales_periods
    inner join current_sale
        on
            stg_sales_periods.season = current_sale.season
            and stg_sales_periods.starts_on < current_sale.starts_on
),

final as (
    select
        'current' as sale_role,
        sale_id,
        season,
        starts_on,
        case
            when ends_on < {{ personas.as_of_date() }} then ends_on
            else {{ personas.as_of_date() }}
        end as window_ends_on
    from current_sale
    union all
    select
        'previous' as sale_role,
        sale_id,
        season,
        starts_on,
        case
            when ends_on < {{ personas.as_of_date() }} then ends_on
            else {{ personas.as_of_date() }}
        end as window_ends_on
    from earlier_editions
    where recency_rank = 1
)

select * from final
