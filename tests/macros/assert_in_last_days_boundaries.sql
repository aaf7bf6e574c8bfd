-- in_last_days ("in the last N days": D − N days < day ≤ D) at every boundary the catalog
-- uses, with D pinned through the as_of argument. Returns one row per failing case.
-- D, pinned: each as_of below is a literal date.
{% set as_of_2024_03_01 = "cast('2024-03-01' as date)" %}
{% set as_of_2026_05_31 = "cast('2026-05-31' as date)" %}
with

cases as (
    select cases.* from (
        values
        ('last_1_day', 'D-1 is outside', cast('2026-05-30' as date), false),
        ('last_1_day', 'D is inside', cast('2026-05-31' as date), true),
        ('last_7_days', 'D-7 is outside', cast('2026-05-24' as date), false),
        ('last_7_days', 'D-6 is inside', cast('2026-05-25' as date), true),
        ('last_30_days', 'D-30 is outside', cast('2026-05-01' as date), false),
        ('last_30_days', 'D-29 is inside', cast('2026-05-02' as date), true),
        ('last_30_days', 'D is inside', cast('2026-05-31' as date), true),
        ('last_30_days', 'D+1 is outside', cast('2026-06-01' as date), false),
        ('last_60_days', 'D-60 is outside', cast('2026-04-01' as date), false),
        ('last_60_days', 'D-59 is inside', cast('2026-04-02' as date), true),
        ('last_90_days', 'D-90 is outside', cast('2026-03-02' as date), false),
        ('last_90_days', 'D-89 is inside', cast('2026-03-03' as date), true),
        ('last_90_days', 'D-3 months (2026-02-28) is outside', cast('2026-02-28' as date), false),
        ('last_365_days', 'D-365 is outside', cast('2025-05-31' as date), false),
        ('last_365_days', 'D-364 is inside', cast('2025-06-01' as date), true),
        -- D = 2024-03-01, across a leap day.
        ('leap_last_1_day', '2024-02-29 is outside', cast('2024-02-29' as date), false),
        ('leap_last_1_day', '2024-03-01 is inside', cast('2024-03-01' as date), true),
        ('leap_last_30_days', 'D-30 (2024-01-31) is outside', cast('2024-01-31' as date), false),
        ('leap_last_30_days', 'D-29 (2024-02-01) is inside', cast('2024-02-01' as date), true)
    ) as cases (window_name, case_name, event_on, expected_in_window)
),

checked as (
    select
        window_name,
        case_name,
        event_on,
        expected_in_window,
        case window_name
            when 'last_1_day' then {{ personas.in_last_days('event_on', 1, as_of=as_of_2026_05_31) }}
            when 'last_7_days' then {{ personas.in_last_days('event_on', 7, as_of=as_of_2026_05_31) }}
            when 'last_30_days' then {{ personas.in_last_days('event_on', 30, as_of=as_of_2026_05_31) }}
            when 'last_60_days' then {{ personas.in_last_days('event_on', 60, as_of=as_of_2026_05_31) }}
            when 'last_90_days' then {{ personas.in_last_days('event_on', 90, as_of=as_of_2026_05_31) }}
            when 'last_365_days' then {{ personas.in_last_days('event_on', 365, as_of=as_of_2026_05_31) }}
            when 'leap_last_1_day' then {{ personas.in_last_days('event_on', 1, as_of=as_of_2024_03_01) }}
            when 'leap_last_30_days' then {{ personas.in_last_days('event_on', 30, as_of=as_of_2024_03_01) }}
        end as actual_in_window
    from cases
),

final as (
    select *
    from checked
    where not coalesce(actual_in_window = expected_in_window, false)
)

select * from final
