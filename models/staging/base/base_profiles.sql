{%- set typed = {
    'created_at': {'type': 'timestamp', 'parsed': 'created_at_parsed'},
    'birth_date': {'type': 'date', 'parsed': 'birth_date_parsed'},
} -%}
{%- set consent_values = ['subscribed', 'unsubscribed', 'never_subscribed'] -%}
{%- set enums = {'email_consent': consent_values, 'sms_consent': consent_values} -%}

with

raw_profiles as {{ personas.not_materialized() }} (
    select * from {{ personas.raw_relation('raw_profiles') }} as raw_profiles
),

trimmed as {{ personas.not_materialized() }} (
    select {{ personas.trimmed_columns('raw_profiles', 'raw_profiles') }}
    from raw_profiles
),

{{ personas.versioned_rows('trimmed', 'raw_profiles', ['profile_id']) }},

-- Typed after the repeats are classified: copies and versions compare the trimmed text.
parsed as (
    select
        versioned.*,
        {{ personas.parse_utc_timestamp('created_at') }} as created_at_parsed,
        {{ personas.parse_date('birth_date') }} as birth_date_parsed
    from versioned
),

final as (
    select
        parsed.*,
        copy_number > 1 as is_collapsed_duplicate,
        {{ personas.first_failing_check(
            personas.quarantine_checks('raw_profiles', typed, enums)
            + [['versions_of_key > 1', 'conflicting_duplicate', 'profile_id']]
        ) }}
    from parsed
)

select * from final
