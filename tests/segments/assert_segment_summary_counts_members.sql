-- segment_summary has one row per segment of the registry personas.segment_models(), and its
-- members are that segment's distinct profiles in segment_memberships (0 when empty). Fails
-- with one row per segment missing, unexpected or miscounted.
with

segment_summary as (
    select * from {{ ref('segment_summary') }}
),

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

registry as (
    {%- for segment in personas.segment_models() %}
        select '{{ segment[4:] }}' as segment_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

member_counts as (
    select
        registry.segment_name,
        count(distinct segment_memberships.profile_id) as members
    from registry
    left join segment_memberships
        on registry.segment_name = segment_memberships.segment_name
    group by registry.segment_name
),

final as (
    select
        coalesce(member_counts.segment_name, segment_summary.segment_name) as segment_name,
        member_counts.members as expected_members,
        segment_summary.members as summary_members,
        case
            when segment_summary.segment_name is null then 'a segment of the registry missing from segment_summary'
            when
                member_counts.segment_name is null
                then 'a row of segment_summary that is not a segment of the registry'
            else 'members differs from the distinct profiles of segment_memberships'
        end as reason
    from member_counts
    full outer join segment_summary
        on member_counts.segment_name = segment_summary.segment_name
    where
        member_counts.segment_name is null
        or segment_summary.segment_name is null
        or member_counts.members != segment_summary.members
)

select * from final
