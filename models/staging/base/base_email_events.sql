{%- set typed = {
    'occurred_at': {'type': 'timestamp', 'parsed': 'occurred_at_parsed'},
    'is_apple_privacy_open': {'type': 'boolean', 'parsed': 'is_apple_privacy_open_parsed'},
} -%}
{%- set enums = {
    'channel': ['email', 'sms'],
    'event_type': ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'unsubscribed',
                   'marked_as_spam', 'subscribed'],
} -%}

with

raw_email_events as (
    select * from {{ personas.raw_relation('raw_email_events') }} as raw_email_events
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

trimmed as (
    select {{ personas.trimmed_columns('raw_email_events', 'raw_email_events') }}
    from raw_email_events
),

parsed as (
    select
        trimmed.*,
        {{ personas.parse_utc_timestamp('occurred_at') }} as occurred_at_parsed,
        {{ personas.parse_boolean('is_apple_privacy_open') }} as is_apple_privacy_open_parsed,
        {{ personas.copy_number('raw_email_events', ['event_id']) }} as copy_number
    from trimmed
),

versioned as (
    select
        parsed.*,
        cast(
            sum(case when copy_number = 1 then 1 else 0 end)
                over (partition by event_id)
            as {{ dbt.type_bigint() }}
        ) as versions_of_key
    from parsed
),

-- The parent check: every messaging event belongs to a staged profile.
with_parent as (
    select
        versioned.*,
        stg_profiles.profile_id is null as is_orphan
    from versioned
    left join stg_profiles
        on versioned.profile_id = stg_profiles.profile_id
),

final as (
    select
        with_parent.*,
        copy_number > 1 as is_collapsed_duplicate,
        {{ personas.first_failing_check(
            personas.quarantine_checks('raw_email_events', typed, enums)
            + [['versions_of_key > 1', 'conflicting_duplicate', 'event_id'],
               ['is_orphan', 'orphan_reference', 'profile_id']]
        ) }}
    from with_parent
)

select * from final
