-- One row per profile with at least one purchase on or before D: purchase counts, revenue,
-- AOV, the catalog's buyer flags, and the Connectif RFM scores for the RFM population.
with

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

int_high_value_threshold as (
    select * from {{ ref('int_high_value_threshold') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

purchases_per_profile as (
    select
        profile_id,
        count(*) as purchase_count,
        {{ personas.count_in_window('true', personas.in_last_months('ordered_on', var('recent_purchase_months'))) }}
            as recent_purchase_count,
        sum(order_total_cents) as revenue_cents,
        {{ personas.count_in_window('true', personas.in_last_months('ordered_on', var('rfm_lookback_months'))) }}
            as rfm_purchase_count,
        sum(
            case
                when {{ personas.in_last_months('ordered_on', var('rfm_lookback_months')) }}
                    then order_total_cents
                else 0
            end
        ) as rfm_revenue_cents,
        min(ordered_on) as first_purchase_on,
        max(ordered_on) as last_purchase_on
    from int_purchases
    group by profile_id
),

rfm_population as (
    select
        profile_id,
        last_purchase_on,
        rfm_purchase_count,
        {{ personas.mean_cents_rounded('rfm_revenue_cents', 'rfm_purchase_count') }} as rfm_monetary_cents
    from purchases_per_profile
    where rfm_purchase_count > 0
),

-- rank() ascending by goodness: ties share the lowest rank, the worst value gets rank 1.
rfm_ranked as (
    select
        profile_id,
        rfm_monetary_cents,
        rank() over (order by last_purchase_on) as recency_rank,
        rank() over (order by rfm_purchase_count) as frequency_rank,
        rank() over (order by rfm_monetary_cents) as monetary_rank,
        count(*) over () as population_size
    from rfm_population
),

rfm_scored as (
    select
        profile_id,
        rfm_monetary_cents,
        {{ personas.rfm_score('recency_rank', 'population_size') }} as recency_score,
        {{ personas.rfm_score('frequency_rank', 'population_size') }} as frequency_score,
        {{ personas.rfm_score('monetary_rank', 'population_size') }} as monetary_score
    from rfm_ranked
),

rfm_coded as (
    select
        rfm_scored.*,
        {{ dbt.concat([
            'cast(recency_score as ' ~ dbt.type_string() ~ ')',
            'cast(frequency_score as ' ~ dbt.type_string() ~ ')',
            'cast(monetary_score as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_code
    from rfm_scored
),

final as (
    select
        purchases_per_profile.profile_id,
        rfm_coded.rfm_code,
        rfm_segments.rfm_segment,
        purchases_per_profile.purchase_count,
        purchases_per_profile.recent_purchase_count,
        {{ personas.cents_to_money('purchases_per_profile.revenue_cents') }} as total_revenue,
        {{ personas.cents_to_money(personas.mean_cents_rounded(
            'purchases_per_profile.revenue_cents', 'purchases_per_profile.purchase_count')) }}
            as average_order_value,
        int_high_value_threshold.high_value_threshold,
        {{ dbt.datediff('purchases_per_profile.last_purchase_on', personas.as_of_date(), 'day') }}
            as days_since_last_purchase,
        case
            when rfm_coded.profile_id is not null then purchases_per_profile.rfm_purchase_count
        end as rfm_frequency,
        {{ personas.cents_to_money('rfm_coded.rfm_monetary_cents') }} as rfm_monetary,
        rfm_coded.recency_score,
        rfm_coded.frequency_score,
        rfm_coded.monetary_score,
        {{ personas.in_last_months('purchases_per_profile.last_purchase_on', var('recent_purchase_months')) }}
            as is_recent_buyer,
        {{ personas.between_months_ago(
            'purchases_per_profile.last_purchase_on',
            var('recent_purchase_months'), var('lapsed_purchase_months')) }}
            as is_lapsed_buyer,
        purchases_per_profile.purchase_count >= {{ var('frequent_purchase_count') }}
            as is_frequent_buyer,
        coalesce(
            {{ personas.cents_to_money(personas.mean_cents_rounded(
                'purchases_per_profile.revenue_cents', 'purchases_per_profile.purchase_count')) }}
            > int_high_value_threshold.high_value_threshold,
            false
        ) as is_high_value,
        rfm_coded.profile_id is not null as is_in_rfm_population,
        purchases_per_profile.first_purchase_on,
        purchases_per_profile.last_purchase_on
    from purchases_per_profile
    cross join int_high_value_threshold
    left join rfm_coded
        on purchases_per_profile.profile_id = rfm_coded.profile_id
    left join rfm_segments
        on rfm_coded.rfm_code = rfm_segments.rfm_code
)

select * from final
