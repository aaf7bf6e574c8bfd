-- engagement_rule, the catalog's engagement event, in both its shapes and under the var
-- exclude_apple_privacy_opens of the run (default true): per event, an email opened or clicked
-- event, an Apple privacy open only when the var is false; per day, the same number of events
-- from the counts human_opens, apple_privacy_opens and clicks. One row per failing case.
{% set apple_open_engages = 'false' if var('exclude_apple_privacy_opens') else 'true' %}
with

events as (
    select events.* from (
        values
        ('email human open', 'email', 'opened', false, true),
        ('email Apple privacy open', 'email', 'opened', true, {{ apple_open_engages }}),
        ('email click', 'email', 'clicked', false, true),
        -- A click is a person's, whatever the flag says.
        ('email click flagged Apple', 'email', 'clicked', true, true),
        ('email delivered', 'email', 'delivered', false, false),
        ('email subscribed', 'email', 'subscribed', false, false),
        ('sms open', 'sms', 'opened', false, false),
        ('sms click', 'sms', 'clicked', false, false)
    ) as events (case_name, channel, event_type, is_apple_privacy_open, expected_engagement)
),

per_event as (
    select
        case_name,
        expected_engagement,
        {{ personas.engagement_rule() }} as actual_engagement
    from events
),

-- The same events summed as int_email_activity_daily sums them (email only).
daily_counts as (
    select
        sum(case
            when channel = 'email' and event_type = 'opened' and not is_apple_privacy_open then 1 else 0
        end) as human_opens,
        sum(case when channel = 'email' and event_type = 'opened' and is_apple_privacy_open then 1 else 0 end)
            as apple_privacy_opens,
        sum(case when channel = 'email' and event_type = 'clicked' then 1 else 0 end) as clicks,
        sum(case when expected_engagement then 1 else 0 end) as expected_engagements
    from events
),

per_day as (
    select
        expected_engagements,
        {{ personas.engagement_rule(daily_counts=true) }} as actual_engagements
    from daily_counts
),

failures as (
    select
        case_name,
        cast(expected_engagement as {{ dbt.type_string() }}) as expected_value,
        cast(actual_engagement as {{ dbt.type_string() }}) as actual_value
    from per_event
    where not coalesce(actual_engagement = expected_engagement, false)

    union all

    select
        'daily counts give the number of engagement events' as case_name,
        cast(expected_engagements as {{ dbt.type_string() }}) as expected_value,
        cast(actual_engagements as {{ dbt.type_string() }}) as actual_value
    from per_day
    where not coalesce(actual_engagements = expected_engagements, false)
),

final as (
    select * from failures
)

select * from final
