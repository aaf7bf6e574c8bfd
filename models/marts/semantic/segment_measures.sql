-- One row per segment: the counts and sums that the metrics of the semantic layer add up
-- (_semantic__metrics.yml), side by side, with D, the as-of date, as the time dimension that
-- MetricFlow aggregates over. Members and consented profiles come from segment_summary, the
-- message counts and the attributed revenue from segment_performance (so the rate metrics
-- are ratios of the very counts its rates divide), the members' orders and revenue from
-- fct_rfm (a member without a purchase counts 0).
with

segment_summary as (
    select * from {{ ref('segment_summary') }}
),

segment_performance as (
    select * from {{ ref('segment_performance') }}
),

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

fct_rfm as (
    select * from {{ ref('fct_rfm') }}
),

member_purchases as (
    select
        segment_memberships.segment_name,
        sum(fct_rfm.purchase_count) as member_orders,
        sum(fct_rfm.total_revenue) as member_revenue
    from segment_memberships
    inner join fct_rfm
        on segment_memberships.profile_id = fct_rfm.profile_id
    group by segment_memberships.segment_name
),

final as (
    select
        segment_summary.segment_name,
        segment_summary.members,
        segment_summary.consented_profiles,
        segment_performance.messages_sent,
        segment_performance.messages_delivered,
        segment_performance.recipients,
        segment_performance.unique_opens,
        segment_performance.unique_clicks,
        segment_performance.unsubscribes,
        segment_performance.spam_complaints,
        segment_performance.converted_messages,
        segment_performance.attributed_revenue,
        cast(coalesce(member_purchases.member_orders, 0) as {{ dbt.type_bigint() }}) as member_orders,
        cast(coalesce(member_purchases.member_revenue, 0) as decimal(18, 2)) as member_revenue,
        {{ personas.as_of_date() }} as as_of_date
    from segment_summary
    inner join segment_performance
        on segment_summary.segment_name = segment_performance.segment_name
    left join member_purchases
        on segment_summary.segment_name = member_purchases.segment_name
)

select * from final
