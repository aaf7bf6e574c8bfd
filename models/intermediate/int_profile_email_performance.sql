-- Per profile, its email messages of the last performance_days days and what happened to them:
-- what segment_performance sums over each segment's members. It reads no segment, so it builds
-- beside the segments instead of after them.
-- A message is a (profile, campaign) pair; an email (channel 'email') event in the window puts
-- it in (events without a campaign form one message per profile). A message is sent, delivered,
-- opened (human opens: is_engagement), clicked, unsubscribed or marked as spam when it has an
-- event of that type in the window; opens, clicks, unsubscribes and complaints count on
-- delivered messages only. A delivered message converts when its profile makes a purchase at or
-- after the delivery and at most attribution_days days (UTC days) later; the attributed revenue
-- counts each such purchase once, however many messages preceded it.

with

int_email_events_scoped as (
    select * from {{ ref('int_email_events_scoped') }}
),

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

window_events as (
    select
        profile_id,
        -- A message is a (profile, campaign) pair; events without a campaign form one message.
        coalesce(campaign_id, '') as campaign_id,
        event_type,
        is_engagement,
        occurred_on,
        occurred_at
    from int_email_events_scoped
    where
        channel = 'email'
        -- The last performance_days days; int_email_events_scoped holds days on or before D
        -- only, so the window's lower bound is all that is left to test.
        and {{ personas.in_last_days_start('occurred_on', var('performance_days')) }}
),

-- One row per message with what happened to it. What happened to a message does not depend on
-- the segments its profile is in, so messages, conversions and revenue are computed once per
-- profile here and segment_performance joins only the per-profile totals to the memberships
-- (a profile is in several segments: joining events first would multiply them).
messages as (
    select
        profile_id,
        campaign_id,
        -- A delivered or bounced message was sent, even if its sent event is missing.
        max(case when event_type in ('sent', 'delivered', 'bounced') then 1 else 0 end) as was_sent,
        max(case when event_type = 'delivered' then 1 else 0 end) as was_delivered,
        max(case when event_type = 'opened' and is_engagement then 1 else 0 end) as was_opened,
        max(case when event_type = 'clicked' then 1 else 0 end) as was_clicked,
        max(case when event_type = 'unsubscribed' then 1 else 0 end) as was_unsubscribed,
        max(case when event_type = 'marked_as_spam' then 1 else 0 end) as was_marked_as_spam,
        min(case when event_type = 'delivered' then occurred_at end) as delivered_at,
        min(case when event_type = 'delivered' then occurred_on end) as delivered_on
    from window_events
    group by profile_id, campaign_id
),

attributed_purchases as (
    select
        messages.profile_id,
        messages.campaign_id,
        int_purchases.order_id,
        int_purchases.order_total_cents
    from messages
    inner join int_purchases
        on
            messages.profile_id = int_purchases.profile_id
            and messages.delivered_at <= int_purchases.ordered_at
            and int_purchases.ordered_on <= {{ personas.days_after('messages.delivered_on', var('attribution_days')) }}
    where messages.was_delivered = 1
),

converted_messages as (
    select distinct
        profile_id,
        campaign_id
    from attributed_purchases
),

-- An order belongs to one profile: counting it once per profile counts it once per segment.
revenue_per_profile as (
    select
        profile_id,
        sum(order_total_cents) as attributed_revenue_cents
    from (
        select distinct
            profile_id,
            order_id,
            order_total_cents
        from attributed_purchases
    ) as distinct_purchases
    group by profile_id
),

messages_per_profile as (
    select
        messages.profile_id,
        sum(messages.was_sent) as messages_sent,
        sum(messages.was_delivered) as messages_delivered,
        sum(messages.was_delivered * messages.was_opened) as unique_opens,
        sum(messages.was_delivered * messages.was_clicked) as unique_clicks,
        sum(messages.was_delivered * messages.was_unsubscribed) as unsubscribes,
        sum(messages.was_delivered * messages.was_marked_as_spam) as spam_complaints,
        sum(case when converted_messages.profile_id is not null then 1 else 0 end)
            as converted_messages,
        max(messages.was_delivered) as is_recipient
    from messages
    left join converted_messages
        on
            messages.profile_id = converted_messages.profile_id
            and messages.campaign_id = converted_messages.campaign_id
    group by messages.profile_id
),

final as (
    select
        messages_per_profile.profile_id,
        cast(messages_per_profile.messages_sent as {{ dbt.type_bigint() }}) as messages_sent,
        cast(messages_per_profile.messages_delivered as {{ dbt.type_bigint() }}) as messages_delivered,
        cast(messages_per_profile.unique_opens as {{ dbt.type_bigint() }}) as unique_opens,
        cast(messages_per_profile.unique_clicks as {{ dbt.type_bigint() }}) as unique_clicks,
        cast(messages_per_profile.unsubscribes as {{ dbt.type_bigint() }}) as unsubscribes,
        cast(messages_per_profile.spam_complaints as {{ dbt.type_bigint() }}) as spam_complaints,
        cast(messages_per_profile.converted_messages as {{ dbt.type_bigint() }}) as converted_messages,
        -- 0 when no delivered message of the profile converted.
        cast(coalesce(revenue_per_profile.attributed_revenue_cents, 0) as {{ dbt.type_bigint() }})
            as attributed_revenue_cents,
        messages_per_profile.is_recipient = 1 as is_recipient
    from messages_per_profile
    left join revenue_per_profile
        on messages_per_profile.profile_id = revenue_per_profile.profile_id
)

select * from final
