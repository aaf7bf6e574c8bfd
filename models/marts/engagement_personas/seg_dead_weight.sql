with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        engagements_in_dead_weight_window,
        last_engaged_on,
        last_purchase_on,
        created_on
    from dim_profiles
    where
        created_on <= {{ personas.months_before(personas.as_of_date(), var('dead_weight_months')) }}
        and engagements_in_dead_weight_window = 0
        and {{ personas.none_in_last_months('last_purchase_on', var('lapsed_purchase_months')) }}
        and {{ personas.consent_rule(always_required=true) }}
)

select * from final
