-- int_email_activity_daily holds, for every staged profile and day, exactly the counts of the
-- staged email events (stg_email_events) of that day: the daily sums fct_engagement reads lose
-- or add nothing. Returns the (profile, day) pairs whose counts differ, with both sides.
with

int_email_activity_daily as (
    select * from {{ ref('int_email_activity_daily') }}
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

stg_email_events as (
    select * from {{ ref('stg_email_events') }}
),

from_events as (
    select
        profile_id,
        occurred_on,
        sum(case when event_type = 'opened' and not is_apple_privacy_open then 1 else 0 end) as human_opens,
        sum(case when event_type = 'opened' and is_apple_privacy_open then 1 else 0 end) as apple_privacy_opens,
        sum(case when event_type = 'clicked' then 1 else 0 end) as clicks,
        sum(case when event_type = 'delivered' then 1 else 0 end) as deliveries,
        sum(case when event_type = 'unsubscribed' then 1 else 0 end) as unsubscribes,
        sum(case when event_type = 'subscribed' then 1 else 0 end) as subscriptions
    from stg_email_events
    where
        channel = 'email'
        and event_type in ('opened', 'clicked', 'delivered', 'unsubscribed', 'subscribed')
    group by profile_id, occurred_on
),

-- Staged profiles only (the parent check is the reader's), and only days with a counted event
-- (a day of SMS, sent or bounced events only is a row of zeros).
from_daily as (
    select int_email_activity_daily.*
    from int_email_activity_daily
    inner join stg_profiles
        on int_email_activity_daily.profile_id = stg_profiles.profile_id
    where
        human_opens + apple_privacy_opens + clicks + deliveries + unsubscribes + subscriptions > 0
),

compared as (
    select
        coalesce(from_events.profile_id, from_daily.profile_id) as profile_id,
        coalesce(from_events.occurred_on, from_daily.occurred_on) as occurred_on,
        from_events.human_opens as event_human_opens,
        from_daily.human_opens as daily_human_opens,
        from_events.apple_privacy_opens as event_apple_privacy_opens,
        from_daily.apple_privacy_opens as daily_apple_privacy_opens,
        from_events.clicks as event_clicks,
        from_daily.clicks as daily_clicks,
        from_events.deliveries as event_deliveries,
        from_daily.deliveries as daily_deliveries,
        from_events.unsubscribes as event_unsubscribes,
        from_daily.unsubscribes as daily_unsubscribes,
        from_events.subscriptions as event_subscriptions,
        from_daily.subscriptions as daily_subscriptions
    from from_events
    full outer join from_daily
        on
            from_events.profile_id = from_daily.profile_id
            and from_events.occurred_on = from_daily.occurred_on
    where
        from_events.profile_id is null
        or from_daily.profile_id is null
        or from_events.human_opens != from_daily.human_opens
        or from_events.apple_privacy_opens != from_daily.apple_privacy_opens
        or from_events.clicks != from_daily.clicks
        or from_events.deliveries != from_daily.deliveries
        or from_events.unsubscribes != from_daily.unsubscribes
        or from_events.subscriptions != from_daily.subscriptions
)

select * from compared
