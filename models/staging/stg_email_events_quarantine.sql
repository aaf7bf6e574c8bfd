-- Every raw row of raw_email_events that cannot be staged, as it was read (each column of the
-- declared contract as trimmed text), with the reason and the column that failed. Copies of an
-- exact duplicate are collapsed, not kept here.
with

base_email_events as (
    select * from {{ ref('base_email_events') }}
),

final as (
    select
        {{- personas.contract_columns('raw_email_events', trailing=true) }}
        quarantine_reason,
        quarantine_column
    from base_email_events
    where not is_collapsed_duplicate and quarantine_reason is not null
)

select * from final
