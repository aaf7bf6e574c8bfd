-- Per segment, its members' email messages of the last performance_days days, against Klaviyo's
-- minimums for a healthy audience: open rate >= 10 %, unsubscribe rate < 3 %, spam rate
-- < 0.08 % (vars klaviyo_min_open_rate, klaviyo_max_unsubscribe_rate, klaviyo_max_spam_rate).
-- The per-profile counts, conversions and attributed revenue come from
-- int_profile_email_performance (what a message is, what converts it); here they are summed
-- over each segment's members: a purchase belongs to one profile, so it counts once per
-- segment. Rates are shares of delivered messages, exact to 4 decimals; the flags compare
-- exact integers (each var is read as an exact fraction).

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

int_profile_email_performance as (
    select * from {{ ref('int_profile_email_performance') }}
),

message_totals as (
    select
        segment_memberships.segment_name,
        cast(sum(int_profile_email_performance.messages_sent) as {{ dbt.type_bigint() }}) as messages_sent,
        cast(sum(int_profile_email_performance.messages_delivered) as {{ dbt.type_bigint() }}) as messages_delivered,
        cast(sum(int_profile_email_performance.unique_opens) as {{ dbt.type_bigint() }}) as unique_opens,
        cast(sum(int_profile_email_performance.unique_clicks) as {{ dbt.type_bigint() }}) as unique_clicks,
        cast(sum(int_profile_email_performance.unsubscribes) as {{ dbt.type_bigint() }}) as unsubscribes,
        cast(sum(int_profile_email_performance.spam_complaints) as {{ dbt.type_bigint() }}) as spam_complaints,
        cast(sum(int_profile_email_performance.converted_messages) as {{ dbt.type_bigint() }})
            as converted_messages,
        cast(sum(case when int_profile_email_performance.is_recipient then 1 else 0 end) as {{ dbt.type_bigint() }})
            as recipients,
        cast(sum(int_profile_email_performance.attributed_revenue_cents) as {{ dbt.type_bigint() }})
            as attributed_revenue_cents
    from segment_memberships
    inner join int_profile_email_performance
        on segment_memberships.profile_id = int_profile_email_performance.profile_id
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
