{#- Validity intervals of segment membership, kept by every build: one row per
    (segment_name, profile_id, valid_from). A build as of D reads segment_memberships (the
    members on D) and the stored intervals that are open, or that a previous run of the same
    D closed (valid_to = D: reopened, so a rerun replaces D instead of adding to it; intervals
    a previous run of D opened are not read, and are deleted). Then:
      member on D and open  -> unchanged (same valid_from);
      open, not member on D -> closed: valid_to = D (exclusive: the first observed day out);
      member on D, not open -> a new interval from D.
    A day before the latest day of history stops the build (personas.history_refuse_out_of_order_day).
    Strategies: DuckDB and PostgreSQL write only the rows that change
    (personas.get_incremental_segment_history_sql: delete those rows, insert the batch);
    Spark (Parquet: no delete, no merge) overwrites the partitions of valid_to that D
    writes, the open intervals (valid_to null) and those closed on D, so its batch is every
    open interval and every interval closed on D. docs/decisions.md, "Segment history". -#}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'segment_history',
    unique_key=none if target.type == 'spark' else ['segment_name', 'profile_id', 'valid_from'],
    partition_by=['valid_to'] if target.type == 'spark' else none,
    on_schema_change='fail',
    full_refresh=false,
) }}
{%- set as_of = personas.as_of_date() %}
{%- do personas.history_refuse_out_of_order_day(as_of) %}

with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

-- The intervals as they stood before D: open ones, and those closed on D by an earlier run
-- of the same D, reopened. Intervals opened on D by an earlier run are left out.
history_before as (
    {%- if is_incremental() %}
    select
        segment_name,
        profile_id,
        valid_from,
        valid_to as stored_valid_to
    from {{ this }}
    where
        (valid_to is null or valid_to >= {{ as_of }})
        and valid_from < {{ as_of }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as segment_name,
        cast(null as {{ dbt.type_string() }}) as profile_id,
        cast(null as date) as valid_from,
        cast(null as date) as stored_valid_to
    from segment_memberships
    where 1 = 0
    {%- endif %}
),

intervals as (
    select
        coalesce(segment_memberships.segment_name, history_before.segment_name) as segment_name,
        coalesce(segment_memberships.profile_id, history_before.profile_id) as profile_id,
        coalesce(history_before.valid_from, {{ as_of }}) as valid_from,
        case when segment_memberships.profile_id is null then {{ as_of }} end as valid_to,
        history_before.profile_id is not null as was_stored,
        history_before.stored_valid_to
    from segment_memberships
    full outer join history_before
        on
            segment_memberships.segment_name = history_before.segment_name
            and segment_memberships.profile_id = history_before.profile_id
),

final as (
    select
        segment_name,
        profile_id,
        valid_from,
        cast(valid_to as date) as valid_to
    from intervals
    {%- if is_incremental() and target.type != 'spark' %}
    -- Only the rows that change: new intervals, and stored ones whose valid_to changes.
    where
        not was_stored
        or (valid_to is null and stored_valid_to is not null)
        or (valid_to is not null and stored_valid_to is null)
    {%- endif %}
)

select * from final
