-- between_months_ago ("between A and B months ago": D − B months < day ≤ D − A months) at
-- the lapsed (4, 13) and drive-by (6, 13) boundaries, with D = 2026-05-31 pinned through as_of.
-- Returns one row per failing case.
-- D, pinned: each as_of below is a literal date.
{% set as_of_2024_03_31 = "cast('2024-03-31' as date)" %}
{% set as_of_2026_05_31 = "cast('2026-05-31' as date)" %}
with

cases as (
    select cases.* from (
        values
        ('lapsed_4_13', 'D-13 months (2025-04-30) is outside', cast('2025-04-30' as date), false),
        ('lapsed_4_13', 'D-13 months + 1 day (2025-05-01) is inside', cast('2025-05-01' as date), true),
        ('lapsed_4_13', 'D-4 months (2026-01-31) is inside', cast('2026-01-31' as date), true),
        ('lapsed_4_13', 'D-4 months + 1 day (2026-02-01) is outside', cast('2026-02-01' as date), false),
        ('lapsed_4_13', 'D is outside', cast('2026-05-31' as date), false),
        ('drive_by_6_13', 'D-6 months (2025-11-30) is inside', cast('2025-11-30' as date), true),
        ('drive_by_6_13', 'D-6 months + 1 day (2025-12-01) is outside', cast('2025-12-01' as date), false),
        ('drive_by_6_13', 'D-13 months (2025-04-30) is outside', cast('2025-04-30' as date), false),
        ('drive_by_6_13', 'D-13 months + 1 day (2025-05-01) is inside', cast('2025-05-01' as date), true),
        -- A = 0 is "in the last B months".
        ('last_3_as_0_3', 'D-3 months (2026-02-28) is outside', cast('2026-02-28' as date), false),
        ('last_3_as_0_3', 'D is inside', cast('2026-05-31' as date), true),
        -- D = 2024-03-31 (leap year): 1 month back is 2024-02-29.
        ('leap_1_2', 'D-1 month (2024-02-29) is inside', cast('2024-02-29' as date), true),
        ('leap_1_2', '2024-03-01 is outside', cast('2024-03-01' as date), false),
        ('leap_1_2', 'D-2 months (2024-01-31) is outside', cast('2024-01-31' as date), false),
        ('leap_1_2', '2024-02-01 is inside', cast('2024-02-01' as date), true)
    ) as cases (window_name, case_name, event_on, expected_in_window)
),

checked as (
    select
        window_name,
        case_name,
        event_on,
        expected_in_window,
        case window_name
            when 'lapsed_4_13' then {{ personas.between_months_ago('event_on', 4, 13, as_of=as_of_2026_05_31) }}
            when 'drive_by_6_13' then {{ personas.between_months_ago('event_on', 6, 13, as_of=as_of_2026_05_31) }}
            when 'last_3_as_0_3' then {{ personas.between_months_ago('event_on', 0, 3, as_of=as_of_2026_05_31) }}
            when 'leap_1_2' then {{ personas.between_months_ago('event_on', 1, 2, as_of=as_of_2024_03_31) }}
        end as actual_in_window
    from cases
),

final as (
    select *
    from checked
    where not coalesce(actual_in_window = expected_in_window, false)
)

select * from final
