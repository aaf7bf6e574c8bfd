-- segment_trends adds up, per segment and day of history (segment_history_days):
--   members(D) = members(previous day) + joined(D) - left(D)  (0 before the first day), and
--   members(D) = the intervals of segment_membership_history holding D
--                (valid_from <= D and (valid_to is null or valid_to > D)), counted afresh.
-- Fails with one row per (segment, day) where either does not hold.
with

segment_trends as (
    select * from {{ ref('segment_trends') }}
),

segment_membership_history as (
    select * from {{ ref('segment_membership_history') }}
),

with_previous as (
    select
        segment_name,
        as_of_date,
        members,
        members_joined,
        members_left,
        coalesce(lag(members) over (partition by segment_name order by as_of_date), 0) as previous_members
    from segment_trends
),

held as (
    select
        segment_trends.segment_name,
        segment_trends.as_of_date,
        count(segment_membership_history.profile_id) as intervals_holding_day
    from segment_trends
    left join segment_membership_history
        on
            segment_trends.segment_name = segment_membership_history.segment_name
            and segment_membership_history.valid_from <= segment_trends.as_of_date
            and (
                segment_membership_history.valid_to is null
                or segment_membership_history.valid_to > segment_trends.as_of_date
            )
    group by segment_trends.segment_name, segment_trends.as_of_date
),

final as (
    select
        with_previous.segment_name,
        with_previous.as_of_date,
        with_previous.members,
        with_previous.previous_members,
        with_previous.members_joined,
        with_previous.members_left,
        held.intervals_holding_day
    from with_previous
    inner join held
        on
            with_previous.segment_name = held.segment_name
            and with_previous.as_of_date = held.as_of_date
    where
        with_previous.members
        <> with_previous.previous_members + with_previous.members_joined - with_previous.members_left
        or with_previous.members <> held.intervals_holding_day
)

select * from final
