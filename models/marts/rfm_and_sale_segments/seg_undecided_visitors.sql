with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        sessions_in_intent_window,
        last_purchase_on,
        last_site_visit_at
    from dim_profiles
    where
        sessions_in_intent_window >= {{ var('undecided_min_visits') }}
        and {{ personas.none_in_last_days('last_purchase_on', var('site_intent_days')) }}
        and {{ personas.consent_rule() }}
)

select * from final
