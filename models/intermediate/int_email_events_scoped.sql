-- Staged email and SMS events on or before D, with the catalog's named flags.
with

stg_email_events as (
    select * from {{ ref('stg_email_events') }}
),

final as (
    select
        event_id,
        profile_id,
        campaign_id,
        channel,
        event_type,
        {{ personas.engagement_rule() }} as is_engagement,
        channel = 'email' and event_type = 'opened' and is_apple_privacy_open
            as is_apple_privacy_open,
        occurred_on,
        occurred_at
    from stg_email_events
    where {{ personas.on_or_before_as_of('occurred_on') }}
)

select * from final
