with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        clicks_in_espresso_window,
        purchase_count,
        last_engaged_on,
        last_purchase_on
    from dim_profiles
    where
        clicks_in_espresso_window > 0
        and {{ personas.none_in_last_days('last_purchase_on', var('espresso_days')) }}
        and {{ personas.consent_rule() }}
)

select * from final
