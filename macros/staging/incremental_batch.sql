{#- The raw rows an incremental run of a base_<entity>_rows model re-derives, as a CTE named
    `batch` over the CTE `relation` (raw rows, untrimmed). A full build takes every row. An
    incremental run takes every row of every key that has a row on or after the cutoff day
    (the latest day already loaded minus var incremental_lookback_days), or a row whose
    timestamp is missing or not shaped like the contract's (it cannot be placed in time):
    all rows of those keys, old ones too, so exact duplicates and conflicting versions are
    classified as a full build would. A well-formed timestamp sorts as text in time order,
    so the cutoff is a text comparison and only the key and timestamp are trimmed to find
    the batch. Keys are compared as the trimmed id, or '' for a missing one (merge_key).
    DuckDB and PostgreSQL replace those keys (delete+insert on merge_key); Spark replaces
    whole partitions, so its batch is larger (spark__incremental_batch below).
    Assumes raw data is appended to: a row that arrives later with a day before the cutoff
    needs a --full-refresh (docs/decisions.md). -#}
{% macro incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
    {{ return(adapter.dispatch('incremental_batch', 'personas')(relation, key_column, timestamp_column, parsed_timestamp_column)) }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: the changed keys, then every raw row of them (old rows too), read
    from the raw input again. (Taking the old rows from this table instead, which holds them
    as trimmed text, was faster alone but slower in a real run, where two models scan their
    tables at once: docs/benchmarks.md.) -#}
{% macro default__incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = personas.raw_merge_key(relation, key_column) -%}
{%- if is_incremental() %}
{{ personas.incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) }},

-- Materialized (a hint where the engine has one): the batch is small, and the trimming,
-- duplicate and parsing steps after it read it three times.
batch as {{ personas.materialized() }} (
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

{#- The merge_key of a raw row, from its untrimmed key column: the trimmed id, or '' when it
    is missing or empty (as the base_<entity>_rows models key their rows). -#}
{% macro raw_merge_key(relation, key_column) -%}
coalesce(nullif(trim({{ relation }}.{{ key_column }}), ''), '')
{%- endmacro %}

{#- True for a raw row that an incremental run re-derives by itself: its timestamp text
    (trimmed) is on or after the cutoff day, or it is missing or not shaped like the
    contract's, so that it cannot be placed in time. Never null. Raw text is trimmed only when
    it starts or ends with a space (the same result, at half the cost on 100M rows). -#}
{% macro incremental_recent_row(timestamp_column, cutoff_day) -%}
{%- set shape = "'____-__-__ __:__:__%'" -%}
case
    when {{ timestamp_column }} is null then true
    when left({{ timestamp_column }}, 1) = ' ' or right({{ timestamp_column }}, 1) = ' '
        then trim({{ timestamp_column }}) >= '{{ cutoff_day }}' or trim({{ timestamp_column }}) not like {{ shape }}
    else {{ timestamp_column }} >= '{{ cutoff_day }}' or {{ timestamp_column }} not like {{ shape }}
end
{%- endmacro %}

{#- The CTE `changed_keys` of an incremental run (merge_key of every key with a raw row on or
    after the cutoff day, or one that cannot be placed in time), shared by every engine's
    incremental_batch. The cutoff is read from the table before the model's query is built
    (personas.incremental_cutoff_day) and written in as a literal: one scan of the raw input
    with a plain filter, where a subquery made DuckDB compare every raw row in a nested-loop
    join. -#}
{% macro incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = personas.raw_merge_key(relation, key_column) -%}
{%- set cutoff_day = personas.incremental_cutoff_day(parsed_timestamp_column) -%}
changed_keys as (
    select distinct {{ key_text }} as merge_key
    from {{ relation }}
    where {{ personas.incremental_recent_row(relation ~ '.' ~ timestamp_column, cutoff_day) }}
)
{%- endmacro %}

{#- Spark: insert_overwrite replaces whole partitions (key_first_day), so the batch is every raw
    row of every key that lives in a partition being rewritten. -#}
{% macro spark__incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = personas.raw_merge_key(relation, key_column) -%}
{%- set timestamp_text = "trim(" ~ relation ~ "." ~ timestamp_column ~ ")" -%}
{%- if is_incremental() %}
{{ personas.incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) }},

-- The first day of each changed key, from all its raw rows (as the model computes it).
changed_key_days as (
    select
        changed_keys.merge_key,
        {{ personas.key_first_day(timestamp_text) }} as key_first_day
    from {{ relation }}
    inner join changed_keys
        on {{ key_text }} = changed_keys.merge_key
    group by changed_keys.merge_key
),

-- The partitions to rewrite: where the changed keys go (a new key, a late duplicate of an
-- old event) and where they are now (a key that moves to an earlier day or to 'unplaced'
-- leaves its old partition, which must be rewritten without it).
rewritten_days as (
    select key_first_day from changed_key_days
    union
    select this_table.key_first_day
    from {{ this }} as this_table
    inner join changed_keys
        on this_table.merge_key = changed_keys.merge_key
),

-- Every key of those partitions: an overwritten partition keeps only what the batch writes.
rewritten_keys as (
    select merge_key from changed_keys
    union
    select this_table.merge_key
    from {{ this }} as this_table
    inner join rewritten_days
        on this_table.key_first_day = rewritten_days.key_first_day
),

batch as (
    select {{ relation }}.*
    from {{ relation }}
    inner join rewritten_keys
        on {{ key_text }} = rewritten_keys.merge_key
)
{%- else %}
batch as (
    select * from {{ relation }}
)
{%- endif %}
{%- endmacro %}
