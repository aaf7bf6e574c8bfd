with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        recommendation_clicks_in_intent_window,
        last_purchase_on,
        last_site_visit_at
    from dim_profiles
    where
        recommendation_clicks_in_intent_window > 0
        and {{ personas.none_in_last_days('last_purchase_on', var('site_intent_days')) }}
        and {{ personas.consent_rule() }}
)

select * from final
