with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        recent_product_interest_events,
        last_site_visit_at
    from dim_profiles
    where
        not has_purchased
        and recent_product_interest_events > 0
        and {{ personas.consent_rule() }}
)

select * from final
