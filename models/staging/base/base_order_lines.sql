{%- set typed = {
    'line_number': {'type': 'integer', 'parsed': 'line_number_parsed'},
    'quantity': {'type': 'integer', 'parsed': 'quantity_parsed'},
    'unit_price': {'type': 'money', 'parsed': 'unit_price_parsed'},
    'discount_amount': {'type': 'money', 'parsed': 'discount_amount_parsed'},
} -%}

with

raw_order_lines as {{ personas.not_materialized() }} (
    select * from {{ personas.raw_relation('raw_order_lines') }} as raw_order_lines
),

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

trimmed as {{ personas.not_materialized() }} (
    select {{ personas.trimmed_columns('raw_order_lines', 'raw_order_lines') }}
    from raw_order_lines
),

keyed as {{ personas.not_materialized() }} (
    select
        trimmed.*,
        -- '1' and '01' are the same line: conflicts are found on the number, not its text.
        coalesce(
            cast({{ personas.parse_integer('line_number') }} as {{ dbt.type_string() }}), line_number
        ) as line_number_key
    from trimmed
),

{{ personas.versioned_rows('keyed', 'raw_order_lines', ['order_id', 'line_number_key']) }},

-- Typed after the repeats are classified: copies and versions compare the trimmed text.
parsed as (
    select
        versioned.*,
        {{ personas.parse_integer('line_number') }} as line_number_parsed,
        {{ personas.parse_integer('quantity') }} as quantity_parsed,
        {{ personas.parse_money('unit_price') }} as unit_price_parsed,
        {{ personas.parse_money('discount_amount') }} as discount_amount_parsed
    from versioned
),

-- The parent check: a line's order must be a staged order.
with_parent as (
    select
        parsed.*,
        stg_orders.order_id is null as is_orphan
    from parsed
    left join stg_orders
        on parsed.order_id = stg_orders.order_id
),

final as (
    select
        with_parent.*,
        copy_number > 1 as is_collapsed_duplicate,
        {{ personas.first_failing_check(
            personas.quarantine_checks('raw_order_lines', typed)
            + [['quantity_parsed < 1', 'quantity_below_one', 'quantity'],
               ['line_number_parsed < 1', 'line_number_below_one', 'line_number'],
               ['versions_of_key > 1', 'conflicting_duplicate', 'line_number'],
               ['is_orphan', 'orphan_reference', 'order_id']]
        ) }}
    from with_parent
)

select * from final
