-- The checked rows of raw_site_visits: base_site_visits_rows (incremental: typed, duplicates and
-- row-level reasons) plus the parent check, done here on every build so that a profile
-- quarantined today makes its events orphans today. A view (per-model config): it is read
-- once by stg_site_visits and once by its quarantine.
{{ config(materialized='view') }}

with

base_site_visits_rows as (
    select * from {{ ref('base_site_visits_rows') }}
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

-- The parent check: a known visitor must be a staged profile (null is an anonymous visitor).
-- The raw timestamp text, which the table keeps only where it is not the canonical text of
-- the parsed value, is restored (personas.restored_timestamp_text).
with_parent as (
    select
        {{- personas.contract_columns('raw_site_visits', 'base_site_visits_rows', trailing=true, overrides={
            'event_id': "nullif(base_site_visits_rows.event_id, '')",
            'occurred_at': personas.restored_timestamp_text('base_site_visits_rows.occurred_at_text', 'base_site_visits_rows.occurred_at_parsed'),
        }) }}
        {{- personas.contract_parsed_columns('raw_site_visits', 'base_site_visits_rows') }}
        base_site_visits_rows.has_repeated_key,
        base_site_visits_rows.copy_number,
        base_site_visits_rows.versions_of_key,
        base_site_visits_rows.key_first_day,
        base_site_visits_rows.is_collapsed_duplicate,
        base_site_visits_rows.loaded_at,
        base_site_visits_rows.row_quarantine_reason,
        base_site_visits_rows.row_quarantine_column,
        base_site_visits_rows.profile_id is not null and stg_profiles.profile_id is null as is_orphan
    from base_site_visits_rows
    left join stg_profiles
        on base_site_visits_rows.profile_id = stg_profiles.profile_id
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
