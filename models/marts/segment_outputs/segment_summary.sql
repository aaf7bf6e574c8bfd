-- Per segment: its members, and their share of all consented profiles (members ÷ profiles
-- with email_consent = 'subscribed', exact, 4 decimals). A segment with no members has a
-- row with 0, so an empty segment is visible.
with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

segments as (
    {%- for segment in personas.segment_models() %}
    select
        '{{ segment[4:] }}' as segment_name,
        '{{ segment }}' as mart_name
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

members_per_segment as (
    select
        segment_name,
        count(*) as members
    from segment_memberships
    group by segment_name
),

consented_profiles as (
    select count(*) as consented_profiles
    from dim_profiles
    where is_email_consented
),

final as (
    select
        segments.segment_name,
        segments.mart_name,
        coalesce(members_per_segment.members, 0) as members,
        consented_profiles.consented_profiles,
        {{ personas.exact_ratio('coalesce(members_per_segment.members, 0)', 'consented_profiles.consented_profiles') }}
            as share_of_consented_profiles
    from segments
    cross join consented_profiles
    left join members_per_segment
        on segments.segment_name = members_per_segment.segment_name
)

select * from final
