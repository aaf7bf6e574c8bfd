with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        engagements_last_90_days,
        last_engaged_on,
        first_subscribed_on
    from dim_profiles
    where
        (
            engagements_last_90_days > 0
            or {{ personas.in_last_days('first_subscribed_on', var('new_subscriber_grace_days')) }}
        )
        and {{ personas.consent_rule(always_required=true) }}
)

select * from final
