-- The quarantine summary accounts for every quarantined row: per raw entity, the sum of its
-- rows equals quarantined_rows of dq_load_reconciliation. Fails with the entity and both counts.
with

dq_load_reconciliation as (
    select * from {{ ref('dq_load_reconciliation') }}
),

dq_quarantine_summary as (
    select * from {{ ref('dq_quarantine_summary') }}
),

summary_per_entity as (
    select
        entity,
        sum(quarantined_rows) as summarised_rows
    from dq_quarantine_summary
    group by entity
),

final as (
    select
        dq_load_reconciliation.entity,
        dq_load_reconciliation.quarantined_rows,
        coalesce(summary_per_entity.summarised_rows, 0) as summarised_rows
    from dq_load_reconciliation
    left join summary_per_entity
        on dq_load_reconciliation.entity = summary_per_entity.entity
    where dq_load_reconciliation.quarantined_rows != coalesce(summary_per_entity.summarised_rows, 0)
)

select * from final
