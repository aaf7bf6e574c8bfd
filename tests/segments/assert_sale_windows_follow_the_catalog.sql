-- int_sale_windows follows the catalog, recomputed here without window functions: the
-- current sale is the sales_periods row with the latest starts_on on or before D (ties: the
-- greatest sale_id); its previous edition the row of the same season with the latest
-- starts_on before the current one's (ties: the greatest sale_id); each window ends on
-- min(ends_on, D). Fails with one row per role whose sale or window differs.
with

stg_sales_periods as (
    select * from {{ ref('stg_sales_periods') }}
),

int_sale_windows as (
    select * from {{ ref('int_sale_windows') }}
),

current_start as (
    select max(starts_on) as starts_on
    from stg_sales_periods
    where starts_on <= {{ personas.as_of_date() }}
),

current_sale as (
    select max(stg_sales_periods.sale_id) as sale_id
    from stg_sales_periods
    inner join current_start
        on stg_sales_periods.starts_on = current_start.starts_on
),

current_row as (
    select stg_sales_periods.*
    from stg_sales_periods
    inner join current_sale
        on stg_sales_periods.sale_id = current_sale.sale_id
),

previous_start as (
    select max(stg_sales_periods.starts_on) as starts_on
    from stg_sales_periods
    inner join current_row
        on
            stg_sales_periods.season = current_row.season
            and stg_sales_periods.starts_on < current_row.starts_on
),

previous_sale as (
    select max(stg_sales_periods.sale_id) as sale_id
    from stg_sales_periods
    inner join current_row
        on stg_sales_periods.season = current_row.season
    inner join previous_start
        on stg_sales_periods.starts_on = previous_start.starts_on
),

expected as (
    select
        'current' as sale_role,
        stg_sales_periods.sale_id,
        stg_sales_periods.starts_on,
        case
            when stg_sales_periods.ends_on < {{ personas.as_of_date() }} then stg_sales_periods.ends_on
            else {{ personas.as_of_date() }}
        end as window_ends_on
    from stg_sales_periods
    inner join current_sale
        on stg_sales_periods.sale_id = current_sale.sale_id
    union all
    select
        'previous' as sale_role,
        stg_sales_periods.sale_id,
        stg_sales_periods.starts_on,
        case
            when stg_sales_periods.ends_on < {{ personas.as_of_date() }} then stg_sales_periods.ends_on
            else {{ personas.as_of_date() }}
        end as window_ends_on
    from stg_sales_periods
    inner join previous_sale
        on stg_sales_periods.sale_id = previous_sale.sale_id
),

final as (
    select
        coalesce(expected.sale_role, int_sale_windows.sale_role) as sale_role,
        expected.sale_id as expected_sale_id,
        int_sale_windows.sale_id as actual_sale_id,
        expected.starts_on as expected_starts_on,
        int_sale_windows.starts_on as actual_starts_on,
        expected.window_ends_on as expected_window_ends_on,
        int_sale_windows.window_ends_on as actual_window_ends_on,
        case
            when int_sale_windows.sale_role is null then 'the catalog has this sale but int_sale_windows has no row'
            when expected.sale_role is null then 'int_sale_windows has a row the catalog does not'
            when expected.sale_id != int_sale_windows.sale_id then 'another sale than the catalog says'
            else 'another window than starts_on .. min(ends_on, D)'
        end as reason
    from expected
    full outer join int_sale_windows
        on expected.sale_role = int_sale_windows.sale_role
    where
        expected.sale_role is null
        or int_sale_windows.sale_role is null
        or expected.sale_id != int_sale_windows.sale_id
        or expected.starts_on != int_sale_windows.starts_on
        or expected.window_ends_on != int_sale_windows.window_ends_on
)

select * from final
