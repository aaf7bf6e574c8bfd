-- Moves between the segments of a family (var segment_transition_families; default the 8
-- purchase personas) from one day of history to the next: per family, day and pair of
-- segments (from, to), how many profiles were in `from` on the previous day of history and
-- in `to` on this one. 'no_segment' stands for none of the family's segments. A profile
-- that stayed counts in the pair (segment, same segment); profiles in no segment on both
-- days are not counted. The first day of history has no previous day, so no row.
-- A move is an interval of segment_membership_history ending on the day (from) and one
-- starting on it (to), matched by profile: the family's segments do not overlap.
with

segment_membership_history as (
    select * from {{ ref('segment_membership_history') }}
),

segment_history_days as (
    select * from {{ ref('segment_history_days') }}
),

segment_trends as (
    select * from {{ ref('segment_trends') }}
),

family_segments as (
    {{ personas.segment_transition_families() }}
),

history_days as (
    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date
    from segment_history_days
),

family_history as (
    select
        family_segments.segment_family,
        segment_membership_history.segment_name,
        segment_membership_history.profile_id,
        segment_membership_history.valid_from,
        segment_membership_history.valid_to
    from segment_membership_history
    inner join family_segments
        on segment_membership_history.segment_name = family_segments.segment_name
),

leaves as (
    select
        segment_family,
        profile_id,
        valid_to as as_of_date,
        segment_name as from_segment
    from family_history
    where valid_to is not null
),

joins as (
    select
        segment_family,
        profile_id,
        valid_from as as_of_date,
        segment_name as to_segment
    from family_history
),

moves as (
    select
        coalesce(leaves.segment_family, joins.segment_family) as segment_family,
        coalesce(leaves.as_of_date, joins.as_of_date) as as_of_date,
        coalesce(leaves.from_segment, 'no_segment') as from_segment,
        coalesce(joins.to_segment, 'no_segment') as to_segment
    from leaves
    full outer join joins
        on
            leaves.segment_family = joins.segment_family
            and leaves.profile_id = joins.profile_id
            and leaves.as_of_date = joins.as_of_date
),

move_counts as (
    select
        segment_family,
        as_of_date,
        from_segment,
        to_segment,
        count(*) as profiles
    from moves
    group by segment_family, as_of_date, from_segment, to_segment
),

-- Members on the day who were already members on the previous day.
stays as (
    select
        family_segments.segment_family,
        segment_trends.as_of_date,
        segment_trends.segment_name as from_segment,
        segment_trends.segment_name as to_segment,
        segment_trends.members - segment_trends.members_joined as profiles
    from segment_trends
    inner join family_segments
        on segment_trends.segment_name = family_segments.segment_name
    where segment_trends.members > segment_trends.members_joined
),

transitions as (
    select * from move_counts
    union all
    select * from stays
),

final as (
    select
        transitions.segment_family,
        history_days.previous_as_of_date,
        transitions.as_of_date,
        transitions.from_segment,
        transitions.to_segment,
        cast(transitions.profiles as {{ dbt.type_bigint() }}) as profiles
    from transitions
    inner join history_days
        on transitions.as_of_date = history_days.as_of_date
    where history_days.previous_as_of_date is not null
)

select * from final
