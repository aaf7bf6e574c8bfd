{#- The days the history holds: one row per as-of date D of a build that recorded
    segment_membership_history (a daily build, or a step of a backfill). Appended by each
    build after the history (it reads it): D, and any day the history's intervals start or
    end on that is missing here (a run stopped between the two models), so the list is whole.
    The trends and transitions are computed between consecutive days of this list. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    full_refresh=false,
) }}

with

segment_membership_history as (
    select * from {{ ref('segment_membership_history') }}
),

history_days as (
    select {{ personas.as_of_date() }} as as_of_date
    union
    select valid_from as as_of_date
    from segment_membership_history
    union
    select valid_to as as_of_date
    from segment_membership_history
    where valid_to is not null
),

{%- if is_incremental() %}

recorded_days as (
    select as_of_date from {{ this }}
),
{%- endif %}

final as (
    select
        history_days.as_of_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as loaded_at
    from history_days
    {%- if is_incremental() %}
    left join recorded_days
        on history_days.as_of_date = recorded_days.as_of_date
    where recorded_days.as_of_date is null
    {%- endif %}
)

select * from final
