with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        engagements_before_recent_window,
        last_engaged_on
    from dim_profiles
    where
        recent_engagement_count = 0
        and engagements_before_recent_window >= {{ var('frequent_engagement_count') }}
        and {{ personas.consent_rule() }}
)

select * from final
