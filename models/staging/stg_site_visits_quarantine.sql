-- Every raw row of raw_site_visits that cannot be staged, as it was read (each column of the
-- declared contract as trimmed text), with the reason and the column that failed. Copies of an
-- exact duplicate are collapsed, not kept here.
with

base_site_visits as (
    select * from {{ ref('base_site_visits') }}
),

final as (
    select
        {{- personas.contract_columns('raw_site_visits', trailing=true) }}
        quarantine_reason,
        quarantine_column
    from base_site_visits
    where not is_collapsed_duplicate and quarantine_reason is not null
)

select * from final
