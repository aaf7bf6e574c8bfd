-- Incremental (per-model config, unlike the rest of the folder): at millions of profiles this
-- is the costly part of a build, and a daily run re-derives only the keys touched since the
-- last load (personas.incremental_batch). The strategy is the engine's:
--   DuckDB, PostgreSQL: delete+insert on event_id ('' for a missing id), because a key may
--     have several rows (copies, conflicting versions) and a merge needs a unique key;
--   Spark (Parquet tables: no delete, no merge, which need Delta): insert_overwrite of the
--     partitions key_first_day that the batch rewrites whole (spark__incremental_batch), a
--     partition left empty dropped by personas.drop_emptied_partitions.
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    unique_key='event_id',
    partition_by=['key_first_day'] if target.type == 'spark' else none,
    on_schema_change='fail',
    post_hook="{{ personas.drop_emptied_partitions('event_id') }}",
) }}

with

raw_site_visits as {{ personas.not_materialized() }} (
    select * from {{ personas.raw_relation('raw_site_visits') }} as raw_site_visits
),

{{ personas.incremental_batch('raw_site_visits', 'event_id', 'occurred_at', 'occurred_at_parsed') }},

trimmed as {{ personas.not_materialized() }} (
    select {{ personas.trimmed_columns('raw_site_visits', 'batch') }}
    from batch
),

{{ personas.versioned_rows('trimmed', 'raw_site_visits', ['event_id'], placed_by='occurred_at') }},

-- Typed after the repeats are classified: copies and versions compare the trimmed text.
parsed as (
    select
        versioned.*
        {{- personas.parsed_columns('raw_site_visits') }}
    from versioned
),

-- The timestamp text is kept only where it is not the canonical text of the parsed value
-- (personas.timestamp_text_unless_canonical); base_site_visits restores it.
final as (
    select
        -- '' for a missing id: the delete+insert key must not be null (base_site_visits
        -- restores null).
        {{- personas.contract_columns('raw_site_visits', trailing=true, overrides={
            'event_id': "coalesce(event_id, '')",
            'occurred_at': [personas.timestamp_text_unless_canonical('occurred_at', 'occurred_at_parsed'), 'occurred_at_text'],
        }) }}
        {{- personas.contract_parsed_columns('raw_site_visits') }}
        has_repeated_key,
        copy_number,
        versions_of_key,
        key_first_day,
        copy_number > 1 as is_collapsed_duplicate,
        -- When this row was last derived: the start of the dbt run that wrote it.
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as loaded_at,
        {{ personas.first_failing_check(
            personas.quarantine_checks('raw_site_visits')
            + [['versions_of_key > 1', 'conflicting_duplicate', 'event_id']],
            prefix='row_'
        ) }}
    from parsed
)

{{ personas.rows_of_changed_keys('final', ['event_id'], stored_rows='stored_rows_of_batch_keys') }}
