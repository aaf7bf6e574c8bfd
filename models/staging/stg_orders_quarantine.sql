-- Every raw row of raw_orders that cannot be staged, as it was read (each column of the
-- declared contract as trimmed text), with the reason and the column that failed. Copies of an
-- exact duplicate are collapsed, not kept here.
with

base_orders as (
    select * from {{ ref('base_orders') }}
),

final as (
    select
        {{- personas.contract_columns('raw_orders', trailing=true) }}
        quarantine_reason,
        quarantine_column
    from base_orders
    where not is_collapsed_duplicate and quarantine_reason is not null
)

select * from final
