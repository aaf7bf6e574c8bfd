-- segment_membership_history holds intervals: valid_to after valid_from, both days of
-- segment_history_days, and the intervals of one (segment, profile) never overlap nor touch
-- (a member who leaves on D and is back on a later day E has [.., D) and [E, ..), E > D; two
-- intervals meeting on a day would be one). Fails with one row per offending interval.
with

segment_membership_history as (
    select * from {{ ref('segment_membership_history') }}
),

segment_history_days as (
    select * from {{ ref('segment_history_days') }}
),

ordered as (
    select
        segment_name,
        profile_id,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by segment_name, profile_id order by valid_from) as next_valid_from
    from segment_membership_history
),

final as (
    select
        ordered.segment_name,
        ordered.profile_id,
        ordered.valid_from,
        ordered.valid_to,
        ordered.next_valid_from
    from ordered
    left join segment_history_days as from_day
        on ordered.valid_from = from_day.as_of_date
    left join segment_history_days as to_day
        on ordered.valid_to = to_day.as_of_date
    where
        ordered.valid_to <= ordered.valid_from
        or (ordered.next_valid_from is not null and ordered.valid_to is null)
        or ordered.next_valid_from <= ordered.valid_to
        or from_day.as_of_date is null
        or (ordered.valid_to is not null and to_day.as_of_date is null)
)

select * from final
