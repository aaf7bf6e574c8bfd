-- The checked rows of raw_order_lines: base_order_lines_rows (incremental: typed, duplicates
-- and row-level reasons) plus the parent check, done here on every build so that an order
-- quarantined today makes its lines orphans today. A view (per-model config): it is read
-- by stg_order_lines, its quarantine and dq_load_reconciliation.
{{ config(materialized='view') }}

with

base_order_lines_rows as (
    select * from {{ ref('base_order_lines_rows') }}
),

stg_orders as (
    select * from {{ ref('stg_orders') }}
),

-- The parent check: a line's order must be a staged order. The table keeps '' for a missing
-- order_id (its delete+insert key); null is restored here.
with_parent as (
    select
        {{- personas.contract_columns('raw_order_lines', 'base_order_lines_rows', trailing=true, overrides={
            'order_id': "nullif(base_order_lines_rows.order_id, '')",
        }) }}
        base_order_lines_rows.line_number_key,
        {{- personas.contract_parsed_columns('raw_order_lines', 'base_order_lines_rows') }}
        base_order_lines_rows.has_repeated_key,
        base_order_lines_rows.copy_number,
        base_order_lines_rows.versions_of_key,
        base_order_lines_rows.is_collapsed_duplicate,
        base_order_lines_rows.loaded_at,
        base_order_lines_rows.row_quarantine_reason,
        base_order_lines_rows.row_quarantine_column,
        stg_orders.order_id is null as is_orphan
    from base_order_lines_rows
    left join stg_orders
        on base_order_lines_rows.order_id = stg_orders.order_id
),

final as (
    select
        with_parent.*,
        coalesce(
            row_quarantine_reason, case when is_orphan then 'orphan_reference' end
        ) as quarantine_reason,
        coalesce(
            row_quarantine_column, case when is_orphan then 'order_id' end
        ) as quarantine_column
    from with_parent
)

select * from final
