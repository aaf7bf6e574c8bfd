with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

fct_customer_predictions as (
    select * from {{ ref('fct_customer_predictions') }}
),

-- rank 1 = the highest predicted CLV; ties share a rank
ranked as (
    select
        profile_id,
        predicted_clv,
        probability_alive,
        expected_purchases,
        expected_order_value,
        rank() over (order by predicted_clv desc) as predicted_clv_rank,
        count(*) over () as predicted_customers
    from fct_customer_predictions
    where prediction_status = 'predicted'
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        ranked.predicted_clv,
        ranked.predicted_clv_rank,
        ranked.probability_alive,
        ranked.expected_purchases,
        ranked.expected_order_value,
        dim_profiles.last_purchase_on
    from ranked
    inner join dim_profiles
        on ranked.profile_id = dim_profiles.profile_id
    where
        {%- if var('at_risk_vip_min_clv', none) is none %}
        -- in the top N %: rank <= N % of the predicted customers, in integers
        100 * ranked.predicted_clv_rank <= {{ var('at_risk_vip_top_percent') }} * ranked.predicted_customers
        {%- else %}
            ranked.predicted_clv >= {{ var('at_risk_vip_min_clv') }}
        {%- endif %}
        and ranked.probability_alive < {{ var('at_risk_vip_max_probability_alive') }}
        and {{ personas.consent_rule() }}
)

select * from final
