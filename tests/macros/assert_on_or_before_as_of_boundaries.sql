-- on_or_before_as_of (a day counts at all only when it is on or before D), with D pinned
-- through as_of. Returns one row per failing case.
-- D, pinned: each as_of below is a literal date.
{% set as_of_2024_02_29 = "cast('2024-02-29' as date)" %}
{% set as_of_2026_05_31 = "cast('2026-05-31' as date)" %}
with

cases as (
    select cases.* from (
        values
        ('d_2026_05_31', 'D-1 counts', cast('2026-05-30' as date), true),
        ('d_2026_05_31', 'D counts', cast('2026-05-31' as date), true),
        ('d_2026_05_31', 'D+1 is ignored', cast('2026-06-01' as date), false),
        ('d_2026_05_31', 'a year later is ignored', cast('2027-05-31' as date), false),
        ('d_2026_05_31', 'long ago counts', cast('2000-01-01' as date), true),
        ('d_2024_02_29', 'leap day D counts', cast('2024-02-29' as date), true),
        ('d_2024_02_29', 'the day after a leap day is ignored', cast('2024-03-01' as date), false)
    ) as cases (window_name, case_name, event_on, expected_in_window)
),

checked as (
    select
        window_name,
        case_name,
        event_on,
        expected_in_window,
        case window_name
            when 'd_2026_05_31' then {{ personas.on_or_before_as_of('event_on', as_of=as_of_2026_05_31) }}
            when 'd_2024_02_29' then {{ personas.on_or_before_as_of('event_on', as_of=as_of_2024_02_29) }}
        end as actual_in_window
    from cases
),

final as (
    select *
    from checked
    where not coalesce(actual_in_window = expected_in_window, false)
)

select * from final
