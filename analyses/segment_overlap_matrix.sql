-- For every ordered pair of segments (a, b), including a = b: the members of a, of b, of
-- both, and the share of each segment that is in the other (exact, 4 decimals; null for an
-- empty segment). The diagonal (a = b) holds each segment's own size. 31 segments give
-- 31 × 31 rows, every pair present even when no one is in both, so the result pivots straight
-- into a heat map (segment_name down, other_segment_name across, share_of_segment in the cells).
with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

segment_summary as (
    select * from {{ ref('segment_summary') }}
),

pair_members as (
    select
        segment_memberships.segment_name,
        other_memberships.segment_name as other_segment_name,
        count(*) as members_in_both
    from segment_memberships
    inner join segment_memberships as other_memberships
        on segment_memberships.profile_id = other_memberships.profile_id
    group by
        segment_memberships.segment_name,
        other_memberships.segment_name
),

segment_pairs as (
    select
        segment_summary.segment_name,
        other_summary.segment_name as other_segment_name,
        segment_summary.members as segment_members,
        other_summary.members as other_segment_members
    from segment_summary
    cross join segment_summary as other_summary
),

final as (
    select
        segment_pairs.segment_name,
        segment_pairs.other_segment_name,
        segment_pairs.segment_members,
        segment_pairs.other_segment_members,
        coalesce(pair_members.members_in_both, 0) as members_in_both,
        {{ personas.exact_ratio('coalesce(pair_members.members_in_both, 0)', 'segment_pairs.segment_members') }}
            as share_of_segment,
        {{ personas.exact_ratio('coalesce(pair_members.members_in_both, 0)', 'segment_pairs.other_segment_members') }}
            as share_of_other_segment
    from segment_pairs
    left join pair_members
        on
            segment_pairs.segment_name = pair_members.segment_name
            and segment_pairs.other_segment_name = pair_members.other_segment_name
)

select * from final
