with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        first_subscribed_on
    from dim_profiles
    where
        {{ personas.in_last_days('first_subscribed_on', var('new_subscriber_days')) }}
        and not has_ever_unsubscribed
        and {{ personas.consent_rule(always_required=true) }}
)

select * from final
