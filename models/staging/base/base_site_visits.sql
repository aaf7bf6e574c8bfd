{%- set typed = {
    'occurred_at': {'type': 'timestamp', 'parsed': 'occurred_at_parsed'},
    'value': {'type': 'money', 'parsed': 'value_parsed'},
} -%}
{%- set enums = {
    'event_type': ['page_view', 'viewed_product', 'added_to_cart', 'started_checkout',
                   'clicked_recommendation'],
} -%}

with

raw_site_visits as (
    select * from {{ personas.raw_relation('raw_site_visits') }} as raw_site_visits
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

trimmed as (
    select {{ personas.trimmed_columns('raw_site_visits', 'raw_site_visits') }}
    from raw_site_visits
),

parsed as (
    select
        trimmed.*,
        {{ personas.parse_utc_timestamp('occurred_at') }} as occurred_at_parsed,
        {{ personas.parse_money('value') }} as value_parsed,
        {{ personas.copy_number('raw_site_visits', ['event_id']) }} as copy_number
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

-- The parent check: a known visitor must be a staged profile (null is an anonymous visitor).
with_parent as (
    select
        versioned.*,
        versioned.profile_id is not null and stg_profiles.profile_id is null as is_orphan
    from versioned
    left join stg_profiles
        on versioned.profile_id = stg_profiles.profile_id
),

final as (
    select
        with_parent.*,
        copy_number > 1 as is_collapsed_duplicate,
        {{ personas.first_failing_check(
            personas.quarantine_checks('raw_site_visits', typed, enums)
            + [['versions_of_key > 1', 'conflicting_duplicate', 'event_id'],
               ['is_orphan', 'orphan_reference', 'profile_id']]
        ) }}
    from with_parent
)

select * from final
