-- Incremental on DuckDB and PostgreSQL (per-model config): order lines carry no timestamp of
-- their own, so a run re-derives the lines of the orders that base_orders_rows re-derived
-- since this table's last load, plus every line whose order is not among the raw orders at
-- all (they are orphans, and a daily run must not lose a new one). The key is the order's
-- (order_id, '' when missing): delete+insert replaces all the lines of each such order. On
-- Spark (Parquet tables: no delete, no merge) it is a table, rebuilt every run: its
-- partitions would have to follow the orders' days (docs/decisions.md).
-- depends_on: {{ ref('base_orders_rows') }} (read by incremental runs only)
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='delete+insert',
    unique_key='order_id',
    on_schema_change='fail',
) }}

with

raw_order_lines as {{ personas.not_materialized() }} (
    select * from {{ personas.raw_relation('raw_order_lines') }} as raw_order_lines
),

{%- set order_key = personas.raw_merge_key('raw_order_lines', 'order_id') %}
{%- if is_incremental() %}
{%- set loaded_at = personas.incremental_loaded_at() %}

-- Read twice below, for two columns: not copied whole (DuckDB materializes a CTE read twice).
base_orders_rows as {{ personas.not_materialized() }} (
    select * from {{ ref('base_orders_rows') }}
),

-- The orders whose lines are re-derived: those re-derived since this table's last load, and
-- the order ids of lines that match no raw order (orphans, re-checked on every run).
changed_orders as (
    select base_orders_rows.order_id
    from base_orders_rows
    {%- if loaded_at is not none %}
    where base_orders_rows.loaded_at > cast('{{ loaded_at }}' as {{ dbt.type_timestamp() }})
    {%- endif %}
    union
    select {{ order_key }} as order_id
    from raw_order_lines
    left join base_orders_rows
        on {{ order_key }} = base_orders_rows.order_id
    where base_orders_rows.order_id is null
),

batch as {{ personas.materialized() }} (
    select raw_order_lines.*
    from raw_order_lines
    inner join changed_orders
        on {{ order_key }} = changed_orders.order_id
),
{%- else %}

batch as (
    select * from raw_order_lines
),
{%- endif %}

trimmed as {{ personas.not_materialized() }} (
    select {{ personas.trimmed_columns('raw_order_lines', 'batch') }}
    from batch
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
        versioned.*
        {{- personas.parsed_columns('raw_order_lines') }}
    from versioned
),

checked as (
    select
        parsed.*,
        copy_number > 1 as is_collapsed_duplicate,
        -- When this row was last derived: the start of the dbt run that wrote it.
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as loaded_at,
        {{ personas.first_failing_check(
            personas.quarantine_checks('raw_order_lines')
            + [['quantity_parsed < 1', 'quantity_below_one', 'quantity'],
               ['line_number_parsed < 1', 'line_number_below_one', 'line_number'],
               ['versions_of_key > 1', 'conflicting_duplicate', 'line_number']],
            prefix='row_'
        ) }}
    from parsed
),

final as (
    select
        -- '' for a missing order: the delete+insert key must not be null (base_order_lines
        -- restores null).
        {{- personas.contract_columns('raw_order_lines', trailing=true, overrides={
            'order_id': "coalesce(order_id, '')",
        }) }}
        line_number_key,
        has_repeated_key,
        copy_number,
        versions_of_key,
        {{- personas.contract_parsed_columns('raw_order_lines') }}
        is_collapsed_duplicate,
        loaded_at,
        row_quarantine_reason,
        row_quarantine_column
    from checked
)

select * from final
