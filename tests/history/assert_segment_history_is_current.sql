-- On the latest day of history, the open intervals of segment_membership_history are the
-- rows of segment_memberships, no more, no fewer, when that day is the build's D (a build
-- records its memberships; a run as of another day, e.g. `dbt test` after a backfill, has
-- nothing to compare). Fails with one row per (segment, profile) on one side only.
with

segment_membership_history as (
    select * from {{ ref('segment_membership_history') }}
),

segment_history_days as (
    select * from {{ ref('segment_history_days') }}
),

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

latest_day as (
    select max(as_of_date) as as_of_date
    from segment_history_days
    having max(as_of_date) = {{ personas.as_of_date() }}
),

open_intervals as (
    select
        segment_membership_history.segment_name,
        segment_membership_history.profile_id
    from segment_membership_history
    inner join latest_day
        on segment_membership_history.valid_from <= latest_day.as_of_date
    where segment_membership_history.valid_to is null
),

current_members as (
    select
        segment_memberships.segment_name,
        segment_memberships.profile_id
    from segment_memberships
    cross join latest_day
),

final as (
    select
        coalesce(open_intervals.segment_name, current_members.segment_name) as segment_name,
        coalesce(open_intervals.profile_id, current_members.profile_id) as profile_id,
        case
            when current_members.profile_id is null then 'open in the history, not a member'
            else 'a member, not open in the history'
        end as problem
    from open_intervals
    full outer join current_members
        on
            open_intervals.segment_name = current_members.segment_name
            and open_intervals.profile_id = current_members.profile_id
    where open_intervals.profile_id is null or current_members.profile_id is null
)

select * from final
