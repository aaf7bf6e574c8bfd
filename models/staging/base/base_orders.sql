-- The checked rows of raw_orders: base_orders_rows (incremental: typed, duplicates and
-- row-level reasons) plus the parent check, done here on every build so that a profile
-- quarantined today makes its events orphans today. A view (per-model config): it is read
-- once by stg_orders and once by its quarantine.
{{ config(materialized='view') }}

with

base_orders_rows as (
    select * from {{ ref('base_orders_rows') }}
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

-- The parent check: an order's profile must be a staged profile (null is a guest checkout).
-- The raw timestamp text, which the table keeps only where it is not the canonical text of
-- the parsed value, is restored (personas.restored_timestamp_text).
with_parent as (
    select
        {{- personas.contract_columns('raw_orders', 'base_orders_rows', trailing=true, overrides={
            'order_id': "nullif(base_orders_rows.order_id, '')",
            'ordered_at': personas.restored_timestamp_text('base_orders_rows.ordered_at_text', 'base_orders_rows.ordered_at_parsed'),
        }) }}
        {{- personas.contract_parsed_columns('raw_orders', 'base_orders_rows') }}
        base_orders_rows.has_repeated_key,
        base_orders_rows.copy_number,
        base_orders_rows.versions_of_key,
        base_orders_rows.key_first_day,
        base_orders_rows.is_collapsed_duplicate,
        base_orders_rows.loaded_at,
        base_orders_rows.row_quarantine_reason,
        base_orders_rows.row_quarantine_column,
        base_orders_rows.profile_id is not null and stg_profiles.profile_id is null as is_orphan
    from base_orders_rows
    left join stg_profiles
        on base_orders_rows.profile_id = stg_profiles.profile_id
),

final as (
    select
        with_parent.*,
        coalesce(
            row_quarantine_reason, case when is_orphan then 'orphan_reference' end
        ) as quarantine_reason,
        coalesce(
            row_quarantine_column, case when is_orphan then 'profile_id' end
        ) as quarantine_column
    from with_parent
)

select * from final
