-- segment_memberships holds exactly the rows of the segment marts: for every mart of the
-- registry personas.segment_models(), one row per distinct member with segment_name = the
-- mart's name without 'seg_'; nothing else, nothing missing, no duplicate. Fails with one row
-- per (segment, profile) in one side only or repeated.
with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

mart_members as (
    {%- for segment in personas.segment_models() %}
        select distinct
            '{{ segment[4:] }}' as segment_name,
            profile_id
        from {{ ref(segment) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

membership_rows as (
    select
        segment_name,
        profile_id,
        count(*) as copies
    from segment_memberships
    group by segment_name, profile_id
),

final as (
    select
        coalesce(mart_members.segment_name, membership_rows.segment_name) as segment_name,
        coalesce(mart_members.profile_id, membership_rows.profile_id) as profile_id,
        coalesce(membership_rows.copies, 0) as membership_rows,
        case
            when membership_rows.profile_id is null
                then 'a member of the mart missing from segment_memberships'
            when mart_members.profile_id is null
                then 'a row of segment_memberships that is not a member of the mart'
            else 'listed more than once in segment_memberships'
        end as reason
    from mart_members
    full outer join membership_rows
        on
            mart_members.segment_name = membership_rows.segment_name
            and mart_members.profile_id = membership_rows.profile_id
    where
        mart_members.profile_id is null
        or membership_rows.profile_id is null
        or membership_rows.copies > 1
)

select * from final
