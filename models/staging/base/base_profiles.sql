-- The checked rows of raw_profiles, all of them: the contract's columns as trimmed text, each
-- typed column parsed once (<column>_parsed), repeats classified, and the first failing
-- check's reason (null for a good row). The checks come from the declared contract
-- (models/staging/_raw__sources.yml) plus the key's conflict rule below.
with

raw_profiles as {{ personas.not_materialized() }} (
    select * from {{ personas.raw_relation('raw_profiles') }} as raw_profiles
),

trimmed as {{ personas.not_materialized() }} (
    select {{ personas.trimmed_columns('raw_profiles', 'raw_profiles') }}
    from raw_profiles
),

{{ personas.versioned_rows('trimmed', 'raw_profiles', ['profile_id']) }},

-- Typed after the repeats are classified: copies and versions compare the trimmed text.
parsed as (
    select
        versioned.*
        {{- personas.parsed_columns('raw_profiles') }}
    from versioned
),

final as (
    select
        parsed.*,
        copy_number > 1 as is_collapsed_duplicate,
        {{ personas.first_failing_check(
            personas.quarantine_checks('raw_profiles')
            + [['versions_of_key > 1', 'conflicting_duplicate', 'profile_id']]
        ) }}
    from parsed
)

select * from final
