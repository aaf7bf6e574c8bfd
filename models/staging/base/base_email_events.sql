-- The checked rows of raw_email_events: base_email_events_rows (incremental: typed, duplicates and
-- row-level reasons) plus the parent check, done here on every build so that a profile
-- quarantined today makes its events orphans today. A view (per-model config): it is read
-- once by stg_email_events and once by its quarantine.
{{ config(materialized='view') }}

with

base_email_events_rows as (
    select * from {{ ref('base_email_events_rows') }}
),

stg_profiles as (
    select * from {{ ref('stg_profiles') }}
),

-- The parent check: every messaging event belongs to a staged profile. The raw timestamp text,
-- which the table keeps only where it is not the canonical text of the parsed value, is
-- restored (personas.restored_timestamp_text).
with_parent as (
    select
        {{- personas.contract_columns('raw_email_events', 'base_email_events_rows', trailing=true, overrides={
            'event_id': "nullif(base_email_events_rows.event_id, '')",
            'occurred_at': personas.restored_timestamp_text('base_email_events_rows.occurred_at_text', 'base_email_events_rows.occurred_at_parsed'),
        }) }}
        {{- personas.contract_parsed_columns('raw_email_events', 'base_email_events_rows') }}
        base_email_events_rows.has_repeated_key,
        base_email_events_rows.copy_number,
        base_email_events_rows.versions_of_key,
        base_email_events_rows.key_first_day,
        base_email_events_rows.is_collapsed_duplicate,
        base_email_events_rows.loaded_at,
        base_email_events_rows.row_quarantine_reason,
        base_email_events_rows.row_quarantine_column,
        stg_profiles.profile_id is null as is_orphan
    from base_email_events_rows
    left join stg_profiles
        on base_email_events_rows.profile_id = stg_profiles.profile_id
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
