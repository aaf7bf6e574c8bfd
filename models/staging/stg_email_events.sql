-- The staged email and SMS events: every contract column of raw_email_events, typed (declared
-- in models/staging/_raw__sources.yml; a column added there appears here), plus the day.
with

base_email_events as (
    select * from {{ ref('base_email_events') }}
),

final as (
    select
        -- is_apple_privacy_open is optional in the contract: an unflagged open is a human open.
        {{- personas.contract_columns('raw_email_events', typed=true, trailing=true, overrides={
            'is_apple_privacy_open': 'coalesce(is_apple_privacy_open_parsed, false)',
        }) }}
        cast(occurred_at_parsed as date) as occurred_on
    from base_email_events
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
