-- count_in_window: counts the rows of a group meeting a condition inside a window; 0, never
-- null, when none does (or the group is empty). D = 2026-05-31, 30-day window.
-- One row per failing case.
-- D, pinned: each as_of below is a literal date.
{% set as_of_2026_05_31 = "cast('2026-05-31' as date)" %}
with

events as (
    select events.* from (
        values
        ('mixed', true, cast('2026-05-31' as date)),
        ('mixed', true, cast('2026-05-02' as date)),
        ('mixed', true, cast('2026-05-15' as date)),
        -- In the window, but the condition is false or unknown: not counted.
        ('mixed', false, cast('2026-05-20' as date)),
        ('mixed', cast(null as boolean), cast('2026-05-20' as date)),
        -- The condition holds, but outside the window (D - 30, D + 1, unknown day): not counted.
        ('mixed', true, cast('2026-05-01' as date)),
        ('mixed', true, cast('2026-06-01' as date)),
        ('mixed', true, cast(null as date)),
        -- A group where nothing qualifies counts 0.
        ('none_in_window', true, cast('2025-01-01' as date)),
        ('none_in_window', false, cast('2026-05-31' as date))
    ) as events (group_name, is_engagement, event_on)
),

per_group as (
    select
        group_name,
        {{ personas.count_in_window(
            'is_engagement',
            personas.in_last_days('event_on', 30, as_of=as_of_2026_05_31)
        ) }} as counted
    from events
    group by group_name
),

-- An aggregate over no rows at all still returns 0.
empty_input as (
    select
        {{ personas.count_in_window(
            'is_engagement',
            personas.in_last_days('event_on', 30, as_of=as_of_2026_05_31)
        ) }} as counted
    from events
    where group_name = 'no such group'
),

expected as (
    select expected.* from (
        values
        ('mixed', 3),
        ('none_in_window', 0)
    ) as expected (group_name, expected_count)
),

failures as (
    select
        {{ dbt.concat(["'group '", 'expected.group_name']) }} as case_name,
        expected.expected_count,
        per_group.counted as actual_count
    from expected
    left join per_group
        on expected.group_name = per_group.group_name
    where not coalesce(per_group.counted = expected.expected_count, false)

    union all

    select
        'no rows at all counts 0, not null' as case_name,
        0 as expected_count,
        empty_input.counted as actual_count
    from empty_input
    where not coalesce(empty_input.counted = 0, false)
),

final as (
    select * from failures
)

select * from final
