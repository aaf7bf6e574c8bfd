-- seg_dead_weight never holds a profile with an engagement event in its window (catalog:
-- no email opened or clicked event in the last dead_weight_months months; an Apple privacy
-- open is not an engagement while var exclude_apple_privacy_opens is true). Checked against
-- the scoped email events themselves, with the engagement rule written out here, not
-- against fct_engagement's count. Fails with one row per offending event.
with

seg_dead_weight as (
    select profile_id from {{ ref('seg_dead_weight') }}
),

int_email_events_scoped as (
    select * from {{ ref('int_email_events_scoped') }}
),

engagement_events as (
    select
        event_id,
        profile_id,
        event_type,
        occurred_on
    from int_email_events_scoped
    where
        channel = 'email'
        and event_type in ('opened', 'clicked')
        {%- if var('exclude_apple_privacy_opens') %}
            and not (event_type = 'opened' and coalesce(is_apple_privacy_open, false))
        {%- endif %}
        and {{ personas.in_last_months('occurred_on', var('dead_weight_months')) }}
),

final as (
    select
        seg_dead_weight.profile_id,
        engagement_events.event_id,
        engagement_events.event_type,
        engagement_events.occurred_on,
        'dead weight with an engagement event in the last dead_weight_months months' as reason
    from seg_dead_weight
    inner join engagement_events
        on seg_dead_weight.profile_id = engagement_events.profile_id
)

select * from final
