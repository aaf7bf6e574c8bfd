-- fct_customer_predictions has exactly one row per profile of the RFM population of fct_rfm
-- (its primary-key tests catch the duplicates). Fails with one row per profile missing from
-- either side.
with

fct_rfm as (
    select * from {{ ref('fct_rfm') }}
),

fct_customer_predictions as (
    select * from {{ ref('fct_customer_predictions') }}
),

rfm_population as (
    select profile_id from fct_rfm
    where is_in_rfm_population
),

final as (
    select
        coalesce(rfm_population.profile_id, fct_customer_predictions.profile_id) as profile_id,
        case
            when fct_customer_predictions.profile_id is null then 'in the RFM population, no prediction'
            else 'predicted, not in the RFM population'
        end as reason
    from rfm_population
    full outer join fct_customer_predictions
        on rfm_population.profile_id = fct_customer_predictions.profile_id
    where rfm_population.profile_id is null or fct_customer_predictions.profile_id is null
)

select * from final
