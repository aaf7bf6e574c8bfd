with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        emails_delivered_in_pressure_window
    from dim_profiles
    where
        emails_delivered_in_pressure_window >= {{ var('pressure_max_messages') }}
        and {{ personas.consent_rule() }}
)

select * from final
