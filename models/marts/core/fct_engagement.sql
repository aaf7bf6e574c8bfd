-- One row per staged profile: email engagement in every window the catalog uses, Apple
-- privacy opens apart, delivered emails in the pressure window, subscription history, and
-- site behaviour. Events after D are ignored. Counts are 0 (never null) when nothing happened.
with

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

int_email_activity_daily as (
    select * from {{ ref('int_email_activity_daily') }}
),

int_site_visits_scoped as (
    select * from {{ ref('int_site_visits_scoped') }}
),

-- Email events arrive summed per profile and day (int_email_activity_daily): every window
-- the catalog uses for them is whole days, so the daily counts give the same numbers as the
-- events at a fraction of the rows. Engagement: the catalog's rule (macro engagement_rule).
email_days as (
    select
        profile_id,
        occurred_on,
        {{ personas.engagement_rule(daily_counts=true) }} as engagements,
        apple_privacy_opens,
        clicks,
        deliveries,
        unsubscribes,
        subscriptions
    from int_email_activity_daily
    where {{ personas.on_or_before_as_of('occurred_on') }}
),

email_per_profile as (
    select
        profile_id,
        {{ personas.sum_in_window('engagements', personas.in_last_days('occurred_on', 30)) }}
            as engagements_last_30_days,
        {{ personas.sum_in_window('engagements', personas.in_last_days('occurred_on', 60)) }}
            as engagements_last_60_days,
        {{ personas.sum_in_window('engagements', personas.in_last_days('occurred_on', 90)) }}
            as engagements_last_90_days,
        {{ personas.sum_in_window(
            'engagements',
            personas.in_last_months('occurred_on', var('recent_engagement_months'))
        ) }}
            as recent_engagement_count,
        {{ personas.sum_in_window(
            'engagements',
            '(occurred_on <= '
            ~ personas.months_before(personas.as_of_date(), var('recent_engagement_months')) ~ ')'
        ) }}
            as engagements_before_recent_window,
        {{ personas.sum_in_window(
            'engagements',
            personas.in_last_months('occurred_on', var('dead_weight_months'))
        ) }}
            as engagements_in_dead_weight_window,
        {{ personas.sum_in_window('clicks', personas.in_last_days('occurred_on', var('espresso_days'))) }}
            as clicks_in_espresso_window,
        {{ personas.sum_in_window(
            'apple_privacy_opens',
            personas.in_last_months('occurred_on', var('recent_engagement_months'))
        ) }}
            as recent_apple_privacy_opens,
        {{ personas.sum_in_window(
            'deliveries',
            personas.in_last_days('occurred_on', var('pressure_window_days'))
        ) }}
            as emails_delivered_in_pressure_window,
        {{ personas.sum_in_window('engagements', 'true') }} as total_engagements,
        {{ personas.sum_in_window('apple_privacy_opens', 'true') }} as total_apple_privacy_opens,
        max(case when unsubscribes > 0 then 1 else 0 end) = 1 as has_ever_unsubscribed,
        max(case when engagements > 0 then occurred_on end) as last_engaged_on,
        min(case when subscriptions > 0 then occurred_on end) as first_subscribed_on
    from email_days
    group by profile_id
),

site_per_profile as (
    select
        profile_id,
        count(distinct case
            when {{ personas.in_last_days('occurred_on', var('site_intent_days')) }} then session_id
        end) as sessions_in_intent_window,
        {{ personas.count_in_window(
            'is_product_interest',
            personas.in_last_months('occurred_on', var('recent_engagement_months'))
        ) }}
            as recent_product_interest_events,
        {{ personas.count_in_window(
            "event_type = 'clicked_recommendation'",
            personas.in_last_days('occurred_on', var('site_intent_days'))
        ) }}
            as recommendation_clicks_in_intent_window,
        max(occurred_at) as last_site_visit_at
    from int_site_visits_scoped
    group by profile_id
),

final as (
    select
        stg_profiles.profile_id,
        coalesce(email_per_profile.engagements_last_30_days, 0) as engagements_last_30_days,
        coalesce(email_per_profile.engagements_last_60_days, 0) as engagements_last_60_days,
        coalesce(email_per_profile.engagements_last_90_days, 0) as engagements_last_90_days,
        coalesce(email_per_profile.recent_engagement_count, 0) as recent_engagement_count,
        coalesce(email_per_profile.engagements_before_recent_window, 0)
            as engagements_before_recent_window,
        coalesce(email_per_profile.engagements_in_dead_weight_window, 0)
            as engagements_in_dead_weight_window,
        coalesce(email_per_profile.total_engagements, 0) as total_engagements,
        coalesce(email_per_profile.clicks_in_espresso_window, 0) as clicks_in_espresso_window,
        coalesce(email_per_profile.recent_apple_privacy_opens, 0) as recent_apple_privacy_opens,
        coalesce(email_per_profile.total_apple_privacy_opens, 0) as total_apple_privacy_opens,
        coalesce(email_per_profile.emails_delivered_in_pressure_window, 0)
            as emails_delivered_in_pressure_window,
        coalesce(site_per_profile.sessions_in_intent_window, 0) as sessions_in_intent_window,
        coalesce(site_per_profile.recent_product_interest_events, 0)
            as recent_product_interest_events,
        coalesce(site_per_profile.recommendation_clicks_in_intent_window, 0)
            as recommendation_clicks_in_intent_window,
        coalesce(email_per_profile.recent_engagement_count, 0) >= {{ var('frequent_engagement_count') }}
            as is_frequent_engager,
        coalesce(email_per_profile.has_ever_unsubscribed, false) as has_ever_unsubscribed,
        email_per_profile.last_engaged_on,
        email_per_profile.first_subscribed_on,
        site_per_profile.last_site_visit_at
    from stg_profiles
    left join email_per_profile
        on stg_profiles.profile_id = email_per_profile.profile_id
    left join site_per_profile
        on stg_profiles.profile_id = site_per_profile.profile_id
)

select * from final
