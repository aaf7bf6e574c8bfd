-- Every raw row of raw_order_lines that cannot be staged, as it was read (each column of the
-- declared contract as trimmed text), with the reason and the column that failed. Copies of an
-- exact duplicate are collapsed, not kept here.
with

base_order_lines as (
    select * from {{ ref('base_order_lines') }}
),

final as (
    select
        {{- personas.contract_columns('raw_order_lines', trailing=true) }}
        quarantine_reason,
        quarantine_column
    from base_order_lines
    where not is_collapsed_duplicate and quarantine_reason is not null
)

select * from final
