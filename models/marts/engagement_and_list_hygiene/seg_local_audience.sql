with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        region,
        city
    from dim_profiles
    where
        country in ({{ personas.quoted_list(var('local_countries'), upper=true) }})
        and {{ personas.consent_rule() }}
)

select * from final
