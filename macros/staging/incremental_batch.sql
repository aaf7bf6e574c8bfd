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

{#- DuckDB and PostgreSQL: the raw input is scanned once. The rows a run re-derives are the raw
    rows on or after the cutoff day or not placeable (recent_rows), and the older rows of the
    same keys. Those older rows are taken from this table rather than from the raw input: it
    holds one row per raw row already loaded, its text columns are the raw values trimmed
    (trimming again changes nothing), and with append-only raw data they are the same rows.
    That replaces a second scan of every raw row, and a join on its trimmed key, with a join
    on this table's merge_key. -#}
{% macro default__incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- if is_incremental() %}
{%- set cutoff_day = personas.incremental_cutoff_day(parsed_timestamp_column) -%}
{%- set columns = personas.raw_contract(relation)['columns'] -%}
recent_rows as {{ personas.materialized() }} (
    select {{ relation }}.*
    from {{ relation }}
    where {{ personas.incremental_recent_row(relation ~ '.' ~ timestamp_column, cutoff_day) }}
),

changed_keys as (
    select distinct coalesce(nullif(trim(recent_rows.{{ key_column }}), ''), '') as merge_key
    from recent_rows
),

-- The table's rows of those keys, joined first (materialized) so that the filter below reads
-- a few thousand rows, not every row of the table.
this_rows as {{ personas.materialized() }} (
    select
        {%- for column in columns %}
        this_table.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ this }} as this_table
    inner join changed_keys
        on this_table.merge_key = changed_keys.merge_key
),

batch as {{ personas.materialized() }} (
    select * from recent_rows
    union all
    select * from this_rows
    where not ({{ personas.incremental_recent_row('this_rows.' ~ timestamp_column, cutoff_day, is_trimmed=true) }})
)
{%- else %}
batch as (
    select * from {{ relation }}
)
{%- endif %}
{%- endmacro %}

{#- True for a raw row that an incremental run re-derives by itself: its timestamp text
    (trimmed) is on or after the cutoff day, or it is missing or not shaped like the
    contract's, so that it cannot be placed in time. Never null. Raw text is trimmed only when
    it starts or ends with a space (the same result, at half the cost on 100M rows); text
    stored by a base model (is_trimmed) is trimmed already. -#}
{% macro incremental_recent_row(timestamp_column, cutoff_day, is_trimmed=false) -%}
{%- set shape = "'____-__-__ __:__:__%'" -%}
{%- if is_trimmed -%}
(coalesce({{ timestamp_column }}, '') >= '{{ cutoff_day }}' or coalesce({{ timestamp_column }}, '') not like {{ shape }})
{%- else -%}
case
    when {{ timestamp_column }} is null then true
    when left({{ timestamp_column }}, 1) = ' ' or right({{ timestamp_column }}, 1) = ' '
        then trim({{ timestamp_column }}) >= '{{ cutoff_day }}' or trim({{ timestamp_column }}) not like {{ shape }}
    else {{ timestamp_column }} >= '{{ cutoff_day }}' or {{ timestamp_column }} not like {{ shape }}
end
{%- endif -%}
{%- endmacro %}

{#- The CTE `changed_keys` of an incremental run (merge_key of every key with a raw row on or
    after the cutoff day, or one that cannot be placed in time), shared by every engine's
    incremental batch on Spark. The cutoff is read from the table before the model's query is built
    (personas.incremental_cutoff_day) and written in as a literal: one scan of the raw input
    with a plain filter, where a subquery made DuckDB compare every raw row in a nested-loop
    join. -#}
{% macro incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = "coalesce(nullif(trim(" ~ relation ~ "." ~ key_column ~ "), ''), '')" -%}
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
{%- set key_text = "coalesce(nullif(trim(" ~ relation ~ "." ~ key_column ~ "), ''), '')" -%}
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
