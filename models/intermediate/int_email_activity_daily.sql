-- One row per profile and UTC day with any raw email or SMS event row (staged or not), holding
-- that day's counts of the staged email events fct_engagement needs. It is what lets a daily
-- run avoid re-reading every email event, the largest raw entity: fct_engagement sums at most
-- one row per profile and day (scale: docs/benchmarks.md, "Figures moved from code comments
-- (2026-12-06)").
--
-- Built from base_email_events_rows (row checks done) rather than stg_email_events: the parent
-- check depends on today's profiles, so it is left to the reader, which joins stg_profiles
-- (an event of a profile that is not staged is an orphan, and no staged profile reads it).
-- Incremental (per-model config): a run re-aggregates, whole, every (profile, day) that holds a
-- row re-derived since the last run (`loaded_at` later than this table's latest), with
-- delete+insert. Spark with Parquet tables can only overwrite partitions: there the table is
-- partitioned by month (occurred_month; a partition per day made thousands of small files) and
-- a run rewrites every month that holds such a row. Pairs whose rows are all quarantined keep a
-- row of zeros, so a pair never vanishes and a rewrite is complete.
{%- set by_month = target.type == 'spark' %}
{{ config(
    materialized='incremental',
    unique_key=['profile_id', 'occurred_on'],
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    partition_by=['occurred_month'] if target.type == 'spark' else none,
    on_schema_change='fail',
) }}

with

base_email_events_rows as {{ personas.not_materialized() }} (
    select * from {{ ref('base_email_events_rows') }}
),

dated_rows as {{ personas.not_materialized() }} (
    select
        profile_id,
        cast(occurred_at_parsed as date) as occurred_on,
        cast({{ dbt.date_trunc('month', 'occurred_at_parsed') }} as date) as occurred_month,
        channel = 'email'
        and not is_collapsed_duplicate
        and row_quarantine_reason is null as is_staged_email,
        event_type,
        -- Optional in the contract: an unflagged open is a human open (as in stg_email_events).
        coalesce(is_apple_privacy_open_parsed, false) as is_apple_privacy_open,
        loaded_at
    from base_email_events_rows
    where
        profile_id is not null
        and occurred_at_parsed is not null
),

{%- if is_incremental() %}
{%- set loaded_at = personas.incremental_loaded_at() %}

-- The pairs (months on Spark) with a row derived after this table's latest load: a literal,
-- so that DuckDB reads only the row groups written since.
changed as (
    select distinct
        {{ 'occurred_month' if by_month else 'profile_id, occurred_on' }}
    from dated_rows
    {%- if loaded_at is not none %}
    where loaded_at > cast('{{ loaded_at }}' as {{ dbt.type_timestamp() }})
    {%- endif %}
),

batch as (
    select dated_rows.*
    from dated_rows
    inner join changed
        on
            {%- if by_month %}
            dated_rows.occurred_month = changed.occurred_month
            {%- else %}
            dated_rows.occurred_on = changed.occurred_on
            and dated_rows.profile_id = changed.profile_id
            {%- endif %}
),
{%- else %}

batch as (
    select * from dated_rows
),
{%- endif %}

-- Grouped by profile and day only: the month follows from the day, and a third grouping key
-- made the model markedly slower (measured: docs/benchmarks.md, "2026-12-02: a slower machine,
-- and what each change is worth alone").
aggregated as (
    select
        profile_id,
        occurred_on,
        {{ personas.count_in_window("event_type = 'opened' and not is_apple_privacy_open", 'is_staged_email') }}
            as human_opens,
        {{ personas.count_in_window("event_type = 'opened' and is_apple_privacy_open", 'is_staged_email') }}
            as apple_privacy_opens,
        {{ personas.count_in_window("event_type = 'clicked'", 'is_staged_email') }} as clicks,
        {{ personas.count_in_window("event_type = 'delivered'", 'is_staged_email') }} as deliveries,
        {{ personas.count_in_window("event_type = 'unsubscribed'", 'is_staged_email') }} as unsubscribes,
        {{ personas.count_in_window("event_type = 'subscribed'", 'is_staged_email') }} as subscriptions,
        max(loaded_at) as loaded_at
    from batch
    group by profile_id, occurred_on
),

final as (
    select
        aggregated.*,
        cast({{ dbt.date_trunc('month', 'occurred_on') }} as date) as occurred_month
    from aggregated
)

select * from final
