-- One row per (raw entity, quarantine reason, failing column) that occurs: how many raw rows
-- were quarantined for it. What the data owner fixes first. Read from int_checked_row_outcomes
-- (one pass over the checked rows, shared with dq_load_reconciliation) rather than from the
-- five quarantine views, which would join the email events, the largest raw entity, to the
-- profiles once more (measured: docs/benchmarks.md, "2026-12-03: a faster machine, and three
-- changes outside staging"); the singular test assert_quarantine_summary_matches_views checks
-- it against the views.
with

int_checked_row_outcomes as (
    select * from {{ ref('int_checked_row_outcomes') }}
),

final as (
    select
        entity,
        quarantine_reason,
        quarantine_column,
        checked_rows as quarantined_rows
    from int_checked_row_outcomes
    where outcome = 'quarantined'
)

select * from final
