with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        rfm_code,
        rfm_segment,
        recency_score,
        frequency_score,
        monetary_score,
        rfm_frequency,
        rfm_monetary,
        last_purchase_on
    from dim_profiles
    where
        monetary_score between 4 and 5
        and frequency_score between 1 and 2
        and {{ personas.consent_rule() }}
)

select * from final
