{%- set typed = {
    'ordered_at': {'type': 'timestamp', 'parsed': 'ordered_at_parsed'},
    'order_total': {'type': 'money', 'parsed': 'order_total_parsed'},
    'discount_total': {'type': 'money', 'parsed': 'discount_total_parsed'},
} -%}
{%- set enums = {'status': ['placed', 'cancelled', 'refunded']} -%}

with

raw_orders as (
    select * from {{ personas.raw_relation('raw_orders') }} as raw_orders
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

trimmed as (
    select {{ personas.trimmed_columns('raw_orders', 'raw_orders') }}
    from raw_orders
),

parsed as (
    select
        trimmed.*,
        {{ personas.parse_utc_timestamp('ordered_at') }} as ordered_at_parsed,
        {{ personas.parse_money('order_total') }} as order_total_parsed,
        {{ personas.parse_money('discount_total') }} as discount_total_parsed,
        {{ personas.copy_number('raw_orders', ['order_id']) }} as copy_number
    from trimmed
),

versioned as (
    select
        parsed.*,
        cast(
            sum(case when copy_number = 1 then 1 else 0 end)
                over (partition by order_id)
            as {{ dbt.type_bigint() }}
        ) as versions_of_key
    from parsed
),

-- The parent check: an order's profile must be a staged profile (null is a guest checkout).
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
            personas.quarantine_checks('raw_orders', typed, enums)
            + [['versions_of_key > 1', 'conflicting_duplicate', 'order_id'],
               ['is_orphan', 'orphan_reference', 'profile_id']]
        ) }}
    from with_parent
)

select * from final
