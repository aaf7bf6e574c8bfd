-- in_last_months ("in the last N months": D − N months < day ≤ D, calendar months, end of
-- month clamped) at every boundary the catalog uses, with D pinned through as_of.
-- Returns one row per failing case.
-- D, pinned: each as_of below is a literal date.
{% set as_of_2024_03_31 = "cast('2024-03-31' as date)" %}
{% set as_of_2026_02_28 = "cast('2026-02-28' as date)" %}
{% set as_of_2026_03_31 = "cast('2026-03-31' as date)" %}
{% set as_of_2026_05_31 = "cast('2026-05-31' as date)" %}
with

cases as (
    select cases.* from (
        values
        ('last_1_month', 'D-1 month (2026-04-30) is outside', cast('2026-04-30' as date), false),
        ('last_1_month', '2026-05-01 is inside', cast('2026-05-01' as date), true),
        ('last_3_months', 'D-3 months (2026-02-28, clamped) is outside', cast('2026-02-28' as date), false),
        ('last_3_months', '2026-03-01 is inside', cast('2026-03-01' as date), true),
        ('last_3_months', 'D-90 days (2026-03-02) is inside', cast('2026-03-02' as date), true),
        ('last_3_months', 'D is inside', cast('2026-05-31' as date), true),
        ('last_3_months', 'D+1 is outside', cast('2026-06-01' as date), false),
        ('last_4_months', 'D-4 months (2026-01-31) is outside', cast('2026-01-31' as date), false),
        ('last_4_months', '2026-02-01 is inside', cast('2026-02-01' as date), true),
        ('last_6_months', 'D-6 months (2025-11-30) is outside', cast('2025-11-30' as date), false),
        ('last_6_months', '2025-12-01 is inside', cast('2025-12-01' as date), true),
        ('last_13_months', 'D-13 months (2025-04-30, clamped) is outside', cast('2025-04-30' as date), false),
        ('last_13_months', '2025-05-01 is inside', cast('2025-05-01' as date), true),
        ('last_24_months', 'D-24 months (2024-05-31) is outside', cast('2024-05-31' as date), false),
        ('last_24_months', '2024-06-01 is inside', cast('2024-06-01' as date), true),
        -- D = 2026-03-31: one month back is clamped to 2026-02-28.
        ('mar31_last_1_month', '2026-02-28 is outside', cast('2026-02-28' as date), false),
        ('mar31_last_1_month', '2026-03-01 is inside', cast('2026-03-01' as date), true),
        -- D = 2024-03-31 (leap year): one month back is clamped to 2024-02-29.
        ('leap_mar31_last_1_month', '2024-02-29 is outside', cast('2024-02-29' as date), false),
        ('leap_mar31_last_1_month', '2024-03-01 is inside', cast('2024-03-01' as date), true),
        -- D = 2026-02-28: not an end-of-month snap, 3 months back is 2025-11-28 (not 11-30).
        ('feb28_last_3_months', '2025-11-28 is outside', cast('2025-11-28' as date), false),
        ('feb28_last_3_months', '2025-11-29 is inside', cast('2025-11-29' as date), true)
    ) as cases (window_name, case_name, event_on, expected_in_window)
),

checked as (
    select
        window_name,
        case_name,
        event_on,
        expected_in_window,
        case window_name
            when 'last_1_month' then {{ personas.in_last_months('event_on', 1, as_of=as_of_2026_05_31) }}
            when 'last_3_months' then {{ personas.in_last_months('event_on', 3, as_of=as_of_2026_05_31) }}
            when 'last_4_months' then {{ personas.in_last_months('event_on', 4, as_of=as_of_2026_05_31) }}
            when 'last_6_months' then {{ personas.in_last_months('event_on', 6, as_of=as_of_2026_05_31) }}
            when 'last_13_months' then {{ personas.in_last_months('event_on', 13, as_of=as_of_2026_05_31) }}
            when 'last_24_months' then {{ personas.in_last_months('event_on', 24, as_of=as_of_2026_05_31) }}
            when 'mar31_last_1_month' then {{ personas.in_last_months('event_on', 1, as_of=as_of_2026_03_31) }}
            when 'leap_mar31_last_1_month' then {{ personas.in_last_months('event_on', 1, as_of=as_of_2024_03_31) }}
            when 'feb28_last_3_months' then {{ personas.in_last_months('event_on', 3, as_of=as_of_2026_02_28) }}
        end as actual_in_window
    from cases
),

final as (
    select *
    from checked
    where not coalesce(actual_in_window = expected_in_window, false)
)

select * from final
