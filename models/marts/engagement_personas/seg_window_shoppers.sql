with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        recent_engagement_count,
        last_engaged_on
    from dim_profiles
    where
        not has_purchased
        and recent_engagement_count >= 1
        and recent_engagement_count < {{ var('frequent_engagement_count') }}
        and {{ personas.consent_rule() }}
)

select * from final
