-- One row per staged profile: its current attributes and consent (not filtered by D), and
-- every column of fct_rfm and fct_engagement, so a BI user filters on anything in one place.
with

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

fct_rfm as (
    select * from {{ ref('fct_rfm') }}
),

fct_engagement as (
    select * from {{ ref('fct_engagement') }}
),

final as (
    select
        stg_profiles.profile_id,
        stg_profiles.email,
        stg_profiles.phone_number,
        stg_profiles.first_name,
        stg_profiles.email_consent,
        stg_profiles.sms_consent,
        stg_profiles.country,
        stg_profiles.region,
        stg_profiles.city,
        stg_profiles.gender,
        fct_rfm.rfm_code,
        fct_rfm.rfm_segment,
        coalesce(fct_rfm.purchase_count, 0) as purchase_count,
        coalesce(fct_rfm.recent_purchase_count, 0) as recent_purchase_count,
        coalesce(fct_rfm.total_revenue, 0) as total_revenue,
        fct_rfm.average_order_value,
        fct_rfm.high_value_threshold,
        fct_rfm.days_since_last_purchase,
        fct_rfm.rfm_frequency,
        fct_rfm.rfm_monetary,
        fct_rfm.recency_score,
        fct_rfm.frequency_score,
        fct_rfm.monetary_score,
        fct_engagement.engagements_last_30_days,
        fct_engagement.engagements_last_60_days,
        fct_engagement.engagements_last_90_days,
        fct_engagement.recent_engagement_count,
        fct_engagement.engagements_before_recent_window,
        fct_engagement.engagements_in_dead_weight_window,
        fct_engagement.total_engagements,
        fct_engagement.clicks_in_espresso_window,
        fct_engagement.recent_apple_privacy_opens,
        fct_engagement.total_apple_privacy_opens,
        fct_engagement.emails_delivered_in_pressure_window,
        fct_engagement.sessions_in_intent_window,
        fct_engagement.recent_product_interest_events,
        fct_engagement.recommendation_clicks_in_intent_window,
        stg_profiles.is_email_consented,
        stg_profiles.is_sms_consented,
        fct_rfm.profile_id is not null as has_purchased,
        coalesce(fct_rfm.is_recent_buyer, false) as is_recent_buyer,
        coalesce(fct_rfm.is_lapsed_buyer, false) as is_lapsed_buyer,
        coalesce(fct_rfm.is_frequent_buyer, false) as is_frequent_buyer,
        coalesce(fct_rfm.is_high_value, false) as is_high_value,
        coalesce(fct_rfm.is_in_rfm_population, false) as is_in_rfm_population,
        fct_engagement.is_frequent_engager,
        fct_engagement.has_ever_unsubscribed,
        stg_profiles.birth_date,
        stg_profiles.created_on,
        fct_rfm.first_purchase_on,
        fct_rfm.last_purchase_on,
        fct_engagement.last_engaged_on,
        fct_engagement.first_subscribed_on,
        stg_profiles.created_at,
        fct_engagement.last_site_visit_at
    from stg_profiles
    inner join fct_engagement
        on stg_profiles.profile_id = fct_engagement.profile_id
    left join fct_rfm
        on stg_profiles.profile_id = fct_rfm.profile_id
)

select * from final
