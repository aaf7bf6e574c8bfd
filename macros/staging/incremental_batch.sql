{#- The raw rows an incremental run of a base_<entity>_rows model re-derives, as a CTE named
    `batch` over the CTE `relation` (raw rows, untrimmed). A full build takes every row. An
    incremental run takes every row of every key that has a row on or after the cutoff day
    (the latest day already loaded minus var incremental_lookback_days), or a row whose
    timestamp is missing or not shaped like the contract's (it cannot be placed in time):
    all rows of those keys, old ones too, so exact duplicates and conflicting versions are
    classified as a full build would. A well-formed timestamp sorts as text in time order,
    so the cutoff is a text comparison and only the key and timestamp are trimmed to find
    the batch. Keys are compared as the trimmed id, or '' for a missing one (merge_key).
    Assumes raw data is appended to: a row that arrives later with a day before the cutoff
    needs a --full-refresh (docs/decisions.md). -#}
{% macro incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
    {{ return(adapter.dispatch('incremental_batch', 'personas')(relation, key_column, timestamp_column, parsed_timestamp_column)) }}
{%- endmacro %}

{% macro default__incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = "coalesce(nullif(trim(" ~ relation ~ "." ~ key_column ~ "), ''), '')" -%}
{%- set timestamp_text = "trim(" ~ relation ~ "." ~ timestamp_column ~ ")" -%}
{%- if is_incremental() %}
loaded_until as (
    select
        cast({{ personas.days_before('cast(max(' ~ parsed_timestamp_column ~ ') as date)', var('incremental_lookback_days')) }}
            as {{ dbt.type_string() }}) as cutoff_day
    from {{ this }}
),

changed_keys as (
    select distinct {{ key_text }} as merge_key
    from {{ relation }}
    cross join loaded_until
    where
        loaded_until.cutoff_day is null
        or {{ timestamp_text }} is null
        or {{ timestamp_text }} >= loaded_until.cutoff_day
        or {{ timestamp_text }} not like '____-__-__ __:__:__%'
),

batch as (
    select {{ relation }}.*
    from {{ relation }}
    inner join changed_keys
        on {{ key_text }} = changed_keys.merge_key
)
{%- else %}
batch as (
    select * from {{ relation }}
)
{%- endif %}
{%- endmacro %}
