-- segment_transitions agrees with segment_trends, per family segment and day of history
-- after the first: the moves out of a segment (to another segment of the family or to
-- 'no_segment') sum to its leavers, the moves into it sum to its joiners, and those who
-- stayed (from = to) are its members less its joiners. A family whose segments overlap
-- breaks these sums (a profile leaving one segment for two). Fails with one row per
-- (family, segment, day) that does not add up.
with

segment_transitions as (
    select * from {{ ref('segment_transitions') }}
),

segment_trends as (
    select * from {{ ref('segment_trends') }}
),

family_segments as (
    {{ personas.segment_transition_families() }}
),

moves_out as (
    select
        segment_family,
        from_segment as segment_name,
        as_of_date,
        sum(case when to_segment <> from_segment then profiles else 0 end) as moved_out,
        sum(case when to_segment = from_segment then profiles else 0 end) as stayed
    from segment_transitions
    group by segment_family, from_segment, as_of_date
),

moves_in as (
    select
        segment_family,
        to_segment as segment_name,
        as_of_date,
        sum(case when to_segment <> from_segment then profiles else 0 end) as moved_in
    from segment_transitions
    group by segment_family, to_segment, as_of_date
),

expected as (
    select
        family_segments.segment_family,
        segment_trends.segment_name,
        segment_trends.as_of_date,
        segment_trends.members,
        segment_trends.members_joined,
        segment_trends.members_left
    from segment_trends
    inner join family_segments
        on segment_trends.segment_name = family_segments.segment_name
    where segment_trends.previous_as_of_date is not null
),

final as (
    select
        expected.segment_family,
        expected.segment_name,
        expected.as_of_date,
        expected.members_left,
        coalesce(moves_out.moved_out, 0) as moved_out,
        expected.members_joined,
        coalesce(moves_in.moved_in, 0) as moved_in,
        expected.members - expected.members_joined as expected_stayed,
        coalesce(moves_out.stayed, 0) as stayed
    from expected
    left join moves_out
        on
            expected.segment_family = moves_out.segment_family
            and expected.segment_name = moves_out.segment_name
            and expected.as_of_date = moves_out.as_of_date
    left join moves_in
        on
            expected.segment_family = moves_in.segment_family
            and expected.segment_name = moves_in.segment_name
            and expected.as_of_date = moves_in.as_of_date
    where
        expected.members_left <> coalesce(moves_out.moved_out, 0)
        or expected.members_joined <> coalesce(moves_in.moved_in, 0)
        or expected.members - expected.members_joined <> coalesce(moves_out.stayed, 0)
)

select * from final
