-- The DuckDB interval trap (catalog, "Time"): interval '90 day' and interval '3 month'
-- compare equal, and the optimizer may evaluate one for the other. A query that uses a
-- 90-day window and a 3-month window at once must still see two different boundaries:
-- with D = 2026-05-31, D - 90 days = 2026-03-02 and D - 3 months = 2026-02-28.
-- One row per failing check.
-- D, pinned: each as_of below is a literal date.
{% set as_of_2026_05_31 = "cast('2026-05-31' as date)" %}
with

calendar_days as (
    select calendar_days.* from (
        values
        (cast('2026-02-27' as date)),
        (cast('2026-02-28' as date)),
        (cast('2026-03-01' as date)),
        (cast('2026-03-02' as date)),
        (cast('2026-03-03' as date)),
        (cast('2026-05-31' as date))
    ) as calendar_days (event_on)
),

-- Both windows side by side, in one select, as fct_engagement uses them.
flagged as (
    select
        event_on,
        {{ personas.in_last_days('event_on', 90, as_of=as_of_2026_05_31) }} as in_last_90_days,
        {{ personas.in_last_months('event_on', 3, as_of=as_of_2026_05_31) }} as in_last_3_months
    from calendar_days
),

-- Both windows in one aggregate, as count_in_window is used in the fact tables. This is
-- where DuckDB conflates them (seen on 2.0.0): with days_before written as
-- dbt.dateadd('day', -90, D), both counts come out 2.
counted as (
    select
        {{ personas.count_in_window(
            'true', personas.in_last_days('event_on', 90, as_of=as_of_2026_05_31)
        ) }} as count_last_90_days,
        {{ personas.count_in_window(
            'true', personas.in_last_months('event_on', 3, as_of=as_of_2026_05_31)
        ) }} as count_last_3_months
    from calendar_days
),

-- Both boundaries computed in one select.
boundaries as (
    select
        {{ personas.days_before(as_of_2026_05_31, 90) }} as ninety_days_before,
        {{ personas.months_before(as_of_2026_05_31, 3) }} as three_months_before
),

-- Both windows in one where clause.
in_day_window_not_month_window as (
    select count(*) as day_only_count
    from calendar_days
    where
        {{ personas.in_last_days('event_on', 90, as_of=as_of_2026_05_31) }}
        and not {{ personas.in_last_months('event_on', 3, as_of=as_of_2026_05_31) }}
),

in_month_window_not_day_window as (
    select count(*) as month_only_count
    from calendar_days
    where
        {{ personas.in_last_months('event_on', 3, as_of=as_of_2026_05_31) }}
        and not {{ personas.in_last_days('event_on', 90, as_of=as_of_2026_05_31) }}
),

failures as (
    select
        {{ dbt.concat(["'flags: '", 'cast(event_on as ' ~ dbt.type_string() ~ ')']) }} as case_name
    from flagged
    where
        not coalesce(
            in_last_90_days = (event_on >= cast('2026-03-03' as date))
            and in_last_3_months = (event_on >= cast('2026-03-01' as date)),
            false
        )

    union all

    select 'counts: 90 days counts 2 of the days, 3 months counts 4' as case_name
    from counted
    where not coalesce(count_last_90_days = 2 and count_last_3_months = 4, false)

    union all

    select 'boundaries: D - 90 days = 2026-03-02, D - 3 months = 2026-02-28' as case_name
    from boundaries
    where
        not coalesce(
            ninety_days_before = cast('2026-03-02' as date)
            and three_months_before = cast('2026-02-28' as date),
            false
        )

    union all

    select 'where: no day is in the 90 days but not in the 3 months' as case_name
    from in_day_window_not_month_window
    where day_only_count != 0

    union all

    select 'where: 2026-03-01 and 2026-03-02 are in the 3 months but not in the 90 days' as case_name
    from in_month_window_not_day_window
    where month_only_count != 2
),

final as (
    select * from failures
)

select * from final
