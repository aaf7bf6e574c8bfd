-- Per segment, its members' email messages of the last performance_days days (a message is
-- a (profile, campaign) pair; a delivered event in the window puts it in), against Klaviyo's
-- minimums for a healthy audience: open rate >= 10 %, unsubscribe rate < 3 %, spam rate
-- < 0.08 % (vars klaviyo_min_open_rate, klaviyo_max_unsubscribe_rate, klaviyo_max_spam_rate).
-- Rates are shares of delivered messages, exact to 4 decimals; the flags compare exact
-- integers (each var is read as an exact fraction). A delivered message converts when its
-- profile makes a purchase at or after the delivery and at most attribution_days days (UTC
-- days) later; a purchase counts once per segment however many messages preceded it.

{# Klaviyo's minimums as exact integer comparisons: count / delivered against the var's fraction. #}
{%- set open_min = personas.share_as_fraction('open rate', var('klaviyo_min_open_rate'), 'klaviyo_min_open_rate') -%}
{%- set unsubscribe_max = personas.share_as_fraction(
    'unsubscribe rate', var('klaviyo_max_unsubscribe_rate'), 'klaviyo_max_unsubscribe_rate') -%}
{%- set spam_max = personas.share_as_fraction('spam rate', var('klaviyo_max_spam_rate'), 'klaviyo_max_spam_rate') -%}
{%- set meets_open_rate = open_min[1] ~ ' * unique_opens >= ' ~ open_min[0] ~ ' * messages_delivered' -%}
{%- set meets_unsubscribe_rate =
    unsubscribe_max[1] ~ ' * unsubscribes < ' ~ unsubscribe_max[0] ~ ' * messages_delivered' -%}
{%- set meets_spam_rate = spam_max[1] ~ ' * spam_complaints < ' ~ spam_max[0] ~ ' * messages_delivered' %}

with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

segment_summary as (
    select * from {{ ref('segment_summary') }}
),

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
        and {{ personas.in_last_days('occurred_on', var('performance_days')) }}
),

-- One row per message with what happened to it. What happened to a message does not depend on
-- the segments its profile is in, so messages, conversions and revenue are computed once per
-- profile and only the per-profile totals are joined to the memberships (a profile is in
-- several segments: joining events first would multiply them).
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

message_totals as (
    select
        segment_memberships.segment_name,
        cast(sum(messages_per_profile.messages_sent) as {{ dbt.type_bigint() }}) as messages_sent,
        cast(sum(messages_per_profile.messages_delivered) as {{ dbt.type_bigint() }}) as messages_delivered,
        cast(sum(messages_per_profile.unique_opens) as {{ dbt.type_bigint() }}) as unique_opens,
        cast(sum(messages_per_profile.unique_clicks) as {{ dbt.type_bigint() }}) as unique_clicks,
        cast(sum(messages_per_profile.unsubscribes) as {{ dbt.type_bigint() }}) as unsubscribes,
        cast(sum(messages_per_profile.spam_complaints) as {{ dbt.type_bigint() }}) as spam_complaints,
        cast(sum(messages_per_profile.converted_messages) as {{ dbt.type_bigint() }}) as converted_messages,
        cast(sum(messages_per_profile.is_recipient) as {{ dbt.type_bigint() }}) as recipients,
        cast(sum(revenue_per_profile.attributed_revenue_cents) as {{ dbt.type_bigint() }}) as attributed_revenue_cents
    from segment_memberships
    inner join messages_per_profile
        on segment_memberships.profile_id = messages_per_profile.profile_id
    left join revenue_per_profile
        on segment_memberships.profile_id = revenue_per_profile.profile_id
    group by segment_memberships.segment_name
),

totals as (
    select
        segment_summary.segment_name,
        segment_summary.members,
        coalesce(message_totals.messages_sent, 0) as messages_sent,
        coalesce(message_totals.messages_delivered, 0) as messages_delivered,
        coalesce(message_totals.recipients, 0) as recipients,
        coalesce(message_totals.unique_opens, 0) as unique_opens,
        coalesce(message_totals.unique_clicks, 0) as unique_clicks,
        coalesce(message_totals.unsubscribes, 0) as unsubscribes,
        coalesce(message_totals.spam_complaints, 0) as spam_complaints,
        coalesce(message_totals.converted_messages, 0) as converted_messages,
        coalesce(message_totals.attributed_revenue_cents, 0) as attributed_revenue_cents
    from segment_summary
    left join message_totals
        on segment_summary.segment_name = message_totals.segment_name
),

final as (
    select
        segment_name,
        members,
        messages_sent,
        messages_delivered,
        recipients,
        unique_opens,
        unique_clicks,
        unsubscribes,
        spam_complaints,
        converted_messages,
        {{ personas.exact_ratio('messages_delivered', 'messages_sent') }} as deliverability_rate,
        {{ personas.exact_ratio('unique_opens', 'messages_delivered') }} as open_rate,
        {{ personas.exact_ratio('unique_clicks', 'messages_delivered') }} as click_rate,
        {{ personas.exact_ratio('unsubscribes', 'messages_delivered') }} as unsubscribe_rate,
        {{ personas.exact_ratio('spam_complaints', 'messages_delivered', scale=6) }} as spam_rate,
        {{ personas.exact_ratio('converted_messages', 'messages_delivered') }} as conversion_rate,
        {{ personas.cents_to_money('attributed_revenue_cents') }} as attributed_revenue,
        case
            when recipients > 0
                then
                    {{ personas.cents_to_money(personas.mean_cents_rounded('attributed_revenue_cents', 'recipients')) }}
        end as revenue_per_recipient,
        case when messages_delivered > 0 then {{ meets_open_rate }} end as meets_open_rate_minimum,
        case when messages_delivered > 0 then {{ meets_unsubscribe_rate }} end as meets_unsubscribe_rate_maximum,
        case when messages_delivered > 0 then {{ meets_spam_rate }} end as meets_spam_rate_maximum,
        messages_delivered > 0
        and not (
            {{ meets_open_rate }}
            and {{ meets_unsubscribe_rate }}
            and {{ meets_spam_rate }}
        ) as is_below_klaviyo_minimum
    from totals
)

select * from final
