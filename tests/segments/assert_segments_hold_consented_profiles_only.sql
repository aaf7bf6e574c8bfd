-- No segment of the registry (personas.segment_models()) holds a profile whose current
-- email_consent is not 'subscribed' while var segments_require_email_consent is true; the
-- segments the catalog marks (c) never do, whatever the var. Consent is read from
-- dim_profiles, not from the segment's own column. Fails with one row per offending
-- (segment, profile).
{%- set always_consented = [
    'seg_dead_weight', 'seg_engaged_30d', 'seg_engaged_60d', 'seg_engaged_90d',
    'seg_new_subscribers',
] %}
{%- set require_consent = var('segments_require_email_consent') %}
with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

segment_members as (
    {%- for segment in personas.segment_models() %}
        select distinct
            '{{ segment }}' as segment_model,
            {{ 'true' if segment in always_consented else 'false' }} as is_always_consented,
            profile_id
        from {{ ref(segment) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        segment_members.segment_model,
        segment_members.profile_id,
        dim_profiles.email_consent,
        case
            when segment_members.is_always_consented
                then 'unconsented profile in a (c) segment, which always requires consent'
            else 'unconsented profile while var segments_require_email_consent is true'
        end as reason
    from segment_members
    left join dim_profiles
        on segment_members.profile_id = dim_profiles.profile_id
    where
        not coalesce(dim_profiles.is_email_consented, false)
        -- every segment while the var requires consent, else the (c) segments only
        and (segment_members.is_always_consented or {{ 'true' if require_consent else 'false' }})
)

select * from final
