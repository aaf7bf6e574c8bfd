with

base_email_events as (
    select * from {{ ref('base_email_events') }}
),

final as (
    select
        event_id,
        profile_id,
        campaign_id,
        channel,
        event_type,
        -- Optional in the contract: an unflagged open is a human open.
        coalesce(is_apple_privacy_open_parsed, false) as is_apple_privacy_open,
        cast(occurred_at_parsed as date) as occurred_on,
        occurred_at_parsed as occurred_at
    from base_email_events
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
