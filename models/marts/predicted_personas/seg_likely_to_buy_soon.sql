with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

fct_customer_predictions as (
    select * from {{ ref('fct_customer_predictions') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        fct_customer_predictions.expected_next_order_on,
        fct_customer_predictions.days_to_next_order,
        fct_customer_predictions.probability_alive,
        fct_customer_predictions.expected_purchases,
        dim_profiles.last_purchase_on
    from fct_customer_predictions
    inner join dim_profiles
        on fct_customer_predictions.profile_id = dim_profiles.profile_id
    where
        fct_customer_predictions.expected_next_order_on
        <= {{ personas.days_after(personas.as_of_date(), var('likely_to_buy_days')) }}
        and {{ personas.consent_rule() }}
)

select * from final
