-- Every raw row of raw_profiles that cannot be staged, as it was read (each column of the
-- declared contract as trimmed text), with the reason and the column that failed. Copies of an
-- exact duplicate are collapsed, not kept here.
with

base_profiles as (
    select * from {{ ref('base_profiles') }}
),

final as (
    select
        {{- personas.contract_columns('raw_profiles', trailing=true) }}
        quarantine_reason,
        quarantine_column
    from base_profiles
    where not is_collapsed_duplicate and quarantine_reason is not null
)

select * from final
