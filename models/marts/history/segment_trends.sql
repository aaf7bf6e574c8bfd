-- Per segment and day of history (segment_history_days): members on that day, members who
-- joined since the previous day of history and members who left since then. Joined and
-- left are the intervals of segment_membership_history starting and ending on the day;
-- members is their running sum, so members(D) = members(previous day) + joined - left. On
-- the first day of history every member counts as joined. Every segment of the registry has
-- a row per day (segment_summary lists them), with zeros when empty, and so has a segment
-- found only in the history (one removed from the registry).
with

segment_membership_history as (
    select * from {{ ref('segment_membership_history') }}
),

segment_history_days as (
    select * from {{ ref('segment_history_days') }}
),

-- One row per segment of the registry (personas.segment_models()), empty ones too.
segment_summary as (
    select * from {{ ref('segment_summary') }}
),

history_days as (
    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date
    from segment_history_days
),

segment_names as (
    select segment_name from segment_summary
    union
    select distinct segment_name from segment_membership_history
),

joined_per_day as (
    select
        segment_name,
        valid_from as as_of_date,
        count(*) as members_joined
    from segment_membership_history
    group by segment_name, valid_from
),

left_per_day as (
    select
        segment_name,
        valid_to as as_of_date,
        count(*) as members_left
    from segment_membership_history
    where valid_to is not null
    group by segment_name, valid_to
),

counted as (
    select
        segment_names.segment_name,
        history_days.as_of_date,
        history_days.previous_as_of_date,
        coalesce(joined_per_day.members_joined, 0) as members_joined,
        coalesce(left_per_day.members_left, 0) as members_left
    from segment_names
    cross join history_days
    left join joined_per_day
        on
            segment_names.segment_name = joined_per_day.segment_name
            and history_days.as_of_date = joined_per_day.as_of_date
    left join left_per_day
        on
            segment_names.segment_name = left_per_day.segment_name
            and history_days.as_of_date = left_per_day.as_of_date
),

final as (
    select
        segment_name,
        as_of_date,
        previous_as_of_date,
        cast(sum(members_joined - members_left) over (
            partition by segment_name order by as_of_date rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as members,
        cast(members_joined as {{ dbt.type_bigint() }}) as members_joined,
        cast(members_left as {{ dbt.type_bigint() }}) as members_left
    from counted
)

select * from final
